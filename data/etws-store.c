/* etws-store.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-store"

#include "config.h"

#include "etws-store.h"

#include "etws-chunked.h"

struct _EtwsStore
{
  GObject          parent_instance;

  EtwsWorker      *worker;
  EtwsTrace       *trace;
  gulong           handlers[4];

  /* Columns. Index i of the store is element first + i of each array. */
  EtwsChunked      time;      /* gint64 */
  EtwsChunked      locator;   /* guint64 */
  EtwsChunked      pid;       /* guint32 */
  EtwsChunked      tid;       /* guint32 */
  EtwsChunked      path;      /* guint32 */
  EtwsChunked      process;   /* guint32 */
  EtwsChunked      result;    /* guint32 */
  EtwsChunked      stack;     /* guint32 */
  EtwsChunked      cpu;       /* guint16 */
  EtwsChunked      etype;     /* guint16 */
  EtwsChunked      kindflags; /* guint16: kind | flags << 8 */

  guint64          first;     /* global row number of index 0 */
  guint64          pending;   /* rows appended since the last "rows-added" */

  guint64          max_rows;
  EtwsLimitPolicy  policy;
  gboolean         limit_hit;
  guint            holds;     /* scans in progress: drop no rows */

  /* Rows are announced (and the cap applied) at most this often. */
  gint64           announce_interval;  /* µs; 0 = at every drain */
  gint64           last_announce;
  guint            announce_source;

  guint64          events_seen;
  guint64          stack_walks;
  guint64          lost;
  guint64          dropped;
};

G_DEFINE_FINAL_TYPE (EtwsStore, etws_store, G_TYPE_OBJECT)

