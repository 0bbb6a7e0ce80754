/* etws-export.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exports of store rows (a selection, a filtered view or everything) as
 * text, JSON Lines (header, decoded fields and stack of each event, the
 * `etwcat --format jsonl` schema), CSV with all columns, Process Monitor
 * CSV, or tab-separated summary columns.
 *
 * Files are written atomically: into a temporary file beside the target,
 * renamed over it only when complete. On any failure the target is left as
 * it was and the temporary file is removed.
 */
#pragma once

#include <gio/gio.h>

#include "etws-filter.h"
#include "etws-store.h"

G_BEGIN_DECLS

typedef enum
{
  ETWS_EXPORT_TEXT,
  ETWS_EXPORT_JSONL,
  ETWS_EXPORT_CSV,
  ETWS_EXPORT_PROCMON_CSV,
  ETWS_EXPORT_COLUMNS,
} EtwsExportFormat;

typedef enum
{
  ETWS_EXPORT_FLAGS_NONE      = 0,
  /* Leave out the header line of the CSV and columns formats (appending a
   * second file's rows to the same output). */
  ETWS_EXPORT_FLAGS_NO_HEADER = 1 << 0,
} EtwsExportFlags;

/* "text", "jsonl", "csv", "procmon-csv", "columns". */
gboolean          etws_export_format_from_string (const char        *name,
                                                  EtwsExportFormat  *format);
const char       *etws_export_format_to_string   (EtwsExportFormat   format);
/* "txt", "jsonl", "csv", "csv", "tsv" */
const char       *etws_export_format_get_extension (EtwsExportFormat format);

/* Writes rows (a GArray of guint32 store indices; NULL = every row in store
 * order) to out, on the calling thread. trace is the store's trace as read on the
 * main thread. FALSE with G_IO_ERROR_CANCELLED when cancelled. */
gboolean          etws_export_write              (EtwsStore         *store,
                                                  EtwsTrace         *trace,
                                                  GArray            *rows,
                                                  EtwsExportFormat   format,
                                                  EtwsExportFlags    flags,
                                                  GOutputStream     *out,
                                                  GCancellable      *cancellable,
                                                  EtwsProgressFunc   progress,
                                                  gpointer           progress_data,
                                                  GError           **error);

/* An output file that appears only once complete. A target that is not a
 * regular file (a terminal, a pipe, /dev/null) is written directly. */
typedef struct _EtwsAtomicFile EtwsAtomicFile;

EtwsAtomicFile   *etws_atomic_file_new           (const char        *path,
                                                  GError           **error);
GOutputStream    *etws_atomic_file_get_stream    (EtwsAtomicFile    *self);
/* Flushes, syncs and renames the file into place. On failure the
 * temporary file is gone and the target untouched. */
gboolean          etws_atomic_file_commit        (EtwsAtomicFile    *self,
                                                  GError           **error);
/* Discards the file unless it was committed. */
void              etws_atomic_file_free          (EtwsAtomicFile    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsAtomicFile, etws_atomic_file_free)

/* The two together, synchronously. rows as for etws_export_write. */
gboolean          etws_export_to_file            (EtwsStore         *store,
                                                  GArray            *rows,
                                                  EtwsExportFormat   format,
                                                  const char        *path,
                                                  GCancellable      *cancellable,
                                                  EtwsProgressFunc   progress,
                                                  gpointer           progress_data,
                                                  GError           **error);
/* Main thread: the same on a worker thread, for the export dialog. rows
 * (guint32 store indices, NULL = all rows) is referenced, not copied; do
 * not change it meanwhile. progress is called on the main context at most
 * ten times a second. The store is held until the export ends. */
void              etws_export_to_file_async      (EtwsStore          *store,
                                                  GArray             *rows,
                                                  EtwsExportFormat    format,
                                                  const char         *path,
                                                  GCancellable       *cancellable,
                                                  EtwsProgressFunc    progress,
                                                  gpointer            progress_data,
                                                  GDestroyNotify      progress_destroy,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
/* Returns the number of rows written, or -1 with error. */
gint64            etws_export_to_file_finish     (GAsyncResult       *result,
                                                  GError            **error);

G_END_DECLS
