/* etws-format.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-format"

#include "config.h"

#include "etws-format.h"

#include "etl-reader.h"
#include "etw-guid.h"

#include <math.h>
#include <string.h>

void
etws_json_append_string (GString    *out,
                         const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run;

  g_string_append_c (out, '"');
  if (s == NULL)
    s = "";
  run = s;
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, s - run);
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 15]);
          break;
        }
      run = s + 1;
    }
  g_string_append_len (out, run, s - run);
  g_string_append_c (out, '"');
}

static void
append_ipv6 (GString       *out,
             const guint8  *a)
{
  /* RFC 5952: lowercase, longest run (>= 2) of zero groups as "::". */
  guint16 g[8];
  int best = -1, best_len = 0;

  for (int i = 0; i < 8; i++)
    g[i] = (guint16) (a[2 * i] << 8 | a[2 * i + 1]);
  for (int i = 0; i < 8;)
    {
      if (g[i] != 0)
        {
          i++;
          continue;
        }
      int j = i;
      while (j < 8 && g[j] == 0)
        j++;
      if (j - i > best_len && j - i >= 2)
        {
          best = i;
          best_len = j - i;
        }
      i = j;
    }
  /* IPv4-mapped addresses keep their dotted tail. */
  if (best == 0 && best_len == 5 && g[5] == 0xffff)
    {
      g_string_append_printf (out, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
      return;
    }
  for (int i = 0; i < 8; i++)
    {
      if (i == best)
        {
          g_string_append (out, i == 0 ? "::" : ":");
          i += best_len - 1;
          continue;
        }
      g_string_append_printf (out, "%x", g[i]);
      if (i < 7 && i + 1 != best)
        g_string_append_c (out, ':');
    }
}

static void
append_systemtime (GString      *out,
                   const guint8 *p)
{
  /* wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute, wSecond, wMilliseconds */
  guint v[8];

  for (int i = 0; i < 8; i++)
    v[i] = (guint) (p[2 * i] | p[2 * i + 1] << 8);
  g_string_append_printf (out, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
                          v[0], v[1], v[3], v[4], v[5], v[6], v[7]);
}

void
etws_format_time_utc (GString *out,
                      gint64   filetime)
{
  char buf[ETW_FILETIME_TEXT_SIZE];

  etw_filetime_format (filetime, buf);
  g_string_append (out, buf);
}

void
etws_format_field_value (GString        *out,
                         const EtwField *f)
{
  char guid[ETW_GUID_STRING_LEN + 1];

  switch ((EtwValueType) f->type)
    {
    case ETW_VAL_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) f->v.i);
      break;
    case ETW_VAL_UINT:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, (guint64) f->v.u);
      break;
    case ETW_VAL_HEX:
    case ETW_VAL_POINTER:
    case ETW_VAL_STATUS:
      g_string_append_printf (out, "0x%" G_GINT64_MODIFIER "x", (guint64) f->v.u);
      break;
    case ETW_VAL_BOOL:
      g_string_append (out, f->v.u ? "true" : "false");
      break;
    case ETW_VAL_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, f->v.d));
        break;
      }
    case ETW_VAL_STRING:
    case ETW_VAL_SID:
      g_string_append (out, f->v.s != NULL ? f->v.s : "");
      break;
    case ETW_VAL_GUID:
      etw_guid_format (&f->v.g, guid);
      g_string_append (out, guid);
      break;
    case ETW_VAL_IPV4:
      g_string_append_printf (out, "%u.%u.%u.%u", f->v.ip[0], f->v.ip[1], f->v.ip[2], f->v.ip[3]);
      break;
    case ETW_VAL_IPV6:
      append_ipv6 (out, f->v.ip);
      break;
    case ETW_VAL_FILETIME:
      etws_format_time_utc (out, f->v.i);
      break;
    case ETW_VAL_SYSTEMTIME:
      append_systemtime (out, f->v.ip);
      break;
    case ETW_VAL_BINARY:
      for (guint32 i = 0; i < f->len; i++)
        g_string_append_printf (out, "%02x", f->v.b[i]);
      break;
    case ETW_VAL_ARRAY_BEGIN:
      g_string_append_printf (out, "[%u]", f->len);
      break;
    case ETW_VAL_STRUCT_BEGIN:
    case ETW_VAL_STRUCT_END:
    case ETW_VAL_ARRAY_END:
    case ETW_VAL_NONE:
    default:
      break;
    }
}

