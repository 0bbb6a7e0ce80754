/* test-model.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EtwsEventModel and etws-sort on real fixtures, without a display. Every
 * items-changed is recorded as "position-removed+added" and compared with
 * what the store announced, in the manner of GTK's list model tests.
 */
#define G_LOG_DOMAIN "test-model"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "etws-event-model.h"
#include "etws-file-source.h"
#include "etws-sort.h"
#include "etws-store.h"

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");

  return g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR, name, NULL);
}

/* ---- the changes recorder ---- */

static GQuark changes_quark;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *changes)
{
  if (changes->len > 0)
    g_string_append (changes, ", ");
  g_string_append_printf (changes, "%u-%u+%u", position, removed, added);
}

static void
free_changes (gpointer data)
{
  GString *changes = data;

  /* Every change must have been looked at by the test. */
  g_assert_cmpstr (changes->str, ==, "");
  g_string_free (changes, TRUE);
}

static GString *
record_changes (GListModel *model)
{
  GString *changes = g_string_new (NULL);

  g_object_set_qdata_full (G_OBJECT (model), changes_quark, changes, free_changes);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), changes);
  return changes;
}

#define assert_changes(model, expected) G_STMT_START { \
  GString *_c = g_object_get_qdata (G_OBJECT (model), changes_quark); \
  g_assert_cmpstr (_c->str, ==, expected); \
  g_string_truncate (_c, 0); \
} G_STMT_END

static void
take_changes (GListModel *model,
              GString    *into)
{
  GString *c = g_object_get_qdata (G_OBJECT (model), changes_quark);

  g_string_assign (into, c->str);
  g_string_truncate (c, 0);
}

/* Positions in the model's front gap (rows the store dropped). */
static guint
model_gap (EtwsEventModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model)) - etws_event_model_get_n_shown (model);
}

/* ---- loading ---- */

typedef struct
{
  EtwsSource *source;
  EtwsWorker *worker;
  EtwsStore  *store;
  GString    *announced;  /* what the store's rows-added said */
  guint       drains;
} Load;

static void
rows_added_cb (EtwsStore *store,
               guint64    first,
               guint64    count,
               Load      *load)
{
  if (load->announced->len > 0)
    g_string_append (load->announced, ", ");
  g_string_append_printf (load->announced, "%" G_GUINT64_FORMAT "-0+%" G_GUINT64_FORMAT,
                          first, count);
}

static void
drained_cb (EtwsWorker *worker,
            Load       *load)
{
  load->drains++;
}

static void
load_start (Load       *load,
            const char *name)
{
  g_autofree char *path = fixture_path (name);

  memset (load, 0, sizeof *load);
  load->announced = g_string_new (NULL);
  load->source = etws_file_source_new (path);
  load->worker = etws_worker_new (load->source);
  load->store = etws_store_new ();
  etws_store_attach (load->store, load->worker);
  g_signal_connect (load->store, "rows-added", G_CALLBACK (rows_added_cb), load);
  g_signal_connect (load->worker, "drained", G_CALLBACK (drained_cb), load);
}

static void
load_run (Load *load)
{
  etws_worker_start (load->worker);
  etws_worker_wait (load->worker);
  g_assert_cmpuint (etws_store_get_n_rows (load->store), >, 0);
}

static void
load_clear (Load *load)
{
  g_assert_finalize_object (load->store);
  g_assert_finalize_object (load->worker);
  g_assert_finalize_object (load->source);
  g_string_free (load->announced, TRUE);
}

static guint32 *
model_rows (EtwsEventModel *model,
            guint          *n)
{
  guint len = g_list_model_get_n_items (G_LIST_MODEL (model));
  guint32 *v = g_new (guint32, MAX (len, 1));

  for (guint i = 0; i < len; i++)
    {
      guint64 idx = etws_event_model_get_store_index (model, i);
      g_assert_cmpuint (idx, <, G_MAXUINT32);
      v[i] = (guint32) idx;
    }
  *n = len;
  return v;
}

/* ---- tests ---- */

/* While a file loads, the model announces exactly what the store appends:
 * one append per drain, at the end. */
