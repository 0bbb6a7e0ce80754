/* etws-batch.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the worker hands to the main loop: rows in their compact stored
 * form, plus counters. A row is 48 bytes; strings, stacks and event types
 * are ids into the EtwsTrace tables.
 */
#pragma once

#include <glib.h>

#include "etws-trace.h"

G_BEGIN_DECLS

enum
{
  ETWS_ROW_HAS_STACK_PENDING = 1 << 0,  /* a stack may still be attached */
  ETWS_ROW_CLASSIC           = 1 << 1,  /* classic/kernel header */
  ETWS_ROW_LOG_HEADER        = 1 << 2,
};

typedef struct
{
  gint64  time;       /* FILETIME, UTC */
  guint64 locator;    /* record bytes, see etws_record_reader_read() */
  guint32 pid;
  guint32 tid;
  guint32 path;       /* string id: Path/Target */
  guint32 process;    /* string id: process image name */
  guint32 result;     /* string id: Result */
  guint32 stack;      /* stack id */
  guint16 cpu;
  guint16 etype;      /* event type index (provider, id, opcode, names) */
  guint8  kind;       /* EtwHeaderKind */
  guint8  flags;      /* ETWS_ROW_* */
  guint16 reserved;
} EtwsRow;

G_STATIC_ASSERT (sizeof (EtwsRow) == 48);

typedef struct
{
  guint64 row;        /* global row number */
  guint32 stack;
} EtwsStackFixup;

typedef struct
{
  EtwsTrace      *trace;        /* the trace the ids refer to */
  guint64         first_row;    /* global number of rows[0] */
  EtwsRow        *rows;
  guint           n_rows;
  guint           cap_rows;
  EtwsStackFixup *fixups;       /* stacks that arrived after their row was sent */
  guint           n_fixups;
  guint           cap_fixups;

  /* Totals so far (not deltas), as of this batch. */
  guint64         events_seen;  /* every record the source delivered */
  guint64         stack_walks;  /* StackWalk records attached to events */
  guint64         lost;         /* lost by the producer (kernel / ETW / file header) */
  guint64         dropped;      /* dropped here because the UI fell behind */
  guint64         progress_done;
  guint64         progress_total;
} EtwsBatch;

EtwsBatch *etws_batch_new   (EtwsTrace *trace);
void       etws_batch_free  (EtwsBatch *batch);
void       etws_batch_reset (EtwsBatch *batch);

G_END_DECLS