void
etws_format_field_json (GString        *out,
                        const EtwField *f)
{
  switch ((EtwValueType) f->type)
    {
    case ETW_VAL_INT:
    case ETW_VAL_UINT:
    case ETW_VAL_BOOL:
      etws_format_field_value (out, f);
      break;
    case ETW_VAL_DOUBLE:
      if (isfinite (f->v.d))
        etws_format_field_value (out, f);
      else
        g_string_append (out, "null");
      break;
    case ETW_VAL_NONE:
      g_string_append (out, "null");
      break;
    default:
      {
        GString *tmp = g_string_new (NULL);
        etws_format_field_value (tmp, f);
        etws_json_append_string (out, tmp->str);
        g_string_free (tmp, TRUE);
        break;
      }
    }
}

/* Writes fields[*i..] at `depth` as members of an object (or elements of
 * an array), leaving *i after the closing marker. */
static void
append_members (GString        *out,
                const EtwField *fields,
                guint           n,
                guint          *i,
                gboolean        as_array)
{
  gboolean first = TRUE;

  while (*i < n)
    {
      const EtwField *f = &fields[*i];

      if (f->type == ETW_VAL_STRUCT_END || f->type == ETW_VAL_ARRAY_END)
        {
          (*i)++;
          return;
        }
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      if (!as_array)
        {
          etws_json_append_string (out, f->name);
          g_string_append_c (out, ':');
        }
      (*i)++;
      if (f->type == ETW_VAL_STRUCT_BEGIN)
        {
          g_string_append_c (out, '{');
          append_members (out, fields, n, i, FALSE);
          g_string_append_c (out, '}');
        }
      else if (f->type == ETW_VAL_ARRAY_BEGIN)
        {
          g_string_append_c (out, '[');
          append_members (out, fields, n, i, TRUE);
          g_string_append_c (out, ']');
        }
      else
        etws_format_field_json (out, f);
    }
}

void
etws_format_fields_json (GString        *out,
                         const EtwField *fields,
                         guint           n_fields)
{
  guint i = 0;

  g_string_append_c (out, '{');
  while (i < n_fields)
    append_members (out, fields, n_fields, &i, FALSE);
  g_string_append_c (out, '}');
}

static void
append_key (GString    *out,
            const char *key)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, key);
  g_string_append (out, "\":");
}

