/* test-ground-truth-tl.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TraceLogging decoding on the real traces that carry it. The expected
 * values were read off the bytes of each record (schema item, provider
 * traits, payload) by hand, see the comments; the names are those of
 * etl-format.md's verification. Plain C: also runs under wine64. The
 * .etl.gz fixture is checked by test-ground-truth-tl-gz.c (needs GLib).
 */
#include <stdlib.h>

#include "etl-reader.h"
#include "mini-json.h"
#include "test-decoders-util.h"

typedef void (*TlCheck) (unsigned n, const EtwEvent *ev, const EtwDecoded *d, void *data);

/* Decodes every TraceLogging event of a file in file order. Returns how
 * many there were, or -1 if the file could not be read. */
static int
walk_tl (const char *name,
         TlCheck     check,
         void       *data)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  char path[4096];
  size_t len;
  char *bytes;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  EtwDecoder *dec;
  EtwDecoded *d = calloc (1, sizeof *d);
  unsigned n = 0;

  snprintf (path, sizeof path, "%s/%s", dir != NULL ? dir : ".", name);
  bytes = mj_read_file (path, &len);
  if (bytes == NULL)
    {
      free (d);
      return -1;
    }
  f = etl_file_open ((const uint8_t *) bytes, len, &err);
  it = etl_iter_new (f, ETL_ORDER_FILE);
  dec = etw_decoder_new ();
  while (etl_iter_next (it, &ev))
    {
      etw_decoder_observe (dec, &ev);
      if (!(ev.xflags & ETW_XFLAG_TRACELOGGING))
        continue;
      etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS | ETW_DECODE_DETAIL, d);
      check (n++, &ev, d, data);
    }
  etw_decoder_free (dec);
  etl_iter_free (it);
  etl_file_free (f);
  free (bytes);
  free (d);
  return (int) n;
}

typedef struct
{
  unsigned ok;
  unsigned named;
  bool     first_ok;
} Tally;

/* AMSITrace: every event is AmsiTrace/AmsiScript with three fields, two
 * NUL-terminated UTF-16 strings ("Engine", "Script") and "Raw Script",
 * in-type 0xC6 (UINT16, variable count, out-type STRING): a counted
 * UTF-16 string. The first record in file order carries PowerShell's
 * engine name and a 350-character script, the same text twice. */
static void
check_amsi (unsigned n, const EtwEvent *ev, const EtwDecoded *d, void *data)
{
  Tally *t = data;
  const EtwField *script = find_field (d, "Script"), *raw = find_field (d, "Raw Script");

  if (str_is (d->provider_name, "AmsiTrace") && str_is (d->event_name, "AmsiScript") && d->n_fields == 3 &&
      find_field (d, "Engine") != NULL && script != NULL && raw != NULL && raw->type == ETW_VAL_STRING &&
      !d->malformed)
    t->ok++;
  if (n == 0)
    t->first_ok = field_s (d, "Engine", "PowerShell_C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe_10.0.18362.1") &&
                  script != NULL && strncmp (script->v.s, "if ($this.Name.IndexOf('-') -lt 0)\r\n", 36) == 0 &&
                  strlen (script->v.s) == 350 && raw != NULL && strcmp (raw->v.s, script->v.s) == 0 &&
                  ev->payload_len == 1568;
}

/* PrimitiveTypesTest (provider solar_system): one field per primitive
 * type. First record, payload bytes: "Mercury\0" | 00 | 4d | cdff | 9affffff
 * | 3300 | 66000000 | 34ffffffffffffff | cc00000000000000 | GUID c414d60a
 * f40e 2542 8013f44f37cb0397 | FILETIME 7010fa4d8ba5d701 | SYSTEMTIME
 * e507 0900 0400 0900 0e00 3b00 2300 1f03. The schema gives "int64_type"
 * in-type 0x0A (UInt64), so its value is the unsigned 2^64 - 204. */
