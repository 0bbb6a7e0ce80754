/* test-worker.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * File → worker thread → batches → store, on the real fixtures: every
 * record arrives once, StackWalk records become stacks of their events,
 * damage keeps the rows before it, and the queue bound behaves as
 * promised for file and live sources.
 */
#define G_LOG_DOMAIN "test-worker"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-record.h"
#include "etws-chunked.h"
#include "etws-file-source.h"
#include "etws-store.h"

static const char *fixtures_dir;

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures_dir, name, NULL);
}

typedef struct
{
  GPtrArray *damage;
  GError    *finished_error;
  guint      drains;
  guint64    max_added_per_signal;
  guint      rows_added_signals;
} Watch;

static void
damage_cb (EtwsWorker   *worker,
           const GError *error,
           Watch        *w)
{
  g_ptr_array_add (w->damage, g_strdup (error->message));
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             Watch        *w)
{
  if (error != NULL)
    w->finished_error = g_error_copy (error);
}

static void
drained_cb (EtwsWorker *worker,
            Watch      *w)
{
  w->drains++;
}

static void
rows_added_cb (EtwsStore *store,
               guint64    first,
               guint64    n,
               Watch     *w)
{
  w->rows_added_signals++;
  w->max_added_per_signal = MAX (w->max_added_per_signal, n);
  g_assert_cmpuint (first + n, ==, etws_store_get_n_rows (store));
}

static EtwsStore *
load (const char *path,
      guint       max_queued,
      Watch      *w)
{
  g_autoptr(EtwsSource) source = etws_file_source_new (path);
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  EtwsStore *store = etws_store_new ();

  memset (w, 0, sizeof *w);
  w->damage = g_ptr_array_new_with_free_func (g_free);
  if (max_queued > 0)
    etws_worker_set_max_queued (worker, max_queued);
  g_signal_connect (worker, "damage", G_CALLBACK (damage_cb), w);
  g_signal_connect (worker, "finished", G_CALLBACK (finished_cb), w);
  g_signal_connect (worker, "drained", G_CALLBACK (drained_cb), w);
  g_signal_connect (store, "rows-added", G_CALLBACK (rows_added_cb), w);
  etws_store_attach (store, worker);
  etws_worker_start (worker);
  etws_worker_wait (worker);
  return store;
}

static void
watch_clear (Watch *w)
{
  g_clear_pointer (&w->damage, g_ptr_array_unref);
  g_clear_error (&w->finished_error);
}

/* Counts records the independent way: by walking the file with the reader. */
static void
count_records (const char *path,
               guint64    *records,
               guint64    *stack_walks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsTraceFile) tf = etws_trace_file_open (path, NULL, &error);
  EtlIter *it;
  EtwEvent ev;

  g_assert_no_error (error);
  *records = *stack_walks = 0;
  it = etl_iter_new (etws_trace_file_get_etl (tf), ETL_ORDER_FILE);
  while (etl_iter_next (it, &ev))
    {
      (*records)++;
      if (ev.kind != ETW_HDR_EVENT && ev.kind != ETW_HDR_CLASSIC && (ev.hook_id >> 8) == 0x18)
        (*stack_walks)++;
    }
  etl_iter_free (it);
}

