/* etws-filter-bar.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-filter-bar"

#include "config.h"

#include "etws-filter-bar.h"

#include "etws-filter-runner.h"
#include "etws-ui.h"

#include <string.h>

/* Typing pauses this long before the view is filtered: long enough not to
 * start an evaluation per keystroke, short enough to feel immediate. */
#define DEBOUNCE_MS        300
/* Evaluations shorter than this show no progress (no flicker). */
#define PROGRESS_DELAY_MS  150
#define HISTORY_MAX        20
#define HISTORY_KEY        "filter-history"

typedef enum
{
  CHIP_CLAUSE,
  CHIP_QUICK,
  CHIP_HIGHLIGHT,
} ChipKind;

struct _EtwsFilterBar
{
  GtkWidget           parent_instance;

  /* Template widgets. */
  GtkMenuButton      *history_button;
  GtkPopover         *history_popover;
  GtkLabel           *history_empty;
  GtkListBox         *history_list;
  GtkButton          *history_clear;
  GtkEntry           *entry;
  EtwsQuickFilters   *quick_filters;
  GtkMenuButton      *highlight_button;
  GtkPopover         *highlight_popover;
  GtkEntry           *highlight_entry;
  GtkLabel           *highlight_error;
  GtkBox             *chip_row;
  GtkFlowBox         *chip_box;

  EtwsWindow         *window;       /* not owned; it owns us */
  gulong              session_handler;
  GSimpleActionGroup *actions;
  GSettings          *settings;
  GPtrArray          *history;      /* NULL-terminated, most recent first */

  /* The session the view belongs to. */
  EtwsStore          *store;
  EtwsEventModel     *model;
  EtwsFilterRunner   *runner;

  /* What the view is filtered by. */
  char               *expression;   /* the entry's last valid text */
  GPtrArray          *clauses;      /* Include/Exclude clauses (chips) */
  char               *filter_text;  /* all of it joined */
  EtwsFilter         *filter;
  char               *error;        /* the entry's problem, or NULL */

  EtwsHighlightRules *highlights;

  gint64              started;      /* when the running evaluation began */
  guint               debounce_source;
  guint               progress_source;
  gboolean            show_progress;
  gboolean            busy;
  gboolean            setting_text;
};

G_DEFINE_FINAL_TYPE (EtwsFilterBar, etws_filter_bar, GTK_TYPE_WIDGET)

enum
{
  APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild_chips (EtwsFilterBar *self);

/* ---- applying ---- */

static char *
join_filter_text (EtwsFilterBar *self)
{
  g_autofree char *text = g_strdup (self->expression != NULL ? self->expression : "");

  for (guint i = 0; i < self->clauses->len; i++)
    {
      char *joined = etws_filter_combine (text, g_ptr_array_index (self->clauses, i));
      g_free (text);
      text = joined;
    }
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      g_autofree char *clause = etws_quick_filters_dup_clause (self->quick_filters, k);
      if (clause != NULL)
        {
          char *joined = etws_filter_combine (text, clause);
          g_free (text);
          text = joined;
        }
    }
  return g_steal_pointer (&text);
}

static void
stop_progress (EtwsFilterBar *self)
{
  g_clear_handle_id (&self->progress_source, g_source_remove);
  self->show_progress = FALSE;
  gtk_entry_set_progress_fraction (self->entry, 0);
}

static void
finish (EtwsFilterBar *self)
{
  stop_progress (self);
  self->busy = FALSE;
  g_signal_emit (self, signals[APPLIED], 0);
}

static gboolean
progress_timeout_cb (gpointer data)
{
  EtwsFilterBar *self = data;

  self->progress_source = 0;
  self->show_progress = TRUE;
  if (self->runner != NULL)
    gtk_entry_set_progress_fraction (self->entry,
                                     MAX (0.02, etws_filter_runner_get_progress (self->runner)));
  return G_SOURCE_REMOVE;
}

