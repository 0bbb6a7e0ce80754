/* etws-event-model.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-event-model"

#include "config.h"

#include "etws-event-model.h"

struct _EtwsEventItem
{
  GObject    parent_instance;
  EtwsStore *store;
  guint64    row;
  guint      position;
};

G_DEFINE_FINAL_TYPE (EtwsEventItem, etws_event_item, G_TYPE_OBJECT)

static void
etws_event_item_finalize (GObject *object)
{
  g_clear_object (&ETWS_EVENT_ITEM (object)->store);
  G_OBJECT_CLASS (etws_event_item_parent_class)->finalize (object);
}

static void
etws_event_item_class_init (EtwsEventItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = etws_event_item_finalize;
}

static void
etws_event_item_init (EtwsEventItem *self)
{
}

EtwsStore *
etws_event_item_get_store (EtwsEventItem *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_ITEM (self), NULL);
  return self->store;
}

guint64
etws_event_item_get_row (EtwsEventItem *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_ITEM (self), 0);
  return self->row;
}

guint64
etws_event_item_get_index (EtwsEventItem *self)
{
  guint64 first;

  g_return_val_if_fail (ETWS_IS_EVENT_ITEM (self), G_MAXUINT64);
  first = etws_store_get_first_row (self->store);
  if (self->row < first || self->row - first >= etws_store_get_n_rows (self->store))
    return G_MAXUINT64;
  return self->row - first;
}

guint
etws_event_item_get_position (EtwsEventItem *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_ITEM (self), 0);
  return self->position;
}

struct _EtwsEventModel
{
  GObject           parent_instance;

  EtwsStore        *store;
  gulong            added_id;
  gulong            removed_id;
  guint             n_items;
  /* In store order only (no view, not sorted): positions at the front
   * whose rows the store dropped. GTK 4.8 pays a relayout of every row
   * widget it keeps for each removal at the front, whatever its size, so
   * drops are told in one removal once the gap is as long as the rows. */
  guint             gap;

  /* guint32 store indices, or NULL for all rows in store order. */
  GArray           *view;
  /* A permutation of the view sorted by shown_column, or NULL. */
  GArray           *sorted;
  EtwsColumn        shown_column;
  gboolean          shown_descending;

  /* The sort asked for; differs from shown_* while a thread works on it. */
  EtwsColumn        sort_column;
  gboolean          sort_descending;
  GCancellable     *sort_cancellable;
  guint             sort_serial;
  guint             sort_input_len;  /* rows of the view (or store) it covers */

  EtwsRowPredicate  predicate;
  gpointer          predicate_data;
  GDestroyNotify    predicate_destroy;
};