static void
test_all_fixtures (void)
{
  static const char *names[] = {
    "airbus_AMSITrace.etl", "airbus_ShutdownPerfDiagLogger.etl", "airbus_lxcore_kernel.etl",
    "etwanalyzer_TraceLoggingTester.etl.gz", "krabsetw_powershell.etl",
    "perfview_diaghub.user_injected.1.etl", "perfview_gcevents_PerfViewData.etl",
    "perfview_net.4.5.2.x64.etl", "perfview_primitive-types.etl", "perfview_smallEtlFile.etl",
    "tx_HTTP_Server.etl", "tx_Process.etl", "tx_WsRm01.etl",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);
      g_autoptr(EtwsStore) store = NULL;
      g_autoptr(EtwsRecordReader) reader = NULL;
      guint64 records, stack_walks;
      Watch w;
      gint64 last = G_MININT64;

      count_records (path, &records, &stack_walks);
      store = load (path, 0, &w);
      g_test_message ("%s: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT
                      " stack walks, %u drains, %u rows-added",
                      names[i], records, stack_walks, w.drains, w.rows_added_signals);

      g_assert_no_error (w.finished_error);
      g_assert_cmpuint (w.damage->len, ==, 0);
      /* The row rule: every record is a row except StackWalk records
       * (opcodes 32–38), which are attached to their events. */
      g_assert_cmpuint (etws_store_get_events_seen (store), ==, records);
      g_assert_cmpuint (etws_store_get_stack_walks (store), ==, stack_walks);
      g_assert_cmpuint (etws_store_get_n_rows (store), ==, records - stack_walks);
      /* One rows-added per drain at most. */
      g_assert_cmpuint (w.rows_added_signals, <=, w.drains);
      g_assert_cmpuint (w.max_added_per_signal, >, 0);

      reader = etws_record_reader_new (etws_store_get_trace (store));
      for (guint64 r = 0; r < etws_store_get_n_rows (store); r++)
        {
          gint64 t = etws_store_get_time (store, r);
          g_assert_cmpint (t, >=, last);
          last = t;
          if (r % 97 == 0)
            {
              EtwEvent ev;
              g_assert_true (etws_store_read_event (store, reader, r, &ev));
              g_assert_cmpint (ev.time, ==, t);
              g_assert_cmpuint (ev.cpu, ==, etws_store_get_cpu (store, r));
            }
        }
      watch_clear (&w);
    }
}

/* Stacks: the rows that get one are exactly those a brute-force search
 * finds a StackWalk (32) or stack-key reference (37/38) for, plus events
 * carrying a STACK_TRACE item. */
static void
test_stacks (void)
{
  g_autofree char *path = fixture ("perfview_net.4.5.2.x64.etl");
  g_autoptr(EtwsTraceFile) tf = NULL;
  g_autoptr(EtwsStore) store = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) tids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) has = g_array_new (FALSE, TRUE, sizeof (guint8));
  g_autoptr(GError) error = NULL;
  guint64 expected = 0, with_stack = 0, frames_total = 0, unresolved_refs = 0;
  EtlIter *it;
  EtwEvent ev;
  Watch w;

  tf = etws_trace_file_open (path, NULL, &error);
  g_assert_no_error (error);
  it = etl_iter_new (etws_trace_file_get_etl (tf), ETL_ORDER_TIME);
  while (etl_iter_next (it, &ev))
    {
      gboolean walk = ev.kind != ETW_HDR_EVENT && (ev.hook_id >> 8) == 0x18;
      if (walk)
        {
          if (ev.opcode == 32 || ev.opcode == 37 || ev.opcode == 38)
            {
              gint64 ts = etw_rd_i64 (ev.payload);
              guint32 tid = etw_rd_u32 (ev.payload + 12);
              gboolean found = FALSE;
              for (guint j = times->len; j-- > 0 && times->len - j < 20000;)
                {
                  guint32 t = g_array_index (tids, guint32, j);
                  if (g_array_index (times, gint64, j) == ts && (t == tid || t == G_MAXUINT32))
                    {
                      g_array_index (has, guint8, j) = 1;
                      found = TRUE;
                      break;
                    }
                }
              if (!found)
                unresolved_refs++;
            }
          continue;
        }
      guint32 tid = ev.tid;
      guint8 own = ev.n_frames > 0;
      if (ev.kind == ETW_HDR_PERFINFO && ev.hook_id == 0x0F2E)
        tid = etw_rd_u32 (ev.payload + ev.pointer_size);
      g_array_append_val (times, ev.raw_time);
      g_array_append_val (tids, tid);
      g_array_append_val (has, own);
    }
  etl_iter_free (it);
  for (guint j = 0; j < has->len; j++)
    expected += g_array_index (has, guint8, j);

  store = load (path, 0, &w);
  for (guint64 r = 0; r < etws_store_get_n_rows (store); r++)
    {
      guint n = 0;
      etws_trace_stack (etws_store_get_trace (store), etws_store_get_stack (store, r), &n);
      if (n > 0)
        {
          with_stack++;
          frames_total += n;
        }
    }
  g_test_message ("%" G_GUINT64_FORMAT " rows with stacks, %" G_GUINT64_FORMAT " frames",
                  with_stack, frames_total);
  g_assert_cmpuint (unresolved_refs, ==, 0);
  g_assert_cmpuint (expected, >, 8000);
  g_assert_cmpuint (with_stack, ==, expected);
  watch_clear (&w);
}

