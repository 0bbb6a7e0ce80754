/* test-filter-ui.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filter bar, quick filters, the cell menu, find, highlight rules and
 * the export dialog under a real X server (xvfb-run). Expected counts come
 * from `etwcat --format jsonl` of the same fixture, read here line by line:
 * an independent path (the CLI's own decoding and formatting) rather than
 * the filter engine the window uses.
 */
#define G_LOG_DOMAIN "test-filter-ui"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "etws-export-dialog.h"
#include "etws-filter-bar.h"
#include "etws-find-bar.h"
#include "etws-format.h"
#include "etws-ui.h"
#include "etws-window.h"
#include "ui-test-common.h"

#define FIXTURE "perfview_net.4.5.2.x64.etl"

/* ---- the independent view: etwcat's JSON Lines ---- */

typedef struct
{
  char    *time;
  guint32  pid;
  guint32  tid;
  char    *process;
  char    *provider;
  char    *event;
  char    *path;
  char    *operation;
  char    *result;
  char    *detail;
} Row;

static GArray *jsonl_rows;

static char *
dup_member (JsonObject *o,
            const char *name)
{
  return json_object_has_member (o, name) ? g_strdup (json_object_get_string_member (o, name))
                                          : g_strdup ("");
}

static void
parse_row (const char *line,
           Row        *row)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  row->time = dup_member (o, "time");
  row->pid = (guint32) json_object_get_int_member (o, "pid");
  row->tid = (guint32) json_object_get_int_member (o, "tid");
  row->process = dup_member (o, "process");
  row->provider = dup_member (o, "provider");
  row->event = dup_member (o, "event");
  row->path = dup_member (o, "path");
  row->operation = dup_member (o, "operation");
  row->result = dup_member (o, "result");
  row->detail = dup_member (o, "detail");
}

/* etwcat --format jsonl FIXTURE, parsed once for all tests. */
static GArray *
expected_rows (void)
{
  const char *etwcat = g_getenv ("ETWCAT");
  g_autofree char *path = fixture_path (FIXTURE);
  const char *argv[] = { etwcat, "--format", "jsonl", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  char *line, *next;

  if (jsonl_rows != NULL)
    return jsonl_rows;
  g_assert_nonnull (etwcat);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  jsonl_rows = g_array_new (FALSE, TRUE, sizeof (Row));
  for (line = out; line != NULL && *line != '\0'; line = next)
    {
      Row row;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      parse_row (line, &row);
      g_array_append_val (jsonl_rows, row);
    }
  return jsonl_rows;
}

static gboolean
same_text (const char *a,
           const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);

  return strcmp (fa, fb) == 0;
}

typedef gboolean (*RowTest) (const Row *row,
                             gpointer   data);

static guint
count_rows (RowTest  test,
            gpointer data)
{
  GArray *rows = expected_rows ();
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    n += test (&g_array_index (rows, Row, i), data);
  return n;
}

/* ---- driving the window ---- */

static EtwsWindow *
new_window (void)
{
  EtwsWindow *window = etws_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = find_descendant (c, type)) != NULL)
        return found;
    }
  return NULL;
}

static EtwsFilterBar *
filter_bar (EtwsWindow *window)
{
  GtkWidget *bar = find_descendant (GTK_WIDGET (etws_window_get_filter_slot (window)),
                                    ETWS_TYPE_FILTER_BAR);

  g_assert_nonnull (bar);
  return ETWS_FILTER_BAR (bar);
}

static EtwsFindBar *
find_bar (EtwsWindow *window)
{
  GtkWidget *bar = find_descendant (GTK_WIDGET (etws_window_get_find_slot (window)),
                                    ETWS_TYPE_FIND_BAR);

  g_assert_nonnull (bar);
  return ETWS_FIND_BAR (bar);
}

static void
wait_filtered (EtwsWindow *window)
{
  EtwsFilterBar *bar = filter_bar (window);

  while (etws_filter_bar_is_busy (bar) || etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
}

/* The status bar refreshes on a 100 ms timer: wait (bounded) for TEXT. */
static gboolean
status_shows (EtwsWindow *window,
              const char *text)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (strstr (etws_window_get_status_text (window), text) == NULL &&
         g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return strstr (etws_window_get_status_text (window), text) != NULL;
}

static EtwsWindow *
open_fixture (void)
{
  g_autofree char *path = fixture_path (FIXTURE);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  EtwsWindow *window = new_window ();

  etws_window_open (window, file);
  wait_loaded (window);
  g_assert_cmpuint (etws_store_get_n_rows (etws_window_get_store (window)), ==,
                    expected_rows ()->len);
  return window;
}

/* The rows the list shows (through the column view's own model). */
static guint
list_rows (EtwsWindow *window)
{
  GtkColumnView *view = etws_event_view_get_column_view (etws_window_get_event_view (window));

  etws_event_view_flush (etws_window_get_event_view (window));
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view)));
}

