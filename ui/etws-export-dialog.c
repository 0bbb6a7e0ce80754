/* etws-export-dialog.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-export-dialog"

#include "config.h"

#include "etws-export-dialog.h"
#include "etws-ui-private.h"

#include <string.h>

/* The formats offered, in the order of the drop-down. */
static const EtwsExportFormat formats[] = {
  ETWS_EXPORT_PROCMON_CSV,
  ETWS_EXPORT_CSV,
  ETWS_EXPORT_JSONL,
};

static const char *const format_hints[] = {
  "Time of Day, Process Name, PID, Operation, Path, Result, Detail: the columns of Process "
  "Monitor's own CSV, so that scripts written for it keep working.",
  "Every column of the event list, UTF-8, one row per event.",
  "One JSON object per event with its header, decoded fields and stack, as "
  "etwcat --format jsonl writes it.",
};

struct _EtwsExportDialog
{
  GtkWindow       parent_instance;

  GtkButton      *cancel_button;
  GtkButton      *export_button;
  GtkCheckButton *scope_selected;
  GtkCheckButton *scope_filtered;
  GtkCheckButton *scope_all;
  GtkDropDown    *format;
  GtkLabel       *format_hint;
  GtkProgressBar *progress;
  GtkLabel       *error_label;

  EtwsWindow     *window;   /* weak */
  GCancellable   *cancellable;
  GFile          *target;
  char           *error;
  guint64         n_rows;
};

G_DEFINE_FINAL_TYPE (EtwsExportDialog, etws_export_dialog, GTK_TYPE_WINDOW)

enum
{
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- rows ---- */

GArray *
etws_export_dialog_dup_rows (EtwsExportDialog *self,
                             EtwsExportScope   scope)
{
  EtwsEventModel *model;
  GArray *rows;
  guint n;

  g_return_val_if_fail (ETWS_IS_EXPORT_DIALOG (self), NULL);

  if (self->window == NULL || (model = etws_window_get_model (self->window)) == NULL)
    return g_array_new (FALSE, FALSE, sizeof (guint32));
  switch (scope)
    {
    case ETWS_EXPORT_SCOPE_SELECTED:
      return etws_event_view_dup_selected_rows (etws_window_get_event_view (self->window));
    case ETWS_EXPORT_SCOPE_FILTERED:
      /* Unfiltered and unsorted, the view is every row in store order. */
      if (!etws_event_model_has_view (model) &&
          etws_event_model_get_sort_column (model) == ETWS_COLUMN_NONE)
        return NULL;
      n = g_list_model_get_n_items (G_LIST_MODEL (model));
      rows = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
      for (guint i = 0; i < n; i++)
        {
          guint64 index = etws_event_model_get_store_index (model, i);
          if (index != G_MAXUINT64)
            {
              guint32 r = (guint32) index;
              g_array_append_val (rows, r);
            }
        }
      return rows;
    case ETWS_EXPORT_SCOPE_ALL:
    default:
      return NULL;
    }
}

static void
update_scopes (EtwsExportDialog *self)
{
  EtwsEventModel *model = self->window != NULL ? etws_window_get_model (self->window) : NULL;
  EtwsStore *store = self->window != NULL ? etws_window_get_store (self->window) : NULL;
  guint selected = self->window != NULL
                   ? etws_event_view_get_n_selected (etws_window_get_event_view (self->window)) : 0;
  guint64 shown = model != NULL ? etws_event_model_get_n_shown (model) : 0;
  guint64 all = store != NULL ? etws_store_get_n_rows (store) : 0;
  g_autofree char *s1 = etws_ui_format_count (selected), *s2 = etws_ui_format_count (shown), *s3 = etws_ui_format_count (all);
  g_autofree char *l1 = g_strdup_printf ("_Selected rows (%s)", s1);
  g_autofree char *l2 = g_strdup_printf ("_Filtered rows, as shown (%s)", s2);
  g_autofree char *l3 = g_strdup_printf ("A_ll rows (%s)", s3);

  gtk_check_button_set_label (self->scope_selected, l1);
  gtk_check_button_set_label (self->scope_filtered, l2);
  gtk_check_button_set_label (self->scope_all, l3);
  gtk_check_button_set_use_underline (self->scope_selected, TRUE);
  gtk_check_button_set_use_underline (self->scope_filtered, TRUE);
  gtk_check_button_set_use_underline (self->scope_all, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scope_selected), selected > 0);
  if (selected == 0 && gtk_check_button_get_active (self->scope_selected))
    gtk_check_button_set_active (self->scope_filtered, TRUE);
}

/* ---- exporting ---- */