/* Disk reads and writes name their file through a FileObject whose name
 * is only given by the FileRundown at the end of the trace: the names pass
 * lets them show their paths (without it 3 of 1,229 did). */
static void
test_rundown_names (void)
{
  g_autofree char *path = fixture ("perfview_net.4.5.2.x64.etl");
  g_autoptr(EtwsStore) store = NULL;
  guint64 disk_rw = 0, named = 0;
  Watch w;

  store = load (path, 0, &w);
  for (guint64 r = 0; r < etws_store_get_n_rows (store); r++)
    {
      const EtwsEventType *t = etws_store_get_event_type (store, r);
      const EtwsProvider *p = etws_trace_provider (etws_store_get_trace (store), t->provider);

      if (!etw_guid_equal (&p->guid, &ETW_GUID_DISKIO) || (t->opcode != 10 && t->opcode != 11))
        continue;
      disk_rw++;
      if (etws_store_get_path (store, r) != 0)
        named++;
    }
  g_test_message ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " disk reads/writes named",
                  named, disk_rw);
  g_assert_cmpuint (disk_rw, ==, 1208 + 21);
  g_assert_cmpuint (named, >=, disk_rw * 99 / 100);
  watch_clear (&w);
}

/* A damaged copy: the worker reports the offset, and the rows before the
 * damage are all there. */
static void
test_damage (void)
{
  g_autofree char *path = fixture ("airbus_ShutdownPerfDiagLogger.etl");
  g_autofree char *contents = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsStore) full = NULL, cut = NULL;
  gsize len;
  Watch w;
  int fd;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  fd = g_file_open_tmp ("etwscope-test-XXXXXX.etl", &tmp, &error);
  g_assert_no_error (error);
  close (fd);
  /* Cut in the middle of buffer 20 (64 KiB buffers). */
  g_file_set_contents (tmp, contents, 20 * 65536 + 3000, &error);
  g_assert_no_error (error);

  full = load (path, 0, &w);
  watch_clear (&w);
  cut = load (tmp, 0, &w);
  g_assert_no_error (w.finished_error);
  g_assert_cmpuint (w.damage->len, ==, 1);
  g_test_message ("%s", (char *) w.damage->pdata[0]);
  g_assert_nonnull (strstr (w.damage->pdata[0], "offset 1310720"));
  /* The 20 whole buffers survive, and so do the records of buffer 20 that
   * lie wholly before the cut: exactly those rows of the intact file. */
  g_assert_cmpuint (etws_store_get_n_rows (cut), >, 0);
  g_assert_cmpuint (etws_store_get_n_rows (cut), <, etws_store_get_n_rows (full));
  {
    g_autoptr(EtwsRecordReader) reader = etws_record_reader_new (etws_store_get_trace (full));
    guint64 before_cut = 0;
    for (guint64 r = 0; r < etws_store_get_n_rows (full); r++)
      {
        guint64 loc = etws_store_get_locator (full, r);
        guint32 buffer = (guint32) (loc >> 32), offset = (guint32) loc;
        EtwEvent ev;

        if (buffer < 20)
          before_cut++;
        else if (buffer == 20)
          {
            g_assert_true (etws_store_read_event (full, reader, r, &ev));
            if (offset + ev.record_len <= 3000)
              before_cut++;
          }
      }
    g_test_message ("%" G_GUINT64_FORMAT " rows before the cut", before_cut);
    g_assert_cmpuint (etws_store_get_n_rows (cut), ==, before_cut);
  }
  watch_clear (&w);
  g_unlink (tmp);
}

/* A file source waits for the UI instead of dropping: a queue of one batch
 * still delivers every row. */
static void
test_file_source_waits (void)
{
  g_autofree char *path = fixture ("perfview_net.4.5.2.x64.etl");
  g_autoptr(EtwsStore) store = NULL;
  Watch w;

  store = load (path, 1, &w);
  g_assert_cmpuint (etws_store_get_dropped (store), ==, 0);
  g_assert_cmpuint (etws_store_get_n_rows (store), ==, 179474 - 12280);
  watch_clear (&w);
}

