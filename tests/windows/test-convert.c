/* test-convert.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one conversion EVENT_RECORD → EtwEvent (session/windows), with
 * EVENT_RECORDs built here the way ETW delivers them: classic kernel,
 * manifest, TraceLogging with extended items, the 32-bit header flag,
 * STACK_TRACE32/64, the processor index. Then every event of the fixtures
 * is handed over as an EVENT_RECORD and must convert, be stored as a live
 * record (what the backend's queue does) and decode exactly as the .etl
 * reader's event does.
 *
 * Built with mingw-w64, run under wine64 (no ETW needed).
 */
#include <windows.h>
#include <evntcons.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-decode.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-record.h"
#include "etw-win-convert.h"
#include "mini-json.h"
#include "tap.h"

static GUID
win_guid (const EtwGuid *g)
{
  GUID w;

  w.Data1 = g->data1;
  w.Data2 = g->data2;
  w.Data3 = g->data3;
  memcpy (w.Data4, g->data4, 8);
  return w;
}

static void
init_record (EVENT_RECORD  *rec,
             const EtwGuid *provider,
             USHORT         flags,
             UCHAR          opcode,
             UCHAR          version,
             void          *payload,
             USHORT         len)
{
  memset (rec, 0, sizeof *rec);
  rec->EventHeader.Size = sizeof (EVENT_HEADER);
  rec->EventHeader.Flags = flags;
  rec->EventHeader.ProcessId = 4242;
  rec->EventHeader.ThreadId = 4343;
  rec->EventHeader.TimeStamp.QuadPart = 123456789;
  rec->EventHeader.ProviderId = win_guid (provider);
  rec->EventHeader.EventDescriptor.Opcode = opcode;
  rec->EventHeader.EventDescriptor.Version = version;
  rec->BufferContext.ProcessorNumber = 3;
  rec->UserData = payload;
  rec->UserDataLength = len;
}

static void
classic_kernel (const EtwWinClock *clock)
{
  uint8_t payload[48];
  EVENT_RECORD rec;
  EtwEvent ev;

  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t) i;
  init_record (&rec, &ETW_GUID_PROCESS,
               EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 1, 4,
               payload, sizeof payload);
  rec.EventHeader.EventDescriptor.Level = 4;
  tap_check (etw_win_convert (&rec, clock, &ev), "classic: converts");
  tap_check (etw_guid_equal (&ev.provider, &ETW_GUID_PROCESS) && ev.opcode == 1 && ev.version == 4,
             "classic: Process class GUID, opcode 1, version 4");
  tap_check (ev.hook_id == 0x0301, "classic: hook id 0x%04x is group Process, type 1", ev.hook_id);
  tap_check ((ev.flags & ETW_FLAG_CLASSIC_HEADER) && ev.pointer_size == 8,
             "classic: classic flag kept, 64-bit header gives 8-byte pointers");
  tap_check (ev.kind == ETW_HDR_SYSTEM && ev.origin == ETW_ORIGIN_ETW_LIVE && ev.header_type == 0,
             "classic: a kernel class has the kind of a system header, live origin");
  tap_check (ev.pid == 4242 && ev.tid == 4343 && ev.cpu == 3 && ev.level == 4,
             "classic: pid, tid, cpu, level");
  tap_check (ev.payload == payload && ev.payload_len == sizeof payload,
             "classic: payload is a view of UserData");
  tap_check (ev.xflags == 0 && ev.n_ext == 0 && ev.n_frames == 0 && ev.stack == NULL,
             "classic: no extended data, no stack");

  init_record (&rec, &ETW_GUID_IMAGE,
               EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 10, 3,
               payload, sizeof payload);
  etw_win_convert (&rec, clock, &ev);
  {
    EtwGuid g;
    uint8_t op;
    etw_kernel_hook_provider (ev.hook_id, &g, &op);
    tap_check (ev.hook_id == 0x030A && etw_guid_equal (&g, &ETW_GUID_IMAGE) && op == 10,
               "classic: image load gets hook 0x030A, which maps back to Image/10");
  }

  init_record (&rec, &ETW_GUID_STACKWALK,
               EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 32, 2,
               payload, sizeof payload);
  etw_win_convert (&rec, clock, &ev);
  tap_check ((ev.xflags & ETW_XFLAG_STACK_WALK) && ev.hook_id == 0x1820,
             "classic: StackWalk/32 is marked as a stack walk record");

  init_record (&rec, &ETW_GUID_EVENTTRACE,
               EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 0, 2,
               payload, sizeof payload);
  etw_win_convert (&rec, clock, &ev);
  tap_check ((ev.xflags & ETW_XFLAG_LOG_HEADER) && ev.hook_id == 0x0000,
             "classic: EventTrace/0 is the log-file header");

  /* A manifest provider with a kernel class GUID but no classic flag is
   * not given a hook. */
  init_record (&rec, &ETW_GUID_PROCESS, EVENT_HEADER_FLAG_64_BIT_HEADER, 1, 0, payload, 4);
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.hook_id == 0 && ev.kind == ETW_HDR_EVENT,
             "classic: no hook and an EVENT kind without EVENT_HEADER_FLAG_CLASSIC_HEADER");

  init_record (&rec, &ETW_GUID_PERFINFO,
               EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 46, 2, payload, 16);
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.kind == ETW_HDR_PERFINFO && ev.hook_id == 0x0F2E,
             "classic: PerfInfo/46 (sampled profile) has the PERFINFO kind and hook 0x0F2E");

  {
    EtwGuid user_classic;
    etw_guid_parse ("d3a0c2ee-4b1f-4d6e-9a55-0123456789ab", &user_classic);
    init_record (&rec, &user_classic, EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER, 1, 0,
                 payload, 4);
    etw_win_convert (&rec, clock, &ev);
    tap_check (ev.kind == ETW_HDR_CLASSIC && ev.hook_id == 0,
               "classic: a user-mode MOF provider has the CLASSIC kind and no hook");
  }
}

