/* etws-sort.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-sort"

#include "config.h"

#include "etws-sort.h"

#include <string.h>

static const char *const column_ids[ETWS_N_COLUMNS] = {
  "row", "time", "cpu", "process", "pid", "tid", "provider", "event", "path", "result", "detail",
};

const char *
etws_column_get_id (EtwsColumn column)
{
  g_return_val_if_fail ((guint) column < ETWS_N_COLUMNS, NULL);
  return column_ids[column];
}

EtwsColumn
etws_column_from_id (const char *id)
{
  for (guint i = 0; i < ETWS_N_COLUMNS; i++)
    if (g_strcmp0 (id, column_ids[i]) == 0)
      return (EtwsColumn) i;
  return ETWS_COLUMN_NONE;
}

gboolean
etws_column_is_sortable (EtwsColumn column)
{
  return (guint) column < ETWS_N_COLUMNS && column != ETWS_COLUMN_DETAIL;
}

void
etws_event_type_label (EtwsTrace *trace,
                       guint16    etype,
                       GString   *out)
{
  const EtwsEventType *type = etws_trace_event_type (trace, etype);
  const char *name;

  if (type == NULL)
    return;
  name = etws_trace_string (trace, type->name);
  if (name != NULL && *name != '\0')
    g_string_append (out, name);
  else if (type->id != 0)
    g_string_append_printf (out, "Id %u", type->id);
  else
    g_string_append_printf (out, "Opcode %u", type->opcode);
}

/* Windows names compare case-insensitively; ties fall back to bytes so the
 * order is total. */
static int
compare_text (const char *a,
              const char *b)
{
  int r = g_ascii_strcasecmp (a != NULL ? a : "", b != NULL ? b : "");

  return r != 0 ? r : g_strcmp0 (a, b);
}

typedef struct
{
  guint32     id;
  const char *text;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  return compare_text (((const Ranked *) a)->text, ((const Ranked *) b)->text);
}

/* rank[id] for the ids marked in used[0 … n-1]; equal texts share a rank.
 * The sort runs over distinct ids, never over rows. */
static guint32 *
rank_ids (const guint8 *used,
          guint         n,
          const char *(*text_of) (gpointer data, guint32 id),
          gpointer      data)
{
  g_autofree Ranked *list = NULL;
  guint32 *rank = g_new0 (guint32, MAX (n, 1));
  g_autoptr(GStringChunk) texts = g_string_chunk_new (4096);
  guint k = 0;
  guint32 r = 0;

  for (guint i = 0; i < n; i++)
    k += used[i] != 0;
  list = g_new (Ranked, MAX (k, 1));
  k = 0;
  for (guint i = 0; i < n; i++)
    if (used[i])
      {
        list[k].id = i;
        list[k].text = g_string_chunk_insert_const (texts, text_of (data, i));
        k++;
      }
  qsort (list, k, sizeof *list, compare_ranked);
  for (guint i = 0; i < k; i++)
    {
      if (i > 0 && compare_text (list[i - 1].text, list[i].text) != 0)
        r++;
      rank[list[i].id] = r;
    }
  return rank;
}

typedef struct
{
  EtwsTrace *trace;
  GString   *buf;
} TextCtx;

static const char *
string_text (gpointer data,
             guint32  id)
{
  TextCtx *ctx = data;

  return etws_trace_string (ctx->trace, id);
}

static const char *
event_text (gpointer data,
            guint32  etype)
{
  TextCtx *ctx = data;

  g_string_truncate (ctx->buf, 0);
  etws_event_type_label (ctx->trace, (guint16) etype, ctx->buf);
  return ctx->buf->str;
}

static const char *
provider_text (gpointer data,
               guint32  etype)
{
  TextCtx *ctx = data;
  const EtwsEventType *type = etws_trace_event_type (ctx->trace, (guint16) etype);
  const EtwsProvider *p = type != NULL ? etws_trace_provider (ctx->trace, type->provider) : NULL;

  return p != NULL ? p->name : "";
}

static guint32
row_u32 (EtwsStore  *store,
         EtwsColumn  column,
         guint64     i)
{
  switch (column)
    {
    case ETWS_COLUMN_ROW: return (guint32) i;
    case ETWS_COLUMN_CPU: return etws_store_get_cpu (store, i);
    case ETWS_COLUMN_PID: return etws_store_get_pid (store, i);
    case ETWS_COLUMN_TID: return etws_store_get_tid (store, i);
    case ETWS_COLUMN_PROCESS: return etws_store_get_process (store, i);
    case ETWS_COLUMN_PATH: return etws_store_get_path (store, i);
    case ETWS_COLUMN_RESULT: return etws_store_get_result (store, i);
    case ETWS_COLUMN_PROVIDER:
    case ETWS_COLUMN_EVENT: return etws_store_get_etype (store, i);
    case ETWS_COLUMN_TIME:
    case ETWS_COLUMN_DETAIL:
    case ETWS_N_COLUMNS:
    default:
      return 0;
    }
}

