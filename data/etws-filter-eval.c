/* etws-filter-eval.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Evaluation of a parsed filter over the store, a block of 4,096 rows at a
 * time. Each node turns a mask of candidate rows into the mask of rows it
 * accepts, so that under && a costly test (a decode) only sees the rows the
 * cheap tests before it let through.
 */
#define G_LOG_DOMAIN "etws-filter"

#include "config.h"

#include "etws-filter-private.h"

#include "etw-guid.h"
#include "etw-providers.h"
#include "etws-event-type.h"
#include "etws-filter-decode.h"

#include <math.h>
#include <string.h>

#define BLOCK_ROWS  4096
#define BLOCK_WORDS (BLOCK_ROWS / 64)

/* Per-evaluation memo of a node: 0 unknown, 1 no, 2 yes. */
typedef struct
{
  guint8  *etypes;      /* by event type index (event-type-only nodes) */
  guint8  *strings;     /* by string id (string-column tests) */
  gsize    n_strings;
} NodeState;

typedef struct
{
  EtwsFilter     *filter;
  EtwsStore      *store;
  EtwsTrace      *trace;
  NodeState      *state;
  gint64          base_time;    /* time of the first row: durations count from it */
  EtwsRowDecoder *decoder;
  guint64         decoded_row;  /* G_MAXUINT64: none */
  const EtwDecoded *dec;
  GString        *fold;
  char           *fold_heap;
  GString        *text;
  GCancellable   *cancellable;
  guint           since_check;
  gboolean        cancelled;
  gboolean        no_replay;    /* decode rows on their own (matchers that jump) */
} Eval;

/* has_rows: row 0 exists (known to the caller; reading the row count
 * from a worker thread would race with appends). */
static void
eval_init (Eval       *e,
           EtwsFilter *filter,
           EtwsStore  *store,
           EtwsTrace  *trace,
           gboolean    has_rows)
{
  memset (e, 0, sizeof *e);
  e->filter = filter;
  e->store = store;
  e->trace = trace;
  e->state = g_new0 (NodeState, filter->nodes->len);
  e->decoded_row = G_MAXUINT64;
  e->fold = g_string_sized_new (256);
  e->text = g_string_sized_new (256);
  if (has_rows)
    e->base_time = etws_store_get_time (store, 0);
}

static void
eval_clear (Eval *e)
{
  for (guint i = 0; i < e->filter->nodes->len; i++)
    {
      g_free (e->state[i].etypes);
      g_free (e->state[i].strings);
    }
  g_free (e->state);
  g_clear_pointer (&e->decoder, etws_row_decoder_free);
  g_string_free (e->fold, TRUE);
  g_string_free (e->text, TRUE);
  g_free (e->fold_heap);
}

/* Values ---------------------------------------------------------------- */

static int
cmp_u64 (guint64       v,
         const Number *n)
{
  if (!n->integral)
    {
      double d = (double) v;
      return (d > n->d) - (d < n->d);
    }
  if (n->negative)
    return 1;
  return (v > n->mag) - (v < n->mag);
}

static int
cmp_i64 (gint64        v,
         const Number *n)
{
  guint64 mv;

  if (v >= 0)
    return cmp_u64 ((guint64) v, n);
  if (!n->integral)
    {
      double d = (double) v;
      return (d > n->d) - (d < n->d);
    }
  if (!n->negative)
    return -1;
  mv = (guint64) (-(v + 1)) + 1;
  /* Both negative: the larger magnitude is the smaller number. */
  return (mv < n->mag) - (mv > n->mag);
}

static gboolean
op_holds (CmpOp op,
          int   c)
{
  switch (op)
    {
    case OP_EQ:
    case OP_IN:
      return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    default: return FALSE;
    }
}

typedef enum
{
  NUM_U,
  NUM_I,
  NUM_D,
} NumKind;

typedef struct
{
  NumKind kind;
  guint64 u;
  gint64  i;
  double  d;
} NumVal;

static int
cmp_num (const NumVal *v,
         const Number *n)
{
  switch (v->kind)
    {
    case NUM_U: return cmp_u64 (v->u, n);
    case NUM_I: return cmp_i64 (v->i, n);
    case NUM_D:
    default:
      return (v->d > n->d) - (v->d < n->d);
    }
}

