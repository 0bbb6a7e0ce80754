/* test-queue.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bounded queue between ETW's callback threads and the reader: events
 * come back whole and in order across many wrap-arounds, a full queue drops
 * and counts instead of blocking, two producers (kernel and user sessions
 * before Windows 8) keep their own order, and the reader learns the end.
 */
#include <windows.h>
#include <process.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-record.h"
#include "etw-win-queue.h"
#include "tap.h"

static uint8_t payload_buf[80000];
static uint64_t frames[8] = { 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0x8000 };

/* Event number `seq` of producer `who`: its size and content follow from
 * both, so the reader can check every byte. */
static void
make_event (EtwEvent *ev,
            uint32_t  who,
            uint32_t  seq,
            uint32_t  len)
{
  memset (ev, 0, sizeof *ev);
  ev->provider = ETW_GUID_FILEIO;
  ev->opcode = 64;
  ev->version = 3;
  ev->pid = who;
  ev->tid = seq;
  ev->raw_time = (int64_t) seq * 10;
  ev->time = (int64_t) seq * 100;
  ev->cpu = seq % 300;
  ev->kind = ETW_HDR_LIVE;
  ev->origin = ETW_ORIGIN_ETW_LIVE;
  ev->pointer_size = 8;
  ev->flags = ETW_FLAG_CLASSIC_HEADER | ETW_FLAG_64_BIT_HEADER;
  ev->payload = payload_buf + (seq % 251);
  ev->payload_len = len;
  if (seq % 3 == 0)
    {
      ev->stack = (const uint8_t *) frames;
      ev->frame_size = 8;
      ev->n_frames = 1 + seq % 8;
    }
}

static bool
check_event (const EtwEvent *ev,
             uint32_t        who,
             uint32_t        seq,
             uint32_t        len)
{
  if (ev->pid != who || ev->tid != seq || ev->raw_time != (int64_t) seq * 10 || ev->time != (int64_t) seq * 100 ||
      ev->cpu != seq % 300 || ev->opcode != 64 || !etw_guid_equal (&ev->provider, &ETW_GUID_FILEIO) ||
      ev->payload_len != len || memcmp (ev->payload, payload_buf + (seq % 251), len) != 0)
    return false;
  if (seq % 3 == 0)
    return ev->n_frames == 1 + seq % 8 && etw_rd_u64 (ev->stack + 8 * (ev->n_frames - 1)) == frames[ev->n_frames - 1];
  return ev->n_frames == 0;
}

static uint32_t
size_of (uint32_t seq)
{
  /* 0 … 4 KiB, with a few 20 KiB ones. */
  return seq % 97 == 0 ? 20000 : (seq * 2654435761u) % 4096;
}

static void
order_and_wrap (void)
{
  EtwWinQueue q;
  EtwEvent ev;
  uint32_t pushed = 0, popped = 0, bad = 0;
  uint64_t delivered, dropped;
  size_t used;

  tap_check (etw_win_queue_init (&q, 1 << 20), "a 1 MiB queue");
  etw_win_queue_set_producers (&q, 1);
  /* Keep it around half full so that it wraps again and again. */
  while (pushed < 20000)
    {
      for (int k = 0; k < 100; k++, pushed++)
        {
          make_event (&ev, 1, pushed, size_of (pushed));
          etw_win_queue_push (&q, &ev);
        }
      for (int k = 0; k < 100 && etw_win_queue_next (&q, &ev, 0) == 1; k++, popped++)
        if (!check_event (&ev, 1, popped, size_of (popped)))
          bad++;
    }
  etw_win_queue_producer_done (&q);
  while (etw_win_queue_next (&q, &ev, 0) == 1)
    {
      if (!check_event (&ev, 1, popped, size_of (popped)))
        bad++;
      popped++;
    }
  etw_win_queue_counts (&q, &delivered, &dropped, &used);
  tap_check (popped == 20000 && bad == 0 && dropped == 0,
             "20,000 events through many wrap-arounds: %u back in order, %u damaged", popped, bad);
  tap_check (etw_win_queue_next (&q, &ev, 0) == -1 && used == 0, "after the last producer: end (-1), queue empty");
  etw_win_queue_clear (&q);
}

