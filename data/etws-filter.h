/* etws-filter.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Display filters: an expression language in the spirit of Wireshark's
 * (docs/filters.md has the grammar), compiled once into an immutable
 * EtwsFilter and evaluated over the store.
 *
 * Evaluation reads the store's columns in blocks and writes a bitset; rows
 * are never copied. Tests of event-type fields (provider, id, opcode, …)
 * are worked out once per event type, tests of string columns (process,
 * path, result) once per distinct interned string, and only `detail` and
 * `field.Name` decode records, for the rows the cheaper tests left.
 */
#pragma once

#include <gio/gio.h>

#include "etws-filter-bitset.h"
#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_FILTER_ERROR (etws_filter_error_quark ())

typedef enum
{
  ETWS_FILTER_ERROR_SYNTAX,         /* unexpected or missing token */
  ETWS_FILTER_ERROR_UNKNOWN_FIELD,  /* "pdi == 4" */
  ETWS_FILTER_ERROR_TYPE,           /* "pid contains 4", "pid == \"abc\"" */
  ETWS_FILTER_ERROR_VALUE,          /* bad number, GUID, time or regex */
  ETWS_FILTER_ERROR_TOO_COMPLEX,    /* nesting or length beyond the limits */
} EtwsFilterError;

GQuark        etws_filter_error_quark      (void);
/* Where an ETWS_FILTER_ERROR points in the expression: a byte offset and a
 * length in bytes, and the 1-based column in characters. FALSE for errors of
 * other domains. */
gboolean      etws_filter_error_get_span   (const GError  *error,
                                            guint         *offset,
                                            guint         *length,
                                            guint         *column);

#define ETWS_TYPE_FILTER (etws_filter_get_type ())

typedef struct _EtwsFilter EtwsFilter;

GType         etws_filter_get_type         (void) G_GNUC_CONST;
/* Parses and checks an expression. An empty (or all-blank) expression is
 * a filter that matches every row. */
EtwsFilter   *etws_filter_new              (const char    *expression,
                                            GError       **error);
EtwsFilter   *etws_filter_ref              (EtwsFilter    *self);
void          etws_filter_unref            (EtwsFilter    *self);
const char   *etws_filter_get_expression   (EtwsFilter    *self);
gboolean      etws_filter_matches_all      (EtwsFilter    *self);
/* TRUE when the expression uses `detail` or `field.*`, which re-read and
 * decode records (slower than column tests). */
gboolean      etws_filter_needs_decode     (EtwsFilter    *self);
/* The parsed expression in canonical form (for tests and tooltips). */
char         *etws_filter_to_string        (EtwsFilter    *self);

/* Progress of an evaluation: rows done of rows total. Called on the thread
 * that evaluates (see etws_filter_evaluate_async for the main-thread form). */
typedef void (*EtwsProgressFunc) (guint64  done,
                                  guint64  total,
                                  gpointer user_data);

/* Evaluates rows [start, end) of the store and sets their bits (bit i =
 * store index i) in `bits`, which must hold at least `end` bits; end is
 * clamped to the store's row count. Returns FALSE only when cancelled. Call
 * it on the thread that feeds the store (the main thread); the _async form
 * runs on a worker thread. */
gboolean      etws_filter_evaluate         (EtwsFilter       *self,
                                            EtwsStore        *store,
                                            guint64           start,
                                            guint64           end,
                                            EtwsBitset       *bits,
                                            GCancellable     *cancellable,
                                            EtwsProgressFunc  progress,
                                            gpointer          progress_data);
/* The same for all rows, as the guint32 store indices of the matching rows
 * in store order. NULL when cancelled. */
GArray       *etws_filter_evaluate_rows    (EtwsFilter       *self,
                                            EtwsStore        *store,
                                            GCancellable     *cancellable);

/* Main thread. Evaluates the store's current rows on a worker thread,
 * holding the store meanwhile. `progress` is called on the main context at
 * most ten times a second. */
void          etws_filter_evaluate_async   (EtwsFilter          *self,
                                            EtwsStore           *store,
                                            guint64              start,
                                            GCancellable        *cancellable,
                                            EtwsProgressFunc     progress,
                                            gpointer             progress_data,
                                            GDestroyNotify       progress_destroy,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* (transfer full): guint32 store indices of the matching rows among
 * [start, end), and in *end the row count the evaluation covered (the
 * store's row count when it started). NULL + G_IO_ERROR_CANCELLED when
 * cancelled. */
GArray       *etws_filter_evaluate_finish  (EtwsFilter          *self,
                                            GAsyncResult        *result,
                                            guint64             *end,
                                            GError             **error);

/* One row at a time, on the main thread: the test for rows appended to a
 * live view. It caches per event type and per string, so keep one for the
 * life of a view. */
typedef struct _EtwsFilterMatcher EtwsFilterMatcher;

EtwsFilterMatcher *etws_filter_matcher_new  (EtwsFilter        *filter,
                                             EtwsStore         *store);
void          etws_filter_matcher_free     (EtwsFilterMatcher *matcher);
gboolean      etws_filter_matcher_match    (EtwsFilterMatcher *matcher,
                                            guint64            index);
/* Off: `detail` and `field.*` decode each row on its own, as the event
 * list's Detail column shows it, instead of first observing every row
 * before it (a pause of about 0.5 s per million rows on the first row far
 * into a trace). For matchers that jump around (find, highlight rules).
 * On by default. */
void          etws_filter_matcher_set_replay (EtwsFilterMatcher *matcher,
                                              gboolean           replay);
/* Has the EtwsRowPredicate signature of EtwsEventModel: pass it with a
 * matcher as data and etws_filter_matcher_free as destroy. */
gboolean      etws_filter_matcher_predicate (EtwsStore        *store,
                                             guint64           index,
                                             gpointer          matcher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsFilter, etws_filter_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsFilterMatcher, etws_filter_matcher_free)

/* Building expressions for the UI (right-click Include/Exclude, quick
 * filters). */

/* `value` as a string literal: "C:\\Windows" with quotes and escapes. */
char         *etws_filter_quote_string     (const char    *value);
/* `field == value` (exclude: `field != value`) with the value quoted as the
 * field needs: numbers for pid/tid/cpu/id/opcode/level/task/version, a
 * string literal otherwise. NULL for an unknown field or a value a number
 * field cannot hold. The ids of the event list's columns (etws_column_get_id)
 * are field names, "row" aside; pass times as UTC ISO 8601 text
 * (etws_format_time_utc), whatever the column shows. */
char         *etws_filter_clause_for_value (const char    *field,
                                            const char    *value,
                                            gboolean       exclude);
/* `field in {v1, v2, …}` (exclude: `!(field in {…})`). */
char         *etws_filter_clause_for_values (const char        *field,
                                             const char * const *values,
                                             gboolean           exclude);
/* Joins two expressions with &&, adding parentheses where needed; either
 * may be NULL or blank. */
char         *etws_filter_combine          (const char    *expression,
                                            const char    *clause);
/* The field names the language knows, NULL-terminated (completion). */
const char * const *etws_filter_list_fields (void);

G_END_DECLS