/* A duration counts from the first row. */
static void
resolve (const Eval   *e,
         const Value  *v,
         const Number *in,
         Number       *out)
{
  *out = *in;
  if (v->kind == VALUE_DURATION)
    {
      gint64 t = e->base_time + (gint64) MIN (in->mag, (guint64) G_MAXINT64 / 2);
      out->negative = t < 0;
      out->mag = (guint64) (t < 0 ? -t : t);
      out->integral = TRUE;
      out->d = (double) t;
    }
}

static gboolean
value_matches_num (const Eval   *e,
                   const Value  *val,
                   const NumVal *v)
{
  Number lo;

  if (val->kind == VALUE_STRING && !val->has_num)
    return FALSE;
  if (val->kind == VALUE_GUID)
    return FALSE;
  resolve (e, val, &val->num, &lo);
  if (val->range)
    {
      Number hi;
      resolve (e, val, &val->num_hi, &hi);
      return cmp_num (v, &lo) >= 0 && cmp_num (v, &hi) <= 0;
    }
  return cmp_num (v, &lo) == 0;
}

static gboolean
test_num (const Eval   *e,
          const Test   *t,
          const NumVal *v)
{
  Number n;

  if (v->kind == NUM_D && isnan (v->d))
    return FALSE;
  switch (t->op)
    {
    case OP_EXISTS:
      return v->kind == NUM_D ? v->d != 0 : v->u != 0 || v->i != 0;
    case OP_IN:
      for (guint i = 0; i < t->n_values; i++)
        if (value_matches_num (e, &t->values[i], v))
          return TRUE;
      return FALSE;
    case OP_NE:
      return !value_matches_num (e, &t->values[0], v);
    case OP_EQ:
      return value_matches_num (e, &t->values[0], v);
    default:
      if (t->values[0].kind == VALUE_STRING && !t->values[0].has_num)
        return FALSE;
      resolve (e, &t->values[0], &t->values[0].num, &n);
      return op_holds (t->op, cmp_num (v, &n));
    }
}

static gboolean
test_u64 (const Eval *e,
          const Test *t,
          guint64     u)
{
  NumVal v = { NUM_U, u, 0, 0 };
  return test_num (e, t, &v);
}

static gboolean
test_i64 (const Eval *e,
          const Test *t,
          gint64      i)
{
  NumVal v = { NUM_I, 0, i, 0 };
  if (i >= 0)
    {
      v.kind = NUM_U;
      v.u = (guint64) i;
      v.i = 0;
    }
  return test_num (e, t, &v);
}

/* Case folding: ASCII in place, other text through GLib. */
static const char *
fold (Eval       *e,
      const char *s)
{
  const char *p;

  for (p = s; *p; p++)
    if ((guchar) *p >= 0x80)
      break;
  if (*p == '\0')
    {
      g_string_truncate (e->fold, 0);
      for (p = s; *p; p++)
        g_string_append_c (e->fold, g_ascii_tolower (*p));
      return e->fold->str;
    }
  g_clear_pointer (&e->fold_heap, g_free);
  if (g_utf8_validate (s, -1, NULL))
    e->fold_heap = g_utf8_casefold (s, -1);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (s, -1);
      e->fold_heap = g_utf8_casefold (valid, -1);
    }
  return e->fold_heap;
}

static gboolean
test_text (Eval       *e,
           const Test *t,
           const char *s)
{
  const char *f;

  if (s == NULL)
    s = "";
  switch (t->op)
    {
    case OP_EXISTS:
      return s[0] != '\0';
    case OP_MATCHES:
      if (!g_utf8_validate (s, -1, NULL))
        {
          g_autofree char *valid = g_utf8_make_valid (s, -1);
          return g_regex_match (t->regex, valid, 0, NULL);
        }
      return g_regex_match (t->regex, s, 0, NULL);
    default:
      break;
    }
  f = fold (e, s);
  switch (t->op)
    {
    case OP_CONTAINS:
      return strstr (f, t->values[0].folded) != NULL;
    case OP_EQ:
      return t->values[0].folded != NULL && strcmp (f, t->values[0].folded) == 0;
    case OP_NE:
      return t->values[0].folded == NULL || strcmp (f, t->values[0].folded) != 0;
    case OP_IN:
      for (guint i = 0; i < t->n_values; i++)
        if (t->values[i].folded != NULL && strcmp (f, t->values[i].folded) == 0)
          return TRUE;
      return FALSE;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
      if (t->values[0].folded == NULL)
        return FALSE;
      return op_holds (t->op, strcmp (f, t->values[0].folded));
    default:
      return FALSE;
    }
}