static void
show_error (EtwsExportDialog *self,
            const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (EtwsExportDialog *self,
          gboolean          busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scope_selected), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scope_filtered), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scope_all), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->format), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy);
  gtk_button_set_label (self->cancel_button, busy ? "_Stop" : "_Cancel");
  if (!busy)
    update_scopes (self);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer data)
{
  EtwsExportDialog *self = data;
  g_autofree char *d = etws_ui_format_count (done), *t = etws_ui_format_count (total);
  g_autofree char *text = g_strdup_printf ("%s of %s rows", d, t);

  gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double) done / (double) total : 0);
  gtk_progress_bar_set_text (self->progress, text);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EtwsExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 written = etws_export_to_file_finish (result, &error);

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  if (written < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, "Export stopped. No file was written, and an existing file was left as it was.");
      else
        {
          g_autofree char *text = g_strdup_printf ("%s. Nothing was written; an existing file was "
                                                   "left as it was.", error->message);
          show_error (self, text);
        }
      g_signal_emit (self, signals[FINISHED], 0, (gint64) -1);
      return;
    }
  if (self->window != NULL)
    {
      g_autofree char *path = g_file_get_parse_name (self->target);
      g_autofree char *n = etws_ui_format_count ((guint64) written);
      g_autofree char *text = g_strdup_printf ("Exported %s rows to %s", n, path);

      etws_window_show_banner (self->window, GTK_MESSAGE_INFO, text);
    }
  g_signal_emit (self, signals[FINISHED], 0, written);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
etws_export_dialog_export_to (EtwsExportDialog *self,
                              GFile            *file)
{
  g_autoptr(GArray) rows = NULL;
  g_autofree char *path = NULL;
  EtwsStore *store;

  g_return_if_fail (ETWS_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->cancellable == NULL);

  show_error (self, NULL);
  store = self->window != NULL ? etws_window_get_store (self->window) : NULL;
  path = g_file_get_path (file);
  if (store == NULL || path == NULL)
    {
      show_error (self, store == NULL ? "There are no events to export." :
                                        "Only local files can be written.");
      g_signal_emit (self, signals[FINISHED], 0, (gint64) -1);
      return;
    }
  g_set_object (&self->target, file);
  rows = etws_export_dialog_dup_rows (self, etws_export_dialog_get_scope (self));
  self->n_rows = rows != NULL ? rows->len : etws_store_get_n_rows (store);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  progress_cb (0, self->n_rows, self);
  etws_export_to_file_async (store, rows, etws_export_dialog_get_format (self), path,
                             self->cancellable, progress_cb, self, NULL,
                             export_done_cb, g_object_ref (self));
}