static void
runner_progress_cb (EtwsFilterRunner *runner,
                    GParamSpec       *pspec,
                    EtwsFilterBar    *self)
{
  if (self->show_progress && etws_filter_runner_is_running (runner))
    gtk_entry_set_progress_fraction (self->entry,
                                     MAX (0.02, etws_filter_runner_get_progress (runner)));
}

static void
runner_finished_cb (EtwsFilterRunner *runner,
                    GArray           *rows,
                    EtwsFilterBar    *self)
{
  EtwsEventView *view = etws_window_get_event_view (self->window);
  guint64 keep = etws_event_view_get_selected_index (view);
  gint64 evaluated = g_get_monotonic_time ();

  etws_event_model_set_view (self->model, rows != NULL ? g_array_ref (rows) : NULL);
  /* New rows of a file still loading or of a live capture join the view
   * when they match. */
  if (rows != NULL && self->filter != NULL)
    etws_event_model_set_row_filter (self->model, etws_filter_matcher_predicate,
                                     etws_filter_matcher_new (self->filter, self->store),
                                     (GDestroyNotify) etws_filter_matcher_free);
  else
    etws_event_model_set_row_filter (self->model, NULL, NULL, NULL);

  /* The row the user was looking at stays selected if it is still shown. */
  if (keep != G_MAXUINT64)
    {
      guint pos = etws_event_model_find_store_index (self->model, keep);

      if (pos != G_MAXUINT)
        {
          etws_event_view_select (view, pos);
          etws_event_view_scroll_to (view, pos);
        }
    }
  g_debug ("“%s”: %u of %" G_GUINT64_FORMAT " rows; evaluated in %.1f ms, view replaced in %.1f ms",
           self->filter_text, rows != NULL ? rows->len : 0, etws_store_get_n_rows (self->store),
           (evaluated - self->started) / 1000.0, (g_get_monotonic_time () - evaluated) / 1000.0);
  finish (self);
}

static void
run (EtwsFilterBar *self)
{
  if (self->runner == NULL)
    {
      finish (self);
      return;
    }
  self->busy = TRUE;
  self->started = g_get_monotonic_time ();
  stop_progress (self);
  self->progress_source = g_timeout_add (PROGRESS_DELAY_MS, progress_timeout_cb, self);
  etws_filter_runner_set_filter (self->runner, self->filter);
}

/* Joins everything and filters the view, unless that is what it shows. */
static void
refilter (EtwsFilterBar *self)
{
  g_autofree char *text = join_filter_text (self);
  g_autoptr(GError) error = NULL;
  EtwsFilter *filter;

  g_clear_handle_id (&self->debounce_source, g_source_remove);
  if (self->filter != NULL && g_strcmp0 (text, self->filter_text) == 0)
    {
      if (self->runner == NULL || !etws_filter_runner_is_running (self->runner))
        finish (self);
      return;
    }
  filter = etws_filter_new (text, &error);
  if (filter == NULL)
    {
      /* Each part is valid on its own; together they can still exceed the
       * language's limits. */
      g_free (self->error);
      self->error = g_strdup (error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry), error->message);
      finish (self);
      return;
    }
  g_clear_pointer (&self->filter, etws_filter_unref);
  self->filter = filter;
  g_free (self->filter_text);
  self->filter_text = g_steal_pointer (&text);
  rebuild_chips (self);
  run (self);
}

