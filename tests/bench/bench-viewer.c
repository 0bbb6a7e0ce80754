/* bench-viewer.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints the viewer's figures (issue 4), each beside a baseline measured
 * in the same run, because the machine is shared and noisy:
 *
 *  - open → all rows loaded, events/s: the largest fixture replayed COPIES
 *    times through the real sink, headless (worker → store) and in the
 *    window; baseline: the bare .etl reader walking the same events.
 *  - resident bytes per row: store columns, trace tables, and the process's
 *    anonymous RSS growth; baseline: the 48-byte goal.
 *  - main-loop frame gaps (p50, p99) while the window loads; baseline: the
 *    same window idle.
 *  - open → first rows drawn; baseline: an empty window's first frame.
 *  - a 10 M-row store (rows of the fixture replicated into it): frame time
 *    after scrolling to random positions; baseline: the same on 10 k rows.
 *  - sorting the 10 M rows (radix over extracted keys); baseline: qsort
 *    with a comparator that reads the column, on the same rows.
 *
 * Run under an X server:  xvfb-run -a build/tests/bench/bench-viewer [FIXTURE] [COPIES]
 */
#define G_LOG_DOMAIN "bench-viewer"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gtk/gtk.h>

#include "etl-reader.h"
#include "etws-event-model.h"
#include "etws-event-view.h"
#include "etws-file-source.h"
#include "etws-sort.h"
#include "etws-trace-file.h"
#include "etws-ui.h"
#include "etws-window.h"

#define BIG_ROWS   10000000u
#define SMALL_ROWS 10000u

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Anonymous resident memory (heap, not the mapped trace), in bytes. */
static guint64
rss_anon (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (p = strstr (status, "RssAnon:")) == NULL)
    return 0;
  return g_ascii_strtoull (p + 8, NULL, 10) * 1024;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  double *v = (double *) (gpointer) values->data;
  guint i;

  if (values->len == 0)
    return 0;
  qsort (v, values->len, sizeof (double), cmp_double);
  i = (guint) (p * values->len);
  return v[MIN (i, values->len - 1)];
}

/* ---- a source that replays one file several times ---- */

#define BENCH_TYPE_REPLAY_SOURCE (bench_replay_source_get_type ())
G_DECLARE_FINAL_TYPE (BenchReplaySource, bench_replay_source, BENCH, REPLAY_SOURCE, EtwsSource)

struct _BenchReplaySource
{
  EtwsSource     parent_instance;
  char          *path;
  guint          copies;
  EtwsTraceFile *file;
};

G_DEFINE_FINAL_TYPE (BenchReplaySource, bench_replay_source, ETWS_TYPE_SOURCE)

static EtwsTrace *
replay_open (EtwsSource    *source,
             GCancellable  *cancellable,
             GError       **error)
{
  BenchReplaySource *self = BENCH_REPLAY_SOURCE (source);

  self->file = etws_trace_file_open (self->path, cancellable, error);
  return self->file != NULL ? etws_trace_new_for_file (self->file) : NULL;
}

static gboolean
replay_run (EtwsSource    *source,
            EtwsSink      *sink,
            GCancellable  *cancellable,
            GError       **error)
{
  BenchReplaySource *self = BENCH_REPLAY_SOURCE (source);
  const EtlFile *etl = etws_trace_file_get_etl (self->file);

  for (guint c = 0; c < self->copies; c++)
    {
      EtlIter *iter = etl_iter_new (etl, ETL_ORDER_TIME);
      EtwEvent ev;
      gboolean go = TRUE;

      while (go && etl_iter_next (iter, &ev))
        go = etws_sink_push (sink, &ev);
      etws_sink_set_progress (sink, c + 1, self->copies);
      etl_iter_free (iter);
      if (!go)
        break;
    }
  return TRUE;
}

static void
replay_finalize (GObject *object)
{
  BenchReplaySource *self = BENCH_REPLAY_SOURCE (object);

  g_clear_pointer (&self->file, etws_trace_file_unref);
  g_free (self->path);
  G_OBJECT_CLASS (bench_replay_source_parent_class)->finalize (object);
}

static void
bench_replay_source_class_init (BenchReplaySourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = replay_finalize;
  ETWS_SOURCE_CLASS (klass)->open = replay_open;
  ETWS_SOURCE_CLASS (klass)->run = replay_run;
}

static void
bench_replay_source_init (BenchReplaySource *self)
{
}

static EtwsSource *
replay_source_new (const char *path,
                   guint       copies)
{
  BenchReplaySource *self = g_object_new (BENCH_TYPE_REPLAY_SOURCE, "live", FALSE, NULL);

  self->path = g_strdup (path);
  self->copies = copies;
  return ETWS_SOURCE (self);
}