/* Types into the entry one character at a time, letting the main loop run
 * a little between keys, as a user would. */
static void
type_text (GtkEditable *editable,
           const char  *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      int pos = -1;
      gint64 until = g_get_monotonic_time () + 20000;

      gtk_editable_set_position (editable, -1);
      pos = gtk_editable_get_position (editable);
      gtk_editable_insert_text (editable, p, (int) (g_utf8_next_char (p) - p), &pos);
      gtk_editable_set_position (editable, pos);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }
}

/* The store index of every row the list shows, in its order. */
static GArray *
shown_indices (EtwsWindow *window)
{
  EtwsEventModel *model = etws_window_get_model (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (guint64), n);

  for (guint i = 0; i < n; i++)
    {
      guint64 index = etws_event_model_get_store_index (model, i);
      g_array_append_val (out, index);
    }
  return out;
}

/* ---- expectations ---- */

static gboolean
pid_and_provider (const Row *row,
                  gpointer   data)
{
  return row->pid == 3988 && same_text (row->provider, "Microsoft-Windows-Kernel-File");
}

static gboolean
process_is (const Row *row,
            gpointer   data)
{
  return same_text (row->process, data);
}

static gboolean
pid_in (const Row *row,
        gpointer   data)
{
  const guint32 *pids = data;

  for (guint i = 0; pids[i] != 0; i++)
    if (row->pid == pids[i])
      return TRUE;
  return FALSE;
}

static gboolean
provider_is (const Row *row,
             gpointer   data)
{
  return same_text (row->provider, data);
}

/* Typing an expression filters the view to exactly the rows etwcat's
 * output says match; the status bar says so too. */
static void
test_typing (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  GtkEditable *entry = GTK_EDITABLE (etws_filter_bar_get_entry (bar));
  const char *expression = "pid == 3988 && provider == \"Microsoft-Windows-Kernel-File\"";
  guint expected = count_rows (pid_and_provider, NULL);
  guint total = expected_rows ()->len;
  g_autofree char *shown = NULL;
  g_autoptr(GArray) indices = NULL;
  EtwsStore *store = etws_window_get_store (window);

  g_test_message ("%u of %u rows expected", expected, total);
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, total);
  g_assert_cmpuint (list_rows (window), ==, total);

  gtk_widget_grab_focus (GTK_WIDGET (entry));
  type_text (entry, expression);
  wait_filtered (window);
  g_assert_null (etws_filter_bar_get_error (bar));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpuint (list_rows (window), ==, expected);
  shown = g_strdup_printf ("Shown: %u", expected);
  if (!status_shows (window, shown))
    g_error ("status bar says \"%s\", not \"%s\"", etws_window_get_status_text (window), shown);

  /* Every row shown is one of them, in store order. */
  indices = shown_indices (window);
  for (guint i = 0; i < indices->len; i++)
    {
      guint64 index = g_array_index (indices, guint64, i);
      const Row *row = &g_array_index (expected_rows (), Row, index);

      g_assert_true (pid_and_provider (row, NULL));
      g_assert_cmpuint (etws_store_get_pid (store, index), ==, 3988);
      if (i > 0)
        g_assert_cmpuint (index, >, g_array_index (indices, guint64, i - 1));
    }

  /* The PID column shows ETW's "no process" as -1, and so can a filter. */
  {
    guint32 none[] = { G_MAXUINT32, 0 };

    gtk_editable_delete_text (entry, 0, -1);
    type_text (entry, "pid == -1");
    wait_filtered (window);
    g_assert_cmpuint (count_rows (pid_in, none), >, 0);
    g_assert_cmpuint (list_rows (window), ==, count_rows (pid_in, none));
    gtk_editable_delete_text (entry, 0, -1);
    type_text (entry, expression);
    wait_filtered (window);
  }

  /* Enter keeps it in the history; clearing shows every row again. */
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (etws_filter_bar_get_history (bar)[0], ==, expression);
  etws_filter_bar_set_expression (bar, "");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, total);
  destroy_window (window);
}

/* A filter set while the file still loads: rows evaluated on the thread,
 * rows that arrive meanwhile, and rows that arrive after the result all
 * end up in the view exactly when they match. */
