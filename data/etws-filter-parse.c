/* etws-filter-parse.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expression language: a hand-written lexer and recursive-descent
 * parser, so that every error can name the exact place it refers to.
 */
#define G_LOG_DOMAIN "etws-filter"

#include "config.h"

#include "etws-filter-private.h"

#include "etw-decode.h"
#include "etw-guid.h"

#include <stdarg.h>
#include <string.h>

/* Error positions ride along in the GError itself. */
typedef struct
{
  guint offset;
  guint length;
  guint column;
} EtwsFilterErrorPrivate;

static void
etws_filter_error_private_init (EtwsFilterErrorPrivate *priv)
{
  priv->offset = priv->length = priv->column = 0;
}

static void
etws_filter_error_private_copy (const EtwsFilterErrorPrivate *src,
                                EtwsFilterErrorPrivate       *dest)
{
  *dest = *src;
}

static void
etws_filter_error_private_clear (EtwsFilterErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (EtwsFilterError, etws_filter_error)

gboolean
etws_filter_error_get_span (const GError *error,
                            guint        *offset,
                            guint        *length,
                            guint        *column)
{
  EtwsFilterErrorPrivate *priv;

  if (error == NULL || error->domain != ETWS_FILTER_ERROR)
    return FALSE;
  priv = etws_filter_error_get_private (error);
  if (priv == NULL)
    return FALSE;
  if (offset != NULL)
    *offset = priv->offset;
  if (length != NULL)
    *length = priv->length;
  if (column != NULL)
    *column = priv->column;
  return TRUE;
}

/* Fields ---------------------------------------------------------------- */

typedef struct
{
  const char *name;
  FieldId     id;
} FieldName;

static const FieldName field_names[] = {
  { "pid", FIELD_PID },
  { "tid", FIELD_TID },
  { "cpu", FIELD_CPU },
  { "time", FIELD_TIME },
  { "provider", FIELD_PROVIDER },
  { "id", FIELD_ID },
  { "opcode", FIELD_OPCODE },
  { "level", FIELD_LEVEL },
  { "task", FIELD_TASK },
  { "version", FIELD_VERSION },
  { "event", FIELD_EVENT },
  { "operation", FIELD_OPERATION },
  { "process", FIELD_PROCESS },
  { "path", FIELD_PATH },
  { "result", FIELD_RESULT },
  { "detail", FIELD_DETAIL },
};

static const char * const field_list[] = {
  "pid", "tid", "cpu", "time", "provider", "id", "opcode", "level", "task", "version",
  "event", "operation", "process", "path", "result", "detail", "field.", NULL
};

const char * const *
etws_filter_list_fields (void)
{
  return field_list;
}

FieldClass
_etws_filter_field_class (FieldId field)
{
  switch (field)
    {
    case FIELD_PID:
    case FIELD_TID:
    case FIELD_CPU:
    case FIELD_TIME:
      return CLASS_ROW;
    case FIELD_PROVIDER:
    case FIELD_ID:
    case FIELD_OPCODE:
    case FIELD_LEVEL:
    case FIELD_TASK:
    case FIELD_VERSION:
    case FIELD_EVENT:
    case FIELD_OPERATION:
      return CLASS_ETYPE;
    case FIELD_PROCESS:
    case FIELD_PATH:
    case FIELD_RESULT:
      return CLASS_STRING;
    case FIELD_DETAIL:
    case FIELD_DECODED:
    default:
      return CLASS_DECODE;
    }
}

static gboolean
field_is_number (FieldId field)
{
  switch (field)
    {
    case FIELD_PID:
    case FIELD_TID:
    case FIELD_CPU:
    case FIELD_ID:
    case FIELD_OPCODE:
    case FIELD_LEVEL:
    case FIELD_TASK:
    case FIELD_VERSION:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
field_is_text (FieldId field)
{
  switch (field)
    {
    case FIELD_EVENT:
    case FIELD_OPERATION:
    case FIELD_PROCESS:
    case FIELD_PATH:
    case FIELD_RESULT:
    case FIELD_DETAIL:
      return TRUE;
    default:
      return FALSE;
    }
}

static const char *
field_name (FieldId field)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_names); i++)
    if (field_names[i].id == field)
      return field_names[i].name;
  return "field";
}

/* Tokens ---------------------------------------------------------------- */

typedef enum
{
  T_EOF,
  T_LPAREN,
  T_RPAREN,
  T_LBRACE,
  T_RBRACE,
  T_COMMA,
  T_DOTDOT,
  T_AND,
  T_OR,
  T_NOT,
  T_EQ,
  T_NE,
  T_LT,
  T_LE,
  T_GT,
  T_GE,
  T_CONTAINS,
  T_MATCHES,
  T_IN,
  T_IDENT,
  T_STRING,
  T_NUMBER,
  T_GUID,
  T_TIME,
  T_DURATION,
} TokKind;

typedef struct
{
  TokKind  kind;
  guint    offset;
  guint    length;
  GString *text;     /* IDENT: the name; STRING: the unescaped text */
  Number   num;
  EtwGuid  guid;
} Token;

typedef struct
{
  const char  *src;
  gsize        len;
  gsize        pos;
  Token        tok;
  guint        depth;
  GError     **error;
  gboolean     failed;
} Parser;

static guint
column_of (const char *src,
           guint       offset)
{
  /* Characters, not bytes, so the caret lines up under the text. */
  return (guint) g_utf8_strlen (src, offset) + 1;
}

static void fail (Parser     *p,
                  int         code,
                  guint       offset,
                  guint       length,
                  const char *format,
                  ...) G_GNUC_PRINTF (5, 6);

static void
fail (Parser     *p,
      int         code,
      guint       offset,
      guint       length,
      const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  EtwsFilterErrorPrivate *priv;
  va_list args;
  guint column;

  if (p->failed)
    return;
  p->failed = TRUE;
  if (p->error == NULL)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  column = column_of (p->src, offset);
  g_set_error (p->error, ETWS_FILTER_ERROR, code, "Column %u: %s", column, msg);
  priv = etws_filter_error_get_private (*p->error);
  priv->offset = offset;
  priv->length = MAX (length, 1);
  priv->column = column;
}

static const char *
tok_describe (TokKind kind)
{
  switch (kind)
    {
    case T_EOF: return "the end";
    case T_LPAREN: return "“(”";
    case T_RPAREN: return "“)”";
    case T_LBRACE: return "“{”";
    case T_RBRACE: return "“}”";
    case T_COMMA: return "“,”";
    case T_DOTDOT: return "“..”";
    case T_AND: return "“&&”";
    case T_OR: return "“||”";
    case T_NOT: return "“!”";
    case T_EQ: return "“==”";
    case T_NE: return "“!=”";
    case T_LT: return "“<”";
    case T_LE: return "“<=”";
    case T_GT: return "“>”";
    case T_GE: return "“>=”";
    case T_CONTAINS: return "“contains”";
    case T_MATCHES: return "“matches”";
    case T_IN: return "“in”";
    case T_IDENT: return "a name";
    case T_STRING: return "a string";
    case T_NUMBER: return "a number";
    case T_GUID: return "a GUID";
    case T_TIME: return "a time";
    case T_DURATION: return "a duration";
    default: return "something";
    }
}

