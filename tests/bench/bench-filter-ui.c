/* bench-filter-ui.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints the filter UI's figures (issue 5) on a trace of about a million
 * rows (a fixture's buffers replicated into a temporary .etl), each beside
 * a baseline measured in the same run, because the machine is shared and
 * noisy:
 *
 *  - per filter expression, typed into the filter bar: time until the view
 *    shows the result, and the longest main-loop stall meanwhile (the
 *    window's responsiveness). Baselines: the engine evaluating the same
 *    expression synchronously on the main thread (the stall a filter
 *    without a worker thread would cause), the longest stall when the new
 *    view's rows are all let into the list at once (as before pacing),
 *    and the longest stall of the idle window.
 *  - find (Ctrl+F) over every row without a match: time and longest stall;
 *    baseline: the engine's evaluation of the same expression.
 *
 * Run under an X server:
 *   xvfb-run -a build/tests/bench/bench-filter-ui [FIXTURE] [COPIES]
 */
#define G_LOG_DOMAIN "bench-filter-ui"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "etl-reader.h"
#include "etws-filter-bar.h"
#include "etws-find-bar.h"
#include "etws-trace-file.h"
#include "etws-ui.h"
#include "etws-window.h"

/* ---- the main loop's longest stall ---- */

typedef struct
{
  gint64 last;
  gint64 worst;
  guint  source;
} Meter;

static Meter meter;

static gboolean
tick_cb (gpointer data)
{
  gint64 t = g_get_monotonic_time ();

  if (meter.last != 0 && t - meter.last > meter.worst)
    meter.worst = t - meter.last;
  meter.last = t;
  return G_SOURCE_CONTINUE;
}

static void
meter_start (void)
{
  meter.last = 0;
  meter.worst = 0;
  if (meter.source == 0)
    meter.source = g_timeout_add (1, tick_cb, NULL);
}

static double
meter_worst_ms (void)
{
  return meter.worst / 1000.0;
}

static void
run_for (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * 1e6);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* ---- the trace ---- */

/* The header buffer once, then the other buffers `copies` times. */
static char *
replicate (const char *src,
           guint       copies)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsTraceFile) file = etws_trace_file_open (src, NULL, &error);
  const EtlFile *etl;
  const EtlBuffer *b0;
  const guint8 *data;
  guint64 len;
  char *path = NULL;
  FILE *fp;
  int fd;

  g_assert_no_error (error);
  etl = etws_trace_file_get_etl (file);
  data = etl_file_data (etl, &len);
  b0 = etl_file_buffer (etl, 0);
  fd = g_file_open_tmp ("bench-filter-ui-XXXXXX.etl", &path, &error);
  g_assert_no_error (error);
  fp = fdopen (fd, "wb");
  fwrite (data, 1, b0->size, fp);
  for (guint i = 0; i < copies; i++)
    fwrite (data + b0->size, 1, len - b0->size, fp);
  fclose (fp);
  return path;
}