static void
test_filter_while_loading (void)
{
  g_autofree char *path = fixture_path (FIXTURE);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  EtwsWindow *window = new_window ();
  EtwsFilterBar *bar = filter_bar (window);
  guint32 pids[] = { 3988, 3676, 0 };

  etws_filter_bar_set_expression (bar, "pid in {3988, 3676}");
  etws_window_open (window, file);
  /* A few batches in, while most of the file is still to come. */
  while (etws_window_get_store (window) != NULL &&
         etws_store_get_n_rows (etws_window_get_store (window)) < 20000 &&
         etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("filter applied with %" G_GUINT64_FORMAT " rows loaded",
                  etws_store_get_n_rows (etws_window_get_store (window)));
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, count_rows (pid_in, pids));
  destroy_window (window);
}

/* An invalid expression turns the entry red, underlines the problem and
 * names it with its column in the tooltip; the view keeps the last valid
 * filter. */
static void
test_invalid (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  GtkEntry *entry = etws_filter_bar_get_entry (bar);
  guint32 pids[] = { 4, 0 };
  guint expected = count_rows (pid_in, pids);
  struct
  {
    const char *text;
    const char *at;     /* where the error points */
    const char *words;  /* in the message */
  } cases[] = {
    { "pdi == 4", "pdi", "pdi" },
    { "pid == 4 && process == svchost.exe", "svchost.exe", "quote" },
    { "pid contains \"4\"", "\"4\"", "contains" },
    { "path matches \"([a-z\"", "\"([a-z\"", "regular expression" },
    { "pid == 4 && (cpu == 1", "(cpu", "(" },
  };

  etws_filter_bar_set_expression (bar, "pid == 4");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, expected);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *tooltip;
      g_autofree char *column = NULL;
      const char *error;
      PangoAttrList *attrs;

      g_test_message ("%s", cases[i].text);
      /* Select all and type over it. */
      gtk_editable_delete_text (GTK_EDITABLE (entry), 0, -1);
      type_text (GTK_EDITABLE (entry), cases[i].text);
      wait_filtered (window);
      error = etws_filter_bar_get_error (bar);
      g_assert_nonnull (error);
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
      tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (entry));
      g_assert_nonnull (tooltip);
      g_assert_nonnull (strstr (tooltip, error));
      /* The column is counted here from the text, not taken from the
       * parser. */
      if (cases[i].at != NULL)
        {
          column = g_strdup_printf ("Column %ld:", (long) (strstr (cases[i].text, cases[i].at) - cases[i].text) + 1);
          g_assert_nonnull (strstr (error, column));
          attrs = gtk_entry_get_attributes (entry);
          g_assert_nonnull (attrs);
        }
      else
        g_assert_nonnull (strstr (error, "Column "));
      if (cases[i].words != NULL)
        g_assert_nonnull (strstr (error, cases[i].words));
      /* The expression under the caret line. */
      g_assert_nonnull (strstr (tooltip, "^"));
      g_assert_cmpuint (list_rows (window), ==, expected);
    }

  /* Fixing it clears the red state and applies. */
  gtk_editable_delete_text (GTK_EDITABLE (entry), 0, -1);
  type_text (GTK_EDITABLE (entry), "pid == 4 && cpu >= 0");
  wait_filtered (window);
  g_assert_null (etws_filter_bar_get_error (bar));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (entry)));
  g_assert_cmpuint (list_rows (window), ==, expected);
  destroy_window (window);
}

/* The cell widget showing (position, column): what the user clicks. */
static GtkWidget *
find_cell (GtkWidget  *root,
           guint       position,
           EtwsColumn  column)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkListItem *item;
      GtkWidget *found;

      if (GTK_IS_INSCRIPTION (c) &&
          GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (c), "column")) == (guint) column &&
          (item = g_object_get_data (G_OBJECT (c), "list-item")) != NULL &&
          gtk_list_item_get_position (item) == position)
        return c;
      if ((found = find_cell (c, position, column)) != NULL)
        return found;
    }
  return NULL;
}

/* A right-click in the middle of a cell, through the list's own button-3
 * gesture. */