static gboolean
column_is_string (EtwsColumn column)
{
  return column == ETWS_COLUMN_PROCESS || column == ETWS_COLUMN_PATH ||
         column == ETWS_COLUMN_RESULT || column == ETWS_COLUMN_PROVIDER ||
         column == ETWS_COLUMN_EVENT;
}

/* The extracted keys. Narrow keys (≤ 32 bits) are packed with the row as
 * key << 32 | row; time keys are 64 bits wide and kept beside the rows. */
typedef struct
{
  gboolean  wide;
  gsize     n;
  guint64  *keys;   /* packed (narrow) or the keys (wide) */
  guint32  *rows;   /* wide only */
} Keys;

static void
keys_clear (Keys *k)
{
  g_clear_pointer (&k->keys, g_free);
  g_clear_pointer (&k->rows, g_free);
}

static inline guint32
input_row (const guint32 *rows,
           gsize          i)
{
  return rows != NULL ? rows[i] : (guint32) i;
}

static gboolean
extract_keys (EtwsStore     *store,
              const guint32 *rows,
              gsize          n,
              EtwsColumn     column,
              gboolean       descending,
              GCancellable  *cancellable,
              Keys          *out)
{
  EtwsTrace *trace = etws_store_get_trace (store);
  g_autofree guint32 *rank = NULL;

  memset (out, 0, sizeof *out);
  out->n = n;

  if (column == ETWS_COLUMN_TIME)
    {
      out->wide = TRUE;
      out->keys = g_new (guint64, MAX (n, 1));
      out->rows = g_new (guint32, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        {
          guint32 r = input_row (rows, i);
          /* Flip the sign bit so that signed order becomes unsigned order. */
          guint64 k = (guint64) etws_store_get_time (store, r) ^ G_GUINT64_CONSTANT (0x8000000000000000);
          out->keys[i] = descending ? ~k : k;
          out->rows[i] = r;
        }
      return TRUE;
    }

  if (column_is_string (column) && trace != NULL)
    {
      /* Rank only the ids these rows use: every one of them was published
       * with its row, so reading their text from this thread is safe. */
      g_autoptr(GString) buf = g_string_new (NULL);
      g_autofree guint8 *used = NULL;
      TextCtx ctx = { trace, buf };
      guint32 max_id = 0;

      for (gsize i = 0; i < n; i++)
        max_id = MAX (max_id, row_u32 (store, column, input_row (rows, i)));
      if (max_id >= G_MAXUINT32)
        return FALSE;
      used = g_new0 (guint8, (gsize) max_id + 1);
      for (gsize i = 0; i < n; i++)
        used[row_u32 (store, column, input_row (rows, i))] = 1;
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      if (column == ETWS_COLUMN_EVENT)
        rank = rank_ids (used, max_id + 1, event_text, &ctx);
      else if (column == ETWS_COLUMN_PROVIDER)
        rank = rank_ids (used, max_id + 1, provider_text, &ctx);
      else
        rank = rank_ids (used, max_id + 1, string_text, &ctx);
    }

  out->keys = g_new (guint64, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      guint32 r = input_row (rows, i);
      guint32 k = row_u32 (store, column, r);

      if (rank != NULL)
        k = rank[k];
      if (descending)
        k = G_MAXUINT32 - k;
      out->keys[i] = (guint64) k << 32 | r;
    }
  return TRUE;
}

static gboolean
is_sorted (const guint64 *keys,
           gsize          n,
           guint64        mask)
{
  for (gsize i = 1; i < n; i++)
    if ((keys[i - 1] & mask) > (keys[i] & mask))
      return FALSE;
  return TRUE;
}

/* LSD radix sort, one byte per pass, over bytes [lo, hi] of the keys.
 * Histograms for all passes come from one read; a byte that is the same
 * in every key costs nothing. Stable, so equal keys keep input order. */
static gboolean
radix_sort (Keys         *k,
            guint         lo,
            guint         hi,
            GCancellable *cancellable)
{
  g_autofree gsize *counts = g_new0 (gsize, 8 * 256);
  g_autofree guint64 *tmp_keys = NULL;
  g_autofree guint32 *tmp_rows = NULL;
  guint64 *src_k = k->keys, *dst_k;
  guint32 *src_r = k->rows, *dst_r = NULL;
  gsize n = k->n;

  for (gsize i = 0; i < n; i++)
    {
      guint64 v = src_k[i];
      for (guint b = lo; b <= hi; b++)
        counts[b * 256 + ((v >> (8 * b)) & 0xff)]++;
    }

  tmp_keys = g_new (guint64, MAX (n, 1));
  dst_k = tmp_keys;
  if (k->wide)
    {
      tmp_rows = g_new (guint32, MAX (n, 1));
      dst_r = tmp_rows;
    }

  for (guint b = lo; b <= hi; b++)
    {
      gsize *c = counts + b * 256;
      gsize pos = 0;
      gboolean trivial = FALSE;

      for (guint d = 0; d < 256; d++)
        {
          gsize cnt = c[d];
          if (cnt == n)
            trivial = TRUE;
          c[d] = pos;
          pos += cnt;
        }
      if (trivial)
        continue;
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;

      if (k->wide)
        {
          for (gsize i = 0; i < n; i++)
            {
              gsize to = c[(src_k[i] >> (8 * b)) & 0xff]++;
              dst_k[to] = src_k[i];
              dst_r[to] = src_r[i];
            }
          { guint32 *t = src_r; src_r = dst_r; dst_r = t; }
        }
      else
        {
          for (gsize i = 0; i < n; i++)
            dst_k[c[(src_k[i] >> (8 * b)) & 0xff]++] = src_k[i];
        }
      { guint64 *t = src_k; src_k = dst_k; dst_k = t; }
    }

  /* Keep the result in the arrays Keys owns. */
  if (src_k != k->keys)
    {
      g_free (k->keys);
      k->keys = g_steal_pointer (&tmp_keys);
      if (k->wide)
        {
          g_free (k->rows);
          k->rows = g_steal_pointer (&tmp_rows);
        }
    }
  return TRUE;
}

static gboolean
sort_keys (Keys         *k,
           GCancellable *cancellable)
{
  if (k->wide)
    {
      if (is_sorted (k->keys, k->n, G_MAXUINT64))
        return TRUE;
      return radix_sort (k, 0, 7, cancellable);
    }
  if (is_sorted (k->keys, k->n, G_GUINT64_CONSTANT (0xffffffff00000000)))
    return TRUE;
  return radix_sort (k, 4, 7, cancellable);
}

static GArray *
keys_to_rows (Keys *k)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) k->n);
  guint32 *dst;

  g_array_set_size (out, (guint) k->n);
  dst = (guint32 *) (gpointer) out->data;
  if (k->wide)
    memcpy (dst, k->rows, k->n * sizeof (guint32));
  else
    for (gsize i = 0; i < k->n; i++)
      dst[i] = (guint32) k->keys[i];
  return out;
}