static gboolean
debounce_cb (gpointer data)
{
  EtwsFilterBar *self = data;

  self->debounce_source = 0;
  refilter (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refilter (EtwsFilterBar *self,
                   guint          delay_ms)
{
  self->busy = TRUE;
  g_clear_handle_id (&self->debounce_source, g_source_remove);
  self->debounce_source = g_timeout_add (delay_ms, debounce_cb, self);
}

/* ---- the entry ---- */

static void
clear_error (EtwsFilterBar *self)
{
  g_clear_pointer (&self->error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry), NULL);
  gtk_entry_set_attributes (self->entry, NULL);
}

/* Red entry, the faulty part underlined, and a tooltip that names the
 * problem and points at it under the expression. */
static void
show_error (EtwsFilterBar *self,
            const char    *text,
            const GError  *error)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *message = g_markup_escape_text (error->message, -1);
  g_autofree char *line = NULL;
  guint offset = 0, length = 0, column = 0;
  gsize text_len = strlen (text);

  g_free (self->error);
  self->error = g_strdup (error->message);
  gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  g_string_append (markup, message);

  if (etws_filter_error_get_span (error, &offset, &length, &column) && column > 0)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      g_autoptr(GString) caret = g_string_new (NULL);
      guint start = MIN (offset, (guint) text_len);
      guint end = MIN (offset + MAX (length, 1u), (guint) text_len);
      PangoAttribute *attr;

      if (end > start)
        {
          attr = pango_attr_underline_new (PANGO_UNDERLINE_ERROR);
          attr->start_index = start;
          attr->end_index = end;
          pango_attr_list_insert (attrs, attr);
          attr = pango_attr_underline_color_new (0xe000, 0x1b00, 0x2400);
          attr->start_index = start;
          attr->end_index = end;
          pango_attr_list_insert (attrs, attr);
        }
      gtk_entry_set_attributes (self->entry, attrs);

      /* Long expressions: show the part around the problem. */
      if (text_len <= 120)
        {
          line = g_markup_escape_text (text, -1);
          for (guint i = 1; i < column; i++)
            g_string_append_c (caret, ' ');
          g_string_append_c (caret, '^');
          for (glong i = 1; i < g_utf8_strlen (text + start, end - start); i++)
            g_string_append_c (caret, '~');
          g_string_append_printf (markup, "\n<tt>%s\n%s</tt>", line, caret->str);
        }
    }
  else
    gtk_entry_set_attributes (self->entry, NULL);
  gtk_widget_set_tooltip_markup (GTK_WIDGET (self->entry), markup->str);
}

/* TRUE when the entry's text is a valid expression (also stored as the
 * one to apply). */
static gboolean
check_entry (EtwsFilterBar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilter) filter = etws_filter_new (text, &error);

  gtk_entry_set_icon_from_icon_name (self->entry, GTK_ENTRY_ICON_SECONDARY,
                                     *text != '\0' ? "edit-clear-symbolic" : NULL);
  if (filter == NULL)
    {
      show_error (self, text, error);
      return FALSE;
    }
  clear_error (self);
  g_free (self->expression);
  self->expression = g_strdup (text);
  return TRUE;
}

static void
entry_changed_cb (GtkEntry      *entry,
                  EtwsFilterBar *self)
{
  if (self->setting_text)
    return;
  if (check_entry (self))
    {
      schedule_refilter (self, DEBOUNCE_MS);
      return;
    }
  /* An invalid expression leaves the view as it is, and so does a valid
   * one the user typed past before it was applied. */
  g_clear_handle_id (&self->debounce_source, g_source_remove);
  self->busy = self->runner != NULL && etws_filter_runner_is_running (self->runner);
}

static void
history_add (EtwsFilterBar *self,
             const char    *text);

static void
entry_activate_cb (GtkEntry      *entry,
                   EtwsFilterBar *self)
{
  if (!check_entry (self))
    {
      gtk_widget_error_bell (GTK_WIDGET (entry));
      return;
    }
  history_add (self, self->expression);
  refilter (self);
}

static void
entry_icon_release_cb (GtkEntry             *entry,
                       GtkEntryIconPosition  position,
                       EtwsFilterBar        *self)
{
  if (position == GTK_ENTRY_ICON_SECONDARY)
    etws_filter_bar_set_expression (self, "");
}

static void
entry_focus_leave_cb (GtkEventControllerFocus *controller,
                      EtwsFilterBar           *self)
{
  /* A filter the user typed and left in place is worth remembering. */
  if (self->error == NULL && self->expression != NULL && *self->expression != '\0')
    history_add (self, self->expression);
}

/* ---- history ---- */

static void
fill_history (EtwsFilterBar *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
    gtk_list_box_remove (self->history_list, child);
  for (guint i = 0; i < self->history->len; i++)
    {
      const char *text = g_ptr_array_index (self->history, i);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
      gtk_widget_set_tooltip_text (label, text);
      gtk_widget_add_css_class (label, "monospace");
      gtk_list_box_append (self->history_list, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->history_empty), self->history->len == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->history_clear), self->history->len > 0);
}

