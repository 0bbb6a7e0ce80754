/* bench-live.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Linux live capture under rising load, against `perf record` on the
 * same tracepoints in the same run (root; prints figures, not a test).
 *
 *   bench-live [SECONDS_PER_STEP [LEVEL]]    (LEVEL: run only that step, 0…5)
 *
 * The load: child processes doing read(2) of one byte from /dev/zero,
 * paced or flat out; each read is two tracepoint records (sys_enter_read,
 * sys_exit_read) and one FileIo/Read row. For each step:
 *   - untraced: the reads per second the load reaches alone (baseline);
 *   - etwscope: the "file" provider through worker and store, as the
 *     viewer runs it; records drained per second, rows per second, the
 *     reader thread's CPU, the whole process's CPU, kernel LOST, rows
 *     dropped, memory per row, and the delay from the kernel's time stamp
 *     to the row reaching the store;
 *   - perf record -a with the same tracepoints and the same ring size:
 *     samples per second, its CPU, and its LOST samples.
 * Figures are reported beside their baselines and as ratios.
 */
#define G_LOG_DOMAIN "bench-live"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "etws-live.h"
#include "etws-store.h"
#include "etws-trace.h"
#include "etws-worker.h"
#include "linux/etws-perf-private.h"
#include "linux/etws-perf-source.h"

#define FILETIME_1970 G_GINT64_CONSTANT (116444736000000000)
#define RING_KB       4096

typedef struct
{
  const char *name;
  guint       procs;
  double      rate;      /* reads per second per process; 0 = flat out */
} Level;

static const Level levels[] = {
  { "1 x 25k/s", 1, 25000 },
  { "1 x 100k/s", 1, 100000 },
  { "2 x 100k/s", 2, 100000 },
  { "1 x max", 1, 0 },
  { "2 x max", 2, 0 },
};

typedef struct
{
  double ops_per_s;
} LoadResult;

typedef struct
{
  double   ops_per_s;
  double   records_per_s;
  double   rows_per_s;
  double   reader_cpu;     /* fraction of one core */
  double   process_cpu;
  guint64  lost;
  guint64  dropped;
  guint64  backlog_max;
  double   bytes_per_row;
  double   lat_p50_ms;
  double   lat_p99_ms;
  double   lat_max_ms;
  char    *threads;        /* CPU by thread */
} OursResult;

typedef struct
{
  double   ops_per_s;
  double   samples_per_s;
  double   cpu;
  guint64  lost;
  gboolean ok;
} PerfResult;

static double step_seconds = 3.0;

static struct
{
  double  peak_records;  /* records/s drained in a step with 0 lost */
  double  max_reader;
  double  worst_p99;
  double  max_us_per_record;  /* whole process, steps above 100k records/s */
  guint64 lost;
  guint64 perf_lost;
  guint   steps;
} summary;

static gint64
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
         (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of each of our threads by name (utime + stime). */
static GHashTable *
thread_cpu (void)
{
  GHashTable *by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  long hz = sysconf (_SC_CLK_TCK);

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
      g_autofree char *comm = NULL, *stat = NULL;
      char *close;
      unsigned long utime = 0, stime = 0;
      double *sum;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (close = strrchr (stat, ')')) == NULL ||
          sscanf (close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        continue;
      g_strstrip (comm);
      sum = g_hash_table_lookup (by_name, comm);
      if (sum == NULL)
        {
          sum = g_new0 (double, 1);
          g_hash_table_insert (by_name, g_strdup (comm), sum);
        }
      *sum += (double) (utime + stime) / (double) hz;
    }
  if (dir != NULL)
    g_dir_close (dir);
  return by_name;
}

static char *
thread_cpu_delta (GHashTable *before,
                  GHashTable *after,
                  double      seconds)
{
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double *b = g_hash_table_lookup (before, key);
      double d = *(double *) value - (b != NULL ? *b : 0);
      if (d > 0.005 * seconds)
        g_string_append_printf (out, "%s%s %.0f%%", out->len > 0 ? ", " : "", (char *) key, 100 * d / seconds);
    }
  return g_string_free (out, FALSE);
}

/* ---- the load ---- */