static GtkPopoverMenu *
right_click (EtwsWindow *window,
             guint       position,
             EtwsColumn  column)
{
  EtwsEventView *view = etws_window_get_event_view (window);
  GtkWidget *list = GTK_WIDGET (etws_event_view_get_column_view (view));
  GtkWidget *cell;
  GListModel *controllers;
  GtkPopoverMenu *menu;
  double x, y;
  guint pressed = 0;

  etws_event_view_scroll_to (view, position);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  cell = find_cell (GTK_WIDGET (view), position, column);
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_translate_coordinates (cell, list, gtk_widget_get_width (cell) / 2.0,
                                                   gtk_widget_get_height (cell) / 2.0, &x, &y));
  controllers = gtk_widget_observe_controllers (list);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (controller, "pressed", 1, x, y);
          pressed++;
        }
    }
  g_object_unref (controllers);
  g_assert_cmpuint (pressed, ==, 1);
  menu = GTK_POPOVER_MENU (find_descendant (GTK_WIDGET (view), GTK_TYPE_POPOVER_MENU));
  g_assert_nonnull (menu);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  return menu;
}

/* Activates the menu item whose label starts with `prefix`, as a click on
 * it does; returns its label. */
static char *
activate_item (GtkPopoverMenu *menu,
               const char     *prefix)
{
  GMenuModel *model = gtk_popover_menu_get_menu_model (menu);

  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *label = NULL;
          g_autofree char *action = NULL;
          g_autoptr(GVariant) target = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
          if (!g_str_has_prefix (label, prefix))
            continue;
          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          target = g_menu_model_get_item_attribute_value (section, i, G_MENU_ATTRIBUTE_TARGET, NULL);
          g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (menu), action, target));
          gtk_popover_popdown (GTK_POPOVER (menu));
          return g_steal_pointer (&label);
        }
    }
  g_assert_not_reached ();
  return NULL;
}

static guint
first_position_with_process (EtwsWindow *window,
                             const char *name)
{
  EtwsStore *store = etws_window_get_store (window);
  EtwsEventModel *model = etws_window_get_model (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (etws_store_get_string (store, etws_store_get_process (store,
                   etws_event_model_get_store_index (model, i))), name) == 0)
      return i;
  g_assert_not_reached ();
  return 0;
}

/* Right-click on a cell: Include narrows the view to that value, Exclude
 * takes it out, both as chips; Highlight colours the rows; Copy value
 * puts the cell's text on the clipboard. */
static void
test_cell_menu (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  EtwsEventView *view = etws_window_get_event_view (window);
  guint total = expected_rows ()->len;
  guint svchost = count_rows (process_is, "svchost.exe");
  guint explorer = count_rows (process_is, "explorer.exe");
  g_autofree char *label = NULL;
  g_auto(GStrv) chips = NULL;
  GtkPopoverMenu *menu;
  guint pos;

  g_assert_cmpuint (svchost, >, 0);
  pos = first_position_with_process (window, "svchost.exe");
  menu = right_click (window, pos, ETWS_COLUMN_PROCESS);
  /* The right-clicked row is selected, as in Process Monitor. */
  g_assert_cmpuint (etws_event_view_get_selected_index (view), ==,
                    etws_event_model_get_store_index (etws_window_get_model (window), pos));
  label = activate_item (menu, "Include");
  g_assert_cmpstr (label, ==, "Include 'svchost.exe'");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, svchost);
  chips = etws_filter_bar_dup_chip_labels (bar);
  g_assert_cmpuint (g_strv_length (chips), ==, 1);
  g_assert_cmpstr (chips[0], ==, "process == \"svchost.exe\"");

  /* Within those, exclude one PID. */
  {
    EtwsStore *store = etws_window_get_store (window);
    guint64 index = etws_event_model_get_store_index (etws_window_get_model (window), 0);
    guint32 pid = etws_store_get_pid (store, index);
    guint32 pids[] = { pid, 0 };
    guint with_pid = 0;

    for (guint i = 0; i < expected_rows ()->len; i++)
      {
        const Row *r = &g_array_index (expected_rows (), Row, i);
        with_pid += process_is (r, "svchost.exe") && pid_in (r, pids);
      }
    menu = right_click (window, 0, ETWS_COLUMN_PID);
    g_clear_pointer (&label, g_free);
    label = activate_item (menu, "Exclude");
    wait_filtered (window);
    g_assert_cmpuint (list_rows (window), ==, svchost - with_pid);
    g_assert_cmpuint (with_pid, >, 0);
  }

  /* Removing the chips one by one widens the view again. */
  etws_filter_bar_remove_chip (bar, 1);
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, svchost);
  etws_filter_bar_remove_chip (bar, 0);
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, total);

  /* Exclude on its own. */
  pos = first_position_with_process (window, "explorer.exe");
  menu = right_click (window, pos, ETWS_COLUMN_PROCESS);
  g_clear_pointer (&label, g_free);
  label = activate_item (menu, "Exclude");
  g_assert_cmpstr (label, ==, "Exclude 'explorer.exe'");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, total - explorer);
  etws_filter_bar_clear_all (bar);
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, total);

  /* Highlight: the rows of that process get the colour, the others not. */
  pos = first_position_with_process (window, "svchost.exe");
  menu = right_click (window, pos, ETWS_COLUMN_PROCESS);
  g_clear_pointer (&label, g_free);
  label = activate_item (menu, "Highlight");
  g_assert_cmpuint (etws_highlight_rules_get_n_rules (etws_filter_bar_get_highlight_rules (bar)), ==, 1);
  g_assert_cmpuint (list_rows (window), ==, total);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  {
    guint coloured = 0, plain = 0;

    for (guint p = pos > 3 ? pos - 3 : 0; p < pos + 10; p++)
      {
        GtkWidget *cell = find_cell (GTK_WIDGET (view), p, ETWS_COLUMN_TIME);
        EtwsStore *store = etws_window_get_store (window);
        guint64 index = etws_event_model_get_store_index (etws_window_get_model (window), p);
        gboolean is_svchost = g_strcmp0 (etws_store_get_string (store, etws_store_get_process (store, index)),
                                         "svchost.exe") == 0;

        if (cell == NULL)
          continue;
        g_assert_cmpint (gtk_widget_has_css_class (gtk_widget_get_parent (cell), "highlight-0"), ==,
                         is_svchost);
        coloured += is_svchost;
        plain += !is_svchost;
      }
    g_assert_cmpuint (coloured, >, 0);
    g_test_message ("%u coloured and %u plain rows checked", coloured, plain);
  }

  /* Copy value. */
  menu = right_click (window, pos, ETWS_COLUMN_PROCESS);
  g_clear_pointer (&label, g_free);
  label = activate_item (menu, "Copy _Value");
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
    GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
    g_auto(GValue) value = G_VALUE_INIT;

    g_assert_nonnull (content);
    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
    g_assert_cmpstr (g_value_get_string (&value), ==, "svchost.exe");
  }
  destroy_window (window);
}

