/* etwcat-live.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwcat --live: prints kernel events as they arrive, through the same
 * worker, sink and record store as the viewer, so what etwcat shows is
 * what the viewer would show. Lost and dropped counts always end on
 * stderr, even when they are zero.
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "etw-decode.h"
#include "etwcat-private.h"
#include "etws-format.h"
#include "etws-live.h"
#include "etws-trace.h"
#include "etws-worker.h"

typedef struct
{
  gboolean          jsonl;
  gboolean          stacks;
  EtwsSource       *source;
  EtwsWorker       *worker;
  EtwsTrace        *trace;
  EtwsRecordReader *reader;
  EtwDecoder       *decoder;
  EtwDecoded       *dec;
  GString          *line;
  EtwsStackFrame   *frames;
  guint64           printed;
  guint             signals;
  guint             duration_id;
  gboolean          output_failed;
  GError           *error;
} LiveCat;

static void
opened_cb (EtwsWorker *worker,
           EtwsTrace  *trace,
           LiveCat    *lc)
{
  lc->trace = g_object_ref (trace);
  lc->reader = etws_record_reader_new (trace);
}

static void
print_row (LiveCat       *lc,
           const EtwsRow *row)
{
  const EtwsFrame *frames = NULL;
  guint n_frames = 0;
  EtwEvent ev;

  if (row->locator == G_MAXUINT64 || !etws_record_reader_read (lc->reader, row->locator, &ev))
    return;
  etw_decoder_observe (lc->decoder, &ev);
  etw_decode (lc->decoder, &ev, ETW_DECODE_SUMMARY | (lc->jsonl ? ETW_DECODE_FIELDS : 0), lc->dec);
  /* The sink's name: it also saw the events that made no row (a Process
   * event observed while the Process provider is off). */
  if (row->process != 0)
    lc->dec->process_name = etws_trace_string (lc->trace, row->process);
  if (row->stack != 0)
    frames = etws_trace_stack (lc->trace, row->stack, &n_frames);

  g_string_truncate (lc->line, 0);
  if (lc->jsonl)
    {
      n_frames = MIN (n_frames, 256);
      for (guint i = 0; i < n_frames; i++)
        {
          lc->frames[i].address = frames[i].address;
          lc->frames[i].symbol = frames[i].symbol != 0 ? etws_trace_string (lc->trace, frames[i].symbol) : NULL;
        }
      etws_format_jsonl (lc->line, &ev, lc->dec, lc->frames, n_frames);
      g_string_append_c (lc->line, '\n');
    }
  else
    {
      etws_format_text_line (lc->line, &ev, lc->dec);
      g_string_append_c (lc->line, '\n');
      /* The stack under its event, innermost frame first. */
      for (guint i = 0; i < n_frames; i++)
        {
          const char *symbol = frames[i].symbol != 0 ? etws_trace_string (lc->trace, frames[i].symbol) : NULL;
          if (symbol != NULL)
            g_string_append_printf (lc->line, "    %s\n", symbol);
          else
            g_string_append_printf (lc->line, "    0x%" G_GINT64_MODIFIER "x\n", frames[i].address);
        }
    }
  if (fwrite (lc->line->str, 1, lc->line->len, stdout) != lc->line->len)
    lc->output_failed = TRUE;
  lc->printed++;
}

static void
batch_cb (EtwsWorker *worker,
          EtwsBatch  *batch,
          LiveCat    *lc)
{
  guint64 last_locator = G_MAXUINT64;

  if (lc->output_failed || lc->reader == NULL)
    return;
  for (guint i = 0; i < batch->n_rows && !lc->output_failed; i++)
    {
      print_row (lc, &batch->rows[i]);
      if (batch->rows[i].locator != G_MAXUINT64)
        last_locator = batch->rows[i].locator;
    }
  if (fflush (stdout) != 0)
    lc->output_failed = TRUE;
  /* Printed rows are never read again: keep memory flat however long
   * the capture runs. */
  if (last_locator != G_MAXUINT64)
    etws_trace_drop_records_before (lc->trace, last_locator);
  if (lc->output_failed)
    {
      /* The reader went away (a closed pipe): end quietly. */
      etws_worker_stop (lc->worker);
    }
}

static void
notice_cb (EtwsWorker *worker,
           const char *notice,
           LiveCat    *lc)
{
  g_printerr ("etwcat: %s\n", notice);
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             LiveCat      *lc)
{
  if (error != NULL)
    lc->error = g_error_copy (error);
}

static gboolean
stop_cb (gpointer data)
{
  LiveCat *lc = data;

  /* First: end the capture and print what is still in the rings.
   * Again: drop the rest and quit now. */
  if (lc->signals++ == 0)
    etws_source_stop (lc->source);
  else
    etws_worker_stop (lc->worker);
  return G_SOURCE_CONTINUE;
}

static gboolean
duration_cb (gpointer data)
{
  LiveCat *lc = data;

  lc->duration_id = 0;
  etws_source_stop (lc->source);
  return G_SOURCE_REMOVE;
}