static void
test_model_follows_load (void)
{
  g_autoptr(EtwsEventModel) model = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  Load load;

  load_start (&load, "tx_Process.etl");
  model = etws_event_model_new (load.store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  record_changes (G_LIST_MODEL (model));
  load_run (&load);

  take_changes (G_LIST_MODEL (model), seen);
  g_assert_cmpstr (seen->str, ==, load.announced->str);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10344);
  /* One items-changed per drain that brought rows, never one per batch. */
  g_assert_cmpuint (load.drains, >=, 1);
  {
    guint commas = 0;
    for (const char *p = seen->str; *p; p++)
      commas += *p == ',';
    g_assert_cmpuint (commas + 1, <=, load.drains);
  }

  /* Items are made on demand and name their store row. */
  {
    g_autoptr(EtwsEventItem) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(EtwsEventItem) last = g_list_model_get_item (G_LIST_MODEL (model), 10343);
    g_autoptr(EtwsEventItem) again = g_list_model_get_item (G_LIST_MODEL (model), 0);

    g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (first, ETWS_TYPE_EVENT_ITEM));
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 10344));
    g_assert_cmpuint (etws_event_item_get_row (first), ==, 0);
    g_assert_cmpuint (etws_event_item_get_index (last), ==, 10343);
    g_assert_cmpuint (etws_event_item_get_position (last), ==, 10343);
    g_assert_true (etws_event_item_get_store (first) == load.store);
    g_assert_true (first != again);
  }
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == ETWS_TYPE_EVENT_ITEM);

  g_clear_object (&model);
  load_clear (&load);
}

static void
test_model_view (void)
{
  g_autoptr(EtwsEventModel) model = NULL;
  GArray *rows;
  guint32 pick[] = { 5, 3, 9, 99999999 };
  Load load;

  load_start (&load, "tx_Process.etl");
  load_run (&load);
  model = etws_event_model_new (load.store);
  record_changes (G_LIST_MODEL (model));

  rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_vals (rows, pick, G_N_ELEMENTS (pick));
  etws_event_model_set_view (model, rows);
  /* Indices past the end are dropped; the rest keep their order. */
  assert_changes (model, "0-10344+3");
  g_assert_true (etws_event_model_has_view (model));
  g_assert_cmpuint (etws_event_model_get_store_index (model, 0), ==, 5);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 1), ==, 3);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 2), ==, 9);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 3), ==, G_MAXUINT64);
  g_assert_cmpuint (etws_event_model_find_store_index (model, 9), ==, 2);
  g_assert_cmpuint (etws_event_model_find_store_index (model, 4), ==, G_MAXUINT);
  {
    g_autoptr(EtwsEventItem) item = g_list_model_get_item (G_LIST_MODEL (model), 1);
    g_assert_cmpuint (etws_event_item_get_row (item), ==, 3);
  }

  /* Sorting permutes the view's rows only. */
  etws_event_model_set_sort (model, ETWS_COLUMN_ROW, TRUE);
  assert_changes (model, "0-3+3");
  g_assert_cmpuint (etws_event_model_get_store_index (model, 0), ==, 9);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 1), ==, 5);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 2), ==, 3);

  /* A new view under an active sort comes sorted, in one change. */
  rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_vals (rows, (guint32[]) { 1, 7 }, 2);
  etws_event_model_set_view (model, rows);
  assert_changes (model, "0-3+2");
  g_assert_cmpuint (etws_event_model_get_store_index (model, 0), ==, 7);
  g_assert_cmpuint (etws_event_model_get_store_index (model, 1), ==, 1);

  etws_event_model_set_sort (model, ETWS_COLUMN_NONE, FALSE);
  assert_changes (model, "0-2+2");
  g_assert_cmpuint (etws_event_model_get_store_index (model, 0), ==, 1);

  /* An empty view is a view, not "all rows". */
  etws_event_model_set_view (model, g_array_new (FALSE, FALSE, sizeof (guint32)));
  assert_changes (model, "0-2+0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  etws_event_model_set_view (model, NULL);
  assert_changes (model, "0-0+10344");
  g_assert_false (etws_event_model_has_view (model));
  g_assert_cmpuint (etws_event_model_get_store_index (model, 10343), ==, 10343);

  g_clear_object (&model);
  load_clear (&load);
}

