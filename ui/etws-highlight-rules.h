/* etws-highlight-rules.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Highlight rules: rows that match an expression get a colour. Each rule
 * is a filter expression with one of ETWS_HIGHLIGHT_N_COLORS colours (the
 * CSS classes highlight-0 … highlight-5); the first rule a row matches
 * wins. Rows are tested when their cells are bound, so the cost is bounded
 * by the rows on screen, not by the trace.
 */
#pragma once

#include <gio/gio.h>

#include "etws-filter.h"
#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_HIGHLIGHT_N_COLORS 6
/* Rules beyond this many are refused (the list must stay readable). */
#define ETWS_HIGHLIGHT_MAX_RULES 16

#define ETWS_TYPE_HIGHLIGHT_RULES (etws_highlight_rules_get_type ())

G_DECLARE_FINAL_TYPE (EtwsHighlightRules, etws_highlight_rules, ETWS, HIGHLIGHT_RULES, GObject)

EtwsHighlightRules *etws_highlight_rules_new            (void);
/* The store whose rows are tested (nullable). */
void                etws_highlight_rules_set_store      (EtwsHighlightRules *self,
                                                         EtwsStore          *store);
/* Adds a rule with the first colour no rule uses. FALSE with error (an
 * ETWS_FILTER_ERROR, with its position) for an invalid expression, or
 * G_IO_ERROR_EXISTS / G_IO_ERROR_NO_SPACE for a duplicate or too many. */
gboolean            etws_highlight_rules_add            (EtwsHighlightRules *self,
                                                         const char         *expression,
                                                         GError            **error);
void                etws_highlight_rules_remove         (EtwsHighlightRules *self,
                                                         guint               i);
void                etws_highlight_rules_clear          (EtwsHighlightRules *self);
guint               etws_highlight_rules_get_n_rules    (EtwsHighlightRules *self);
const char         *etws_highlight_rules_get_expression (EtwsHighlightRules *self,
                                                         guint               i);
guint               etws_highlight_rules_get_color      (EtwsHighlightRules *self,
                                                         guint               i);
/* "highlight-3" for colour 3. */
const char         *etws_highlight_color_class          (guint               color);
/* The CSS class of the first rule the row (a store index) matches, or
 * NULL. Has the signature of EtwsRowStyleFunc, with the rules as data. */
const char         *etws_highlight_rules_style          (EtwsStore          *store,
                                                         guint64             index,
                                                         gpointer            rules);

G_END_DECLS
