/* etws-filter-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parsed form of a filter, shared by the parser (etws-filter-parse.c)
 * and the evaluator (etws-filter-eval.c).
 */
#pragma once

#include "etws-filter.h"

#include "etw-event.h"

G_BEGIN_DECLS

/* Limits that keep hostile expressions from exhausting the stack or memory. */
#define ETWS_FILTER_MAX_LENGTH  65536
#define ETWS_FILTER_MAX_DEPTH   64
#define ETWS_FILTER_MAX_SET     4096

typedef enum
{
  /* Row columns. */
  FIELD_PID,
  FIELD_TID,
  FIELD_CPU,
  FIELD_TIME,
  /* Event-type properties: tested once per event type. */
  FIELD_PROVIDER,
  FIELD_ID,
  FIELD_OPCODE,
  FIELD_LEVEL,
  FIELD_TASK,
  FIELD_VERSION,
  FIELD_EVENT,
  FIELD_OPERATION,
  /* Interned string columns: tested once per distinct string. */
  FIELD_PROCESS,
  FIELD_PATH,
  FIELD_RESULT,
  /* Decoded on demand. */
  FIELD_DETAIL,
  FIELD_DECODED,   /* field.Name */
} FieldId;

typedef enum
{
  CLASS_ROW,
  CLASS_ETYPE,
  CLASS_STRING,
  CLASS_DECODE,
} FieldClass;

typedef enum
{
  OP_EXISTS,       /* the bare field: present, non-empty, non-zero */
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_CONTAINS,
  OP_MATCHES,
  OP_IN,
} CmpOp;

typedef enum
{
  VALUE_NUMBER,
  VALUE_STRING,
  VALUE_GUID,
  VALUE_TIME,      /* FILETIME in num.mag (absolute) */
  VALUE_DURATION,  /* 100 ns ticks after the first row: resolved per store */
} ValueKind;

typedef struct
{
  gboolean negative;
  guint64  mag;        /* |value| when integral */
  gboolean integral;
  double   d;          /* the value as a double */
} Number;

typedef struct
{
  ValueKind  kind;
  Number     num;       /* NUMBER, TIME, DURATION; upper bound of a range in num_hi */
  Number     num_hi;
  gboolean   range;     /* `lo..hi` inside a set */
  char      *str;       /* STRING (as written, unescaped) */
  char      *folded;    /* STRING, case-folded */
  gboolean   has_guid;  /* GUID, or a STRING that spells one */
  EtwGuid    guid;
  gboolean   has_num;   /* a STRING that spells a number */
  guint      offset;    /* where it was written */
  guint      length;
} Value;

typedef struct
{
  FieldId    field;
  char      *name;      /* field.Name: Name */
  CmpOp      op;
  Value     *values;    /* 1 for comparisons, n for `in`, 0 for OP_EXISTS */
  guint      n_values;
  GRegex    *regex;     /* OP_MATCHES */
} Test;

typedef enum
{
  NODE_AND,
  NODE_OR,
  NODE_NOT,
  NODE_TEST,
  NODE_TRUE,
} NodeKind;

typedef struct _Node Node;

struct _Node
{
  NodeKind   kind;
  Node     **kids;
  guint      n_kids;
  Test      *test;
  guint      cost;      /* relative: column test 1, string 2, decode 100 */
  gboolean   etype_only;  /* depends on event-type properties only */
  guint      index;     /* position in the filter's node list */
};

struct _EtwsFilter
{
  gatomicrefcount  ref_count;
  char            *expression;
  Node            *root;
  GPtrArray       *nodes;         /* every Node, for per-evaluation state */
  guint            decode_flags;  /* ETW_DECODE_* the tests need, 0 = none */
  gboolean         uses_time_offset;
};

FieldClass  _etws_filter_field_class (FieldId field);
/* Parses a whole string as a number (decimal, 0x hex, fraction). */
gboolean    _etws_filter_parse_number (const char *s,
                                       Number     *n);
/* etws_filter_evaluate with the trace given (read on the main thread). */
gboolean    _etws_filter_evaluate_trace (EtwsFilter       *self,
                                         EtwsStore        *store,
                                         EtwsTrace        *trace,
                                         guint64           start,
                                         guint64           end,
                                         EtwsBitset       *bits,
                                         GCancellable     *cancellable,
                                         EtwsProgressFunc  progress,
                                         gpointer          progress_data);
void        _etws_filter_node_free   (Node   *node);
void        _etws_filter_append_node (GString *out,
                                      Node    *node);

G_END_DECLS
