/* etws-filter-bar.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filter bar above the event list: an expression entry evaluated as
 * you type (debounced, on a worker thread through EtwsFilterRunner), the
 * quick filters (providers, processes, PIDs), highlight rules, a history
 * of filters, and the active filters as removable chips with "Clear All".
 *
 * What the view shows is the AND of the entry's expression, the
 * Include/Exclude clauses (chips) and the quick filters. An invalid
 * expression turns the entry red, underlines the faulty part and names
 * the problem and its column in the tooltip; the view keeps the last
 * valid filter meanwhile.
 *
 * Attached to a window, it provides the action group "filter":
 *   filter.include   (s)  add a clause (a chip), e.g. `process == "a.exe"`
 *   filter.exclude   (s)  the same, for `!=` clauses
 *   filter.highlight (s)  add a highlight rule
 *   filter.clear-all      remove every chip, rule and the expression
 *   filter.focus          focus the entry (Ctrl+L)
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-filter.h"
#include "etws-highlight-rules.h"
#include "etws-quick-filters.h"
#include "etws-window.h"

G_BEGIN_DECLS

#define ETWS_TYPE_FILTER_BAR (etws_filter_bar_get_type ())

G_DECLARE_FINAL_TYPE (EtwsFilterBar, etws_filter_bar, ETWS, FILTER_BAR, GtkWidget)

GtkWidget          *etws_filter_bar_new                 (void);
/* Follows the window's sessions (its store and model), colours its event
 * view's rows and installs the "filter" actions on it. */
void                etws_filter_bar_set_window          (EtwsFilterBar *self,
                                                         EtwsWindow    *window);
GtkEntry           *etws_filter_bar_get_entry           (EtwsFilterBar *self);
EtwsQuickFilters   *etws_filter_bar_get_quick_filters   (EtwsFilterBar *self);
EtwsHighlightRules *etws_filter_bar_get_highlight_rules (EtwsFilterBar *self);

/* Sets the entry's text and applies it at once (as Enter does). */
void                etws_filter_bar_set_expression      (EtwsFilterBar *self,
                                                         const char    *expression);
/* The problem with the entry's text (with its column), or NULL. */
const char         *etws_filter_bar_get_error           (EtwsFilterBar *self);
/* Adds an Include/Exclude clause as a chip. FALSE with error if invalid. */
gboolean            etws_filter_bar_add_clause          (EtwsFilterBar *self,
                                                         const char    *clause,
                                                         GError       **error);
void                etws_filter_bar_clear_all           (EtwsFilterBar *self);
/* The expression the view is filtered by: entry, chips and quick filters
 * joined with &&; "" for none. */
char               *etws_filter_bar_dup_filter_text     (EtwsFilterBar *self);
/* The chips' labels, in order (transfer full). */
char              **etws_filter_bar_dup_chip_labels     (EtwsFilterBar *self);
/* Removes the i-th chip, as its close button does. */
void                etws_filter_bar_remove_chip         (EtwsFilterBar *self,
                                                         guint          i);
/* TRUE from a change until the view shows its result ("applied"). */
gboolean            etws_filter_bar_is_busy             (EtwsFilterBar *self);
/* The history, most recent first (transfer none). */
const char * const *etws_filter_bar_get_history         (EtwsFilterBar *self);

G_END_DECLS
