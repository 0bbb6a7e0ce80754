/* etws-find-bar.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-find-bar"

#include "config.h"

#include "etws-find-bar.h"

#include "etws-filter.h"

/* Main-thread time per search step: well under a frame. */
#define SLICE_US 6000

struct _EtwsFindBar
{
  GtkWidget          parent_instance;

  GtkSearchEntry    *entry;
  GtkDropDown       *mode;
  GtkButton         *previous_button;
  GtkButton         *next_button;
  GtkLabel          *status;

  EtwsWindow        *window;  /* not owned; it owns us */

  /* The compiled search, kept while text, mode and store stay. */
  char              *key;
  EtwsFilter        *filter;
  EtwsFilterMatcher *matcher;
  EtwsStore         *store;

  /* A search in progress. */
  guint              source;
  guint              pos;
  guint              start;
  guint              tested;
  gboolean           backwards;
  gboolean           wrapped;   /* the search went past the end (or start) */
  gint64             started;
};

G_DEFINE_FINAL_TYPE (EtwsFindBar, etws_find_bar, GTK_TYPE_WIDGET)

enum
{
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
etws_find_text_expression (const char *text)
{
  g_autofree char *q = NULL;
  guint64 number;
  GString *out;

  if (text == NULL || *text == '\0')
    return NULL;
  q = etws_filter_quote_string (text);
  out = g_string_new (NULL);
  g_string_append_printf (out, "process contains %s || path contains %s || event contains %s || "
                          "provider contains %s || operation contains %s || "
                          "result contains %s || detail contains %s", q, q, q, q, q, q, q);
  /* A number is also a PID or TID, as the columns show it. */
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &number, NULL))
    g_string_append_printf (out, " || pid == %s || tid == %s", text, text);
  else if (g_strcmp0 (text, "-1") == 0)
    g_string_append (out, " || pid == 0xffffffff || tid == 0xffffffff");
  return g_string_free (out, FALSE);
}

static void
set_status (EtwsFindBar *self,
            const char  *text)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
}

static void
clear_search (EtwsFindBar *self)
{
  g_clear_handle_id (&self->source, g_source_remove);
}

static void
clear_compiled (EtwsFindBar *self)
{
  clear_search (self);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->matcher, etws_filter_matcher_free);
  g_clear_pointer (&self->filter, etws_filter_unref);
  g_clear_object (&self->store);
}

static void
done (EtwsFindBar *self,
      guint        position)
{
  if (self->started != 0)
    g_debug ("“%s”: %u rows tested in %.1f ms", self->key, self->tested,
             (g_get_monotonic_time () - self->started) / 1000.0);
  self->started = 0;
  clear_search (self);
  g_signal_emit (self, signals[DONE], 0, position);
}

/* The matcher for the entry's text and mode and the window's store; FALSE
 * (with the problem in the status line) when there is nothing to search. */
static gboolean
compile (EtwsFindBar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  EtwsFindMode mode = etws_find_bar_get_mode (self);
  EtwsStore *store = self->window != NULL ? etws_window_get_store (self->window) : NULL;
  g_autofree char *key = g_strdup_printf ("%d:%s", mode, text);
  g_autofree char *expression = NULL;
  g_autoptr(GError) error = NULL;

  if (store != NULL && store == self->store && g_strcmp0 (key, self->key) == 0)
    return self->matcher != NULL;
  clear_compiled (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry), NULL);
  if (store == NULL || *text == '\0')
    {
      set_status (self, NULL);
      return FALSE;
    }
  self->key = g_steal_pointer (&key);
  self->store = g_object_ref (store);
  expression = mode == ETWS_FIND_TEXT ? etws_find_text_expression (text) : g_strdup (text);
  self->filter = etws_filter_new (expression, &error);
  if (self->filter == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry), error->message);
      set_status (self, error->message);
      return FALSE;
    }
  self->matcher = etws_filter_matcher_new (self->filter, store);
  /* A search starts anywhere and may run backwards; `detail` is the text
   * the Detail column shows. */
  etws_filter_matcher_set_replay (self->matcher, FALSE);
  return TRUE;
}