static gboolean
is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* "8-4-4-4-12" hex at s (no braces)? */
static gboolean
looks_like_guid (const char *s,
                 gsize       avail)
{
  static const guint groups[] = { 8, 4, 4, 4, 12 };
  gsize k = 0;

  if (avail < ETW_GUID_STRING_LEN)
    return FALSE;
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      for (guint i = 0; i < groups[g]; i++, k++)
        if (!g_ascii_isxdigit (s[k]))
          return FALSE;
      if (g < 4 && s[k++] != '-')
        return FALSE;
    }
  return avail == ETW_GUID_STRING_LEN || !is_ident_char (s[ETW_GUID_STRING_LEN]);
}

static gboolean
looks_like_time (const char *s,
                 gsize       avail)
{
  /* YYYY-MM-DD */
  if (avail < 10)
    return FALSE;
  for (guint i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  return avail == 10 || !g_ascii_isdigit (s[10]);
}

static guint
read_digits (const char *s,
             guint       n,
             guint      *value)
{
  guint v = 0, i;

  for (i = 0; i < n && g_ascii_isdigit (s[i]); i++)
    v = v * 10 + (guint) (s[i] - '0');
  *value = v;
  return i;
}

/* ISO-8601 in UTC unless an offset is given: YYYY-MM-DD[Thh:mm[:ss[.f…]]][Z|±hh:mm].
 * Returns the FILETIME, or FALSE. */
static gboolean
parse_time (const char *s,
            gsize       len,
            gint64     *filetime)
{
  guint y, mo, d, h = 0, mi = 0, sec = 0;
  gint64 frac = 0, offset_min = 0;
  g_autoptr(GDateTime) dt = NULL;
  gsize i = 0;

  if (len < 10 || read_digits (s, 4, &y) != 4 || s[4] != '-' ||
      read_digits (s + 5, 2, &mo) != 2 || s[7] != '-' || read_digits (s + 8, 2, &d) != 2)
    return FALSE;
  i = 10;
  if (i < len && (s[i] == 'T' || s[i] == 't'))
    {
      if (i + 6 > len || read_digits (s + i + 1, 2, &h) != 2 || s[i + 3] != ':' ||
          read_digits (s + i + 4, 2, &mi) != 2)
        return FALSE;
      i += 6;
      if (i < len && s[i] == ':')
        {
          if (i + 3 > len || read_digits (s + i + 1, 2, &sec) != 2)
            return FALSE;
          i += 3;
          if (i < len && (s[i] == '.' || s[i] == ','))
            {
              guint digits = 0;
              i++;
              /* 100 ns resolution: 7 digits; further digits are dropped. */
              while (i < len && g_ascii_isdigit (s[i]))
                {
                  if (digits < 7)
                    {
                      frac = frac * 10 + (s[i] - '0');
                      digits++;
                    }
                  i++;
                }
              if (digits == 0)
                return FALSE;
              for (; digits < 7; digits++)
                frac *= 10;
            }
        }
      if (i < len && (s[i] == 'Z' || s[i] == 'z'))
        i++;
      else if (i < len && (s[i] == '+' || s[i] == '-'))
        {
          guint oh, om = 0;
          int sign = s[i] == '-' ? -1 : 1;
          if (i + 3 > len || read_digits (s + i + 1, 2, &oh) != 2)
            return FALSE;
          i += 3;
          if (i < len && s[i] == ':')
            i++;
          if (i + 2 <= len && read_digits (s + i, 2, &om) == 2)
            i += 2;
          if (oh > 23 || om > 59)
            return FALSE;
          offset_min = sign * (gint64) (oh * 60 + om);
        }
    }
  if (i != len || sec > 59)
    return FALSE;
  dt = g_date_time_new_utc ((gint) y, (gint) mo, (gint) d, (gint) h, (gint) mi, (gdouble) sec);
  if (dt == NULL)
    return FALSE;
  /* FILETIME counts 100 ns ticks from 1601-01-01. */
  *filetime = (g_date_time_to_unix (dt) - offset_min * 60 + G_GINT64_CONSTANT (11644473600)) *
              10000000 + frac;
  return TRUE;
}

static gboolean
parse_number_text (const char *s,
                   gsize       len,
                   Number     *num)
{
  gsize i = 0;
  guint64 mag = 0;

  memset (num, 0, sizeof *num);
  if (i < len && (s[i] == '-' || s[i] == '+'))
    num->negative = s[i++] == '-';
  if (i >= len)
    return FALSE;
  if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
    {
      i += 2;
      for (; i < len; i++)
        {
          int v = g_ascii_xdigit_value (s[i]);
          if (v < 0 || mag > G_MAXUINT64 >> 4)
            return FALSE;
          mag = mag << 4 | (guint64) v;
        }
      num->mag = mag;
      num->integral = TRUE;
      num->d = num->negative ? -(double) mag : (double) mag;
      return TRUE;
    }
  {
    gsize start = i;
    gboolean dot = FALSE;
    g_autofree char *copy = NULL;

    for (; i < len; i++)
      {
        if (s[i] == '.' && !dot)
          dot = TRUE;
        else if (!g_ascii_isdigit (s[i]))
          return FALSE;
      }
    if (i == start || s[i - 1] == '.' || s[start] == '.')
      return FALSE;
    copy = g_strndup (s + start, len - start);
    num->d = g_ascii_strtod (copy, NULL);
    if (num->negative)
      num->d = -num->d;
    if (!dot)
      {
        for (gsize k = start; k < len; k++)
          {
            guint64 digit = (guint64) (s[k] - '0');
            if (mag > (G_MAXUINT64 - digit) / 10)
              return FALSE;
            mag = mag * 10 + digit;
          }
        num->mag = mag;
        num->integral = TRUE;
      }
  }
  if (num->negative && num->integral && num->mag == 0)
    num->negative = FALSE;
  return TRUE;
}

gboolean
_etws_filter_parse_number (const char *s,
                           Number     *n)
{
  return parse_number_text (s, strlen (s), n);
}

static gboolean
lex_string (Parser *p)
{
  const char *s = p->src;
  char quote = s[p->pos];
  gsize i = p->pos + 1;

  g_string_truncate (p->tok.text, 0);
  while (i < p->len && s[i] != quote)
    {
      if (s[i] == '\\')
        {
          /* A backslash as the last character escapes nothing and closes
           * nothing: the string has no closing quote (fuzz-filter). */
          if (i + 1 >= p->len)
            {
              i = p->len;
              break;
            }
          i++;
          switch (s[i])
            {
            case 'n': g_string_append_c (p->tok.text, '\n'); break;
            case 't': g_string_append_c (p->tok.text, '\t'); break;
            case 'r': g_string_append_c (p->tok.text, '\r'); break;
            case '\\':
            case '"':
            case '\'':
              g_string_append_c (p->tok.text, s[i]);
              break;
            default:
              fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) i - 1, 2,
                    "unknown escape “\\%c” (use \\\\ for a backslash)", s[i]);
              return FALSE;
            }
          i++;
          continue;
        }
      g_string_append_c (p->tok.text, s[i]);
      i++;
    }
  if (i >= p->len)
    {
      fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) p->pos, (guint) (p->len - p->pos),
            "this string has no closing %c", quote);
      return FALSE;
    }
  if (!g_utf8_validate (p->tok.text->str, p->tok.text->len, NULL))
    {
      fail (p, ETWS_FILTER_ERROR_VALUE, (guint) p->pos, (guint) (i + 1 - p->pos),
            "this string is not valid UTF-8");
      return FALSE;
    }
  p->tok.kind = T_STRING;
  p->tok.length = (guint) (i + 1 - p->pos);
  p->pos = i + 1;
  return TRUE;
}

