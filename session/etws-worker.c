/* etws-worker.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-worker"

#include "config.h"

#include "etws-worker.h"

#include "etws-sink-private.h"

#define DRAIN_BUDGET_USEC 4000
/* After a pass, leave the main loop to redraws and input for this long,
 * unless the queue is close to full. */
#define DRAIN_GAP_USEC 4000

typedef enum
{
  MSG_OPENED,
  MSG_BATCH,
  MSG_NOTICE,
  MSG_DAMAGE,
  MSG_FINISHED,
} MsgType;

typedef struct
{
  MsgType    type;
  EtwsTrace *trace;
  EtwsBatch *batch;
  char      *text;
  GError    *error;
} Msg;

struct _EtwsWorker
{
  GObject       parent_instance;

  EtwsSource   *source;
  EtwsTrace    *trace;
  GCancellable *cancellable;
  GThread      *thread;
  GAsyncQueue  *queue;        /* Msg*, worker → main */
  GAsyncQueue  *free_batches; /* EtwsBatch*, main → worker */
  GSource      *drain_source;
  GMainContext *context;

  GMutex        lock;
  GCond         cond;
  guint         in_flight;    /* batches queued, not yet drained */
  guint         max_queued;
  EtwsSink     *sink;         /* owned by the thread; stop flag only */
  gint          stopping;

  gboolean      running;
  guint64       events_seen;
  guint64       lost;
  guint64       dropped;
  guint64       stack_walks;
  double        progress;
};