enum
{
  PROP_0,
  PROP_SORTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
etws_event_model_get_item_type (GListModel *model)
{
  return ETWS_TYPE_EVENT_ITEM;
}

static guint
etws_event_model_get_n_items (GListModel *model)
{
  return ETWS_EVENT_MODEL (model)->n_items;
}

/* position must lie past the gap. */
static inline guint64
shown_index (EtwsEventModel *self,
             guint           position)
{
  if (self->sorted != NULL)
    return g_array_index (self->sorted, guint32, position);
  if (self->view != NULL)
    return g_array_index (self->view, guint32, position);
  return position - self->gap;
}

static gpointer
etws_event_model_get_item (GListModel *model,
                           guint       position)
{
  EtwsEventModel *self = ETWS_EVENT_MODEL (model);
  EtwsEventItem *item;

  if (position >= self->n_items)
    return NULL;
  item = g_object_new (ETWS_TYPE_EVENT_ITEM, NULL);
  item->store = g_object_ref (self->store);
  /* In the gap, a dropped row: it has no store index any more. */
  if (position < self->gap)
    item->row = etws_store_get_first_row (self->store) - self->gap + position;
  else
    item->row = etws_store_get_first_row (self->store) + shown_index (self, position);
  item->position = position;
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = etws_event_model_get_item_type;
  iface->get_n_items = etws_event_model_get_n_items;
  iface->get_item = etws_event_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (EtwsEventModel, etws_event_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static guint
store_rows (EtwsEventModel *self)
{
  return (guint) MIN (etws_store_get_n_rows (self->store), G_MAXUINT32);
}

static guint
input_len (EtwsEventModel *self)
{
  return self->view != NULL ? self->view->len : store_rows (self);
}

static void
set_sorting (EtwsEventModel *self,
             GCancellable   *cancellable)
{
  gboolean was = self->sort_cancellable != NULL;

  if (self->sort_cancellable != NULL)
    g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  if (cancellable != NULL)
    self->sort_cancellable = g_object_ref (cancellable);
  self->sort_serial++;
  if (was != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORTING]);
}

static void
replace_all (EtwsEventModel *self,
             guint           old_n)
{
  self->gap = 0;
  self->n_items = self->sorted != NULL ? self->sorted->len : input_len (self);
  if (old_n > 0 || self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

/* Rows that joined the view (or store) after the first `from` input rows. */
static const guint32 *
rows_since (EtwsEventModel *self,
            guint           from,
            GArray        **storage,
            guint          *n)
{
  guint len = input_len (self);

  *n = from < len ? len - from : 0;
  if (*n == 0)
    return NULL;
  if (self->view != NULL)
    return &g_array_index (self->view, guint32, from);
  *storage = g_array_sized_new (FALSE, FALSE, sizeof (guint32), *n);
  for (guint i = from; i < len; i++)
    g_array_append_val (*storage, i);
  return (const guint32 *) (gpointer) (*storage)->data;
}

typedef struct
{
  EtwsEventModel *self;
  guint           serial;
} SortCall;

static void install_sorted (EtwsEventModel *self,
                            GArray         *sorted,
                            guint           covered);

static void
sort_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SortCall *call = user_data;
  g_autoptr(EtwsEventModel) self = call->self;
  g_autoptr(GArray) sorted = NULL;
  g_autoptr(GError) error = NULL;
  guint serial = call->serial;

  g_free (call);
  sorted = etws_sort_rows_finish (ETWS_STORE (object), result, &error);
  if (serial != self->sort_serial || sorted == NULL)
    return;
  set_sorting (self, NULL);
  install_sorted (self, g_steal_pointer (&sorted), self->sort_input_len);
}

static void
install_sorted (EtwsEventModel *self,
                GArray         *sorted,
                guint           covered)
{
  g_autoptr(GArray) storage = NULL;
  const guint32 *late;
  guint n_late, old_n = self->n_items;

  /* Rows that arrived while the thread sorted go into place now. */
  late = rows_since (self, covered, &storage, &n_late);
  if (n_late > 0)
    etws_sort_merge (self->store, sorted, late, n_late, self->sort_column, self->sort_descending);
  g_clear_pointer (&self->sorted, g_array_unref);
  self->sorted = sorted;
  self->shown_column = self->sort_column;
  self->shown_descending = self->sort_descending;
  replace_all (self, old_n);
}

/* Sorts the current input by sort_column: at once when small, else on a
 * thread (what is shown stays until the result is installed). */
static void
start_sort (EtwsEventModel *self,
            gboolean        announce_sync)
{
  const guint32 *rows = self->view != NULL ? (const guint32 *) (gpointer) self->view->data : NULL;
  guint n = input_len (self);

  set_sorting (self, NULL);
  if (self->sort_column == ETWS_COLUMN_NONE)
    return;

  if (n <= ETWS_EVENT_MODEL_SYNC_SORT_MAX)
    {
      GArray *sorted = etws_sort_rows (self->store, rows, n, self->sort_column,
                                       self->sort_descending, NULL);
      if (announce_sync)
        install_sorted (self, sorted, n);
      else
        {
          g_clear_pointer (&self->sorted, g_array_unref);
          self->sorted = sorted;
          self->shown_column = self->sort_column;
          self->shown_descending = self->sort_descending;
        }
    }
  else
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      SortCall *call = g_new0 (SortCall, 1);

      set_sorting (self, cancellable);
      call->self = g_object_ref (self);
      call->serial = self->sort_serial;
      self->sort_input_len = n;
      etws_sort_rows_async (self->store, rows, n, self->sort_column, self->sort_descending,
                            cancellable, sort_done_cb, call);
    }
}

static void
rows_added_cb (EtwsStore      *store,
               guint64         first,
               guint64         count,
               EtwsEventModel *self)
{
  g_autoptr(GArray) joined = NULL;
  guint old_n = self->n_items;
  guint64 end = MIN (first + count, (guint64) G_MAXUINT32);
  guint k;

  if (self->view != NULL)
    {
      guint before = self->view->len;

      if (self->predicate == NULL)
        return;
      for (guint64 r = first; r < end; r++)
        if (self->predicate (store, r, self->predicate_data))
          {
            guint32 v = (guint32) r;
            g_array_append_val (self->view, v);
          }
      k = self->view->len - before;
      if (k == 0)
        return;
      if (self->sorted != NULL)
        joined = g_array_ref (self->view);
      first = before;  /* offset into the view */
    }
  else
    {
      k = (guint) (end - MIN (first, end));
      if (k == 0)
        return;
      if (self->sorted != NULL)
        {
          joined = g_array_sized_new (FALSE, FALSE, sizeof (guint32), k);
          for (guint64 r = first; r < end; r++)
            {
              guint32 v = (guint32) r;
              g_array_append_val (joined, v);
            }
          first = 0;
        }
    }

  if (self->sorted != NULL)
    {
      const guint32 *add = &g_array_index (joined, guint32, (guint) first);
      guint at = etws_sort_merge (store, self->sorted, add, k, self->shown_column,
                                  self->shown_descending);
      self->n_items = self->sorted->len;
      g_list_model_items_changed (G_LIST_MODEL (self), at, old_n - at, self->n_items - at);
    }
  else
    {
      self->n_items = old_n + k;
      g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, k);
    }
}

/* Drops indices below `count` and shifts the rest down. Returns how many
 * went, and in *prefix how many of those were at the front. */
static guint
shift_array (GArray *a,
             guint32 count,
             guint  *prefix)
{
  guint32 *v = (guint32 *) (gpointer) a->data;
  guint w = 0, gone = 0;
  gboolean at_front = TRUE;

  *prefix = 0;
  for (guint i = 0; i < a->len; i++)
    {
      if (v[i] < count)
        {
          gone++;
          if (at_front)
            (*prefix)++;
          continue;
        }
      at_front = FALSE;
      v[w++] = v[i] - count;
    }
  g_array_set_size (a, w);
  return gone;
}

static void
rows_removed_cb (EtwsStore      *store,
                 guint64         count,
                 EtwsEventModel *self)
{
  guint old_n = self->n_items;
  guint32 c = (guint32) MIN (count, (guint64) G_MAXUINT32);
  gboolean was_sorting = self->sort_cancellable != NULL;
  guint gone, prefix;

  set_sorting (self, NULL);

  if (self->view == NULL && self->sorted == NULL)
    {
      gone = MIN (c, old_n - self->gap);
      /* The rows' positions stay, as a gap, while it is no longer than
       * twice what is left (a removal every third drop at most). */
      if (self->gap + gone <= 2 * (old_n - self->gap - gone) && old_n < G_MAXUINT32 / 3)
        {
          self->gap += gone;
          if (was_sorting)
            start_sort (self, TRUE);
          return;
        }
      gone += self->gap;
      self->gap = 0;
      prefix = gone;
    }
  else
    {
      gone = prefix = 0;
      if (self->view != NULL)
        gone = shift_array (self->view, c, &prefix);
      if (self->sorted != NULL)
        gone = shift_array (self->sorted, c, &prefix);
    }

  /* Without arrays, rows appended in the same pass are announced next by
   * "rows-added", so only the removal counts here. */
  if (self->sorted != NULL)
    self->n_items = self->sorted->len;
  else if (self->view != NULL)
    self->n_items = self->view->len;
  else
    self->n_items = old_n - gone;
  if (gone == prefix)
    {
      if (gone > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, gone, 0);
    }
  else
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);

