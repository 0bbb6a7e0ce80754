/* etws-window.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-window"

#include "config.h"

#include "etws-window.h"

#include "etws-capture-controller.h"
#include "etws-export-dialog.h"
#include "etws-file-source.h"
#include "etws-filter-bar.h"
#include "etws-find-bar.h"
#include "etws-ui.h"
#include "etws-ui-private.h"

#include <string.h>

/* Status and progress refresh at most this often while rows pour in. */
#define STATUS_INTERVAL_MS 100
#define RECENT_MAX         10
/* Batches a live capture may queue (about 4 s at one batch per 16 ms). */
#define LIVE_MAX_QUEUED    256
/* A live capture keeps its newest rows (Process Monitor's history depth):
 * about 0.5 GB of columns plus the records. */
#define LIVE_MAX_ROWS      G_GUINT64_CONSTANT (10000000)
/* A live view takes new rows in ten times a second (Wireshark's default
 * update interval): each time costs GTK a relayout of the list, however
 * few the rows, and under a flood of events that relayout at every drain
 * took the main thread's whole share of the CPU. */
#define LIVE_ANNOUNCE_MS   100

struct _EtwsWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets. */
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  GtkMenuButton       *menu_button;
  GtkMenuButton       *capture_button;
  EtwsCapturePopover  *capture_popover;
  GtkInfoBar          *banner;
  GtkLabel            *banner_label;
  GtkBox              *filter_slot;
  GtkRevealer         *find_revealer;
  GtkBox              *find_slot;
  EtwsFilterBar       *filter_bar;
  EtwsFindBar         *find_bar;
  GtkStack            *main_stack;
  GtkPaned            *paned;
  EtwsEventView       *event_view;
  EtwsDetailPane      *detail_pane;
  GtkLabel            *status_label;
  GtkBox              *sorting_box;
  GtkBox              *progress_box;
  GtkProgressBar      *progress_bar;
  GtkButton           *stop_button;

  GSettings           *settings;
  GMenu               *recent_menu;
  gulong               recent_changed_id;
  EtwsCaptureController *capture;

  /* The session: one source, its worker, the store and the model. */
  EtwsSource          *source;
  EtwsWorker          *worker;
  EtwsStore           *store;
  EtwsEventModel      *model;
  GFile               *file;
  gboolean             live;
  int                  ui_priority;  /* etws_live_raise_thread_priority() token */
  gboolean             loading;
  GError              *damage;
  gint64               started;
  guint                status_source;
  gulong               map_handler;
  gboolean             banner_shown;
};

