/* etws-filter-runner.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-filter"

#include "config.h"

#include "etws-filter-runner.h"

#include "etws-filter-private.h"

/* Rows that arrived during an evaluation are tested on the main thread
 * when they are few; more than this go back to the thread. */
#define CATCH_UP_ROWS 65536

/* Async evaluation ----------------------------------------------------------- */

typedef struct
{
  EtwsFilter       *filter;
  EtwsStore        *store;
  EtwsTrace        *trace;
  guint64           start;
  guint64           end;
  gsize             done;     /* atomic, rows evaluated */
  EtwsProgressFunc  progress;
  gpointer          progress_data;
  GDestroyNotify    progress_destroy;
  GSource          *timer;
} EvalJob;

static void
eval_job_free (gpointer data)
{
  EvalJob *job = data;

  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_source_unref (job->timer);
    }
  if (job->progress_destroy != NULL)
    job->progress_destroy (job->progress_data);
  etws_filter_unref (job->filter);
  g_clear_object (&job->store);
  g_clear_object (&job->trace);
  g_free (job);
}

static void
job_progress (guint64  done,
              guint64  total,
              gpointer data)
{
  EvalJob *job = data;
  g_atomic_pointer_set (&job->done, (gsize) done);
}

static void
eval_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  EvalJob *job = data;
  g_autoptr(EtwsBitset) bits = etws_bitset_new (job->end);
  GArray *rows;

  if (!_etws_filter_evaluate_trace (job->filter, job->store, job->trace, job->start, job->end,
                                    bits, cancellable, job_progress, job))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Filter cancelled");
      return;
    }
  rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  etws_bitset_append_rows (bits, job->start, job->end, rows);
  g_task_return_pointer (task, rows, (GDestroyNotify) g_array_unref);
}

static gboolean
progress_tick_cb (gpointer data)
{
  EvalJob *job = data;
  guint64 done = (guint64) g_atomic_pointer_get (&job->done);

  if (job->progress != NULL)
    job->progress (done, job->end - job->start, job->progress_data);
  return G_SOURCE_CONTINUE;
}

static void
inner_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EvalJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GArray *rows;

  /* The thread is done with the store's memory. */
  etws_store_release (job->store);
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_clear_pointer (&job->timer, g_source_unref);
    }
  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_array_unref);
}

void
etws_filter_evaluate_async (EtwsFilter          *self,
                            EtwsStore           *store,
                            guint64              start,
                            GCancellable        *cancellable,
                            EtwsProgressFunc     progress,
                            gpointer             progress_data,
                            GDestroyNotify       progress_destroy,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  EvalJob *job;

  g_return_if_fail (self != NULL);
  g_return_if_fail (ETWS_IS_STORE (store));

  job = g_new0 (EvalJob, 1);
  job->filter = etws_filter_ref (self);
  job->store = g_object_ref (store);
  job->trace = etws_store_get_trace (store) != NULL ? g_object_ref (etws_store_get_trace (store)) : NULL;
  job->end = etws_store_get_n_rows (store);
  job->start = MIN (start, job->end);
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, etws_filter_evaluate_async);
  g_task_set_task_data (task, job, eval_job_free);

  if (progress != NULL)
    {
      job->timer = g_timeout_source_new (100);
      g_source_set_callback (job->timer, progress_tick_cb, job, NULL);
      g_source_attach (job->timer, g_main_context_get_thread_default ());
    }

  /* The inner task's callback runs on this thread after the worker
   * returned, which is where the hold can end. */
  etws_store_hold (store);
  inner = g_task_new (NULL, cancellable, inner_done_cb, g_object_ref (task));
  g_task_set_task_data (inner, job, NULL);
  g_task_run_in_thread (inner, eval_thread);
}