static void
manifest_event (const EtwWinClock *clock)
{
  EtwGuid prov, act;
  uint8_t payload[6] = { 'h', 0, 'i', 0, 0, 0 };
  EVENT_RECORD rec;
  EtwEvent ev;

  etw_guid_parse ("1c95126e-7eea-49a9-a3fe-a378b03ddb4d", &prov);
  etw_guid_parse ("{01020304-0506-0708-090a-0b0c0d0e0f10}", &act);
  init_record (&rec, &prov, EVENT_HEADER_FLAG_64_BIT_HEADER | EVENT_HEADER_FLAG_STRING_ONLY, 0, 1,
               payload, sizeof payload);
  rec.EventHeader.EventDescriptor.Id = 3008;
  rec.EventHeader.EventDescriptor.Channel = 16;
  rec.EventHeader.EventDescriptor.Level = 5;
  rec.EventHeader.EventDescriptor.Task = 3008;
  rec.EventHeader.EventDescriptor.Keyword = 0x8000000000002000ull;
  rec.EventHeader.ActivityId = win_guid (&act);
  rec.EventHeader.EventProperty = EVENT_HEADER_PROPERTY_XML;
  rec.EventHeader.KernelTime = 11;
  rec.EventHeader.UserTime = 22;
  etw_win_convert (&rec, clock, &ev);
  tap_check (etw_guid_equal (&ev.provider, &prov) && ev.id == 3008 && ev.version == 1 &&
             ev.channel == 16 && ev.level == 5 && ev.task == 3008 &&
             ev.keyword == 0x8000000000002000ull,
             "manifest: provider and the whole event descriptor");
  tap_check (etw_guid_equal (&ev.activity_id, &act), "manifest: activity id");
  tap_check (ev.event_property == EVENT_HEADER_PROPERTY_XML &&
             (ev.flags & ETW_FLAG_STRING_ONLY) && !(ev.flags & ETW_FLAG_CLASSIC_HEADER),
             "manifest: event property and header flags");
  tap_check (ev.kernel_time == 11 && ev.user_time == 22, "manifest: kernel and user time");
  tap_check (ev.hook_id == 0 && ev.xflags == 0 && ev.kind == ETW_HDR_EVENT,
             "manifest: EVENT kind, no hook id, no private flags");
}