typedef struct
{
  pid_t pids[8];
  int   fds[8];
  guint n;
} Load;

static void
load_child (double rate,
            double seconds,
            int    out)
{
  char byte;
  int fd = open ("/dev/zero", O_RDONLY);
  gint64 start = mono_ns (), end = start + (gint64) (seconds * 1e9);
  long done = 0;

  for (;;)
    {
      gint64 now = mono_ns ();
      if (now >= end)
        break;
      if (rate > 0 && done >= (long) (rate * (double) (now - start) / 1e9))
        {
          struct timespec ts = { 0, 20000 };
          nanosleep (&ts, NULL);
          continue;
        }
      for (int i = 0; i < 64; i++)
        if (read (fd, &byte, 1) == 1)
          done++;
    }
  if (write (out, &done, sizeof done) != sizeof done)
    _exit (1);
  _exit (0);
}

static void
load_start (Load        *load,
            const Level *level)
{
  load->n = level->procs;
  for (guint i = 0; i < level->procs; i++)
    {
      int p[2];
      if (pipe (p) != 0)
        g_error ("pipe: %s", g_strerror (errno));
      load->pids[i] = fork ();
      if (load->pids[i] == 0)
        {
          close (p[0]);
          load_child (level->rate, step_seconds, p[1]);
        }
      close (p[1]);
      load->fds[i] = p[0];
    }
}

static gboolean
load_running (Load *load)
{
  for (guint i = 0; i < load->n; i++)
    if (load->pids[i] > 0 && waitpid (load->pids[i], NULL, WNOHANG) == 0)
      return TRUE;
    else
      load->pids[i] = 0;
  return FALSE;
}

static double
load_finish (Load *load)
{
  double total = 0;

  for (guint i = 0; i < load->n; i++)
    {
      long done = 0;
      if (load->pids[i] > 0)
        waitpid (load->pids[i], NULL, 0);
      if (read (load->fds[i], &done, sizeof done) == sizeof done)
        total += (double) done;
      close (load->fds[i]);
    }
  return total / step_seconds;
}

/* ---- etwscope ---- */

typedef struct
{
  EtwsStore *store;
  GArray    *latencies;  /* double, ms */
  guint64    seen;
} Sampler;

