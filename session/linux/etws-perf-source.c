/* etws-perf-source.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EtwsPerfSource: the Linux live backend behind etws_live_source_new().
 * open() sets up the rings, the tracepoints and the BPF augmenter; run()
 * starts the converter thread, then symbolizes and pushes the events it
 * makes into the sink (the sink is only ever touched from this thread).
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "etws-live-private.h"
#include "etws-perf-private.h"
#include "etws-perf-source.h"
#include "etws-trace.h"

#define DEFAULT_RING_KB  4096
#define MAX_RING_KB      (256 * 1024)
#define MAX_QUEUED       64      /* batches between converter and run thread */
#define FLUSH_USEC       16000
#define FILETIME_1970    G_GINT64_CONSTANT (116444736000000000)

struct _EtwsPerfSource
{
  EtwsSource          parent_instance;

  guint               providers;
  gboolean            stacks;
  gboolean            fields;
  gboolean            include_children;
  guint               ring_kb;
  guint64             max_events;
  int                *pids;

  EtwsPerfTpFormat    formats[ETWS_TP_N];
  EtwsPerfCapture    *cap;
  EtwsPerfAugment    *aug;
  guint               augmented;  /* what the augmenter covers */
  char               *notice;
  EtwsPerfConverter  *conv;
  GThread            *conv_thread;
  GError             *conv_error;
  EtwsPerfSymbols    *syms;
  gint64              realtime_offset;  /* CLOCK_REALTIME − CLOCK_MONOTONIC, ns */

  GAsyncQueue        *batches;
  GMutex              lock;
  GCond               cond;
  guint               queued;
  gint                discard;
  gint                stop_requested;

  guint64             pushed;    /* atomic */
  guint64             lost;      /* atomic */
};

G_DEFINE_FINAL_TYPE (EtwsPerfSource, etws_perf_source, ETWS_TYPE_SOURCE)

static char *how_to_run (void);

/* how_to_run () for an error prefix: the text lives as long as the process. */
static const char *
how_to_run_static (void)
{
  static char *text;

  if (g_once_init_enter (&text))
    g_once_init_leave (&text, how_to_run ());
  return text;
}

static gint64
clock_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The offset that turns perf's CLOCK_MONOTONIC stamps into UTC, sampled
 * once at the start between two monotonic reads (the tightest of a few). */
static gint64
sample_realtime_offset (void)
{
  gint64 best_gap = G_MAXINT64, offset = 0;

  for (guint i = 0; i < 5; i++)
    {
      gint64 m1 = clock_ns (CLOCK_MONOTONIC);
      gint64 r = clock_ns (CLOCK_REALTIME);
      gint64 m2 = clock_ns (CLOCK_MONOTONIC);

      if (m2 - m1 < best_gap)
        {
          best_gap = m2 - m1;
          offset = r - (m1 + (m2 - m1) / 2);
        }
    }
  return offset;
}

static void
deliver_cb (EtwsPerfBatch *batch,
            gpointer       user_data)
{
  EtwsPerfSource *self = user_data;

  /* Bounded: when the sink falls behind, the converter waits, then the
   * reader's backlog fills, then the kernel counts LOST. */
  g_mutex_lock (&self->lock);
  while (self->queued >= MAX_QUEUED && !g_atomic_int_get (&self->discard))
    g_cond_wait_until (&self->cond, &self->lock, g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
  self->queued++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->batches, batch);
}

static gpointer
converter_thread (gpointer data)
{
  EtwsPerfSource *self = data;
  GError *error = NULL;

  gint64 t0 = clock_ns (CLOCK_MONOTONIC);

  /* Not boosted: under overload this is the stage that falls behind, and
   * at nice -5 it kept the viewer's main thread off the CPU for seconds
   * (tests/live/test-overload.c). A thread starts at its creator's
   * priority, here the sink thread's raised one: back to normal. */
  _etws_live_set_thread_nice (0);

  /* Enabled first, then /proc is read, as ETW's rundown does: a process
   * born in between is in both rather than in neither. The rundown is
   * stamped with the moment before the rings were enabled. */
  if (!_etws_perf_capture_start (self->cap, &error))
    {
      self->conv_error = error;
      _etws_perf_converter_flush (self->conv, TRUE);
      return NULL;
    }
  _etws_perf_converter_scan_proc (self->conv, t0);
  if (g_atomic_int_get (&self->stop_requested))
    _etws_perf_capture_stop (self->cap);

  for (;;)
    {
      EtwsPerfRound *round = _etws_perf_capture_pop (self->cap, 200 * G_TIME_SPAN_MILLISECOND);
      gboolean more;

      if (round == NULL)
        continue;
      more = _etws_perf_converter_feed (self->conv, round);
      _etws_perf_capture_release (self->cap, round);
      if (!more)
        break;
    }
  return NULL;
}

