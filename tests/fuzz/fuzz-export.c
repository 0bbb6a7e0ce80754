/* fuzz-export.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The writers fed decoded events: events in fuzz-decode.c's format are
 * decoded (fields, detail, summary) and written by every formatter the
 * exporters use (JSON Lines with a stack, text, CSV, Process Monitor CSV,
 * columns). Each output must be what its format promises
 * (fuzz-output-check.h). fuzz-export-file.c takes the whole path instead.
 */
#define G_LOG_DOMAIN "fuzz-export"

#include "config.h"

#include "fuzz-decode-common.h"
#include "fuzz-output-check.h"

#include "etws-format.h"

static void
check_one (EtwsExportFormat  format,
           GString          *header,
           GString          *row)
{
  g_string_append_c (header, '\n');
  g_string_append_len (header, row->str, (gssize) row->len);
  g_string_append_c (header, '\n');
  check_output (format, header->str, header->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzIn in = { data, size };
  EtwDecoder *dec = etw_decoder_new ();
  FuzzEventState st = { 0 };

  FUZZ_CHECK (dec != NULL);
  for (int n = 0; n < 64; n++)
    {
      EtwEvent ev;
      unsigned flags;
      EtwsStackFrame frames[8];
      guint n_frames = 0;

      if (!fuzz_next_event (&in, &st, &ev, &flags))
        break;
      /* The exporters always ask for everything. */
      fuzz_decode_event (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS);
      const EtwDecoded *d = &fuzz_decoded;

      /* A stack from the payload's first words, half of them named. */
      for (uint32_t i = 0; i + 8 <= ev.payload_len && n_frames < G_N_ELEMENTS (frames); i += 8)
        {
          memcpy (&frames[n_frames].address, ev.payload + i, 8);
          frames[n_frames].symbol = (i / 8) % 2 ? d->provider_name : NULL;
          n_frames++;
        }

      g_autoptr(GString) row = g_string_new (NULL);
      g_autoptr(GString) head = g_string_new (NULL);

      etws_format_jsonl (row, &ev, d, frames, n_frames);
      FUZZ_CHECK (memchr (row->str, '\n', row->len) == NULL);
      check_one (ETWS_EXPORT_JSONL, head, row);

      g_string_truncate (row, 0);
      g_string_truncate (head, 0);
      etws_format_text_line (row, &ev, d);
      FUZZ_CHECK (g_utf8_validate (row->str, (gssize) row->len, NULL));

      g_string_truncate (row, 0);
      etws_format_csv_header (head);
      etws_format_csv_row (row, (guint64) n, &ev, d);
      check_one (ETWS_EXPORT_CSV, head, row);

      g_string_truncate (row, 0);
      g_string_truncate (head, 0);
      etws_format_procmon_csv_header (head);
      etws_format_procmon_csv_row (row, &ev, d);
      check_one (ETWS_EXPORT_PROCMON_CSV, head, row);

      g_string_truncate (row, 0);
      g_string_truncate (head, 0);
      etws_format_columns_header (head);
      etws_format_columns_line (row, &ev, d);
      FUZZ_CHECK (memchr (row->str, '\n', row->len) == NULL);
      check_one (ETWS_EXPORT_COLUMNS, head, row);

      free ((void *) ev.payload);
    }
  etw_decoder_free (dec);
  return 0;
}