  if (was_sorting)
    start_sort (self, TRUE);
}

static void
etws_event_model_dispose (GObject *object)
{
  EtwsEventModel *self = ETWS_EVENT_MODEL (object);

  set_sorting (self, NULL);
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->added_id, self->store);
      g_clear_signal_handler (&self->removed_id, self->store);
    }
  g_clear_object (&self->store);
  if (self->predicate_destroy != NULL)
    self->predicate_destroy (self->predicate_data);
  self->predicate = NULL;
  self->predicate_destroy = NULL;
  self->predicate_data = NULL;
  G_OBJECT_CLASS (etws_event_model_parent_class)->dispose (object);
}

static void
etws_event_model_finalize (GObject *object)
{
  EtwsEventModel *self = ETWS_EVENT_MODEL (object);

  g_clear_pointer (&self->view, g_array_unref);
  g_clear_pointer (&self->sorted, g_array_unref);
  G_OBJECT_CLASS (etws_event_model_parent_class)->finalize (object);
}

static void
etws_event_model_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EtwsEventModel *self = ETWS_EVENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_SORTING:
      g_value_set_boolean (value, etws_event_model_is_sorting (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_event_model_class_init (EtwsEventModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_event_model_dispose;
  object_class->finalize = etws_event_model_finalize;
  object_class->get_property = etws_event_model_get_property;

  /* A sort runs on a thread; what is shown is the previous order. */
  properties[PROP_SORTING] =
    g_param_spec_boolean ("sorting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
etws_event_model_init (EtwsEventModel *self)
{
  self->shown_column = ETWS_COLUMN_NONE;
  self->sort_column = ETWS_COLUMN_NONE;
}

EtwsEventModel *
etws_event_model_new (EtwsStore *store)
{
  EtwsEventModel *self;

  g_return_val_if_fail (ETWS_IS_STORE (store), NULL);

  self = g_object_new (ETWS_TYPE_EVENT_MODEL, NULL);
  self->store = g_object_ref (store);
  self->n_items = store_rows (self);
  self->added_id = g_signal_connect (store, "rows-added", G_CALLBACK (rows_added_cb), self);
  self->removed_id = g_signal_connect (store, "rows-removed", G_CALLBACK (rows_removed_cb), self);
  return self;
}

guint
etws_event_model_get_n_shown (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), 0);
  return self->n_items - self->gap;
}

EtwsStore *
etws_event_model_get_store (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), NULL);
  return self->store;
}