/* Symbolizes one event's frames and pushes it, or only shows it to the
 * naming state (ETWS_PERF_OUT_OBSERVE). FALSE: the sink stops. */
static gboolean
push_event (EtwsPerfSource    *self,
            EtwsSink          *sink,
            const EtwsPerfOut *out)
{
  static const guint8 zero[1] = { 0 };
  EtwEvent ev;
  guint64 addrs[128];
  const char *names[128];
  const EtwsPerfFrame *frames = _etws_perf_out_frames (out);
  gboolean leading = TRUE;
  guint n = 0;

  memset (&ev, 0, sizeof ev);
  ev.origin = ETW_ORIGIN_PERF;
  ev.kind = ETW_HDR_LIVE;
  ev.provider = *_etws_perf_provider_guid ((EtwsPerfProvider) (out->provider & ~ETWS_PERF_OUT_OBSERVE));
  ev.opcode = out->opcode;
  ev.version = 0;
  ev.level = 4;
  ev.pid = out->pid;
  ev.tid = out->tid;
  ev.cpu = out->cpu;
  ev.raw_time = out->raw_time;
  ev.time = (out->raw_time + self->realtime_offset) / 100 + FILETIME_1970;
  ev.pointer_size = 8;
  ev.xflags = ETW_XFLAG_FIELD_LIST;
  ev.payload = out->payload_len > 0 ? _etws_perf_out_payload (out) : zero;
  ev.payload_len = out->payload_len;

  if (out->provider & ETWS_PERF_OUT_OBSERVE)
    {
      etws_sink_observe (sink, &ev);
      return TRUE;
    }

  for (guint i = 0; i < out->n_frames && n < G_N_ELEMENTS (addrs); i++)
    {
      gboolean plumbing = FALSE;
      const char *name = _etws_perf_symbols_lookup (self->syms, &frames[i], &plumbing);

      /* perf and tracepoint machinery above the code that caused the
       * event: not the user's business. */
      if (leading && plumbing)
        continue;
      leading = FALSE;
      addrs[n] = GUINT64_TO_LE (frames[i].address);
      names[n] = name;
      n++;
    }
  if (n > 0)
    {
      ev.stack = (const guint8 *) addrs;
      ev.n_frames = n;
      ev.frame_size = 8;
      return etws_sink_push_symbolized (sink, &ev, names);
    }
  return etws_sink_push (sink, &ev);
}

static void
request_stop (EtwsPerfSource *self)
{
  g_atomic_int_set (&self->stop_requested, 1);
  if (self->cap != NULL)
    _etws_perf_capture_stop (self->cap);
}

