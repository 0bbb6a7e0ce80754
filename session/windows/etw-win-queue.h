/* etw-win-queue.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bounded queue between ETW's callbacks (one ProcessTrace thread per
 * session) and the reader. Events are stored as live records
 * (decode/etw-record.h) in a byte ring, so the callback's memory can die on
 * return. A full queue never blocks ETW: the event is dropped and counted.
 *
 * Plain C against Win32 (SRW lock, condition variable); no GLib.
 */
#pragma once

#include <windows.h>

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  SRWLOCK            lock;
  CONDITION_VARIABLE cond;
  uint8_t           *ring;       /* entries: u32 length, u32 0, record; 8-aligned */
  size_t             cap;
  size_t             head;
  size_t             tail;
  size_t             used;       /* bytes, skipped ends included */
  int                producers;  /* still running; next() ends at 0 and empty */
  uint64_t           delivered;
  uint64_t           dropped;
  /* The reader's side: records moved out of the ring in one go. */
  uint8_t           *batch;
  size_t             batch_len;
  size_t             batch_pos;
} EtwWinQueue;

/* bytes is rounded to 8 and kept within 1 MiB … 1 GiB. */
bool etw_win_queue_init          (EtwWinQueue    *q,
                                  size_t          bytes);
void etw_win_queue_clear         (EtwWinQueue    *q);
void etw_win_queue_set_producers (EtwWinQueue    *q,
                                  int             n);
void etw_win_queue_producer_done (EtwWinQueue    *q);
/* Any producer thread. Returns false when the event was dropped. */
bool etw_win_queue_push          (EtwWinQueue    *q,
                                  const EtwEvent *ev);
/* The reader (one thread): 1 and ev (valid until the next call), 0 on
 * timeout, -1 when no producer runs and the queue is empty. */
int  etw_win_queue_next          (EtwWinQueue    *q,
                                  EtwEvent       *ev,
                                  uint32_t        timeout_ms);
/* Wakes a reader waiting in next(). */
void etw_win_queue_wake          (EtwWinQueue    *q);
void etw_win_queue_counts        (EtwWinQueue    *q,
                                  uint64_t       *delivered,
                                  uint64_t       *dropped,
                                  size_t         *used);

#ifdef __cplusplus
}
#endif