/* ---- frame timing ---- */

typedef struct
{
  GArray  *gaps;        /* ms between frame-clock ticks */
  double   last;
  double   first_rows;  /* when a frame was painted with rows in the list */
  double   first_paint;
  GListModel *watch;
} Frames;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Frames *f = data;
  double t = now ();

  if (f->last > 0)
    {
      double gap = (t - f->last) * 1000.0;
      g_array_append_val (f->gaps, gap);
    }
  f->last = t;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *f)
{
  if (f->first_paint == 0)
    f->first_paint = now ();
  if (f->first_rows == 0 && f->watch != NULL && g_list_model_get_n_items (f->watch) > 0)
    f->first_rows = now ();
}

static void
spin_for (double seconds)
{
  double end = now () + seconds;

  while (now () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (200);
}

static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  for (guint i = 0; i < n; i++)
    gtk_test_widget_wait_for_draw (widget);
}

/* ---- the store of 10 M rows ---- */

/* Appends the rows of `from` again and again until `to` holds n rows, the
 * way a worker hands batches over (one "drained" per 64 batches). The rows
 * keep their record locators, so the detail column still decodes them. */
static void
replicate_rows (EtwsStore  *from,
                EtwsStore  *to,
                EtwsWorker *fake,
                guint64     n)
{
  EtwsTrace *trace = etws_store_get_trace (from);
  EtwsBatch *batch = etws_batch_new (trace);
  guint64 src_n = etws_store_get_n_rows (from), done = 0;
  guint in_pass = 0;

  g_signal_emit_by_name (fake, "opened", trace);
  batch->cap_rows = 4096;
  batch->rows = g_renew (EtwsRow, batch->rows, batch->cap_rows);
  while (done < n)
    {
      batch->first_row = done;
      batch->n_rows = (guint) MIN ((guint64) batch->cap_rows, n - done);
      batch->n_fixups = 0;
      for (guint i = 0; i < batch->n_rows; i++)
        etws_store_get_row (from, (done + i) % src_n, &batch->rows[i]);
      done += batch->n_rows;
      batch->events_seen = done;
      g_signal_emit_by_name (fake, "batch", batch);
      if (++in_pass == 64 || done == n)
        {
          g_signal_emit_by_name (fake, "drained");
          in_pass = 0;
        }
    }
  etws_batch_free (batch);
}

static EtwsStore *
load_headless (EtwsSource *source,
               double     *seconds)
{
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  EtwsStore *store = etws_store_new ();
  double t0 = now ();

  etws_store_attach (store, worker);
  etws_worker_start (worker);
  etws_worker_wait (worker);
  *seconds = now () - t0;
  return store;
}

typedef struct
{
  EtwsStore *store;
  guint64    pid_reads;
} QsortCtx;

static int
qsort_pid_cmp (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  QsortCtx *ctx = data;
  guint32 ra = *(const guint32 *) a, rb = *(const guint32 *) b;
  guint32 pa = etws_store_get_pid (ctx->store, ra), pb = etws_store_get_pid (ctx->store, rb);

  if (pa != pb)
    return pa < pb ? -1 : 1;
  return ra < rb ? -1 : ra > rb;
}

/* Frame time after scrolling to random positions of a model shown in an
 * event view: from the scroll request to the end of the next paint. */
