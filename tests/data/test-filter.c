/* test-filter.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filter language and engine. Parser: valid expressions (checked by
 * their canonical form) and invalid ones (checked by error kind and
 * position). Engine: on real fixtures, every filter's rows are compared
 * row by row with the rows a plain C predicate selects from the parsed
 * `etwcat --format jsonl` output of the same file; the literals are picked
 * from that output so that each filter selects some rows but not all.
 */
#define G_LOG_DOMAIN "test-filter"

#include "config.h"

#include <string.h>

#include "etws-file-source.h"
#include "etws-filter-runner.h"
#include "etws-filter.h"
#include "test-filter-common.h"

/* Parser: valid expressions ------------------------------------------------ */

static void
test_parse_valid (void)
{
  static const struct
  {
    const char *expr;
    const char *canonical;
  } cases[] = {
    { "pid == 4", "(pid == 4)" },
    { "  PID=4 ", "(pid == 4)" },
    { "pid eq 0x10", "(pid == 16)" },
    { "tid != 8 && cpu < 2 || id >= 3", "(((tid != 8) && (cpu < 2)) || (id >= 3))" },
    { "a_b_c" , NULL },  /* unknown field: checked below, not here */
    { "!pid == 4", "!(pid == 4)" },
    { "not (pid == 4 or pid == 5) and tid le 3",
      "(!((pid == 4) || (pid == 5)) && (tid <= 3))" },
    { "process contains \"svc\"", "(process contains \"svc\")" },
    { "path matches '^C:\\\\Win'", "(path matches \"^C:\\\\Win\")" },
    { "path ~ \"x\"", "(path matches \"x\")" },
    { "pid in {4, 8 0x10}", "(pid in {4, 8, 16})" },
    { "pid in {1..5, 9}", "(pid in {1..5, 9})" },
    { "provider == {22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}",
      "(provider == {22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716})" },
    { "provider == 22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716",
      "(provider == {22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716})" },
    { "provider in {\"Image\", {22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}}",
      "(provider in {\"Image\", {22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}})" },
    { "time >= 2020-07-29T00:07:00.6236167Z", "(time >= 2020-07-29T00:07:00.6236167Z)" },
    { "time < 2020-07-29T02:07:01+02:00", "(time < 2020-07-29T00:07:01.0000000Z)" },
    { "time < \"2020-07-29\"", "(time < 2020-07-29T00:00:00.0000000Z)" },
    { "time < 1.5s", "(time < 1500000000ns)" },
    { "time in {250ms..1s}", "(time in {250000000ns..1000000000ns})" },
    { "field.FileObject == 0xff", "(field.\"FileObject\" == 255)" },
    { "field.\"Name with spaces\" contains \"x\"", "(field.\"Name with spaces\" contains \"x\")" },
    { "field.Size > -1.5", "(field.\"Size\" > -1.5)" },
    { "detail", "(detail)" },
    { "level == \"Error\" && opcode == \"Start\"", "((level == \"Error\") && (opcode == \"Start\"))" },
    { "pid == \"4\"", "(pid == 4)" },
    { "path == \"say \\\"hi\\\"\\n\"", "(path == \"say \\\"hi\\\"\\n\")" },
    { "((pid == 1))", "(pid == 1)" },
    { "", "true" },
    { "   ", "true" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsFilter) filter = NULL;
      g_autofree char *canonical = NULL;

      if (cases[i].canonical == NULL)
        continue;
      filter = etws_filter_new (cases[i].expr, &error);
      if (error != NULL)
        g_error ("“%s”: %s", cases[i].expr, error->message);
      canonical = etws_filter_to_string (filter);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_cmpstr (etws_filter_get_expression (filter), ==, cases[i].expr);

      /* The canonical form parses back to itself. */
      if (strcmp (canonical, "true") != 0)
        {
          g_autoptr(EtwsFilter) again = etws_filter_new (canonical, &error);
          g_autofree char *twice = NULL;
          g_assert_no_error (error);
          twice = etws_filter_to_string (again);
          g_assert_cmpstr (twice, ==, canonical);
        }
    }
}

/* Parser: errors and their positions --------------------------------------- */

