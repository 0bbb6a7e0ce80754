/* bench-win-callback.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the ETW callback costs per event, measured on the events of a real
 * trace handed over as EVENT_RECORDs (as in test-convert.c), against a
 * baseline measured in the same run: storing the reader's own event as a
 * live record (the copy the callback cannot avoid). Prints events/s and
 * ratios; asserts nothing. Run: meson test -C build-mingw --benchmark.
 */
#include <windows.h>
#include <evntcons.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-guid.h"
#include "etw-record.h"
#include "etw-win-convert.h"
#include "etw-win-queue.h"
#include "mini-json.h"

typedef struct
{
  EVENT_RECORD                    rec;
  EVENT_HEADER_EXTENDED_DATA_ITEM items[ETW_MAX_EXT_ITEMS];
  EtwEvent                        ev;  /* the reader's view */
} Item;

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

static double
now (void)
{
  static LARGE_INTEGER f;
  LARGE_INTEGER c;

  if (f.QuadPart == 0)
    QueryPerformanceFrequency (&f);
  QueryPerformanceCounter (&c);
  return (double) c.QuadPart / (double) f.QuadPart;
}

int
main (int    argc,
      char **argv)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  const char *name = argc > 1 ? argv[1] : "perfview_net.4.5.2.x64.etl";
  char path[4096];
  size_t len, n = 0, cap = 0;
  char *data;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  Item *items = NULL;
  EtwWinClock clock;
  uint8_t *buf = malloc (ETW_RECORD_MAX + 64);
  double best[4] = { 1e9, 1e9, 1e9, 1e9 };
  volatile size_t sink = 0;
  EtwWinQueue q;

  snprintf (path, sizeof path, "%s/%s", dir != NULL ? dir : ".", name);
  data = mj_read_file (path, &len);
  if (data == NULL || (f = etl_file_open ((const uint8_t *) data, len, &err)) == NULL)
    {
      fprintf (stderr, "cannot read %s\n", path);
      return 1;
    }
  etw_win_clock_init (&clock, etl_file_info (f)->perf_freq, etl_file_info (f)->header_raw_time,
                      etl_file_info (f)->start_time);
  it = etl_iter_new (f, ETL_ORDER_FILE);
  while (etl_iter_next (it, &ev))
    {
      Item *x;
      if (etw_guid_is_zero (&ev.provider) || ev.kind == ETW_HDR_MESSAGE || ev.payload_len > 0xFFFF)
        continue;
      if (n == cap)
        {
          cap = cap ? cap * 2 : 4096;
          items = realloc (items, cap * sizeof *items);
        }
      x = &items[n++];
      memset (x, 0, sizeof *x);
      x->ev = ev;
      x->rec.EventHeader.Flags = ev.flags;
      x->rec.EventHeader.ThreadId = ev.tid;
      x->rec.EventHeader.ProcessId = ev.pid;
      x->rec.EventHeader.TimeStamp.QuadPart = ev.raw_time;
      x->rec.EventHeader.ProviderId = win_guid (&ev.provider);
      x->rec.EventHeader.EventDescriptor.Id = ev.id;
      x->rec.EventHeader.EventDescriptor.Version = ev.version;
      x->rec.EventHeader.EventDescriptor.Opcode = ev.opcode;
      x->rec.EventHeader.EventDescriptor.Level = ev.level;
      x->rec.EventHeader.EventDescriptor.Keyword = ev.keyword;
      x->rec.BufferContext.ProcessorNumber = (UCHAR) ev.cpu;
      for (uint32_t i = 0; i < ev.n_ext; i++)
        {
          x->items[i].ExtType = ev.ext[i].type;
          x->items[i].DataSize = ev.ext[i].size;
          x->items[i].DataPtr = (ULONGLONG) (uintptr_t) ev.ext[i].data;
        }
      x->rec.ExtendedDataCount = (USHORT) ev.n_ext;
      x->rec.UserData = (PVOID) ev.payload;
      x->rec.UserDataLength = (USHORT) ev.payload_len;
    }
  etl_iter_free (it);
  for (size_t i = 0; i < n; i++)
    items[i].rec.ExtendedData = items[i].rec.ExtendedDataCount ? items[i].items : NULL;

  etw_win_queue_init (&q, 256u << 20);
  etw_win_queue_set_producers (&q, 1);
  for (int round = 0; round < 5; round++)
    {
      double t;

      /* Baseline: the unavoidable copy of each event into a live record. */
      t = now ();
      for (size_t i = 0; i < n; i++)
        sink += etw_record_write (&items[i].ev, buf, ETW_RECORD_MAX + 64);
      t = now () - t;
      best[0] = t < best[0] ? t : best[0];

      /* The conversion alone. */
      t = now ();
      for (size_t i = 0; i < n; i++)
        {
          etw_win_convert (&items[i].rec, &clock, &ev);
          sink += ev.payload_len;
        }
      t = now () - t;
      best[1] = t < best[1] ? t : best[1];

      /* What the callback does (convert, push), then the reader's side
       * (pop), timed apart: they run on different threads. */
      {
        double push = 0, pop = 0, t1;
        for (size_t i = 0; i < n; i += 4096)
          {
            size_t end = i + 4096 < n ? i + 4096 : n;
            t1 = now ();
            for (size_t k = i; k < end; k++)
              {
                etw_win_convert (&items[k].rec, &clock, &ev);
                etw_win_queue_push (&q, &ev);
              }
            push += now () - t1;
            t1 = now ();
            while (etw_win_queue_next (&q, &ev, 0) == 1)
              sink += ev.payload_len;
            pop += now () - t1;
          }
        best[2] = push < best[2] ? push : best[2];
        best[3] = pop < best[3] ? pop : best[3];
      }
    }
  {
    uint64_t delivered, dropped;
    size_t used;
    etw_win_queue_counts (&q, &delivered, &dropped, &used);
    printf ("%s: %zu events (%llu through the queue, %llu dropped)\n", name, n,
            (unsigned long long) delivered, (unsigned long long) dropped);
  }
  printf ("baseline  store reader event as record: %8.2f M events/s\n", n / best[0] / 1e6);
  printf ("convert   EVENT_RECORD -> EtwEvent:      %8.2f M events/s  (%.2fx baseline time)\n",
          n / best[1] / 1e6, best[1] / best[0]);
  printf ("callback  convert + queue push:         %8.2f M events/s  (%.2fx baseline time)\n",
          n / best[2] / 1e6, best[2] / best[0]);
  printf ("reader    queue pop (record read back):  %8.2f M events/s  (%.2fx baseline time)\n",
          n / best[3] / 1e6, best[3] / best[0]);
  etw_win_queue_clear (&q);
  free (items);
  free (buf);
  etl_file_free (f);
  free (data);
  return sink == 0;
}
