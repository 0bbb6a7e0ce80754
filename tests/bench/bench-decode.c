/* bench-decode.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decode throughput on the kernel fixtures. Every event of each trace is
 * copied into memory once (records and their views), then walked in
 * passes until at least --min-events events and --min-seconds seconds
 * have gone by, so figures are stable on a noisy, shared machine. Each
 * run prints events/s for:
 *
 *   baseline   a plain record walk touching each event's header and
 *              payload (what any consumer pays)
 *   summary    etw_decoder_observe + etw_decode (SUMMARY): the ingest's
 *              per-event cost when a file loads
 *   fields     observe + decode with SUMMARY | FIELDS (the JSON export)
 *   detail     observe + decode with every flag (the detail pane)
 *   observe    etw_decoder_observe alone (the cost of a naming pre-pass)
 *
 * and each as a ratio of the baseline's time measured in the same run.
 * Times are the thread's CPU time (see now()).
 * Usage: bench-decode [--min-events N] [--min-seconds S] [--rounds R]
 *                     [--only baseline|summary|fields|detail|observe] [fixture...]
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etl-reader.h"
#include "etw-decode.h"

typedef struct
{
  char      name[128];
  EtwEvent *events;
  size_t    n;
  uint8_t  *arena;
} Trace;

/* CPU time of this thread: the machine is shared (load 8–9 on 2 cores
 * while the other engineers build), and wall time would mostly measure
 * how long we waited to be scheduled. */
static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static uint8_t *
read_file (const char *path,
           size_t     *len)
{
  FILE *f = fopen (path, "rb");
  uint8_t *data;
  long size;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  size = ftell (f);
  fseek (f, 0, SEEK_SET);
  data = malloc ((size_t) size);
  if (data == NULL || fread (data, 1, (size_t) size, f) != (size_t) size)
    {
      free (data);
      fclose (f);
      return NULL;
    }
  fclose (f);
  *len = (size_t) size;
  return data;
}

/* Moves a pointer that lies inside the record to the copy. */
static const uint8_t *
rebase (const uint8_t *p,
        const uint8_t *from,
        size_t         len,
        uint8_t       *to)
{
  if (p == NULL || p < from || p > from + len)
    return p;
  return to + (p - from);
}

static bool
load_trace (const char *path,
            Trace      *t)
{
  size_t len, cap = 1 << 16, used = 0, arena_cap = 1 << 24;
  uint8_t *data = read_file (path, &len);
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  const char *base = strrchr (path, '/');

  if (data == NULL)
    return false;
  f = etl_file_open (data, len, &err);
  if (f == NULL)
    {
      free (data);
      return false;
    }
  snprintf (t->name, sizeof t->name, "%.100s", base != NULL ? base + 1 : path);
  t->events = malloc (cap * sizeof *t->events);
  t->arena = malloc (arena_cap);
  t->n = 0;
  it = etl_iter_new (f, ETL_ORDER_TIME);
  while (etl_iter_next (it, &ev))
    {
      EtwEvent *e;
      uint8_t *copy;

      if (t->n == cap)
        t->events = realloc (t->events, (cap *= 2) * sizeof *t->events);
      if (used + ev.record_len + 8 > arena_cap)
        {
          /* Events point into the arena: grow it by a fresh block instead
           * of moving it. */
          t->arena = malloc (arena_cap);
          used = 0;
        }
      copy = t->arena + used;
      memcpy (copy, ev.record, ev.record_len);
      used += (ev.record_len + 7u) & ~7u;
      e = &t->events[t->n++];
      *e = ev;
      e->record = copy;
      e->payload = rebase (ev.payload, ev.record, ev.record_len, copy);
      e->stack = rebase (ev.stack, ev.record, ev.record_len, copy);
      for (uint32_t i = 0; i < ev.n_ext; i++)
        e->ext[i].data = rebase (ev.ext[i].data, ev.record, ev.record_len, copy);
    }
  etl_iter_free (it);
  etl_file_free (f);
  free (data);
  return t->n > 0;
}

typedef enum
{
  RUN_BASELINE,
  RUN_SUMMARY,
  RUN_FIELDS,
  RUN_DETAIL,
  RUN_OBSERVE,
  RUN_KINDS
} RunKind;

static volatile uint64_t sink;

