/* etws-export-dialog.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The export dialog (Ctrl+S): which rows (the selected ones, the filtered
 * view or all), which format (Process Monitor CSV, CSV with all columns,
 * JSON Lines), then a file chooser. The rows are taken when the export
 * starts, in the order the list shows them. The file is written on a
 * thread with a progress bar and Cancel; an error is shown in the dialog
 * and leaves any existing file as it was.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-export.h"
#include "etws-window.h"

G_BEGIN_DECLS

typedef enum
{
  ETWS_EXPORT_SCOPE_SELECTED,
  ETWS_EXPORT_SCOPE_FILTERED,
  ETWS_EXPORT_SCOPE_ALL,
} EtwsExportScope;

#define ETWS_TYPE_EXPORT_DIALOG (etws_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EtwsExportDialog, etws_export_dialog, ETWS, EXPORT_DIALOG, GtkWindow)

/* Modal over window; the scope starts at the selection when several rows
 * are selected, else at the filtered rows. */
EtwsExportDialog *etws_export_dialog_new        (EtwsWindow       *window);
void              etws_export_dialog_set_scope  (EtwsExportDialog *self,
                                                 EtwsExportScope   scope);
EtwsExportScope   etws_export_dialog_get_scope  (EtwsExportDialog *self);
/* ETWS_EXPORT_PROCMON_CSV, ETWS_EXPORT_CSV or ETWS_EXPORT_JSONL. */
void              etws_export_dialog_set_format (EtwsExportDialog *self,
                                                 EtwsExportFormat  format);
EtwsExportFormat  etws_export_dialog_get_format (EtwsExportDialog *self);
/* The rows of a scope as the export would take them now (guint32 store
 * indices; NULL = every row in store order). */
GArray           *etws_export_dialog_dup_rows   (EtwsExportDialog *self,
                                                 EtwsExportScope   scope);
/* Writes the chosen rows to file, as the file chooser's Save does.
 * "finished" tells the outcome. */
void              etws_export_dialog_export_to  (EtwsExportDialog *self,
                                                 GFile            *file);
void              etws_export_dialog_cancel     (EtwsExportDialog *self);
gboolean          etws_export_dialog_is_busy    (EtwsExportDialog *self);
/* The error shown in the dialog, or NULL. */
const char       *etws_export_dialog_get_error  (EtwsExportDialog *self);

G_END_DECLS