GArray *
etws_sort_rows (EtwsStore     *store,
                const guint32 *rows,
                guint          n_rows,
                EtwsColumn     column,
                gboolean       descending,
                GCancellable  *cancellable)
{
  Keys k;
  GArray *out = NULL;

  g_return_val_if_fail (ETWS_IS_STORE (store), NULL);
  g_return_val_if_fail (etws_column_is_sortable (column), NULL);

  if (rows == NULL)
    n_rows = (guint) MIN (etws_store_get_n_rows (store), G_MAXUINT32);
  if (extract_keys (store, rows, n_rows, column, descending, cancellable, &k) &&
      sort_keys (&k, cancellable))
    out = keys_to_rows (&k);
  keys_clear (&k);
  return out;
}

typedef struct
{
  EtwsStore  *store;     /* kept alive by the outer task */
  guint32    *rows;
  guint       n_rows;
  EtwsColumn  column;
  gboolean    descending;
} SortTask;

static void
sort_task_free (SortTask *st)
{
  g_free (st->rows);
  g_free (st);
}

static void
sort_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SortTask *st = task_data;
  GArray *sorted = etws_sort_rows (st->store, st->rows, st->n_rows, st->column,
                                   st->descending, cancellable);

  if (sorted == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Sorting was cancelled");
  else
    g_task_return_pointer (task, sorted, (GDestroyNotify) g_array_unref);
}

/* Back on the caller's thread: the store may drop rows again. */
static void
sort_thread_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GArray *sorted;

  etws_store_release (g_task_get_source_object (task));
  sorted = g_task_propagate_pointer (G_TASK (result), &error);
  if (sorted == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sorted, (GDestroyNotify) g_array_unref);
}

void
etws_sort_rows_async (EtwsStore           *store,
                      const guint32       *rows,
                      guint                n_rows,
                      EtwsColumn           column,
                      gboolean             descending,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) inner = NULL;
  SortTask *st;

  g_return_if_fail (ETWS_IS_STORE (store));
  g_return_if_fail (etws_column_is_sortable (column));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, etws_sort_rows_async);

  st = g_new0 (SortTask, 1);
  st->store = store;
  st->column = column;
  st->descending = descending;
  if (rows != NULL)
    {
      st->rows = g_memdup2 (rows, (gsize) n_rows * sizeof (guint32));
      st->n_rows = n_rows;
    }
  else
    {
      st->n_rows = (guint) MIN (etws_store_get_n_rows (store), G_MAXUINT32);
    }

  /* The thread reads the columns: a live store's row cap must not free
   * chunks under it until the sort is done. The inner task holds no
   * reference to the store, so that the store is never finalized on the
   * sorting thread (a GTask may be dropped there last). */
  etws_store_hold (store);
  inner = g_task_new (NULL, cancellable, sort_thread_done_cb, task);
  g_task_set_task_data (inner, st, (GDestroyNotify) sort_task_free);
  g_task_run_in_thread (inner, sort_thread);
}