G_DEFINE_FINAL_TYPE (EtwsWindow, etws_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  SESSION_CHANGED,
  SESSION_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
append_count (GString    *out,
              const char *label,
              guint64     n)
{
  if (out->len > 0)
    g_string_append (out, "   ");
  g_string_append (out, label);
  g_string_append (out, ": ");
  etws_ui_append_count (out, n);
}

/* Rows = events − StackWalk records: every StackWalk record (opcodes
 * 32–38) is attached to the event it belongs to, or dropped, and never
 * becomes a row. */
static void
update_status (EtwsWindow *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (self->store != NULL)
    {
      append_count (s, "Events", etws_store_get_events_seen (self->store));
      append_count (s, "Rows", etws_store_get_n_rows (self->store));
      append_count (s, "Shown", etws_event_model_get_n_shown (self->model));
      append_count (s, "StackWalk records attached", etws_store_get_stack_walks (self->store));
      append_count (s, "Lost", etws_store_get_lost (self->store));
      append_count (s, "Dropped", etws_store_get_dropped (self->store));
    }
  gtk_label_set_text (self->status_label, s->str);

  if (self->worker != NULL && self->loading)
    {
      double progress = etws_worker_get_progress (self->worker);

      if (progress >= 0)
        gtk_progress_bar_set_fraction (self->progress_bar, progress);
      else
        gtk_progress_bar_pulse (self->progress_bar);
    }
}

static gboolean
status_timeout_cb (gpointer data)
{
  EtwsWindow *self = data;

  self->status_source = 0;
  update_status (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_status (EtwsWindow *self)
{
  if (self->status_source == 0)
    self->status_source = g_timeout_add (STATUS_INTERVAL_MS, status_timeout_cb, self);
}

void
etws_window_show_banner (EtwsWindow     *self,
                         GtkMessageType  type,
                         const char     *text)
{
  g_autofree char *flat = NULL;
  char *out;

  g_return_if_fail (ETWS_IS_WINDOW (self));

  /* One paragraph: GTK 4.8's GtkInfoBar mis-measures a wrapping label
   * with line breaks (a critical, and overlapping widgets). A line's
   * indentation goes with its break. */
  flat = out = g_strdup (text);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        {
          while (p[1] == ' ')
            p++;
          if (out > flat && out[-1] != ' ')
            *out++ = ' ';
        }
      else
        *out++ = *p;
    }
  *out = '\0';

  gtk_info_bar_set_message_type (self->banner, type);
  gtk_label_set_text (self->banner_label, flat);
  gtk_info_bar_set_revealed (self->banner, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner), TRUE);
  self->banner_shown = TRUE;
}

static void
hide_banner (EtwsWindow *self)
{
  gtk_info_bar_set_revealed (self->banner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner), FALSE);
  self->banner_shown = FALSE;
}

const char *
etws_window_get_banner_text (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->banner_shown ? gtk_label_get_text (self->banner_label) : NULL;
}

const char *
etws_window_get_status_text (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

static const char *
session_name (EtwsWindow *self)
{
  return self->live ? "The live capture" : "The file";
}

/* Messages from the reader start with the file's name; the banner names
 * the file already. */
static const char *
without_name (const char *message,
              const char *name)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len > 0 && strncmp (message, name, len) == 0 && strncmp (message + len, ": ", 2) == 0)
    return message + len + 2;
  return message;
}

static void
show_damage (EtwsWindow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *name = self->file != NULL ? g_file_get_basename (self->file) : NULL;
  guint64 rows = self->store != NULL ? etws_store_get_n_rows (self->store) : 0;

  text = g_strdup_printf ("%s%s%s is damaged: %s. The %" G_GUINT64_FORMAT " rows before the "
                          "damage are shown.",
                          name != NULL ? "“" : "", name != NULL ? name : session_name (self),
                          name != NULL ? "”" : "", without_name (self->damage->message, name),
                          rows);
  etws_window_show_banner (self, GTK_MESSAGE_WARNING, text);
}

static void
damage_cb (EtwsWorker   *worker,
           const GError *error,
           EtwsWindow   *self)
{
  g_clear_error (&self->damage);
  self->damage = g_error_copy (error);
  show_damage (self);
}

static void
notice_cb (EtwsWorker *worker,
           const char *notice,
           EtwsWindow *self)
{
  etws_window_show_banner (self, GTK_MESSAGE_INFO, notice);
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             EtwsWindow   *self)
{
  self->loading = FALSE;
  etws_live_restore_thread_priority (self->ui_priority);
  self->ui_priority = ETWS_LIVE_NO_PRIORITY;
  etws_event_view_flush (self->event_view);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), FALSE);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = self->file != NULL ? g_file_get_basename (self->file) : NULL;
      g_autofree char *text = g_strdup_printf ("Could not open %s: %s",
                                               name != NULL ? name : "the capture",
                                               without_name (error->message, name));
      etws_window_show_banner (self, GTK_MESSAGE_ERROR, text);
    }
  else if (self->damage != NULL)
    show_damage (self);  /* now with the final row count */
  g_clear_handle_id (&self->status_source, g_source_remove);
  update_status (self);
  g_debug ("%s loaded in %.1f ms", self->file != NULL ? g_file_peek_path (self->file) : "capture",
           (g_get_monotonic_time () - self->started) / 1000.0);
  g_signal_emit (self, signals[SESSION_FINISHED], 0);
}