static gboolean
even_pid (EtwsStore *store,
          guint64    row,
          gpointer   data)
{
  guint *calls = data;

  (*calls)++;
  return etws_store_get_pid (store, row) % 2 == 0;
}

/* A view set before the rows arrive grows by the predicate, once per drain,
 * evaluating each new row exactly once. */
static void
test_model_row_filter (void)
{
  g_autoptr(EtwsEventModel) model = NULL;
  g_autoptr(EtwsEventModel) plain = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  guint calls = 0, expect = 0, n;
  g_autofree guint32 *shown = NULL;
  Load load;

  load_start (&load, "airbus_ShutdownPerfDiagLogger.etl");
  model = etws_event_model_new (load.store);
  plain = etws_event_model_new (load.store);
  etws_event_model_set_view (plain, g_array_new (FALSE, FALSE, sizeof (guint32)));
  etws_event_model_set_view (model, g_array_new (FALSE, FALSE, sizeof (guint32)));
  etws_event_model_set_row_filter (model, even_pid, &calls, NULL);
  record_changes (G_LIST_MODEL (model));
  load_run (&load);

  g_assert_cmpuint (calls, ==, etws_store_get_n_rows (load.store));
  /* Without a predicate, no new row joins a view. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (plain)), ==, 0);

  shown = model_rows (model, &n);
  for (guint64 r = 0; r < etws_store_get_n_rows (load.store); r++)
    if (etws_store_get_pid (load.store, r) % 2 == 0)
      {
        g_assert_cmpuint (expect, <, n);
        g_assert_cmpuint (shown[expect], ==, r);
        expect++;
      }
  g_assert_cmpuint (expect, ==, n);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, etws_store_get_n_rows (load.store));

  /* Every change was an append at the then end. */
  take_changes (G_LIST_MODEL (model), seen);
  {
    g_auto(GStrv) parts = g_strsplit (seen->str, ", ", -1);
    guint total = 0;
    for (guint i = 0; parts[i] != NULL; i++)
      {
        guint pos, removed, added;
        g_assert_cmpint (sscanf (parts[i], "%u-%u+%u", &pos, &removed, &added), ==, 3);
        g_assert_cmpuint (pos, ==, total);
        g_assert_cmpuint (removed, ==, 0);
        g_assert_cmpuint (added, >, 0);
        total += added;
      }
    g_assert_cmpuint (total, ==, n);
  }

  g_clear_object (&model);
  g_clear_object (&plain);
  load_clear (&load);
}

/* The reference order: a plain comparison of the column's values, ties
 * broken by the position in the input (a stable sort), independent of the
 * key extraction and radix passes under test. */
typedef struct
{
  EtwsStore     *store;
  EtwsColumn     column;
  gboolean       descending;
  const guint32 *rows;
} RefSort;