enum
{
  ROWS_ADDED,
  ROWS_REMOVED,
  STACKS_CHANGED,
  TRACE_CHANGED,
  LIMIT_REACHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* With an announcement interval, fewer new rows than this are announced
 * at once, if the last announcement is this old. */
#define ANNOUNCE_FEW_ROWS     1024
#define ANNOUNCE_FEW_GAP_USEC 16000

#define COL(self, col, type, i) (*(type *) etws_chunked_get (&(self)->col, (self)->first + (i)))

static void
columns_init (EtwsStore *self)
{
  etws_chunked_init (&self->time, sizeof (gint64));
  etws_chunked_init (&self->locator, sizeof (guint64));
  etws_chunked_init (&self->pid, sizeof (guint32));
  etws_chunked_init (&self->tid, sizeof (guint32));
  etws_chunked_init (&self->path, sizeof (guint32));
  etws_chunked_init (&self->process, sizeof (guint32));
  etws_chunked_init (&self->result, sizeof (guint32));
  etws_chunked_init (&self->stack, sizeof (guint32));
  etws_chunked_init (&self->cpu, sizeof (guint16));
  etws_chunked_init (&self->etype, sizeof (guint16));
  etws_chunked_init (&self->kindflags, sizeof (guint16));
}

static EtwsChunked *
column_list (EtwsStore *self,
             guint      i)
{
  EtwsChunked *cols[] = {
    &self->time, &self->locator, &self->pid, &self->tid, &self->path, &self->process,
    &self->result, &self->stack, &self->cpu, &self->etype, &self->kindflags,
  };
  return i < G_N_ELEMENTS (cols) ? cols[i] : NULL;
}

static void
columns_clear (EtwsStore *self)
{
  EtwsChunked *c;

  for (guint i = 0; (c = column_list (self, i)) != NULL; i++)
    etws_chunked_clear (c);
}

static void
etws_store_dispose (GObject *object)
{
  EtwsStore *self = ETWS_STORE (object);

  if (self->worker != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
      g_clear_signal_handler (&self->handlers[i], self->worker);
  g_clear_handle_id (&self->announce_source, g_source_remove);
  g_clear_object (&self->worker);
  g_clear_object (&self->trace);
  G_OBJECT_CLASS (etws_store_parent_class)->dispose (object);
}

static void
etws_store_finalize (GObject *object)
{
  columns_clear (ETWS_STORE (object));
  G_OBJECT_CLASS (etws_store_parent_class)->finalize (object);
}

static void
etws_store_class_init (EtwsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_store_dispose;
  object_class->finalize = etws_store_finalize;

  /* Rows appended at the end: (index of the first new row, count). Emitted
   * once per worker drain. */
  signals[ROWS_ADDED] = g_signal_new ("rows-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_UINT64, G_TYPE_UINT64);
  /* The oldest rows were dropped: (count), all indices shift down. */
  signals[ROWS_REMOVED] = g_signal_new ("rows-removed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_UINT64);
  /* Stacks were attached to rows already announced (stack-key resolution). */
  signals[STACKS_CHANGED] = g_signal_new ("stacks-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  signals[TRACE_CHANGED] = g_signal_new ("trace-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
  /* The row cap stopped the capture (policy STOP). */
  signals[LIMIT_REACHED] = g_signal_new ("limit-reached", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
}

static void
etws_store_init (EtwsStore *self)
{
  columns_init (self);
}

EtwsStore *
etws_store_new (void)
{
  return g_object_new (ETWS_TYPE_STORE, NULL);
}

static void
opened_cb (EtwsWorker *worker,
           EtwsTrace  *trace,
           EtwsStore  *self)
{
  g_set_object (&self->trace, trace);
  g_signal_emit (self, signals[TRACE_CHANGED], 0);
}

static void
append_batch (EtwsStore       *self,
              const EtwsBatch *batch)
{
  guint64 n = self->time.len - self->first;

  if (batch->trace != self->trace)
    g_set_object (&self->trace, batch->trace);
  self->events_seen = batch->events_seen;
  self->stack_walks = batch->stack_walks;
  self->lost = batch->lost;
  self->dropped = batch->dropped;

  if (self->limit_hit)
    return;

  /* The sink numbers rows from 0; the store holds the same numbering. */
  g_assert (batch->n_rows == 0 || batch->first_row == self->time.len);
  /* Column by column, a chunk-contiguous span at a time. */
  for (guint done = 0; done < batch->n_rows;)
    {
      const EtwsRow *r = batch->rows + done;
      guint want = batch->n_rows - done, got = 0;
      gint64 *time = etws_chunked_append_span (&self->time, want, &got);
      guint got2;

      if (time == NULL)
        break;
#define SPAN(col, type, expr)                                            \
      {                                                                  \
        type *dst = etws_chunked_append_span (&self->col, got, &got2);   \
        g_assert (got2 == got);                                          \
        for (guint k = 0; k < got; k++)                                  \
          dst[k] = (expr);                                               \
      }
      for (guint k = 0; k < got; k++)
        time[k] = r[k].time;
      SPAN (locator, guint64, r[k].locator);
      SPAN (pid, guint32, r[k].pid);
      SPAN (tid, guint32, r[k].tid);
      SPAN (path, guint32, r[k].path);
      SPAN (process, guint32, r[k].process);
      SPAN (result, guint32, r[k].result);
      SPAN (stack, guint32, r[k].stack);
      SPAN (cpu, guint16, r[k].cpu);
      SPAN (etype, guint16, r[k].etype);
      SPAN (kindflags, guint16, (guint16) (r[k].kind | r[k].flags << 8));
#undef SPAN
      done += got;
    }
  self->pending += self->time.len - self->first - n;

  if (batch->n_fixups > 0)
    {
      for (guint i = 0; i < batch->n_fixups; i++)
        {
          const EtwsStackFixup *f = &batch->fixups[i];
          if (f->row >= self->first && f->row < self->stack.len)
            *(guint32 *) etws_chunked_get (&self->stack, f->row) = f->stack;
        }
    }

  if (self->max_rows > 0 && self->policy == ETWS_LIMIT_STOP &&
      self->time.len - self->first > self->max_rows)
    {
      self->limit_hit = TRUE;
      if (self->worker != NULL)
        etws_worker_stop (self->worker);
      g_signal_emit (self, signals[LIMIT_REACHED], 0);
    }
}

/* The drop-oldest cap. Only here, where the drop is announced at once:
 * dropping rows the views were not yet told of would shift the indices
 * they hold. Returns how many rows went. */
static guint64
apply_drop_oldest (EtwsStore *self)
{
  guint64 drop;
  guint64 new_first, old_locator;
  EtwsChunked *c;

  if (self->max_rows == 0 || self->policy != ETWS_LIMIT_DROP_OLDEST ||
      self->time.len - self->first <= self->max_rows || self->holds > 0)
    return 0;
  /* A drop costs the list view a fixed price, however many rows go (GTK
   * 4.8 updates the position of every row widget it keeps): a large cap
   * drops its oldest eighth at once rather than a chunk at a time. */
  drop = self->time.len - self->first - self->max_rows +
         (self->max_rows / 8 - (self->max_rows / 8) % ETWS_CHUNK_LEN);
  /* Keep whole chunks: drop only when a chunk's worth is over. */
  drop = drop - drop % ETWS_CHUNK_LEN;
  if (drop == 0)
    return 0;
  new_first = self->first + drop;
  old_locator = *(guint64 *) etws_chunked_get (&self->locator, new_first);
  for (guint i = 0; (c = column_list (self, i)) != NULL; i++)
    etws_chunked_drop_head (c, new_first);
  self->first = new_first;
  if (self->trace != NULL && etws_trace_is_live (self->trace))
    etws_trace_drop_records_before (self->trace, old_locator);
  return drop;
}

static void
batch_cb (EtwsWorker *worker,
          EtwsBatch  *batch,
          EtwsStore  *self)
{
  gboolean had_fixups = batch->n_fixups > 0;

  append_batch (self, batch);
  if (had_fixups)
    g_signal_emit (self, signals[STACKS_CHANGED], 0);
}

static void
announce (EtwsStore *self)
{
  guint64 n_rows, removed;

  g_clear_handle_id (&self->announce_source, g_source_remove);
  self->last_announce = g_get_monotonic_time ();
  removed = apply_drop_oldest (self);
  n_rows = self->time.len - self->first;

  if (removed > 0)
    {
      /* The oldest rows go first: those already announced, then (only when
       * the drop reaches past them) rows of this pass never announced. */
      guint64 announced = n_rows + removed - self->pending;
      guint64 announced_removed = MIN (removed, announced);
      self->pending -= MIN (self->pending, removed - announced_removed);
      if (announced_removed > 0)
        g_signal_emit (self, signals[ROWS_REMOVED], 0, announced_removed);
    }
  if (self->pending > 0)
    {
      guint64 added = self->pending;
      self->pending = 0;
      g_signal_emit (self, signals[ROWS_ADDED], 0, n_rows - added, added);
    }
}

static gboolean
announce_cb (gpointer data)
{
  EtwsStore *self = data;

  self->announce_source = 0;
  announce (self);
  return G_SOURCE_REMOVE;
}

static void
drained_cb (EtwsWorker *worker,
            EtwsStore  *self)
{
  gint64 due, now;

  if (self->announce_interval == 0)
    {
      announce (self);
      return;
    }
  /* Already scheduled: it comes no later than this one would. */
  if (self->announce_source != 0)
    return;
  /* A trickle goes in at once (a frame apart at most): the interval is
   * for floods, where each announcement costs the view a relayout. */
  if (self->pending < ANNOUNCE_FEW_ROWS)
    due = self->last_announce + MIN (ANNOUNCE_FEW_GAP_USEC, self->announce_interval);
  else
    due = self->last_announce + self->announce_interval;
  now = g_get_monotonic_time ();
  if (now >= due)
    announce (self);
  else
    self->announce_source = g_timeout_add_full (G_PRIORITY_HIGH_IDLE + 15,
                                                (guint) ((due - now + 999) / 1000),
                                                announce_cb, self, NULL);
}

/* Rows batched so far are announced before the session's end is. */
static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             EtwsStore    *self)
{
  if (self->pending > 0 || self->announce_source != 0)
    announce (self);
}

void
etws_store_attach (EtwsStore  *self,
                   EtwsWorker *worker)
{
  g_return_if_fail (ETWS_IS_STORE (self));
  g_return_if_fail (self->worker == NULL);

  self->worker = g_object_ref (worker);
  self->handlers[0] = g_signal_connect (worker, "opened", G_CALLBACK (opened_cb), self);
  self->handlers[1] = g_signal_connect (worker, "batch", G_CALLBACK (batch_cb), self);
  self->handlers[2] = g_signal_connect (worker, "drained", G_CALLBACK (drained_cb), self);
  self->handlers[3] = g_signal_connect (worker, "finished", G_CALLBACK (finished_cb), self);
}

EtwsWorker *
etws_store_get_worker (EtwsStore *self)
{
  return self->worker;
}

EtwsTrace *
etws_store_get_trace (EtwsStore *self)
{
  return self->trace;
}

guint64
etws_store_get_n_rows (EtwsStore *self)
{
  /* Rows exist for everyone once announced: a filter or an export that
   * counted rows still pending would see them twice when they arrive. */
  return self->time.len - self->first - self->pending;
}

guint64
etws_store_get_first_row (EtwsStore *self)
{
  return self->first;
}

void
etws_store_set_limit (EtwsStore       *self,
                      guint64          max_rows,
                      EtwsLimitPolicy  policy)
{
  self->max_rows = max_rows;
  self->policy = policy;
}

void
etws_store_set_announce_interval (EtwsStore *self,
                                  guint      interval_ms)
{
  g_return_if_fail (ETWS_IS_STORE (self));
  self->announce_interval = (gint64) interval_ms * 1000;
}

void
etws_store_get_row (EtwsStore *self,
                    guint64    i,
                    EtwsRow   *row)
{
  guint16 kf = COL (self, kindflags, guint16, i);

  row->time = COL (self, time, gint64, i);
  row->locator = COL (self, locator, guint64, i);
  row->pid = COL (self, pid, guint32, i);
  row->tid = COL (self, tid, guint32, i);
  row->path = COL (self, path, guint32, i);
  row->process = COL (self, process, guint32, i);
  row->result = COL (self, result, guint32, i);
  row->stack = COL (self, stack, guint32, i);
  row->cpu = COL (self, cpu, guint16, i);
  row->etype = COL (self, etype, guint16, i);
  row->kind = (guint8) kf;
  row->flags = (guint8) (kf >> 8);
  row->reserved = 0;
}

gint64
etws_store_get_time (EtwsStore *self,
                     guint64    i)
{
  return COL (self, time, gint64, i);
}

guint32
etws_store_get_pid (EtwsStore *self,
                    guint64    i)
{
  return COL (self, pid, guint32, i);
}

guint32
etws_store_get_tid (EtwsStore *self,
                    guint64    i)
{
  return COL (self, tid, guint32, i);
}

guint16
etws_store_get_cpu (EtwsStore *self,
                    guint64    i)
{
  return COL (self, cpu, guint16, i);
}

guint16
etws_store_get_etype (EtwsStore *self,
                      guint64    i)
{
  return COL (self, etype, guint16, i);
}

guint32
etws_store_get_path (EtwsStore *self,
                     guint64    i)
{
  return COL (self, path, guint32, i);
}

guint32
etws_store_get_process (EtwsStore *self,
                        guint64    i)
{
  return COL (self, process, guint32, i);
}

guint32
etws_store_get_result (EtwsStore *self,
                       guint64    i)
{
  return COL (self, result, guint32, i);
}

guint32
etws_store_get_stack (EtwsStore *self,
                      guint64    i)
{
  return COL (self, stack, guint32, i);
}

guint64
etws_store_get_locator (EtwsStore *self,
                        guint64    i)
{
  return COL (self, locator, guint64, i);
}

const EtwsEventType *
etws_store_get_event_type (EtwsStore *self,
                           guint64    i)
{
  return etws_trace_event_type (self->trace, COL (self, etype, guint16, i));
}

const char *
etws_store_get_string (EtwsStore *self,
                       guint32    id)
{
  return self->trace != NULL ? etws_trace_string (self->trace, id) : "";
}

gconstpointer
etws_store_get_column_run (EtwsStore       *self,
                           EtwsStoreColumn  column,
                           guint64          index,
                           guint64         *n_run)
{
  EtwsChunked *c = column_list (self, (guint) column);
  guint64 g = self->first + index;

  g_return_val_if_fail (c != NULL && column <= ETWS_STORE_COLUMN_ETYPE, NULL);
  *n_run = ETWS_CHUNK_LEN - (g & (ETWS_CHUNK_LEN - 1));
  return etws_chunked_get (c, g);
}

void
etws_store_hold (EtwsStore *self)
{
  g_return_if_fail (ETWS_IS_STORE (self));
  self->holds++;
}

void
etws_store_release (EtwsStore *self)
{
  g_return_if_fail (ETWS_IS_STORE (self));
  g_return_if_fail (self->holds > 0);
  self->holds--;
}

gboolean
etws_store_read_event (EtwsStore        *self,
                       EtwsRecordReader *reader,
                       guint64           i,
                       EtwEvent         *ev)
{
  if (i >= etws_store_get_n_rows (self))
    return FALSE;
  return etws_record_reader_read (reader, COL (self, locator, guint64, i), ev);
}

guint64
etws_store_get_events_seen (EtwsStore *self)
{
  return self->events_seen;
}

guint64
etws_store_get_stack_walks (EtwsStore *self)
{
  return self->stack_walks;
}

guint64
etws_store_get_lost (EtwsStore *self)
{
  return self->lost;
}

guint64
etws_store_get_dropped (EtwsStore *self)
{
  return self->dropped;
}

gsize
etws_store_get_column_bytes (EtwsStore *self)
{
  EtwsChunked *c;
  gsize n = 0;

  for (guint i = 0; (c = column_list (self, i)) != NULL; i++)
    n += etws_chunked_bytes (c);
  return n;
}