static void
tracelogging_event (const EtwWinClock *clock)
{
  EtwGuid prov;
  uint8_t schema[24] = { 24, 0, 0, 'E', 'v', 't', 0, 'F', 0, 8 };
  uint8_t traits[16] = { 16, 0, 'M', 'y', 'P', 'r', 'o', 'v', 0 };
  GUID related = { 0xaabbccdd, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };
  uint8_t payload[4] = { 7, 0, 0, 0 };
  EVENT_HEADER_EXTENDED_DATA_ITEM items[3];
  EVENT_RECORD rec;
  EtwEvent ev;

  etw_guid_parse ("2d2e9b4f-1c3a-4a7e-9d4b-123456789abc", &prov);
  memset (items, 0, sizeof items);
  items[0].ExtType = EVENT_HEADER_EXT_TYPE_RELATED_ACTIVITYID;
  items[0].DataSize = sizeof related;
  items[0].DataPtr = (ULONGLONG) (uintptr_t) &related;
  items[1].ExtType = 11;  /* EVENT_SCHEMA_TL, not in mingw's enum */
  items[1].DataSize = sizeof schema;
  items[1].DataPtr = (ULONGLONG) (uintptr_t) schema;
  items[2].ExtType = 12;  /* PROV_TRAITS */
  items[2].DataSize = sizeof traits;
  items[2].DataPtr = (ULONGLONG) (uintptr_t) traits;

  init_record (&rec, &prov, EVENT_HEADER_FLAG_64_BIT_HEADER | EVENT_HEADER_FLAG_EXTENDED_INFO, 0, 0,
               payload, sizeof payload);
  rec.ExtendedDataCount = 3;
  rec.ExtendedData = items;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_ext == 3, "tracelogging: three extended items (%u)", ev.n_ext);
  tap_check (ev.ext[0].type == ETW_EXT_RELATED_ACTIVITYID && ev.ext[0].size == 16 &&
             ev.ext[0].data == (const uint8_t *) &related,
             "tracelogging: related activity id item points at its data");
  tap_check (ev.ext[1].type == ETW_EXT_EVENT_SCHEMA_TL && ev.ext[1].size == sizeof schema &&
             ev.ext[1].data == schema && ev.ext[2].type == ETW_EXT_PROV_TRAITS &&
             ev.ext[2].data == traits,
             "tracelogging: schema and provider traits items in order");
  tap_check ((ev.xflags & ETW_XFLAG_TRACELOGGING) && (ev.flags & ETW_FLAG_EXTENDED_INFO),
             "tracelogging: marked as TraceLogging");

  /* An item whose DataPtr is NULL but claims data is skipped. */
  items[0].DataPtr = 0;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_ext == 2 && ev.ext[0].type == ETW_EXT_EVENT_SCHEMA_TL,
             "tracelogging: an item without data is left out");
}

static void
pointer_size (const EtwWinClock *clock)
{
  EtwWinClock c = *clock;
  uint8_t payload[8] = { 0 };
  EVENT_RECORD rec;
  EtwEvent ev;

  init_record (&rec, &ETW_GUID_THREAD, EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_32_BIT_HEADER,
               1, 3, payload, sizeof payload);
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.pointer_size == 4, "32-bit header: 4-byte pointers on a 64-bit host");
  init_record (&rec, &ETW_GUID_THREAD, EVENT_HEADER_FLAG_CLASSIC_HEADER, 1, 3, payload, sizeof payload);
  c.pointer_size = 4;
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.pointer_size == 4, "no size flag: the session's pointer size (4)");
  c.pointer_size = 8;
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.pointer_size == 8, "no size flag: the session's pointer size (8)");
}

