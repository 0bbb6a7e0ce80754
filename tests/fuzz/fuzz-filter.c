/* fuzz-filter.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filter expression language: the input is an expression. A bad one
 * gets an error whose span lies inside it; a good one prints in canonical
 * form that parses back to the same form and the same rows; the block
 * evaluator and the per-row matcher agree on every row of a real trace;
 * the UI's clause builders always produce expressions that parse.
 */
#define G_LOG_DOMAIN "fuzz-filter"

#include "config.h"

#include "fuzz-data-common.h"

#include "etws-filter.h"

static EtwsStore *store;

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");
  g_autofree char *path = NULL;

  (void) argc;
  (void) argv;
  /* Two providers' worth of real rows: kernel and manifest events. */
  path = g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR, "tx_WsRm01.etl", NULL);
  store = fuzz_load_store (path);
  FUZZ_CHECK (etws_store_get_n_rows (store) > 0);
  return 0;
}

static gboolean
parses (const char *expression)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilter) f = etws_filter_new (expression, &error);

  if (f == NULL)
    fprintf (stderr, "does not parse: %s\n  %s\n", error->message, expression);
  return f != NULL;
}

static gboolean
contains (GArray  *rows,
          guint32  index)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_array_index (rows, guint32, i) == index)
      return TRUE;
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The expression is a C string: the input up to its first NUL, in an
   * allocation that ends with that NUL, so a read past it is a sanitizer
   * report. */
  const uint8_t *nul = memchr (data, 0, size);
  size_t len = nul != NULL ? (size_t) (nul - data) : size;
  g_autofree char *expr = g_malloc (len + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilter) filter = NULL;

  if (store == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  memcpy (expr, data, len);
  expr[len] = '\0';

  filter = etws_filter_new (expr, &error);
  if (filter == NULL)
    {
      guint offset = 0, length = 0, column = 0;
      FUZZ_CHECK (error != NULL && error->message[0] != '\0');
      if (etws_filter_error_get_span (error, &offset, &length, &column))
        FUZZ_CHECK (offset + length <= strlen (expr) + 1 && column >= 1);
    }
  else if (!etws_filter_matches_all (filter))
    {
      /* (A filter that matches everything prints as "true", which is not
       * in the language: left out, as in tests/data/test-filter.c.) */
      g_autofree char *canon = etws_filter_to_string (filter);
      g_autoptr(GError) error2 = NULL;
      g_autoptr(EtwsFilter) again = etws_filter_new (canon, &error2);
      /* The printed form wraps every comparison, every &&/|| and the
       * whole in parentheses (up to 3 levels more than the input), so an
       * input within 3 of the depth limit may print past it. That form
       * is for tests; nothing else in the product re-reads it. */
      gboolean too_deep = again == NULL &&
                          g_error_matches (error2, ETWS_FILTER_ERROR, ETWS_FILTER_ERROR_TOO_COMPLEX);
      g_autoptr(GArray) rows = etws_filter_evaluate_rows (filter, store, NULL);
      FUZZ_CHECK (rows != NULL);
      if (!too_deep)
        {
          if (again == NULL)
            fprintf (stderr, "\"%s\" prints as \"%s\", which does not parse: %s\n", expr, canon,
                     error2->message);
          FUZZ_CHECK (again != NULL);
          g_autofree char *canon2 = etws_filter_to_string (again);
          FUZZ_CHECK (strcmp (canon, canon2) == 0);

          g_autoptr(GArray) rows2 = etws_filter_evaluate_rows (again, store, NULL);
          FUZZ_CHECK (rows2 != NULL && rows->len == rows2->len);
          if (rows->len > 0)
            FUZZ_CHECK (memcmp (rows->data, rows2->data, rows->len * sizeof (guint32)) == 0);
        }

      EtwsFilterMatcher *m = etws_filter_matcher_new (filter, store);
      guint64 n = etws_store_get_n_rows (store);
      for (guint64 i = 0; i < n; i++)
        FUZZ_CHECK (etws_filter_matcher_match (m, i) == contains (rows, (guint32) i));
      etws_filter_matcher_free (m);

      /* Joining a good expression with a good clause stays good. */
      g_autofree char *joined = etws_filter_combine (expr, "pid == 4");
      FUZZ_CHECK (parses (joined));
    }

  /* The builders quote any value the user clicks on. */
  if (g_utf8_validate (expr, -1, NULL))
    {
      g_autofree char *q = etws_filter_quote_string (expr);
      g_autofree char *clause = g_strconcat ("path == ", q, NULL);
      FUZZ_CHECK (parses (clause));
      g_autofree char *inc = etws_filter_clause_for_value ("process", expr, FALSE);
      if (inc != NULL)
        FUZZ_CHECK (parses (inc));
      g_autofree char *num = etws_filter_clause_for_value ("pid", expr, TRUE);
      if (num != NULL)
        FUZZ_CHECK (parses (num));
      const char *values[] = { expr, "x", NULL };
      g_autofree char *set = etws_filter_clause_for_values ("path", values, TRUE);
      if (set != NULL)
        FUZZ_CHECK (parses (set));
    }
  return 0;
}