static gboolean
lex_number (Parser *p)
{
  const char *s = p->src + p->pos;
  gsize avail = p->len - p->pos, n = 0, digits_end;
  static const struct { const char *unit; gint64 ticks; } units[] = {
    { "ns", 0 }, { "us", 10 }, { "ms", 10000 }, { "s", 10000000 },
    { "min", G_GINT64_CONSTANT (600000000) }, { "h", G_GINT64_CONSTANT (36000000000) },
  };

  if (s[0] == '-' || s[0] == '+')
    n++;
  if (n + 1 < avail && s[n] == '0' && (s[n + 1] == 'x' || s[n + 1] == 'X'))
    {
      n += 2;
      while (n < avail && g_ascii_isxdigit (s[n]))
        n++;
    }
  else
    {
      while (n < avail && g_ascii_isdigit (s[n]))
        n++;
      /* A fraction, but not the ".." of a range. */
      if (n + 1 < avail && s[n] == '.' && g_ascii_isdigit (s[n + 1]))
        {
          n++;
          while (n < avail && g_ascii_isdigit (s[n]))
            n++;
        }
    }
  digits_end = n;
  while (n < avail && is_ident_char (s[n]))
    n++;

  p->tok.offset = (guint) p->pos;
  p->tok.length = (guint) n;
  if (!parse_number_text (s, digits_end, &p->tok.num))
    {
      fail (p, ETWS_FILTER_ERROR_VALUE, (guint) p->pos, (guint) n,
            "“%.*s” is not a number", (int) n, s);
      return FALSE;
    }
  p->tok.kind = T_NUMBER;
  if (n > digits_end)
    {
      const char *u = s + digits_end;
      gsize ulen = n - digits_end;

      for (guint k = 0; k < G_N_ELEMENTS (units); k++)
        if (strlen (units[k].unit) == ulen && g_ascii_strncasecmp (u, units[k].unit, ulen) == 0)
          {
            double ticks = units[k].ticks > 0 ? p->tok.num.d * (double) units[k].ticks
                                              : p->tok.num.d / 100.0;
            if (p->tok.num.negative)
              break;
            /* Durations print in ns, which must fit 64 bits: at most 1e17
             * ticks (~317 years). */
            if (ticks > 1e17)
              {
                fail (p, ETWS_FILTER_ERROR_VALUE, (guint) p->pos, (guint) n,
                      "“%.*s” is too long a duration", (int) n, s);
                return FALSE;
              }
            p->tok.kind = T_DURATION;
            /* Whole numbers in integers: a double loses ticks past 2^53
             * (and the printed form, in ns, must read back the same). */
            if (p->tok.num.integral)
              p->tok.num.mag = units[k].ticks > 0 ? p->tok.num.mag * (guint64) units[k].ticks
                                                  : (p->tok.num.mag + 50) / 100;
            else
              p->tok.num.mag = (guint64) (ticks + 0.5);
            p->tok.num.integral = TRUE;
            p->tok.num.d = (double) p->tok.num.mag;
            break;
          }
      if (p->tok.kind != T_DURATION)
        {
          fail (p, ETWS_FILTER_ERROR_VALUE, (guint) p->pos, (guint) n,
                "“%.*s” is not a number or a duration (units: ns, us, ms, s, min, h)",
                (int) n, s);
          return FALSE;
        }
    }
  p->pos += n;
  return TRUE;
}