static void
test_parse_errors (void)
{
  static const struct
  {
    const char *expr;
    int         code;
    guint       offset;
    guint       length;
    guint       column;
    const char *message_part;
  } cases[] = {
    { "pdi == 4", ETWS_FILTER_ERROR_UNKNOWN_FIELD, 0, 3, 1, "did you mean “pid”" },
    { "pid ==", ETWS_FILTER_ERROR_SYNTAX, 6, 1, 7, "expected a value" },
    { "pid == 4 &&", ETWS_FILTER_ERROR_SYNTAX, 11, 1, 12, "ends too early" },
    { "(pid == 4", ETWS_FILTER_ERROR_SYNTAX, 0, 1, 1, "no closing “)”" },
    { "pid == 4)", ETWS_FILTER_ERROR_SYNTAX, 8, 1, 9, "no matching “(”" },
    { "pid == 4 tid == 5", ETWS_FILTER_ERROR_SYNTAX, 9, 3, 10, "expected “&&”" },
    { "pid contains \"x\"", ETWS_FILTER_ERROR_TYPE, 13, 3, 14, "is a number" },
    { "path == 4", ETWS_FILTER_ERROR_TYPE, 8, 1, 9, "put the value in quotes" },
    { "pid == \"abc\"", ETWS_FILTER_ERROR_TYPE, 7, 5, 8, "is a number" },
    { "path < \"a\"", ETWS_FILTER_ERROR_TYPE, 5, 1, 6, "needs a number or a time" },
    { "path matches \"(\"", ETWS_FILTER_ERROR_VALUE, 13, 3, 14, "bad regular expression" },
    { "time > 2020-13-01", ETWS_FILTER_ERROR_VALUE, 7, 10, 8, "not a time" },
    { "time == \"yesterday\"", ETWS_FILTER_ERROR_VALUE, 8, 11, 9, "not a time" },
    { "pid == 0xZZ", ETWS_FILTER_ERROR_VALUE, 7, 4, 8, "not a number" },
    { "pid == 12abc", ETWS_FILTER_ERROR_VALUE, 7, 5, 8, "not a number or a duration" },
    { "pid == 1.5s", ETWS_FILTER_ERROR_TYPE, 7, 4, 8, "is a number" },
    { "pid == 1.5", ETWS_FILTER_ERROR_VALUE, 7, 3, 8, "whole number" },
    { "pid in {}", ETWS_FILTER_ERROR_SYNTAX, 7, 2, 8, "empty set" },
    { "pid in {1, 2", ETWS_FILTER_ERROR_SYNTAX, 7, 1, 8, "no closing “}”" },
    { "pid in 1", ETWS_FILTER_ERROR_SYNTAX, 7, 1, 8, "expected “{”" },
    { "path in {\"a\"..\"b\"}", ETWS_FILTER_ERROR_TYPE, 12, 2, 13, "range" },
    { "path == \"abc", ETWS_FILTER_ERROR_SYNTAX, 8, 4, 9, "no closing" },
    { "path == \"a\\qb\"", ETWS_FILTER_ERROR_SYNTAX, 10, 2, 11, "unknown escape" },
    { "pid == 4 & tid == 5", ETWS_FILTER_ERROR_SYNTAX, 9, 1, 10, "use “&&”" },
    { "pid == 4 | tid == 5", ETWS_FILTER_ERROR_SYNTAX, 9, 1, 10, "use “||”" },
    { "process == svchost", ETWS_FILTER_ERROR_SYNTAX, 11, 7, 12, "put text in quotes" },
    { "\"x\" == path", ETWS_FILTER_ERROR_SYNTAX, 0, 3, 1, "starts with a field name" },
    { "pid 4", ETWS_FILTER_ERROR_SYNTAX, 4, 1, 5, "expected an operator" },
    { "field. == 1", ETWS_FILTER_ERROR_SYNTAX, 0, 6, 1, "needs a field name" },
    { "provider < \"x\"", ETWS_FILTER_ERROR_TYPE, 9, 1, 10, "needs a number or a time" },
    { "provider == 4", ETWS_FILTER_ERROR_TYPE, 12, 1, 13, "name or a GUID" },
    { "time contains \"1\"", ETWS_FILTER_ERROR_TYPE, 14, 3, 15, "works on text" },
    { "pid == 4 # x", ETWS_FILTER_ERROR_SYNTAX, 9, 1, 10, "unexpected “#”" },
    { "()", ETWS_FILTER_ERROR_SYNTAX, 0, 2, 1, "empty parentheses" },
    { "&& pid == 1", ETWS_FILTER_ERROR_SYNTAX, 0, 2, 1, "expected a field name" },
    /* Columns count characters: “é” is two bytes, one column. */
    { "path == \"é\" && pdi == 1", ETWS_FILTER_ERROR_UNKNOWN_FIELD, 16, 3, 16, "pdi" },
    { "path == \"é\" && pid == ", ETWS_FILTER_ERROR_SYNTAX, 23, 1, 23, "expected a value" },
    { "pid == 1 && € == 2", ETWS_FILTER_ERROR_SYNTAX, 12, 3, 13, "unexpected “€”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsFilter) filter = etws_filter_new (cases[i].expr, &error);
      guint offset = 99, length = 99, column = 99;

      if (filter != NULL)
        g_error ("“%s” parsed but should not", cases[i].expr);
      g_assert_error (error, ETWS_FILTER_ERROR, cases[i].code);
      g_assert_true (etws_filter_error_get_span (error, &offset, &length, &column));
      if (offset != cases[i].offset || length != cases[i].length || column != cases[i].column ||
          strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: got offset %u length %u column %u “%s”; expected %u/%u/%u “…%s…”",
                 cases[i].expr, offset, length, column, error->message, cases[i].offset,
                 cases[i].length, cases[i].column, cases[i].message_part);
      /* The message leads with the column, for tooltips and etwcat. */
      {
        g_autofree char *lead = g_strdup_printf ("Column %u: ", column);
        g_assert_true (g_str_has_prefix (error->message, lead));
      }
    }

  /* Errors of other domains have no span. */
  {
    g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
    g_assert_false (etws_filter_error_get_span (other, NULL, NULL, NULL));
  }
}

static void
test_parse_limits (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) nots = g_string_new (NULL);
  g_autoptr(GString) set = g_string_new ("pid in {");
  g_autoptr(GString) longer = g_string_new ("pid == 1");
  g_autoptr(GError) error = NULL;
  EtwsFilter *f;
  guint offset;

  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, '(');
  g_string_append (deep, "pid == 1");
  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, ')');
  f = etws_filter_new (deep->str, &error);
  g_assert_null (f);
  g_assert_error (error, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_TOO_COMPLEX);
  g_assert_true (etws_filter_error_get_span (error, &offset, NULL, NULL));
  g_assert_cmpuint (offset, ==, 64);
  g_clear_error (&error);

  for (guint i = 0; i < 1000; i++)
    g_string_append_c (nots, '!');
  g_string_append (nots, "pid == 1");
  f = etws_filter_new (nots->str, &error);
  g_assert_null (f);
  g_assert_error (error, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_TOO_COMPLEX);
  g_clear_error (&error);

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (set, "%u,", i);
  g_string_append_c (set, '}');
  f = etws_filter_new (set->str, &error);
  g_assert_null (f);
  g_assert_error (error, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_TOO_COMPLEX);
  g_clear_error (&error);

  while (longer->len <= 65536)
    g_string_append (longer, " || pid == 1");
  f = etws_filter_new (longer->str, &error);
  g_assert_null (f);
  g_assert_error (error, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_TOO_COMPLEX);
  g_clear_error (&error);

  /* Not UTF-8. */
  f = etws_filter_new ("path == \"\xff\"", &error);
  g_assert_null (f);
  g_assert_error (error, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_SYNTAX);
  g_assert_true (etws_filter_error_get_span (error, &offset, NULL, NULL));
  g_assert_cmpuint (offset, ==, 9);
}