/* A live source that outruns the UI: events are dropped and counted, and
 * what arrives plus what was dropped is what was pushed. */
#define TEST_TYPE_FLOOD (test_flood_get_type ())
G_DECLARE_FINAL_TYPE (TestFlood, test_flood, TEST, FLOOD, EtwsSource)

struct _TestFlood
{
  EtwsSource parent_instance;
  guint64    pushed;
  guint64    count;    /* events to push; 0 = 400,000 */
};

G_DEFINE_FINAL_TYPE (TestFlood, test_flood, ETWS_TYPE_SOURCE)

static EtwsTrace *
test_flood_open (EtwsSource    *source,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return etws_trace_new_live ("flood");
}

static gboolean
test_flood_run (EtwsSource    *source,
                EtwsSink      *sink,
                GCancellable  *cancellable,
                GError       **error)
{
  TestFlood *self = (TestFlood *) source;
  guint8 payload[16] = { 1, 2, 3, 4 };
  EtwEvent ev = { 0 };

  ev.kind = ETW_HDR_LIVE;
  ev.origin = ETW_ORIGIN_PERF;
  ev.pointer_size = 8;
  ev.payload = payload;
  ev.payload_len = sizeof payload;
  for (guint64 i = 0; i < (self->count > 0 ? self->count : 400000); i++)
    {
      ev.raw_time = (gint64) i;
      ev.time = 133000000000000000 + (gint64) i;
      ev.pid = (guint32) (i % 7);
      memcpy (payload + 8, &i, sizeof i);
      if (!etws_sink_push (sink, &ev))
        break;
      self->pushed++;
    }
  return TRUE;
}

static void
test_flood_class_init (TestFloodClass *klass)
{
  EtwsSourceClass *source_class = ETWS_SOURCE_CLASS (klass);

  source_class->open = test_flood_open;
  source_class->run = test_flood_run;
}

static void
test_flood_init (TestFlood *self)
{
}

static void
test_live_drops (void)
{
  g_autoptr(TestFlood) source = g_object_new (TEST_TYPE_FLOOD, "live", TRUE, NULL);
  g_autoptr(EtwsWorker) worker = etws_worker_new (ETWS_SOURCE (source));
  g_autoptr(EtwsStore) store = etws_store_new ();
  g_autoptr(EtwsRecordReader) reader = NULL;
  EtwEvent ev;

  etws_worker_set_max_queued (worker, 2);
  etws_store_attach (store, worker);
  etws_worker_start (worker);
  /* Do not drain for a while: the worker outruns us. */
  g_usleep (300 * 1000);
  etws_worker_wait (worker);

  g_test_message ("pushed %" G_GUINT64_FORMAT ", rows %" G_GUINT64_FORMAT ", dropped %"
                  G_GUINT64_FORMAT, source->pushed, etws_store_get_n_rows (store),
                  etws_store_get_dropped (store));
  g_assert_cmpuint (source->pushed, ==, 400000);
  g_assert_cmpuint (etws_store_get_dropped (store), >, 0);
  g_assert_cmpuint (etws_store_get_n_rows (store) + etws_store_get_dropped (store), ==, 400000);
  /* Live records come back from the arena. */
  reader = etws_record_reader_new (etws_store_get_trace (store));
  g_assert_true (etws_store_read_event (store, reader, etws_store_get_n_rows (store) - 1, &ev));
  g_assert_cmpuint (ev.payload_len, ==, 16);
  g_assert_cmpuint (ev.payload[3], ==, 4);
  g_assert_cmpint (ev.time, ==, etws_store_get_time (store, etws_store_get_n_rows (store) - 1));

  /* Dropped batches give their records back: each kept row reads its own
   * record (records of dropped rows were overwritten, not mixed in), and
   * the arena holds about the kept rows' records only. */
  {
    guint64 n = etws_store_get_n_rows (store);
    gsize rec_size = 0, memory = etws_trace_get_memory (etws_store_get_trace (store));

    for (guint64 r = 0; r < n; r++)
      {
        guint64 i;

        g_assert_true (etws_store_read_event (store, reader, r, &ev));
        memcpy (&i, ev.payload + 8, sizeof i);
        g_assert_cmpint (ev.time, ==, 133000000000000000 + (gint64) i);
        g_assert_cmpint (ev.time, ==, etws_store_get_time (store, r));
        rec_size = etw_record_size (&ev);
      }
    g_test_message ("trace memory %" G_GSIZE_FORMAT " B for %" G_GUINT64_FORMAT
                    " rows of %" G_GSIZE_FORMAT " B records", memory, n, rec_size);
    /* Two 4 MiB chunks of slack: the one being filled and one spare. */
    g_assert_cmpuint (memory, <=, n * rec_size + 2 * (4u << 20) + (1u << 20));
  }
}