static void
save_history (EtwsFilterBar *self)
{
  if (self->settings != NULL)
    g_settings_set_strv (self->settings, HISTORY_KEY, (const char * const *) self->history->pdata);
  fill_history (self);
}

static void
history_add (EtwsFilterBar *self,
             const char    *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (self->history->len > 0 && g_strcmp0 (g_ptr_array_index (self->history, 0), text) == 0)
    return;
  for (guint i = 0; i < self->history->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->history, i), text) == 0)
      {
        g_ptr_array_remove_index (self->history, i);
        break;
      }
  g_ptr_array_insert (self->history, 0, g_strdup (text));
  while (self->history->len > HISTORY_MAX)
    g_ptr_array_remove_index (self->history, self->history->len - 1);
  save_history (self);
}

static void
history_row_activated_cb (GtkListBox    *list,
                          GtkListBoxRow *row,
                          EtwsFilterBar *self)
{
  int i = gtk_list_box_row_get_index (row);
  g_autofree char *text = NULL;

  if (i < 0 || (guint) i >= self->history->len)
    return;
  text = g_strdup (g_ptr_array_index (self->history, i));
  gtk_popover_popdown (self->history_popover);
  etws_filter_bar_set_expression (self, text);
  history_add (self, text);
}

static void
history_clear_cb (GtkButton     *button,
                  EtwsFilterBar *self)
{
  g_ptr_array_set_size (self->history, 0);
  save_history (self);
}

/* ---- chips ---- */

static void remove_source (EtwsFilterBar *self,
                           guint          source);

static void
chip_remove_clicked_cb (GtkButton     *button,
                        EtwsFilterBar *self)
{
  remove_source (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "chip")));
}

static void
add_chip (EtwsFilterBar *self,
          guint          index,
          const char    *label,
          const char    *tooltip,
          const char    *color_class)
{
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  GtkWidget *text = gtk_label_new (label);
  GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_autofree char *remove_tip = g_strdup_printf ("Remove “%s”", label);

  gtk_widget_add_css_class (chip, "chip");
  if (color_class != NULL)
    {
      gtk_widget_add_css_class (chip, "chip-highlight");
      gtk_widget_add_css_class (chip, color_class);
    }
  gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 48);
  gtk_widget_set_tooltip_text (text, tooltip);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_tooltip_text (remove, remove_tip);
  g_object_set_data (G_OBJECT (remove), "chip", GUINT_TO_POINTER (index));
  g_signal_connect (remove, "clicked", G_CALLBACK (chip_remove_clicked_cb), self);
  gtk_box_append (GTK_BOX (chip), text);
  gtk_box_append (GTK_BOX (chip), remove);
  g_object_set_data_full (G_OBJECT (chip), "label", g_strdup (label), g_free);
  g_object_set_data (G_OBJECT (chip), "chip", GUINT_TO_POINTER (index));
  gtk_flow_box_append (self->chip_box, chip);
}

/* Chips in order: the Include/Exclude clauses, the quick filters, the
 * highlight rules. */
static void
rebuild_chips (EtwsFilterBar *self)
{
  GtkWidget *child;
  guint index = 0;
  guint n_rules = etws_highlight_rules_get_n_rules (self->highlights);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chip_box))) != NULL)
    gtk_flow_box_remove (self->chip_box, child);
  for (guint i = 0; i < self->clauses->len; i++)
    {
      const char *clause = g_ptr_array_index (self->clauses, i);
      add_chip (self, index++, clause, clause, NULL);
    }
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      g_autofree char *label = etws_quick_filters_dup_label (self->quick_filters, k);
      g_autofree char *clause = etws_quick_filters_dup_clause (self->quick_filters, k);

      if (label != NULL)
        add_chip (self, index, label, clause, NULL);
      index++;
    }
  for (guint i = 0; i < n_rules; i++)
    {
      const char *expression = etws_highlight_rules_get_expression (self->highlights, i);
      g_autofree char *tip = g_strdup_printf ("Highlighted: %s", expression);

      add_chip (self, index++, expression, tip,
                etws_highlight_color_class (etws_highlight_rules_get_color (self->highlights, i)));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->chip_row),
                          gtk_widget_get_first_child (GTK_WIDGET (self->chip_box)) != NULL);
}