static int
ref_text_cmp (const char *a,
              const char *b)
{
  int r = g_ascii_strcasecmp (a, b);
  return r != 0 ? r : strcmp (a, b);
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int
ref_compare_rows (RefSort *rs,
                  guint32  a,
                  guint32  b)
{
  EtwsStore *s = rs->store;
  EtwsTrace *t = etws_store_get_trace (s);

  switch (rs->column)
    {
    case ETWS_COLUMN_ROW: return CMP (a, b);
    case ETWS_COLUMN_TIME: return CMP (etws_store_get_time (s, a), etws_store_get_time (s, b));
    case ETWS_COLUMN_CPU: return CMP (etws_store_get_cpu (s, a), etws_store_get_cpu (s, b));
    case ETWS_COLUMN_PID: return CMP (etws_store_get_pid (s, a), etws_store_get_pid (s, b));
    case ETWS_COLUMN_TID: return CMP (etws_store_get_tid (s, a), etws_store_get_tid (s, b));
    case ETWS_COLUMN_PROCESS:
      return ref_text_cmp (etws_store_get_string (s, etws_store_get_process (s, a)),
                           etws_store_get_string (s, etws_store_get_process (s, b)));
    case ETWS_COLUMN_PATH:
      return ref_text_cmp (etws_store_get_string (s, etws_store_get_path (s, a)),
                           etws_store_get_string (s, etws_store_get_path (s, b)));
    case ETWS_COLUMN_RESULT:
      return ref_text_cmp (etws_store_get_string (s, etws_store_get_result (s, a)),
                           etws_store_get_string (s, etws_store_get_result (s, b)));
    case ETWS_COLUMN_PROVIDER:
      return ref_text_cmp (etws_trace_provider (t, etws_store_get_event_type (s, a)->provider)->name,
                           etws_trace_provider (t, etws_store_get_event_type (s, b)->provider)->name);
    case ETWS_COLUMN_EVENT:
      {
        g_autoptr(GString) la = g_string_new (NULL);
        g_autoptr(GString) lb = g_string_new (NULL);
        etws_event_type_label (t, etws_store_get_etype (s, a), la);
        etws_event_type_label (t, etws_store_get_etype (s, b), lb);
        return ref_text_cmp (la->str, lb->str);
      }
    case ETWS_COLUMN_DETAIL:
    case ETWS_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  return 0;
}

static int
ref_compare (gconstpointer pa,
             gconstpointer pb,
             gpointer      data)
{
  RefSort *rs = data;
  guint32 ia = *(const guint32 *) pa, ib = *(const guint32 *) pb;
  int c = ref_compare_rows (rs, rs->rows[ia], rs->rows[ib]);

  if (rs->descending)
    c = -c;
  return c != 0 ? c : CMP (ia, ib);
}

static GArray *
ref_sort (EtwsStore     *store,
          const guint32 *rows,
          guint          n,
          EtwsColumn     column,
          gboolean       descending)
{
  GArray *a = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  RefSort rs = { store, column, descending, rows };

  for (guint32 i = 0; i < n; i++)
    g_array_append_val (a, i);
  g_array_sort_with_data (a, ref_compare, &rs);
  for (guint i = 0; i < n; i++)
    g_array_index (a, guint32, i) = rows[g_array_index (a, guint32, i)];
  return a;
}

static void
assert_same_rows (GArray *a,
                  GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, guint32, i) != g_array_index (b, guint32, i))
      g_error ("position %u: %u != %u", i, g_array_index (a, guint32, i),
               g_array_index (b, guint32, i));
}

/* Every sortable column, both directions, over all rows and over a
 * shuffled view, matches the reference order exactly (ties included). */
static void
test_sort_matches_reference (void)
{
  g_autofree guint32 *all = NULL;
  g_autofree guint32 *shuffled = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  guint n, n_view;
  Load load;

  load_start (&load, "perfview_net.4.5.2.x64.etl");
  load_run (&load);
  n = (guint) etws_store_get_n_rows (load.store);
  g_assert_cmpuint (n, ==, 167194);

  all = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    all[i] = i;
  /* A view of every third row, shuffled. */
  n_view = n / 3;
  shuffled = g_new (guint32, n_view);
  for (guint i = 0; i < n_view; i++)
    shuffled[i] = 3 * i;
  for (guint i = n_view; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, (gint32) i);
      guint32 t = shuffled[i - 1];
      shuffled[i - 1] = shuffled[j];
      shuffled[j] = t;
    }

  for (EtwsColumn c = 0; c < ETWS_N_COLUMNS; c++)
    {
      if (!etws_column_is_sortable (c))
        continue;
      for (int desc = 0; desc <= 1; desc++)
        {
          g_autoptr(GArray) got = etws_sort_rows (load.store, NULL, 0, c, desc, NULL);
          g_autoptr(GArray) want = ref_sort (load.store, all, n, c, desc);
          g_autoptr(GArray) got_view = etws_sort_rows (load.store, shuffled, n_view, c, desc, NULL);
          g_autoptr(GArray) want_view = ref_sort (load.store, shuffled, n_view, c, desc);

          g_test_message ("column %s %s", etws_column_get_id (c), desc ? "desc" : "asc");
          assert_same_rows (got, want);
          assert_same_rows (got_view, want_view);
        }
    }
  g_assert_false (etws_column_is_sortable (ETWS_COLUMN_DETAIL));
  load_clear (&load);
}