static void
stacks (const EtwWinClock *clock)
{
  uint64_t st64[1 + 3] = { 0x77, 0xfffff80012345678ull, 0x7ff612340000ull, 0x7ff612340010ull };
  uint32_t st32[2 + 2] = { 0x11, 0x00, 0x401000, 0x402000 };  /* u64 MatchId, then 2 frames */
  uint8_t payload[4] = { 1, 2, 3, 4 };
  EVENT_HEADER_EXTENDED_DATA_ITEM item;
  EVENT_RECORD rec;
  EtwEvent ev;
  EtwGuid prov;

  etw_guid_parse ("a0c1853b-5c40-4b15-8766-3cf1c58f985a", &prov);
  memset (&item, 0, sizeof item);
  item.ExtType = EVENT_HEADER_EXT_TYPE_STACK_TRACE64;
  item.DataSize = sizeof st64;
  item.DataPtr = (ULONGLONG) (uintptr_t) st64;
  init_record (&rec, &prov, EVENT_HEADER_FLAG_64_BIT_HEADER | EVENT_HEADER_FLAG_EXTENDED_INFO, 0, 0,
               payload, sizeof payload);
  rec.ExtendedDataCount = 1;
  rec.ExtendedData = &item;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_frames == 3 && ev.frame_size == 8 && ev.stack == (const uint8_t *) &st64[1],
             "STACK_TRACE64: 3 frames of 8 bytes after the MatchId");
  tap_check (etw_rd_u64 (ev.stack) == 0xfffff80012345678ull && etw_rd_u64 (ev.stack + 16) == 0x7ff612340010ull,
             "STACK_TRACE64: frame values");

  item.ExtType = EVENT_HEADER_EXT_TYPE_STACK_TRACE32;
  item.DataSize = sizeof st32;
  item.DataPtr = (ULONGLONG) (uintptr_t) st32;
  rec.EventHeader.Flags = EVENT_HEADER_FLAG_32_BIT_HEADER | EVENT_HEADER_FLAG_EXTENDED_INFO;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_frames == 2 && ev.frame_size == 4 && etw_rd_u32 (ev.stack + 4) == 0x402000,
             "STACK_TRACE32: 2 frames of 4 bytes (chosen by item type)");

  item.DataSize = 4;  /* shorter than its MatchId */
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_frames == 0 && ev.stack == NULL, "a stack item shorter than 8 bytes gives no frames");
}

static void
many_items (const EtwWinClock *clock)
{
  EVENT_HEADER_EXTENDED_DATA_ITEM items[16];
  uint64_t st[3] = { 0, 0x1000, 0x2000 };
  uint32_t tsid = 1;
  uint8_t payload[1] = { 0 };
  EVENT_RECORD rec;
  EtwEvent ev;
  EtwGuid prov;

  etw_guid_parse ("a0c1853b-5c40-4b15-8766-3cf1c58f985a", &prov);
  memset (items, 0, sizeof items);
  for (int i = 0; i < 15; i++)
    {
      items[i].ExtType = EVENT_HEADER_EXT_TYPE_TS_ID;
      items[i].DataSize = 4;
      items[i].DataPtr = (ULONGLONG) (uintptr_t) &tsid;
    }
  items[15].ExtType = EVENT_HEADER_EXT_TYPE_STACK_TRACE64;
  items[15].DataSize = sizeof st;
  items[15].DataPtr = (ULONGLONG) (uintptr_t) st;
  init_record (&rec, &prov, EVENT_HEADER_FLAG_64_BIT_HEADER | EVENT_HEADER_FLAG_EXTENDED_INFO, 0, 0,
               payload, sizeof payload);
  rec.ExtendedDataCount = 16;
  rec.ExtendedData = items;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.n_ext == ETW_MAX_EXT_ITEMS && ev.n_frames == 2,
             "16 items: %u kept, and the stack in the 16th still attached", ev.n_ext);

  rec.UserData = NULL;
  tap_check (!etw_win_convert (&rec, clock, &ev), "UserData NULL with a length is refused");
  rec.UserDataLength = 0;
  tap_check (etw_win_convert (&rec, clock, &ev) && ev.payload_len == 0,
             "UserData NULL and length 0 is an empty payload");
  tap_check (!etw_win_convert (NULL, clock, &ev), "NULL record is refused");
}

static void
processor_index (const EtwWinClock *clock)
{
  uint8_t payload[4] = { 0 };
  EVENT_RECORD rec;
  EtwEvent ev;

  init_record (&rec, &ETW_GUID_THREAD, EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER,
               36, 4, payload, sizeof payload);
  rec.BufferContext.ProcessorNumber = 7;
  rec.BufferContext.Alignment = 1;  /* must not leak into the CPU number */
  rec.BufferContext.LoggerId = 9;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.cpu == 7, "ProcessorNumber without PROCESSOR_INDEX: cpu 7 (got %u)", ev.cpu);
  rec.BufferContext.ProcessorIndex = 300;
  rec.EventHeader.Flags |= EVENT_HEADER_FLAG_PROCESSOR_INDEX;
  etw_win_convert (&rec, clock, &ev);
  tap_check (ev.cpu == 300 && (ev.flags & ETW_FLAG_PROCESSOR_INDEX),
             "PROCESSOR_INDEX: the 16-bit index, cpu 300 (got %u)", ev.cpu);
}