/* Random input never crashes; every error points inside the text. */
static void
test_parse_random (void)
{
  static const char alphabet[] = "pidtmecoansvlfh.=!<>&|(){}\"' 0123456789x,-:TZ~\\é";
  GRand *rand = g_rand_new_with_seed (20260);

  for (guint n = 0; n < 20000; n++)
    {
      char buf[48];
      guint len = (guint) g_rand_int_range (rand, 0, sizeof buf - 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsFilter) f = NULL;
      guint offset, length;

      for (guint i = 0; i < len; i++)
        buf[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      buf[len] = '\0';
      f = etws_filter_new (buf, &error);
      if (f == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (etws_filter_error_get_span (error, &offset, &length, NULL));
          g_assert_cmpuint (offset, <=, len);
        }
      else if (!etws_filter_matches_all (f))
        {
          g_autofree char *canonical = etws_filter_to_string (f);
          g_autoptr(EtwsFilter) again = etws_filter_new (canonical, &error);
          g_assert_no_error (error);
          g_assert_nonnull (again);
        }
    }
  g_rand_free (rand);
}

/* Expressions for the UI ------------------------------------------------- */

static void
test_clauses (void)
{
  const char *values[] = { "a.exe", "b \"c\".exe", NULL };
  const char *pids[] = { "4", "0x10", NULL };
  const char *bad[] = { "4", "four", NULL };
  g_autofree char *c1 = etws_filter_clause_for_value ("process", "C:\\x \"y\"", FALSE);
  g_autofree char *c2 = etws_filter_clause_for_value ("pid", "1234", TRUE);
  g_autofree char *c3 = etws_filter_clause_for_value ("pid", "12ab", FALSE);
  g_autofree char *c4 = etws_filter_clause_for_values ("process", values, TRUE);
  g_autofree char *c5 = etws_filter_clause_for_values ("pid", pids, FALSE);
  g_autofree char *c6 = etws_filter_clause_for_values ("pid", bad, FALSE);
  g_autofree char *c7 = etws_filter_clause_for_value ("nosuch", "1", FALSE);
  g_autofree char *c8 = etws_filter_clause_for_value ("field.FileName", "x", FALSE);
  g_autofree char *j1 = etws_filter_combine ("pid == 4 || pid == 8", "tid == 1");
  g_autofree char *j2 = etws_filter_combine ("  ", "tid == 1 ");
  g_autofree char *j3 = etws_filter_combine ("path contains \"a||b\"", "tid == 1");
  g_autofree char *j4 = etws_filter_combine ("(a) or (b)", NULL);
  g_autofree char *j5 = etws_filter_combine ("pid == 1 or pid == 2", "x");
  const char *all[] = { c1, c2, c4, c5, c8, j1, j3 };

  g_assert_cmpstr (c1, ==, "process == \"C:\\\\x \\\"y\\\"\"");
  g_assert_cmpstr (c2, ==, "pid != 1234");
  g_assert_null (c3);
  g_assert_cmpstr (c4, ==, "!(process in {\"a.exe\", \"b \\\"c\\\".exe\"})");
  g_assert_cmpstr (c5, ==, "pid in {4, 0x10}");
  g_assert_null (c6);
  g_assert_null (c7);
  g_assert_cmpstr (c8, ==, "field.FileName == \"x\"");
  g_assert_cmpstr (j1, ==, "(pid == 4 || pid == 8) && tid == 1");
  g_assert_cmpstr (j2, ==, "tid == 1");
  g_assert_cmpstr (j3, ==, "path contains \"a||b\" && tid == 1");
  g_assert_cmpstr (j4, ==, "(a) or (b)");
  g_assert_cmpstr (j5, ==, "(pid == 1 or pid == 2) && x");
  {
    g_autofree char *t = etws_filter_clause_for_value ("time", "2020-07-29T00:07:00.6528893Z", FALSE);
    g_autoptr(EtwsFilter) f = etws_filter_new (t, NULL);
    g_autofree char *canonical = etws_filter_to_string (f);
    g_assert_cmpstr (canonical, ==, "(time == 2020-07-29T00:07:00.6528893Z)");
  }

  /* Everything they build parses. */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsFilter) f = etws_filter_new (all[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (f);
    }
  g_assert_nonnull (etws_filter_list_fields ());
}

/* Engine against jsonl ------------------------------------------------------ */

typedef struct
{
  const char *name;
  EtwsStore  *store;
  GPtrArray  *objs;
} Fixture;

typedef gboolean (*JsonPred) (JsonObject *o,
                              gpointer    data);

static const char *
obj_str (JsonObject *o,
         const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gint64
obj_int (JsonObject *o,
         const char *key)
{
  return json_object_get_int_member (o, key);
}

/* A member as text: strings as they are, numbers in decimal. */
static char *
obj_text (JsonObject *o,
          const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  return NULL;
}

static gboolean
ci_equal (const char *a,
          const char *b)
{
  g_autofree char *fa = NULL, *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return strcmp (fa, fb) == 0;
}

static gboolean
ci_contains (const char *hay,
             const char *needle)
{
  g_autofree char *fa = NULL, *fb = NULL;

  if (hay == NULL)
    return FALSE;
  fa = g_utf8_casefold (hay, -1);
  fb = g_utf8_casefold (needle, -1);
  return strstr (fa, fb) != NULL;
}

/* The most frequent value of key that some but not all events have, and
 * the runner-up (for sets). */
static char *
pick_value (GPtrArray  *objs,
            const char *key,
            char      **second)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer k, v;
  char *best = NULL, *next = NULL;
  guint best_n = 0, next_n = 0;

  for (guint i = 0; i < objs->len; i++)
    {
      char *t = obj_text (g_ptr_array_index (objs, i), key);
      guint n;
      if (t == NULL || t[0] == '\0')
        {
          g_free (t);
          continue;
        }
      n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, t));
      g_hash_table_replace (counts, t, GUINT_TO_POINTER (n + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      guint n = GPOINTER_TO_UINT (v);
      if (n >= objs->len)
        continue;
      if (n > best_n || (n == best_n && best != NULL && strcmp (k, best) < 0))
        {
          next = best;
          next_n = best_n;
          best = k;
          best_n = n;
        }
      else if (n > next_n || (n == next_n && next != NULL && strcmp (k, next) < 0))
        {
          next = k;
          next_n = n;
        }
    }
  if (second != NULL)
    *second = g_strdup (next);
  return g_strdup (best);
}

typedef struct
{
  const char *key;
  const char *value;
  const char *value2;
  gint64      number;
  gint64      number2;
} Want;

static gboolean
pred_int_eq (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return obj_int (o, w->key) == w->number;
}

static gboolean
pred_int_ne (JsonObject *o, gpointer d)
{
  return !pred_int_eq (o, d);
}

static gboolean
pred_int_lt (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return obj_int (o, w->key) < w->number;
}

static gboolean
pred_int_ge (JsonObject *o, gpointer d)
{
  return !pred_int_lt (o, d);
}

static gboolean
pred_int_in2 (JsonObject *o, gpointer d)
{
  const Want *w = d;
  gint64 v = obj_int (o, w->key);
  return v == w->number || v == w->number2;
}

static gboolean
pred_str_eq (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return ci_equal (obj_str (o, w->key), w->value);
}

static gboolean
pred_str_contains (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return ci_contains (obj_str (o, w->key), w->value);
}

static gboolean
pred_provider_sub (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return ci_contains (obj_str (o, "provider"), w->value) ||
         ci_contains (obj_str (o, "provider_guid"), w->value);
}

static gboolean
pred_event_prefix (JsonObject *o, gpointer d)
{
  const Want *w = d;
  const char *e = obj_str (o, "event");
  return e != NULL && g_ascii_strncasecmp (e, w->value, strlen (w->value)) == 0;
}

static gboolean
pred_time_ge (JsonObject *o, gpointer d)
{
  const Want *w = d;
  return tf_parse_time (obj_str (o, "time")) >= w->number;
}

static gboolean
pred_time_rel_lt (JsonObject *o, gpointer d)
{
  const Want *w = d;
  /* number: first event's FILETIME; number2: duration in 100 ns ticks */
  return tf_parse_time (obj_str (o, "time")) - w->number < w->number2;
}

static gboolean
pred_time_range (JsonObject *o, gpointer d)
{
  const Want *w = d;
  gint64 t = tf_parse_time (obj_str (o, "time"));
  return t >= w->number && t <= w->number2;
}

typedef struct
{
  Want provider;   /* value: name */
  Want opcode;     /* number */
  Want tid;
  Want cpu;
  Want id;
} Combo;

static gboolean
pred_provider_and_opcode (JsonObject *o, gpointer d)
{
  const Combo *c = d;
  return pred_str_eq (o, (gpointer) &c->provider) && pred_int_eq (o, (gpointer) &c->opcode);
}

static gboolean
pred_mixed (JsonObject *o, gpointer d)
{
  const Combo *c = d;
  /* (tid == T || cpu == C) && !(id == I) */
  return (pred_int_eq (o, (gpointer) &c->tid) || pred_int_eq (o, (gpointer) &c->cpu)) &&
         !pred_int_eq (o, (gpointer) &c->id);
}

static gboolean
pred_field_eq (JsonObject *o, gpointer d)
{
  const Want *w = d;
  JsonObject *fields = json_object_get_object_member (o, "fields");
  g_autofree char *t = NULL;

  if (fields == NULL || !json_object_has_member (fields, w->key))
    return FALSE;
  t = obj_text (fields, w->key);
  return t != NULL && ci_equal (t, w->value);
}

static gboolean
pred_field_exists (JsonObject *o, gpointer d)
{
  const Want *w = d;
  JsonObject *fields = json_object_get_object_member (o, "fields");
  return fields != NULL && json_object_has_member (fields, w->key);
}

static guint n_nontrivial;

static void
check (Fixture    *fx,
       const char *expr,
       JsonPred    pred,
       gpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilter) filter = etws_filter_new (expr, &error);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(EtwsFilterMatcher) matcher = NULL;
  g_autoptr(EtwsBitset) part = NULL;
  guint64 n = etws_store_get_n_rows (fx->store), a = n / 3, b = 2 * n / 3;
  guint expected = 0, k = 0;
  gint64 t_start = g_get_monotonic_time ();

  if (filter == NULL)
    g_error ("“%s”: %s", expr, error->message);
  rows = etws_filter_evaluate_rows (filter, fx->store, NULL);
  g_assert_nonnull (rows);
  matcher = etws_filter_matcher_new (filter, fx->store);
  part = etws_bitset_new (n);
  g_assert_true (etws_filter_evaluate (filter, fx->store, a, b, part, NULL, NULL, NULL));

  for (guint i = 0; i < fx->objs->len; i++)
    {
      gboolean want = pred (g_ptr_array_index (fx->objs, i), data);
      gboolean got = k < rows->len && g_array_index (rows, guint32, k) == i;

      if (want != got)
        g_error ("%s: “%s”: row %u is %s by the filter but %s by the JSON", fx->name, expr, i,
                 got ? "selected" : "left out", want ? "selected" : "left out");
      if (etws_filter_matcher_match (matcher, i) != want)
        g_error ("%s: “%s”: the row matcher disagrees on row %u", fx->name, expr, i);
      if (etws_bitset_get (part, i) != (want && i >= a && i < b))
        g_error ("%s: “%s”: the range [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") "
                 "evaluation disagrees on row %u", fx->name, expr, a, b, i);
      k += got;
      expected += want;
    }
  g_assert_cmpuint (k, ==, rows->len);
  g_test_message ("%s: %-60s %u of %u rows (%.2f s)", fx->name, expr, expected, fx->objs->len,
                  (g_get_monotonic_time () - t_start) / 1e6);
  if (expected > 0 && expected < fx->objs->len)
    n_nontrivial++;
  else
    g_error ("%s: “%s” selects %u of %u rows: the literal picked is not useful", fx->name, expr,
             expected, fx->objs->len);
}