/* Equal keys keep the input order, here the reverse of the store's. */
static void
test_sort_stable (void)
{
  guint n;
  g_autofree guint32 *rev = NULL;
  g_autoptr(GArray) got = NULL;
  Load load;

  load_start (&load, "tx_Process.etl");
  load_run (&load);
  n = (guint) etws_store_get_n_rows (load.store);
  rev = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    rev[i] = n - 1 - i;

  got = etws_sort_rows (load.store, rev, n, ETWS_COLUMN_PID, FALSE, NULL);
  for (guint i = 1; i < n; i++)
    {
      guint32 a = g_array_index (got, guint32, i - 1), b = g_array_index (got, guint32, i);
      guint32 pa = etws_store_get_pid (load.store, a), pb = etws_store_get_pid (load.store, b);
      g_assert_cmpuint (pa, <=, pb);
      if (pa == pb)
        g_assert_cmpuint (a, >, b);  /* the input was in reverse order */
    }
  load_clear (&load);
}

static void
sorting_notify_cb (GObject    *object,
                   GParamSpec *pspec,
                   guint      *flips)
{
  (*flips)++;
}

/* Above the synchronous limit the sort runs on a thread; the result comes
 * in one change and equals the synchronous sort. */
static void
test_model_async_sort (void)
{
  g_autoptr(EtwsEventModel) model = NULL;
  g_autoptr(GArray) want = NULL;
  g_autofree guint32 *shown = NULL;
  g_autofree char *expect = NULL;
  guint flips = 0, n;
  Load load;

  load_start (&load, "etwanalyzer_TraceLoggingTester.etl.gz");
  load_run (&load);
  n = (guint) etws_store_get_n_rows (load.store);
  g_assert_cmpuint (n, >, ETWS_EVENT_MODEL_SYNC_SORT_MAX);

  model = etws_event_model_new (load.store);
  record_changes (G_LIST_MODEL (model));
  g_signal_connect (model, "notify::sorting", G_CALLBACK (sorting_notify_cb), &flips);
  etws_event_model_set_sort (model, ETWS_COLUMN_PROVIDER, TRUE);
  g_assert_true (etws_event_model_is_sorting (model));
  assert_changes (model, "");
  while (etws_event_model_is_sorting (model))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (flips, ==, 2);
  expect = g_strdup_printf ("0-%u+%u", n, n);
  assert_changes (model, expect);

  want = etws_sort_rows (load.store, NULL, 0, ETWS_COLUMN_PROVIDER, TRUE, NULL);
  shown = model_rows (model, &n);
  g_assert_cmpuint (n, ==, want->len);
  g_assert_cmpmem (shown, n * sizeof (guint32), want->data, want->len * sizeof (guint32));
  g_assert_cmpint (etws_event_model_get_sort_column (model), ==, ETWS_COLUMN_PROVIDER);
  g_assert_true (etws_event_model_get_sort_descending (model));

  /* A newer request wins over one still running. */
  etws_event_model_set_sort (model, ETWS_COLUMN_TID, FALSE);
  etws_event_model_set_sort (model, ETWS_COLUMN_TIME, FALSE);
  while (etws_event_model_is_sorting (model))
    g_main_context_iteration (NULL, TRUE);
  assert_changes (model, expect);
  g_clear_pointer (&want, g_array_unref);
  g_clear_pointer (&shown, g_free);
  want = etws_sort_rows (load.store, NULL, 0, ETWS_COLUMN_TIME, FALSE, NULL);
  shown = model_rows (model, &n);
  g_assert_cmpmem (shown, n * sizeof (guint32), want->data, want->len * sizeof (guint32));

  /* A cancelled sort's thread keeps the model until it has returned. */
  {
    EtwsEventModel *weak = model;
    g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
    g_clear_object (&model);
    while (weak != NULL)
      g_main_context_iteration (NULL, TRUE);
  }
  load_clear (&load);
}

static guint
count_parts (const char *s)
{
  guint n = *s != '\0';

  for (; *s; s++)
    n += *s == ',';
  return n;
}

/* Sorted before the rows arrive: each drain's rows are merged into place,
 * and the end result is the sorted order of all rows (a number column and
 * a text column). */
