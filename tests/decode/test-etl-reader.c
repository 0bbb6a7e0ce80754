/* test-etl-reader.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The .etl reader against the ground truth of every fixture
 * (../shared/fixtures/etl/expected/<name>.summary.json, made by an independent
 * parser), plus the properties the viewer relies on: time order, CPU
 * numbers, random access, the log-file header. Plain C so that it also
 * runs under Wine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etl-summary.h"
#include "etw-guid.h"
#include "mini-json.h"
#include "tap.h"

static const char *fixtures_dir;

static const char *const fixtures[] = {
  "airbus_AMSITrace.etl",
  "airbus_ShutdownPerfDiagLogger.etl",
  "airbus_lxcore_kernel.etl",
  "etwanalyzer_TraceLoggingTester.etl",  /* stored as .etl.gz */
  "krabsetw_powershell.etl",
  "perfview_diaghub.user_injected.1.etl",
  "perfview_gcevents_PerfViewData.etl",
  "perfview_net.4.5.2.x64.etl",
  "perfview_primitive-types.etl",
  "perfview_smallEtlFile.etl",
  "tx_HTTP_Server.etl",
  "tx_Process.etl",
  "tx_WsRm01.etl",
};

typedef struct
{
  char          *data;
  size_t         len;
  EtlFile       *file;
} Loaded;

static bool
load (const char *name,
      Loaded     *out)
{
  char path[4096];
  EtlError err;

  snprintf (path, sizeof path, "%s/%s", fixtures_dir, name);
  out->data = mj_read_file (path, &out->len);
  if (out->data == NULL)
    return false;
  out->file = etl_file_open ((const uint8_t *) out->data, out->len, &err);
  if (out->file == NULL)
    tap_diag ("%s: %s", name, err.message);
  return out->file != NULL;
}

static void
unload (Loaded *l)
{
  etl_file_free (l->file);
  free (l->data);
}