GArray *
etws_sort_rows_finish (EtwsStore     *store,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Row order for a merge of a few new rows: compares the values themselves,
 * which is fine for the handful of rows one drain brings. */
static int
compare_rows (EtwsStore  *store,
              EtwsColumn  column,
              GString    *a_buf,
              GString    *b_buf,
              guint32     a,
              guint32     b)
{
  EtwsTrace *trace = etws_store_get_trace (store);

  switch (column)
    {
    case ETWS_COLUMN_TIME:
      {
        gint64 ta = etws_store_get_time (store, a), tb = etws_store_get_time (store, b);
        return ta < tb ? -1 : ta > tb;
      }
    case ETWS_COLUMN_ROW:
    case ETWS_COLUMN_CPU:
    case ETWS_COLUMN_PID:
    case ETWS_COLUMN_TID:
      {
        guint32 va = row_u32 (store, column, a), vb = row_u32 (store, column, b);
        return va < vb ? -1 : va > vb;
      }
    case ETWS_COLUMN_PROCESS:
    case ETWS_COLUMN_PATH:
    case ETWS_COLUMN_RESULT:
    case ETWS_COLUMN_PROVIDER:
    case ETWS_COLUMN_EVENT:
      /* Interned: the same id is the same text. */
      if (row_u32 (store, column, a) == row_u32 (store, column, b))
        return 0;
      break;
    case ETWS_COLUMN_DETAIL:
    case ETWS_N_COLUMNS:
    default:
      return 0;
    }

  switch (column)
    {
    case ETWS_COLUMN_PROCESS:
    case ETWS_COLUMN_PATH:
    case ETWS_COLUMN_RESULT:
      return compare_text (etws_trace_string (trace, row_u32 (store, column, a)),
                           etws_trace_string (trace, row_u32 (store, column, b)));
    case ETWS_COLUMN_PROVIDER:
      {
        TextCtx ctx = { trace, a_buf };
        return compare_text (provider_text (&ctx, etws_store_get_etype (store, a)),
                             provider_text (&ctx, etws_store_get_etype (store, b)));
      }
    case ETWS_COLUMN_EVENT:
      g_string_truncate (a_buf, 0);
      g_string_truncate (b_buf, 0);
      etws_event_type_label (trace, etws_store_get_etype (store, a), a_buf);
      etws_event_type_label (trace, etws_store_get_etype (store, b), b_buf);
      return compare_text (a_buf->str, b_buf->str);
    case ETWS_COLUMN_DETAIL:
    case ETWS_N_COLUMNS:
    default:
      return 0;
    }
}

guint
etws_sort_merge (EtwsStore     *store,
                 GArray        *sorted,
                 const guint32 *add,
                 guint          n_add,
                 EtwsColumn     column,
                 gboolean       descending)
{
  g_autoptr(GString) a_buf = g_string_new (NULL);
  g_autoptr(GString) b_buf = g_string_new (NULL);
  g_autoptr(GArray) fresh = NULL;
  g_autofree guint *at = NULL;
  guint32 *s, *f;
  guint n_old = sorted->len;
  guint first;

  if (n_add == 0)
    return n_old;

  fresh = etws_sort_rows (store, add, n_add, column, descending, NULL);
  f = (guint32 *) (gpointer) fresh->data;
  s = (guint32 *) (gpointer) sorted->data;

  /* Where each new row goes: after every old row that is not greater, so
   * rows that arrive later stay behind equal ones (a stable merge). */
  at = g_new (guint, n_add);
  for (guint j = 0; j < n_add; j++)
    {
      guint lo = j > 0 ? at[j - 1] : 0, hi = n_old;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          int c = compare_rows (store, column, a_buf, b_buf, s[mid], f[j]);
          if (descending)
            c = -c;
          if (c <= 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      at[j] = lo;
    }
  first = at[0];

  g_array_set_size (sorted, n_old + n_add);
  s = (guint32 *) (gpointer) sorted->data;
  /* Move the old tail segments back, from the end. */
  {
    guint src_end = n_old;
    for (guint j = n_add; j-- > 0;)
      {
        guint seg = src_end - at[j];
        memmove (s + at[j] + j + 1, s + at[j], (gsize) seg * sizeof (guint32));
        s[at[j] + j] = f[j];
        src_end = at[j];
      }
  }
  return first;
}
