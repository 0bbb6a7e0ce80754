/* etws-filter-runner.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filter of one view: setting a filter cancels the evaluation of the
 * previous one, evaluates on a worker thread, catches up with the rows that
 * arrived meanwhile, and hands the view its row array. Main thread only.
 *
 *   runner = etws_filter_runner_new (store);
 *   g_signal_connect (runner, "finished", G_CALLBACK (finished_cb), view);
 *   etws_filter_runner_set_filter (runner, filter);
 *
 *   finished_cb (runner, rows, view):
 *     etws_event_model_set_view (model, rows ? g_array_ref (rows) : NULL);
 *     etws_event_model_set_row_filter (model, etws_filter_matcher_predicate,
 *                                      etws_filter_matcher_new (filter, store),
 *                                      (GDestroyNotify) etws_filter_matcher_free);
 */
#pragma once

#include <gio/gio.h>

#include "etws-filter.h"

G_BEGIN_DECLS

#define ETWS_TYPE_FILTER_RUNNER (etws_filter_runner_get_type ())

G_DECLARE_FINAL_TYPE (EtwsFilterRunner, etws_filter_runner, ETWS, FILTER_RUNNER, GObject)

EtwsFilterRunner *etws_filter_runner_new          (EtwsStore        *store);
EtwsStore        *etws_filter_runner_get_store    (EtwsFilterRunner *self);
/* NULL or a match-all filter: "finished" with NULL rows (no view) at once. */
void              etws_filter_runner_set_filter   (EtwsFilterRunner *self,
                                                   EtwsFilter       *filter);
EtwsFilter       *etws_filter_runner_get_filter   (EtwsFilterRunner *self);
gboolean          etws_filter_runner_is_running   (EtwsFilterRunner *self);
/* 0…1 while running. */
double            etws_filter_runner_get_progress (EtwsFilterRunner *self);
/* Stops a running evaluation; no "finished" follows. */
void              etws_filter_runner_cancel       (EtwsFilterRunner *self);

G_END_DECLS
