/* etws-store.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The event store: append-only and columnar, fed by an EtwsWorker on the
 * main thread. A row costs 48 bytes in all columns together; payloads stay
 * in the mapped file (or the live arena) and are re-read on demand.
 *
 * Rows are addressed by their index 0 … n_rows-1. When a live capture's
 * cap drops the oldest rows, indices shift down ("rows-removed"); the
 * global row number (index + first_row) never changes.
 */
#pragma once

#include <gio/gio.h>

#include "etws-batch.h"
#include "etws-event-type.h"
#include "etws-worker.h"

G_BEGIN_DECLS

#define ETWS_TYPE_STORE (etws_store_get_type ())

G_DECLARE_FINAL_TYPE (EtwsStore, etws_store, ETWS, STORE, GObject)

typedef enum
{
  ETWS_LIMIT_STOP,         /* stop the capture at the cap, with a notice */
  ETWS_LIMIT_DROP_OLDEST,  /* keep the newest rows (Process Monitor's history depth) */
} EtwsLimitPolicy;

EtwsStore   *etws_store_new             (void);
/* Takes rows from worker's batches from now on. */
void         etws_store_attach          (EtwsStore       *self,
                                         EtwsWorker      *worker);
EtwsWorker  *etws_store_get_worker      (EtwsStore       *self);
EtwsTrace   *etws_store_get_trace       (EtwsStore       *self);
guint64      etws_store_get_n_rows      (EtwsStore       *self);
guint64      etws_store_get_first_row   (EtwsStore       *self);
/* A cap on rows (0 = none). Drop-oldest drops whole chunks of
 * ETWS_CHUNK_LEN rows, so up to a chunk more may be held; a cap of 8
 * chunks or more drops down to about 7/8 of itself at once. */
void         etws_store_set_limit       (EtwsStore       *self,
                                         guint64          max_rows,
                                         EtwsLimitPolicy  policy);

/* New rows are announced ("rows-added", and the drop-oldest cap applied
 * with its "rows-removed") at most every interval_ms, in one go, when they
 * pour in; a trickle (under 1,024 rows since the last announcement, 16 ms
 * ago or more) goes in at once. 0 (the default) announces them at every
 * drain of the worker. A live view sets it: each announcement costs the
 * list view a relayout, whatever its size.
 * Until announced, rows are held but not counted by etws_store_get_n_rows()
 * (nor read by index).
 * The end of the session announces what is pending. */
void         etws_store_set_announce_interval (EtwsStore *self,
                                               guint      interval_ms);

/* Column access, O(1). */
void         etws_store_get_row         (EtwsStore       *self,
                                         guint64          index,
                                         EtwsRow         *row);
gint64       etws_store_get_time        (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_pid         (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_tid         (EtwsStore       *self,
                                         guint64          index);
guint16      etws_store_get_cpu         (EtwsStore       *self,
                                         guint64          index);
guint16      etws_store_get_etype       (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_path        (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_process     (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_result      (EtwsStore       *self,
                                         guint64          index);
guint32      etws_store_get_stack       (EtwsStore       *self,
                                         guint64          index);
guint64      etws_store_get_locator     (EtwsStore       *self,
                                         guint64          index);
const EtwsEventType *etws_store_get_event_type (EtwsStore *self,
                                                guint64    index);
const char  *etws_store_get_string      (EtwsStore       *self,
                                         guint32          id);

/* Bulk column access for scans on any thread (filters, sorting): the
 * column's elements from `index` on, and in *n_run how many of them lie
 * contiguously. `index` must be a row the caller knows exists, and the run
 * may reach past the last row: bound it by the row count the caller was
 * given (reading the count here would race with appends). Rows handed to
 * the reading thread stay valid while the store is held (see below). */
typedef enum
{
  ETWS_STORE_COLUMN_TIME,     /* gint64 */
  ETWS_STORE_COLUMN_LOCATOR,  /* guint64 */
  ETWS_STORE_COLUMN_PID,      /* guint32 */
  ETWS_STORE_COLUMN_TID,      /* guint32 */
  ETWS_STORE_COLUMN_PATH,     /* guint32 string id */
  ETWS_STORE_COLUMN_PROCESS,  /* guint32 string id */
  ETWS_STORE_COLUMN_RESULT,   /* guint32 string id */
  ETWS_STORE_COLUMN_STACK,    /* guint32 stack id */
  ETWS_STORE_COLUMN_CPU,      /* guint16 */
  ETWS_STORE_COLUMN_ETYPE,    /* guint16 event type index */
} EtwsStoreColumn;

gconstpointer etws_store_get_column_run (EtwsStore       *self,
                                         EtwsStoreColumn  column,
                                         guint64          index,
                                         guint64         *n_run);
/* Main thread. While held, the row cap drops no rows (their memory stays
 * valid for a scan running on another thread); dropping resumes with the
 * next announcement after the last release. */
void         etws_store_hold            (EtwsStore       *self);
void         etws_store_release         (EtwsStore       *self);

/* Re-reads a row's record (for the detail pane, exports, field filters). */
gboolean     etws_store_read_event      (EtwsStore        *self,
                                         EtwsRecordReader *reader,
                                         guint64           index,
                                         EtwEvent         *ev);

/* Totals for the status bar. */
guint64      etws_store_get_events_seen (EtwsStore       *self);
guint64      etws_store_get_stack_walks (EtwsStore       *self);
guint64      etws_store_get_lost        (EtwsStore       *self);
guint64      etws_store_get_dropped     (EtwsStore       *self);
/* Bytes held by the columns (not the trace's strings/stacks/records). */
gsize        etws_store_get_column_bytes (EtwsStore      *self);

G_END_DECLS