static void
full_drops (void)
{
  EtwWinQueue q;
  EtwEvent ev;
  uint32_t pushed = 0, ok = 0, popped = 0, bad = 0;
  uint64_t delivered, dropped;
  size_t used;

  etw_win_queue_init (&q, 1 << 20);
  etw_win_queue_set_producers (&q, 1);
  for (; pushed < 2000; pushed++)
    {
      make_event (&ev, 2, ok, 1000);
      if (etw_win_queue_push (&q, &ev))
        ok++;
    }
  etw_win_queue_counts (&q, &delivered, &dropped, &used);
  tap_check (ok > 500 && ok < 2000 && delivered == ok && dropped == pushed - ok,
             "no reader: %u kept, %llu dropped and counted, none blocked", ok, (unsigned long long) dropped);
  tap_check (etw_win_queue_next (&q, &ev, 0) == 1, "the reader gets events again");
  popped = 1;
  while (etw_win_queue_next (&q, &ev, 0) == 1)
    {
      if (!check_event (&ev, 2, popped, 1000))
        bad++;
      popped++;
    }
  tap_check (popped == ok && bad == 0, "exactly the %u kept events come back intact", popped);
  make_event (&ev, 2, 0, 1000);
  tap_check (etw_win_queue_push (&q, &ev), "room again after draining");

  /* A payload larger than a record can hold is cut, not lost. */
  make_event (&ev, 2, 1, 70000);
  ev.stack = NULL;
  ev.n_frames = 0;
  etw_win_queue_next (&q, &ev, 0);
  make_event (&ev, 2, 1, 70000);
  ev.stack = NULL;
  ev.n_frames = 0;
  {
    bool cut = etw_win_queue_push (&q, &ev) && etw_win_queue_next (&q, &ev, 0) == 1 && ev.payload_len > 60000 &&
               ev.payload_len < 70000 && memcmp (ev.payload, payload_buf + 1, ev.payload_len) == 0;
    tap_check (cut, "a 70,000-byte payload is kept cut to the record limit (%u bytes)", ev.payload_len);
  }
  etw_win_queue_clear (&q);
}

typedef struct
{
  EtwWinQueue *q;
  uint32_t     who;
  uint32_t     n;
  uint32_t     ok;
} Producer;

static unsigned __stdcall
produce (void *data)
{
  Producer *p = data;
  EtwEvent ev;

  for (uint32_t i = 0; i < p->n; i++)
    {
      make_event (&ev, p->who, p->ok, 200 + p->who * 7);
      if (etw_win_queue_push (p->q, &ev))
        p->ok++;
      if ((i & 1023) == 0)
        Sleep (0);
    }
  etw_win_queue_producer_done (p->q);
  return 0;
}

static void
two_producers (void)
{
  EtwWinQueue q;
  Producer p[2] = { { &q, 10, 50000, 0 }, { &q, 11, 50000, 0 } };
  HANDLE t[2];
  uint32_t next[2] = { 0, 0 }, bad = 0, total = 0, timeouts = 0;
  EtwEvent ev;
  uint64_t delivered, dropped;
  size_t used;
  int r;

  etw_win_queue_init (&q, 2 << 20);
  etw_win_queue_set_producers (&q, 2);
  for (int i = 0; i < 2; i++)
    t[i] = (HANDLE) _beginthreadex (NULL, 0, produce, &p[i], 0, NULL);
  while ((r = etw_win_queue_next (&q, &ev, 100)) >= 0)
    {
      uint32_t w;
      if (r == 0)
        {
          timeouts++;
          continue;
        }
      w = ev.pid - 10;
      if (w > 1 || !check_event (&ev, ev.pid, next[w], 200 + ev.pid * 7))
        bad++;
      else
        next[w]++;
      total++;
    }
  WaitForMultipleObjects (2, t, TRUE, INFINITE);
  CloseHandle (t[0]);
  CloseHandle (t[1]);
  etw_win_queue_counts (&q, &delivered, &dropped, &used);
  tap_check (bad == 0 && next[0] == p[0].ok && next[1] == p[1].ok,
             "two producers: each one's %u and %u events in its own order, none damaged", next[0], next[1]);
  tap_check (total == delivered && delivered + dropped == 100000,
             "delivered %llu + dropped %llu = 100,000 pushed", (unsigned long long) delivered,
             (unsigned long long) dropped);
  tap_diag ("reader waited %u times", timeouts);
  etw_win_queue_clear (&q);
}

static void
timeout (void)
{
  EtwWinQueue q;
  EtwEvent ev;
  ULONGLONG t0;
  int r;

  etw_win_queue_init (&q, 0);
  etw_win_queue_set_producers (&q, 1);
  t0 = GetTickCount64 ();
  r = etw_win_queue_next (&q, &ev, 50);
  tap_check (r == 0, "empty with a producer running: timeout (0) after %llu ms",
             (unsigned long long) (GetTickCount64 () - t0));
  etw_win_queue_producer_done (&q);
  tap_check (etw_win_queue_next (&q, &ev, 5000) == -1, "producer gone: end at once");
  etw_win_queue_clear (&q);
}

int
main (void)
{
  for (size_t i = 0; i < sizeof payload_buf; i++)
    payload_buf[i] = (uint8_t) (i * 31 + 7);
  order_and_wrap ();
  full_drops ();
  two_producers ();
  timeout ();
  return tap_done ();
}