void
etws_format_jsonl (GString              *out,
                   const EtwEvent       *ev,
                   const EtwDecoded     *dec,
                   const EtwsStackFrame *frames,
                   guint                 n_frames)
{
  char guid[ETW_GUID_STRING_LEN + 1];

  g_string_append (out, "{\"time\":\"");
  etws_format_time_utc (out, ev->time);
  g_string_append_c (out, '"');
  g_string_append_printf (out, ",\"cpu\":%u,\"pid\":%u,\"tid\":%u", ev->cpu, ev->pid, ev->tid);
  append_key (out, "provider");
  etws_json_append_string (out, dec->provider_name);
  etw_guid_format (&ev->provider, guid);
  g_string_append_printf (out, ",\"provider_guid\":\"%s\"", guid);
  g_string_append_printf (out, ",\"id\":%u,\"version\":%u,\"opcode\":%u,\"level\":%u,\"task\":%u",
                          ev->id, ev->version, ev->opcode, ev->level, ev->task);
  g_string_append_printf (out, ",\"keywords\":\"0x%" G_GINT64_MODIFIER "x\"", (guint64) ev->keyword);
  append_key (out, "event");
  if (dec->event_name != NULL)
    etws_json_append_string (out, dec->event_name);
  else
    g_string_append (out, "null");
  if (dec->process_name != NULL)
    {
      append_key (out, "process");
      etws_json_append_string (out, dec->process_name);
    }
  if (dec->operation != NULL)
    {
      append_key (out, "operation");
      etws_json_append_string (out, dec->operation);
    }
  if (dec->path != NULL)
    {
      append_key (out, "path");
      etws_json_append_string (out, dec->path);
    }
  if (dec->result != NULL)
    {
      append_key (out, "result");
      etws_json_append_string (out, dec->result);
    }
  if (dec->detail != NULL)
    {
      append_key (out, "detail");
      etws_json_append_string (out, dec->detail);
    }
  append_key (out, "fields");
  etws_format_fields_json (out, dec->fields, dec->n_fields);
  if (n_frames > 0)
    {
      append_key (out, "stack");
      g_string_append_c (out, '[');
      for (guint i = 0; i < n_frames; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_printf (out, "{\"address\":\"0x%" G_GINT64_MODIFIER "x\"",
                                  frames[i].address);
          if (frames[i].symbol != NULL)
            {
              g_string_append (out, ",\"symbol\":");
              etws_json_append_string (out, frames[i].symbol);
            }
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

void
etws_format_text_line (GString          *out,
                       const EtwEvent   *ev,
                       const EtwDecoded *dec)
{
  etws_format_time_utc (out, ev->time);
  g_string_append_printf (out, " cpu=%-2u pid=%-6d tid=%-6d %s", ev->cpu,
                          (int) ev->pid, (int) ev->tid, dec->provider_name);
  if (ev->kind == ETW_HDR_EVENT || ev->kind == ETW_HDR_LIVE)
    g_string_append_printf (out, " id=%u/op=%u", ev->id, ev->opcode);
  else
    g_string_append_printf (out, " op=%u", ev->opcode);
  if (dec->event_name != NULL)
    g_string_append_printf (out, " %s", dec->event_name);
  if (dec->process_name != NULL)
    g_string_append_printf (out, " [%s]", dec->process_name);
  if (dec->path != NULL && dec->path[0] != '\0')
    g_string_append_printf (out, " %s", dec->path);
  if (dec->result != NULL && dec->result[0] != '\0')
    g_string_append_printf (out, " %s", dec->result);
  if (dec->detail != NULL && dec->detail[0] != '\0')
    g_string_append_printf (out, " | %s", dec->detail);
}

void
etws_format_time_of_day (GString *out,
                         gint64   filetime)
{
  /* Floor division, so that times before 1970 still land on their second. */
  gint64 secs = filetime / 10000000, ticks = filetime % 10000000;
  g_autoptr(GDateTime) dt = NULL;
  int hour;

  if (ticks < 0)
    {
      ticks += 10000000;
      secs--;
    }
  dt = g_date_time_new_from_unix_local (secs - G_GINT64_CONSTANT (11644473600));
  if (dt == NULL)
    {
      etws_format_time_utc (out, filetime);
      return;
    }
  hour = g_date_time_get_hour (dt);
  /* AM/PM spelled out rather than from the locale: scripts parse them. */
  g_string_append_printf (out, "%d:%02d:%02d.%07d %s", hour % 12 == 0 ? 12 : hour % 12,
                          g_date_time_get_minute (dt), g_date_time_get_second (dt), (int) ticks,
                          hour < 12 ? "AM" : "PM");
}

void
etws_csv_append_cell (GString    *out,
                      const char *value)
{
  const char *s = value != NULL ? value : "";
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);
  g_string_append_c (out, '"');
  if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
    g_string_append_c (out, '\'');
  for (; *s; s++)
    {
      if (*s == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

static void
csv_uint (GString *out,
          guint64  v)
{
  g_string_append_printf (out, "\"%" G_GUINT64_FORMAT "\"", v);
}

void
etws_format_csv_header (GString *out)
{
  g_string_append (out, "\"#\",\"Time\",\"CPU\",\"Process\",\"PID\",\"TID\",\"Provider\","
                        "\"Provider GUID\",\"Id\",\"Version\",\"Opcode\",\"Level\",\"Task\","
                        "\"Keywords\",\"Event\",\"Operation\",\"Path\",\"Result\",\"Detail\"");
}

void
etws_format_csv_row (GString          *out,
                     guint64           row,
                     const EtwEvent   *ev,
                     const EtwDecoded *dec)
{
  char guid[ETW_GUID_STRING_LEN + 1];
  GString *tmp = g_string_new (NULL);

  csv_uint (out, row);
  g_string_append_c (out, ',');
  etws_format_time_utc (tmp, ev->time);
  etws_csv_append_cell (out, tmp->str);
  g_string_append_c (out, ',');
  csv_uint (out, ev->cpu);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->process_name);
  g_string_append_c (out, ',');
  csv_uint (out, dec->pid);
  g_string_append_c (out, ',');
  csv_uint (out, ev->tid);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->provider_name);
  g_string_append_c (out, ',');
  etw_guid_format (&ev->provider, guid);
  etws_csv_append_cell (out, guid);
  g_string_append_c (out, ',');
  csv_uint (out, ev->id);
  g_string_append_c (out, ',');
  csv_uint (out, ev->version);
  g_string_append_c (out, ',');
  csv_uint (out, ev->opcode);
  g_string_append_c (out, ',');
  csv_uint (out, ev->level);
  g_string_append_c (out, ',');
  csv_uint (out, ev->task);
  g_string_append_c (out, ',');
  g_string_truncate (tmp, 0);
  g_string_append_printf (tmp, "0x%" G_GINT64_MODIFIER "x", (guint64) ev->keyword);
  etws_csv_append_cell (out, tmp->str);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->event_name);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->operation);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->path);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->result);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->detail);
  g_string_free (tmp, TRUE);
}