static EtwsTrace *
etws_perf_source_open (EtwsSource    *source,
                       GCancellable  *cancellable,
                       GError       **error)
{
  EtwsPerfSource *self = ETWS_PERF_SOURCE (source);
  g_autoptr(GString) desc = g_string_new ("Live capture (perf):");
  guint64 mask = 0;
  gsize ring_bytes = (gsize) (self->ring_kb != 0 ? CLAMP (self->ring_kb, 64, MAX_RING_KB) : DEFAULT_RING_KB) * 1024;

  for (guint tp = 0; tp < ETWS_TP_N; tp++)
    {
      const EtwsPerfTpInfo *info = _etws_perf_tp_info (tp);
      if ((info->providers & self->providers) != 0 || info->always)
        mask |= G_GUINT64_CONSTANT (1) << tp;
    }
  if (!_etws_perf_tp_load (mask, self->formats, error) ||
      (self->cap = _etws_perf_capture_new (ring_bytes, error)) == NULL)
    {
      if (error != NULL && g_error_matches (*error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION))
        g_prefix_error (error, "%s\n", how_to_run_static ());
      return NULL;
    }

  if (self->providers & (ETWS_PERF_BIT (ETWS_PERF_FILE) | ETWS_PERF_BIT (ETWS_PERF_PROCESS)))
    {
#ifdef ETWS_HAVE_BPF
      guint n_cpus = _etws_perf_capture_n_cpus (self->cap);
      g_autofree int *fds = g_new (int, n_cpus);
      g_autoptr(GError) local = NULL;

      if (_etws_perf_capture_add_bpf_output (self->cap, self->stacks, fds, &local))
        self->aug = _etws_perf_augment_new (self->formats, self->providers, (guint32) getpid (),
                                            fds, n_cpus, &self->augmented, &local);
      if (self->aug == NULL)
        self->notice = g_strdup_printf ("File paths and command lines need the BPF augmenter, which "
                                        "could not be loaded (%s). File events show descriptors, "
                                        "with paths read from /proc where still possible.",
                                        local != NULL ? local->message : "unknown error");
      else if ((self->providers & ETWS_PERF_BIT (ETWS_PERF_PROCESS)) &&
               !(self->augmented & ETWS_PERF_BIT (ETWS_PERF_PROCESS)))
        self->notice = g_strdup ("Command lines are read from /proc (the kernel has no BTF for the "
                                 "BPF program that copies them): short-lived processes may show none.");
#else
      self->notice = g_strdup ("This build has no BPF augmenter (clang, bpftool or libbpf were "
                               "missing when it was built). File events show descriptors, with "
                               "paths read from /proc where still possible.");
#endif
      if (self->notice != NULL)
        g_debug ("%s", self->notice);
    }

  for (guint tp = 0; tp < ETWS_TP_N; tp++)
    {
      const EtwsPerfTpInfo *info = _etws_perf_tp_info (tp);

      if (!self->formats[tp].present || (mask & (G_GUINT64_CONSTANT (1) << tp)) == 0)
        continue;
      if (info->augmented && (self->augmented & ETWS_PERF_BIT (ETWS_PERF_FILE)))
        continue;  /* the augmenter writes these, paths included */
      /* Enter halves of syscalls only deliver arguments: their stack is
       * the exit's. */
      if (!_etws_perf_capture_add_tracepoint (self->cap, tp, self->formats[tp].id,
                                              self->stacks && !(info->enter && info->syscall != ETWS_SC_CLOSE),
                                              info->filter, error))
        return NULL;
    }

  for (guint p = 0; p < ETWS_PERF_N_PROVIDERS; p++)
    if (self->providers & ETWS_PERF_BIT (p))
      g_string_append_printf (desc, " %s", _etws_perf_provider_names ()[p]);
  if (self->stacks)
    g_string_append (desc, ", stacks");
  return etws_trace_new_live (desc->str);
}