static const struct
{
  const char *word;
  TokKind     kind;
} keywords[] = {
  { "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "contains", T_CONTAINS },
  { "matches", T_MATCHES }, { "in", T_IN }, { "eq", T_EQ }, { "ne", T_NE },
  { "lt", T_LT }, { "le", T_LE }, { "gt", T_GT }, { "ge", T_GE },
};

static gboolean
next (Parser *p)
{
  const char *s = p->src;
  char c, c2;

  while (p->pos < p->len && g_ascii_isspace (s[p->pos]))
    p->pos++;
  p->tok.offset = (guint) p->pos;
  p->tok.length = 1;
  if (p->pos >= p->len)
    {
      p->tok.kind = T_EOF;
      p->tok.length = 0;
      return TRUE;
    }
  c = s[p->pos];
  c2 = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';

  switch (c)
    {
    case '(': p->tok.kind = T_LPAREN; p->pos++; return TRUE;
    case ')': p->tok.kind = T_RPAREN; p->pos++; return TRUE;
    case '}': p->tok.kind = T_RBRACE; p->pos++; return TRUE;
    case ',': p->tok.kind = T_COMMA; p->pos++; return TRUE;
    case '~': p->tok.kind = T_MATCHES; p->pos++; return TRUE;
    case '{':
      if (looks_like_guid (s + p->pos + 1, p->len - p->pos - 1) &&
          p->pos + 1 + ETW_GUID_STRING_LEN < p->len && s[p->pos + 1 + ETW_GUID_STRING_LEN] == '}')
        {
          char text[ETW_GUID_STRING_LEN + 1];
          memcpy (text, s + p->pos + 1, ETW_GUID_STRING_LEN);
          text[ETW_GUID_STRING_LEN] = '\0';
          etw_guid_parse (text, &p->tok.guid);
          p->tok.kind = T_GUID;
          p->tok.length = ETW_GUID_STRING_LEN + 2;
          p->pos += ETW_GUID_STRING_LEN + 2;
          return TRUE;
        }
      p->tok.kind = T_LBRACE;
      p->pos++;
      return TRUE;
    case '.':
      if (c2 == '.')
        {
          p->tok.kind = T_DOTDOT;
          p->tok.length = 2;
          p->pos += 2;
          return TRUE;
        }
      break;
    case '&':
      if (c2 == '&')
        {
          p->tok.kind = T_AND;
          p->tok.length = 2;
          p->pos += 2;
          return TRUE;
        }
      fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) p->pos, 1, "use “&&” for “and”");
      return FALSE;
    case '|':
      if (c2 == '|')
        {
          p->tok.kind = T_OR;
          p->tok.length = 2;
          p->pos += 2;
          return TRUE;
        }
      fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) p->pos, 1, "use “||” for “or”");
      return FALSE;
    case '=':
      /* "=" is accepted for "==": Process Monitor users type it. */
      p->tok.kind = T_EQ;
      p->tok.length = c2 == '=' ? 2 : 1;
      p->pos += p->tok.length;
      return TRUE;
    case '!':
      if (c2 == '=')
        {
          p->tok.kind = T_NE;
          p->tok.length = 2;
          p->pos += 2;
          return TRUE;
        }
      p->tok.kind = T_NOT;
      p->pos++;
      return TRUE;
    case '<':
    case '>':
      p->tok.kind = c == '<' ? (c2 == '=' ? T_LE : T_LT) : (c2 == '=' ? T_GE : T_GT);
      p->tok.length = c2 == '=' ? 2 : 1;
      p->pos += p->tok.length;
      return TRUE;
    case '"':
    case '\'':
      return lex_string (p);
    default:
      break;
    }

  if (looks_like_guid (s + p->pos, p->len - p->pos))
    {
      char text[ETW_GUID_STRING_LEN + 1];
      memcpy (text, s + p->pos, ETW_GUID_STRING_LEN);
      text[ETW_GUID_STRING_LEN] = '\0';
      etw_guid_parse (text, &p->tok.guid);
      p->tok.kind = T_GUID;
      p->tok.length = ETW_GUID_STRING_LEN;
      p->pos += ETW_GUID_STRING_LEN;
      return TRUE;
    }
  if (looks_like_time (s + p->pos, p->len - p->pos))
    {
      gsize n = 0;
      gint64 ft;
      while (p->pos + n < p->len &&
             (g_ascii_isalnum (s[p->pos + n]) || strchr (":.-+,", s[p->pos + n]) != NULL) &&
             !(s[p->pos + n] == '.' && p->pos + n + 1 < p->len && s[p->pos + n + 1] == '.'))
        n++;
      /* A trailing comma separates set elements. */
      while (n > 0 && s[p->pos + n - 1] == ',')
        n--;
      if (!parse_time (s + p->pos, n, &ft))
        {
          fail (p, ETWS_FILTER_ERROR_VALUE, (guint) p->pos, (guint) n,
                "“%.*s” is not a time (YYYY-MM-DDThh:mm:ss.fffffffZ)", (int) n, s + p->pos);
          return FALSE;
        }
      p->tok.kind = T_TIME;
      memset (&p->tok.num, 0, sizeof p->tok.num);
      p->tok.num.negative = ft < 0;
      p->tok.num.mag = (guint64) (ft < 0 ? -ft : ft);
      p->tok.num.integral = TRUE;
      p->tok.num.d = (double) ft;
      p->tok.length = (guint) n;
      p->pos += n;
      return TRUE;
    }
  if (g_ascii_isdigit (c) || ((c == '-' || c == '+') && g_ascii_isdigit (c2)))
    return lex_number (p);
  if (is_ident_start (c))
    {
      gsize n = 0;

      g_string_truncate (p->tok.text, 0);
      while (p->pos + n < p->len && is_ident_char (s[p->pos + n]))
        n++;
      for (guint k = 0; k < G_N_ELEMENTS (keywords); k++)
        if (strlen (keywords[k].word) == n && g_ascii_strncasecmp (s + p->pos, keywords[k].word, n) == 0)
          {
            p->tok.kind = keywords[k].kind;
            p->tok.length = (guint) n;
            p->pos += n;
            return TRUE;
          }
      g_string_append_len (p->tok.text, s + p->pos, (gssize) n);
      /* field.Name or field."Any name" */
      if (n == 5 && g_ascii_strncasecmp (s + p->pos, "field", 5) == 0 &&
          p->pos + n < p->len && s[p->pos + n] == '.')
        {
          gsize start = p->pos;
          p->pos += n + 1;
          g_string_truncate (p->tok.text, 0);
          if (p->pos < p->len && (s[p->pos] == '"' || s[p->pos] == '\''))
            {
              if (!lex_string (p))
                return FALSE;
              if (p->tok.text->len == 0)
                {
                  fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) start, (guint) (p->pos - start),
                        "“field.” needs a field name");
                  return FALSE;
                }
            }
          else
            {
              gsize m = 0;
              while (p->pos + m < p->len && is_ident_char (s[p->pos + m]))
                m++;
              if (m == 0)
                {
                  fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) start, (guint) (n + 1),
                        "“field.” needs a field name, e.g. field.FileObject");
                  return FALSE;
                }
              g_string_append_len (p->tok.text, s + p->pos, (gssize) m);
              p->pos += m;
            }
          g_string_prepend (p->tok.text, "field.");
          p->tok.kind = T_IDENT;
          p->tok.offset = (guint) start;
          p->tok.length = (guint) (p->pos - start);
          return TRUE;
        }
      p->tok.kind = T_IDENT;
      p->tok.length = (guint) n;
      p->pos += n;
      return TRUE;
    }

  {
    /* One whole UTF-8 character in the message. */
    const char *end = g_utf8_find_next_char (s + p->pos, s + p->len);
    guint n = (guint) ((end != NULL ? end : s + p->len) - (s + p->pos));
    fail (p, ETWS_FILTER_ERROR_SYNTAX, (guint) p->pos, n, "unexpected “%.*s”", (int) n, s + p->pos);
  }
  return FALSE;
}

/* Nodes ----------------------------------------------------------------- */

static void
value_clear (Value *v)
{
  g_free (v->str);
  g_free (v->folded);
}

static void
test_free (Test *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < t->n_values; i++)
    value_clear (&t->values[i]);
  g_free (t->values);
  g_free (t->name);
  g_clear_pointer (&t->regex, g_regex_unref);
  g_free (t);
}

void
_etws_filter_node_free (Node *node)
{
  if (node == NULL)
    return;
  for (guint i = 0; i < node->n_kids; i++)
    _etws_filter_node_free (node->kids[i]);
  g_free (node->kids);
  test_free (node->test);
  g_free (node);
}

static Node *
node_new (NodeKind kind)
{
  Node *n = g_new0 (Node, 1);
  n->kind = kind;
  return n;
}

static void
node_add_kid (Node *n,
              Node *kid)
{
  n->kids = g_renew (Node *, n->kids, n->n_kids + 1);
  n->kids[n->n_kids++] = kid;
}

/* Parser ---------------------------------------------------------------- */

static Node *parse_or (Parser *p);

static guint
edit_distance (const char *a,
               const char *b)
{
  guint la = (guint) strlen (a), lb = (guint) strlen (b);
  guint row[32];

  if (la >= G_N_ELEMENTS (row) || lb >= G_N_ELEMENTS (row))
    return G_MAXUINT;
  for (guint j = 0; j <= lb; j++)
    row[j] = j;
  for (guint i = 1; i <= la; i++)
    {
      guint prev = row[0];
      row[0] = i;
      for (guint j = 1; j <= lb; j++)
        {
          guint cur = row[j];
          guint sub = prev + (g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]));
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), sub);
          prev = cur;
        }
    }
  return row[lb];
}

static gboolean
lookup_field (Parser  *p,
              FieldId *id,
              char   **name)
{
  const char *word = p->tok.text->str;
  const char *best = NULL;
  guint best_d = 3;

  *name = NULL;
  if (g_str_has_prefix (word, "field."))
    {
      *id = FIELD_DECODED;
      *name = g_strdup (word + 6);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (field_names); i++)
    if (g_ascii_strcasecmp (word, field_names[i].name) == 0)
      {
        *id = field_names[i].id;
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (field_names); i++)
    {
      guint d = edit_distance (word, field_names[i].name);
      if (d < best_d)
        {
          best_d = d;
          best = field_names[i].name;
        }
    }
  if (best != NULL)
    fail (p, ETWS_FILTER_ERROR_UNKNOWN_FIELD, p->tok.offset, p->tok.length,
          "unknown field “%s” (did you mean “%s”?)", word, best);
  else
    fail (p, ETWS_FILTER_ERROR_UNKNOWN_FIELD, p->tok.offset, p->tok.length,
          "unknown field “%s” (fields: pid, tid, cpu, time, provider, id, opcode, level, task, "
          "version, event, operation, process, path, result, detail, field.Name)", word);
  return FALSE;
}

