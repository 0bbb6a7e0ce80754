/* etws-event-view.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The event list: a GtkColumnView over an EtwsEventModel. Cells are
 * formatted from the store's columns when they are bound; the Detail
 * column decodes the shown rows only. Clicking a header sorts in the store
 * (EtwsEventModel's sort), not through a GtkSortListModel.
 *
 * The view exports its actions as a group ("view" prefix in the window):
 *   view.column-<id>   (b)  a column's visibility, e.g. view.column-cpu
 *   view.time-mode     (s)  "utc", "local" or "relative"
 *   view.follow        (b)  keep the newest row in sight
 *   view.copy               the selected rows as tab-separated text
 *   view.copy-value    (s)  the given text
 *   view.copy-row      (u)  the row at a position as tab-separated text
 *
 * Rows are multi-selectable (Shift/Ctrl+click), as in Process Monitor.
 * A right-click on a cell selects its row and opens a menu: Include,
 * Exclude and Highlight '<value>' (the actions filter.include,
 * filter.exclude and filter.highlight with a filter clause as their
 * string parameter, which an ancestor such as the window provides; the
 * items are disabled without one), Copy value and Copy row.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-event-model.h"

G_BEGIN_DECLS

#define ETWS_TYPE_EVENT_VIEW (etws_event_view_get_type ())

G_DECLARE_FINAL_TYPE (EtwsEventView, etws_event_view, ETWS, EVENT_VIEW, GtkWidget)

GtkWidget          *etws_event_view_new                (void);
/* (nullable): NULL empties the list. */
void                etws_event_view_set_model          (EtwsEventView *self,
                                                        EtwsEventModel *model);
EtwsEventModel     *etws_event_view_get_model          (EtwsEventView *self);
/* The selection over the model, a GtkMultiSelection (NULL without a
 * model). */
GtkSelectionModel  *etws_event_view_get_selection      (EtwsEventView *self);
GtkColumnView      *etws_event_view_get_column_view    (EtwsEventView *self);
GActionGroup       *etws_event_view_get_actions        (EtwsEventView *self);

/* "utc", "local" or "relative" (to the first row of the store). */
void                etws_event_view_set_time_mode      (EtwsEventView *self,
                                                        const char    *mode);
const char         *etws_event_view_get_time_mode      (EtwsEventView *self);
/* Column ids (etws_column_get_id()) of the visible columns. */
void                etws_event_view_set_visible_columns (EtwsEventView      *self,
                                                         const char * const *ids);
char              **etws_event_view_dup_visible_columns (EtwsEventView      *self);
void                etws_event_view_set_column_visible (EtwsEventView *self,
                                                        EtwsColumn     column,
                                                        gboolean       visible);
gboolean            etws_event_view_get_column_visible (EtwsEventView *self,
                                                        EtwsColumn     column);
/* Follow-newest: scroll to the last row whenever rows are appended. The
 * user scrolling up or moving the selection switches it off. */
void                etws_event_view_set_follow         (EtwsEventView *self,
                                                        gboolean       follow);
gboolean            etws_event_view_get_follow         (EtwsEventView *self);

/* Store index of the current row (the one clicked last among the
 * selected rows), or G_MAXUINT64. */
guint64             etws_event_view_get_selected_index (EtwsEventView *self);
/* (transfer full): guint32 store indices of the selected rows in the
 * order the list shows them. */
GArray             *etws_event_view_dup_selected_rows  (EtwsEventView *self);
guint               etws_event_view_get_n_selected     (EtwsEventView *self);
/* Selects only `position` (and makes it the current row). */
void                etws_event_view_select             (EtwsEventView *self,
                                                        guint          position);
/* Scrolls so that position is in sight (GTK 4.8: "list.scroll-to-item"). */
void                etws_event_view_scroll_to          (EtwsEventView *self,
                                                        guint          position);
/* A cell's text as the list shows it. */
char               *etws_event_view_dup_cell_text      (EtwsEventView *self,
                                                        guint          position,
                                                        EtwsColumn     column);
/* The list lets the first rows of a new model in a step per frame (GTK
 * 4.8 builds widgets for ~200 rows at once); this shows them all now. */
void                etws_event_view_flush              (EtwsEventView *self);
/* A CSS class for the cells of a row (a highlight colour), or NULL; called
 * when cells are bound, with a store index. The string must stay valid
 * (use g_intern_string or a static string). */
typedef const char *(*EtwsRowStyleFunc) (EtwsStore *store,
                                         guint64    index,
                                         gpointer   data);

void                etws_event_view_set_row_style_func (EtwsEventView    *self,
                                                        EtwsRowStyleFunc  func,
                                                        gpointer          data,
                                                        GDestroyNotify    destroy);
/* Asks the style function again for the cells on screen. */
void                etws_event_view_restyle            (EtwsEventView    *self);
/* Sorts as a click on the column's header would (ETWS_COLUMN_NONE: none). */
void                etws_event_view_sort_by            (EtwsEventView *self,
                                                        EtwsColumn     column,
                                                        gboolean       descending);

G_END_DECLS
