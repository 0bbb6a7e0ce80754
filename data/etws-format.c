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

/* Integers by hand: printf is most of the time of a large export. */
static void
append_u64 (GString *out,
            guint64  v)
{
  char buf[24];
  int i = sizeof buf;

  do
    buf[--i] = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  g_string_append_len (out, buf + i, sizeof buf - i);
}

static void
append_i64 (GString *out,
            gint64   v)
{
  if (v < 0)
    {
      g_string_append_c (out, '-');
      append_u64 (out, (guint64) -(v + 1) + 1);
    }
  else
    append_u64 (out, (guint64) v);
}

static void
append_hex (GString *out,
            guint64  v)
{
  static const char hex[] = "0123456789abcdef";
  char buf[20];
  int i = sizeof buf;

  do
    buf[--i] = hex[v & 15];
  while ((v >>= 4) != 0);
  buf[--i] = 'x';
  buf[--i] = '0';
  g_string_append_len (out, buf + i, sizeof buf - i);
}

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
          /* The group before the run did not write its colon. */
          g_string_append (out, "::");
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
      append_i64 (out, (gint64) f->v.i);
      break;
    case ETW_VAL_UINT:
      append_u64 (out, (guint64) f->v.u);
      break;
    case ETW_VAL_HEX:
    case ETW_VAL_POINTER:
    case ETW_VAL_STATUS:
      append_hex (out, (guint64) f->v.u);
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
      {
        static const char hex[] = "0123456789abcdef";
        for (guint32 i = 0; i < f->len; i++)
          {
            g_string_append_c (out, hex[f->v.b[i] >> 4]);
            g_string_append_c (out, hex[f->v.b[i] & 15]);
          }
        break;
      }
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
    case ETW_VAL_STRING:
    case ETW_VAL_SID:
      etws_json_append_string (out, f->v.s);
      break;
    default:
      /* The other values are written in plain ASCII that JSON needs no
       * escapes for (hex, GUIDs, addresses, times): no copy. */
      g_string_append_c (out, '"');
      etws_format_field_value (out, f);
      g_string_append_c (out, '"');
      break;
    }
}

/* Writes fields[*i..] at `depth` as members of an object (or elements of
 * an array), leaving *i after the closing marker. */
static void
append_members (GString        *out,
                const EtwField *fields,
                guint           n,
                guint          *i,
                gboolean        as_array,
                gboolean        top)
{
  gboolean first = TRUE;

  while (*i < n)
    {
      const EtwField *f = &fields[*i];

      if (f->type == ETW_VAL_STRUCT_END || f->type == ETW_VAL_ARRAY_END)
        {
          (*i)++;
          /* An end with nothing open (a damaged field list): skip it, or
           * the next member would follow without its comma. */
          if (top)
            continue;
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
          append_members (out, fields, n, i, FALSE, FALSE);
          g_string_append_c (out, '}');
        }
      else if (f->type == ETW_VAL_ARRAY_BEGIN)
        {
          g_string_append_c (out, '[');
          append_members (out, fields, n, i, TRUE, FALSE);
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
  append_members (out, fields, n_fields, &i, FALSE, TRUE);
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
  g_string_append (out, ",\"cpu\":");
  append_u64 (out, ev->cpu);
  /* "pid" is the process the event is about (the viewer's PID column and
   * the filter's `pid`); the header's, when it differs, follows. */
  g_string_append (out, ",\"pid\":");
  append_u64 (out, dec->pid);
  g_string_append (out, ",\"tid\":");
  append_u64 (out, ev->tid);
  if (ev->pid != dec->pid)
    {
      g_string_append (out, ",\"header_pid\":");
      append_u64 (out, ev->pid);
    }
  append_key (out, "provider");
  etws_json_append_string (out, dec->provider_name);
  etw_guid_format (&ev->provider, guid);
  g_string_append (out, ",\"provider_guid\":\"");
  g_string_append (out, guid);
  g_string_append_c (out, '"');
  g_string_append (out, ",\"id\":");
  append_u64 (out, ev->id);
  g_string_append (out, ",\"version\":");
  append_u64 (out, ev->version);
  g_string_append (out, ",\"opcode\":");
  append_u64 (out, ev->opcode);
  g_string_append (out, ",\"level\":");
  append_u64 (out, ev->level);
  g_string_append (out, ",\"task\":");
  append_u64 (out, ev->task);
  g_string_append (out, ",\"keywords\":\"");
  append_hex (out, (guint64) ev->keyword);
  g_string_append_c (out, '"');
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
          g_string_append (out, "{\"address\":\"");
          append_hex (out, frames[i].address);
          g_string_append_c (out, '"');
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
                          (int) dec->pid, (int) ev->tid, dec->provider_name);
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

/* The local zone, looked up once: exports call this per row. */
static GTimeZone *
local_zone (void)
{
  static gsize zone = 0;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());
  return (GTimeZone *) zone;
}

void
etws_format_time_of_day (GString *out,
                         gint64   filetime)
{
  /* Floor division, so that times before 1970 still land on their second. */
  gint64 secs = filetime / 10000000, ticks = filetime % 10000000;
  gint64 unix_secs, local, day_secs;
  GTimeZone *tz = local_zone ();
  int interval, hour;

  if (ticks < 0)
    {
      ticks += 10000000;
      secs--;
    }
  unix_secs = secs - G_GINT64_CONSTANT (11644473600);
  interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, unix_secs);
  local = unix_secs + (interval >= 0 ? g_time_zone_get_offset (tz, interval) : 0);
  day_secs = ((local % 86400) + 86400) % 86400;
  hour = (int) (day_secs / 3600);
  /* AM/PM spelled out rather than from the locale: scripts parse them. */
  g_string_append_printf (out, "%d:%02d:%02d.%07d %s", hour % 12 == 0 ? 12 : hour % 12,
                          (int) (day_secs / 60 % 60), (int) (day_secs % 60), (int) ticks,
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
  g_string_append_c (out, '"');
  append_u64 (out, v);
  g_string_append_c (out, '"');
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
  append_hex (tmp, (guint64) ev->keyword);
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
  g_string_append_c (out, '\t');
  append_u64 (out, dec->pid);
  append_column (out, dec->operation != NULL ? dec->operation : dec->event_name);
  append_column (out, dec->path);
  append_column (out, dec->result);
  append_column (out, dec->detail);
}