G_DEFINE_FINAL_TYPE (EtwsWorker, etws_worker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_EVENTS_SEEN,
  PROP_LOST,
  PROP_DROPPED,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  OPENED,
  BATCH,
  DRAINED,
  NOTICE,
  DAMAGE,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
msg_free (Msg *msg)
{
  g_clear_object (&msg->trace);
  if (msg->batch != NULL)
    etws_batch_free (msg->batch);
  g_free (msg->text);
  g_clear_error (&msg->error);
  g_free (msg);
}

static void
post (EtwsWorker *self,
      Msg        *msg)
{
  g_async_queue_push (self->queue, msg);
  g_main_context_wakeup (self->context);
}

static gboolean
deliver_cb (EtwsBatch *batch,
            gpointer   user_data)
{
  EtwsWorker *self = user_data;
  Msg *msg;

  g_mutex_lock (&self->lock);
  if (etws_source_is_live (self->source))
    {
      /* Batches without rows only carry counters: never dropped. */
      if (self->in_flight >= self->max_queued && (batch->n_rows > 0 || batch->n_fixups > 0))
        {
          g_mutex_unlock (&self->lock);
          /* The counters travel with the next batch that gets through. */
          etws_batch_reset (batch);
          g_async_queue_push (self->free_batches, batch);
          return FALSE;
        }
    }
  else
    {
      /* A file source waits for the UI. */
      while (self->in_flight >= self->max_queued && !g_atomic_int_get (&self->stopping))
        {
          gint64 until = g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND;
          g_cond_wait_until (&self->cond, &self->lock, until);
        }
    }
  self->in_flight++;
  g_mutex_unlock (&self->lock);

  msg = g_new0 (Msg, 1);
  msg->type = MSG_BATCH;
  msg->batch = batch;
  post (self, msg);
  return TRUE;
}

static EtwsBatch *
acquire_cb (gpointer user_data)
{
  EtwsWorker *self = user_data;
  EtwsBatch *batch = g_async_queue_try_pop (self->free_batches);

  if (batch == NULL)
    batch = etws_batch_new (self->trace);
  etws_batch_reset (batch);
  return batch;
}

static void
notice_cb (const char *notice,
           gpointer    user_data)
{
  Msg *msg = g_new0 (Msg, 1);

  msg->type = MSG_NOTICE;
  msg->text = g_strdup (notice);
  post (user_data, msg);
}

static void
damage_cb (const GError *error,
           gpointer      user_data)
{
  Msg *msg = g_new0 (Msg, 1);

  msg->type = MSG_DAMAGE;
  msg->error = g_error_copy (error);
  post (user_data, msg);
}

static const EtwsSinkFuncs sink_funcs = {
  .deliver = deliver_cb,
  .acquire = acquire_cb,
  .notice = notice_cb,
  .damage = damage_cb,
};

static gpointer
etws_worker_thread (gpointer data)
{
  EtwsWorker *self = data;
  g_autoptr(GError) error = NULL;
  EtwsTrace *trace;
  Msg *msg;

  trace = etws_source_open (self->source, self->cancellable, &error);
  if (trace != NULL)
    {
      EtwsSink *sink;

      /* Written before any batch exists; read on the main thread only
       * after MSG_OPENED, which the queue orders. */
      self->trace = g_object_ref (trace);
      msg = g_new0 (Msg, 1);
      msg->type = MSG_OPENED;
      msg->trace = g_object_ref (trace);
      post (self, msg);

      sink = _etws_sink_new (trace, etws_source_is_live (self->source), &sink_funcs, self,
                             self->cancellable);
      g_mutex_lock (&self->lock);
      self->sink = sink;
      if (g_atomic_int_get (&self->stopping))
        _etws_sink_stop (sink);
      g_mutex_unlock (&self->lock);

      etws_source_run (self->source, sink, self->cancellable, &error);
      _etws_sink_finish (sink);

      g_mutex_lock (&self->lock);
      self->sink = NULL;
      g_mutex_unlock (&self->lock);
      _etws_sink_free (sink);
      g_object_unref (trace);
    }

  msg = g_new0 (Msg, 1);
  msg->type = MSG_FINISHED;
  msg->error = g_steal_pointer (&error);
  post (self, msg);
  g_object_unref (self);
  return NULL;
}

static void
apply_counters (EtwsWorker      *self,
                const EtwsBatch *batch)
{
  self->events_seen = batch->events_seen;
  self->lost = batch->lost;
  self->dropped = batch->dropped;
  self->stack_walks = batch->stack_walks;
  if (batch->progress_total > 0)
    self->progress = (double) batch->progress_done / (double) batch->progress_total;
}

typedef struct
{
  GSource      source;
  GAsyncQueue *queue;
  EtwsWorker  *worker;      /* unowned; the worker destroys the source first */
  gint64       next_allowed; /* monotonic µs before which we yield */
} DrainSource;

static gboolean
drain_pressured (EtwsWorker *self)
{
  gboolean pressured;

  g_mutex_lock (&self->lock);
  pressured = self->in_flight * 4 >= self->max_queued * 3;
  g_mutex_unlock (&self->lock);
  return pressured;
}

static gboolean
drain_ready (DrainSource *ds,
             gint        *timeout)
{
  gint64 now;

  if (g_async_queue_length (ds->queue) <= 0)
    {
      *timeout = -1;
      return FALSE;
    }
  now = g_source_get_time ((GSource *) ds);
  if (now >= ds->next_allowed || drain_pressured (ds->worker))
    {
      *timeout = 0;
      return TRUE;
    }
  *timeout = (gint) ((ds->next_allowed - now + 999) / 1000);
  return FALSE;
}

static gboolean
drain_prepare (GSource *source,
               gint    *timeout)
{
  return drain_ready ((DrainSource *) source, timeout);
}

static gboolean
drain_check (GSource *source)
{
  gint timeout;

  return drain_ready ((DrainSource *) source, &timeout);
}

static gboolean
drain_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  EtwsWorker *self = ((DrainSource *) source)->worker;
  gint64 deadline = g_get_monotonic_time () + DRAIN_BUDGET_USEC;
  gboolean got_batch = FALSE;
  Msg *msg;

  g_object_ref (self);
  while ((msg = g_async_queue_try_pop (self->queue)) != NULL)
    {
      switch (msg->type)
        {
        case MSG_OPENED:
          g_signal_emit (self, signals[OPENED], 0, msg->trace);
          break;

        case MSG_BATCH:
          apply_counters (self, msg->batch);
          g_signal_emit (self, signals[BATCH], 0, msg->batch);
          got_batch = TRUE;
          etws_batch_reset (msg->batch);
          g_async_queue_push (self->free_batches, g_steal_pointer (&msg->batch));
          g_mutex_lock (&self->lock);
          self->in_flight--;
          g_cond_signal (&self->cond);
          g_mutex_unlock (&self->lock);
          break;

        case MSG_NOTICE:
          g_signal_emit (self, signals[NOTICE], 0, msg->text);
          break;

        case MSG_DAMAGE:
          g_signal_emit (self, signals[DAMAGE], 0, msg->error);
          break;

        case MSG_FINISHED:
          if (got_batch)
            {
              g_signal_emit (self, signals[DRAINED], 0);
              got_batch = FALSE;
            }
          g_clear_pointer (&self->thread, g_thread_join);
          self->running = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
          g_signal_emit (self, signals[FINISHED], 0, msg->error);
          break;

        default:
          g_assert_not_reached ();
        }
      msg_free (msg);
      if (g_get_monotonic_time () >= deadline)
        break;
    }

  if (got_batch)
    {
      g_signal_emit (self, signals[DRAINED], 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENTS_SEEN]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  ((DrainSource *) source)->next_allowed = g_get_monotonic_time () + DRAIN_GAP_USEC;
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs drain_funcs = {
  .prepare = drain_prepare,
  .check = drain_check,
  .dispatch = drain_dispatch,
};

static void
etws_worker_dispose (GObject *object)
{
  EtwsWorker *self = ETWS_WORKER (object);

  if (self->thread != NULL)
    {
      /* The thread holds a reference, so dispose only runs without one
       * when it already posted MSG_FINISHED. */
      g_clear_pointer (&self->thread, g_thread_join);
    }
  if (self->drain_source != NULL)
    {
      g_source_destroy (self->drain_source);
      g_clear_pointer (&self->drain_source, g_source_unref);
    }
  g_clear_object (&self->source);
  g_clear_object (&self->trace);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (etws_worker_parent_class)->dispose (object);
}

static void
etws_worker_finalize (GObject *object)
{
  EtwsWorker *self = ETWS_WORKER (object);
  Msg *msg;
  EtwsBatch *batch;

  while ((msg = g_async_queue_try_pop (self->queue)) != NULL)
    msg_free (msg);
  while ((batch = g_async_queue_try_pop (self->free_batches)) != NULL)
    etws_batch_free (batch);
  g_async_queue_unref (self->queue);
  g_async_queue_unref (self->free_batches);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (etws_worker_parent_class)->finalize (object);
}

static void
etws_worker_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EtwsWorker *self = ETWS_WORKER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_EVENTS_SEEN:
      g_value_set_uint64 (value, self->events_seen);
      break;
    case PROP_LOST:
      g_value_set_uint64 (value, self->lost);
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, self->dropped);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, etws_worker_get_progress (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_worker_class_init (EtwsWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_worker_dispose;
  object_class->finalize = etws_worker_finalize;
  object_class->get_property = etws_worker_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENTS_SEEN] =
    g_param_spec_uint64 ("events-seen", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOST] =
    g_param_spec_uint64 ("lost", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DROPPED] =
    g_param_spec_uint64 ("dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A trace exists: ids in the batches that follow refer to it. */
  signals[OPENED] = g_signal_new ("opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ETWS_TYPE_TRACE);
  /* One batch (EtwsBatch*, valid during the emission only). */
  signals[BATCH] = g_signal_new ("batch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* After each drain pass that delivered batches. */
  signals[DRAINED] = g_signal_new ("drained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Damage in the input; the events before it were delivered. */
  signals[DAMAGE] = g_signal_new ("damage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* The source ended; the error is NULL unless it could not run at all. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
etws_worker_init (EtwsWorker *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->queue = g_async_queue_new ();
  self->free_batches = g_async_queue_new ();
  self->cancellable = g_cancellable_new ();
  self->max_queued = 64;
  self->progress = -1;
  self->context = g_main_context_ref_thread_default ();
}

EtwsWorker *
etws_worker_new (EtwsSource *source)
{
  EtwsWorker *self;

  g_return_val_if_fail (ETWS_IS_SOURCE (source), NULL);
  self = g_object_new (ETWS_TYPE_WORKER, NULL);
  self->source = g_object_ref (source);
  return self;
}

EtwsSource *
etws_worker_get_source (EtwsWorker *self)
{
  return self->source;
}

EtwsTrace *
etws_worker_get_trace (EtwsWorker *self)
{
  return self->trace;
}

void
etws_worker_set_max_queued (EtwsWorker *self,
                            guint       max_batches)
{
  g_mutex_lock (&self->lock);
  self->max_queued = MAX (1, max_batches);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
etws_worker_start (EtwsWorker *self)
{
  g_return_if_fail (ETWS_IS_WORKER (self));
  g_return_if_fail (self->thread == NULL && !self->running);

  self->drain_source = g_source_new (&drain_funcs, sizeof (DrainSource));
  ((DrainSource *) self->drain_source)->queue = self->queue;
  ((DrainSource *) self->drain_source)->worker = self;
  g_source_set_static_name (self->drain_source, "[etwscope] worker drain");
  /* Just above redraw (GDK_PRIORITY_REDRAW is HIGH_IDLE + 20) and below
   * input: back-to-back frames cannot starve the drain, and the pacing in
   * drain_ready() leaves every other 4 ms to drawing unless the queue is
   * nearly full. */
  g_source_set_priority (self->drain_source, G_PRIORITY_HIGH_IDLE + 15);
  g_source_attach (self->drain_source, self->context);

  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  self->thread = g_thread_new ("etwscope-worker", etws_worker_thread, g_object_ref (self));
}

void
etws_worker_stop (EtwsWorker *self)
{
  g_return_if_fail (ETWS_IS_WORKER (self));

  g_atomic_int_set (&self->stopping, 1);
  g_mutex_lock (&self->lock);
  if (self->sink != NULL)
    _etws_sink_stop (self->sink);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  etws_source_stop (self->source);
  if (!etws_source_is_live (self->source))
    g_cancellable_cancel (self->cancellable);
}

gboolean
etws_worker_is_running (EtwsWorker *self)
{
  return self->running;
}

guint64
etws_worker_get_events_seen (EtwsWorker *self)
{
  return self->events_seen;
}

guint64
etws_worker_get_lost (EtwsWorker *self)
{
  return self->lost;
}

guint64
etws_worker_get_dropped (EtwsWorker *self)
{
  return self->dropped;
}

guint64
etws_worker_get_stack_walks (EtwsWorker *self)
{
  return self->stack_walks;
}

double
etws_worker_get_progress (EtwsWorker *self)
{
  return etws_source_is_live (self->source) ? -1 : self->progress;
}

void
etws_worker_wait (EtwsWorker *self)
{
  while (self->running)
    g_main_context_iteration (self->context, TRUE);
}
