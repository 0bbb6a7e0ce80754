/* bench-scan.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints figures for issue 2: `--summary` scan throughput (MB/s and
 * records/s) on the three largest fixtures, each replicated to at least
 * 500 MB on disk and read back from the page cache, the Xpress inflate
 * rate, and peak RSS. Baselines from the same run: a plain read of the
 * same mapped bytes (memory bandwidth) and memcpy of the inflated size.
 *
 *   bench-scan [FIXTURES_DIR] [TARGET_MB]
 */
#define G_LOG_DOMAIN "bench-scan"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "etl-reader.h"
#include "etl-summary.h"
#include "etw-bytes.h"
#include "etw-xpress.h"
#include "etws-trace-file.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Writes the header buffer once, then the other buffers again and again
 * until the file reaches target bytes. */
static char *
replicate (const EtlFile *etl,
           guint64        target)
{
  g_autoptr(GError) error = NULL;
  guint64 len, written = 0;
  const guint8 *data = etl_file_data (etl, &len);
  const EtlBuffer *b0 = etl_file_buffer (etl, 0);
  char *path = NULL;
  FILE *fp;
  int fd = g_file_open_tmp ("bench-scan-XXXXXX.etl", &path, &error);

  g_assert_no_error (error);
  fp = fdopen (fd, "wb");
  fwrite (data, 1, b0->size, fp);
  written = b0->size;
  while (written < target)
    {
      fwrite (data + b0->size, 1, len - b0->size, fp);
      written += len - b0->size;
    }
  fclose (fp);
  return path;
}

static guint64
baseline_read (const guint8 *p,
               guint64       len)
{
  guint64 sum = 0;

  for (guint64 i = 0; i + 8 <= len; i += 64)
    sum += etw_rd_u64 (p + i);
  return sum;
}

static void
bench_file (const char *fixtures,
            const char *name,
            guint64     target)
{
  g_autofree char *src = g_build_filename (fixtures, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsTraceFile) orig = etws_trace_file_open (src, NULL, &error);
  g_autoptr(EtwsTraceFile) big = NULL;
  g_autofree char *path = NULL;
  EtlSummary s;
  guint64 len;
  const guint8 *data;
  double t0, t_base, t_scan = 1e9;
  volatile guint64 sink;

  g_assert_no_error (error);
  path = replicate (etws_trace_file_get_etl (orig), target);
  big = etws_trace_file_open (path, NULL, &error);
  g_assert_no_error (error);
  data = etl_file_data (etws_trace_file_get_etl (big), &len);

  /* Warm the page cache, then time a plain pass over the same bytes. */
  sink = baseline_read (data, len);
  t0 = now ();
  sink = baseline_read (data, len);
  t_base = now () - t0;
  (void) sink;

  for (int rep = 0; rep < 3; rep++)
    {
      t0 = now ();
      g_assert_true (etl_summary_compute (etws_trace_file_get_etl (big), &s));
      t_scan = MIN (t_scan, now () - t0);
      if (rep < 2)
        etl_summary_clear (&s);
    }

  printf ("%-40s %7.0f MB  %9.0f MB/s  %7.2f M records/s  %10" G_GUINT64_FORMAT
          " records  baseline read %6.0f MB/s  ratio %.2f\n",
          name, len / 1e6, len / 1e6 / t_scan, s.events / 1e6 / t_scan, s.events,
          len / 1e6 / t_base, t_base / t_scan);
  g_assert_cmpuint (s.error.code, ==, ETL_OK);
  etl_summary_clear (&s);
  g_unlink (path);
}

/* Inflates every compressed buffer of the merged trace, many times. */
static void
bench_xpress (const char *fixtures)
{
  g_autofree char *src = g_build_filename (fixtures, "perfview_net.4.5.2.x64.etl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsTraceFile) tf = etws_trace_file_open (src, NULL, &error);
  const EtlFile *etl;
  const guint8 *data;
  guint64 len, out_bytes = 0, in_bytes = 0;
  guint8 *out = g_malloc (16 << 20), *copy = g_malloc (16 << 20);
  double t0, t_inflate, t_copy;
  int reps = 40;

  g_assert_no_error (error);
  etl = etws_trace_file_get_etl (tf);
  data = etl_file_data (etl, &len);

  t0 = now ();
  for (int r = 0; r < reps; r++)
    for (guint32 i = 0; i < etl_file_n_buffers (etl); i++)
      {
        const EtlBuffer *b = etl_file_buffer (etl, i);
        if (!(b->flags & ETL_BUFFER_COMPRESSED))
          continue;
        long n = etw_xpress_decompress (data + b->file_offset + 0x48, b->size - 0x48, out,
                                        b->used - 0x48);
        g_assert_cmpint (n, ==, (long) b->used - 0x48);
        out_bytes += (guint64) n;
        in_bytes += b->size - 0x48;
      }
  t_inflate = now () - t0;

  /* Baseline: copying the same number of output bytes. */
  t0 = now ();
  for (guint64 done = 0; done < out_bytes; done += 1 << 20)
    memcpy (copy, out + (done % (8 << 20)), 1 << 20);
  t_copy = now () - t0;

  printf ("%-40s %7.0f MB out (%.0f MB in)  %9.0f MB/s of output  memcpy baseline %6.0f MB/s  ratio %.3f\n",
          "xpress (perfview_net, 359 buffers x40)", out_bytes / 1e6, in_bytes / 1e6,
          out_bytes / 1e6 / t_inflate, out_bytes / 1e6 / t_copy, t_copy / t_inflate);
  g_free (out);
  g_free (copy);
}

int
main (int   argc,
      char *argv[])
{
  const char *fixtures = argc > 1 ? argv[1] : g_getenv ("ETWSCOPE_FIXTURES");
  guint64 target = (argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 512) << 20;

  if (fixtures == NULL)
    fixtures = "../shared/fixtures/etl";
  printf ("summary scan, each fixture replicated to >= %" G_GUINT64_FORMAT " MB, best of 3:\n",
          target >> 20);
  bench_file (fixtures, "etwanalyzer_TraceLoggingTester.etl.gz", target);
  bench_file (fixtures, "perfview_net.4.5.2.x64.etl", target);
  bench_file (fixtures, "airbus_ShutdownPerfDiagLogger.etl", target);
  bench_xpress (fixtures);
  printf ("peak RSS: %ld MB (the mapped file counts once read)\n", peak_rss_kb () / 1024);
  return 0;
}