static void
test_model_sorted_while_loading (void)
{
  static const struct { EtwsColumn column; gboolean descending; } sorts[] = {
    { ETWS_COLUMN_TID, TRUE },
    { ETWS_COLUMN_EVENT, FALSE },
    { ETWS_COLUMN_PROCESS, TRUE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (sorts); k++)
    {
      g_autoptr(EtwsEventModel) model = NULL;
      g_autoptr(GArray) want = NULL;
      g_autoptr(GString) seen = g_string_new (NULL);
      g_autofree guint32 *shown = NULL;
      guint n;
      Load load;

      load_start (&load, "airbus_ShutdownPerfDiagLogger.etl");
      etws_worker_set_max_queued (load.worker, 1);
      model = etws_event_model_new (load.store);
      etws_event_model_set_sort (model, sorts[k].column, sorts[k].descending);
      record_changes (G_LIST_MODEL (model));
      load_run (&load);

      want = etws_sort_rows (load.store, NULL, 0, sorts[k].column, sorts[k].descending, NULL);
      shown = model_rows (model, &n);
      g_assert_cmpuint (n, ==, etws_store_get_n_rows (load.store));
      g_assert_cmpmem (shown, n * sizeof (guint32), want->data, want->len * sizeof (guint32));

      /* One change per drain with rows; each ends at the new end. */
      take_changes (G_LIST_MODEL (model), seen);
      {
        g_auto(GStrv) parts = g_strsplit (seen->str, ", ", -1);
        guint total = 0;
        for (guint i = 0; parts[i] != NULL; i++)
          {
            guint pos, removed, added;
            g_assert_cmpint (sscanf (parts[i], "%u-%u+%u", &pos, &removed, &added), ==, 3);
            g_assert_cmpuint (pos + removed, ==, total);
            g_assert_cmpuint (added, >, removed);
            total = pos + added;
          }
        g_assert_cmpuint (total, ==, n);
        /* As many changes as the store announced appends. */
        g_assert_cmpuint (g_strv_length (parts), ==, count_parts (load.announced->str));
      }

      g_clear_object (&model);
      load_clear (&load);
    }
}

static gboolean
even_row (EtwsStore *store,
          guint64    row,
          gpointer   data)
{
  return (etws_store_get_first_row (store) + row) % 2 == 0;
}

/* A capped store drops its oldest rows (whole chunks of 65,536): every
 * model follows, with indices shifted and global row numbers kept. */
static void
test_model_drop_oldest (void)
{
  g_autoptr(EtwsEventModel) all = NULL;
  g_autoptr(EtwsEventModel) even = NULL;
  g_autoptr(EtwsEventModel) sorted = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GArray) want = NULL;
  g_autofree guint32 *shown = NULL;
  guint64 first, n;
  guint n_shown, expect_even = 0;
  Load load;

  load_start (&load, "etwanalyzer_TraceLoggingTester.etl.gz");
  etws_store_set_limit (load.store, 70000, ETWS_LIMIT_DROP_OLDEST);
  all = etws_event_model_new (load.store);
  even = etws_event_model_new (load.store);
  etws_event_model_set_view (even, g_array_new (FALSE, FALSE, sizeof (guint32)));
  etws_event_model_set_row_filter (even, even_row, NULL, NULL);
  sorted = etws_event_model_new (load.store);
  etws_event_model_set_sort (sorted, ETWS_COLUMN_TID, FALSE);
  record_changes (G_LIST_MODEL (all));
  load_run (&load);

  first = etws_store_get_first_row (load.store);
  n = etws_store_get_n_rows (load.store);
  g_assert_cmpuint (first, ==, 65536);
  g_assert_cmpuint (first + n, ==, 172716);

  /* In store order the dropped rows stay as a gap at the front (up to
   * twice the rows left), told by no removal: positions hold. */
  take_changes (G_LIST_MODEL (all), seen);
  g_test_message ("%s", seen->str);
  g_assert_null (strstr (seen->str, "0-65536"));
  g_assert_cmpuint (model_gap (all), ==, 65536);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 65536 + n);
  g_assert_cmpuint (etws_event_model_get_n_shown (all), ==, n);
  {
    g_autoptr(EtwsEventItem) gone = g_list_model_get_item (G_LIST_MODEL (all), 65535);
    g_autoptr(EtwsEventItem) item = g_list_model_get_item (G_LIST_MODEL (all), 65536);
    g_assert_cmpuint (etws_event_item_get_row (gone), ==, first - 1);
    g_assert_cmpuint (etws_event_item_get_index (gone), ==, G_MAXUINT64);
    g_assert_cmpuint (etws_event_model_get_store_index (all, 65535), ==, G_MAXUINT64);
    g_assert_cmpuint (etws_event_item_get_row (item), ==, first);
    g_assert_cmpuint (etws_event_item_get_index (item), ==, 0);
    g_assert_cmpuint (etws_event_model_get_store_index (all, 65536), ==, 0);
    g_assert_cmpuint (etws_event_model_find_store_index (all, 0), ==, 65536);
    g_assert_cmpuint (etws_event_model_find_store_index (all, n - 1), ==, 65536 + n - 1);
    g_assert_cmpuint (etws_event_model_find_store_index (all, n), ==, G_MAXUINT);
  }

  shown = model_rows (even, &n_shown);
  for (guint64 r = 0; r < n; r++)
    if ((first + r) % 2 == 0)
      {
        g_assert_cmpuint (expect_even, <, n_shown);
        g_assert_cmpuint (shown[expect_even], ==, r);
        expect_even++;
      }
  g_assert_cmpuint (expect_even, ==, n_shown);
  g_clear_pointer (&shown, g_free);

  want = etws_sort_rows (load.store, NULL, 0, ETWS_COLUMN_TID, FALSE, NULL);
  shown = model_rows (sorted, &n_shown);
  g_assert_cmpuint (n_shown, ==, want->len);
  g_assert_cmpmem (shown, n_shown * sizeof (guint32), want->data, want->len * sizeof (guint32));

  /* A filter (a view) replaces everything and closes the gap. */
  etws_event_model_set_view (all, NULL);
  g_assert_cmpuint (model_gap (all), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, n);
  g_string_truncate (seen, 0);
  take_changes (G_LIST_MODEL (all), seen);
  g_assert_cmpstr (seen->str, ==, "0-172716+107180");

  g_clear_object (&all);
  g_clear_object (&even);
  g_clear_object (&sorted);
  load_clear (&load);
}

