/* etws-sort.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sorting rows of the store by one column. Each row's key is extracted
 * once into a flat array (strings become their rank among the distinct
 * strings of the column) and the (key, row) pairs are radix sorted, so a
 * sort costs a few linear passes: 10 M rows take well under a second and
 * never call a comparator per row. The sort is stable: rows with equal
 * keys keep the order they had in the input.
 */
#pragma once

#include <gio/gio.h>

#include "etws-store.h"

G_BEGIN_DECLS

/* The columns of the event list, in their default order. */
typedef enum
{
  ETWS_COLUMN_ROW,       /* "#": the global row number */
  ETWS_COLUMN_TIME,
  ETWS_COLUMN_CPU,
  ETWS_COLUMN_PROCESS,
  ETWS_COLUMN_PID,
  ETWS_COLUMN_TID,
  ETWS_COLUMN_PROVIDER,
  ETWS_COLUMN_EVENT,
  ETWS_COLUMN_PATH,
  ETWS_COLUMN_RESULT,
  ETWS_COLUMN_DETAIL,    /* decoded on demand; not sortable */
  ETWS_N_COLUMNS
} EtwsColumn;

#define ETWS_COLUMN_NONE ((EtwsColumn) -1)

/* Stable names ("row", "time", …) for settings and the command line. */
const char *etws_column_get_id         (EtwsColumn    column);
EtwsColumn  etws_column_from_id        (const char   *id);
gboolean    etws_column_is_sortable    (EtwsColumn    column);

/* Sorts rows (store indices; NULL means all rows 0 … n_rows-1 of the store)
 * and returns the permutation as a new GArray of guint32 store indices.
 * Returns NULL if cancelled. Reads only rows that exist when called. */
GArray     *etws_sort_rows             (EtwsStore          *store,
                                        const guint32      *rows,
                                        guint               n_rows,
                                        EtwsColumn          column,
                                        gboolean            descending,
                                        GCancellable       *cancellable);
/* The same on a thread. rows is copied (NULL = the store's current rows). */
void        etws_sort_rows_async       (EtwsStore          *store,
                                        const guint32      *rows,
                                        guint               n_rows,
                                        EtwsColumn          column,
                                        gboolean            descending,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
/* (transfer full): the sorted guint32 store indices. */
GArray     *etws_sort_rows_finish      (EtwsStore          *store,
                                        GAsyncResult       *result,
                                        GError            **error);

/* Merges `add` (store indices, any order) into `sorted` (sorted by column)
 * in place and returns the position of the first element that moved or was
 * inserted, so a view can announce one items-changed from there on. */
guint       etws_sort_merge            (EtwsStore          *store,
                                        GArray             *sorted,
                                        const guint32      *add,
                                        guint               n_add,
                                        EtwsColumn          column,
                                        gboolean            descending);

/* The Event column's text for an event type: its name, or "Id 12" /
 * "Opcode 3" when it has none. Sorting by Event orders by this text. */
void        etws_event_type_label      (EtwsTrace          *trace,
                                        guint16             etype,
                                        GString            *out);

G_END_DECLS