GArray *
etws_filter_evaluate_finish (EtwsFilter    *self,
                             GAsyncResult  *result,
                             guint64       *end,
                             GError       **error)
{
  EvalJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  job = g_task_get_task_data (G_TASK (result));
  if (end != NULL)
    *end = job->end;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Runner -------------------------------------------------------------------- */

struct _EtwsFilterRunner
{
  GObject       parent_instance;

  EtwsStore    *store;
  EtwsFilter   *filter;
  GCancellable *cancellable;
  GArray       *rows;       /* matches among [0, covered) so far */
  guint64       covered;
  double        progress;
  gboolean      running;
  gulong        removed_handler;
};

G_DEFINE_FINAL_TYPE (EtwsFilterRunner, etws_filter_runner, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_RUNNING,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_job (EtwsFilterRunner *self);

static void
set_running (EtwsFilterRunner *self,
             gboolean          running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_progress (EtwsFilterRunner *self,
              double            progress)
{
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
rows_removed_cb (EtwsStore        *store,
                 guint64           removed,
                 EtwsFilterRunner *self)
{
  guint keep = 0;

  /* Rows dropped by the live cap between two passes: shift what we have. */
  if (self->rows == NULL)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    {
      guint32 r = g_array_index (self->rows, guint32, i);
      if (r >= removed)
        g_array_index (self->rows, guint32, keep++) = (guint32) (r - removed);
    }
  g_array_set_size (self->rows, keep);
  self->covered = self->covered > removed ? self->covered - removed : 0;
}

static void
runner_progress_cb (guint64  done,
                    guint64  total,
                    gpointer data)
{
  EtwsFilterRunner *self = data;
  guint64 all = etws_store_get_n_rows (self->store);

  if (all > 0)
    set_progress (self, MIN (1.0, (double) (self->covered + done) / (double) all));
}

static void
publish (EtwsFilterRunner *self)
{
  g_autoptr(GArray) rows = g_steal_pointer (&self->rows);

  g_clear_object (&self->cancellable);
  set_running (self, FALSE);
  set_progress (self, 1.0);
  g_signal_emit (self, signals[FINISHED], 0, rows);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EtwsFilterRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  guint64 end = 0, n_now;

  rows = etws_filter_evaluate_finish (NULL, result, &end, &error);
  /* A newer filter (or a cancel) replaced this evaluation. */
  if (cancellable != self->cancellable || g_cancellable_is_cancelled (cancellable) || rows == NULL)
    return;

  g_array_append_vals (self->rows, rows->data, rows->len);
  self->covered = end;
  n_now = etws_store_get_n_rows (self->store);
  if (n_now > self->covered + CATCH_UP_ROWS)
    {
      start_job (self);
      return;
    }
  if (n_now > self->covered)
    {
      g_autoptr(EtwsFilterMatcher) m = etws_filter_matcher_new (self->filter, self->store);
      for (guint64 i = self->covered; i < n_now; i++)
        if (etws_filter_matcher_match (m, i))
          {
            guint32 r = (guint32) i;
            g_array_append_val (self->rows, r);
          }
      self->covered = n_now;
    }
  publish (self);
}

static void
start_job (EtwsFilterRunner *self)
{
  etws_filter_evaluate_async (self->filter, self->store, self->covered, self->cancellable,
                              runner_progress_cb, self, NULL, job_done_cb, g_object_ref (self));
}

static void
etws_filter_runner_dispose (GObject *object)
{
  EtwsFilterRunner *self = ETWS_FILTER_RUNNER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_clear_signal_handler (&self->removed_handler, self->store);
  g_clear_object (&self->store);
  g_clear_pointer (&self->filter, etws_filter_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  G_OBJECT_CLASS (etws_filter_runner_parent_class)->dispose (object);
}

static void
etws_filter_runner_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EtwsFilterRunner *self = ETWS_FILTER_RUNNER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_filter_runner_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EtwsFilterRunner *self = ETWS_FILTER_RUNNER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      self->removed_handler = g_signal_connect (self->store, "rows-removed",
                                                G_CALLBACK (rows_removed_cb), self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_filter_runner_class_init (EtwsFilterRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_filter_runner_dispose;
  object_class->get_property = etws_filter_runner_get_property;
  object_class->set_property = etws_filter_runner_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, ETWS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The view's rows: a GArray of guint32 store indices in store order, or
   * NULL for "all rows". Rows appended later go through a matcher. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ARRAY);
}

static void
etws_filter_runner_init (EtwsFilterRunner *self)
{
}

EtwsFilterRunner *
etws_filter_runner_new (EtwsStore *store)
{
  g_return_val_if_fail (ETWS_IS_STORE (store), NULL);
  return g_object_new (ETWS_TYPE_FILTER_RUNNER, "store", store, NULL);
}

EtwsStore *
etws_filter_runner_get_store (EtwsFilterRunner *self)
{
  return self->store;
}

void
etws_filter_runner_cancel (EtwsFilterRunner *self)
{
  g_return_if_fail (ETWS_IS_FILTER_RUNNER (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_array_unref);
  set_running (self, FALSE);
}

void
etws_filter_runner_set_filter (EtwsFilterRunner *self,
                               EtwsFilter       *filter)
{
  g_return_if_fail (ETWS_IS_FILTER_RUNNER (self));

  etws_filter_runner_cancel (self);
  if (filter != NULL)
    etws_filter_ref (filter);
  g_clear_pointer (&self->filter, etws_filter_unref);
  self->filter = filter;

  if (filter == NULL || etws_filter_matches_all (filter))
    {
      set_progress (self, 1.0);
      g_signal_emit (self, signals[FINISHED], 0, NULL);
      return;
    }
  self->rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->covered = 0;
  self->cancellable = g_cancellable_new ();
  set_progress (self, 0.0);
  set_running (self, TRUE);
  start_job (self);
}

EtwsFilter *
etws_filter_runner_get_filter (EtwsFilterRunner *self)
{
  return self->filter;
}

gboolean
etws_filter_runner_is_running (EtwsFilterRunner *self)
{
  return self->running;
}

double
etws_filter_runner_get_progress (EtwsFilterRunner *self)
{
  return self->progress;
}