static const char *
op_text (CmpOp op)
{
  switch (op)
    {
    case OP_EQ: return "==";
    case OP_NE: return "!=";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_CONTAINS: return "contains";
    case OP_MATCHES: return "matches";
    case OP_IN: return "in";
    case OP_EXISTS:
    default:
      return "";
    }
}

static gboolean
is_level_or_opcode_name (FieldId field)
{
  return field == FIELD_LEVEL || field == FIELD_OPCODE;
}

/* Reads one literal into v and checks that it suits the field and operator. */
static gboolean
parse_value_inner (Parser  *p,
                   Test    *t,
                   Value   *v,
                   gboolean in_set)
{
  Token *tok = &p->tok;
  FieldId f = t->field;

  memset (v, 0, sizeof *v);
  v->offset = tok->offset;
  v->length = tok->length;
  switch (tok->kind)
    {
    case T_STRING:
      v->kind = VALUE_STRING;
      v->str = g_strdup (tok->text->str);
      v->folded = g_utf8_casefold (v->str, -1);
      v->has_num = parse_number_text (v->str, strlen (v->str), &v->num);
      v->has_guid = etw_guid_parse (v->str, &v->guid);
      if (!v->has_guid && f == FIELD_PROVIDER)
        v->has_guid = etw_guid_from_known_name (v->str, &v->guid);
      break;
    case T_NUMBER:
      v->kind = VALUE_NUMBER;
      v->num = tok->num;
      break;
    case T_GUID:
      v->kind = VALUE_GUID;
      v->has_guid = TRUE;
      v->guid = tok->guid;
      break;
    case T_TIME:
      v->kind = VALUE_TIME;
      v->num = tok->num;
      break;
    case T_DURATION:
      v->kind = VALUE_DURATION;
      v->num = tok->num;
      break;
    case T_IDENT:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, tok->offset, tok->length,
            "put text in quotes: \"%s\"", tok->text->str);
      return FALSE;
    default:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, tok->offset, tok->length,
            "expected a value after “%s”, not %s", in_set ? "{" : op_text (t->op),
            tok_describe (tok->kind));
      return FALSE;
    }

  /* Type checks, so that a typo fails here rather than matching nothing. */
  if (f == FIELD_DECODED)
    {
      if (t->op == OP_CONTAINS || t->op == OP_MATCHES)
        {
          if (v->kind != VALUE_STRING)
            goto need_text;
        }
      else if (v->kind == VALUE_DURATION)
        goto bad_duration;
    }
  else if (field_is_number (f))
    {
      if (t->op == OP_CONTAINS || t->op == OP_MATCHES)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
                "“%s” is a number: “%s” works on text", field_name (f), op_text (t->op));
          return FALSE;
        }
      if (v->kind == VALUE_STRING && v->has_num)
        v->kind = VALUE_NUMBER;
      if (v->kind == VALUE_STRING && is_level_or_opcode_name (f) &&
          (t->op == OP_EQ || t->op == OP_NE || t->op == OP_IN))
        return TRUE;  /* a level or opcode name, e.g. level == "Error" */
      if (v->kind != VALUE_NUMBER)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
                "“%s” is a number, not %s", field_name (f),
                v->kind == VALUE_STRING ? "text" : tok_describe (tok->kind));
          return FALSE;
        }
      if (!v->num.integral)
        {
          fail (p, ETWS_FILTER_ERROR_VALUE, v->offset, v->length,
                "“%s” is a whole number", field_name (f));
          return FALSE;
        }
      /* ETW's "no process/thread" 0xFFFFFFFF, which the viewer's PID and
       * TID columns show as -1 (as PerfView does). */
      if ((f == FIELD_PID || f == FIELD_TID) && v->num.negative && v->num.mag == 1)
        {
          v->num.negative = FALSE;
          v->num.mag = G_MAXUINT32;
          v->num.d = (double) G_MAXUINT32;
        }
    }
  else if (f == FIELD_TIME)
    {
      if (t->op == OP_CONTAINS || t->op == OP_MATCHES)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
                "“time” is a time: “%s” works on text", op_text (t->op));
          return FALSE;
        }
      if (v->kind == VALUE_STRING)
        {
          gint64 ft;
          if (!parse_time (v->str, strlen (v->str), &ft))
            {
              fail (p, ETWS_FILTER_ERROR_VALUE, v->offset, v->length,
                    "“%s” is not a time (YYYY-MM-DDThh:mm:ss.fffffffZ, or a duration "
                    "after the first event such as 1.5s)", v->str);
              return FALSE;
            }
          v->kind = VALUE_TIME;
          memset (&v->num, 0, sizeof v->num);
          v->num.negative = ft < 0;
          v->num.mag = (guint64) (ft < 0 ? -ft : ft);
          v->num.integral = TRUE;
          v->num.d = (double) ft;
        }
      if (v->kind == VALUE_GUID)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length, "“time” is a time, not a GUID");
          return FALSE;
        }
      if (!v->num.integral)
        {
          fail (p, ETWS_FILTER_ERROR_VALUE, v->offset, v->length,
                "a raw time is a whole number of 100 ns ticks");
          return FALSE;
        }
    }
  else if (f == FIELD_PROVIDER)
    {
      if (v->kind != VALUE_STRING && v->kind != VALUE_GUID)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
                "“provider” is a name or a GUID: put the name in quotes");
          return FALSE;
        }
      if (v->kind == VALUE_GUID && (t->op == OP_CONTAINS || t->op == OP_MATCHES))
        goto need_text;
      if (v->kind == VALUE_GUID)
        {
          char text[ETW_GUID_STRING_LEN + 1];
          etw_guid_format (&v->guid, text);
          v->str = g_strdup (text);
          v->folded = g_strdup (text);
        }
    }
  else if (field_is_text (f))
    {
      if (v->kind == VALUE_GUID && t->op != OP_MATCHES)
        {
          char text[ETW_GUID_STRING_LEN + 1];
          etw_guid_format (&v->guid, text);
          v->kind = VALUE_STRING;
          v->str = g_strdup (text);
          v->folded = g_strdup (text);
        }
      if (v->kind != VALUE_STRING)
        goto need_text;
    }
  return TRUE;

need_text:
  fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
        "“%s” %s text: put the value in quotes",
        f == FIELD_DECODED ? t->name : field_name (f),
        t->op == OP_CONTAINS || t->op == OP_MATCHES ? "needs" : "is");
  return FALSE;
bad_duration:
  fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
        "a duration only compares with “time”");
  return FALSE;
}

/* A value refused by a check above owns its strings already: free them, as
 * no caller keeps a value it was refused (fuzz-filter found the leak). */