static void
fixture_setup (Fixture    *fx,
               const char *name)
{
  fx->name = name;
  fx->store = tf_load_store (name);
  fx->objs = tf_jsonl_objects (name);
  /* etwcat prints every row of the store, in store order. */
  g_assert_cmpuint (etws_store_get_n_rows (fx->store), ==, fx->objs->len);
}

static void
fixture_teardown (Fixture *fx)
{
  g_clear_object (&fx->store);
  g_clear_pointer (&fx->objs, g_ptr_array_unref);
}

static gboolean
is_identifier (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static guint n_string_checks;
static guint n_decode_checks;

static void
check_fixture (const char *data)
{
  Fixture fx = { 0 };
  g_autofree char *tid = NULL, *tid2 = NULL, *cpu = NULL, *id = NULL, *opcode = NULL;
  g_autofree char *provider = NULL, *event = NULL, *guid = NULL;
  g_autofree char *expr = NULL;
  static const char *const text_keys[] = { "process", "path", "result", "detail", "operation" };
  Want w = { 0 };
  Combo c = { { 0 } };

  {
    gint64 t_load = g_get_monotonic_time ();
    fixture_setup (&fx, data);
    g_test_message ("%s: loaded in %.2f s", data, (g_get_monotonic_time () - t_load) / 1e6);
  }

  /* Row columns (the vectorized paths). */
  tid = pick_value (fx.objs, "tid", &tid2);
  g_assert_nonnull (tid);
  w = (Want) { "tid", NULL, NULL, g_ascii_strtoll (tid, NULL, 10), 0 };
  expr = g_strdup_printf ("tid == %s", tid);
  check (&fx, expr, pred_int_eq, &w);
  g_clear_pointer (&expr, g_free);
  expr = g_strdup_printf ("tid != 0x%" G_GINT64_MODIFIER "x", w.number);
  check (&fx, expr, pred_int_ne, &w);
  g_clear_pointer (&expr, g_free);
  expr = g_strdup_printf ("tid < %s", tid);
  if (w.number > 0)
    {
      gboolean any = FALSE;
      for (guint i = 0; i < fx.objs->len && !any; i++)
        any = pred_int_lt (g_ptr_array_index (fx.objs, i), &w);
      if (any)
        check (&fx, expr, pred_int_lt, &w);
    }
  g_clear_pointer (&expr, g_free);
  expr = g_strdup_printf ("not tid lt %s", tid);
  if (w.number > 0)
    {
      gboolean any = FALSE;
      for (guint i = 0; i < fx.objs->len && !any; i++)
        any = pred_int_lt (g_ptr_array_index (fx.objs, i), &w);
      if (any)
        check (&fx, expr, pred_int_ge, &w);
    }
  g_clear_pointer (&expr, g_free);
  if (tid2 != NULL)
    {
      w.number2 = g_ascii_strtoll (tid2, NULL, 10);
      expr = g_strdup_printf ("tid in {%s %s}", tid, tid2);
      check (&fx, expr, pred_int_in2, &w);
      g_clear_pointer (&expr, g_free);
    }

  cpu = pick_value (fx.objs, "cpu", NULL);
  if (cpu != NULL)
    {
      w = (Want) { "cpu", NULL, NULL, g_ascii_strtoll (cpu, NULL, 10), 0 };
      expr = g_strdup_printf ("cpu == %s", cpu);
      check (&fx, expr, pred_int_eq, &w);
      g_clear_pointer (&expr, g_free);
    }

  /* Event-type properties (one test per event type). */
  id = pick_value (fx.objs, "id", NULL);
  if (id != NULL)
    {
      w = (Want) { "id", NULL, NULL, g_ascii_strtoll (id, NULL, 10), 0 };
      expr = g_strdup_printf ("id == %s", id);
      check (&fx, expr, pred_int_eq, &w);
      g_clear_pointer (&expr, g_free);
    }
  opcode = pick_value (fx.objs, "opcode", NULL);
  provider = pick_value (fx.objs, "provider", NULL);
  if (provider != NULL)
    {
      JsonObject *o = NULL;
      char sub[5] = { 0 };

      w = (Want) { "provider", provider, NULL, 0, 0 };
      expr = g_strdup_printf ("provider == \"%s\"", provider);
      check (&fx, expr, pred_str_eq, &w);
      g_clear_pointer (&expr, g_free);

      for (guint i = 0; i < fx.objs->len && o == NULL; i++)
        if (g_strcmp0 (obj_str (g_ptr_array_index (fx.objs, i), "provider"), provider) == 0)
          o = g_ptr_array_index (fx.objs, i);
      guid = g_ascii_strup (obj_str (o, "provider_guid"), -1);
      w = (Want) { "provider_guid", guid, NULL, 0, 0 };
      expr = g_strdup_printf ("provider == {%s}", guid);
      check (&fx, expr, pred_str_eq, &w);
      g_clear_pointer (&expr, g_free);

      if (strlen (provider) >= 6)
        {
          memcpy (sub, provider + 2, 4);
          w = (Want) { "provider", sub, NULL, 0, 0 };
          expr = g_strdup_printf ("provider contains \"%s\"", sub);
          check (&fx, expr, pred_provider_sub, &w);
          g_clear_pointer (&expr, g_free);
        }
      if (opcode != NULL)
        {
          c.provider = (Want) { "provider", provider, NULL, 0, 0 };
          c.opcode = (Want) { "opcode", NULL, NULL, g_ascii_strtoll (opcode, NULL, 10), 0 };
          expr = g_strdup_printf ("provider == \"%s\" && opcode == %s", provider, opcode);
          {
            guint hits = 0;
            for (guint i = 0; i < fx.objs->len; i++)
              hits += pred_provider_and_opcode (g_ptr_array_index (fx.objs, i), &c);
            if (hits > 0 && hits < fx.objs->len)
              check (&fx, expr, pred_provider_and_opcode, &c);
          }
          g_clear_pointer (&expr, g_free);
        }
    }
  event = pick_value (fx.objs, "event", NULL);
  if (event != NULL)
    {
      const char *slash = strchr (event, '/');
      g_autofree char *prefix = g_strndup (event, slash != NULL ? (gsize) (slash - event + 1) : 3);

      w = (Want) { "event", event, NULL, 0, 0 };
      expr = g_strdup_printf ("event == \"%s\"", event);
      check (&fx, expr, pred_str_eq, &w);
      g_clear_pointer (&expr, g_free);
      w = (Want) { "event", prefix, NULL, 0, 0 };
      expr = g_strdup_printf ("event matches \"^%s\"", prefix);
      {
        guint hits = 0;
        for (guint i = 0; i < fx.objs->len; i++)
          hits += pred_event_prefix (g_ptr_array_index (fx.objs, i), &w);
        if (hits < fx.objs->len)
          check (&fx, expr, pred_event_prefix, &w);
      }
      g_clear_pointer (&expr, g_free);
    }

  /* Time: absolute, relative to the first row, and a range, at quartiles
   * of the rows (traces often end with a lone late event). */
  {
    JsonObject *mid = g_ptr_array_index (fx.objs, fx.objs->len / 2);
    gint64 t0 = tf_parse_time (obj_str (g_ptr_array_index (fx.objs, 0), "time"));
    gint64 tq1 = tf_parse_time (obj_str (g_ptr_array_index (fx.objs, fx.objs->len / 4), "time"));
    gint64 tm = tf_parse_time (obj_str (mid, "time"));
    gint64 tq3 = tf_parse_time (obj_str (g_ptr_array_index (fx.objs, 3 * fx.objs->len / 4), "time"));
    gint64 mid_us = (tm - t0) / 10;

    w = (Want) { "time", NULL, NULL, tm, 0 };
    expr = g_strdup_printf ("time >= %s", obj_str (mid, "time"));
    if (tm > t0)
      check (&fx, expr, pred_time_ge, &w);
    g_clear_pointer (&expr, g_free);
    if (mid_us > 0)
      {
        w = (Want) { "time", NULL, NULL, t0, mid_us * 10 };
        expr = g_strdup_printf ("time < %" G_GINT64_FORMAT "us", mid_us);
        check (&fx, expr, pred_time_rel_lt, &w);
        g_clear_pointer (&expr, g_free);
      }
    if (tq3 > tq1 && tq1 > t0)
      {
        gint64 a_us = (tq1 - t0) / 10, b_us = (tq3 - t0) / 10;
        w = (Want) { "time", NULL, NULL, t0 + a_us * 10, t0 + b_us * 10 };
        expr = g_strdup_printf ("time in {%" G_GINT64_FORMAT "us..%" G_GINT64_FORMAT "us}",
                                a_us, b_us);
        check (&fx, expr, pred_time_range, &w);
        g_clear_pointer (&expr, g_free);
      }
  }

  /* Mixed classes, with short-circuits across them. */
  if (cpu != NULL && id != NULL)
    {
      guint hits = 0;
      c.tid = (Want) { "tid", NULL, NULL, g_ascii_strtoll (tid, NULL, 10), 0 };
      c.cpu = (Want) { "cpu", NULL, NULL, g_ascii_strtoll (cpu, NULL, 10), 0 };
      c.id = (Want) { "id", NULL, NULL, g_ascii_strtoll (id, NULL, 10), 0 };
      for (guint i = 0; i < fx.objs->len; i++)
        hits += pred_mixed (g_ptr_array_index (fx.objs, i), &c);
      expr = g_strdup_printf ("(tid == %s || cpu == %s) && !(id == %s)", tid, cpu, id);
      if (hits > 0 && hits < fx.objs->len)
        check (&fx, expr, pred_mixed, &c);
      g_clear_pointer (&expr, g_free);
    }

  /* Interned string columns and decoded text, where the decoders give any. */
  for (guint k = 0; k < G_N_ELEMENTS (text_keys); k++)
    {
      g_autofree char *v = pick_value (fx.objs, text_keys[k], NULL);
      g_autofree char *q = NULL;
      gsize len;

      if (v == NULL)
        continue;
      q = etws_filter_quote_string (v);
      w = (Want) { text_keys[k], v, NULL, 0, 0 };
      expr = g_strdup_printf ("%s == %s", text_keys[k], q);
      check (&fx, expr, pred_str_eq, &w);
      g_clear_pointer (&expr, g_free);
      len = strlen (v);
      if (len >= 4 && g_utf8_validate (v, -1, NULL))
        {
          g_autofree char *sub = g_utf8_substring (v, 1, MIN (g_utf8_strlen (v, -1), 5));
          g_autofree char *qs = etws_filter_quote_string (sub);
          guint hits = 0;
          w = (Want) { text_keys[k], sub, NULL, 0, 0 };
          for (guint i = 0; i < fx.objs->len; i++)
            hits += pred_str_contains (g_ptr_array_index (fx.objs, i), &w);
          expr = g_strdup_printf ("%s contains %s", text_keys[k], qs);
          if (hits < fx.objs->len)
            check (&fx, expr, pred_str_contains, &w);
          g_clear_pointer (&expr, g_free);
        }
      if (k == 3)
        n_decode_checks++;
      else
        n_string_checks++;
    }

  /* A decoded field: the most common numeric or text member of "fields". */
  {
    g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
    const char *best = NULL;
    guint best_n = 0;

    for (guint i = 0; i < fx.objs->len; i++)
      {
        JsonObject *fields = json_object_get_object_member (g_ptr_array_index (fx.objs, i), "fields");
        g_autoptr(GList) members = fields != NULL ? json_object_get_members (fields) : NULL;
        for (GList *l = members; l != NULL; l = l->next)
          {
            JsonNode *n = json_object_get_member (fields, l->data);
            guint c2;
            if (!JSON_NODE_HOLDS_VALUE (n))
              continue;
            c2 = GPOINTER_TO_UINT (g_hash_table_lookup (names, l->data)) + 1;
            g_hash_table_insert (names, l->data, GUINT_TO_POINTER (c2));
            if (c2 > best_n && c2 < fx.objs->len && is_identifier (l->data))
              {
                best = l->data;
                best_n = c2;
              }
          }
      }
    if (best != NULL)
      {
        g_autofree char *field_key = g_strdup (best);
        g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        char *value = NULL;
        guint value_n = 0;

        w = (Want) { field_key, NULL, NULL, 0, 0 };
        expr = g_strdup_printf ("field.%s", field_key);
        check (&fx, expr, pred_field_exists, &w);
        g_clear_pointer (&expr, g_free);

        for (guint i = 0; i < fx.objs->len; i++)
          {
            JsonObject *fields = json_object_get_object_member (g_ptr_array_index (fx.objs, i), "fields");
            char *t = fields != NULL && json_object_has_member (fields, field_key)
                        ? obj_text (fields, field_key) : NULL;
            guint c3;
            if (t == NULL)
              continue;
            c3 = GPOINTER_TO_UINT (g_hash_table_lookup (values, t)) + 1;
            g_hash_table_replace (values, t, GUINT_TO_POINTER (c3));
            if (c3 > value_n)
              {
                value = t;
                value_n = c3;
              }
          }
        if (value != NULL && value_n < fx.objs->len)
          {
            g_autofree char *q = etws_filter_quote_string (value);
            w = (Want) { field_key, value, NULL, 0, 0 };
            expr = g_strdup_printf ("field.%s == %s", field_key, q);
            check (&fx, expr, pred_field_eq, &w);
            g_clear_pointer (&expr, g_free);
            n_decode_checks++;
          }
      }
  }

  fixture_teardown (&fx);
}

static void
test_fixtures (void)
{
  static const char *const fixtures[] = {
    /* Not perfview_net: its 100 MB of JSON take minutes under ASan. */
    "tx_Process.etl",
    "airbus_ShutdownPerfDiagLogger.etl",
    "krabsetw_powershell.etl",
    "airbus_AMSITrace.etl",
    "tx_HTTP_Server.etl",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    check_fixture (fixtures[i]);
  g_assert_cmpuint (n_nontrivial, >=, 30);
  if (n_string_checks == 0)
    g_test_skip ("no fixture has process/path/result/operation values yet (the decoders fill "
                 "them): the string-column tests had nothing to select");
  else if (n_decode_checks == 0)
    g_test_skip ("no fixture has decoded fields or details yet: the decode tests had nothing "
                 "to select");
}

/* Async, runner ---------------------------------------------------------- */

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GAsyncResult **out = data;
  *out = g_object_ref (result);
}

static void
count_progress (guint64  done,
                guint64  total,
                gpointer data)
{
  guint *n = data;
  g_assert_cmpuint (done, <=, total);
  (*n)++;
}

static void
finished_cb (EtwsFilterRunner *runner,
             GArray           *rows,
             gpointer          data)
{
  GPtrArray *got = data;
  g_ptr_array_add (got, rows != NULL ? g_array_ref (rows) : NULL);
}

static void
array_unref0 (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

static gboolean
same_rows (GArray *a,
           GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint32)) == 0;
}