/* source: the clause, quick filter or rule a chip shows, numbered as
 * rebuild_chips() counts them (quick filters have a number each, shown or
 * not). */
static void
remove_source (EtwsFilterBar *self,
               guint          i)
{
  if (i < self->clauses->len)
    {
      g_ptr_array_remove_index (self->clauses, i);
      refilter (self);
      rebuild_chips (self);
      return;
    }
  i -= self->clauses->len;
  if (i < ETWS_QUICK_N_KINDS)
    {
      /* "changed" refilters. */
      etws_quick_filters_clear (self->quick_filters, i);
      return;
    }
  i -= ETWS_QUICK_N_KINDS;
  if (i < etws_highlight_rules_get_n_rules (self->highlights))
    etws_highlight_rules_remove (self->highlights, i);
}

void
etws_filter_bar_remove_chip (EtwsFilterBar *self,
                             guint          i)
{
  GtkWidget *child;

  g_return_if_fail (ETWS_IS_FILTER_BAR (self));

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->chip_box));
       child != NULL && i > 0;
       child = gtk_widget_get_next_sibling (child))
    i--;
  g_return_if_fail (child != NULL);
  child = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
  remove_source (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "chip")));
}

char **
etws_filter_bar_dup_chip_labels (EtwsFilterBar *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chip_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *chip = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      g_strv_builder_add (b, g_object_get_data (G_OBJECT (chip), "label"));
    }
  return g_strv_builder_end (b);
}

static void
quick_filters_changed_cb (EtwsQuickFilters *quick,
                          EtwsFilterBar    *self)
{
  rebuild_chips (self);
  refilter (self);
}

/* ---- highlight rules ---- */

static void
highlights_changed_cb (EtwsHighlightRules *rules,
                       EtwsFilterBar      *self)
{
  rebuild_chips (self);
  if (self->window != NULL)
    etws_event_view_restyle (etws_window_get_event_view (self->window));
}

static void
highlight_changed_cb (GtkEntry      *entry,
                      EtwsFilterBar *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->highlight_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

static void
highlight_activate_cb (GtkEntry      *entry,
                       EtwsFilterBar *self)
{
  g_autoptr(GError) error = NULL;

  if (!etws_highlight_rules_add (self->highlights, gtk_editable_get_text (GTK_EDITABLE (entry)),
                                 &error))
    {
      gtk_label_set_text (self->highlight_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->highlight_error), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_popover_popdown (self->highlight_popover);
}

static void
highlight_add_clicked_cb (GtkButton     *button,
                          EtwsFilterBar *self)
{
  highlight_activate_cb (self->highlight_entry, self);
}

/* ---- actions ---- */

static void
include_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       data)
{
  g_autoptr(GError) error = NULL;

  if (!etws_filter_bar_add_clause (data, g_variant_get_string (parameter, NULL), &error))
    g_warning ("%s", error->message);
}

static void
highlight_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       data)
{
  EtwsFilterBar *self = data;
  g_autoptr(GError) error = NULL;

  if (!etws_highlight_rules_add (self->highlights, g_variant_get_string (parameter, NULL), &error) &&
      self->window != NULL)
    etws_window_show_banner (self->window, GTK_MESSAGE_INFO, error->message);
}

static void
clear_all_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       data)
{
  etws_filter_bar_clear_all (data);
}