static gboolean
etws_perf_source_run (EtwsSource    *source,
                      EtwsSink      *sink,
                      GCancellable  *cancellable,
                      GError       **error)
{
  EtwsPerfSource *self = ETWS_PERF_SOURCE (source);
  EtwsPerfConfig config = {
    .providers = self->providers,
    .stacks = self->stacks,
    .fields = self->fields,
    .augmented = self->augmented,
    .pids = self->pids,
    .include_children = self->include_children,
    .self_pid = (guint32) getpid (),
    .formats = self->formats,
  };
  gboolean discarding = FALSE, stop_sent = FALSE;
  gint64 last_flush = g_get_monotonic_time ();

  g_return_val_if_fail (self->cap != NULL, FALSE);

  _etws_live_set_thread_nice (ETWS_LIVE_THREAD_NICE);
  self->realtime_offset = sample_realtime_offset ();
  self->syms = _etws_perf_symbols_new ();
  self->batches = g_async_queue_new ();
  self->conv = _etws_perf_converter_new (&config, self->cap, deliver_cb, self);
  if (self->notice != NULL)
    _etws_perf_converter_notice (self->conv, self->notice);
  self->conv_thread = g_thread_new ("etws-perf-conv", converter_thread, self);
  /* Sort kallsyms (~0.1 s) while the converter reads /proc, not at the
   * first stack. */
  if (self->stacks)
    _etws_perf_symbols_n_kernel (self->syms);

  for (;;)
    {
      EtwsPerfBatch *batch = g_async_queue_timeout_pop (self->batches, FLUSH_USEC);
      gboolean last = FALSE;
      gint64 now;

      if (batch != NULL)
        {
          g_mutex_lock (&self->lock);
          self->queued--;
          g_cond_signal (&self->cond);
          g_mutex_unlock (&self->lock);

          if (batch->lost != 0)
            {
              etws_sink_add_lost (sink, batch->lost);
              __atomic_add_fetch (&self->lost, batch->lost, __ATOMIC_RELAXED);
            }
          if (batch->notice != NULL)
            etws_sink_set_notice (sink, batch->notice);
          for (gsize off = 0; !discarding && off + sizeof (EtwsPerfOut) <= batch->len;)
            {
              const EtwsPerfOut *out = (const EtwsPerfOut *) (gconstpointer) (batch->data + off);

              if (!push_event (self, sink, out))
                {
                  discarding = TRUE;
                  break;
                }
              if (out->provider & ETWS_PERF_OUT_OBSERVE)
                {
                  off += out->size;
                  continue;  /* not an event of the capture: no count, no cap */
                }
              if (__atomic_add_fetch (&self->pushed, 1, __ATOMIC_RELAXED) == self->max_events)
                {
                  g_autofree char *notice =
                    g_strdup_printf ("The capture stopped at its cap of %" G_GUINT64_FORMAT " events.",
                                     self->max_events);
                  etws_sink_set_notice (sink, notice);
                  discarding = TRUE;
                }
              off += out->size;
            }
          last = batch->last;
          _etws_perf_batch_free (batch);
        }

      if (etws_sink_is_stopping (sink) || g_cancellable_is_cancelled (cancellable))
        discarding = TRUE;
      if (discarding)
        {
          /* Let a waiting converter through; its events go nowhere now. */
          g_atomic_int_set (&self->discard, 1);
          g_mutex_lock (&self->lock);
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->lock);
        }
      if (!stop_sent && (discarding || g_atomic_int_get (&self->stop_requested)))
        {
          request_stop (self);
          stop_sent = TRUE;
        }

      now = g_get_monotonic_time ();
      if (last || batch == NULL || g_async_queue_length (self->batches) <= 0 ||
          now - last_flush >= FLUSH_USEC)
        {
          etws_sink_flush (sink);
          last_flush = now;
        }
      if (last)
        break;
    }

  g_clear_pointer (&self->conv_thread, g_thread_join);
  if (self->conv_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->conv_error));
      return FALSE;
    }
  return TRUE;
}

static void
etws_perf_source_stop (EtwsSource *source)
{
  request_stop (ETWS_PERF_SOURCE (source));
}

static void
etws_perf_source_finalize (GObject *object)
{
  EtwsPerfSource *self = ETWS_PERF_SOURCE (object);
  EtwsPerfBatch *batch;

  g_clear_pointer (&self->conv_thread, g_thread_join);
  /* Programs first, so nothing writes into rings that go away. */
#ifdef ETWS_HAVE_BPF
  g_clear_pointer (&self->aug, _etws_perf_augment_free);
#endif
  g_clear_pointer (&self->cap, _etws_perf_capture_free);
  if (self->batches != NULL)
    {
      while ((batch = g_async_queue_try_pop (self->batches)) != NULL)
        _etws_perf_batch_free (batch);
      g_async_queue_unref (self->batches);
    }
  g_clear_pointer (&self->syms, _etws_perf_symbols_free);
  /* Last: the symbolizer's frames pointed into its mapped files. */
  g_clear_pointer (&self->conv, _etws_perf_converter_free);
  g_clear_error (&self->conv_error);
  g_free (self->notice);
  g_free (self->pids);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (etws_perf_source_parent_class)->finalize (object);
}