/* A large drop-oldest cap drops its oldest eighth at once (each drop costs
 * the list view a relayout), never holding more than a chunk over the cap. */
typedef struct
{
  guint64 max_rows;
  guint64 min_removed;
  guint   n_removed;
} Drops;

static void
drops_removed_cb (EtwsStore *store,
                  guint64    count,
                  Drops     *d)
{
  d->n_removed++;
  d->min_removed = MIN (d->min_removed, count);
}

static void
drops_added_cb (EtwsStore *store,
                guint64    first,
                guint64    n,
                Drops     *d)
{
  d->max_rows = MAX (d->max_rows, etws_store_get_n_rows (store));
}

static void
test_drop_slack (void)
{
  g_autoptr(TestFlood) source = g_object_new (TEST_TYPE_FLOOD, "live", TRUE, NULL);
  g_autoptr(EtwsWorker) worker = etws_worker_new (ETWS_SOURCE (source));
  g_autoptr(EtwsStore) store = etws_store_new ();
  const guint64 cap = 16 * (guint64) ETWS_CHUNK_LEN;
  Drops d = { 0, G_MAXUINT64, 0 };

  source->count = 2 * cap;
  /* The viewer keeps up here: every event becomes a row. */
  etws_worker_set_max_queued (worker, 100000);
  etws_store_set_limit (store, cap, ETWS_LIMIT_DROP_OLDEST);
  g_signal_connect (store, "rows-removed", G_CALLBACK (drops_removed_cb), &d);
  g_signal_connect (store, "rows-added", G_CALLBACK (drops_added_cb), &d);
  etws_store_attach (store, worker);
  etws_worker_start (worker);
  etws_worker_wait (worker);

  g_test_message ("pushed %" G_GUINT64_FORMAT ", rows %" G_GUINT64_FORMAT ", first row %"
                  G_GUINT64_FORMAT ", most held %" G_GUINT64_FORMAT ", %u drops",
                  source->pushed, etws_store_get_n_rows (store),
                  etws_store_get_first_row (store), d.max_rows, d.n_removed);
  g_assert_cmpuint (etws_store_get_dropped (store), ==, 0);
  g_assert_cmpuint (etws_store_get_first_row (store) + etws_store_get_n_rows (store), ==, 2 * cap);
  g_assert_cmpuint (d.max_rows, <, cap + ETWS_CHUNK_LEN);
  /* Every drop took at least an eighth of the cap (two chunks), so half
   * as many drops as chunks dropped, at most. */
  g_assert_cmpuint (d.n_removed, >, 0);
  g_assert_cmpuint (d.min_removed, >=, cap / 8);
  g_assert_cmpuint (d.n_removed, <=, etws_store_get_first_row (store) / ETWS_CHUNK_LEN / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fixtures_dir = g_getenv ("ETWSCOPE_FIXTURES");
  g_assert_nonnull (fixtures_dir);

  g_test_add_func ("/worker/all-fixtures", test_all_fixtures);
  g_test_add_func ("/worker/stacks", test_stacks);
  g_test_add_func ("/worker/rundown-names", test_rundown_names);
  g_test_add_func ("/worker/damage", test_damage);
  g_test_add_func ("/worker/file-source-waits", test_file_source_waits);
  g_test_add_func ("/worker/live-drops", test_live_drops);
  g_test_add_func ("/worker/drop-slack", test_drop_slack);
  return g_test_run ();
}