void
etws_event_model_set_view (EtwsEventModel *self,
                           GArray         *rows)
{
  guint old_n;

  g_return_if_fail (ETWS_IS_EVENT_MODEL (self));
  g_return_if_fail (rows == NULL || g_array_get_element_size (rows) == sizeof (guint32));

  old_n = self->n_items;
  set_sorting (self, NULL);
  g_clear_pointer (&self->view, g_array_unref);
  g_clear_pointer (&self->sorted, g_array_unref);
  self->shown_column = ETWS_COLUMN_NONE;

  if (rows != NULL)
    {
      guint32 limit = store_rows (self);
      guint32 *v = (guint32 *) (gpointer) rows->data;
      guint w = 0;

      for (guint i = 0; i < rows->len; i++)
        if (v[i] < limit)
          v[w++] = v[i];
      g_array_set_size (rows, w);
      self->view = rows;
    }

  start_sort (self, FALSE);
  replace_all (self, old_n);
}

gboolean
etws_event_model_has_view (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), FALSE);
  return self->view != NULL;
}

void
etws_event_model_set_row_filter (EtwsEventModel   *self,
                                 EtwsRowPredicate  func,
                                 gpointer          data,
                                 GDestroyNotify    destroy)
{
  g_return_if_fail (ETWS_IS_EVENT_MODEL (self));

  if (self->predicate_destroy != NULL)
    self->predicate_destroy (self->predicate_data);
  self->predicate = func;
  self->predicate_data = data;
  self->predicate_destroy = destroy;
}

guint64
etws_event_model_get_store_index (EtwsEventModel *self,
                                  guint           position)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), G_MAXUINT64);

  if (position >= self->n_items || position < self->gap)
    return G_MAXUINT64;
  return shown_index (self, position);
}

guint
etws_event_model_find_store_index (EtwsEventModel *self,
                                   guint64         index)
{
  const GArray *a;

  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), G_MAXUINT);

  a = self->sorted != NULL ? self->sorted : self->view;
  if (a == NULL)
    return index < self->n_items - self->gap ? (guint) index + self->gap : G_MAXUINT;
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, guint32, i) == index)
      return i;
  return G_MAXUINT;
}

void
etws_event_model_set_sort (EtwsEventModel *self,
                           EtwsColumn      column,
                           gboolean        descending)
{
  g_return_if_fail (ETWS_IS_EVENT_MODEL (self));
  g_return_if_fail (column == ETWS_COLUMN_NONE || etws_column_is_sortable (column));

  if (column == ETWS_COLUMN_NONE)
    descending = FALSE;
  if (column == self->sort_column && !!descending == self->sort_descending)
    return;
  self->sort_column = column;
  self->sort_descending = !!descending;

  if (column == ETWS_COLUMN_NONE)
    {
      guint old_n = self->n_items;

      set_sorting (self, NULL);
      self->shown_column = ETWS_COLUMN_NONE;
      if (self->sorted != NULL)
        {
          g_clear_pointer (&self->sorted, g_array_unref);
          replace_all (self, old_n);
        }
      return;
    }
  start_sort (self, TRUE);
}

EtwsColumn
etws_event_model_get_sort_column (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), ETWS_COLUMN_NONE);
  return self->sort_column;
}

gboolean
etws_event_model_get_sort_descending (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), FALSE);
  return self->sort_descending;
}

gboolean
etws_event_model_is_sorting (EtwsEventModel *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_MODEL (self), FALSE);
  return self->sort_cancellable != NULL;
}