/* The command line that would work, for the "needs root" message. */
static char *
root_command (const EtwcatOptions *options)
{
  GString *cmd = g_string_new ("sudo ");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  g_string_append (cmd, exe != NULL ? exe : "etwcat");
  g_string_append (cmd, " --live");
  if (options->providers != NULL)
    g_string_append_printf (cmd, " --providers %s", options->providers);
  for (guint i = 0; i < options->n_pids; i++)
    g_string_append_printf (cmd, " --pid %d", options->pids[i]);
  if (options->children)
    g_string_append (cmd, " --children");
  if (options->duration > 0)
    g_string_append_printf (cmd, " --duration %g", options->duration);
  if (options->stacks)
    g_string_append (cmd, " --stacks");
  if (options->format != NULL)
    g_string_append_printf (cmd, " --format %s", options->format);
  return g_string_free (cmd, FALSE);
}

int
etwcat_run_live (const EtwcatOptions *options)
{
  g_autoptr(GError) error = NULL;
  EtwsLiveOptions live;
  LiveCat lc = { 0 };
  guint sigint, sigterm;
  int ret = ETWCAT_EXIT_OK;

  if ((options->format != NULL && g_strcmp0 (options->format, "text") != 0 &&
       g_strcmp0 (options->format, "jsonl") != 0) || options->filter != NULL || options->output != NULL)
    {
      g_printerr ("etwcat: --live prints text or jsonl to standard output (no --filter, no -o yet)\n");
      return ETWCAT_EXIT_USAGE;
    }
  if (options->children && options->n_pids == 0)
    {
      g_printerr ("etwcat: --children needs --pid\n");
      return ETWCAT_EXIT_USAGE;
    }

  if (!etws_live_check (&error))
    {
      if (g_error_matches (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION))
        {
          g_autofree char *cmd = root_command (options);
          g_printerr ("etwcat: live capture of kernel events needs root (or CAP_PERFMON with read "
                      "access to /sys/kernel/tracing). Run:\n  %s\n", cmd);
        }
      else
        g_printerr ("etwcat: %s\n", error->message);
      return ETWCAT_EXIT_DAMAGED;
    }

  etws_live_options_init (&live);
  if (options->providers != NULL)
    live.providers = g_strsplit_set (options->providers, ", ", -1);
  if (options->n_pids > 0)
    live.pids = g_memdup2 (options->pids, (options->n_pids + 1) * sizeof (int));
  live.include_children = options->children;
  live.stacks = options->stacks;
  live.fields = !options->no_fields;
  live.ring_kb = options->ring_kb;
  live.max_events = options->max_events;

  lc.source = etws_live_source_new (&live, &error);
  etws_live_options_clear (&live);
  if (lc.source == NULL)
    {
      g_printerr ("etwcat: %s\n", error->message);
      return g_error_matches (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED) &&
             g_str_has_prefix (error->message, "Unknown provider") ? ETWCAT_EXIT_USAGE : ETWCAT_EXIT_DAMAGED;
    }

  /* A closed pipe shows up as a failed write, not as a signal. */
  signal (SIGPIPE, SIG_IGN);
  lc.jsonl = g_strcmp0 (options->format, "jsonl") == 0;
  lc.stacks = options->stacks;
  lc.decoder = etw_decoder_new ();
  lc.dec = g_new0 (EtwDecoded, 1);
  lc.line = g_string_sized_new (1024);
  lc.frames = g_new0 (EtwsStackFrame, 256);
  lc.worker = etws_worker_new (lc.source);
  /* Printing can be slower than capturing for a while: queue more
   * before batches are dropped (and counted). */
  etws_worker_set_max_queued (lc.worker, 1024);
  g_signal_connect (lc.worker, "opened", G_CALLBACK (opened_cb), &lc);
  g_signal_connect (lc.worker, "batch", G_CALLBACK (batch_cb), &lc);
  g_signal_connect (lc.worker, "notice", G_CALLBACK (notice_cb), &lc);
  g_signal_connect (lc.worker, "finished", G_CALLBACK (finished_cb), &lc);
  sigint = g_unix_signal_add (SIGINT, stop_cb, &lc);
  sigterm = g_unix_signal_add (SIGTERM, stop_cb, &lc);
  if (options->duration > 0)
    lc.duration_id = g_timeout_add ((guint) MIN (options->duration * 1000.0, (double) G_MAXUINT), duration_cb, &lc);

  etws_worker_start (lc.worker);
  etws_worker_wait (lc.worker);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (lc.duration_id != 0)
    g_source_remove (lc.duration_id);
  fflush (stdout);

  if (lc.error != NULL)
    {
      g_printerr ("etwcat: %s\n", lc.error->message);
      ret = ETWCAT_EXIT_DAMAGED;
    }
  /* Never silent about what is missing. */
  g_printerr ("etwcat: %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " lost by the kernel "
              "(ring overflow), %" G_GUINT64_FORMAT " dropped (output fell behind)\n",
              lc.printed, etws_worker_get_lost (lc.worker), etws_worker_get_dropped (lc.worker));

  g_clear_error (&lc.error);
  g_clear_pointer (&lc.reader, etws_record_reader_free);
  g_clear_object (&lc.trace);
  g_clear_object (&lc.worker);
  g_clear_object (&lc.source);
  etw_decoder_free (lc.decoder);
  g_free (lc.dec);
  g_free (lc.frames);
  g_string_free (lc.line, TRUE);
  return ret;
}