static void
timestamps (void)
{
  EtwWinClock c;
  uint8_t payload[4] = { 0 };
  EVENT_RECORD rec;
  EtwEvent ev;
  const int64_t t0 = 133000000000000000ll;

  etw_win_clock_init (&c, 3000000, 1000, t0);
  init_record (&rec, &ETW_GUID_THREAD, EVENT_HEADER_FLAG_64_BIT_HEADER, 1, 3, payload, sizeof payload);
  rec.EventHeader.TimeStamp.QuadPart = 1000 + 3000000 * 5 + 3;
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.raw_time == 1000 + 3000000 * 5 + 3, "raw timestamp kept as is");
  tap_check (ev.time == t0 + 50000000 + 10, "QPC at 3 MHz: 5 s + 1 us after t0 (got %+lld)",
             (long long) (ev.time - t0));
  rec.EventHeader.TimeStamp.QuadPart = 1000 - 3000000;
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.time == t0 - 10000000, "an event before the clock sample (rundown) is earlier");
  etw_win_clock_init (&c, 0, 0, 0);
  rec.EventHeader.TimeStamp.QuadPart = t0 + 42;
  etw_win_convert (&rec, &c, &ev);
  tap_check (ev.time == t0 + 42, "freq 0: timestamps are FILETIMEs already");

  etw_win_clock_init_live (&c);
  {
    FILETIME ft;
    LARGE_INTEGER q;
    int64_t now;

    GetSystemTimePreciseAsFileTime (&ft);
    QueryPerformanceCounter (&q);
    now = (int64_t) ((uint64_t) ft.dwHighDateTime << 32 | ft.dwLowDateTime);
    rec.EventHeader.TimeStamp.QuadPart = q.QuadPart;
    etw_win_convert (&rec, &c, &ev);
    tap_check (c.freq > 0 && ev.time >= now - 10000000 && ev.time <= now + 10000000,
               "live clock: QPC now converts to the system time now (off by %lld us)",
               (long long) (ev.time - now) / 10);
  }
}

/* The callback's memory dies on return: after storing the event as a
 * record (as the backend's queue does) and wiping the EVENT_RECORD and
 * everything it pointed to, the record still holds the whole event. */
static void
copy_survives (const EtwWinClock *clock)
{
  uint64_t st[4] = { 5, 0x10, 0x20, 0x30 };
  uint8_t schema[12] = { 12, 0, 0, 'X', 0, 'a', 0, 1 };
  uint8_t payload[10] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
  EVENT_HEADER_EXTENDED_DATA_ITEM items[2];
  EVENT_RECORD rec;
  EtwEvent ev, back;
  uint8_t buf[1024];
  size_t n;
  EtwGuid prov;
  bool ok;

  etw_guid_parse ("a0c1853b-5c40-4b15-8766-3cf1c58f985a", &prov);
  memset (items, 0, sizeof items);
  items[0].ExtType = 11;
  items[0].DataSize = sizeof schema;
  items[0].DataPtr = (ULONGLONG) (uintptr_t) schema;
  items[1].ExtType = EVENT_HEADER_EXT_TYPE_STACK_TRACE64;
  items[1].DataSize = sizeof st;
  items[1].DataPtr = (ULONGLONG) (uintptr_t) st;
  init_record (&rec, &prov, EVENT_HEADER_FLAG_64_BIT_HEADER | EVENT_HEADER_FLAG_EXTENDED_INFO |
               EVENT_HEADER_FLAG_PROCESSOR_INDEX, 0, 2, payload, sizeof payload);
  rec.BufferContext.ProcessorIndex = 513;
  rec.EventHeader.EventDescriptor.Id = 77;
  rec.ExtendedDataCount = 2;
  rec.ExtendedData = items;
  etw_win_convert (&rec, clock, &ev);
  n = etw_record_write (&ev, buf, sizeof buf);

  memset (st, 0xAA, sizeof st);
  memset (schema, 0xAA, sizeof schema);
  memset (payload, 0xAA, sizeof payload);
  memset (items, 0xAA, sizeof items);
  memset (&rec, 0xAA, sizeof rec);

  ok = n > 0 && etw_record_read (buf, n, &back);
  tap_check (ok, "stored as a live record (%zu bytes)", n);
  if (!ok)
    return;
  tap_check (back.id == 77 && back.version == 2 && back.pid == 4242 && back.tid == 4343 &&
             back.cpu == 513 && back.raw_time == 123456789 && etw_guid_equal (&back.provider, &prov) &&
             back.kind == ETW_HDR_EVENT && back.origin == ETW_ORIGIN_ETW_LIVE,
             "record: header fields, cpu 513, kind and live origin survive");
  tap_check (back.payload_len == 10 && back.payload[0] == 9 && back.payload[9] == 0,
             "record: payload bytes survive");
  tap_check (back.n_frames == 3 && etw_rd_u64 (back.stack) == 0x10 && etw_rd_u64 (back.stack + 16) == 0x30,
             "record: stack frames survive");
  tap_check (back.n_ext >= 1 && back.ext[0].type == ETW_EXT_EVENT_SCHEMA_TL &&
             back.ext[0].size == 12 && back.ext[0].data[3] == 'X' &&
             (back.xflags & ETW_XFLAG_TRACELOGGING),
             "record: TraceLogging schema item survives");
}

