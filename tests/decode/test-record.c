/* test-record.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Live events are stored as records and read back through the file parser;
 * every fixture event must survive the round trip unchanged, and field
 * lists must round-trip too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-record.h"
#include "mini-json.h"
#include "tap.h"

static bool
same_event (const EtwEvent *a,
            const EtwEvent *b)
{
  if (a->raw_time != b->raw_time || a->time != b->time || a->pid != b->pid || a->tid != b->tid ||
      a->cpu != b->cpu || a->id != b->id || a->version != b->version || a->opcode != b->opcode ||
      a->level != b->level || a->task != b->task || a->keyword != b->keyword ||
      a->hook_id != b->hook_id || a->kind != b->kind || a->pointer_size != b->pointer_size ||
      a->channel != b->channel || !etw_guid_equal (&a->provider, &b->provider) ||
      !etw_guid_equal (&a->activity_id, &b->activity_id) || a->payload_len != b->payload_len ||
      memcmp (a->payload, b->payload, a->payload_len) != 0 || a->n_frames != b->n_frames)
    return false;
  for (uint32_t i = 0; i < a->n_frames; i++)
    {
      uint64_t fa = a->frame_size == 8 ? etw_rd_u64 (a->stack + 8 * i) : etw_rd_u32 (a->stack + 4 * i);
      uint64_t fb = b->frame_size == 8 ? etw_rd_u64 (b->stack + 8 * i) : etw_rd_u32 (b->stack + 4 * i);
      if (fa != fb)
        return false;
    }
  /* Extended items other than stacks come back in order. */
  uint32_t j = 0;
  for (uint32_t i = 0; i < a->n_ext; i++)
    {
      if (a->ext[i].type == ETW_EXT_STACK_TRACE32 || a->ext[i].type == ETW_EXT_STACK_TRACE64)
        continue;
      while (j < b->n_ext && (b->ext[j].type == ETW_EXT_STACK_TRACE64))
        j++;
      if (j >= b->n_ext || b->ext[j].type != a->ext[i].type || b->ext[j].size != a->ext[i].size ||
          memcmp (b->ext[j].data, a->ext[i].data, a->ext[i].size) != 0)
        return false;
      j++;
    }
  return true;
}

static void
round_trip_fixture (const char *dir,
                    const char *name)
{
  char path[4096];
  size_t len;
  char *data;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev, back;
  uint8_t *buf = malloc (ETW_RECORD_MAX + 64);
  uint64_t n = 0, good = 0;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  data = mj_read_file (path, &len);
  if (data == NULL)
    {
      tap_check (false, "read %s", path);
      free (buf);
      return;
    }
  f = etl_file_open ((const uint8_t *) data, len, &err);
  it = etl_iter_new (f, ETL_ORDER_TIME);
  while (etl_iter_next (it, &ev))
    {
      size_t w = etw_record_write (&ev, buf, ETW_RECORD_MAX + 64);
      n++;
      if (w > 0 && w % 8 == 0 && w >= etw_record_size (&ev) - 8 &&
          etw_record_read (buf, w, &back) && same_event (&ev, &back))
        good++;
    }
  tap_check (n > 0 && good == n, "%s: %llu of %llu events round-trip through a stored record", name,
             (unsigned long long) good, (unsigned long long) n);
  etl_iter_free (it);
  etl_file_free (f);
  free (data);
  free (buf);
}

static void
field_list (void)
{
  uint8_t buf[512];
  uint8_t v4[4] = { 10, 0, 0, 10 };
  EtwFieldWriter w;
  EtwFieldReader r;
  EtwField f;
  EtwGuid g;
  int n = 0;
  bool ok = true;

  etw_guid_parse ("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", &g);
  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "PID", 1234);
  etw_fw_int (&w, "Delta", -5);
  etw_fw_string (&w, "OpenPath", "C:\\Temp\\test.txt");
  etw_fw_pointer (&w, "FileObject", 0x1000);
  etw_fw_ipv4 (&w, "saddr", v4);
  etw_fw_guid (&w, "Guid", &g);
  etw_fw_double (&w, "Ratio", 0.25);
  etw_fw_array_begin (&w, "Items", 2);
  etw_fw_uint (&w, NULL, 1);
  etw_fw_uint (&w, NULL, 2);
  etw_fw_array_end (&w);
  tap_check (!w.overflow, "field list written");

  etw_fr_init (&r, buf, w.len);
  while (etw_fr_next (&r, &f))
    {
      switch (n++)
        {
        case 0: ok &= strcmp (f.name, "PID") == 0 && f.type == ETW_VAL_UINT && f.v.u == 1234; break;
        case 1: ok &= f.type == ETW_VAL_INT && f.v.i == -5; break;
        case 2: ok &= f.type == ETW_VAL_STRING && strcmp (f.v.s, "C:\\Temp\\test.txt") == 0; break;
        case 3: ok &= f.type == ETW_VAL_POINTER && f.v.u == 0x1000; break;
        case 4: ok &= f.type == ETW_VAL_IPV4 && memcmp (f.v.ip, v4, 4) == 0; break;
        case 5: ok &= f.type == ETW_VAL_GUID && etw_guid_equal (&f.v.g, &g); break;
        case 6: ok &= f.type == ETW_VAL_DOUBLE && f.v.d == 0.25; break;
        case 7: ok &= f.type == ETW_VAL_ARRAY_BEGIN && f.len == 2 && f.depth == 0; break;
        case 8: ok &= f.type == ETW_VAL_UINT && f.depth == 1 && f.v.u == 1; break;
        case 9: ok &= f.type == ETW_VAL_UINT && f.depth == 1 && f.v.u == 2; break;
        case 10: ok &= f.type == ETW_VAL_ARRAY_END && f.depth == 0; break;
        default: ok = false; break;
        }
    }
  tap_check (ok && n == 11 && !r.error, "field list reads back (%d entries)", n);

  /* A writer that runs out of room keeps what fits and flags it. */
  etw_fw_init (&w, buf, 20);
  etw_fw_string (&w, "Name", "a string much longer than the room left");
  etw_fw_uint (&w, "X", 1);
  etw_fr_init (&r, buf, w.len);
  tap_check (w.overflow && w.len == 0 && !etw_fr_next (&r, &f) && !r.error,
             "overflowing writer leaves a valid (empty) list");

  /* Truncated input is an error, never a read past the end. */
  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_string (&w, "Name", "abc");
  etw_fr_init (&r, buf, w.len - 1);
  tap_check (!etw_fr_next (&r, &f) && r.error, "truncated field list is reported");
}

int
main (void)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");

  if (dir == NULL)
    dir = "../shared/fixtures/etl";
  round_trip_fixture (dir, "perfview_net.4.5.2.x64.etl");
  round_trip_fixture (dir, "airbus_AMSITrace.etl");
  round_trip_fixture (dir, "perfview_smallEtlFile.etl");
  round_trip_fixture (dir, "tx_Process.etl");
  field_list ();
  return tap_done ();
}