static void
progress_cb (EtwsWorker *worker,
             GParamSpec *pspec,
             EtwsWindow *self)
{
  schedule_status (self);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  EtwsWindow *self)
{
  schedule_status (self);
}

static void
sorting_cb (EtwsEventModel *model,
            GParamSpec     *pspec,
            EtwsWindow     *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->sorting_box), etws_event_model_is_sorting (model));
}

static void
stacks_changed_cb (EtwsStore  *store,
                   EtwsWindow *self)
{
  guint64 index = etws_detail_pane_get_index (self->detail_pane);

  /* Stack keys resolve at the end of a file: refresh what is shown. */
  if (index != G_MAXUINT64)
    etws_detail_pane_show_row (self->detail_pane, store, index);
}

static void
selection_changed_cb (EtwsEventView *view,
                      EtwsWindow    *self)
{
  etws_detail_pane_show_row (self->detail_pane, self->store,
                             etws_event_view_get_selected_index (view));
}

/* Store indices shift when a live capture drops its oldest rows. */
static void
rows_removed_cb (EtwsStore  *store,
                 guint64     count,
                 EtwsWindow *self)
{
  selection_changed_cb (self->event_view, self);
}

/* A worker still running when its window moves on is kept until it has
 * joined its thread, so that it is never finalized on that thread. */
static void
retired_finished_cb (EtwsWorker   *worker,
                     const GError *error,
                     gpointer      data)
{
  g_signal_handlers_disconnect_by_func (worker, retired_finished_cb, data);
  g_object_unref (worker);
}

static void
end_session (EtwsWindow *self)
{
  g_clear_handle_id (&self->status_source, g_source_remove);
  g_clear_signal_handler (&self->map_handler, self);
  etws_event_view_set_model (self->event_view, NULL);
  etws_detail_pane_show_row (self->detail_pane, NULL, G_MAXUINT64);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->worker != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->worker, self);
      if (etws_worker_is_running (self->worker))
        {
          g_signal_connect (self->worker, "finished", G_CALLBACK (retired_finished_cb), NULL);
          g_object_ref (self->worker);
          etws_worker_stop (self->worker);
        }
    }
  g_clear_object (&self->model);
  g_clear_object (&self->store);
  g_clear_object (&self->worker);
  g_clear_object (&self->source);
  g_clear_object (&self->file);
  g_clear_error (&self->damage);
  self->loading = FALSE;
  etws_live_restore_thread_priority (self->ui_priority);
  self->ui_priority = ETWS_LIVE_NO_PRIORITY;
  self->live = FALSE;
}

static void
start_on_map_cb (EtwsWindow *self,
                 gpointer    data)
{
  g_clear_signal_handler (&self->map_handler, self);
  if (self->worker != NULL && !etws_worker_is_running (self->worker))
    etws_worker_start (self->worker);
}