/* ---- every fixture event, handed over as an EVENT_RECORD ---- */

#define S(x) ((x) != NULL ? (x) : "-")

static bool
same_str (const char *a,
          const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp (a, b) == 0;
}

static bool
same_decode (const EtwDecoded *a,
             const EtwDecoded *b)
{
  return same_str (a->provider_name, b->provider_name) && same_str (a->event_name, b->event_name) &&
         same_str (a->process_name, b->process_name) && a->pid == b->pid &&
         same_str (a->operation, b->operation) && same_str (a->path, b->path) &&
         same_str (a->result, b->result) && same_str (a->detail, b->detail);
}

/* What an EVENT_RECORD can tell of the header kind: a kernel header
 * (system, compact or perfinfo: the logger's choice), a classic one
 * (with or without instance ids) or an EVENT_HEADER. */
static int
kind_family (uint8_t kind)
{
  switch (kind)
    {
    case ETW_HDR_SYSTEM: case ETW_HDR_COMPACT: case ETW_HDR_PERFINFO: return 1;
    case ETW_HDR_CLASSIC: case ETW_HDR_INSTANCE: return 2;
    default: return kind;
    }
}

static void
fixture (const char *dir,
         const char *name)
{
  char path[4096];
  size_t len;
  char *data;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev, live, back;
  EtwWinClock clock;
  const EtlLogInfo *info;
  EtwDecoder *dec_file, *dec_live;
  EtwDecoded *out_file, *out_live;
  EVENT_HEADER_EXTENDED_DATA_ITEM items[ETW_MAX_EXT_ITEMS];
  uint8_t *buf = malloc (ETW_RECORD_MAX + 64);
  uint64_t n = 0, conv = 0, same = 0, dec_same = 0, skipped = 0;
  int64_t freq;
  char first_bad[1024] = "";

  snprintf (path, sizeof path, "%s/%s", dir, name);
  data = mj_read_file (path, &len);
  if (data == NULL || buf == NULL)
    {
      tap_check (false, "read %s", path);
      free (data);
      free (buf);
      return;
    }
  f = etl_file_open ((const uint8_t *) data, len, &err);
  if (f == NULL)
    {
      tap_check (false, "%s: opens (%s)", name, err.message);
      free (data);
      free (buf);
      return;
    }
  info = etl_file_info (f);
  /* What a caller of OpenTraceW passes: PerfFreq, StartTime, the header's
   * raw time; the clock type decides the frequency as in the reader. */
  if (info->clock_type == ETL_CLOCK_SYSTEM)
    freq = 10000000;
  else if (info->clock_type == ETL_CLOCK_CYCLE)
    freq = info->cpu_mhz > 0 ? (int64_t) info->cpu_mhz * 1000000 : 10000000;
  else
    freq = info->perf_freq > 0 ? info->perf_freq : 10000000;
  etw_win_clock_init (&clock, freq, info->header_raw_time, info->start_time);
  clock.pointer_size = (uint8_t) info->pointer_size;

  dec_file = etw_decoder_new ();
  dec_live = etw_decoder_new ();
  out_file = malloc (sizeof *out_file);
  out_live = malloc (sizeof *out_live);
  it = etl_iter_new (f, ETL_ORDER_TIME);
  while (etl_iter_next (it, &ev))
    {
      EVENT_RECORD rec;
      bool ok;

      n++;
      /* Windows delivers classic kernel events with their class GUID; a
       * hook we have no GUID for cannot be rebuilt, nor can WPP messages. */
      if (etw_guid_is_zero (&ev.provider) || ev.kind == ETW_HDR_MESSAGE ||
          (ev.xflags & ETW_XFLAG_NO_TIMESTAMP))
        {
          skipped++;
          continue;
        }
      memset (&rec, 0, sizeof rec);
      rec.EventHeader.Size = sizeof (EVENT_HEADER);
      rec.EventHeader.Flags = ev.flags;
      rec.EventHeader.EventProperty = ev.event_property;
      rec.EventHeader.ThreadId = ev.tid;
      rec.EventHeader.ProcessId = ev.pid;
      rec.EventHeader.TimeStamp.QuadPart = ev.raw_time;
      rec.EventHeader.ProviderId = win_guid (&ev.provider);
      rec.EventHeader.EventDescriptor.Id = ev.id;
      rec.EventHeader.EventDescriptor.Version = ev.version;
      rec.EventHeader.EventDescriptor.Channel = ev.channel;
      rec.EventHeader.EventDescriptor.Level = ev.level;
      rec.EventHeader.EventDescriptor.Opcode = ev.opcode;
      rec.EventHeader.EventDescriptor.Task = ev.task;
      rec.EventHeader.EventDescriptor.Keyword = ev.keyword;
      rec.EventHeader.KernelTime = ev.kernel_time;
      rec.EventHeader.UserTime = ev.user_time;
      rec.EventHeader.ActivityId = win_guid (&ev.activity_id);
      if (ev.cpu > 255)
        {
          rec.EventHeader.Flags |= EVENT_HEADER_FLAG_PROCESSOR_INDEX;
          rec.BufferContext.ProcessorIndex = (USHORT) ev.cpu;
        }
      else
        rec.BufferContext.ProcessorNumber = (UCHAR) ev.cpu;
      memset (items, 0, sizeof items);
      for (uint32_t i = 0; i < ev.n_ext; i++)
        {
          items[i].ExtType = ev.ext[i].type;
          items[i].DataSize = ev.ext[i].size;
          items[i].DataPtr = (ULONGLONG) (uintptr_t) ev.ext[i].data;
          items[i].Linkage = i + 1 < ev.n_ext;
        }
      rec.ExtendedDataCount = (USHORT) ev.n_ext;
      rec.ExtendedData = ev.n_ext > 0 ? items : NULL;
      rec.UserData = (PVOID) ev.payload;
      rec.UserDataLength = (USHORT) ev.payload_len;
      if (ev.payload_len > 0xFFFF)
        {
          skipped++;
          continue;
        }

      if (!etw_win_convert (&rec, &clock, &live))
        continue;
      conv++;

      ok = live.raw_time == ev.raw_time && live.time == ev.time &&
           etw_guid_equal (&live.provider, &ev.provider) &&
           etw_guid_equal (&live.activity_id, &ev.activity_id) && live.opcode == ev.opcode &&
           live.version == ev.version && live.id == ev.id && live.level == ev.level &&
           live.task == ev.task && live.keyword == ev.keyword && live.pid == ev.pid &&
           live.tid == ev.tid && live.cpu == ev.cpu && live.pointer_size == ev.pointer_size &&
           live.payload == ev.payload && live.payload_len == ev.payload_len &&
           live.n_ext == ev.n_ext && live.n_frames == ev.n_frames && live.stack == ev.stack &&
           live.frame_size == ev.frame_size &&
           (live.xflags & (ETW_XFLAG_STACK_WALK | ETW_XFLAG_TRACELOGGING)) ==
           (ev.xflags & (ETW_XFLAG_STACK_WALK | ETW_XFLAG_TRACELOGGING)) &&
           (live.flags & ETW_FLAG_CLASSIC_HEADER) == (ev.flags & ETW_FLAG_CLASSIC_HEADER) &&
           kind_family (live.kind) == kind_family (ev.kind);
      if (ok)
        same++;
      else if (first_bad[0] == '\0')
        snprintf (first_bad, sizeof first_bad, "event %llu (kind %u, opcode %u): fields differ",
                  (unsigned long long) n, ev.kind, ev.opcode);

      /* Decode both the file's event and the live one after a trip through
       * the stored record, each with its own decoder state. */
      {
        size_t w = etw_record_write (&live, buf, ETW_RECORD_MAX + 64);

        if (w == 0 || !etw_record_read (buf, w, &back))
          {
            if (first_bad[0] == '\0')
              snprintf (first_bad, sizeof first_bad, "event %llu: not stored", (unsigned long long) n);
            continue;
          }
        etw_decoder_observe (dec_file, &ev);
        etw_decoder_observe (dec_live, &back);
        etw_decode (dec_file, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL, out_file);
        etw_decode (dec_live, &back, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL, out_live);
        if (same_decode (out_file, out_live))
          dec_same++;
        else if (first_bad[0] == '\0')
          snprintf (first_bad, sizeof first_bad,
                    "event %llu: file [%s|%s|%s|%u|%s|%s|%s|%s] live [%s|%s|%s|%u|%s|%s|%s|%s]",
                    (unsigned long long) n, S (out_file->provider_name), S (out_file->event_name),
                    S (out_file->process_name), out_file->pid, S (out_file->operation), S (out_file->path),
                    S (out_file->result), S (out_file->detail), S (out_live->provider_name),
                    S (out_live->event_name), S (out_live->process_name), out_live->pid,
                    S (out_live->operation), S (out_live->path), S (out_live->result), S (out_live->detail));
      }
    }
  if (first_bad[0] != '\0')
    tap_diag ("%s: %s", name, first_bad);
  tap_check (conv > 0 && same == conv,
             "%s: %llu of %llu events convert field for field (%llu without a class GUID skipped)",
             name, (unsigned long long) same, (unsigned long long) conv, (unsigned long long) skipped);
  tap_check (conv > 0 && dec_same == conv,
             "%s: %llu of %llu live records decode as the file's events", name,
             (unsigned long long) dec_same, (unsigned long long) conv);

  etl_iter_free (it);
  etw_decoder_free (dec_file);
  etw_decoder_free (dec_live);
  free (out_file);
  free (out_live);
  etl_file_free (f);
  free (data);
  free (buf);
}