static gboolean
provider_equals (Eval               *e,
                 const Value        *v,
                 const EtwsProvider *prov,
                 const char         *folded_name)
{
  if (v->has_guid && etw_guid_equal (&v->guid, &prov->guid))
    return TRUE;
  return v->folded != NULL && strcmp (folded_name, v->folded) == 0;
}

static gboolean
test_provider (Eval               *e,
               const Test         *t,
               const EtwsProvider *prov)
{
  char guid[ETW_GUID_STRING_LEN + 1];
  g_autofree char *name = NULL;

  if (prov == NULL)
    return FALSE;
  switch (t->op)
    {
    case OP_EXISTS:
      return TRUE;
    case OP_CONTAINS:
    case OP_MATCHES:
      etw_guid_format (&prov->guid, guid);
      return test_text (e, t, prov->name) || test_text (e, t, guid);
    default:
      break;
    }
  name = g_strdup (fold (e, prov->name != NULL ? prov->name : ""));
  switch (t->op)
    {
    case OP_EQ:
      return provider_equals (e, &t->values[0], prov, name);
    case OP_NE:
      return !provider_equals (e, &t->values[0], prov, name);
    case OP_IN:
      for (guint i = 0; i < t->n_values; i++)
        if (provider_equals (e, &t->values[i], prov, name))
          return TRUE;
      return FALSE;
    default:
      return FALSE;
    }
}

/* level == "Error", opcode == "Start": the name as the decoders spell it. */
static gboolean
test_named_number (Eval               *e,
                   const Test         *t,
                   guint64             number,
                   const char         *name)
{
  gboolean any = FALSE;

  if (t->op == OP_EXISTS)
    return number != 0;
  for (guint i = 0; i < t->n_values; i++)
    {
      const Value *v = &t->values[i];
      gboolean m;

      if (v->kind == VALUE_STRING && !v->has_num)
        m = name != NULL && g_ascii_strcasecmp (name, v->str) == 0;
      else
        {
          NumVal nv = { NUM_U, number, 0, 0 };
          m = value_matches_num (e, v, &nv);
        }
      if (t->op != OP_IN)
        return t->op == OP_NE ? !m : (t->op == OP_EQ ? m : test_u64 (e, t, number));
      any |= m;
    }
  return any;
}