static gboolean
parse_value (Parser  *p,
             Test    *t,
             Value   *v,
             gboolean in_set)
{
  if (parse_value_inner (p, t, v, in_set))
    return TRUE;
  value_clear (v);
  memset (v, 0, sizeof *v);
  return FALSE;
}

static gboolean
ordering_allowed (FieldId f)
{
  return field_is_number (f) || f == FIELD_TIME || f == FIELD_DECODED;
}

static Node *
parse_test (Parser *p)
{
  g_autoptr(GArray) values = NULL;
  Test *t = g_new0 (Test, 1);
  Node *node;

  if (!lookup_field (p, &t->field, &t->name))
    goto error;
  if (!next (p))
    goto error;

  switch (p->tok.kind)
    {
    case T_EQ: t->op = OP_EQ; break;
    case T_NE: t->op = OP_NE; break;
    case T_LT: t->op = OP_LT; break;
    case T_LE: t->op = OP_LE; break;
    case T_GT: t->op = OP_GT; break;
    case T_GE: t->op = OP_GE; break;
    case T_CONTAINS: t->op = OP_CONTAINS; break;
    case T_MATCHES: t->op = OP_MATCHES; break;
    case T_IN: t->op = OP_IN; break;
    case T_STRING:
    case T_NUMBER:
    case T_GUID:
    case T_TIME:
    case T_IDENT:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, p->tok.length,
            "expected an operator (==, !=, <, >, contains, matches, in) before %s",
            tok_describe (p->tok.kind));
      goto error;
    default:
      t->op = OP_EXISTS;
      break;
    }

  if (t->op != OP_EXISTS && t->op != OP_EQ && t->op != OP_NE && t->op != OP_IN &&
      t->op != OP_CONTAINS && t->op != OP_MATCHES && !ordering_allowed (t->field))
    {
      fail (p, ETWS_FILTER_ERROR_TYPE, p->tok.offset, p->tok.length,
            "“%s” is text: “%s” needs a number or a time (use ==, contains or matches)",
            field_name (t->field), op_text (t->op));
      goto error;
    }

  values = g_array_new (FALSE, TRUE, sizeof (Value));
  if (t->op == OP_IN)
    {
      guint brace = p->tok.offset;

      if (!next (p))
        goto error;
      if (p->tok.kind != T_LBRACE)
        {
          fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, p->tok.length,
                "expected “{” after “in”, as in pid in {4, 8}");
          goto error;
        }
      brace = p->tok.offset;
      if (!next (p))
        goto error;
      while (p->tok.kind != T_RBRACE)
        {
          Value v;

          if (p->tok.kind == T_EOF)
            {
              fail (p, ETWS_FILTER_ERROR_SYNTAX, brace, 1, "this “{” has no closing “}”");
              goto error;
            }
          if (values->len >= ETWS_FILTER_MAX_SET)
            {
              fail (p, ETWS_FILTER_ERROR_TOO_COMPLEX, p->tok.offset, p->tok.length,
                    "a set holds at most %u values", ETWS_FILTER_MAX_SET);
              goto error;
            }
          if (!parse_value (p, t, &v, TRUE))
            goto error;
          g_array_append_val (values, v);
          if (!next (p))
            goto error;
          if (p->tok.kind == T_DOTDOT)
            {
              Value *lo = &g_array_index (values, Value, values->len - 1);
              Value hi;
              guint dots = p->tok.offset;

              if (lo->kind != VALUE_NUMBER && lo->kind != VALUE_TIME && lo->kind != VALUE_DURATION)
                {
                  fail (p, ETWS_FILTER_ERROR_TYPE, dots, 2, "a range needs numbers or times");
                  goto error;
                }
              if (!next (p) || !parse_value (p, t, &hi, TRUE))
                goto error;
              lo = &g_array_index (values, Value, values->len - 1);
              if (hi.kind != lo->kind)
                {
                  value_clear (&hi);
                  fail (p, ETWS_FILTER_ERROR_TYPE, dots, 2,
                        "both ends of a range must be of the same kind");
                  goto error;
                }
              lo->range = TRUE;
              lo->num_hi = hi.num;
              lo->length = hi.offset + hi.length - lo->offset;
              value_clear (&hi);
              if (!next (p))
                goto error;
            }
          if (p->tok.kind == T_COMMA && !next (p))
            goto error;
        }
      if (values->len == 0)
        {
          fail (p, ETWS_FILTER_ERROR_SYNTAX, brace, p->tok.offset + 1 - brace,
                "an empty set matches nothing");
          goto error;
        }
      if (!next (p))
        goto error;
    }
  else if (t->op != OP_EXISTS)
    {
      Value v;

      if (!next (p))
        goto error;
      if (!parse_value (p, t, &v, FALSE))
        goto error;
      g_array_append_val (values, v);
      if (!next (p))
        goto error;
    }

  if (t->op == OP_MATCHES)
    {
      Value *v = &g_array_index (values, Value, 0);
      g_autoptr(GError) regex_error = NULL;

      if (v->kind != VALUE_STRING)
        {
          fail (p, ETWS_FILTER_ERROR_TYPE, v->offset, v->length,
                "“matches” needs a regular expression in quotes");
          goto error;
        }
      /* Case-insensitive like every text comparison here; (?-i) turns it off. */
      t->regex = g_regex_new (v->str, G_REGEX_CASELESS, 0, &regex_error);
      if (t->regex == NULL)
        {
          fail (p, ETWS_FILTER_ERROR_VALUE, v->offset, v->length,
                "bad regular expression: %s", regex_error->message);
          goto error;
        }
    }

  t->n_values = values->len;
  t->values = (Value *) (void *) g_array_free (g_steal_pointer (&values), FALSE);
  node = node_new (NODE_TEST);
  node->test = t;
  return node;

error:
  if (values != NULL)
    for (guint i = 0; i < values->len; i++)
      value_clear (&g_array_index (values, Value, i));
  test_free (t);
  return NULL;
}

static Node *
parse_primary (Parser *p)
{
  switch (p->tok.kind)
    {
    case T_LPAREN:
      {
        guint open = p->tok.offset;
        Node *inner;

        if (++p->depth > ETWS_FILTER_MAX_DEPTH)
          {
            fail (p, ETWS_FILTER_ERROR_TOO_COMPLEX, open, 1,
                  "parentheses nest deeper than %u", ETWS_FILTER_MAX_DEPTH);
            return NULL;
          }
        if (!next (p))
          return NULL;
        if (p->tok.kind == T_RPAREN)
          {
            fail (p, ETWS_FILTER_ERROR_SYNTAX, open, p->tok.offset + 1 - open,
                  "empty parentheses");
            return NULL;
          }
        inner = parse_or (p);
        if (inner == NULL)
          return NULL;
        if (p->tok.kind != T_RPAREN)
          {
            if (p->tok.kind == T_EOF)
              fail (p, ETWS_FILTER_ERROR_SYNTAX, open, 1, "this “(” has no closing “)”");
            else
              fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, p->tok.length,
                    "expected “)” or an operator, not %s", tok_describe (p->tok.kind));
            _etws_filter_node_free (inner);
            return NULL;
          }
        p->depth--;
        if (!next (p))
          {
            _etws_filter_node_free (inner);
            return NULL;
          }
        return inner;
      }

    case T_IDENT:
      return parse_test (p);

    case T_EOF:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, 1,
            "the expression ends too early: expected a field name");
      return NULL;

    case T_STRING:
    case T_NUMBER:
    case T_GUID:
    case T_TIME:
    case T_DURATION:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, p->tok.length,
            "a comparison starts with a field name, as in pid == 4");
      return NULL;

    default:
      fail (p, ETWS_FILTER_ERROR_SYNTAX, p->tok.offset, p->tok.length,
            "expected a field name, not %s", tok_describe (p->tok.kind));
      return NULL;
    }
}