static void
test_async_and_runner (void)
{
  g_autoptr(EtwsStore) store = tf_load_store ("perfview_net.4.5.2.x64.etl");
  g_autoptr(EtwsFilter) slow = etws_filter_new ("detail contains \"no such text\" || cpu == 1", NULL);
  g_autoptr(EtwsFilter) quick = etws_filter_new ("cpu == 2 && !(id == 0)", NULL);
  g_autoptr(EtwsFilter) empty = etws_filter_new ("", NULL);
  g_autoptr(GArray) slow_rows = etws_filter_evaluate_rows (slow, store, NULL);
  g_autoptr(GArray) quick_rows = etws_filter_evaluate_rows (quick, store, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) async_rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilterRunner) runner = NULL;
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (array_unref0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint64 end = 0;
  guint ticks = 0;

  g_assert_cmpuint (slow_rows->len, >, 0);
  g_assert_cmpuint (quick_rows->len, >, 0);
  g_assert_false (same_rows (slow_rows, quick_rows));

  /* Async = sync, and from a start row on. */
  etws_filter_evaluate_async (slow, store, 0, NULL, count_progress, &ticks, NULL, async_done_cb,
                              &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  async_rows = etws_filter_evaluate_finish (slow, result, &end, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (end, ==, etws_store_get_n_rows (store));
  g_assert_true (same_rows (async_rows, slow_rows));
  g_clear_object (&result);
  g_clear_pointer (&async_rows, g_array_unref);

  etws_filter_evaluate_async (quick, store, 100000, NULL, NULL, NULL, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  async_rows = etws_filter_evaluate_finish (quick, result, &end, &error);
  g_assert_no_error (error);
  {
    guint k = 0;
    while (k < quick_rows->len && g_array_index (quick_rows, guint32, k) < 100000)
      k++;
    g_assert_cmpuint (async_rows->len, ==, quick_rows->len - k);
    g_assert_cmpmem (async_rows->data, async_rows->len * 4, &g_array_index (quick_rows, guint32, k),
                     (quick_rows->len - k) * 4);
  }
  g_clear_object (&result);
  g_clear_pointer (&async_rows, g_array_unref);

  /* Cancelled before it starts: an error, no rows. */
  g_cancellable_cancel (cancellable);
  etws_filter_evaluate_async (slow, store, 0, cancellable, NULL, NULL, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  async_rows = etws_filter_evaluate_finish (slow, result, NULL, &error);
  g_assert_null (async_rows);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The runner: a newer filter replaces an older one that is still running;
   * only the newer one finishes. */
  runner = etws_filter_runner_new (store);
  g_signal_connect (runner, "finished", G_CALLBACK (finished_cb), got);
  etws_filter_runner_set_filter (runner, slow);
  g_assert_true (etws_filter_runner_is_running (runner));
  etws_filter_runner_set_filter (runner, quick);
  while (etws_filter_runner_is_running (runner))
    g_main_context_iteration (NULL, TRUE);
  /* Let the cancelled job's thread end and report. */
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_true (same_rows (g_ptr_array_index (got, 0), quick_rows));
  g_assert_cmpfloat (etws_filter_runner_get_progress (runner), ==, 1.0);

  /* A match-all filter: no view, at once. */
  etws_filter_runner_set_filter (runner, empty);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_null (g_ptr_array_index (got, 1));
  g_assert_false (etws_filter_runner_is_running (runner));

  /* Cancel: nothing finishes. */
  etws_filter_runner_set_filter (runner, slow);
  etws_filter_runner_cancel (runner);
  for (guint i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_false (etws_filter_runner_is_running (runner));
}

/* Live: rows appended while the runner evaluates are caught up with, on
 * the main thread when few and on a second pass when many; the matcher
 * decides rows appended later. The store is fed the way the worker feeds
 * it, through a worker that never runs. */
static void
feed (EtwsWorker *worker,
      EtwsStore  *from,
      EtwsStore  *to,
      guint64     n)
{
  EtwsBatch batch = { 0 };
  guint64 have = etws_store_get_n_rows (to), n_from = etws_store_get_n_rows (from);

  batch.trace = etws_store_get_trace (from);
  batch.first_row = have;
  batch.n_rows = (guint) n;
  batch.rows = g_new0 (EtwsRow, n);
  for (guint64 i = 0; i < n; i++)
    etws_store_get_row (from, (have + i) % n_from, &batch.rows[i]);
  g_signal_emit_by_name (worker, "batch", &batch);
  g_signal_emit_by_name (worker, "drained");
  g_free (batch.rows);
}

static void
test_runner_live (void)
{
  g_autoptr(EtwsStore) src = tf_load_store ("tx_Process.etl");
  g_autofree char *path = tf_fixture_path ("tx_Process.etl");
  g_autoptr(EtwsSource) source = etws_file_source_new (path);
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  g_autoptr(EtwsStore) store = etws_store_new ();
  g_autoptr(EtwsFilter) filter = etws_filter_new ("id == 8 && path contains \"\\\\\" || cpu == 1 && id == 9", NULL);
  g_autoptr(EtwsFilterRunner) runner = NULL;
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (array_unref0);
  g_autoptr(EtwsFilterMatcher) matcher = NULL;
  static const guint64 late[] = { 5000, 200000 };

  g_assert_nonnull (filter);
  etws_store_attach (store, worker);
  g_signal_emit_by_name (worker, "opened", etws_store_get_trace (src));
  feed (worker, src, store, 10344);
  runner = etws_filter_runner_new (store);
  g_signal_connect (runner, "finished", G_CALLBACK (finished_cb), got);

  for (guint round = 0; round < G_N_ELEMENTS (late); round++)
    {
      g_autoptr(GArray) all = NULL;

      /* The evaluation snapshots the rows it starts with; these arrive
       * before it ends. */
      etws_filter_runner_set_filter (runner, filter);
      feed (worker, src, store, late[round]);
      while (etws_filter_runner_is_running (runner))
        g_main_context_iteration (NULL, TRUE);
      all = etws_filter_evaluate_rows (filter, store, NULL);
      g_assert_cmpuint (got->len, ==, round + 1);
      g_test_message ("round %u: %u of %" G_GUINT64_FORMAT " rows", round, all->len,
                      etws_store_get_n_rows (store));
      g_assert_cmpuint (all->len, >, 0);
      g_assert_true (same_rows (g_ptr_array_index (got, round), all));
    }

  /* Rows appended after that: the model asks the matcher, row by row. */
  matcher = etws_filter_matcher_new (filter, store);
  {
    guint64 before = etws_store_get_n_rows (store);
    g_autoptr(GArray) all = NULL;
    guint k = 0, added = 0;

    feed (worker, src, store, 20000);
    all = etws_filter_evaluate_rows (filter, store, NULL);
    while (k < all->len && g_array_index (all, guint32, k) < before)
      k++;
    for (guint64 i = before; i < etws_store_get_n_rows (store); i++)
      if (etws_filter_matcher_predicate (store, i, matcher))
        {
          g_assert_cmpuint (g_array_index (all, guint32, k + added), ==, i);
          added++;
        }
    g_assert_cmpuint (k + added, ==, all->len);
    g_assert_cmpuint (added, >, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tf_etwcat = argc > 1 ? argv[1] : g_getenv ("ETWCAT");

  g_test_add_func ("/filter/parse/valid", test_parse_valid);
  g_test_add_func ("/filter/parse/errors", test_parse_errors);
  g_test_add_func ("/filter/parse/limits", test_parse_limits);
  g_test_add_func ("/filter/parse/random", test_parse_random);
  g_test_add_func ("/filter/clauses", test_clauses);
  g_test_add_func ("/filter/fixtures", test_fixtures);
  g_test_add_func ("/filter/async-and-runner", test_async_and_runner);
  g_test_add_func ("/filter/runner-live", test_runner_live);
  return g_test_run ();
}