/* A gap longer than twice the rows left is told at once, as one removal. */
static void
test_model_gap_closes (void)
{
  g_autoptr(EtwsEventModel) all = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  guint64 n;
  Load load;

  load_start (&load, "etwanalyzer_TraceLoggingTester.etl.gz");
  etws_store_set_limit (load.store, 20000, ETWS_LIMIT_DROP_OLDEST);
  all = etws_event_model_new (load.store);
  record_changes (G_LIST_MODEL (all));
  load_run (&load);

  n = etws_store_get_n_rows (load.store);
  take_changes (G_LIST_MODEL (all), seen);
  g_test_message ("%s", seen->str);
  g_assert_cmpuint (etws_store_get_first_row (load.store), ==, 131072);
  g_assert_nonnull (strstr (seen->str, "0-65536+0"));
  g_assert_cmpuint (model_gap (all), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, n);
  {
    g_autoptr(EtwsEventItem) item = g_list_model_get_item (G_LIST_MODEL (all), 0);
    g_assert_cmpuint (etws_event_item_get_row (item), ==, 131072);
    g_assert_cmpuint (etws_event_item_get_index (item), ==, 0);
  }
  g_clear_object (&all);
  load_clear (&load);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  changes_quark = g_quark_from_static_string ("changes");

  g_test_add_func ("/model/follows-load", test_model_follows_load);
  g_test_add_func ("/model/view", test_model_view);
  g_test_add_func ("/model/row-filter", test_model_row_filter);
  g_test_add_func ("/model/async-sort", test_model_async_sort);
  g_test_add_func ("/model/sorted-while-loading", test_model_sorted_while_loading);
  g_test_add_func ("/model/drop-oldest", test_model_drop_oldest);
  g_test_add_func ("/model/gap-closes", test_model_gap_closes);
  g_test_add_func ("/sort/matches-reference", test_sort_matches_reference);
  g_test_add_func ("/sort/stable", test_sort_stable);
  return g_test_run ();
}