static void
batch_cb (EtwsWorker *worker,
          EtwsBatch  *batch,
          Sampler    *s)
{
  gint64 now = g_get_real_time () * 10 + FILETIME_1970;

  /* From the kernel's time stamp to this moment, when the row goes into
   * the store: every 16th row. */
  for (guint i = 0; i < batch->n_rows; i++, s->seen++)
    if ((s->seen & 15) == 0)
      {
        double ms = (double) (now - batch->rows[i].time) / 10000.0;
        g_array_append_val (s->latencies, ms);
      }
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
iterate_for (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * 1e6);
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
run_ours (const Level *level,
          gboolean     stacks,
          OursResult  *r)
{
  g_autoptr(GError) error = NULL;
  char *providers[] = { (char *) "file", NULL };
  EtwsLiveOptions options;
  EtwsPerfSourceStats before, after;
  g_autoptr(EtwsSource) source = NULL;
  g_autoptr(EtwsWorker) worker = NULL;
  g_autoptr(EtwsStore) store = NULL;
  Sampler sampler = { 0 };
  Load load = { 0 };
  guint64 rows_before;
  double cpu_before;
  gint64 t0, t1;
  g_autoptr(GHashTable) threads_before = NULL;
  g_autoptr(GHashTable) threads_after = NULL;

  memset (r, 0, sizeof *r);
  etws_live_options_init (&options);
  options.providers = providers;
  options.stacks = stacks;
  options.ring_kb = RING_KB;
  source = etws_live_source_new (&options, &error);
  if (source == NULL)
    {
      g_printerr ("bench-live: %s\n", error->message);
      return FALSE;
    }
  worker = etws_worker_new (source);
  store = etws_store_new ();
  etws_store_attach (store, worker);
  sampler.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (worker, "batch", G_CALLBACK (batch_cb), &sampler);
  etws_worker_start (worker);
  /* Set up, the rundown drained, the rings live. */
  while (etws_store_get_n_rows (store) == 0 && etws_worker_is_running (worker))
    iterate_for (0.01);
  iterate_for (0.5);

  etws_perf_source_get_stats (ETWS_PERF_SOURCE (source), &before);
  rows_before = etws_store_get_n_rows (store);
  cpu_before = cpu_seconds ();
  threads_before = thread_cpu ();
  t0 = mono_ns ();
  load_start (&load, level);
  while (load_running (&load))
    iterate_for (0.005);
  r->ops_per_s = load_finish (&load);
  /* What the load made is drained within a few rounds. */
  iterate_for (0.3);
  t1 = mono_ns ();
  threads_after = thread_cpu ();
  r->threads = thread_cpu_delta (threads_before, threads_after, (double) (t1 - t0) / 1e9);
  etws_perf_source_get_stats (ETWS_PERF_SOURCE (source), &after);
  r->process_cpu = (cpu_seconds () - cpu_before) / ((double) (t1 - t0) / 1e9);
  r->records_per_s = (double) (after.records - before.records) / step_seconds;
  r->rows_per_s = (double) (etws_store_get_n_rows (store) - rows_before) / step_seconds;
  r->reader_cpu = (double) (after.reader_cpu_ns - before.reader_cpu_ns) / (double) (t1 - t0);
  r->backlog_max = after.backlog_max;

  etws_source_stop (source);
  while (etws_worker_is_running (worker))
    iterate_for (0.01);
  r->lost = etws_store_get_lost (store);
  r->dropped = etws_store_get_dropped (store);
  r->bytes_per_row = (double) (etws_trace_get_memory (etws_store_get_trace (store)) +
                               etws_store_get_column_bytes (store)) /
                     (double) MAX (etws_store_get_n_rows (store), 1);
  if (sampler.latencies->len > 0)
    {
      double *l = (double *) (gpointer) sampler.latencies->data;
      g_array_sort (sampler.latencies, cmp_double);
      r->lat_p50_ms = l[sampler.latencies->len / 2];
      r->lat_p99_ms = l[(sampler.latencies->len * 99) / 100];
      r->lat_max_ms = l[sampler.latencies->len - 1];
    }
  g_array_unref (sampler.latencies);
  return TRUE;
}

/* ---- perf record ---- */

static char *
perf_events (void)
{
  GString *list = g_string_new (NULL);

  /* The file provider's tracepoints, enter and exit halves alike (the
   * augmenter covers some of them with BPF on our side). */
  for (guint tp = 0; tp < ETWS_TP_N; tp++)
    {
      const EtwsPerfTpInfo *info = _etws_perf_tp_info (tp);
      g_autofree char *id = g_strdup_printf ("/sys/kernel/tracing/events/%s/%s/id", info->system, info->name);

      if (!(info->providers & ETWS_PERF_BIT (ETWS_PERF_FILE)) || !g_file_test (id, G_FILE_TEST_EXISTS))
        continue;
      g_string_append_printf (list, "%s%s:%s", list->len > 0 ? "," : "", info->system, info->name);
    }
  return g_string_free (list, FALSE);
}

static gboolean
run_perf (const Level *level,
          const char  *events,
          gboolean     stacks,
          PerfResult  *r)
{
  g_autofree char *data = g_strdup_printf ("/tmp/bench-live-%d.data", (int) getpid ());
  g_autofree char *fifo = g_strdup_printf ("/tmp/bench-live-%d.ready", (int) getpid ());
  g_autofree char *pages = g_strdup_printf ("%d", RING_KB / 4);
  g_autofree char *seconds = g_strdup_printf ("%g", step_seconds);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *stats = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  struct rusage ru;
  gboolean in_event = FALSE;
  guint64 samples = 0;
  Load load = { 0 };
  int status, ready;
  char byte;
  pid_t perf;

  memset (r, 0, sizeof *r);
  unlink (fifo);
  if (mkfifo (fifo, 0600) != 0)
    return FALSE;
  perf = fork ();
  if (perf == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, 1);
      dup2 (null, 2);
      /* perf starts its workload once its events are on: the workload
       * tells us so through the FIFO, then lasts as long as the load.
       * --exclude-perf: perf's own writes of its file are not recorded,
       * as etwscope never reports itself. */
      if (stacks)
        execlp ("perf", "perf", "record", "-q", "-a", "-g", "-m", pages, "-e", events, "--exclude-perf",
                "-o", data, "--", self, "--ready", fifo, seconds, NULL);
      else
        execlp ("perf", "perf", "record", "-q", "-a", "-m", pages, "-e", events, "--exclude-perf",
                "-o", data, "--", self, "--ready", fifo, seconds, NULL);
      _exit (127);
    }
  ready = open (fifo, O_RDONLY);
  if (ready < 0 || read (ready, &byte, 1) != 1)
    {
      g_printerr ("bench-live: perf record did not start\n");
      if (ready >= 0)
        close (ready);
      unlink (fifo);
      waitpid (perf, NULL, 0);
      return FALSE;
    }
  close (ready);
  unlink (fifo);
  load_start (&load, level);
  while (load_running (&load))
    g_usleep (5000);
  r->ops_per_s = load_finish (&load);
  if (wait4 (perf, &status, 0, &ru) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("bench-live: perf record failed (status %d)\n", status);
      unlink (data);
      return FALSE;
    }
  /* perf's own time (its workload only sleeps), over the load's span. */
  r->cpu = ((double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
            (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6) / step_seconds;

  {
    const char *argv[] = { "perf", "report", "-i", data, "--stats", NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, &stats, NULL, &status, &error))
      {
        g_printerr ("bench-live: perf report: %s\n", error->message);
        unlink (data);
        return FALSE;
      }
  }
  unlink (data);
  /* Per-event blocks: "syscalls:sys_exit_read stats:" then SAMPLE and
   * LOST_SAMPLES counts. */
  lines = g_strsplit (stats, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = g_strstrip (lines[i]);
      if (g_str_has_suffix (l, " stats:"))
        in_event = !g_str_has_prefix (l, "Aggregated");
      else if (in_event && g_str_has_prefix (l, "SAMPLE events:"))
        samples += g_ascii_strtoull (l + strlen ("SAMPLE events:"), NULL, 10);
      else if (in_event && g_str_has_prefix (l, "LOST_SAMPLES events:"))
        r->lost += g_ascii_strtoull (l + strlen ("LOST_SAMPLES events:"), NULL, 10);
    }
  /* The recording lasted as long as the load. */
  r->samples_per_s = (double) samples / step_seconds;
  r->ok = TRUE;
  return TRUE;
}

static void
run_level (const Level *level,
           const char  *events,
           gboolean     stacks)
{
  Load load = { 0 };
  OursResult ours;
  PerfResult perf;
  double untraced;

  load_start (&load, level);
  while (load_running (&load))
    g_usleep (5000);
  untraced = load_finish (&load);
  if (!run_ours (level, stacks, &ours))
    return;
  memset (&perf, 0, sizeof perf);
  if (events != NULL)
    run_perf (level, events, stacks, &perf);

  g_print ("\n%s%s - untraced load %.0f reads/s\n", level->name, stacks ? ", stacks" : "", untraced);
  g_print ("  etwscope     load %8.0f reads/s (%.2f of untraced)  drained %8.0f records/s  %8.0f rows/s\n",
           ours.ops_per_s, ours.ops_per_s / untraced, ours.records_per_s, ours.rows_per_s);
  g_print ("               reader %.1f%% of a core, whole process %.1f%%, lost %" G_GUINT64_FORMAT
           ", dropped %" G_GUINT64_FORMAT ", backlog max %.1f MiB\n",
           ours.reader_cpu * 100, ours.process_cpu * 100, ours.lost, ours.dropped,
           (double) ours.backlog_max / 1048576.0);
  g_print ("               %.2f us of CPU per record (whole process), %.3f us in the reader\n",
           ours.process_cpu * 1e6 / MAX (ours.records_per_s, 1), ours.reader_cpu * 1e6 / MAX (ours.records_per_s, 1));
  g_print ("               threads: %s\n", ours.threads);
  g_free (ours.threads);
  g_print ("               %.0f bytes per row; kernel time stamp -> row in store: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           ours.bytes_per_row, ours.lat_p50_ms, ours.lat_p99_ms, ours.lat_max_ms);
  if (perf.ok)
    {
      g_print ("  perf record  load %8.0f reads/s (%.2f of untraced)  wrote   %8.0f samples/s\n",
               perf.ops_per_s, perf.ops_per_s / untraced, perf.samples_per_s);
      g_print ("               perf process %.1f%% of a core, lost %" G_GUINT64_FORMAT " samples\n",
               perf.cpu * 100, perf.lost);
      g_print ("  ratios       records/s etwscope/perf %.2f; reader CPU etwscope/perf %.2f; lost %" G_GUINT64_FORMAT
               " vs %" G_GUINT64_FORMAT "\n",
               ours.records_per_s / MAX (perf.samples_per_s, 1), ours.reader_cpu / MAX (perf.cpu, 1e-9),
               ours.lost, perf.lost);
    }
  summary.peak_records = MAX (summary.peak_records, ours.lost == 0 ? ours.records_per_s : 0);
  if (ours.records_per_s > 100000)
    summary.max_us_per_record = MAX (summary.max_us_per_record, ours.process_cpu * 1e6 / ours.records_per_s);
  summary.max_reader = MAX (summary.max_reader, ours.reader_cpu);
  summary.worst_p99 = MAX (summary.worst_p99, ours.lat_p99_ms);
  summary.lost += ours.lost;
  summary.perf_lost += perf.lost;
  summary.steps++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;
  g_autofree char *perf = g_find_program_in_path ("perf");

  if (argc == 4 && strcmp (argv[1], "--ready") == 0)
    {
      /* perf record's workload: say that recording has begun, then wait. */
      int fd = open (argv[2], O_WRONLY);
      if (fd < 0 || write (fd, "r", 1) != 1)
        return 1;
      close (fd);
      g_usleep ((gulong) (g_ascii_strtod (argv[3], NULL) * G_USEC_PER_SEC));
      return 0;
    }
  if (argc > 1)
    step_seconds = CLAMP (g_ascii_strtod (argv[1], NULL), 0.5, 10.0);
  if (geteuid () != 0 || !etws_live_check (&error))
    {
      g_print ("bench-live: needs root and kernel tracing (%s)\n",
               error != NULL ? error->message : "not root");
      return 0;
    }
  if (perf == NULL)
    g_print ("bench-live: perf is not installed: only etwscope's figures\n");
  events = perf != NULL ? perf_events () : NULL;
  if (events != NULL)
    {
      g_auto(GStrv) names = g_strsplit (events, ",", -1);
      g_print ("bench-live: %.1f s per step, %d KiB rings, %ld CPUs; perf records %u tracepoints\n",
               step_seconds, RING_KB, sysconf (_SC_NPROCESSORS_ONLN), g_strv_length (names));
    }
  for (guint i = 0; i <= G_N_ELEMENTS (levels); i++)
    {
      gboolean stacks = i == G_N_ELEMENTS (levels);
      if (argc > 2 && (guint) atoi (argv[2]) != i)
        continue;
      run_level (&levels[stacks ? i - 1 : i], events, stacks);
    }
  if (summary.steps > 0)
    {
      g_print ("\nsummary over %u steps:\n", summary.steps);
      g_print ("  peak drained with 0 lost: %.0f records/s (goal >= 500000: %s)\n", summary.peak_records,
               summary.peak_records >= 500000 ? "met" : "not met in this run");
      if (summary.max_us_per_record > 0)
        g_print ("  whole process at most %.2f us of CPU per record: 500k records/s would take %.0f%% of a core\n",
                 summary.max_us_per_record, summary.max_us_per_record * 500000 / 1e4);
      g_print ("  reader thread at most %.1f%% of a core (goal <= 10%%: %s)\n", summary.max_reader * 100,
               summary.max_reader <= 0.10 ? "met" : "not met");
      g_print ("  kernel time stamp -> row in store, worst p99 %.1f ms (goal <= 100 ms: %s)\n", summary.worst_p99,
               summary.worst_p99 <= 100 ? "met" : "not met");
      g_print ("  lost: etwscope %" G_GUINT64_FORMAT ", perf record %" G_GUINT64_FORMAT "\n",
               summary.lost, summary.perf_lost);
    }
  return 0;
}
