/* etw-win-queue.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-win-queue.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "etw-record.h"

#define MIN_QUEUE    ((size_t) 1 << 20)
#define MAX_QUEUE    ((size_t) 1 << 30)
#define BATCH_BYTES  ((size_t) 1 << 20)  /* > the largest entry (8 + ETW_RECORD_MAX) */
#define WRAP_MARK    0xFFFFFFFFu

bool
etw_win_queue_init (EtwWinQueue *q,
                    size_t       bytes)
{
  memset (q, 0, sizeof *q);
  InitializeSRWLock (&q->lock);
  InitializeConditionVariable (&q->cond);
  bytes = bytes < MIN_QUEUE ? MIN_QUEUE : bytes > MAX_QUEUE ? MAX_QUEUE : bytes;
  q->cap = bytes & ~(size_t) 7;
  q->ring = malloc (q->cap);
  q->batch = malloc (BATCH_BYTES);
  if (q->ring == NULL || q->batch == NULL)
    {
      etw_win_queue_clear (q);
      return false;
    }
  return true;
}

void
etw_win_queue_clear (EtwWinQueue *q)
{
  free (q->ring);
  free (q->batch);
  q->ring = q->batch = NULL;
  q->cap = q->head = q->tail = q->used = 0;
  q->batch_len = q->batch_pos = 0;
}

void
etw_win_queue_set_producers (EtwWinQueue *q,
                             int          n)
{
  AcquireSRWLockExclusive (&q->lock);
  q->producers = n;
  ReleaseSRWLockExclusive (&q->lock);
  WakeAllConditionVariable (&q->cond);
}

void
etw_win_queue_producer_done (EtwWinQueue *q)
{
  AcquireSRWLockExclusive (&q->lock);
  if (q->producers > 0)
    q->producers--;
  ReleaseSRWLockExclusive (&q->lock);
  WakeAllConditionVariable (&q->cond);
}

void
etw_win_queue_wake (EtwWinQueue *q)
{
  WakeAllConditionVariable (&q->cond);
}

bool
etw_win_queue_push (EtwWinQueue    *q,
                    const EtwEvent *ev)
{
  size_t size = etw_record_size (ev);
  size_t need, n = 0, at = SIZE_MAX;

  if (size > ETW_RECORD_MAX)
    size = ETW_RECORD_MAX;  /* etw_record_write cuts the payload */
  need = 8 + ((size + 7) & ~(size_t) 7);

  AcquireSRWLockExclusive (&q->lock);
  if (q->used == 0)
    q->head = q->tail = 0;
  if (q->used == 0 || q->tail > q->head)
    {
      /* Free: [tail, cap) and [0, head). */
      if (q->cap - q->tail >= need)
        at = q->tail;
      else if (q->head >= need)
        {
          /* Mark the rest of the ring as skipped and go back to the start.
           * Everything is 8-aligned, so the mark always fits. */
          *(uint32_t *) (q->ring + q->tail) = WRAP_MARK;
          q->used += q->cap - q->tail;
          q->tail = 0;
          at = 0;
        }
    }
  else if (q->tail < q->head && q->head - q->tail >= need)
    at = q->tail;  /* free: [tail, head) */

  if (at != SIZE_MAX)
    n = etw_record_write (ev, q->ring + at + 8, need - 8);
  if (n == 0)
    {
      /* Full: a live source drops and counts rather than stall ETW. */
      q->dropped++;
      ReleaseSRWLockExclusive (&q->lock);
      return false;
    }
  *(uint32_t *) (q->ring + at) = (uint32_t) n;
  *(uint32_t *) (q->ring + at + 4) = 0;
  q->tail = at + 8 + n;
  q->used += 8 + n;
  if (q->tail == q->cap)
    q->tail = 0;
  q->delivered++;
  ReleaseSRWLockExclusive (&q->lock);
  WakeConditionVariable (&q->cond);
  return true;
}

/* Moves queued records to the batch. Called with the lock held. */
static void
take (EtwWinQueue *q)
{
  q->batch_len = q->batch_pos = 0;
  while (q->used > 0)
    {
      uint32_t n;

      if (q->head == q->cap || *(uint32_t *) (q->ring + q->head) == WRAP_MARK)
        {
          q->used -= q->cap - q->head;
          q->head = 0;
          continue;
        }
      n = *(uint32_t *) (q->ring + q->head);
      if (q->batch_len + 8 + n > BATCH_BYTES)
        break;
      memcpy (q->batch + q->batch_len, q->ring + q->head, 8 + n);
      q->batch_len += 8 + n;
      q->head += 8 + n;
      q->used -= 8 + n;
      if (q->head == q->cap)
        q->head = 0;
    }
}

int
etw_win_queue_next (EtwWinQueue *q,
                    EtwEvent    *ev,
                    uint32_t     timeout_ms)
{
  for (;;)
    {
      if (q->batch_pos < q->batch_len)
        {
          uint32_t n = *(uint32_t *) (q->batch + q->batch_pos);
          const uint8_t *rec = q->batch + q->batch_pos + 8;

          q->batch_pos += 8 + n;
          if (etw_record_read (rec, n, ev))
            return 1;
          continue;
        }
      AcquireSRWLockExclusive (&q->lock);
      if (q->used == 0 && q->producers > 0)
        SleepConditionVariableSRW (&q->cond, &q->lock, timeout_ms, 0);
      if (q->used == 0)
        {
          int ended = q->producers == 0;
          ReleaseSRWLockExclusive (&q->lock);
          return ended ? -1 : 0;
        }
      take (q);
      ReleaseSRWLockExclusive (&q->lock);
    }
}

void
etw_win_queue_counts (EtwWinQueue *q,
                      uint64_t    *delivered,
                      uint64_t    *dropped,
                      size_t      *used)
{
  AcquireSRWLockShared (&q->lock);
  *delivered = q->delivered;
  *dropped = q->dropped;
  *used = q->used;
  ReleaseSRWLockShared (&q->lock);
}
