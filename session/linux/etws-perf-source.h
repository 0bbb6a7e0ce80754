/* etws-perf-source.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Linux live source: system-wide kernel events with perf_event_open.
 * Made through etws_live_source_new() (etws-live.h); this header is for
 * the tests and benchmarks that want its counters.
 */
#pragma once

#include "etws-live.h"
#include "etws-source.h"

G_BEGIN_DECLS

#define ETWS_TYPE_PERF_SOURCE (etws_perf_source_get_type ())

/* The converter may fall this far behind before the reader stops
 * draining the rings; the kernel then counts what it cannot store as
 * LOST. One round may pass it by what the rings hold. */
#define ETWS_PERF_MAX_BACKLOG ((gsize) 256 << 20)

G_DECLARE_FINAL_TYPE (EtwsPerfSource, etws_perf_source, ETWS, PERF_SOURCE, EtwsSource)

typedef struct
{
  guint64  records_bytes;    /* copied out of the rings */
  guint64  records;          /* records merged by time (samples and sideband) */
  guint64  reader_cpu_ns;    /* CPU time of the reader thread */
  guint64  reader_rounds;
  guint64  backlog_max;      /* most bytes waiting between reader and converter */
  guint64  stalled_rounds;   /* rounds the reader left a ring full (backlog cap) */
  guint64  lost;             /* PERF_RECORD_LOST counts */
  guint64  events_pushed;    /* events handed to the sink */
  gboolean augmented;        /* the BPF path augmenter is in use */
} EtwsPerfSourceStats;

EtwsPerfSource *etws_perf_source_new       (const EtwsLiveOptions *options,
                                            GError               **error);
/* Any thread, during or after the run. */
void            etws_perf_source_get_stats (EtwsPerfSource        *self,
                                            EtwsPerfSourceStats   *stats);

G_END_DECLS