static Node *
parse_unary (Parser *p)
{
  if (p->tok.kind == T_NOT)
    {
      Node *n, *kid;

      if (++p->depth > ETWS_FILTER_MAX_DEPTH)
        {
          fail (p, ETWS_FILTER_ERROR_TOO_COMPLEX, p->tok.offset, p->tok.length,
                "“!” nests deeper than %u", ETWS_FILTER_MAX_DEPTH);
          return NULL;
        }
      if (!next (p))
        return NULL;
      kid = parse_unary (p);
      if (kid == NULL)
        return NULL;
      p->depth--;
      n = node_new (NODE_NOT);
      node_add_kid (n, kid);
      return n;
    }
  return parse_primary (p);
}

static Node *
parse_binary (Parser  *p,
              TokKind  op,
              NodeKind kind)
{
  Node *left = op == T_AND ? parse_unary (p) : parse_binary (p, T_AND, NODE_AND);
  Node *n = NULL;

  if (left == NULL)
    return NULL;
  while (p->tok.kind == op)
    {
      Node *right;

      if (!next (p))
        goto error;
      right = op == T_AND ? parse_unary (p) : parse_binary (p, T_AND, NODE_AND);
      if (right == NULL)
        goto error;
      if (n == NULL)
        {
          n = node_new (kind);
          node_add_kid (n, left);
          left = NULL;
        }
      node_add_kid (n, right);
    }
  return n != NULL ? n : left;

error:
  _etws_filter_node_free (left);
  _etws_filter_node_free (n);
  return NULL;
}

static Node *
parse_or (Parser *p)
{
  return parse_binary (p, T_OR, NODE_OR);
}

/* Costs, event-type-only subtrees, node numbering. */
static void
annotate (EtwsFilter *filter,
          Node       *n)
{
  n->index = filter->nodes->len;
  g_ptr_array_add (filter->nodes, n);
  switch (n->kind)
    {
    case NODE_TRUE:
      n->cost = 0;
      n->etype_only = FALSE;
      break;
    case NODE_TEST:
      {
        FieldClass c = _etws_filter_field_class (n->test->field);
        n->etype_only = c == CLASS_ETYPE;
        n->cost = c == CLASS_DECODE ? 100 : c == CLASS_STRING ? 2 : 1;
        if (n->test->field == FIELD_DETAIL)
          filter->decode_flags |= ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL;
        else if (n->test->field == FIELD_DECODED)
          filter->decode_flags |= ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS;
        for (guint i = 0; i < n->test->n_values; i++)
          if (n->test->values[i].kind == VALUE_DURATION)
            filter->uses_time_offset = TRUE;
        break;
      }
    default:
      n->etype_only = TRUE;
      n->cost = 0;
      for (guint i = 0; i < n->n_kids; i++)
        {
          annotate (filter, n->kids[i]);
          n->etype_only &= n->kids[i]->etype_only;
          n->cost += n->kids[i]->cost;
        }
      break;
    }
}

static int
cmp_cost (gconstpointer a,
          gconstpointer b)
{
  const Node *na = *(const Node * const *) a, *nb = *(const Node * const *) b;
  return (na->cost > nb->cost) - (na->cost < nb->cost);
}

static void
order_kids (Node *n)
{
  /* Cheap tests first: the expensive ones then see fewer rows. The order
   * does not change the result (no side effects). */
  if (n->kind == NODE_AND || n->kind == NODE_OR)
    g_qsort_with_data (n->kids, (gint) n->n_kids, sizeof (Node *),
                       (GCompareDataFunc) (void (*) (void)) cmp_cost, NULL);
  for (guint i = 0; i < n->n_kids; i++)
    order_kids (n->kids[i]);
}

EtwsFilter *
etws_filter_new (const char  *expression,
                 GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  Parser p = { 0 };
  EtwsFilter *filter;
  Node *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (expression == NULL)
    expression = "";

  p.src = expression;
  p.len = strlen (expression);
  p.error = error;
  p.tok.text = text;
  if (p.len > ETWS_FILTER_MAX_LENGTH)
    {
      fail (&p, ETWS_FILTER_ERROR_TOO_COMPLEX, ETWS_FILTER_MAX_LENGTH, 1,
            "the expression is longer than %u bytes", ETWS_FILTER_MAX_LENGTH);
      return NULL;
    }
  if (!g_utf8_validate (expression, (gssize) p.len, NULL))
    {
      const char *end;
      g_utf8_validate (expression, (gssize) p.len, &end);
      fail (&p, ETWS_FILTER_ERROR_SYNTAX, (guint) (end - expression), 1,
            "the expression is not valid UTF-8");
      return NULL;
    }
  if (!next (&p))
    return NULL;
  if (p.tok.kind == T_EOF)
    root = node_new (NODE_TRUE);
  else
    {
      root = parse_or (&p);
      if (root == NULL)
        return NULL;
      if (p.tok.kind != T_EOF)
        {
          if (p.tok.kind == T_RPAREN)
            fail (&p, ETWS_FILTER_ERROR_SYNTAX, p.tok.offset, 1, "this “)” has no matching “(”");
          else
            fail (&p, ETWS_FILTER_ERROR_SYNTAX, p.tok.offset, p.tok.length,
                  "expected “&&”, “||” or the end, not %s", tok_describe (p.tok.kind));
          _etws_filter_node_free (root);
          return NULL;
        }
    }

  filter = g_new0 (EtwsFilter, 1);
  g_atomic_ref_count_init (&filter->ref_count);
  filter->expression = g_strdup (expression);
  filter->root = root;
  filter->nodes = g_ptr_array_new ();
  order_kids (root);
  annotate (filter, root);
  return filter;
}

EtwsFilter *
etws_filter_ref (EtwsFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
etws_filter_unref (EtwsFilter *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  _etws_filter_node_free (self->root);
  g_ptr_array_unref (self->nodes);
  g_free (self->expression);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (EtwsFilter, etws_filter, etws_filter_ref, etws_filter_unref)

const char *
etws_filter_get_expression (EtwsFilter *self)
{
  return self->expression;
}

gboolean
etws_filter_matches_all (EtwsFilter *self)
{
  return self->root->kind == NODE_TRUE;
}

gboolean
etws_filter_needs_decode (EtwsFilter *self)
{
  return self->decode_flags != 0;
}

/* Canonical text ---------------------------------------------------------- */

static void
append_number (GString      *out,
               const Number *n)
{
  if (n->integral)
    g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, n->negative ? "-" : "", n->mag);
  else
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (out, g_ascii_dtostr (buf, sizeof buf, n->d));
    }
}

