/* etws-export.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-export"

#include "config.h"

#include "etws-export.h"

#include "etws-filter-decode.h"
#include "etws-format.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#ifdef G_OS_UNIX
# include <gio/gunixoutputstream.h>
# include <unistd.h>
#else
# include <gio/gwin32outputstream.h>
# include <io.h>
# define fsync _commit
#endif

#define FLUSH_BYTES (1024 * 1024)

static const char * const format_names[] = {
  [ETWS_EXPORT_TEXT] = "text",
  [ETWS_EXPORT_JSONL] = "jsonl",
  [ETWS_EXPORT_CSV] = "csv",
  [ETWS_EXPORT_PROCMON_CSV] = "procmon-csv",
  [ETWS_EXPORT_COLUMNS] = "columns",
};

gboolean
etws_export_format_from_string (const char       *name,
                                EtwsExportFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_strcmp0 (name, format_names[i]) == 0)
      {
        *format = (EtwsExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
etws_export_format_to_string (EtwsExportFormat format)
{
  return (guint) format < G_N_ELEMENTS (format_names) ? format_names[format] : NULL;
}

const char *
etws_export_format_get_extension (EtwsExportFormat format)
{
  switch (format)
    {
    case ETWS_EXPORT_JSONL: return "jsonl";
    case ETWS_EXPORT_CSV:
    case ETWS_EXPORT_PROCMON_CSV: return "csv";
    case ETWS_EXPORT_COLUMNS: return "tsv";
    case ETWS_EXPORT_TEXT:
    default:
      return "txt";
    }
}

static unsigned
decode_flags_for (EtwsExportFormat format)
{
  unsigned flags = ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL;

  if (format == ETWS_EXPORT_JSONL)
    flags |= ETW_DECODE_FIELDS;
  return flags;
}

static gboolean
flush_buffer (GOutputStream  *out,
              GString        *buf,
              GCancellable   *cancellable,
              GError        **error)
{
  gsize written = 0;

  if (buf->len == 0)
    return TRUE;
  if (!g_output_stream_write_all (out, buf->str, buf->len, &written, cancellable, error))
    return FALSE;
  g_string_truncate (buf, 0);
  return TRUE;
}

/* in_store: the store's row count as the main thread saw it (reading it
 * on the export thread would race with appends). */