/* Quick filters: counts per value match etwcat's, and checking values
 * filters the view (combined with the expression by AND). */
static void
test_quick_filters (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  EtwsQuickFilters *quick = etws_filter_bar_get_quick_filters (bar);
  guint total = expected_rows ()->len;
  gboolean counted = FALSE;
  gulong handler;
  guint32 pids[] = { 4, 1632, 0 };
  g_auto(GStrv) chips = NULL;
  const char *names[] = { "Microsoft-Windows-Kernel-File", "PerfInfo", "Image", "Thread" };
  const char *svchost[] = { "svchost.exe", NULL };
  const char *two_pids[] = { "4", "1632", NULL };

  handler = g_signal_connect_swapped (quick, "counted", G_CALLBACK (g_nullify_pointer), &counted);
  counted = TRUE;
  etws_quick_filters_count (quick);
  while (counted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (quick, handler);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_test_message ("%s: %" G_GUINT64_FORMAT, names[i],
                      etws_quick_filters_get_count (quick, ETWS_QUICK_PROVIDER, names[i]));
      g_assert_cmpuint (etws_quick_filters_get_count (quick, ETWS_QUICK_PROVIDER, names[i]), ==,
                        count_rows (provider_is, (gpointer) names[i]));
    }
  g_assert_cmpuint (etws_quick_filters_get_count (quick, ETWS_QUICK_PROCESS, "svchost.exe"), ==,
                    count_rows (process_is, "svchost.exe"));
  g_assert_cmpuint (etws_quick_filters_get_count (quick, ETWS_QUICK_PID, "1632"), ==,
                    count_rows (pid_in, (guint32[]) { 1632, 0 }));

  etws_quick_filters_set_values (quick, ETWS_QUICK_PROCESS, svchost);
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, count_rows (process_is, "svchost.exe"));
  etws_quick_filters_clear (quick, ETWS_QUICK_PROCESS);

  etws_quick_filters_set_values (quick, ETWS_QUICK_PID, two_pids);
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, count_rows (pid_in, pids));
  chips = etws_filter_bar_dup_chip_labels (bar);
  g_assert_cmpuint (g_strv_length (chips), ==, 1);
  g_assert_cmpstr (chips[0], ==, "PID: 4, 1632");

  /* AND with the expression. */
  etws_filter_bar_set_expression (bar, "pid != 4");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, count_rows (pid_in, (guint32[]) { 1632, 0 }));

  /* The chip's close button takes the quick filter away. */
  etws_filter_bar_remove_chip (bar, 0);
  etws_filter_bar_set_expression (bar, "");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, total);
  g_assert_null (etws_quick_filters_get_values (quick, ETWS_QUICK_PID)[0]);
  destroy_window (window);
}

