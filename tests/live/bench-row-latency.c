/* bench-row-latency.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The time from a kernel event to its row, on Linux, as root, under an X
 * server (issue 6's goal: a visible row within 100 ms):
 *
 *   sudo xvfb-run -a build/tests/live/bench-row-latency [EVENTS [INTERVAL_MS]]
 *
 * live-helper opens EVENTS new, uniquely named files, INTERVAL_MS apart.
 * For each, the latency is the time the row became available minus the
 * event's own kernel time stamp (both CLOCK_REALTIME in this process):
 *
 *   store     the capture with no window: the row reaches the store (the
 *             baseline: capture, conversion, sink batching, worker queue);
 *   model     the same capture in the viewer's window, with the frame clock
 *             running: the row reaches the list's model;
 *   painted   the first frame painted after that;
 *   in view   the first frame painted with the row inside the scrolled
 *             view (the list follows the newest row, jumping at most
 *             every 250 ms: etws-event-view.c).
 *
 * Both runs use the Capture menu's default options (all providers, stacks
 * and detailed fields on). The window's run starts measuring once the list
 * holds its first paced rows; how long those took is printed too. Prints
 * figures; asserts nothing about time.
 */
#define G_LOG_DOMAIN "bench-row-latency"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "etws-capture-controller.h"
#include "etws-live.h"
#include "etws-store.h"
#include "etws-ui.h"
#include "etws-window.h"
#include "etws-worker.h"

#define FILETIME_1970 G_GINT64_CONSTANT (116444736000000000)
/* The list lets its first rows in a few per step (etws-paced-model.c). */
#define PACED_ROWS    240

typedef struct
{
  gint64 time_us;
  guint  position;
} Probe;

typedef struct
{
  const char *prefix;       /* the helper's files: prefix.0, prefix.1, … */
  EtwsStore  *store;
  GArray     *store_us;     /* gint64 latencies */
  GArray     *model_us;
  GArray     *paint_us;
  GArray     *screen_us;
  GArray     *unpainted;    /* gint64 event times (µs) of rows not yet painted */
  GArray     *offscreen;    /* Probe of rows painted, not yet scrolled into view */
  GtkAdjustment *vadj;
  GListModel *list;
  GHashTable *seen;         /* path → TRUE: a file's Create is counted once */
  guint       wanted;
} Run;

static gint64
row_time_us (EtwsStore *store,
             guint64    index)
{
  return (etws_store_get_time (store, index) - FILETIME_1970) / 10;
}

/* The helper's Create of a new file, the first time that path shows. */
static gboolean
is_probe (Run     *run,
          guint64  index)
{
  const char *path = etws_store_get_string (run->store, etws_store_get_path (run->store, index));
  const EtwsEventType *type;

  if (path == NULL || !g_str_has_prefix (path, run->prefix) || g_hash_table_contains (run->seen, path))
    return FALSE;
  type = etws_store_get_event_type (run->store, index);
  if (type == NULL || type->opcode != 64)  /* FileIo Create (docs/linux-providers.md) */
    return FALSE;
  g_hash_table_add (run->seen, g_strdup (path));
  return TRUE;
}

static void
rows_added_cb (EtwsStore *store,
               guint64    first,
               guint64    count,
               Run       *run)
{
  gint64 now = g_get_real_time ();

  for (guint64 i = first; i < first + count; i++)
    if (is_probe (run, i))
      {
        gint64 lat = now - row_time_us (store, i);
        g_array_append_val (run->store_us, lat);
      }
}

static void
model_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Run        *run)
{
  gint64 now = g_get_real_time ();

  /* Unsorted, the list's positions are store indices. */
  for (guint i = position; i < position + added; i++)
    if (is_probe (run, i))
      {
        Probe probe = { row_time_us (run->store, i), i };
        gint64 lat = now - probe.time_us;
        g_array_append_val (run->model_us, lat);
        g_array_append_val (run->unpainted, probe);
      }
}