static gboolean
export_write (EtwsStore         *store,
              EtwsTrace         *trace,
              guint64            in_store,
              GArray            *rows_array,
              EtwsExportFormat   format,
              EtwsExportFlags    flags,
              GOutputStream     *out,
              GCancellable      *cancellable,
              EtwsProgressFunc   progress,
              gpointer           progress_data,
              GError           **error)
{
  g_autoptr(EtwsRowDecoder) decoder = NULL;
  g_autoptr(GString) buf = NULL;
  guint64 first = etws_store_get_first_row (store);
  const guint32 *rows = rows_array != NULL ? (const guint32 *) (void *) rows_array->data : NULL;
  guint64 n_rows = rows_array != NULL ? rows_array->len : in_store;
  unsigned decode_flags = decode_flags_for (format);
  gsize line_start;

  g_return_val_if_fail (ETWS_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  for (guint64 k = 0; rows_array != NULL && k < n_rows; k++)
    if (rows[k] >= in_store)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "Row %u is not in the store (%" G_GUINT64_FORMAT " rows)", rows[k], in_store);
        return FALSE;
      }

  buf = g_string_sized_new (FLUSH_BYTES + 65536);
  if ((flags & ETWS_EXPORT_FLAGS_NO_HEADER) == 0)
    {
      switch (format)
        {
        case ETWS_EXPORT_CSV:
          etws_format_csv_header (buf);
          g_string_append (buf, "\r\n");
          break;
        case ETWS_EXPORT_PROCMON_CSV:
          etws_format_procmon_csv_header (buf);
          g_string_append (buf, "\r\n");
          break;
        case ETWS_EXPORT_COLUMNS:
          etws_format_columns_header (buf);
          g_string_append_c (buf, '\n');
          break;
        case ETWS_EXPORT_TEXT:
        case ETWS_EXPORT_JSONL:
        default:
          break;
        }
    }
  if (n_rows == 0 || trace == NULL)
    return flush_buffer (out, buf, cancellable, error);

  decoder = etws_row_decoder_new (store, trace);
  for (guint64 k = 0; k < n_rows; k++)
    {
      guint64 index = rows_array != NULL ? rows[k] : k;
      const EtwEvent *ev = NULL;
      const EtwDecoded *dec = etws_row_decoder_decode (decoder, index, decode_flags, &ev);

      if (dec == NULL)
        {
          /* The record could not be re-read (a live arena trimmed under
           * us); say so in the output rather than skip it silently. */
          g_warning ("Row %" G_GUINT64_FORMAT " could not be re-read", first + index + 1);
          continue;
        }
      line_start = buf->len;
      switch (format)
        {
        case ETWS_EXPORT_JSONL:
          {
            guint n_frames = 0;
            const EtwsStackFrame *frames = etws_row_decoder_stack (decoder, index, &n_frames);
            etws_format_jsonl (buf, ev, dec, frames, n_frames);
            g_string_append_c (buf, '\n');
            break;
          }
        case ETWS_EXPORT_CSV:
          etws_format_csv_row (buf, first + index + 1, ev, dec);
          g_string_append (buf, "\r\n");
          break;
        case ETWS_EXPORT_PROCMON_CSV:
          etws_format_procmon_csv_row (buf, ev, dec);
          g_string_append (buf, "\r\n");
          break;
        case ETWS_EXPORT_COLUMNS:
          etws_format_columns_line (buf, ev, dec);
          g_string_append_c (buf, '\n');
          break;
        case ETWS_EXPORT_TEXT:
        default:
          etws_format_text_line (buf, ev, dec);
          g_string_append_c (buf, '\n');
          break;
        }
      /* Output is UTF-8 whatever a producer put in its strings. */
      if (!g_utf8_validate (buf->str + line_start, (gssize) (buf->len - line_start), NULL))
        {
          g_autofree char *valid = g_utf8_make_valid (buf->str + line_start,
                                                      (gssize) (buf->len - line_start));
          g_string_truncate (buf, line_start);
          g_string_append (buf, valid);
        }

      if (buf->len >= FLUSH_BYTES && !flush_buffer (out, buf, cancellable, error))
        return FALSE;
      if ((k & 4095) == 4095)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (progress != NULL)
            progress (k + 1, n_rows, progress_data);
        }
    }
  if (!flush_buffer (out, buf, cancellable, error))
    return FALSE;
  if (progress != NULL)
    progress (n_rows, n_rows, progress_data);
  return TRUE;
}

gboolean
etws_export_write (EtwsStore         *store,
                   EtwsTrace         *trace,
                   GArray            *rows,
                   EtwsExportFormat   format,
                   EtwsExportFlags    flags,
                   GOutputStream     *out,
                   GCancellable      *cancellable,
                   EtwsProgressFunc   progress,
                   gpointer           progress_data,
                   GError           **error)
{
  return export_write (store, trace, etws_store_get_n_rows (store), rows, format, flags, out,
                       cancellable, progress, progress_data, error);
}

/* Atomic files ------------------------------------------------------------ */

struct _EtwsAtomicFile
{
  char          *path;
  char          *tmp_path;   /* NULL when writing the target directly */
  int            fd;
  GOutputStream *stream;
  gboolean       committed;
};

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *format,
                 const char *name)
{
  g_autofree char *what = g_strdup_printf (format, name);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
}

static GOutputStream *
stream_for_fd (int fd)
{
#ifdef G_OS_UNIX
  return g_unix_output_stream_new (fd, TRUE);
#else
  return g_win32_output_stream_new_from_fd (fd, TRUE);
#endif
}

