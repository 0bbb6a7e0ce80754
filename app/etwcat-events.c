/* etwcat-events.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <stdio.h>

#include "etw-bytes.h"
#include "etw-decode.h"
#include "etwcat-private.h"
#include "etws-format.h"
#include "etws-trace-file.h"

static int
print_events (EtwsTraceFile *trace,
              gboolean       jsonl)
{
  const EtlFile *etl = etws_trace_file_get_etl (trace);
  EtlIter *iter = etl_iter_new (etl, ETL_ORDER_TIME);
  EtwDecoder *decoder = etw_decoder_new ();
  g_autofree EtwDecoded *dec = g_new0 (EtwDecoded, 1);
  g_autoptr(GString) line = g_string_sized_new (1024);
  g_autofree EtwsStackFrame *frames = g_new0 (EtwsStackFrame, 256);
  EtwEvent ev;
  int ret = ETWCAT_EXIT_OK;

  while (etl_iter_next (iter, &ev))
    {
      guint n_frames = 0;

      etw_decoder_observe (decoder, &ev);
      etw_decode (decoder, &ev, ETW_DECODE_SUMMARY | (jsonl ? ETW_DECODE_FIELDS : 0), dec);
      g_string_truncate (line, 0);
      if (jsonl)
        {
          for (guint i = 0; i < ev.n_frames && i < 256; i++)
            {
              frames[i].address = ev.frame_size == 8 ? etw_rd_u64 (ev.stack + 8 * i)
                                                     : etw_rd_u32 (ev.stack + 4 * i);
              frames[i].symbol = NULL;
              n_frames++;
            }
          etws_format_jsonl (line, &ev, dec, frames, n_frames);
        }
      else
        etws_format_text_line (line, &ev, dec);
      g_string_append_c (line, '\n');
      fwrite (line->str, 1, line->len, stdout);
    }
  fflush (stdout);

  if (etl_iter_error (iter)->code != ETL_OK)
    {
      g_autoptr(GError) error = etws_trace_error_from_etl (etl_iter_error (iter),
                                                           etws_trace_file_get_path (trace));
      g_printerr ("etwcat: %s\n", error->message);
      ret = ETWCAT_EXIT_DAMAGED;
    }
  etw_decoder_free (decoder);
  etl_iter_free (iter);
  return ret;
}

int
etwcat_run_events (const EtwcatOptions *options)
{
  gboolean jsonl = g_strcmp0 (options->format, "jsonl") == 0;
  int ret = ETWCAT_EXIT_OK;

  if (options->filter != NULL || options->output != NULL ||
      (options->format != NULL && !jsonl && g_strcmp0 (options->format, "text") != 0))
    {
      g_printerr ("etwcat: --filter, -o and formats other than text and jsonl are not built yet\n");
      return ETWCAT_EXIT_USAGE;
    }
  for (guint i = 0; options->files[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsTraceFile) trace = etws_trace_file_open (options->files[i], NULL, &error);
      g_autoptr(GError) damage = NULL;
      int r;

      if (trace == NULL)
        {
          g_printerr ("etwcat: %s\n", error->message);
          ret = ETWCAT_EXIT_DAMAGED;
          continue;
        }
      r = print_events (trace, jsonl);
      damage = etws_trace_file_dup_damage (trace);
      if (damage != NULL && r == ETWCAT_EXIT_OK && etws_trace_file_is_gzip (trace))
        {
          g_printerr ("etwcat: %s\n", damage->message);
          r = ETWCAT_EXIT_DAMAGED;
        }
      if (r != ETWCAT_EXIT_OK)
        ret = r;
    }
  return ret;
}