/* Walks all traces in passes; returns events per second. */
static double
measure (Trace      *traces,
         int         n_traces,
         RunKind     kind,
         uint64_t    min_events,
         double      min_seconds,
         uint64_t   *events_out)
{
  EtwDecoded *d = calloc (1, sizeof *d);
  EtwDecoder *dec = etw_decoder_new ();
  unsigned flags = kind == RUN_SUMMARY ? ETW_DECODE_SUMMARY
                 : kind == RUN_FIELDS ? ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS
                 : ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS | ETW_DECODE_DETAIL;
  uint64_t events = 0, acc = 0;
  double start = now (), elapsed;

  do
    {
      for (int t = 0; t < n_traces; t++)
        for (size_t i = 0; i < traces[t].n; i++)
          {
            const EtwEvent *ev = &traces[t].events[i];
            if (kind == RUN_BASELINE)
              {
                acc += ev->payload_len + ev->opcode + ev->pid + (uint64_t) ev->raw_time;
                if (ev->payload_len > 0)
                  acc += ev->payload[0] + ev->payload[ev->payload_len - 1];
                continue;
              }
            etw_decoder_observe (dec, ev);
            if (kind == RUN_OBSERVE || (ev->xflags & ETW_XFLAG_STACK_WALK))
              continue;  /* the ingest joins these, never decodes them */
            etw_decode (dec, ev, flags, d);
            acc += d->pid + (d->path != NULL);
          }
      for (int t = 0; t < n_traces; t++)
        events += traces[t].n;
      elapsed = now () - start;
    }
  while (events < min_events || elapsed < min_seconds);
  sink = acc;
  etw_decoder_free (dec);
  free (d);
  *events_out = events;
  return (double) events / elapsed;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  static const char *const defaults[] = {
    "airbus_ShutdownPerfDiagLogger.etl", "perfview_net.4.5.2.x64.etl", "tx_Process.etl",
  };
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  const char *files[16];
  int n_files = 0, rounds = 3, only = -1;
  uint64_t min_events = 5000000;
  double min_seconds = 1.0;
  Trace traces[16];
  int n_traces = 0;
  uint64_t total = 0;
  static const char *const names[] = { "baseline", "summary", "fields", "detail", "observe" };

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--min-events") == 0 && i + 1 < argc)
        min_events = strtoull (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--min-seconds") == 0 && i + 1 < argc)
        min_seconds = strtod (argv[++i], NULL);
      else if (strcmp (argv[i], "--rounds") == 0 && i + 1 < argc)
        rounds = atoi (argv[++i]);
      else if (strcmp (argv[i], "--only") == 0 && i + 1 < argc)
        {
          /* For profiling: one kind, no baseline, no per-file figures. */
          const char *k = argv[++i];
          only = strcmp (k, "summary") == 0 ? RUN_SUMMARY : strcmp (k, "fields") == 0 ? RUN_FIELDS
               : strcmp (k, "detail") == 0 ? RUN_DETAIL : strcmp (k, "observe") == 0 ? RUN_OBSERVE
               : RUN_BASELINE;
        }
      else if (n_files < 16)
        files[n_files++] = argv[i];
    }
  if (rounds < 1)
    rounds = 1;
  if (rounds > 16)
    rounds = 16;
  if (dir == NULL)
    dir = ETWSCOPE_FIXTURES_DIR;
  if (n_files == 0)
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
      files[n_files++] = defaults[i];

  for (int i = 0; i < n_files; i++)
    {
      char path[4096];
      snprintf (path, sizeof path, "%s%s%s", strchr (files[i], '/') ? "" : dir,
                strchr (files[i], '/') ? "" : "/", files[i]);
      if (!load_trace (path, &traces[n_traces]))
        {
          fprintf (stderr, "bench-decode: cannot read %s\n", path);
          return 1;
        }
      total += traces[n_traces].n;
      printf ("loaded %-40s %8zu events\n", traces[n_traces].name, traces[n_traces].n);
      n_traces++;
    }
  printf ("%" PRIu64 " events per pass; each figure: at least %" PRIu64 " events and %.1f s, "
          "median of %d rounds (baseline measured in every round)\n\n",
          total, min_events, min_seconds, rounds);

  if (only >= 0)
    {
      uint64_t ev;
      double r = measure (traces, n_traces, (RunKind) only, min_events, min_seconds, &ev);
      printf ("%-9s %10.2f M events/s (%" PRIu64 " events)\n", names[only], r / 1e6, ev);
      return 0;
    }

  /* All traces together, then each alone. */
  for (int scope = -1; scope < n_traces; scope++)
    {
      Trace *set = scope < 0 ? traces : &traces[scope];
      int n_set = scope < 0 ? n_traces : 1;
      double rate[RUN_KINDS][16], ratio[RUN_KINDS][16];

      if (scope == 0 && n_traces == 1)
        break;
      for (int r = 0; r < rounds; r++)
        {
          uint64_t ev;
          double base = measure (set, n_set, RUN_BASELINE, min_events, min_seconds, &ev);
          rate[0][r] = base;
          ratio[0][r] = 1.0;
          for (int k = 1; k < RUN_KINDS; k++)
            {
              rate[k][r] = measure (set, n_set, (RunKind) k, min_events, min_seconds, &ev);
              /* Time per event relative to the baseline's. */
              ratio[k][r] = base / rate[k][r];
            }
        }
      printf ("%s\n", scope < 0 ? "all kernel fixtures" : set->name);
      for (int k = 0; k < RUN_KINDS; k++)
        {
          qsort (rate[k], (size_t) rounds, sizeof (double), cmp_double);
          qsort (ratio[k], (size_t) rounds, sizeof (double), cmp_double);
          printf ("  %-9s %10.2f M events/s  %8.1f ns/event  x%.1f baseline time\n", names[k],
                  rate[k][rounds / 2] / 1e6, 1e9 / rate[k][rounds / 2], ratio[k][rounds / 2]);
        }
    }
  return 0;
}