EtwsAtomicFile *
etws_atomic_file_new (const char  *path,
                      GError     **error)
{
  g_autofree char *dir = NULL, *base = NULL, *tmpl = NULL;
  EtwsAtomicFile *self;
  GStatBuf st;
  gboolean exists;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  exists = g_stat (path, &st) == 0;
  if (exists && S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   "Cannot write “%s”: it is a directory", path);
      return NULL;
    }
  self = g_new0 (EtwsAtomicFile, 1);
  self->path = g_strdup (path);
  self->fd = -1;

  if (exists && !S_ISREG (st.st_mode))
    {
      /* A device or a pipe: there is nothing to replace atomically, and
       * renaming over /dev/stdout would be wrong. */
      fd = g_open (path, O_WRONLY | O_APPEND, 0);
      if (fd < 0)
        {
          set_errno_error (error, errno, "Cannot write “%s”", path);
          etws_atomic_file_free (self);
          return NULL;
        }
      self->fd = fd;
      self->stream = stream_for_fd (fd);
      return self;
    }
  if (exists && g_access (path, W_OK) != 0)
    {
      set_errno_error (error, errno, "Cannot replace “%s”", path);
      etws_atomic_file_free (self);
      return NULL;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmpl = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmpl, O_WRONLY, 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, "Cannot create a file in “%s”", dir);
      etws_atomic_file_free (self);
      return NULL;
    }
#ifdef G_OS_UNIX
  /* g_mkstemp_full applies the umask; a replaced file keeps its mode. */
  if (exists)
    fchmod (fd, st.st_mode & 07777);
#endif
  self->tmp_path = g_steal_pointer (&tmpl);
  self->fd = fd;
  self->stream = stream_for_fd (fd);
  return self;
}

GOutputStream *
etws_atomic_file_get_stream (EtwsAtomicFile *self)
{
  return self->stream;
}

static void
discard (EtwsAtomicFile *self)
{
  if (self->stream != NULL && !g_output_stream_is_closed (self->stream))
    g_output_stream_close (self->stream, NULL, NULL);
  if (self->tmp_path != NULL)
    g_unlink (self->tmp_path);
  g_clear_pointer (&self->tmp_path, g_free);
}

gboolean
etws_atomic_file_commit (EtwsAtomicFile  *self,
                         GError         **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (!self->committed, FALSE);

  if (!g_output_stream_flush (self->stream, NULL, &local))
    goto failed;
  /* The bytes reach the disk before the name does, so a crash leaves the
   * old file or the new one, never an empty one. */
  if (self->tmp_path != NULL && fsync (self->fd) != 0)
    {
      int saved = errno;
      g_set_error (&local, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      goto failed;
    }
  if (!g_output_stream_close (self->stream, NULL, &local))
    goto failed;
  if (self->tmp_path != NULL && g_rename (self->tmp_path, self->path) != 0)
    {
      int saved = errno;
      g_set_error (&local, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      goto failed;
    }
  g_clear_pointer (&self->tmp_path, g_free);
  self->committed = TRUE;
  return TRUE;

failed:
  g_set_error (error, local->domain, local->code, "Could not write “%s”: %s", self->path,
               local->message);
  discard (self);
  return FALSE;
}

void
etws_atomic_file_free (EtwsAtomicFile *self)
{
  if (self == NULL)
    return;
  if (!self->committed)
    discard (self);
  g_clear_object (&self->stream);
  g_free (self->tmp_path);
  g_free (self->path);
  g_free (self);
}

/* Into a file ---------------------------------------------------------------- */

static gboolean
export_to_file (EtwsStore         *store,
                EtwsTrace         *trace,
                guint64            in_store,
                GArray            *rows,
                EtwsExportFormat   format,
                const char        *path,
                GCancellable      *cancellable,
                EtwsProgressFunc   progress,
                gpointer           progress_data,
                GError           **error)
{
  g_autoptr(EtwsAtomicFile) file = NULL;
  g_autoptr(GError) local = NULL;

  file = etws_atomic_file_new (path, error);
  if (file == NULL)
    return FALSE;
  if (!export_write (store, trace, in_store, rows, format, ETWS_EXPORT_FLAGS_NONE,
                     etws_atomic_file_get_stream (file), cancellable, progress, progress_data,
                     &local))
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, local->domain, local->code, "Could not write “%s”: %s", path,
                     local->message);
      return FALSE;
    }
  return etws_atomic_file_commit (file, error);
}