static void
check_primitive (unsigned n, const EtwEvent *ev, const EtwDecoded *d, void *data)
{
  static const char *const names[] = { "Mercury", "Venus", "Earth", "Mars", "Jupiter" };
  Tally *t = data;
  const EtwField *st, *g;

  (void) ev;
  if (str_is (d->provider_name, "solar_system") && str_is (d->event_name, "PrimitiveTypesTest") &&
      d->n_fields == 12 && n < 5 && field_s (d, "string_type", names[n]) && !d->malformed)
    t->ok++;
  if (n != 0)
    return;
  st = find_field (d, "system_time_type");
  g = find_field (d, "guid_type");
  t->first_ok = field_u (d, "boolean_type", ETW_VAL_BOOL, 0) && field_s (d, "char_type", "M") &&
                field_u (d, "int16_type", ETW_VAL_INT, (uint64_t) -51) &&
                field_u (d, "int32_type", ETW_VAL_INT, (uint64_t) -102) &&
                field_u (d, "uint16_type", ETW_VAL_UINT, 51) && field_u (d, "uint32_type", ETW_VAL_UINT, 102) &&
                field_u (d, "int64_type", ETW_VAL_UINT, (uint64_t) -204) &&
                field_u (d, "uint64_type", ETW_VAL_UINT, 204) &&
                field_u (d, "file_time_type", ETW_VAL_FILETIME, 0x01d7a58b4dfa1070ull) &&
                g != NULL && g->type == ETW_VAL_GUID && g->v.g.data1 == 0x0ad614c4 && g->v.g.data2 == 0x0ef4 &&
                g->v.g.data3 == 0x4225 && g->v.g.data4[0] == 0x80 && g->v.g.data4[7] == 0x97 &&
                st != NULL && st->type == ETW_VAL_SYSTEMTIME && st->v.ip[0] == 0xe5 && st->v.ip[1] == 0x07 &&
                st->v.ip[14] == 0x1f && st->v.ip[15] == 0x03;
}

/* LxCore BreakPoint: ErrorLevel UINT8, instanceId GUID, LxPid/LxTid/LxNs
 * INT32, ExecutablePath counted ANSI (in-type 23), Function and Message
 * ANSI, Line UINT32. The event's tags take two bytes (80 00). */
static void
check_lxcore (unsigned n, const EtwEvent *ev, const EtwDecoded *d, void *data)
{
  Tally *t = data;

  (void) ev;
  if (str_is (d->provider_name, "Microsoft.Windows.Subsystem.LxCore") && str_is (d->event_name, "BreakPoint") &&
      d->n_fields == 9 && field_u (d, "ErrorLevel", ETW_VAL_UINT, 2) &&
      field_u (d, "LxPid", ETW_VAL_INT, (uint64_t) -1) && field_s (d, "ExecutablePath", "") && !d->malformed)
    t->ok++;
  if (n == 0)
    t->first_ok = field_s (d, "Function", "LxpInstanceStart") && field_u (d, "Line", ETW_VAL_UINT, 2659) &&
                  field_s (d, "Message", "[0xc0000034] LxpInstanceInitialize\n");
  else
    t->first_ok = t->first_ok && field_s (d, "Function", "LxpDrvFsTypeMount") &&
                  field_u (d, "Line", ETW_VAL_UINT, 0x2920) &&
                  field_s (d, "Message", "Failed to open volume C:\\WINDOWS\\system32\\lxss\\tools, result -2\n");
}

int
main (void)
{
  Tally t;
  int n;

  memset (&t, 0, sizeof t);
  n = walk_tl ("airbus_AMSITrace.etl", check_amsi, &t);
  tap_check (n == 19 && t.ok == 19, "AMSITrace: %d TraceLogging events, %u decode as AmsiTrace/AmsiScript", n, t.ok);
  tap_check (t.first_ok, "AMSITrace: the first event's engine, script and counted raw script");

  memset (&t, 0, sizeof t);
  n = walk_tl ("perfview_primitive-types.etl", check_primitive, &t);
  tap_check (n == 5 && t.ok == 5, "primitive-types: %d events, %u decode as solar_system/PrimitiveTypesTest", n, t.ok);
  tap_check (t.first_ok, "primitive-types: every primitive type of the first event");

  memset (&t, 0, sizeof t);
  n = walk_tl ("airbus_lxcore_kernel.etl", check_lxcore, &t);
  tap_check (n == 2 && t.ok == 2, "lxcore: %d events, %u decode as LxCore/BreakPoint", n, t.ok);
  tap_check (t.first_ok, "lxcore: function, line and message of both events");
  return tap_done ();
}
