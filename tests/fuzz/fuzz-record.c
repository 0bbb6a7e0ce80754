/* fuzz-record.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The record parsers: etw_record_read (live records) with a write/read
 * round trip, and etl_parse_record over the input as an event area.
 */
#include "fuzz-common.h"

#include "etl-reader.h"
#include "etw-guid.h"
#include "etw-record.h"

static void
round_trip (const EtwEvent *ev)
{
  size_t need = etw_record_size (ev);
  uint8_t *buf;
  size_t n;
  EtwEvent back;

  if (need > 4 * ETW_RECORD_MAX)
    need = 4 * ETW_RECORD_MAX;
  buf = malloc (need > 0 ? need : 1);
  FUZZ_CHECK (buf != NULL);
  n = etw_record_write (ev, buf, need);
  FUZZ_CHECK (n <= need && n % 8 == 0);
  if (n == 0)
    {
      free (buf);
      return;
    }
  FUZZ_CHECK (etw_record_read (buf, n, &back));
  fuzz_touch_event (&back);
  FUZZ_CHECK (back.pid == ev->pid && back.tid == ev->tid);
  FUZZ_CHECK (etw_guid_equal (&back.provider, &ev->provider));
  FUZZ_CHECK (back.id == ev->id && back.opcode == ev->opcode && back.version == ev->version);
  FUZZ_CHECK (back.raw_time == ev->raw_time && back.keyword == ev->keyword);
  FUZZ_CHECK (back.payload_len <= ev->payload_len);
  if (back.payload_len > 0)
    FUZZ_CHECK (memcmp (back.payload, ev->payload, back.payload_len) == 0);
  free (buf);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EtwEvent ev;
  EtlError err;

  if (etw_record_read (data, size, &ev))
    {
      fuzz_touch_event (&ev);
      round_trip (&ev);
    }

  /* The input as a buffer's event area: records from offset 0 on. */
  uint32_t used = size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t) size;
  uint32_t off = 0;
  for (int i = 0; i < 100000; i++)
    {
      long n = etl_parse_record (NULL, data, used, off, 0, &ev, &err);
      if (n <= 0)
        {
          if (n < 0)
            FUZZ_CHECK (err.code != ETL_OK && err.offset <= used);
          break;
        }
      fuzz_touch_event (&ev);
      FUZZ_CHECK (ev.record_len <= used - off && (uint32_t) n >= 8);
      off += (uint32_t) n;
    }
  /* Offsets at and past the end are the end, not a read. */
  FUZZ_CHECK (etl_parse_record (NULL, data, used, used, 0, &ev, &err) == 0);
  FUZZ_CHECK (etl_parse_record (NULL, data, used, 0xFFFFFFFFu, 0, &ev, &err) == 0);
  return 0;
}
