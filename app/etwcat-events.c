/* etwcat-events.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Event output: each file goes through the same path as the viewer (file
 * source → worker → store), so that StackWalk records are joined to their
 * events, and filters and formats are the viewer's own.
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "etwcat-private.h"
#include "etws-export.h"
#include "etws-file-source.h"
#include "etws-filter.h"
#include "etws-store.h"
#include "etws-worker.h"

#ifdef G_OS_UNIX
# include <gio/gunixoutputstream.h>
# include <unistd.h>
#else
# include <gio/gwin32outputstream.h>
#endif

typedef struct
{
  GError *damage;
  GError *failure;
} LoadState;

static void
damage_cb (EtwsWorker   *worker,
           const GError *error,
           LoadState    *state)
{
  if (state->damage == NULL)
    state->damage = g_error_copy (error);
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             LoadState    *state)
{
  if (error != NULL && state->failure == NULL)
    state->failure = g_error_copy (error);
}

/* Loads a whole file into a store, headless. */
static EtwsStore *
load (const char  *path,
      GError     **damage,
      GError     **error)
{
  g_autoptr(EtwsSource) source = etws_file_source_new (path);
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  g_autoptr(EtwsStore) store = etws_store_new ();
  LoadState state = { NULL, NULL };
  gulong h1, h2;

  etws_store_attach (store, worker);
  h1 = g_signal_connect (worker, "damage", G_CALLBACK (damage_cb), &state);
  h2 = g_signal_connect (worker, "finished", G_CALLBACK (finished_cb), &state);
  etws_worker_start (worker);
  etws_worker_wait (worker);
  g_signal_handler_disconnect (worker, h1);
  g_signal_handler_disconnect (worker, h2);

  if (state.failure != NULL)
    {
      g_clear_error (&state.damage);
      g_propagate_error (error, state.failure);
      return NULL;
    }
  if (state.damage != NULL)
    g_propagate_error (damage, state.damage);
  return g_steal_pointer (&store);
}

static void
print_filter_error (const char   *expression,
                    const GError *error)
{
  guint offset = 0, length = 0, column = 0;

  g_printerr ("etwcat: bad --filter: %s\n", error->message);
  if (etws_filter_error_get_span (error, &offset, &length, &column) && strchr (expression, '\n') == NULL)
    {
      GString *caret = g_string_new ("  ");
      guint chars = (guint) g_utf8_strlen (expression + offset, MIN (length, strlen (expression) - offset));

      for (guint i = 1; i < column; i++)
        g_string_append_c (caret, ' ');
      g_string_append_c (caret, '^');
      for (guint i = 1; i < chars; i++)
        g_string_append_c (caret, '~');
      g_printerr ("  %s\n%s\n", expression, caret->str);
      g_string_free (caret, TRUE);
    }
}

int
etwcat_run_events (const EtwcatOptions *options)
{
  EtwsExportFormat format = ETWS_EXPORT_TEXT;
  g_autoptr(EtwsFilter) filter = NULL;
  g_autoptr(EtwsAtomicFile) file = NULL;
  g_autoptr(GOutputStream) stdout_stream = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *out;
  gboolean header_done = FALSE;
  int ret = ETWCAT_EXIT_OK;

  if (options->format != NULL && !etws_export_format_from_string (options->format, &format))
    {
      g_printerr ("etwcat: unknown format “%s”\n", options->format);
      return ETWCAT_EXIT_USAGE;
    }
  if (options->filter != NULL)
    {
      filter = etws_filter_new (options->filter, &error);
      if (filter == NULL)
        {
          print_filter_error (options->filter, error);
          return ETWCAT_EXIT_USAGE;
        }
    }

  if (options->output != NULL)
    {
      file = etws_atomic_file_new (options->output, &error);
      if (file == NULL)
        {
          g_printerr ("etwcat: %s\n", error->message);
          return ETWCAT_EXIT_DAMAGED;
        }
      out = etws_atomic_file_get_stream (file);
    }
  else
    {
#ifdef G_OS_UNIX
      stdout_stream = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
#else
      stdout_stream = g_win32_output_stream_new_from_fd (1, FALSE);
#endif
      out = stdout_stream;
    }

  for (guint i = 0; options->files[i] != NULL; i++)
    {
      g_autoptr(GError) damage = NULL;
      g_autoptr(GError) load_error = NULL;
      g_autoptr(GError) write_error = NULL;
      g_autoptr(EtwsStore) store = load (options->files[i], &damage, &load_error);
      g_autoptr(GArray) rows = NULL;

      if (store == NULL)
        {
          g_printerr ("etwcat: %s\n", load_error->message);
          ret = ETWCAT_EXIT_DAMAGED;
          continue;
        }
      if (filter != NULL && !etws_filter_matches_all (filter))
        rows = etws_filter_evaluate_rows (filter, store, NULL);
      if (!etws_export_write (store, etws_store_get_trace (store), rows, format,
                              header_done ? ETWS_EXPORT_FLAGS_NO_HEADER : ETWS_EXPORT_FLAGS_NONE,
                              out, NULL, NULL, NULL, &write_error))
        {
          g_printerr ("etwcat: could not write %s: %s\n",
                      options->output != NULL ? options->output : "the output",
                      write_error->message);
          /* The atomic file is discarded; the target stays as it was. */
          return ETWCAT_EXIT_DAMAGED;
        }
      header_done = TRUE;
      if (damage != NULL)
        {
          /* Everything before the damage was written. */
          g_printerr ("etwcat: %s\n", damage->message);
          ret = ETWCAT_EXIT_DAMAGED;
        }
    }

  if (file != NULL)
    {
      if (!etws_atomic_file_commit (file, &error))
        {
          g_printerr ("etwcat: %s\n", error->message);
          return ETWCAT_EXIT_DAMAGED;
        }
    }
  else if (!g_output_stream_flush (out, NULL, &error))
    {
      g_printerr ("etwcat: could not write the output: %s\n", error->message);
      return ETWCAT_EXIT_DAMAGED;
    }
  return ret;
}