static gboolean
is_explorer_row (const Row *row,
                 gpointer   data)
{
  return row->pid == 2876;
}

/* Find: next and previous within the filtered view, by expression and by
 * text; each hit is selected. Going round with "next" visits exactly the
 * matching rows, in view order, then wraps. */
static void
test_find (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  EtwsFindBar *find = find_bar (window);
  EtwsEventView *view = etws_window_get_event_view (window);
  EtwsStore *store = etws_window_get_store (window);
  EtwsEventModel *model = etws_window_get_model (window);
  guint expected = 0, visited = 0;
  guint first = GTK_INVALID_LIST_POSITION, last = GTK_INVALID_LIST_POSITION, pos;
  guint32 pids[] = { 2876, 0 };
  GArray *rows = expected_rows ();

  /* Filtered to explorer.exe, find its rows with a path. */
  etws_filter_bar_set_expression (bar, "pid == 2876");
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), ==, count_rows (pid_in, pids));
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *r = &g_array_index (rows, Row, i);
      expected += is_explorer_row (r, NULL) && *r->path != '\0';
    }
  g_test_message ("%u rows with a path", expected);
  g_assert_cmpuint (expected, >, 1);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.find", NULL);
  etws_find_bar_set_mode (find, ETWS_FIND_EXPRESSION);
  etws_find_bar_set_text (find, "path != \"\"");
  gtk_selection_model_unselect_all (etws_window_get_selection (window));
  for (;;)
    {
      guint64 index;

      etws_find_bar_find (find, FALSE);
      while (etws_find_bar_is_busy (find))
        g_main_context_iteration (NULL, TRUE);
      index = etws_event_view_get_selected_index (view);
      g_assert_cmpuint (index, !=, G_MAXUINT64);
      pos = etws_event_model_find_store_index (model, index);
      if (pos == first)
        break;
      g_assert_cmpuint (etws_store_get_pid (store, index), ==, 2876);
      g_assert_cmpstr (etws_store_get_string (store, etws_store_get_path (store, index)), !=, "");
      if (first == GTK_INVALID_LIST_POSITION)
        first = pos;
      else
        g_assert_cmpuint (pos, >, last);
      last = pos;
      visited++;
      g_assert_cmpuint (visited, <=, expected);
    }
  g_assert_cmpuint (visited, ==, expected);
  g_assert_cmpstr (etws_find_bar_get_status (find), ==, "Wrapped to the top");

  /* Previous from the first hit wraps to the last. */
  etws_find_bar_find (find, TRUE);
  while (etws_find_bar_is_busy (find))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (etws_event_model_find_store_index (model, etws_event_view_get_selected_index (view)),
                    ==, last);

  /* By text: "explorer" is in every row's process here. */
  etws_find_bar_set_mode (find, ETWS_FIND_TEXT);
  etws_find_bar_set_text (find, "EXPLORER");
  etws_find_bar_find (find, FALSE);
  while (etws_find_bar_is_busy (find))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (etws_event_model_find_store_index (model, etws_event_view_get_selected_index (view)),
                    ==, (last + 1) % list_rows (window));

  /* No match, and a bad expression, say so. */
  etws_find_bar_set_text (find, "no such text anywhere");
  etws_find_bar_find (find, FALSE);
  while (etws_find_bar_is_busy (find))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (etws_find_bar_get_status (find), ==, "No match");
  etws_find_bar_set_mode (find, ETWS_FIND_EXPRESSION);
  etws_find_bar_set_text (find, "pdi == 1");
  etws_find_bar_find (find, FALSE);
  g_assert_nonnull (strstr (etws_find_bar_get_status (find), "Column 1"));
  destroy_window (window);
}

/* ---- export ---- */

static EtwsExportDialog *
open_export_dialog (EtwsWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (ETWS_IS_EXPORT_DIALOG (w))
        return ETWS_EXPORT_DIALOG (w);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
finished_cb (EtwsExportDialog *dialog,
             gint64            rows,
             gint64           *out)
{
  *out = rows;
}

static gint64
export_to (EtwsExportDialog *dialog,
           const char       *path,
           gboolean          cancel)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gint64 result = G_MININT64;

  g_object_ref (dialog);
  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &result);
  etws_export_dialog_export_to (dialog, file);
  if (cancel)
    etws_export_dialog_cancel (dialog);
  while (result == G_MININT64)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (dialog, finished_cb, &result);
  g_object_unref (dialog);
  return result;
}