static void
set_titles (EtwsWindow *self,
            const char *title,
            const char *subtitle)
{
  g_autofree char *window_title = g_strdup_printf ("%s — etwscope", title);

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
start_session (EtwsWindow *self,
               EtwsSource *source,
               gboolean    live)
{
  end_session (self);
  hide_banner (self);

  self->source = g_object_ref (source);
  self->live = live;
  self->worker = etws_worker_new (source);
  self->store = etws_store_new ();
  etws_store_attach (self->store, self->worker);
  self->model = etws_event_model_new (self->store);
  self->loading = TRUE;
  self->started = g_get_monotonic_time ();

  g_signal_connect (self->worker, "damage", G_CALLBACK (damage_cb), self);
  g_signal_connect (self->worker, "notice", G_CALLBACK (notice_cb), self);
  g_signal_connect (self->worker, "finished", G_CALLBACK (finished_cb), self);
  g_signal_connect (self->worker, "notify::progress", G_CALLBACK (progress_cb), self);
  g_signal_connect (self->worker, "notify::events-seen", G_CALLBACK (progress_cb), self);
  g_signal_connect (self->store, "stacks-changed", G_CALLBACK (stacks_changed_cb), self);
  g_signal_connect_after (self->store, "rows-removed", G_CALLBACK (rows_removed_cb), self);
  g_signal_connect (self->model, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect (self->model, "notify::sorting", G_CALLBACK (sorting_cb), self);

  etws_event_view_set_model (self->event_view, self->model);
  etws_event_view_set_follow (self->event_view, live);
  gtk_stack_set_visible_child_name (self->main_stack, "trace");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_button_set_label (self->stop_button, live ? "_Stop" : "_Cancel");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_button),
                               live ? "End the capture; the rows so far stay (Esc)"
                                    : "Stop loading; the rows so far stay (Esc)");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->sorting_box), FALSE);
  update_status (self);

  if (live)
    {
      /* A live source drops what the UI cannot take in; give it a few
       * seconds of queue, and start it once the window is on screen. */
      etws_worker_set_max_queued (self->worker, LIVE_MAX_QUEUED);
      etws_store_set_limit (self->store, LIVE_MAX_ROWS, ETWS_LIMIT_DROP_OLDEST);
      etws_store_set_announce_interval (self->store, LIVE_ANNOUNCE_MS);
      /* Our capture threads run at a raised priority: so does the window
       * while they do (tests/live/test-overload.c). */
      if (self->ui_priority == ETWS_LIVE_NO_PRIORITY)
        self->ui_priority = etws_live_raise_thread_priority ();
      if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
        self->map_handler = g_signal_connect (self, "map", G_CALLBACK (start_on_map_cb), NULL);
      else
        etws_worker_start (self->worker);
    }
  else
    etws_worker_start (self->worker);
  g_signal_emit (self, signals[SESSION_CHANGED], 0);
  gtk_widget_grab_focus (GTK_WIDGET (etws_event_view_get_column_view (self->event_view)));
}

void
etws_window_open (EtwsWindow *self,
                  GFile      *file)
{
  g_autoptr(EtwsSource) source = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;

  g_return_if_fail (ETWS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  name = g_file_get_basename (file);
  if (path == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not open %s: only local files can be read",
                                               name);
      etws_window_show_banner (self, GTK_MESSAGE_ERROR, text);
      return;
    }

  source = etws_file_source_new (path);
  start_session (self, source, FALSE);
  self->file = g_object_ref (file);
  {
    g_autoptr(GFile) parent = g_file_get_parent (file);
    g_autofree char *dir = parent != NULL ? g_file_get_parse_name (parent) : NULL;
    set_titles (self, name, dir);
  }

  /* GTK 4.8 writes a broken recent-files entry (and crashes) when the
   * program has no name, as in embedders that never set one. */
  uri = g_file_get_uri (file);
  if (g_get_prgname () != NULL)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
}

void
etws_window_open_source (EtwsWindow *self,
                         EtwsSource *source,
                         const char *title)
{
  g_return_if_fail (ETWS_IS_WINDOW (self));
  g_return_if_fail (ETWS_IS_SOURCE (source));

  start_session (self, source, etws_source_is_live (source));
  set_titles (self, title != NULL ? title : "Events", NULL);
}

gboolean
etws_window_start_live (EtwsWindow             *self,
                        const EtwsLiveOptions  *options,
                        GError                **error)
{
  g_autoptr(EtwsSource) source = NULL;

  g_return_val_if_fail (ETWS_IS_WINDOW (self), FALSE);

  source = etws_live_source_new (options, error);
  if (source == NULL)
    return FALSE;
  start_session (self, source, TRUE);
  set_titles (self, "Live capture", NULL);
  return TRUE;
}