static void
focus_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       data)
{
  EtwsFilterBar *self = data;

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static const GActionEntry filter_actions[] = {
  { "include", include_action_cb, "s" },
  { "exclude", include_action_cb, "s" },
  { "highlight", highlight_action_cb, "s" },
  { "clear-all", clear_all_action_cb },
  { "focus", focus_action_cb },
};

static gboolean
focus_shortcut_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   data)
{
  EtwsFilterBar *self = ETWS_FILTER_BAR (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  return TRUE;
}

/* ---- sessions ---- */

static void
drop_session (EtwsFilterBar *self)
{
  if (self->runner != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->runner, self);
      etws_filter_runner_cancel (self->runner);
    }
  g_clear_object (&self->runner);
  g_clear_object (&self->model);
  g_clear_object (&self->store);
}

static void
session_changed_cb (EtwsWindow    *window,
                    EtwsFilterBar *self)
{
  drop_session (self);
  self->store = etws_window_get_store (window);
  self->model = etws_window_get_model (window);
  if (self->store != NULL)
    {
      g_object_ref (self->store);
      g_object_ref (self->model);
      self->runner = etws_filter_runner_new (self->store);
      g_signal_connect (self->runner, "finished", G_CALLBACK (runner_finished_cb), self);
      g_signal_connect (self->runner, "notify::progress", G_CALLBACK (runner_progress_cb), self);
    }
  etws_quick_filters_set_store (self->quick_filters, self->store);
  etws_highlight_rules_set_store (self->highlights, self->store);
  /* The filter stays when another trace is opened (as in Wireshark). */
  if (self->filter != NULL && !etws_filter_matches_all (self->filter))
    run (self);
}

void
etws_filter_bar_set_window (EtwsFilterBar *self,
                            EtwsWindow    *window)
{
  g_return_if_fail (ETWS_IS_FILTER_BAR (self));
  g_return_if_fail (ETWS_IS_WINDOW (window));
  g_return_if_fail (self->window == NULL);

  self->window = window;
  self->session_handler = g_signal_connect (window, "session-changed",
                                            G_CALLBACK (session_changed_cb), self);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "filter", G_ACTION_GROUP (self->actions));
  etws_event_view_set_row_style_func (etws_window_get_event_view (window),
                                      etws_highlight_rules_style,
                                      g_object_ref (self->highlights), g_object_unref);
  if (etws_window_get_store (window) != NULL)
    session_changed_cb (window, self);
}

/* ---- API ---- */

GtkEntry *
etws_filter_bar_get_entry (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return self->entry;
}

EtwsQuickFilters *
etws_filter_bar_get_quick_filters (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return self->quick_filters;
}

EtwsHighlightRules *
etws_filter_bar_get_highlight_rules (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return self->highlights;
}

void
etws_filter_bar_set_expression (EtwsFilterBar *self,
                                const char    *expression)
{
  g_return_if_fail (ETWS_IS_FILTER_BAR (self));

  self->setting_text = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), expression != NULL ? expression : "");
  self->setting_text = FALSE;
  if (check_entry (self))
    refilter (self);
}

const char *
etws_filter_bar_get_error (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return self->error;
}

gboolean
etws_filter_bar_add_clause (EtwsFilterBar  *self,
                            const char     *clause,
                            GError        **error)
{
  g_autoptr(EtwsFilter) filter = NULL;

  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), FALSE);
  g_return_val_if_fail (clause != NULL, FALSE);

  filter = etws_filter_new (clause, error);
  if (filter == NULL)
    return FALSE;
  if (etws_filter_matches_all (filter))
    return TRUE;
  for (guint i = 0; i < self->clauses->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->clauses, i), clause) == 0)
      return TRUE;
  g_ptr_array_add (self->clauses, g_strdup (clause));
  refilter (self);
  rebuild_chips (self);
  return TRUE;
}

void
etws_filter_bar_clear_all (EtwsFilterBar *self)
{
  g_return_if_fail (ETWS_IS_FILTER_BAR (self));

  g_ptr_array_set_size (self->clauses, 0);
  g_signal_handlers_block_by_func (self->quick_filters, quick_filters_changed_cb, self);
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    etws_quick_filters_clear (self->quick_filters, k);
  g_signal_handlers_unblock_by_func (self->quick_filters, quick_filters_changed_cb, self);
  etws_highlight_rules_clear (self->highlights);
  etws_filter_bar_set_expression (self, "");
  rebuild_chips (self);
}

