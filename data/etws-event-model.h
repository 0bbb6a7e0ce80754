/* etws-event-model.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel over an EtwsStore. It holds no object per event: get_item()
 * makes a small EtwsEventItem on demand, and get_n_items() is O(1).
 *
 * What the model shows, from the bottom up:
 *
 *  1. All rows of the store in store order (the default), or a *row view*:
 *     exactly the rows of an array of guint32 store indices, in that order
 *     (etws_event_model_set_view(); a filter produces these arrays).
 *  2. Rows the store appends later (a file still loading, a live session)
 *     join: all of them without a view; with a view, the ones the row
 *     predicate accepts (etws_event_model_set_row_filter()). The predicate
 *     runs once per worker drain, for the new rows only. Without a
 *     predicate no new row joins a view.
 *  3. Optionally sorted by one column (etws_event_model_set_sort()): a
 *     sorted view is a permutation of the view's rows, computed on a
 *     thread with etws_sort_rows_async(). New rows are merged into place.
 *
 * items-changed is emitted once per worker drain (one append, or one
 * change from the first moved position on when sorted), once per
 * set_view(), and once when a sort result is installed (0, n, n).
 *
 * When a live store drops its oldest rows ("rows-removed"), store indices
 * shift down; the model shifts its arrays with them. In store order (no
 * view, not sorted) the dropped rows keep their positions as a *gap* at
 * the front, told as one removal once it is twice as long as the rows left:
 * GTK 4.8 relayouts every row widget it keeps for any removal at the
 * front. Items in the gap have no store index (G_MAXUINT64).
 */
#pragma once

#include <gio/gio.h>

#include "etws-sort.h"
#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_TYPE_EVENT_ITEM  (etws_event_item_get_type ())
#define ETWS_TYPE_EVENT_MODEL (etws_event_model_get_type ())

G_DECLARE_FINAL_TYPE (EtwsEventItem, etws_event_item, ETWS, EVENT_ITEM, GObject)
G_DECLARE_FINAL_TYPE (EtwsEventModel, etws_event_model, ETWS, EVENT_MODEL, GObject)

/* Decides whether a newly appended store row joins the active view.
 * `row` is a store index. Called on the main thread. */
typedef gboolean (*EtwsRowPredicate) (EtwsStore *store,
                                      guint64    row,
                                      gpointer   data);

/* A row handed out by the model: a store and a global row number, which
 * stays valid while live capture drops older rows. */
EtwsStore      *etws_event_item_get_store        (EtwsEventItem    *self);
/* The global row number (store index + the store's first row). */
guint64         etws_event_item_get_row          (EtwsEventItem    *self);
/* The current store index, or G_MAXUINT64 if the row was dropped since. */
guint64         etws_event_item_get_index        (EtwsEventItem    *self);
/* The model position it was made for. */
guint           etws_event_item_get_position     (EtwsEventItem    *self);

EtwsEventModel *etws_event_model_new             (EtwsStore        *store);
EtwsStore      *etws_event_model_get_store       (EtwsEventModel   *self);
/* Items that show a row: g_list_model_get_n_items() less the gap. */
guint           etws_event_model_get_n_shown     (EtwsEventModel   *self);
/* rows: guint32 store indices, (transfer full); NULL shows all rows again.
 * Emits one items-changed. Indices past the store's end are dropped. If a
 * sort is active, views of up to ETWS_EVENT_MODEL_SYNC_SORT_MAX rows are
 * sorted before the signal; larger ones are shown in the given order and
 * re-sorted on a thread (a second items-changed follows). */
void            etws_event_model_set_view        (EtwsEventModel   *self,
                                                  GArray           *rows);
/* TRUE when a row view is active. */
gboolean        etws_event_model_has_view        (EtwsEventModel   *self);
void            etws_event_model_set_row_filter  (EtwsEventModel   *self,
                                                  EtwsRowPredicate  func,
                                                  gpointer          data,
                                                  GDestroyNotify    destroy);
/* The store index shown at position, or G_MAXUINT64 past the end or in
 * the gap. */
guint64         etws_event_model_get_store_index (EtwsEventModel   *self,
                                                  guint             position);
/* The position showing a store index, or G_MAXUINT if it is not shown.
 * O(1) unsorted without a view, O(n) otherwise. */
guint           etws_event_model_find_store_index (EtwsEventModel  *self,
                                                   guint64          index);

#define ETWS_EVENT_MODEL_SYNC_SORT_MAX (1u << 17)

/* Sorts by column (ETWS_COLUMN_NONE: the view's own order). The result is
 * installed when the thread is done; "sorting" is TRUE meanwhile. Small
 * models (≤ ETWS_EVENT_MODEL_SYNC_SORT_MAX rows) are sorted at once. */
void            etws_event_model_set_sort        (EtwsEventModel   *self,
                                                  EtwsColumn        column,
                                                  gboolean          descending);
EtwsColumn      etws_event_model_get_sort_column (EtwsEventModel   *self);
gboolean        etws_event_model_get_sort_descending (EtwsEventModel *self);
gboolean        etws_event_model_is_sorting      (EtwsEventModel   *self);

G_END_DECLS