static void
fixtures (void)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  char pattern[4096];
  WIN32_FIND_DATAA fd;
  HANDLE h;
  int count = 0;

  if (dir == NULL)
    {
      tap_skip ("ETWSCOPE_FIXTURES is not set");
      return;
    }
  snprintf (pattern, sizeof pattern, "%s/*.etl", dir);
  h = FindFirstFileA (pattern, &fd);
  if (h == INVALID_HANDLE_VALUE)
    {
      tap_check (false, "fixtures found in %s", dir);
      return;
    }
  do
    {
      size_t l = strlen (fd.cFileName);
      /* "*.etl" also matches 8.3 aliases of longer names; keep exact ones. */
      if (l > 4 && strcmp (fd.cFileName + l - 4, ".etl") == 0)
        {
          fixture (dir, fd.cFileName);
          count++;
        }
    }
  while (FindNextFileA (h, &fd));
  FindClose (h);
  tap_check (count >= 10, "%d fixture files converted", count);
}

int
main (void)
{
  EtwWinClock clock;

  etw_win_clock_init (&clock, 10000000, 0, 0);
  classic_kernel (&clock);
  manifest_event (&clock);
  tracelogging_event (&clock);
  pointer_size (&clock);
  stacks (&clock);
  many_items (&clock);
  processor_index (&clock);
  timestamps ();
  copy_survives (&clock);
  fixtures ();
  return tap_done ();
}
