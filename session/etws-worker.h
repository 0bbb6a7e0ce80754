/* etws-worker.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs an EtwsSource on its own thread and delivers its batches to the main
 * loop through a GAsyncQueue. The main loop drains the queue from a GSource
 * within a budget of about 4 ms per pass and emits "drained" once per pass,
 * so a view can announce all new rows with one items-changed. Every signal
 * is emitted on the main thread; the worker thread never touches GTK or
 * emits signals.
 */
#pragma once

#include <gio/gio.h>

#include "etws-batch.h"
#include "etws-source.h"

G_BEGIN_DECLS

#define ETWS_TYPE_WORKER (etws_worker_get_type ())

G_DECLARE_FINAL_TYPE (EtwsWorker, etws_worker, ETWS, WORKER, GObject)

EtwsWorker *etws_worker_new              (EtwsSource *source);
EtwsSource *etws_worker_get_source       (EtwsWorker *self);
/* NULL until the "opened" signal. */
EtwsTrace  *etws_worker_get_trace        (EtwsWorker *self);
/* How many batches may wait in the queue (default 64). */
void        etws_worker_set_max_queued   (EtwsWorker *self,
                                          guint       max_batches);
void        etws_worker_start            (EtwsWorker *self);
/* A live source ends its capture; a file source stops reading. The
 * "finished" signal follows. */
void        etws_worker_stop             (EtwsWorker *self);
gboolean    etws_worker_is_running       (EtwsWorker *self);
guint64     etws_worker_get_events_seen  (EtwsWorker *self);
guint64     etws_worker_get_lost         (EtwsWorker *self);
guint64     etws_worker_get_dropped      (EtwsWorker *self);
guint64     etws_worker_get_stack_walks  (EtwsWorker *self);
/* 0…1, or -1 when unknown (live). */
double      etws_worker_get_progress     (EtwsWorker *self);
/* Blocks, running the default main context, until "finished". For tests
 * and the command line. */
void        etws_worker_wait             (EtwsWorker *self);

G_END_DECLS