/* Selected rows, several and not contiguous, in a filtered and sorted
 * view: the JSON Lines file holds exactly those events, in the order the
 * list shows them; the Process Monitor CSV the same rows. */
static void
test_export_selection (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  EtwsEventView *view = etws_window_get_event_view (window);
  GtkSelectionModel *selection;
  EtwsStore *store = etws_window_get_store (window);
  EtwsEventModel *model = etws_window_get_model (window);
  g_autofree char *dir = g_dir_make_tmp ("test-filter-ui-XXXXXX", NULL);
  g_autofree char *jsonl = g_build_filename (dir, "selection.jsonl", NULL);
  g_autofree char *csv = g_build_filename (dir, "selection.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (guint64));
  EtwsExportDialog *dialog;
  guint picks[] = { 2, 3, 4, 17, 40, 41, 99 };
  gint64 written;

  etws_filter_bar_set_expression (bar, "provider == \"Microsoft-Windows-Kernel-File\"");
  wait_filtered (window);
  etws_event_view_sort_by (view, ETWS_COLUMN_PROCESS, TRUE);
  while (etws_event_model_is_sorting (model))
    g_main_context_iteration (NULL, TRUE);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (list_rows (window), >, 100);

  selection = etws_window_get_selection (window);
  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      guint64 index = etws_event_model_get_store_index (model, picks[i]);
      gtk_selection_model_select_item (selection, picks[i], FALSE);
      g_array_append_val (want, index);
    }
  g_assert_cmpuint (etws_event_view_get_n_selected (view), ==, G_N_ELEMENTS (picks));

  dialog = open_export_dialog (window);
  /* Several rows selected: the dialog starts on them. */
  g_assert_cmpint (etws_export_dialog_get_scope (dialog), ==, ETWS_EXPORT_SCOPE_SELECTED);
  etws_export_dialog_set_format (dialog, ETWS_EXPORT_JSONL);
  g_object_ref (dialog);
  written = export_to (dialog, jsonl, FALSE);
  g_assert_cmpint (written, ==, G_N_ELEMENTS (picks));
  /* Done: the dialog closed and the banner says where the rows went. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
  g_assert_nonnull (strstr (etws_window_get_banner_text (window), jsonl));

  g_assert_true (g_file_get_contents (jsonl, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (picks));
  for (guint i = 0; i < want->len; i++)
    {
      guint64 index = g_array_index (want, guint64, i);
      const Row *expected = &g_array_index (expected_rows (), Row, index);
      g_autoptr(GString) time = g_string_new (NULL);
      Row got;

      parse_row (lines[i], &got);
      etws_format_time_utc (time, etws_store_get_time (store, index));
      g_assert_cmpstr (got.time, ==, time->str);
      g_assert_cmpstr (got.time, ==, expected->time);
      g_assert_cmpuint (got.pid, ==, expected->pid);
      g_assert_cmpuint (got.tid, ==, expected->tid);
      g_assert_cmpstr (got.provider, ==, "Microsoft-Windows-Kernel-File");
      g_assert_cmpstr (got.event, ==, expected->event);
      g_assert_cmpstr (got.path, ==, expected->path);
      g_assert_cmpstr (got.process, ==, expected->process);
    }

  /* The same selection as Process Monitor CSV: a header and one line per
   * row, with the PIDs in order. */
  dialog = open_export_dialog (window);
  etws_export_dialog_set_format (dialog, ETWS_EXPORT_PROCMON_CSV);
  g_assert_cmpint (export_to (dialog, csv, FALSE), ==, G_N_ELEMENTS (picks));
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&lines, g_strfreev);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (picks) + 1);
  g_assert_true (g_str_has_prefix (lines[0], "\"Time of Day\",\"Process Name\",\"PID\""));
  for (guint i = 0; i < want->len; i++)
    {
      const Row *expected = &g_array_index (expected_rows (), Row, g_array_index (want, guint64, i));
      g_autofree char *pid = g_strdup_printf (",\"%u\",", expected->pid);

      g_assert_nonnull (strstr (lines[i + 1], pid));
    }

  /* The filtered scope: every row of the view, in its order. */
  dialog = open_export_dialog (window);
  etws_export_dialog_set_scope (dialog, ETWS_EXPORT_SCOPE_FILTERED);
  etws_export_dialog_set_format (dialog, ETWS_EXPORT_CSV);
  g_assert_cmpint (export_to (dialog, csv, FALSE), ==, list_rows (window));

  g_unlink (jsonl);
  g_unlink (csv);
  g_rmdir (dir);
  destroy_window (window);
}