static EtwsFilterBar *
filter_bar (EtwsWindow *window)
{
  GtkWidget *slot = GTK_WIDGET (etws_window_get_filter_slot (window));

  for (GtkWidget *c = gtk_widget_get_first_child (slot); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (ETWS_IS_FILTER_BAR (c))
      return ETWS_FILTER_BAR (c);
  g_assert_not_reached ();
  return NULL;
}

static EtwsFindBar *
find_bar (EtwsWindow *window)
{
  GtkWidget *slot = GTK_WIDGET (etws_window_get_find_slot (window));

  for (GtkWidget *c = gtk_widget_get_first_child (slot); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (ETWS_IS_FIND_BAR (c))
      return ETWS_FIND_BAR (c);
  g_assert_not_reached ();
  return NULL;
}

static void
flush_cb (EtwsFilterBar *bar,
          EtwsWindow    *window)
{
  /* Every row of the new view into the list now, as before pacing. */
  etws_event_view_flush (etws_window_get_event_view (window));
}

/* Applies expression through the filter bar; returns the time until the
 * view showed it (ms) and in *stall the longest main-loop gap until the
 * list settled. */
static double
apply (EtwsWindow *window,
       const char *expression,
       gboolean    all_at_once,
       double     *stall)
{
  EtwsFilterBar *bar = filter_bar (window);
  gulong handler = 0;
  gint64 t0;
  double applied;

  /* From the unfiltered view each time, settled. */
  etws_filter_bar_set_expression (bar, "");
  while (etws_filter_bar_is_busy (bar))
    g_main_context_iteration (NULL, TRUE);
  run_for (0.5);

  if (all_at_once)
    handler = g_signal_connect (bar, "applied", G_CALLBACK (flush_cb), window);
  meter_start ();
  t0 = g_get_monotonic_time ();
  etws_filter_bar_set_expression (bar, expression);
  while (etws_filter_bar_is_busy (bar))
    g_main_context_iteration (NULL, TRUE);
  applied = (g_get_monotonic_time () - t0) / 1000.0;
  /* The paced rows come in over the next frames. */
  run_for (0.6);
  *stall = meter_worst_ms ();
  if (handler != 0)
    g_signal_handler_disconnect (bar, handler);
  return applied;
}

static double
engine_ms (EtwsStore  *store,
           const char *expression,
           guint      *matched)
{
  g_autoptr(EtwsFilter) filter = etws_filter_new (expression, NULL);
  g_autoptr(GArray) rows = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_nonnull (filter);
  rows = etws_filter_evaluate_rows (filter, store, NULL);
  *matched = rows->len;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");
  g_autofree char *src = g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR,
                                           argc > 1 ? argv[1] : "perfview_net.4.5.2.x64.etl", NULL);
  guint copies = argc > 2 ? (guint) atoi (argv[2]) : 6;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  static const char *const expressions[] = {
    "pid == 944",
    "provider == \"DiskIo\" && opcode == 11",
    "path contains \"System32\"",
    "pid == 944 && operation == \"DiskWrite\"",
    "process == \"Idle\"",
  };
  EtwsWindow *window;
  EtwsStore *store;
  double idle;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-filter-ui: needs an X server (xvfb-run -a …)\n");
      return 77;
    }
  gtk_init ();
  etws_ui_init ();

  path = replicate (src, copies);
  file = g_file_new_for_path (path);
  window = etws_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  etws_window_open (window, file);
  while (etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  store = etws_window_get_store (window);
  run_for (1.0);

  meter_start ();
  run_for (2.0);
  idle = meter_worst_ms ();
  printf ("%s × %u: %" G_GUINT64_FORMAT " rows; idle window: longest main-loop stall %.1f ms\n\n",
          g_path_get_basename (src), copies, etws_store_get_n_rows (store), idle);

  printf ("%-42s %9s %10s %10s %10s %10s %8s\n", "expression (typed into the filter bar)", "matched",
          "engine ms", "shown ms", "stall ms", "at-once ms", "ratio");
  for (guint i = 0; i < G_N_ELEMENTS (expressions); i++)
    {
      guint matched = 0;
      double engine = engine_ms (store, expressions[i], &matched);
      double stall_paced = 0, stall_at_once = 0;
      double shown = apply (window, expressions[i], FALSE, &stall_paced);

      apply (window, expressions[i], TRUE, &stall_at_once);
      printf ("%-42s %9u %10.1f %10.1f %10.1f %10.1f %7.2fx\n", expressions[i], matched, engine,
              shown, stall_paced, stall_at_once, stall_at_once / MAX (stall_paced, 0.1));
    }
  printf ("\n  engine ms: the same expression evaluated synchronously on the main thread (baseline)\n"
          "  shown ms: from setting the expression to the view showing the result\n"
          "  stall ms: longest main-loop gap until the list settled (rows paced in)\n"
          "  at-once ms: the same with every row let into the list at once (before pacing)\n"
          "  ratio: at-once / stall\n\n");

  /* Find over every row, no match: the worst case. */
  {
    EtwsFindBar *find = find_bar (window);
    g_autofree char *expression = etws_find_text_expression ("zzzq-no-match");
    guint matched = 0;
    double engine, took;
    gint64 t0;

    etws_filter_bar_set_expression (filter_bar (window), "");
    while (etws_filter_bar_is_busy (filter_bar (window)))
      g_main_context_iteration (NULL, TRUE);
    run_for (0.5);
    engine = engine_ms (store, expression, &matched);
    etws_find_bar_set_mode (find, ETWS_FIND_TEXT);
    etws_find_bar_set_text (find, "zzzq-no-match");
    meter_start ();
    t0 = g_get_monotonic_time ();
    etws_find_bar_find (find, FALSE);
    while (etws_find_bar_is_busy (find))
      g_main_context_iteration (NULL, TRUE);
    took = (g_get_monotonic_time () - t0) / 1000.0;
    printf ("find text, no match, %" G_GUINT64_FORMAT " rows: %.1f ms, longest stall %.1f ms; "
            "baseline, the engine on the same expression: %.1f ms (find/engine %.2fx)\n",
            etws_store_get_n_rows (store), took, meter_worst_ms (), engine, took / MAX (engine, 0.1));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  return 0;
}