static void
scroll_bench (EtwsEventModel *model,
              const char     *label,
              double         *p50,
              double         *p99)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = etws_event_view_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  Frames f = { 0 };
  GdkFrameClock *clock;
  gulong id;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), view);
  etws_event_view_set_model (ETWS_EVENT_VIEW (view), model);
  gtk_window_present (GTK_WINDOW (window));
  wait_frames (window, 3);
  clock = gtk_widget_get_frame_clock (window);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &f);

  for (guint i = 0; i < 60; i++)
    {
      guint pos = (guint) g_rand_int_range (rand, 0, (gint32) n);
      double t0, ms;

      f.first_paint = 0;
      t0 = now ();
      etws_event_view_scroll_to (ETWS_EVENT_VIEW (view), pos);
      /* A frame even when pos is already in sight. */
      gtk_widget_queue_draw (view);
      while (f.first_paint == 0)
        g_main_context_iteration (NULL, TRUE);
      ms = (f.first_paint - t0) * 1000.0;
      g_array_append_val (times, ms);
    }
  g_signal_handler_disconnect (clock, id);
  *p50 = percentile (times, 0.5);
  *p99 = percentile (times, 0.99);
  printf ("  %-28s frame after scroll-to: p50 %6.1f ms  p99 %6.1f ms  (%u rows)\n", label, *p50,
          *p99, n);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");
  g_autofree char *path = NULL;
  guint copies = argc > 2 ? (guint) atoi (argv[2]) : 10;
  double t, base_rate, headless_rate, window_rate;
  guint64 events = 0, rows, rss0, rss1;
  g_autoptr(EtwsStore) store = NULL;

  gtk_init ();
  etws_ui_init ();
  if (argc > 1)
    path = g_strdup (argv[1]);
  else
    path = g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR, "perfview_net.4.5.2.x64.etl", NULL);
  copies = MAX (copies, 1);

  printf ("bench-viewer: %s ×%u; %u CPUs (shared: compare each figure with its baseline)\n",
          path, copies, g_get_num_processors ());

  /* 1. Open → all rows loaded. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EtwsTraceFile) file = etws_trace_file_open (path, NULL, &error);
    const EtlFile *etl;

    g_assert_no_error (error);
    etl = etws_trace_file_get_etl (file);
    t = now ();
    for (guint c = 0; c < copies; c++)
      {
        EtlIter *iter = etl_iter_new (etl, ETL_ORDER_TIME);
        EtwEvent ev;
        while (etl_iter_next (iter, &ev))
          events++;
        etl_iter_free (iter);
      }
    t = now () - t;
    base_rate = events / t;
    printf ("\nopen → all rows loaded (%" G_GUINT64_FORMAT " events)\n", events);
    printf ("  baseline: .etl reader alone      %7.3f s  %6.2f M events/s\n", t, base_rate / 1e6);
  }
  {
    g_autoptr(EtwsSource) source = replay_source_new (path, copies);

    rss0 = rss_anon ();
    store = load_headless (source, &t);
    rss1 = rss_anon ();
    headless_rate = etws_store_get_events_seen (store) / t;
    printf ("  worker → store (no UI)           %7.3f s  %6.2f M events/s  (%.2f× baseline)\n", t,
            headless_rate / 1e6, headless_rate / base_rate);
  }
  rows = etws_store_get_n_rows (store);

  /* 2. Resident bytes per row. */
  printf ("\nresident bytes per row (%" G_GUINT64_FORMAT " rows; goal ≤ 48 + payload left in the file)\n", rows);
  printf ("  store columns                    %6.1f B/row  (%.2f× the 48 B goal)\n",
          (double) etws_store_get_column_bytes (store) / rows,
          (double) etws_store_get_column_bytes (store) / rows / 48.0);
  printf ("  trace tables (strings, stacks)   %6.1f B/row, shared by all rows of a trace\n",
          (double) etws_trace_get_memory (etws_store_get_trace (store)) / rows);
  printf ("  process anonymous RSS growth     %6.1f B/row  (%.2f× the 48 B goal)\n",
          (double) (rss1 - rss0) / rows, (double) (rss1 - rss0) / rows / 48.0);

  /* 3 + 4. The window: idle frames, then loading. */
  {
    EtwsWindow *window = etws_window_new (NULL);
    g_autoptr(EtwsSource) source = replay_source_new (path, copies);
    Frames idle = { g_array_new (FALSE, FALSE, sizeof (double)) };
    Frames load = { g_array_new (FALSE, FALSE, sizeof (double)) };
    Frames empty = { 0 };
    GdkFrameClock *clock;
    guint tick;
    gulong paint_id;
    double t_present, t_open, idle_p99, load_p99;

    gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
    t_present = now ();
    gtk_window_present (GTK_WINDOW (window));
    clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    while (clock == NULL)
      {
        g_main_context_iteration (NULL, TRUE);
        clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
      }
    paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &empty);
    while (empty.first_paint == 0)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handler_disconnect (clock, paint_id);
    wait_frames (GTK_WIDGET (window), 3);

    tick = gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &idle, NULL);
    spin_for (2.0);
    gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick);

    tick = gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &load, NULL);
    paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &load);
    t_open = now ();
    etws_window_open_source (window, source, "replay");
    load.watch = G_LIST_MODEL (etws_window_get_model (window));
    while (etws_window_is_loading (window))
      g_main_context_iteration (NULL, TRUE);
    t = now () - t_open;
    gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick);
    g_signal_handler_disconnect (clock, paint_id);

    window_rate = etws_store_get_events_seen (etws_window_get_store (window)) / t;
    printf ("\nopen → all rows loaded, in the window\n");
    printf ("  window (Xvfb, %s)             %7.3f s  %6.2f M events/s  (%.2f× baseline, %.2f× headless)\n",
            g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default", t,
            window_rate / 1e6, window_rate / base_rate, window_rate / headless_rate);

    idle_p99 = percentile (idle.gaps, 0.99);
    printf ("\nmain-loop frame gaps (frame-clock ticks)\n");
    printf ("  baseline: idle window            p50 %6.1f ms  p99 %6.1f ms  (%u frames)\n",
            percentile (idle.gaps, 0.5), idle_p99, idle.gaps->len);
    load_p99 = percentile (load.gaps, 0.99);
    printf ("  while loading ×%-3u              p50 %6.1f ms  p99 %6.1f ms  (%u frames; p99 %.2f× idle; goal ≤ 33 ms)\n",
            copies, percentile (load.gaps, 0.5), load_p99, load.gaps->len, load_p99 / MAX (idle_p99, 0.001));

    printf ("\nopen → first rows drawn\n");
    printf ("  baseline: empty window's first frame   %6.1f ms\n", (empty.first_paint - t_present) * 1000.0);
    printf ("  first frame with rows after open       %6.1f ms  (goal ≤ 250 ms)\n",
            (load.first_rows - t_open) * 1000.0);

    g_array_unref (idle.gaps);
    g_array_unref (load.gaps);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  /* 5 + 6. Ten million rows. */
  {
    g_autoptr(EtwsSource) dummy = etws_file_source_new (path);
    g_autoptr(EtwsWorker) fake = etws_worker_new (dummy);
    g_autoptr(EtwsStore) big = etws_store_new ();
    g_autoptr(EtwsEventModel) big_model = NULL;
    g_autoptr(EtwsEventModel) small_model = NULL;
    g_autoptr(GArray) small_rows = g_array_new (FALSE, FALSE, sizeof (guint32));
    g_autoptr(GArray) sorted = NULL;
    g_autoptr(GArray) baseline = NULL;
    double p50, p99, small_p50, small_p99, radix_pid = 0, t_q;
    QsortCtx ctx;

    etws_store_attach (big, fake);
    t = now ();
    rss0 = rss_anon ();
    replicate_rows (store, big, fake, BIG_ROWS);
    rss1 = rss_anon ();
    printf ("\n10 M-row store: %" G_GUINT64_FORMAT " rows replicated in %.2f s; columns %.1f B/row, "
            "anonymous RSS growth %.1f B/row\n",
            etws_store_get_n_rows (big), now () - t,
            (double) etws_store_get_column_bytes (big) / etws_store_get_n_rows (big),
            (double) (rss1 - rss0) / etws_store_get_n_rows (big));

    for (guint32 i = 0; i < SMALL_ROWS; i++)
      g_array_append_val (small_rows, i);
    small_model = etws_event_model_new (big);
    etws_event_model_set_view (small_model, g_steal_pointer (&small_rows));
    big_model = etws_event_model_new (big);

    printf ("scrolling to random positions\n");
    scroll_bench (small_model, "baseline: 10 k rows", &small_p50, &small_p99);
    scroll_bench (big_model, "10 M rows", &p50, &p99);
    printf ("  ratio 10 M / 10 k                p50 %.2f×  p99 %.2f×\n", p50 / MAX (small_p50, 0.001),
            p99 / MAX (small_p99, 0.001));

    printf ("sorting %u rows (radix over extracted keys; stable)\n", BIG_ROWS);
    {
      static const EtwsColumn cols[] = { ETWS_COLUMN_PID, ETWS_COLUMN_TIME, ETWS_COLUMN_PROCESS,
                                         ETWS_COLUMN_EVENT, ETWS_COLUMN_TID };
      for (guint i = 0; i < G_N_ELEMENTS (cols); i++)
        {
          for (int desc = 0; desc <= 1; desc += 1)
            {
              t = now ();
              sorted = etws_sort_rows (big, NULL, 0, cols[i], desc, NULL);
              t = now () - t;
              printf ("  %-9s %-4s                   %7.3f s\n", etws_column_get_id (cols[i]),
                      desc ? "desc" : "asc", t);
              if (cols[i] == ETWS_COLUMN_PID && !desc)
                radix_pid = t;
              g_clear_pointer (&sorted, g_array_unref);
            }
        }
    }
    baseline = g_array_sized_new (FALSE, FALSE, sizeof (guint32), BIG_ROWS);
    for (guint32 i = 0; i < BIG_ROWS; i++)
      g_array_append_val (baseline, i);
    ctx.store = big;
    t_q = now ();
    g_array_sort_with_data (baseline, qsort_pid_cmp, &ctx);
    t_q = now () - t_q;
    printf ("  baseline: qsort, column-reading comparator, pid   %7.3f s  (radix %.2f× faster)\n",
            t_q, t_q / MAX (radix_pid, 1e-6));
  }
  return 0;
}