void
etws_window_stop (EtwsWindow *self)
{
  g_return_if_fail (ETWS_IS_WINDOW (self));
  if (self->worker != NULL && etws_worker_is_running (self->worker))
    etws_worker_stop (self->worker);
}

gboolean
etws_window_is_empty (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), TRUE);
  return self->worker == NULL;
}

gboolean
etws_window_is_loading (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), FALSE);
  return self->loading;
}

EtwsStore *
etws_window_get_store (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->store;
}

EtwsEventModel *
etws_window_get_model (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->model;
}

EtwsWorker *
etws_window_get_worker (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->worker;
}

GtkSelectionModel *
etws_window_get_selection (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return etws_event_view_get_selection (self->event_view);
}

EtwsEventView *
etws_window_get_event_view (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->event_view;
}

EtwsDetailPane *
etws_window_get_detail_pane (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->detail_pane;
}

EtwsCaptureController *
etws_window_get_capture (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->capture;
}

GtkBox *
etws_window_get_filter_slot (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->filter_slot;
}

GtkBox *
etws_window_get_find_slot (EtwsWindow *self)
{
  g_return_val_if_fail (ETWS_IS_WINDOW (self), NULL);
  return self->find_slot;
}

/* ---- opening ---- */

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     EtwsWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        etws_window_open (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EtwsWindow *self = ETWS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) traces = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  /* GtkFileDialog is GTK 4.10; the native chooser is the 4.8 way and goes
   * through the portal where there is one. */
  chooser = gtk_file_chooser_native_new ("Open Trace", GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  gtk_file_filter_set_name (traces, "ETW traces (*.etl, *.etl.gz)");
  gtk_file_filter_add_pattern (traces, "*.etl");
  gtk_file_filter_add_pattern (traces, "*.etl.gz");
  gtk_file_filter_add_pattern (traces, "*.ETL");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), traces);
  gtk_file_filter_set_name (all, "All files");
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  etws_window_open (ETWS_WINDOW (widget), file);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  etws_window_stop (ETWS_WINDOW (widget));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EtwsWindow *self = ETWS_WINDOW (widget);

  /* As in a browser: Ctrl+F always lands in the find entry; Esc closes. */
  gtk_revealer_set_reveal_child (self->find_revealer, TRUE);
  etws_find_bar_focus (self->find_bar);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EtwsWindow *self = ETWS_WINDOW (widget);

  if (self->store == NULL)
    return;
  gtk_window_present (GTK_WINDOW (etws_export_dialog_new (self)));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         EtwsWindow    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  etws_window_open (self, files->data);
  g_slist_free (files);
  return TRUE;
}

static void
banner_response_cb (GtkInfoBar *banner,
                    int         response,
                    EtwsWindow *self)
{
  hide_banner (self);
}

/* ---- recent files ---- */

static gboolean
is_trace_uri (const char *uri)
{
  g_autofree char *lower = g_ascii_strdown (uri, -1);

  return g_str_has_suffix (lower, ".etl") || g_str_has_suffix (lower, ".etl.gz");
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GtkRecentInfo *ia = *(GtkRecentInfo **) a, *ib = *(GtkRecentInfo **) b;

  /* Newest first. */
  return g_date_time_compare (gtk_recent_info_get_modified (ib), gtk_recent_info_get_modified (ia));
}