/* Failures show in the dialog, which stays open, and leave an existing
 * file as it was: a directory as the target, a full disk, a stopped
 * export. */
static void
test_export_errors (void)
{
  EtwsWindow *window = open_fixture ();
  g_autofree char *dir = g_dir_make_tmp ("test-filter-ui-XXXXXX", NULL);
  g_autofree char *keep = g_build_filename (dir, "keep.jsonl", NULL);
  g_autofree char *contents = NULL;
  EtwsExportDialog *dialog = open_export_dialog (window);
  g_autoptr(GDir) d = NULL;
  guint n_files = 0;

  g_object_ref (dialog);
  etws_export_dialog_set_scope (dialog, ETWS_EXPORT_SCOPE_ALL);
  etws_export_dialog_set_format (dialog, ETWS_EXPORT_JSONL);

  g_assert_cmpint (export_to (dialog, dir, FALSE), ==, -1);
  g_test_message ("%s", etws_export_dialog_get_error (dialog));
  g_assert_nonnull (strstr (etws_export_dialog_get_error (dialog), "directory"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (export_to (dialog, "/dev/full", FALSE), ==, -1);
      g_test_message ("%s", etws_export_dialog_get_error (dialog));
      g_assert_nonnull (strstr (etws_export_dialog_get_error (dialog), g_strerror (ENOSPC)));
    }

  g_assert_true (g_file_set_contents (keep, "KEEP\n", -1, NULL));
  g_assert_cmpint (export_to (dialog, keep, TRUE), ==, -1);
  g_test_message ("%s", etws_export_dialog_get_error (dialog));
  g_assert_nonnull (strstr (etws_export_dialog_get_error (dialog), "stopped"));
  g_assert_true (g_file_get_contents (keep, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "KEEP\n");
  /* No temporary file left behind. */
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  g_unlink (keep);
  g_rmdir (dir);
  destroy_window (window);
}

/* ---- screenshot ---- */

static void
save_screenshot (EtwsWindow *window,
                 const char *name)
{
  g_autofree char *png = artifact_path (name);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (GTK_WIDGET (window));
  int h = gtk_widget_get_height (GTK_WIDGET (window));

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("screenshot: %s", png);
}

/* A filter in use, with a chip and a highlight rule, saved as a PNG. */
static void
test_screenshot (void)
{
  EtwsWindow *window = open_fixture ();
  EtwsFilterBar *bar = filter_bar (window);
  EtwsEventView *view = etws_window_get_event_view (window);
  const char *process[] = { "PerfView.exe", NULL };
  g_autoptr(GError) error = NULL;

  etws_filter_bar_set_expression (bar, "operation in {\"CreateFile\", \"Load Image\", \"DiskRead\"}");
  etws_quick_filters_set_values (etws_filter_bar_get_quick_filters (bar), ETWS_QUICK_PROCESS, process);
  g_assert_true (etws_highlight_rules_add (etws_filter_bar_get_highlight_rules (bar),
                                           "path contains \"DfsClient\"", &error));
  g_assert_true (etws_highlight_rules_add (etws_filter_bar_get_highlight_rules (bar),
                                           "operation == \"Load Image\"", &error));
  wait_filtered (window);
  g_assert_cmpuint (list_rows (window), >, 0);
  etws_event_view_select (view, 12);
  for (int i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_screenshot (window, "etwscope-filter.png");
  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("test-filter-ui: no display (run under xvfb-run); skipped\n");
      return 77;
    }
  gtk_test_init (&argc, &argv, NULL);
  etws_ui_init ();

  g_test_add_func ("/filter-ui/typing", test_typing);
  g_test_add_func ("/filter-ui/filter-while-loading", test_filter_while_loading);
  g_test_add_func ("/filter-ui/invalid", test_invalid);
  g_test_add_func ("/filter-ui/cell-menu", test_cell_menu);
  g_test_add_func ("/filter-ui/quick-filters", test_quick_filters);
  g_test_add_func ("/filter-ui/find", test_find);
  g_test_add_func ("/filter-ui/export-selection", test_export_selection);
  g_test_add_func ("/filter-ui/export-errors", test_export_errors);
  g_test_add_func ("/filter-ui/screenshot", test_screenshot);
  return g_test_run ();
}
