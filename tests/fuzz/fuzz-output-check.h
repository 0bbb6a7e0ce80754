/* fuzz-output-check.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every export must be, whatever the events held: valid UTF-8; JSON
 * Lines that parse, one object per line; CSV whose records all have the
 * header's number of cells; tab-separated lines with the header's number
 * of tabs.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fuzz-common.h"

#include "etws-export.h"

/* Splits CSV text into records, honouring quotes; returns the number of
 * fields of each record in `counts`, FALSE if a quote is left open. */
static inline gboolean
csv_counts (const char *s,
            gsize       len,
            GArray     *counts)
{
  guint fields = 1;
  gboolean quoted = FALSE, any = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];
      any = TRUE;
      if (quoted)
        {
          if (c == '"')
            {
              if (i + 1 < len && s[i + 1] == '"')
                i++;
              else
                quoted = FALSE;
            }
          continue;
        }
      if (c == '"')
        quoted = TRUE;
      else if (c == ',')
        fields++;
      else if (c == '\n')
        {
          g_array_append_val (counts, fields);
          fields = 1;
          any = FALSE;
        }
    }
  if (any)
    g_array_append_val (counts, fields);
  return !quoted;
}

/* Calls fn on each line (without its newline). Not g_strsplit: under ASan
 * its strstr calls make this quadratic in the output's size. */
static inline void
each_line (const char *text,
           gsize       len,
           void      (*fn) (const char *line, gsize n, gpointer data),
           gpointer    data)
{
  const char *p = text, *end = text + len;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      gsize n = nl != NULL ? (gsize) (nl - p) : (gsize) (end - p);
      if (n > 0)
        fn (p, n, data);
      p += n + 1;
    }
}

static inline void
check_json_line (const char *line,
                 gsize       n,
                 gpointer    data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  (void) data;
  if (!json_parser_load_from_data (parser, line, (gssize) n, &error))
    {
      fprintf (stderr, "bad JSON line: %s\n%.*s\n", error->message, (int) n, line);
      FUZZ_CHECK (!"a JSON Lines line does not parse");
    }
  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
}

static inline void
check_tabs (const char *line,
            gsize       n,
            gpointer    data)
{
  int *tabs = data, t = 0;

  for (gsize i = 0; i < n; i++)
    t += line[i] == '\t';
  if (*tabs < 0)
    *tabs = t;
  FUZZ_CHECK (t == *tabs);
}

static inline void
check_output (EtwsExportFormat  format,
              const char       *text,
              gsize             len)
{
  /* A trace without rows exports nothing in some formats: the stream
   * then holds no buffer at all. */
  if (text == NULL)
    {
      FUZZ_CHECK (len == 0);
      text = "";
    }
  FUZZ_CHECK (g_utf8_validate (text, (gssize) len, NULL));
  if (format == ETWS_EXPORT_JSONL)
    each_line (text, len, check_json_line, NULL);
  else if (format == ETWS_EXPORT_CSV || format == ETWS_EXPORT_PROCMON_CSV)
    {
      g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
      FUZZ_CHECK (csv_counts (text, len, counts));
      for (guint i = 1; i < counts->len; i++)
        FUZZ_CHECK (g_array_index (counts, guint, i) == g_array_index (counts, guint, 0));
    }
  else if (format == ETWS_EXPORT_COLUMNS)
    {
      /* Tab-separated: one line per row, the header's number of tabs. */
      int tabs = -1;
      each_line (text, len, check_tabs, &tabs);
    }
}