static gboolean
test_etype (Eval       *e,
            const Test *t,
            guint16     etype)
{
  const EtwsEventType *type = etws_trace_event_type (e->trace, etype);
  const EtwsProvider *prov;

  if (type == NULL)
    return FALSE;
  prov = etws_trace_provider (e->trace, type->provider);
  switch (t->field)
    {
    case FIELD_PROVIDER:
      return test_provider (e, t, prov);
    case FIELD_ID:
      return test_u64 (e, t, type->id);
    case FIELD_OPCODE:
      {
        const char *name = prov != NULL ? etw_kernel_opcode_name (&prov->guid, type->opcode) : NULL;
        if (name == NULL)
          name = etw_standard_opcode_name (type->opcode);
        return test_named_number (e, t, type->opcode, name);
      }
    case FIELD_LEVEL:
      return test_named_number (e, t, type->level, etw_level_name (type->level));
    case FIELD_TASK:
      return test_u64 (e, t, type->task);
    case FIELD_VERSION:
      return test_u64 (e, t, type->version);
    case FIELD_EVENT:
      return test_text (e, t, etws_trace_string (e->trace, type->name));
    case FIELD_OPERATION:
      return test_text (e, t, etws_trace_string (e->trace, type->operation));
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Decoded fields ---------------------------------------------------------- */

static const EtwField *
find_field (const EtwDecoded *dec,
            const char       *name)
{
  for (guint i = 0; i < dec->n_fields; i++)
    if (dec->fields[i].name != NULL && strcmp (dec->fields[i].name, name) == 0)
      return &dec->fields[i];
  /* Schema names differ in case between producers (ProcessId/ProcessID). */
  for (guint i = 0; i < dec->n_fields; i++)
    if (dec->fields[i].name != NULL && g_ascii_strcasecmp (dec->fields[i].name, name) == 0)
      return &dec->fields[i];
  return NULL;
}

static gboolean
test_field (Eval           *e,
            const Test     *t,
            const EtwField *f)
{
  NumVal v = { NUM_U, 0, 0, 0 };
  gboolean numeric = FALSE, all_numeric = TRUE;

  if (f == NULL)
    return FALSE;
  if (t->op == OP_EXISTS)
    return TRUE;

  switch ((EtwValueType) f->type)
    {
    case ETW_VAL_INT:
    case ETW_VAL_FILETIME:
      v.kind = f->v.i >= 0 ? NUM_U : NUM_I;
      v.u = f->v.i >= 0 ? (guint64) f->v.i : 0;
      v.i = f->v.i;
      numeric = TRUE;
      break;
    case ETW_VAL_UINT:
    case ETW_VAL_HEX:
    case ETW_VAL_POINTER:
    case ETW_VAL_BOOL:
    case ETW_VAL_STATUS:
      v.u = f->v.u;
      numeric = TRUE;
      break;
    case ETW_VAL_DOUBLE:
      v.kind = NUM_D;
      v.d = f->v.d;
      numeric = TRUE;
      break;
    case ETW_VAL_GUID:
      if (t->op == OP_EQ || t->op == OP_NE || t->op == OP_IN)
        {
          gboolean any = FALSE;
          for (guint i = 0; i < t->n_values; i++)
            {
              if (!t->values[i].has_guid)
                {
                  any = FALSE;
                  goto as_text;
                }
              any |= etw_guid_equal (&t->values[i].guid, &f->v.g);
            }
          return t->op == OP_NE ? !any : any;
        }
      break;
    default:
      break;
    }

  /* Numbers compare as numbers when every literal is one (or spells one). */
  for (guint i = 0; i < t->n_values; i++)
    {
      const Value *val = &t->values[i];
      if (!(val->kind == VALUE_NUMBER || val->kind == VALUE_TIME || val->kind == VALUE_DURATION ||
            (val->kind == VALUE_STRING && val->has_num)))
        all_numeric = FALSE;
    }
  if (numeric && all_numeric && t->op != OP_CONTAINS && t->op != OP_MATCHES)
    return test_num (e, t, &v);

  if (!numeric && f->type == ETW_VAL_STRING && all_numeric && t->op != OP_CONTAINS &&
      t->op != OP_MATCHES && f->v.s != NULL)
    {
      /* A number kept as text ("1234"): compare it as a number when it is one. */
      Number n;
      const char *s = f->v.s;
      gsize len = strlen (s);
      if (len > 0 && len < 64)
        {
          char buf[64];
          memcpy (buf, s, len + 1);
          g_strstrip (buf);
          if (buf[0] != '\0' && g_ascii_isdigit (buf[buf[0] == '-' ? 1 : 0]))
            {
              if (_etws_filter_parse_number (buf, &n))
                {
                  NumVal sv = { n.integral && !n.negative ? NUM_U : NUM_D, n.mag, 0, n.d };
                  if (n.integral && n.negative)
                    {
                      sv.kind = NUM_I;
                      sv.i = -(gint64) MIN (n.mag, (guint64) G_MAXINT64);
                    }
                  return test_num (e, t, &sv);
                }
            }
        }
    }

as_text:
  g_string_truncate (e->text, 0);
  if (f->type == ETW_VAL_BINARY)
    {
      static const char hex[] = "0123456789abcdef";

      /* Equality needs text of the same length: most rows end here. */
      if (t->op == OP_EQ || t->op == OP_NE || t->op == OP_IN)
        {
          gboolean possible = FALSE;
          for (guint i = 0; i < t->n_values; i++)
            possible |= t->values[i].folded != NULL &&
                        strlen (t->values[i].folded) == 2 * (gsize) f->len;
          if (!possible)
            return t->op == OP_NE;
        }
      g_string_set_size (e->text, 2 * (gsize) f->len);
      for (guint32 i = 0; i < f->len; i++)
        {
          e->text->str[2 * i] = hex[f->v.b[i] >> 4];
          e->text->str[2 * i + 1] = hex[f->v.b[i] & 15];
        }
    }
  else
    etws_format_field_value (e->text, f);
  return test_text (e, t, e->text->str);
}

static const EtwDecoded *
decode_row (Eval    *e,
            guint64  row)
{
  if (e->decoded_row == row)
    return e->dec;
  if (e->decoder == NULL)
    {
      e->decoder = etws_row_decoder_new (e->store, e->trace);
      if (e->no_replay)
        etws_row_decoder_set_replay (e->decoder, FALSE);
    }
  e->dec = etws_row_decoder_decode (e->decoder, row, e->filter->decode_flags, NULL);
  e->decoded_row = row;
  return e->dec;
}

static gboolean
test_decoded (Eval       *e,
              const Test *t,
              guint64     row)
{
  const EtwDecoded *dec = decode_row (e, row);

  if (dec == NULL)
    return FALSE;
  if (t->field == FIELD_DETAIL)
    return test_text (e, t, dec->detail);
  return test_field (e, t, find_field (dec, t->name));
}

/* Memos ----------------------------------------------------------------- */

static gboolean eval_etype (Eval *e, Node *n, guint16 etype);

static gboolean
etype_memo (Eval    *e,
            Node    *n,
            guint16  etype)
{
  NodeState *st = &e->state[n->index];

  if (G_UNLIKELY (st->etypes == NULL))
    st->etypes = g_new0 (guint8, G_MAXUINT16 + 1);
  if (G_UNLIKELY (st->etypes[etype] == 0))
    st->etypes[etype] = eval_etype (e, n, etype) ? 2 : 1;
  return st->etypes[etype] == 2;
}

static gboolean
eval_etype (Eval    *e,
            Node    *n,
            guint16  etype)
{
  switch (n->kind)
    {
    case NODE_TRUE:
      return TRUE;
    case NODE_NOT:
      return !eval_etype (e, n->kids[0], etype);
    case NODE_AND:
      for (guint i = 0; i < n->n_kids; i++)
        if (!eval_etype (e, n->kids[i], etype))
          return FALSE;
      return TRUE;
    case NODE_OR:
      for (guint i = 0; i < n->n_kids; i++)
        if (eval_etype (e, n->kids[i], etype))
          return TRUE;
      return FALSE;
    case NODE_TEST:
      return test_etype (e, n->test, etype);
    default:
      return FALSE;
    }
}

static gboolean
string_memo (Eval    *e,
             Node    *n,
             guint32  id)
{
  NodeState *st = &e->state[n->index];

  if (G_UNLIKELY (id >= st->n_strings))
    {
      gsize want = MAX ((gsize) id + 1, MAX (st->n_strings * 2, 4096));
      st->strings = g_renew (guint8, st->strings, want);
      memset (st->strings + st->n_strings, 0, want - st->n_strings);
      st->n_strings = want;
    }
  if (G_UNLIKELY (st->strings[id] == 0))
    st->strings[id] = test_text (e, n->test, etws_trace_string (e->trace, id)) ? 2 : 1;
  return st->strings[id] == 2;
}

static guint32
string_column (EtwsStore *store,
               FieldId    field,
               guint64    row)
{
  switch (field)
    {
    case FIELD_PROCESS: return etws_store_get_process (store, row);
    case FIELD_PATH: return etws_store_get_path (store, row);
    case FIELD_RESULT: return etws_store_get_result (store, row);
    default: g_assert_not_reached ();
    }
  return 0;
}

static EtwsStoreColumn
string_column_id (FieldId field)
{
  switch (field)
    {
    case FIELD_PROCESS: return ETWS_STORE_COLUMN_PROCESS;
    case FIELD_PATH: return ETWS_STORE_COLUMN_PATH;
    case FIELD_RESULT:
    default:
      return ETWS_STORE_COLUMN_RESULT;
    }
}

/* One row ---------------------------------------------------------------- */

static gboolean
eval_row (Eval    *e,
          Node    *n,
          guint64  row)
{
  if (n->etype_only)
    return etype_memo (e, n, etws_store_get_etype (e->store, row));

  switch (n->kind)
    {
    case NODE_TRUE:
      return TRUE;
    case NODE_NOT:
      return !eval_row (e, n->kids[0], row);
    case NODE_AND:
      for (guint i = 0; i < n->n_kids; i++)
        if (!eval_row (e, n->kids[i], row))
          return FALSE;
      return TRUE;
    case NODE_OR:
      for (guint i = 0; i < n->n_kids; i++)
        if (eval_row (e, n->kids[i], row))
          return TRUE;
      return FALSE;
    case NODE_TEST:
      switch (n->test->field)
        {
        case FIELD_PID:
          return test_u64 (e, n->test, etws_store_get_pid (e->store, row));
        case FIELD_TID:
          return test_u64 (e, n->test, etws_store_get_tid (e->store, row));
        case FIELD_CPU:
          return test_u64 (e, n->test, etws_store_get_cpu (e->store, row));
        case FIELD_TIME:
          return test_i64 (e, n->test, etws_store_get_time (e->store, row));
        case FIELD_PROCESS:
        case FIELD_PATH:
        case FIELD_RESULT:
          return string_memo (e, n, string_column (e->store, n->test->field, row));
        case FIELD_DETAIL:
        case FIELD_DECODED:
          return test_decoded (e, n->test, row);
        default:
          return etype_memo (e, n, etws_store_get_etype (e->store, row));
        }
    default:
      return FALSE;
    }
}

/* Blocks ---------------------------------------------------------------- */

static gboolean
mask_empty (const guint64 *m,
            guint          words)
{
  guint64 any = 0;

  for (guint w = 0; w < words; w++)
    any |= m[w];
  return any == 0;
}

/* A single-constant comparison on a 32-bit column, the common case
 * (pid == 4): straight loops the compiler can vectorize. */
#define SCAN_U32(cmp)                                                   \
  for (guint w = 0; w < words; w++)                                     \
    {                                                                   \
      guint64 m = 0;                                                    \
      guint lim = MIN (64, count - w * 64);                             \
      const guint32 *c = col + w * 64;                                  \
      for (guint i = 0; i < lim; i++)                                   \
        m |= (guint64) (c[i] cmp k) << i;                               \
      out[w] = in[w] & m;                                               \
    }

static gboolean
scan_u32 (const Test    *t,
          const guint32 *col,
          guint          count,
          const guint64 *in,
          guint64       *out)
{
  guint words = (count + 63) / 64;
  const Value *v;
  guint32 k;

  if (t->n_values != 1 || t->op == OP_IN)
    return FALSE;
  v = &t->values[0];
  if (v->kind != VALUE_NUMBER || !v->num.integral || v->num.negative || v->num.mag > G_MAXUINT32 ||
      v->range)
    return FALSE;
  k = (guint32) v->num.mag;
  switch (t->op)
    {
    case OP_EQ: SCAN_U32 (==); break;
    case OP_NE: SCAN_U32 (!=); break;
    case OP_LT: SCAN_U32 (<); break;
    case OP_LE: SCAN_U32 (<=); break;
    case OP_GT: SCAN_U32 (>); break;
    case OP_GE: SCAN_U32 (>=); break;
    default: return FALSE;
    }
  return TRUE;
}

static void
check_cancel (Eval *e)
{
  if (e->cancellable != NULL && g_cancellable_is_cancelled (e->cancellable))
    e->cancelled = TRUE;
}

static void
eval_block (Eval          *e,
            Node          *n,
            guint64        base,
            guint          count,
            const guint64 *in,
            guint64       *out)
{
  guint words = (count + 63) / 64;
  guint64 run = 0;

  if (mask_empty (in, words) || e->cancelled)
    {
      memset (out, 0, words * sizeof (guint64));
      return;
    }

  if (n->etype_only)
    {
      const guint16 *col = etws_store_get_column_run (e->store, ETWS_STORE_COLUMN_ETYPE, base, &run);
      if (col != NULL && run >= count)
        {
          NodeState *st = &e->state[n->index];
          for (guint w = 0; w < words; w++)
            {
              guint64 m = 0;
              guint lim = MIN (64, count - w * 64);
              const guint16 *c = col + w * 64;

              if (in[w] == 0)
                {
                  out[w] = 0;
                  continue;
                }
              for (guint i = 0; i < lim; i++)
                {
                  guint8 s = st->etypes != NULL ? st->etypes[c[i]] : 0;
                  if (G_UNLIKELY (s == 0))
                    s = etype_memo (e, n, c[i]) ? 2 : 1;
                  m |= (guint64) (s == 2) << i;
                }
              out[w] = in[w] & m;
            }
          return;
        }
    }

  switch (n->kind)
    {
    case NODE_TRUE:
      memmove (out, in, words * sizeof (guint64));
      return;

    case NODE_NOT:
      {
        guint64 kid[BLOCK_WORDS];
        eval_block (e, n->kids[0], base, count, in, kid);
        for (guint w = 0; w < words; w++)
          out[w] = in[w] & ~kid[w];
        return;
      }

    case NODE_AND:
      if (out != in)
        memcpy (out, in, words * sizeof (guint64));
      for (guint i = 0; i < n->n_kids && !mask_empty (out, words); i++)
        eval_block (e, n->kids[i], base, count, out, out);
      return;

    case NODE_OR:
      {
        guint64 acc[BLOCK_WORDS], rest[BLOCK_WORDS], kid[BLOCK_WORDS];

        memset (acc, 0, words * sizeof (guint64));
        memcpy (rest, in, words * sizeof (guint64));
        for (guint i = 0; i < n->n_kids && !mask_empty (rest, words); i++)
          {
            eval_block (e, n->kids[i], base, count, rest, kid);
            for (guint w = 0; w < words; w++)
              {
                acc[w] |= kid[w];
                rest[w] &= ~kid[w];
              }
          }
        memcpy (out, acc, words * sizeof (guint64));
        return;
      }

    case NODE_TEST:
      break;

    default:
      memset (out, 0, words * sizeof (guint64));
      return;
    }

  switch (n->test->field)
    {
    case FIELD_PID:
    case FIELD_TID:
      {
        const guint32 *col = etws_store_get_column_run (e->store,
                                                        n->test->field == FIELD_PID
                                                          ? ETWS_STORE_COLUMN_PID
                                                          : ETWS_STORE_COLUMN_TID,
                                                        base, &run);
        if (col != NULL && run >= count)
          {
            if (scan_u32 (n->test, col, count, in, out))
              return;
            for (guint w = 0; w < words; w++)
              {
                guint64 m = 0;
                guint lim = MIN (64, count - w * 64);
                for (guint i = 0; i < lim; i++)
                  if ((in[w] >> i) & 1)
                    m |= (guint64) test_u64 (e, n->test, col[w * 64 + i]) << i;
                out[w] = m;
              }
            return;
          }
        break;
      }

    case FIELD_PROCESS:
    case FIELD_PATH:
    case FIELD_RESULT:
      {
        const guint32 *col = etws_store_get_column_run (e->store, string_column_id (n->test->field),
                                                        base, &run);
        if (col != NULL && run >= count)
          {
            NodeState *st = &e->state[n->index];
            for (guint w = 0; w < words; w++)
              {
                guint64 m = 0;
                guint lim = MIN (64, count - w * 64);
                const guint32 *c = col + w * 64;

                if (in[w] == 0)
                  {
                    out[w] = 0;
                    continue;
                  }
                for (guint i = 0; i < lim; i++)
                  {
                    guint32 id = c[i];
                    guint8 s = id < st->n_strings ? st->strings[id] : 0;
                    if (G_UNLIKELY (s == 0))
                      s = string_memo (e, n, id) ? 2 : 1;
                    m |= (guint64) (s == 2) << i;
                  }
                out[w] = in[w] & m;
              }
            return;
          }
        break;
      }

    case FIELD_DETAIL:
    case FIELD_DECODED:
      for (guint w = 0; w < words; w++)
        {
          guint64 bits = in[w], m = 0;

          while (bits != 0 && !e->cancelled)
            {
              guint i = (guint) __builtin_ctzll (bits);
              bits &= bits - 1;
              if (test_decoded (e, n->test, base + w * 64 + i))
                m |= G_GUINT64_CONSTANT (1) << i;
              if (++e->since_check >= 256)
                {
                  e->since_check = 0;
                  check_cancel (e);
                }
            }
          out[w] = m;
        }
      return;

    default:
      break;
    }

  /* Everything else (cpu, time, odd literals): row by row. */
  for (guint w = 0; w < words; w++)
    {
      guint64 bits = in[w], m = 0;

      while (bits != 0)
        {
          guint i = (guint) __builtin_ctzll (bits);
          bits &= bits - 1;
          if (eval_row (e, n, base + w * 64 + i))
            m |= G_GUINT64_CONSTANT (1) << i;
        }
      out[w] = m;
    }
}

/* Public ---------------------------------------------------------------- */

gboolean
etws_filter_evaluate (EtwsFilter       *self,
                      EtwsStore        *store,
                      guint64           start,
                      guint64           end,
                      EtwsBitset       *bits,
                      GCancellable     *cancellable,
                      EtwsProgressFunc  progress,
                      gpointer          progress_data)
{
  end = MIN (end, etws_store_get_n_rows (store));
  return _etws_filter_evaluate_trace (self, store, etws_store_get_trace (store), start, end, bits,
                                      cancellable, progress, progress_data);
}

gboolean
_etws_filter_evaluate_trace (EtwsFilter       *self,
                             EtwsStore        *store,
                             EtwsTrace        *trace,
                             guint64           start,
                             guint64           end,
                             EtwsBitset       *bits,
                             GCancellable     *cancellable,
                             EtwsProgressFunc  progress,
                             gpointer          progress_data)
{
  Eval e;
  guint64 block;
  guint n_blocks = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (bits != NULL && bits->n_bits >= end, FALSE);

  if (start >= end || trace == NULL)
    return TRUE;

  eval_init (&e, self, store, trace, TRUE);
  e.cancellable = cancellable;

  for (block = start & ~(guint64) (BLOCK_ROWS - 1); block < end; block += BLOCK_ROWS)
    {
      guint64 in[BLOCK_WORDS], out[BLOCK_WORDS];
      guint count = (guint) MIN (BLOCK_ROWS, end - block);
      guint words = (count + 63) / 64;

      for (guint w = 0; w < words; w++)
        {
          guint64 lo = block + w * 64, m = ~G_GUINT64_CONSTANT (0);
          if (lo + 64 <= start)
            m = 0;
          else if (lo < start)
            m <<= start - lo;
          if (lo + 64 > end)
            m &= end > lo ? (G_GUINT64_CONSTANT (1) << (end - lo)) - 1 : 0;
          in[w] = m;
        }
      eval_block (&e, self->root, block, count, in, out);
      if (e.cancelled)
        break;
      for (guint w = 0; w < words; w++)
        {
          guint64 *word = &bits->words[(block >> 6) + w];
          *word = (*word & ~in[w]) | out[w];
        }
      if ((++n_blocks & 15) == 0)
        {
          check_cancel (&e);
          if (e.cancelled)
            break;
          if (progress != NULL)
            progress (MIN (block + BLOCK_ROWS, end) - start, end - start, progress_data);
        }
    }
  if (!e.cancelled && progress != NULL)
    progress (end - start, end - start, progress_data);

  {
    gboolean ok = !e.cancelled;
    eval_clear (&e);
    return ok;
  }
}

GArray *
etws_filter_evaluate_rows (EtwsFilter   *self,
                           EtwsStore    *store,
                           GCancellable *cancellable)
{
  guint64 n = etws_store_get_n_rows (store);
  g_autoptr(EtwsBitset) bits = etws_bitset_new (n);
  GArray *rows;

  if (!etws_filter_evaluate (self, store, 0, n, bits, cancellable, NULL, NULL))
    return NULL;
  rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  etws_bitset_append_rows (bits, 0, n, rows);
  return rows;
}

/* Matcher ---------------------------------------------------------------- */

struct _EtwsFilterMatcher
{
  EtwsFilter *filter;
  EtwsStore  *store;
  EtwsTrace  *trace;
  Eval        eval;
  gboolean    ready;
  gboolean    replay;
};

EtwsFilterMatcher *
etws_filter_matcher_new (EtwsFilter *filter,
                         EtwsStore  *store)
{
  EtwsFilterMatcher *m = g_new0 (EtwsFilterMatcher, 1);

  m->filter = etws_filter_ref (filter);
  m->store = g_object_ref (store);
  m->replay = TRUE;
  return m;
}

void
etws_filter_matcher_free (EtwsFilterMatcher *m)
{
  if (m == NULL)
    return;
  if (m->ready)
    eval_clear (&m->eval);
  g_clear_object (&m->trace);
  g_clear_object (&m->store);
  etws_filter_unref (m->filter);
  g_free (m);
}

gboolean
etws_filter_matcher_match (EtwsFilterMatcher *m,
                           guint64            index)
{
  EtwsTrace *trace = etws_store_get_trace (m->store);

  if (index >= etws_store_get_n_rows (m->store) || trace == NULL)
    return FALSE;
  /* The memos belong to one trace; a store that moved on starts afresh. */
  if (m->ready && m->trace != trace)
    {
      eval_clear (&m->eval);
      m->ready = FALSE;
    }
  if (!m->ready)
    {
      g_set_object (&m->trace, trace);
      eval_init (&m->eval, m->filter, m->store, trace, TRUE);
      m->eval.no_replay = !m->replay;
      m->ready = TRUE;
    }
  m->eval.decoded_row = G_MAXUINT64;
  return eval_row (&m->eval, m->filter->root, index);
}

void
etws_filter_matcher_set_replay (EtwsFilterMatcher *m,
                                gboolean           replay)
{
  m->replay = !!replay;
  if (m->ready)
    {
      m->eval.no_replay = !m->replay;
      if (m->eval.decoder != NULL)
        etws_row_decoder_set_replay (m->eval.decoder, m->replay);
    }
}

gboolean
etws_filter_matcher_predicate (EtwsStore *store,
                               guint64    index,
                               gpointer   matcher)
{
  return etws_filter_matcher_match (matcher, index);
}