char *
etws_filter_bar_dup_filter_text (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return join_filter_text (self);
}

gboolean
etws_filter_bar_is_busy (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), FALSE);
  return self->busy || self->debounce_source != 0 ||
         (self->runner != NULL && etws_filter_runner_is_running (self->runner));
}

const char * const *
etws_filter_bar_get_history (EtwsFilterBar *self)
{
  g_return_val_if_fail (ETWS_IS_FILTER_BAR (self), NULL);
  return (const char * const *) self->history->pdata;
}

/* ---- GObject ---- */

static void
etws_filter_bar_dispose (GObject *object)
{
  EtwsFilterBar *self = ETWS_FILTER_BAR (object);
  GtkWidget *child;

  g_clear_handle_id (&self->debounce_source, g_source_remove);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  drop_session (self);
  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->session_handler, self->window);
      gtk_widget_insert_action_group (GTK_WIDGET (self->window), "filter", NULL);
      self->window = NULL;
    }
  if (self->highlights != NULL)
    g_signal_handlers_disconnect_by_data (self->highlights, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_FILTER_BAR);
  /* Unnamed template children are not unparented by the above. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->highlights);
  g_clear_object (&self->actions);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (etws_filter_bar_parent_class)->dispose (object);
}

static void
etws_filter_bar_finalize (GObject *object)
{
  EtwsFilterBar *self = ETWS_FILTER_BAR (object);

  g_clear_pointer (&self->filter, etws_filter_unref);
  g_free (self->expression);
  g_free (self->filter_text);
  g_free (self->error);
  g_ptr_array_unref (self->clauses);
  g_ptr_array_unref (self->history);
  G_OBJECT_CLASS (etws_filter_bar_parent_class)->finalize (object);
}

static void
etws_filter_bar_class_init (EtwsFilterBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_filter_bar_dispose;
  object_class->finalize = etws_filter_bar_finalize;

  /* The view shows the current filter's result. */
  signals[APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ETWS_TYPE_QUICK_FILTERS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-filter-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, history_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, history_popover);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, history_empty);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, history_list);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, history_clear);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, entry);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, quick_filters);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, highlight_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, highlight_popover);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, highlight_entry);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, highlight_error);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, chip_row);
  gtk_widget_class_bind_template_child (widget_class, EtwsFilterBar, chip_box);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_icon_release_cb);
  gtk_widget_class_bind_template_callback (widget_class, quick_filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_clear_cb);
  gtk_widget_class_bind_template_callback (widget_class, highlight_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, highlight_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, highlight_add_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filterbar");
}

static void
etws_filter_bar_init (EtwsFilterBar *self)
{
  GtkEventController *controller;
  GtkShortcut *shortcut;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->clauses = g_ptr_array_new_with_free_func (g_free);
  self->history = g_ptr_array_new_null_terminated (HISTORY_MAX, g_free, TRUE);
  self->highlights = etws_highlight_rules_new ();
  g_signal_connect (self->highlights, "changed", G_CALLBACK (highlights_changed_cb), self);

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), filter_actions,
                                   G_N_ELEMENTS (filter_actions), self);
  /* "Clear All" sits in this bar: its action must resolve here too. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "filter", G_ACTION_GROUP (self->actions));

  self->settings = etws_ui_settings_new ();
  if (self->settings != NULL)
    {
      g_auto(GStrv) saved = g_settings_get_strv (self->settings, HISTORY_KEY);

      for (guint i = 0; saved[i] != NULL && i < HISTORY_MAX; i++)
        g_ptr_array_add (self->history, g_strdup (saved[i]));
    }
  fill_history (self);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "leave", G_CALLBACK (entry_focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), controller);

  /* Ctrl+L, as a browser's address bar: anywhere in the window. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_l, GDK_CONTROL_MASK),
                               gtk_callback_action_new (focus_shortcut_cb, NULL, NULL));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
etws_filter_bar_new (void)
{
  return g_object_new (ETWS_TYPE_FILTER_BAR, NULL);
}