static gboolean
step_cb (gpointer data)
{
  EtwsFindBar *self = data;
  EtwsEventModel *model = etws_window_get_model (self->window);
  guint n = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
  gint64 until = g_get_monotonic_time () + SLICE_US;
  g_autofree char *progress = NULL;

  if (n == 0)
    {
      self->source = 0;
      set_status (self, "No rows");
      done (self, GTK_INVALID_LIST_POSITION);
      return G_SOURCE_REMOVE;
    }
  while (self->tested < n)
    {
      guint pos = self->pos % n;
      guint64 index = etws_event_model_get_store_index (model, pos);

      self->tested++;
      if (index != G_MAXUINT64 && etws_filter_matcher_match (self->matcher, index))
        {
          EtwsEventView *view = etws_window_get_event_view (self->window);

          self->source = 0;
          etws_event_view_select (view, pos);
          etws_event_view_scroll_to (view, pos);
          set_status (self, self->wrapped ? (self->backwards ? "Wrapped to the bottom"
                                                             : "Wrapped to the top")
                                          : NULL);
          done (self, pos);
          return G_SOURCE_REMOVE;
        }
      if (self->backwards ? pos == 0 : pos == n - 1)
        self->wrapped = TRUE;
      self->pos = self->backwards ? (pos == 0 ? n - 1 : pos - 1) : (pos + 1) % n;
      if ((self->tested & 255) == 0 && g_get_monotonic_time () >= until)
        break;
    }
  if (self->tested >= n)
    {
      self->source = 0;
      set_status (self, "No match");
      done (self, GTK_INVALID_LIST_POSITION);
      return G_SOURCE_REMOVE;
    }
  progress = g_strdup_printf ("Searching… %u%%", (guint) (100.0 * self->tested / n));
  set_status (self, progress);
  return G_SOURCE_CONTINUE;
}

/* from_current: test the current row too (the text changed, as in a
 * browser's find-as-you-type); else start next to it. */
static void
start (EtwsFindBar *self,
       gboolean     backwards,
       gboolean     from_current)
{
  EtwsEventModel *model;
  EtwsEventView *view;
  guint64 index;
  guint n, current = GTK_INVALID_LIST_POSITION;

  clear_search (self);
  self->started = 0;
  if (!compile (self))
    {
      done (self, GTK_INVALID_LIST_POSITION);
      return;
    }
  model = etws_window_get_model (self->window);
  view = etws_window_get_event_view (self->window);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  if ((index = etws_event_view_get_selected_index (view)) != G_MAXUINT64)
    current = etws_event_model_find_store_index (model, index);

  self->wrapped = FALSE;
  if (current == GTK_INVALID_LIST_POSITION || current >= n)
    self->start = backwards ? (n > 0 ? n - 1 : 0) : 0;
  else if (from_current)
    self->start = current;
  else if (backwards)
    {
      self->wrapped = current == 0;
      self->start = current == 0 ? (n > 0 ? n - 1 : 0) : current - 1;
    }
  else
    {
      self->wrapped = current + 1 >= n;
      self->start = n > 0 ? (current + 1) % n : 0;
    }
  self->pos = self->start;
  self->tested = 0;
  self->started = g_get_monotonic_time ();
  self->backwards = backwards;
  /* Short searches finish at once; long ones go on in slices. */
  if (step_cb (self) == G_SOURCE_CONTINUE)
    self->source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, step_cb, self, NULL);
}

/* ---- signals ---- */

static void
search_changed_cb (GtkSearchEntry *entry,
                   EtwsFindBar    *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (entry)) == '\0')
    {
      clear_compiled (self);
      set_status (self, NULL);
      return;
    }
  start (self, FALSE, TRUE);
}

static void
activate_cb (GtkSearchEntry *entry,
             EtwsFindBar    *self)
{
  start (self, FALSE, FALSE);
}

static void
next_match_cb (GtkSearchEntry *entry,
               EtwsFindBar    *self)
{
  start (self, FALSE, FALSE);
}

static void
previous_match_cb (GtkSearchEntry *entry,
                   EtwsFindBar    *self)
{
  start (self, TRUE, FALSE);
}

static void
next_clicked_cb (GtkButton   *button,
                 EtwsFindBar *self)
{
  start (self, FALSE, FALSE);
}

static void
previous_clicked_cb (GtkButton   *button,
                     EtwsFindBar *self)
{
  start (self, TRUE, FALSE);
}

static void
mode_changed_cb (GtkDropDown *mode,
                 GParamSpec  *pspec,
                 EtwsFindBar *self)
{
  clear_compiled (self);
  set_status (self, NULL);
  g_object_set (self->entry, "placeholder-text",
                etws_find_bar_get_mode (self) == ETWS_FIND_TEXT
                  ? "Find in the filtered rows"
                  : "Find rows that match, e.g. result != \"SUCCESS\"",
                NULL);
}