void
etws_export_dialog_cancel (EtwsExportDialog *self)
{
  g_return_if_fail (ETWS_IS_EXPORT_DIALOG (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
etws_export_dialog_is_busy (EtwsExportDialog *self)
{
  g_return_val_if_fail (ETWS_IS_EXPORT_DIALOG (self), FALSE);
  return self->cancellable != NULL;
}

const char *
etws_export_dialog_get_error (EtwsExportDialog *self)
{
  g_return_val_if_fail (ETWS_IS_EXPORT_DIALOG (self), NULL);
  return self->error;
}

/* ---- the file chooser ---- */

static void
chooser_response_cb (GtkNativeDialog  *chooser,
                     int               response,
                     EtwsExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (file != NULL)
        etws_export_dialog_export_to (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (self);
}

/* "trace.etl — etwscope" → "trace". */
static char *
suggested_name (EtwsExportDialog *self)
{
  const char *title = self->window != NULL ? gtk_window_get_title (GTK_WINDOW (self->window)) : NULL;
  const char *ext = etws_export_format_get_extension (etws_export_dialog_get_format (self));
  g_autofree char *base = NULL;
  char *cut;

  base = g_strdup (title != NULL ? title : "events");
  if ((cut = strstr (base, " — ")) != NULL)
    *cut = '\0';
  if (g_str_has_suffix (base, ".gz"))
    base[strlen (base) - 3] = '\0';
  if (g_str_has_suffix (base, ".etl") || g_str_has_suffix (base, ".ETL"))
    base[strlen (base) - 4] = '\0';
  g_strdelimit (base, "/\\", '_');
  if (*base == '\0')
    return g_strdup_printf ("events.%s", ext);
  return g_strdup_printf ("%s.%s", base, ext);
}

static void
export_clicked_cb (GtkButton        *button,
                   EtwsExportDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = suggested_name (self);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *ext = etws_export_format_get_extension (etws_export_dialog_get_format (self));
  g_autofree char *pattern = g_strdup_printf ("*.%s", ext);

  /* GtkFileDialog is GTK 4.10; the native chooser is the 4.8 way. */
  chooser = gtk_file_chooser_native_new ("Export Events", GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_file_filter_set_name (filter, gtk_string_object_get_string (
                              GTK_STRING_OBJECT (gtk_drop_down_get_selected_item (self->format))));
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_clicked_cb (GtkButton        *button,
                   EtwsExportDialog *self)
{
  if (self->cancellable != NULL)
    etws_export_dialog_cancel (self);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   data)
{
  cancel_clicked_cb (NULL, ETWS_EXPORT_DIALOG (widget));
  return TRUE;
}

static void
format_changed_cb (GtkDropDown      *format,
                   GParamSpec       *pspec,
                   EtwsExportDialog *self)
{
  guint i = gtk_drop_down_get_selected (format);

  gtk_label_set_text (self->format_hint, i < G_N_ELEMENTS (format_hints) ? format_hints[i] : "");
}

/* ---- API ---- */

void
etws_export_dialog_set_scope (EtwsExportDialog *self,
                              EtwsExportScope   scope)
{
  g_return_if_fail (ETWS_IS_EXPORT_DIALOG (self));
  gtk_check_button_set_active (scope == ETWS_EXPORT_SCOPE_SELECTED ? self->scope_selected :
                               scope == ETWS_EXPORT_SCOPE_FILTERED ? self->scope_filtered :
                                                                     self->scope_all, TRUE);
}

EtwsExportScope
etws_export_dialog_get_scope (EtwsExportDialog *self)
{
  g_return_val_if_fail (ETWS_IS_EXPORT_DIALOG (self), ETWS_EXPORT_SCOPE_ALL);
  if (gtk_check_button_get_active (self->scope_selected))
    return ETWS_EXPORT_SCOPE_SELECTED;
  if (gtk_check_button_get_active (self->scope_filtered))
    return ETWS_EXPORT_SCOPE_FILTERED;
  return ETWS_EXPORT_SCOPE_ALL;
}

void
etws_export_dialog_set_format (EtwsExportDialog *self,
                               EtwsExportFormat  format)
{
  g_return_if_fail (ETWS_IS_EXPORT_DIALOG (self));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i] == format)
      gtk_drop_down_set_selected (self->format, i);
}

EtwsExportFormat
etws_export_dialog_get_format (EtwsExportDialog *self)
{
  guint i;

  g_return_val_if_fail (ETWS_IS_EXPORT_DIALOG (self), ETWS_EXPORT_PROCMON_CSV);
  i = gtk_drop_down_get_selected (self->format);
  return i < G_N_ELEMENTS (formats) ? formats[i] : ETWS_EXPORT_PROCMON_CSV;
}

/* ---- GObject ---- */

static void
etws_export_dialog_dispose (GObject *object)
{
  EtwsExportDialog *self = ETWS_EXPORT_DIALOG (object);

  /* Closing the dialog stops the export; the thread ends on its own. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (etws_export_dialog_parent_class)->dispose (object);
}

static void
etws_export_dialog_finalize (GObject *object)
{
  EtwsExportDialog *self = ETWS_EXPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->target);
  g_free (self->error);
  G_OBJECT_CLASS (etws_export_dialog_parent_class)->finalize (object);
}

static void
etws_export_dialog_class_init (EtwsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_export_dialog_dispose;
  object_class->finalize = etws_export_dialog_finalize;

  /* An export ended: the rows written, or -1 (error or stopped; see
   * etws_export_dialog_get_error()). On success the dialog closes. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, scope_selected);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, scope_filtered);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, scope_all);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, format);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, format_hint);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, EtwsExportDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_changed_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);
}

static void
etws_export_dialog_init (EtwsExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  format_changed_cb (self->format, NULL, self);
}

EtwsExportDialog *
etws_export_dialog_new (EtwsWindow *window)
{
  EtwsExportDialog *self;
  EtwsEventModel *model;

  g_return_val_if_fail (ETWS_IS_WINDOW (window), NULL);

  self = g_object_new (ETWS_TYPE_EXPORT_DIALOG, "transient-for", window, NULL);
  g_set_weak_pointer (&self->window, window);
  update_scopes (self);
  model = etws_window_get_model (window);
  if (etws_event_view_get_n_selected (etws_window_get_event_view (window)) > 1)
    etws_export_dialog_set_scope (self, ETWS_EXPORT_SCOPE_SELECTED);
  else if (model != NULL && etws_event_model_has_view (model))
    etws_export_dialog_set_scope (self, ETWS_EXPORT_SCOPE_FILTERED);
  else
    etws_export_dialog_set_scope (self, ETWS_EXPORT_SCOPE_ALL);
  return self;
}