static void
after_paint_cb (GdkFrameClock *clock,
                Run           *run)
{
  gint64 now = g_get_real_time ();
  double upper = gtk_adjustment_get_upper (run->vadj);
  guint n = g_list_model_get_n_items (run->list);
  /* Rows have one height: the last row in view, from the scroll position. */
  double in_view = upper > 0 ? (gtk_adjustment_get_value (run->vadj) + gtk_adjustment_get_page_size (run->vadj)) /
                               upper * n : 0;

  for (guint i = 0; i < run->unpainted->len; i++)
    {
      Probe *probe = &g_array_index (run->unpainted, Probe, i);
      gint64 lat = now - probe->time_us;
      g_array_append_val (run->paint_us, lat);
      g_array_append_val (run->offscreen, *probe);
    }
  g_array_set_size (run->unpainted, 0);
  for (guint i = 0; i < run->offscreen->len;)
    {
      Probe *probe = &g_array_index (run->offscreen, Probe, i);
      if (probe->position + 1 <= in_view + 0.5)
        {
          gint64 lat = now - probe->time_us;
          g_array_append_val (run->screen_us, lat);
          g_array_remove_index (run->offscreen, i);
        }
      else
        i++;
    }
}

static int
cmp_i64 (gconstpointer a,
         gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static double
quantile (GArray *v,
          double  q)
{
  guint i;

  if (v->len == 0)
    return -1;
  g_array_sort (v, cmp_i64);
  i = (guint) (q * (v->len - 1) + 0.5);
  return g_array_index (v, gint64, i) / 1000.0;
}

static void
print_row (const char *what,
           GArray     *v,
           guint       wanted)
{
  g_print ("  %-8s %3u/%-3u  median %7.1f ms   p90 %7.1f ms   max %7.1f ms\n", what, v->len, wanted,
           quantile (v, 0.5), quantile (v, 0.9), quantile (v, 1.0));
}

static void
spin_until (gboolean (*done) (gpointer),
            gpointer  data,
            gint64    timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
spawn_done (gpointer data)
{
  return *(gboolean *) data;
}

static void
helper_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* Runs the helper to its end, with the main loop turning. */
static void
run_helper (const char *helper,
            const char *prefix,
            guint       n,
            guint       interval_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *n_s = g_strdup_printf ("%u", n);
  g_autofree char *ms_s = g_strdup_printf ("%u", interval_ms);
  g_autoptr(GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, helper, "ticks",
                                                  prefix, n_s, ms_s, NULL);
  gboolean exited = FALSE;

  if (proc == NULL)
    g_error ("%s: %s", helper, error->message);
  g_subprocess_wait_async (proc, NULL, helper_exited_cb, &exited);
  spin_until (spawn_done, &exited, 120 * G_USEC_PER_SEC);
}

static gboolean
has_rows (gpointer data)
{
  return etws_store_get_n_rows (data) > 0;
}

static gboolean
list_filled (gpointer data)
{
  return g_list_model_get_n_items (data) >= PACED_ROWS;
}

/* Waits a little more for rows still on their way. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
run_init (Run        *run,
          const char *prefix,
          guint       wanted)
{
  memset (run, 0, sizeof *run);
  run->prefix = prefix;
  run->wanted = wanted;
  run->store_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->model_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->paint_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->screen_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->unpainted = g_array_new (FALSE, FALSE, sizeof (Probe));
  run->offscreen = g_array_new (FALSE, FALSE, sizeof (Probe));
  run->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
run_clear (Run *run)
{
  g_array_unref (run->store_us);
  g_array_unref (run->model_us);
  g_array_unref (run->paint_us);
  g_array_unref (run->screen_us);
  g_array_unref (run->unpainted);
  g_array_unref (run->offscreen);
  g_hash_table_unref (run->seen);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 40;
  guint interval = argc > 2 ? (guint) atoi (argv[2]) : 50;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_path_get_dirname (exe);
  g_autofree char *helper = g_build_filename (dir, "live-helper", NULL);
  g_autofree char *prefix1 = NULL, *prefix2 = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  EtwsCapturePopover *popover;
  EtwsLiveOptions options;
  EtwsCaptureLimit limit;
  Run base, win;
  double base_median, win_median;

  if (geteuid () != 0 || !etws_live_check (&error))
    {
      g_printerr ("bench-row-latency: live capture is not possible here: %s\n",
                  error != NULL ? error->message : "needs root");
      return 77;
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  gtk_init ();
  etws_ui_init ();
  settings = etws_ui_settings_new ();

  /* The menu's default options, for both runs. */
  popover = g_object_ref_sink (ETWS_CAPTURE_POPOVER (etws_capture_popover_new ()));
  etws_capture_popover_set_settings (popover, settings);
  if (!etws_capture_popover_get_options (popover, &options, &limit, &error))
    g_error ("%s", error->message);
  g_object_unref (popover);

  prefix1 = g_strdup_printf ("%s/etwscope-latency-%d-a", g_get_tmp_dir (), (int) getpid ());
  prefix2 = g_strdup_printf ("%s/etwscope-latency-%d-b", g_get_tmp_dir (), (int) getpid ());
  g_print ("bench-row-latency: %u files %u ms apart, options: stacks %s, fields %s, ring %u KiB/CPU\n",
           n, interval, options.stacks ? "on" : "off", options.fields ? "on" : "off", options.ring_kb);

  /* Baseline: the capture into a store, no window. */
  {
    g_autoptr(EtwsSource) source = etws_live_source_new (&options, &error);
    g_autoptr(EtwsWorker) worker = NULL;

    if (source == NULL)
      g_error ("%s", error->message);
    worker = etws_worker_new (source);
    etws_worker_set_max_queued (worker, 256);
    run_init (&base, prefix1, n);
    base.store = etws_store_new ();
    etws_store_attach (base.store, worker);
    g_signal_connect (base.store, "rows-added", G_CALLBACK (rows_added_cb), &base);
    etws_worker_start (worker);
    spin_until (has_rows, base.store, 10 * G_USEC_PER_SEC);
    settle ();
    run_helper (helper, prefix1, n, interval);
    settle ();
    etws_worker_stop (worker);
    etws_worker_wait (worker);
    g_object_unref (base.store);
  }

  /* The window, with its frame clock: started as the Capture menu does. */
  {
    EtwsWindow *window = etws_window_new (NULL);
    GListModel *list;
    GdkFrameClock *clock;
    gint64 t0, t_filled;
    gulong paint_id;

    etws_window_set_settings (window, settings);
    gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
    gtk_window_present (GTK_WINDOW (window));
    run_init (&win, prefix2, n);
    t0 = g_get_monotonic_time ();
    if (!etws_capture_controller_start (etws_window_get_capture (window), NULL))
      g_error ("the capture did not start: %s", etws_window_get_banner_text (window));
    win.store = etws_window_get_store (window);
    list = G_LIST_MODEL (gtk_column_view_get_model (etws_event_view_get_column_view (etws_window_get_event_view (window))));
    spin_until (has_rows, win.store, 10 * G_USEC_PER_SEC);
    spin_until (list_filled, list, 60 * G_USEC_PER_SEC);
    t_filled = g_get_monotonic_time ();
    settle ();
    win.list = list;
    win.vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (etws_event_view_get_column_view (etws_window_get_event_view (window))));
    g_signal_connect (list, "items-changed", G_CALLBACK (model_changed_cb), &win);
    clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &win);
    g_print ("  the list's first %u rows took %.0f ms from Capture (rundown, then paced)\n",
             g_list_model_get_n_items (list), (t_filled - t0) / 1000.0);
    run_helper (helper, prefix2, n, interval);
    settle ();
    g_signal_handler_disconnect (clock, paint_id);
    g_print ("  window status: %s\n", etws_window_get_status_text (window));
    etws_window_stop (window);
    while (etws_window_is_loading (window))
      g_main_context_iteration (NULL, TRUE);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  g_print ("kernel event → row, CLOCK_REALTIME in one process:\n");
  print_row ("store", base.store_us, n);
  print_row ("model", win.model_us, n);
  print_row ("painted", win.paint_us, n);
  print_row ("in view", win.screen_us, n);
  base_median = quantile (base.store_us, 0.5);
  win_median = quantile (win.paint_us, 0.5);
  if (base_median > 0 && win_median > 0)
    g_print ("painted/store (median): %.2f×, in view/store: %.2f×; goal: a visible row ≤ 100 ms\n",
             win_median / base_median, quantile (win.screen_us, 0.5) / base_median);

  run_clear (&base);
  run_clear (&win);
  etws_live_options_clear (&options);
  return 0;
}