static void
hide (EtwsFindBar *self)
{
  GtkWidget *revealer = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_REVEALER);

  clear_search (self);
  if (revealer != NULL)
    gtk_revealer_set_reveal_child (GTK_REVEALER (revealer), FALSE);
  if (self->window != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (etws_window_get_event_view (self->window)));
}

static void
stop_search_cb (GtkSearchEntry *entry,
                EtwsFindBar    *self)
{
  /* Escape stops a long search first, then closes. */
  if (self->source != 0)
    {
      clear_search (self);
      set_status (self, "Stopped");
      return;
    }
  hide (self);
}

static void
close_clicked_cb (GtkButton   *button,
                  EtwsFindBar *self)
{
  hide (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                EtwsFindBar           *self)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_SHIFT_MASK))
    {
      start (self, TRUE, FALSE);
      return TRUE;
    }
  return FALSE;
}

static void
session_changed_cb (EtwsWindow  *window,
                    EtwsFindBar *self)
{
  clear_compiled (self);
  set_status (self, NULL);
}

/* ---- API ---- */

void
etws_find_bar_set_window (EtwsFindBar *self,
                          EtwsWindow  *window)
{
  g_return_if_fail (ETWS_IS_FIND_BAR (self));
  g_return_if_fail (ETWS_IS_WINDOW (window));
  g_return_if_fail (self->window == NULL);

  self->window = window;
  g_signal_connect (window, "session-changed", G_CALLBACK (session_changed_cb), self);
}

void
etws_find_bar_focus (EtwsFindBar *self)
{
  g_return_if_fail (ETWS_IS_FIND_BAR (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

void
etws_find_bar_set_mode (EtwsFindBar  *self,
                        EtwsFindMode  mode)
{
  g_return_if_fail (ETWS_IS_FIND_BAR (self));
  gtk_drop_down_set_selected (self->mode, mode == ETWS_FIND_EXPRESSION ? 1 : 0);
}

EtwsFindMode
etws_find_bar_get_mode (EtwsFindBar *self)
{
  g_return_val_if_fail (ETWS_IS_FIND_BAR (self), ETWS_FIND_TEXT);
  return gtk_drop_down_get_selected (self->mode) == 1 ? ETWS_FIND_EXPRESSION : ETWS_FIND_TEXT;
}

void
etws_find_bar_set_text (EtwsFindBar *self,
                        const char  *text)
{
  g_return_if_fail (ETWS_IS_FIND_BAR (self));
  g_signal_handlers_block_by_func (self->entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->entry, search_changed_cb, self);
}

void
etws_find_bar_find (EtwsFindBar *self,
                    gboolean     backwards)
{
  g_return_if_fail (ETWS_IS_FIND_BAR (self));
  start (self, backwards, FALSE);
}

gboolean
etws_find_bar_is_busy (EtwsFindBar *self)
{
  g_return_val_if_fail (ETWS_IS_FIND_BAR (self), FALSE);
  return self->source != 0;
}

const char *
etws_find_bar_get_status (EtwsFindBar *self)
{
  g_return_val_if_fail (ETWS_IS_FIND_BAR (self), NULL);
  return gtk_label_get_text (self->status);
}

/* ---- GObject ---- */

static void
etws_find_bar_dispose (GObject *object)
{
  EtwsFindBar *self = ETWS_FIND_BAR (object);
  GtkWidget *child;

  clear_compiled (self);
  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->window, self);
      self->window = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_FIND_BAR);
  /* Unnamed template children are not unparented by the above. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (etws_find_bar_parent_class)->dispose (object);
}

static void
etws_find_bar_class_init (EtwsFindBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_find_bar_dispose;

  /* A search ended: the position found and selected, or
   * GTK_INVALID_LIST_POSITION. */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-find-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsFindBar, entry);
  gtk_widget_class_bind_template_child (widget_class, EtwsFindBar, mode);
  gtk_widget_class_bind_template_child (widget_class, EtwsFindBar, previous_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsFindBar, next_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsFindBar, status);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, mode_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "findbar");
}

static void
etws_find_bar_init (EtwsFindBar *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), controller);
}

GtkWidget *
etws_find_bar_new (void)
{
  return g_object_new (ETWS_TYPE_FIND_BAR, NULL);
}