static void
append_value (GString     *out,
              const Value *v)
{
  switch (v->kind)
    {
    case VALUE_STRING:
      {
        g_autofree char *q = etws_filter_quote_string (v->str);
        g_string_append (out, q);
        break;
      }
    case VALUE_GUID:
      {
        char text[ETW_GUID_STRING_LEN + 1];
        etw_guid_format (&v->guid, text);
        g_string_append_printf (out, "{%s}", text);
        break;
      }
    case VALUE_TIME:
      {
        char buf[64];
        gint64 ft = v->num.negative ? -(gint64) v->num.mag : (gint64) v->num.mag;
        /* Floored, so that times before 1601 keep a positive fraction. */
        gint64 secs = ft / 10000000, frac = ft % 10000000;
        if (frac < 0)
          {
            frac += 10000000;
            secs -= 1;
          }
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (
          secs - G_GINT64_CONSTANT (11644473600));
        if (dt != NULL)
          {
            /* %Y does not pad years before 1000, which the parser
             * needs as four digits. */
            g_autofree char *s = g_date_time_format (dt, "-%m-%dT%H:%M:%S");
            g_snprintf (buf, sizeof buf, "%04d%s.%07dZ", g_date_time_get_year (dt), s, (int) frac);
            g_string_append (out, buf);
          }
        else
          append_number (out, &v->num);
        break;
      }
    case VALUE_DURATION:
      append_number (out, &v->num);
      g_string_append (out, "00ns");  /* ticks are 100 ns */
      break;
    case VALUE_NUMBER:
    default:
      append_number (out, &v->num);
      break;
    }
  if (v->range)
    {
      Value hi = *v;
      hi.range = FALSE;
      hi.num = v->num_hi;
      g_string_append (out, "..");
      append_value (out, &hi);
    }
}

void
_etws_filter_append_node (GString *out,
                          Node    *n)
{
  switch (n->kind)
    {
    case NODE_TRUE:
      g_string_append (out, "true");
      break;
    case NODE_NOT:
      g_string_append_c (out, '!');
      _etws_filter_append_node (out, n->kids[0]);
      break;
    case NODE_AND:
    case NODE_OR:
      g_string_append_c (out, '(');
      for (guint i = 0; i < n->n_kids; i++)
        {
          if (i > 0)
            g_string_append (out, n->kind == NODE_AND ? " && " : " || ");
          _etws_filter_append_node (out, n->kids[i]);
        }
      g_string_append_c (out, ')');
      break;
    case NODE_TEST:
      {
        Test *t = n->test;

        g_string_append_c (out, '(');
        if (t->field == FIELD_DECODED)
          {
            g_autofree char *q = etws_filter_quote_string (t->name);
            g_string_append_printf (out, "field.%s", q);
          }
        else
          g_string_append (out, field_name (t->field));
        if (t->op == OP_IN)
          {
            g_string_append (out, " in {");
            for (guint i = 0; i < t->n_values; i++)
              {
                if (i > 0)
                  g_string_append (out, ", ");
                append_value (out, &t->values[i]);
              }
            g_string_append_c (out, '}');
          }
        else if (t->op != OP_EXISTS)
          {
            g_string_append_printf (out, " %s ", op_text (t->op));
            append_value (out, &t->values[0]);
          }
        g_string_append_c (out, ')');
        break;
      }
    default:
      break;
    }
}

char *
etws_filter_to_string (EtwsFilter *self)
{
  GString *out = g_string_new (NULL);

  _etws_filter_append_node (out, self->root);
  return g_string_free (out, FALSE);
}

/* Building expressions ---------------------------------------------------- */

char *
etws_filter_quote_string (const char *value)
{
  GString *out = g_string_new ("\"");

  for (const char *s = value != NULL ? value : ""; *s; s++)
    {
      switch (*s)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default: g_string_append_c (out, *s); break;
        }
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static char *
format_value_for (const char *field,
                  const char *value)
{
  FieldId id = FIELD_DECODED;
  Number num;

  for (guint i = 0; i < G_N_ELEMENTS (field_names); i++)
    if (g_ascii_strcasecmp (field, field_names[i].name) == 0)
      id = field_names[i].id;
  if (id == FIELD_DECODED && !g_str_has_prefix (field, "field."))
    return NULL;
  if (field_is_number (id))
    {
      if (value == NULL || !parse_number_text (value, strlen (value), &num) || !num.integral)
        return NULL;
      return g_strdup (value);
    }
  return etws_filter_quote_string (value);
}

char *
etws_filter_clause_for_value (const char *field,
                              const char *value,
                              gboolean    exclude)
{
  g_autofree char *v = NULL;

  g_return_val_if_fail (field != NULL, NULL);
  v = format_value_for (field, value);
  if (v == NULL)
    return NULL;
  return g_strdup_printf ("%s %s %s", field, exclude ? "!=" : "==", v);
}

char *
etws_filter_clause_for_values (const char         *field,
                               const char * const *values,
                               gboolean            exclude)
{
  GString *out;

  g_return_val_if_fail (field != NULL, NULL);
  if (values == NULL || values[0] == NULL)
    return NULL;
  if (values[1] == NULL)
    return etws_filter_clause_for_value (field, values[0], exclude);
  out = g_string_new (exclude ? "!(" : "");
  g_string_append_printf (out, "%s in {", field);
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autofree char *v = format_value_for (field, values[i]);
      if (v == NULL)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, v);
    }
  g_string_append_c (out, '}');
  if (exclude)
    g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

/* Whether an expression needs parentheses to be one operand of &&: it has
 * a top-level || (inside no parentheses or quotes). */
static gboolean
has_top_level_or (const char *start)
{
  int depth = 0;
  char quote = 0;

  for (const char *s = start; *s; s++)
    {
      if (quote)
        {
          if (*s == '\\' && s[1] != '\0')
            s++;
          else if (*s == quote)
            quote = 0;
          continue;
        }
      if (*s == '"' || *s == '\'')
        quote = *s;
      else if (*s == '(' || *s == '{')
        depth++;
      else if (*s == ')' || *s == '}')
        depth--;
      else if (depth == 0 && *s == '|' && s[1] == '|')
        return TRUE;
      else if (depth == 0 && g_ascii_strncasecmp (s, "or", 2) == 0 &&
               (g_ascii_isspace (s[2]) || s[2] == '(') && s > start && g_ascii_isspace (s[-1]))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

char *
etws_filter_combine (const char *expression,
                     const char *clause)
{
  g_autofree char *a = NULL, *b = NULL;

  if (is_blank (expression))
    return is_blank (clause) ? g_strdup ("") : g_strstrip (g_strdup (clause));
  if (is_blank (clause))
    return g_strstrip (g_strdup (expression));
  a = g_strstrip (g_strdup (expression));
  b = g_strstrip (g_strdup (clause));
  return g_strdup_printf ("%s%s%s && %s%s%s",
                          has_top_level_or (a) ? "(" : "", a, has_top_level_or (a) ? ")" : "",
                          has_top_level_or (b) ? "(" : "", b, has_top_level_or (b) ? ")" : "");
}