gboolean
etws_export_to_file (EtwsStore         *store,
                     GArray            *rows,
                     EtwsExportFormat   format,
                     const char        *path,
                     GCancellable      *cancellable,
                     EtwsProgressFunc   progress,
                     gpointer           progress_data,
                     GError           **error)
{
  return export_to_file (store, etws_store_get_trace (store), etws_store_get_n_rows (store),
                         rows, format, path,
                         cancellable, progress, progress_data, error);
}

typedef struct
{
  EtwsStore        *store;
  EtwsTrace        *trace;
  GArray           *rows;
  guint64           in_store;
  EtwsExportFormat  format;
  char             *path;
  gsize             done;   /* atomic */
  guint64           total;
  EtwsProgressFunc  progress;
  gpointer          progress_data;
  GDestroyNotify    progress_destroy;
  GSource          *timer;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_source_unref (job->timer);
    }
  if (job->progress_destroy != NULL)
    job->progress_destroy (job->progress_data);
  g_clear_object (&job->store);
  g_clear_object (&job->trace);
  g_clear_pointer (&job->rows, g_array_unref);
  g_free (job->path);
  g_free (job);
}

static void
export_progress (guint64  done,
                 guint64  total,
                 gpointer data)
{
  ExportJob *job = data;
  g_atomic_pointer_set (&job->done, (gsize) done);
}

static gboolean
export_tick_cb (gpointer data)
{
  ExportJob *job = data;

  if (job->progress != NULL)
    job->progress ((guint64) g_atomic_pointer_get (&job->done), job->total, job->progress_data);
  return G_SOURCE_CONTINUE;
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ExportJob *job = data;
  GError *error = NULL;

  if (export_to_file (job->store, job->trace, job->in_store, job->rows, job->format, job->path,
                      cancellable, export_progress, job, &error))
    g_task_return_int (task, (gssize) job->total);
  else
    g_task_return_error (task, error);
}

static void
export_inner_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExportJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  etws_store_release (job->store);
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_clear_pointer (&job->timer, g_source_unref);
    }
  n = g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

void
etws_export_to_file_async (EtwsStore          *store,
                           GArray             *rows,
                           EtwsExportFormat    format,
                           const char         *path,
                           GCancellable       *cancellable,
                           EtwsProgressFunc    progress,
                           gpointer            progress_data,
                           GDestroyNotify      progress_destroy,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  ExportJob *job;

  g_return_if_fail (ETWS_IS_STORE (store));
  g_return_if_fail (path != NULL);

  job = g_new0 (ExportJob, 1);
  job->store = g_object_ref (store);
  job->trace = etws_store_get_trace (store) != NULL ? g_object_ref (etws_store_get_trace (store)) : NULL;
  job->rows = rows != NULL ? g_array_ref (rows) : NULL;
  job->in_store = etws_store_get_n_rows (store);
  job->total = rows != NULL ? rows->len : job->in_store;
  job->format = format;
  job->path = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, etws_export_to_file_async);
  g_task_set_task_data (task, job, export_job_free);
  if (progress != NULL)
    {
      job->timer = g_timeout_source_new (100);
      g_source_set_callback (job->timer, export_tick_cb, job, NULL);
      g_source_attach (job->timer, g_main_context_get_thread_default ());
    }

  etws_store_hold (store);
  inner = g_task_new (NULL, cancellable, export_inner_done_cb, g_object_ref (task));
  g_task_set_task_data (inner, job, NULL);
  g_task_run_in_thread (inner, export_thread);
}

gint64
etws_export_to_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  return g_task_propagate_int (G_TASK (result), error);
}