/* "2020-07-29T00:07:00.6236167Z" → 100 ns ticks since 1601. */
static int64_t
parse_iso (const char *s)
{
  int y, mo, d, h, mi, sec, frac;
  char buf[ETW_FILETIME_TEXT_SIZE];

  if (sscanf (s, "%d-%d-%dT%d:%d:%d.%7dZ", &y, &mo, &d, &h, &mi, &sec, &frac) != 7)
    return INT64_MIN;
  /* Search by formatting: days from civil via a reference conversion. */
  int64_t days;
  {
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned) (yy - era * 400);
    unsigned doy = (153 * (unsigned) (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + (unsigned) d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + (int64_t) doe - 719468;
  }
  int64_t ft = ((days * 86400 + h * 3600 + mi * 60 + sec) * 10000000LL) + frac +
               116444736000000000LL;
  etw_filetime_format (ft, buf);  /* round trip keeps the parser honest */
  return strcmp (buf, s) == 0 ? ft : INT64_MIN;
}

static const char *
kind_name (int kind)
{
  switch (kind)
    {
    case ETW_HDR_SYSTEM: return "system";
    case ETW_HDR_COMPACT: return "compact";
    case ETW_HDR_PERFINFO: return "perfinfo";
    case ETW_HDR_EVENT: return "event";
    case ETW_HDR_CLASSIC: return "classic";
    case ETW_HDR_INSTANCE: return "classic";
    case ETW_HDR_MESSAGE: return "message";
    default: return NULL;
    }
}

static void
check_summary (const char *name)
{
  char path[4096];
  Loaded l;
  EtlSummary s;
  MjValue *exp;
  const MjValue *v;
  bool ok;

  snprintf (path, sizeof path, "%s/expected/%s.summary.json", fixtures_dir, name);
  exp = mj_parse_file (path);
  tap_check (exp != NULL, "%s: expected summary parses", name);
  if (exp == NULL)
    return;
  if (!load (name, &l))
    {
      tap_check (false, "%s: opens", name);
      mj_free (exp);
      return;
    }
  tap_check (etl_summary_compute (l.file, &s), "%s: summary computed", name);
  tap_check (s.error.code == ETL_OK, "%s: no damage reported (%s)", name, s.error.message);

  tap_check (s.buffers == (uint64_t) mj_get (exp, "buffers")->i, "%s: buffers %u", name, s.buffers);
  tap_check (s.events == (uint64_t) mj_get (exp, "events")->i, "%s: events %llu", name,
             (unsigned long long) s.events);
  tap_check (s.cpus == (uint64_t) mj_get (exp, "cpus")->i, "%s: cpus %u", name, s.cpus);
  tap_check (s.lost_events == (uint64_t) mj_get (exp, "lost_events")->i, "%s: lost_events %u",
             name, s.lost_events);
  tap_check (s.pointer_size == (uint64_t) mj_get (exp, "pointer_size")->i, "%s: pointer_size %u",
             name, s.pointer_size);

  /* header_types: every expected kind matches, and no other kind occurs. */
  v = mj_get (exp, "header_types");
  ok = v != NULL;
  {
    uint64_t by_name[8] = { 0 };
    const char *names[] = { "system", "compact", "perfinfo", "event", "classic", "message" };
    for (int k = 0; k <= ETW_HDR_LIVE; k++)
      for (int j = 0; j < 6; j++)
        if (kind_name (k) != NULL && strcmp (kind_name (k), names[j]) == 0)
          by_name[j] += s.header_types[k];
    for (int j = 0; ok && j < 6; j++)
      {
        const MjValue *e = mj_get (v, names[j]);
        if ((uint64_t) (e != NULL ? e->i : 0) != by_name[j])
          {
            tap_diag ("%s: header type %s: expected %lld, got %llu", name, names[j],
                      e != NULL ? (long long) e->i : 0LL, (unsigned long long) by_name[j]);
            ok = false;
          }
      }
  }
  tap_check (ok, "%s: header_types", name);

  /* kernel_hooks: same keys, same counts. */
  v = mj_get (exp, "kernel_hooks");
  ok = v != NULL;
  {
    size_t nonzero = 0;
    for (unsigned h = 0; h < 65536; h++)
      if (s.kernel_hooks[h] > 0)
        nonzero++;
    ok = ok && nonzero == v->n;
    for (size_t i = 0; ok && i < v->n; i++)
      {
        unsigned hook = (unsigned) strtoul (v->keys[i], NULL, 16);
        if (s.kernel_hooks[hook & 0xffff] != (uint64_t) v->items[i]->i)
          {
            tap_diag ("%s: hook %s expected %lld got %llu", name, v->keys[i],
                      (long long) v->items[i]->i, (unsigned long long) s.kernel_hooks[hook & 0xffff]);
            ok = false;
          }
      }
  }
  tap_check (ok, "%s: kernel_hooks (%zu hooks)", name, v != NULL ? v->n : 0);

  /* providers: same GUIDs, same counts. */
  v = mj_get (exp, "providers");
  {
    uint32_t n;
    EtlProviderCount *pc = etl_summary_sorted_providers (&s, &n);
    ok = v != NULL && n == v->n;
    for (uint32_t i = 0; ok && i < n; i++)
      {
        char g[ETW_GUID_STRING_LEN + 1];
        const MjValue *e;
        etw_guid_format (&pc[i].guid, g);
        e = mj_get (v, g);
        if (e == NULL || (uint64_t) e->i != pc[i].count)
          {
            tap_diag ("%s: provider %s got %llu", name, g, (unsigned long long) pc[i].count);
            ok = false;
          }
      }
    free (pc);
  }
  tap_check (ok, "%s: providers (%zu)", name, v != NULL ? v->n : 0);

  /* Timestamps agree within 1 µs (10 ticks). */
  {
    int64_t first = parse_iso (mj_get (exp, "first_timestamp")->s);
    int64_t last = parse_iso (mj_get (exp, "last_timestamp")->s);
    char a[ETW_FILETIME_TEXT_SIZE], b[ETW_FILETIME_TEXT_SIZE];
    etw_filetime_format (s.first_time, a);
    etw_filetime_format (s.last_time, b);
    tap_check (first != INT64_MIN && llabs (s.first_time - first) <= 10,
               "%s: first_timestamp %s", name, a);
    tap_check (last != INT64_MIN && llabs (s.last_time - last) <= 10,
               "%s: last_timestamp %s", name, b);
  }

  etl_summary_clear (&s);
  unload (&l);
  mj_free (exp);
}

/* Time order: the merge yields every record, globally sorted, and inside
 * each CPU the file order is already sorted (the property the merge needs). */
static void
check_order (const char *name)
{
  Loaded l;
  EtwEvent ev;
  uint64_t n_file = 0, n_time = 0, back_steps = 0;
  int64_t last = INT64_MIN;
  int64_t *last_cpu = calloc (4096, sizeof *last_cpu);
  bool cpu_sorted = true, cpus_in_range = true;
  EtlIter *it;

  if (!load (name, &l))
    {
      tap_check (false, "%s: opens", name);
      free (last_cpu);
      return;
    }
  for (int i = 0; i < 4096; i++)
    last_cpu[i] = INT64_MIN;

  it = etl_iter_new (l.file, ETL_ORDER_FILE);
  while (etl_iter_next (it, &ev))
    {
      n_file++;
      if (ev.cpu >= 4096 || ev.cpu >= etl_file_info (l.file)->n_cpus)
        cpus_in_range = false;
      else
        {
          if (ev.raw_time < last_cpu[ev.cpu])
            cpu_sorted = false;
          last_cpu[ev.cpu] = ev.raw_time;
        }
      if (ev.raw_time < last)
        back_steps++;
      last = ev.raw_time;
    }
  etl_iter_free (it);

  last = INT64_MIN;
  bool sorted = true;
  it = etl_iter_new (l.file, ETL_ORDER_TIME);
  while (etl_iter_next (it, &ev))
    {
      n_time++;
      if (ev.raw_time < last)
        sorted = false;
      last = ev.raw_time;
    }
  etl_iter_free (it);

  tap_check (cpus_in_range, "%s: every CPU number < NumberOfProcessors (%u)", name,
             etl_file_info (l.file)->n_cpus);
  tap_check (cpu_sorted, "%s: per-CPU streams are time ordered in the file", name);
  tap_check (n_time == n_file && sorted,
             "%s: time-ordered merge yields all %llu records sorted (file order steps back %llu times)",
             name, (unsigned long long) n_time, (unsigned long long) back_steps);
  unload (&l);
  free (last_cpu);
}

/* Re-reading a record by (buffer, offset) gives the same event. */
static void
check_random_access (const char *name)
{
  Loaded l;
  EtwEvent ev, again;
  EtlIter *it;
  EtlAccess *acc;
  uint64_t n = 0, same = 0;

  if (!load (name, &l))
    return;
  it = etl_iter_new (l.file, ETL_ORDER_TIME);
  acc = etl_access_new (l.file);
  while (etl_iter_next (it, &ev))
    {
      if (n++ % 7 != 0)
        continue;
      if (etl_access_read (acc, ev.buffer_index, ev.buffer_offset, &again) &&
          again.raw_time == ev.raw_time && again.payload_len == ev.payload_len &&
          again.cpu == ev.cpu && etw_guid_equal (&again.provider, &ev.provider) &&
          memcmp (again.payload, ev.payload, ev.payload_len) == 0)
        same++;
    }
  tap_check (same == (n + 6) / 7, "%s: %llu records re-read by locator", name,
             (unsigned long long) same);
  etl_access_free (acc);
  etl_iter_free (it);
  unload (&l);
}

static void
check_headers (void)
{
  Loaded l;

  if (load ("tx_HTTP_Server.etl", &l))
    {
      const EtlLogInfo *i = etl_file_info (l.file);
      EtlIter *it = etl_iter_new (l.file, ETL_ORDER_FILE);
      EtwEvent ev;
      unsigned max_cpu = 0;

      while (etl_iter_next (it, &ev))
        if (ev.cpu > max_cpu)
          max_cpu = ev.cpu;
      etl_iter_free (it);
      /* Windows 7 stores the CPU as a byte; read as u16 it would be 0x800+. */
      tap_check (i->os_build == 7601 && i->perf_freq == 1818300 && i->clock_type == 1,
                 "Windows 7 header: build %u, QPC at %lld Hz", i->os_build, (long long) i->perf_freq);
      tap_check (max_cpu == 3, "Windows 7 CPU numbers come from the byte at 0x28 (max %u)", max_cpu);
      unload (&l);
    }
  if (load ("perfview_smallEtlFile.etl", &l))
    {
      const EtlLogInfo *i = etl_file_info (l.file);
      tap_check (i->pointer_size == 4 && i->header_type == 1 && i->perf_freq == 3117777 &&
                 i->layout_major == 2 && i->layout_minor == 0 && i->os_build == 10586,
                 "32-bit relogged header: ptr %u, freq %lld, layout %u.%u", i->pointer_size,
                 (long long) i->perf_freq, i->layout_major, i->layout_minor);
      tap_check (strcmp (i->log_file_name, "ReloggedFile.ETL") == 0 &&
                 strcmp (i->logger_name, "PerfWatsonGCHeapETLSession688") == 0,
                 "log-file and logger names (%s, %s)", i->log_file_name, i->logger_name);
      tap_check (etl_file_buffer (l.file, 1)->flags & ETL_BUFFER_COMPRESSED,
                 "second buffer is compressed");
      unload (&l);
    }
  if (load ("airbus_AMSITrace.etl", &l))
    {
      const EtlLogInfo *i = etl_file_info (l.file);
      tap_check (i->events_lost == 3 && strcmp (i->logger_name, "AMSITraceSession") == 0 &&
                 i->os_build == 18362 && i->n_cpus == 8,
                 "AMSITrace header: EventsLost %u, logger %s", i->events_lost, i->logger_name);
      unload (&l);
    }
}

static bool
fixture_present (const char *name)
{
  char path[4096];
  FILE *fp;

  snprintf (path, sizeof path, "%s/%s", fixtures_dir, name);
  fp = fopen (path, "rb");
  if (fp != NULL)
    fclose (fp);
  return fp != NULL;
}

int
main (void)
{
  fixtures_dir = getenv ("ETWSCOPE_FIXTURES");
  if (fixtures_dir == NULL)
    fixtures_dir = "../shared/fixtures/etl";

  for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
    {
      /* The gzip fixture is covered by the GLib test of etwcat (inflating
       * it needs zlib, which the plain-C build does not link). */
      if (!fixture_present (fixtures[i]))
        {
          tap_skip ("%s: only stored compressed (covered by test-etwcat-summary)", fixtures[i]);
          continue;
        }
      check_summary (fixtures[i]);
      check_order (fixtures[i]);
      check_random_access (fixtures[i]);
    }
  check_headers ();
  return tap_done ();
}
