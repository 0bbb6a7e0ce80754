/* fuzz-etl.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A whole .etl file: open, walk in file order and in time order, re-read
 * records by random access (those delivered, and made-up positions), and
 * the --summary counts. Both orders must deliver the same records.
 */
#include "fuzz-common.h"

#include "etl-reader.h"
#include "etl-summary.h"

#define MAX_KEPT 4096

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EtlError err;
  EtlFile *file = etl_file_open (data, size, &err);
  EtwEvent ev;
  uint64_t n_file = 0, n_time = 0;
  uint32_t kept_buf[MAX_KEPT], kept_off[MAX_KEPT], kept_len[MAX_KEPT];
  uint32_t n_kept = 0;

  if (file == NULL)
    {
      FUZZ_CHECK (err.code != ETL_OK && err.message[0] != '\0');
      FUZZ_CHECK (err.offset <= size);
      return 0;
    }
  FUZZ_CHECK (etl_file_info (file) != NULL);
  for (uint32_t i = 0; i < etl_file_n_buffers (file); i++)
    {
      const EtlBuffer *b = etl_file_buffer (file, i);
      FUZZ_CHECK (b->file_offset + b->size <= size);
    }
  FUZZ_CHECK (etl_file_buffer (file, etl_file_n_buffers (file)) == NULL);

  EtlIter *it = etl_iter_new (file, ETL_ORDER_FILE);
  FUZZ_CHECK (it != NULL);
  while (etl_iter_next (it, &ev))
    {
      char text[ETW_FILETIME_TEXT_SIZE];

      fuzz_touch_event (&ev);
      FUZZ_CHECK (ev.buffer_index < etl_file_n_buffers (file));
      /* What every view does with the time of an event. */
      etw_filetime_format (ev.time, text);
      FUZZ_CHECK (memchr (text, '\0', sizeof text) != NULL);
      (void) etw_filetime_from_unix_ns (etw_filetime_to_unix_ns (ev.time));
      if (n_kept < MAX_KEPT)
        {
          kept_buf[n_kept] = ev.buffer_index;
          kept_off[n_kept] = ev.buffer_offset;
          kept_len[n_kept] = ev.record_len;
          n_kept++;
        }
      n_file++;
    }
  const EtlError *e = etl_iter_error (it);
  if (e->code != ETL_OK)
    FUZZ_CHECK (e->message[0] != '\0' && e->offset <= size);
  uint32_t errors_file = etl_iter_n_errors (it);
  FUZZ_CHECK (etl_iter_position (it) <= size);
  etl_iter_free (it);

  it = etl_iter_new (file, ETL_ORDER_TIME);
  FUZZ_CHECK (it != NULL);
  while (etl_iter_next (it, &ev))
    {
      fuzz_touch_event (&ev);
      n_time++;
    }
  FUZZ_CHECK (n_time == n_file);
  FUZZ_CHECK (etl_iter_n_errors (it) == errors_file);
  etl_iter_free (it);

  EtlAccess *acc = etl_access_new (file);
  FUZZ_CHECK (acc != NULL);
  for (uint32_t i = 0; i < n_kept; i++)
    {
      FUZZ_CHECK (etl_access_read (acc, kept_buf[i], kept_off[i], &ev));
      FUZZ_CHECK (ev.record_len == kept_len[i]);
      fuzz_touch_event (&ev);
    }
  /* Positions nobody delivered: refused or read, never out of bounds. */
  for (size_t i = 0; i + 8 <= size && i < 64 * 8; i += 8)
    {
      uint32_t b = (uint32_t) (data[i] | data[i + 1] << 8) % (etl_file_n_buffers (file) + 1);
      uint32_t off = (uint32_t) data[i + 2] | (uint32_t) data[i + 3] << 8 |
                     (uint32_t) data[i + 4] << 16 | (uint32_t) data[i + 5] << 24;
      if (etl_access_read (acc, b, off, &ev))
        fuzz_touch_event (&ev);
    }
  etl_access_free (acc);

  EtlSummary sum;
  if (etl_summary_compute (file, &sum))
    {
      FUZZ_CHECK (sum.events == n_file);
      uint32_t n_prov = 0;
      EtlProviderCount *sorted = etl_summary_sorted_providers (&sum, &n_prov);
      free (sorted);
      etl_summary_clear (&sum);
    }

  for (int64_t raw = -3; raw <= 3; raw++)
    (void) etl_file_raw_to_filetime (file, INT64_C (0x7fffffffffffffff) / 3 * raw);
  etl_file_free (file);
  return 0;
}