static void
etws_perf_source_class_init (EtwsPerfSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EtwsSourceClass *source_class = ETWS_SOURCE_CLASS (klass);

  object_class->finalize = etws_perf_source_finalize;
  source_class->open = etws_perf_source_open;
  source_class->run = etws_perf_source_run;
  source_class->stop = etws_perf_source_stop;
}

static void
etws_perf_source_init (EtwsPerfSource *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

EtwsPerfSource *
etws_perf_source_new (const EtwsLiveOptions  *options,
                      GError                **error)
{
  EtwsPerfSource *self;
  guint providers;

  g_return_val_if_fail (options != NULL, NULL);
  if (!_etws_perf_parse_providers (options->providers, &providers, error))
    return NULL;
  /* Now rather than on the worker thread: without root the caller gets
   * the command to run before any window waits for rows. */
  if (!_etws_live_backend_check (error))
    return NULL;
  self = g_object_new (ETWS_TYPE_PERF_SOURCE, "live", TRUE, NULL);
  self->providers = providers;
  self->stacks = options->stacks;
  self->fields = options->fields;
  self->include_children = options->include_children;
  self->ring_kb = options->ring_kb;
  self->max_events = options->max_events;
  if (options->pids != NULL && options->pids[0] != 0)
    {
      guint n = 0;
      while (options->pids[n] != 0)
        n++;
      self->pids = g_memdup2 (options->pids, (n + 1) * sizeof (int));
    }
  return self;
}

void
etws_perf_source_get_stats (EtwsPerfSource      *self,
                            EtwsPerfSourceStats *stats)
{
  EtwsPerfCaptureStats cs = { 0 };

  g_return_if_fail (ETWS_IS_PERF_SOURCE (self));
  memset (stats, 0, sizeof *stats);
  if (self->cap != NULL)
    _etws_perf_capture_get_stats (self->cap, &cs);
  stats->records_bytes = cs.bytes;
  stats->reader_cpu_ns = cs.reader_cpu_ns;
  stats->reader_rounds = cs.rounds;
  stats->backlog_max = cs.backlog_max;
  stats->stalled_rounds = cs.stalled_rounds;
  stats->augmented = self->aug != NULL;
  /* The converter lives from run() to finalize. */
  if (self->conv != NULL)
    stats->records = _etws_perf_converter_n_records (self->conv);
  stats->lost = __atomic_load_n (&self->lost, __ATOMIC_RELAXED);
  stats->events_pushed = __atomic_load_n (&self->pushed, __ATOMIC_RELAXED);
}

/* ---- the live backend (etws-live-private.h) ---- */

const char *const *
_etws_live_backend_list_providers (void)
{
  return _etws_perf_provider_names ();
}

static char *
how_to_run (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return g_strdup_printf ("Live capture of kernel events needs root (or CAP_PERFMON with read "
                          "access to /sys/kernel/tracing). Start it as root:\n  sudo %s --live",
                          exe != NULL ? exe : g_get_prgname () != NULL ? g_get_prgname () : "etwscope");
}

gboolean
_etws_live_backend_check (GError **error)
{
  g_autoptr(GError) local = NULL;
  struct perf_event_attr attr;
  g_autofree char *id_text = NULL;
  int size = 0, fd;

  if (!_etws_perf_tracefs_ready (NULL, &local))
    {
      g_autofree char *how = how_to_run ();
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION, "%s\n(%s)", how, local->message);
      return FALSE;
    }
  id_text = tracefs_event_file_read (NULL, "sched", "sched_process_exec", "id", &size);
  if (id_text == NULL)
    {
      g_autofree char *how = how_to_run ();
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION,
                   "%s\n(cannot read the tracepoint sched:sched_process_exec)", how);
      return FALSE;
    }
  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = g_ascii_strtoull (id_text, NULL, 10);
  attr.sample_period = 1;
  attr.disabled = 1;
  fd = (int) syscall (SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      if (saved == EACCES || saved == EPERM)
        {
          g_autofree char *how = how_to_run ();
          g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION, "%s", how);
        }
      else
        g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                     "perf_event_open does not work here: %s", g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

EtwsSource *
_etws_live_backend_new (const EtwsLiveOptions  *options,
                        GError                **error)
{
  return (EtwsSource *) etws_perf_source_new (options, error);
}