void
etws_format_procmon_csv_header (GString *out)
{
  g_string_append (out, "\"Time of Day\",\"Process Name\",\"PID\",\"Operation\",\"Path\","
                        "\"Result\",\"Detail\"");
}

void
etws_format_procmon_csv_row (GString          *out,
                             const EtwEvent   *ev,
                             const EtwDecoded *dec)
{
  GString *tmp = g_string_new (NULL);

  etws_format_time_of_day (tmp, ev->time);
  etws_csv_append_cell (out, tmp->str);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->process_name);
  g_string_append_c (out, ',');
  csv_uint (out, dec->pid);
  g_string_append_c (out, ',');
  /* Process Monitor names the operation; events without one show their
   * event name there. */
  etws_csv_append_cell (out, dec->operation != NULL ? dec->operation : dec->event_name);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->path);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->result);
  g_string_append_c (out, ',');
  etws_csv_append_cell (out, dec->detail);
  g_string_free (tmp, TRUE);
}

static void
append_column (GString    *out,
               const char *value)
{
  g_string_append_c (out, '\t');
  for (const char *s = value != NULL ? value : ""; *s; s++)
    g_string_append_c (out, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

void
etws_format_columns_header (GString *out)
{
  g_string_append (out, "Time\tProcess\tPID\tOperation\tPath\tResult\tDetail");
}

void
etws_format_columns_line (GString          *out,
                          const EtwEvent   *ev,
                          const EtwDecoded *dec)
{
  etws_format_time_utc (out, ev->time);
  append_column (out, dec->process_name);
  g_string_append_printf (out, "\t%u", dec->pid);
  append_column (out, dec->operation != NULL ? dec->operation : dec->event_name);
  append_column (out, dec->path);
  append_column (out, dec->result);
  append_column (out, dec->detail);
}