static void
update_recent (EtwsWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  g_autoptr(GPtrArray) traces = g_ptr_array_new ();
  guint shown = 0;

  g_menu_remove_all (self->recent_menu);
  for (GList *l = items; l != NULL; l = l->next)
    if (is_trace_uri (gtk_recent_info_get_uri (l->data)))
      g_ptr_array_add (traces, l->data);
  g_ptr_array_sort (traces, compare_recent);
  for (guint i = 0; i < traces->len && shown < RECENT_MAX; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (traces, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_menu, item);
      shown++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
recent_changed_cb (GtkRecentManager *manager,
                   EtwsWindow       *self)
{
  update_recent (self);
}

/* ---- settings ---- */

void
etws_window_set_settings (EtwsWindow *self,
                          GSettings  *settings)
{
  g_return_if_fail (ETWS_IS_WINDOW (self));

  if (!g_set_object (&self->settings, settings) || settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (settings, "pane-position", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "time-mode", self->event_view, "time-mode", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "visible-columns", self->event_view, "visible-columns",
                   G_SETTINGS_BIND_DEFAULT);
  etws_capture_popover_set_settings (self->capture_popover, settings);
}

static gboolean
etws_window_close_request (GtkWindow *window)
{
  EtwsWindow *self = ETWS_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }
  end_session (self);
  return GTK_WINDOW_CLASS (etws_window_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
etws_window_dispose (GObject *object)
{
  EtwsWindow *self = ETWS_WINDOW (object);

  g_clear_object (&self->capture);
  end_session (self);
  if (self->recent_changed_id != 0)
    g_clear_signal_handler (&self->recent_changed_id, gtk_recent_manager_get_default ());
  if (self->event_view != NULL)
    g_signal_handlers_disconnect_by_data (self->event_view, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->recent_menu);
  G_OBJECT_CLASS (etws_window_parent_class)->dispose (object);
}

static void
etws_window_class_init (EtwsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = etws_window_dispose;
  window_class->close_request = etws_window_close_request;

  /* A new trace has its store and model (etws_window_get_model()). */
  signals[SESSION_CHANGED] = g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /* The source delivered its last event (end of file, error, stop). */
  signals[SESSION_FINISHED] = g_signal_new ("session-finished", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  etws_ui_init ();
  g_type_ensure (ETWS_TYPE_CAPTURE_POPOVER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, capture_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, capture_popover);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, filter_slot);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, find_revealer);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, find_slot);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, event_view);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, sorting_box);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EtwsWindow, stop_button);
  gtk_widget_class_bind_template_callback (widget_class, banner_response_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.close", NULL, close_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.stop", NULL);
  /* Process Monitor's Capture Events. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "capture.capture", NULL);
}

static void
etws_window_init (EtwsWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->ui_priority = ETWS_LIVE_NO_PRIORITY;
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view",
                                  etws_event_view_get_actions (self->event_view));
  /* Filters, quick filters, highlights (filter.*) and find, in their slots. */
  self->filter_bar = ETWS_FILTER_BAR (etws_filter_bar_new ());
  etws_filter_bar_set_window (self->filter_bar, self);
  gtk_box_append (self->filter_slot, GTK_WIDGET (self->filter_bar));
  self->find_bar = ETWS_FIND_BAR (etws_find_bar_new ());
  etws_find_bar_set_window (self->find_bar, self);
  gtk_box_append (self->find_slot, GTK_WIDGET (self->find_bar));
  self->capture = etws_capture_controller_new (self, self->capture_popover, self->capture_button);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "capture",
                                  etws_capture_controller_get_actions (self->capture));
  g_signal_connect (self->event_view, "selection-changed", G_CALLBACK (selection_changed_cb), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  /* Filled from the recent files; the template has its place. */
  self->recent_menu = g_menu_new ();
  g_menu_insert_submenu (G_MENU (gtk_menu_button_get_menu_model (self->menu_button)), 1,
                         "Open _Recent", G_MENU_MODEL (self->recent_menu));
  self->recent_changed_id = g_signal_connect (gtk_recent_manager_get_default (), "changed",
                                              G_CALLBACK (recent_changed_cb), self);
  update_recent (self);
  hide_banner (self);
  set_titles (self, "etwscope", NULL);
  update_status (self);
}

EtwsWindow *
etws_window_new (GtkApplication *application)
{
  return g_object_new (ETWS_TYPE_WINDOW, "application", application, NULL);
}
