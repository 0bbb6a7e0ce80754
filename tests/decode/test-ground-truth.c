/* test-ground-truth.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For every expected/<file>.decoded.json of the fixtures (values decoded by
 * an independent parser, see expected/README.md), finds the same records
 * by their index in file order and checks our decoded fields against them,
 * field for field. Also checks that the selection totals agree and that
 * every selected record of the file decodes without damage. Plain C with
 * the test's mini JSON reader, so it also runs under wine64.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>

#include "etl-reader.h"
#include "mini-json.h"
#include "test-decoders-util.h"

typedef enum
{
  SEL_NONE,
  SEL_PROCESS,
  SEL_IMAGE,
  SEL_TCPIP,
} Selection;

/* The selection rules of expected/README.md. */
static Selection
select_record (const EtwEvent *ev)
{
  bool kernel = ev->kind == ETW_HDR_SYSTEM || ev->kind == ETW_HDR_COMPACT || ev->kind == ETW_HDR_PERFINFO;

  if (kernel)
    {
      unsigned group = ev->hook_id >> 8, op = ev->hook_id & 0xFF;
      if (ev->hook_id == 0x030a)
        return SEL_IMAGE;
      if (group == 0x03 && (op == 1 || op == 2 || op == 3 || op == 4 || op == 39))
        return SEL_PROCESS;
      if (group == 0x14 && (op == 10 || op == 3))
        return SEL_IMAGE;
      if (group == 0x06)
        return SEL_TCPIP;
      return SEL_NONE;
    }
  if (ev->kind != ETW_HDR_EVENT)
    return SEL_NONE;
  if (etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_PROCESS))
    return ev->id == 1 || ev->id == 2 ? SEL_PROCESS : ev->id == 5 ? SEL_IMAGE : SEL_NONE;
  if (etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_NETWORK))
    return (ev->id >= 10 && ev->id <= 18) || (ev->id >= 26 && ev->id <= 34) ? SEL_TCPIP : SEL_NONE;
  return SEL_NONE;
}

static const char *
kind_name (uint8_t kind)
{
  switch (kind)
    {
    case ETW_HDR_SYSTEM: return "system";
    case ETW_HDR_COMPACT: return "compact";
    case ETW_HDR_PERFINFO: return "perfinfo";
    case ETW_HDR_EVENT: return "event";
    case ETW_HDR_CLASSIC: return "classic";
    default: return "other";
    }
}

/* RFC 5952 text, written here independently of the decoder's. */
static void
ip6_text (const uint8_t *a,
          char          *out)
{
  unsigned g[8];
  int best = -1, best_len = 0;
  char *o = out;

  for (int i = 0; i < 8; i++)
    g[i] = (unsigned) a[2 * i] << 8 | a[2 * i + 1];
  for (int i = 0; i < 8; i++)
    {
      int j = i;
      while (j < 8 && g[j] == 0)
        j++;
      if (j - i >= 2 && j - i > best_len)
        best = i, best_len = j - i;
    }
  for (int i = 0; i < 8; i++)
    {
      if (i == best)
        {
          o += sprintf (o, "::");
          i += best_len - 1;
          continue;
        }
      o += sprintf (o, "%x%s", g[i], (i < 7 && i + 1 != best) ? ":" : "");
    }
  *o = '\0';
}

/* Compares one expected key with our field; `name` NULL means the key's
 * value must be null (the layout has no such field). */
static bool
check_key (const EtwDecoded *d,
           const MjValue    *entry,
           const char       *key,
           const char       *name,
           int               record)
{
  const MjValue *want = mj_get (entry, key);
  const EtwField *f;
  char text[128];

  if (want == NULL)
    {
      /* user_sid is left out when the stored SID is empty. */
      if (strcmp (key, "user_sid") == 0 && name != NULL)
        {
          f = find_field (d, name);
          return f == NULL || (f->type == ETW_VAL_SID && f->v.s[0] == '\0');
        }
      return true;
    }
  f = name != NULL ? find_field (d, name) : NULL;
  if (want->type == MJ_NULL)
    {
      if (f != NULL)
        tap_diag ("record %d: %s should be absent, have %s", record, key, name);
      return f == NULL;
    }
  if (f == NULL)
    {
      tap_diag ("record %d: no field %s for %s", record, name ? name : "(none)", key);
      return false;
    }
  if (want->type == MJ_INT)
    {
      int64_t v = f->type == ETW_VAL_INT ? f->v.i : (int64_t) f->v.u;
      if (f->type == ETW_VAL_STRING || v != want->i)
        {
          tap_diag ("record %d: %s = %" PRId64 ", want %" PRId64, record, key, v, want->i);
          return false;
        }
      return true;
    }
  if (want->type != MJ_STRING)
    return false;
  switch (f->type)
    {
    case ETW_VAL_STRING:
    case ETW_VAL_SID:
      snprintf (text, sizeof text, "%s", f->v.s);
      if (strcmp (f->v.s, want->s) != 0)
        {
          tap_diag ("record %d: %s = \"%s\", want \"%s\"", record, key, f->v.s, want->s);
          return false;
        }
      return true;
    case ETW_VAL_POINTER:
    case ETW_VAL_HEX:
      snprintf (text, sizeof text, "0x%" PRIx64, f->v.u);
      break;
    case ETW_VAL_IPV4:
      snprintf (text, sizeof text, "%u.%u.%u.%u", f->v.ip[0], f->v.ip[1], f->v.ip[2], f->v.ip[3]);
      break;
    case ETW_VAL_IPV6:
      ip6_text (f->v.ip, text);
      break;
    default:
      snprintf (text, sizeof text, "(type %u)", f->type);
      break;
    }
  if (strcmp (text, want->s) != 0)
    {
      tap_diag ("record %d: %s = %s, want %s", record, key, text, want->s);
      return false;
    }
  return true;
}

static bool
check_entry (const EtwEvent   *ev,
             const EtwDecoded *d,
             Selection         sel,
             const MjValue    *e)
{
  int record = (int) mj_get (e, "record_index")->i;
  bool manifest = ev->kind == ETW_HDR_EVENT;
  bool ok = true;
  const MjValue *v;
  char hook[16];

  v = mj_get (e, "header_type");
  ok &= v != NULL && strcmp (v->s, kind_name (ev->kind)) == 0;
  ok &= (v = mj_get (e, "timestamp_raw")) != NULL && v->i == ev->raw_time;
  ok &= (v = mj_get (e, "opcode")) != NULL && v->i == ev->opcode;
  ok &= (v = mj_get (e, "version")) != NULL && v->i == ev->version;
  if (manifest)
    ok &= (v = mj_get (e, "id")) != NULL && v->i == ev->id;
  else
    {
      snprintf (hook, sizeof hook, "0x%04x", ev->hook_id);
      ok &= (v = mj_get (e, "hook")) != NULL && strcmp (v->s, hook) == 0;
    }
  if (!ok)
    tap_diag ("record %d: header differs", record);

  switch (sel)
    {
    case SEL_PROCESS:
      ok &= check_key (d, e, "pid", manifest ? "ProcessID" : "ProcessId", record);
      ok &= check_key (d, e, "ppid", manifest ? (ev->id == 1 ? "ParentProcessID" : NULL) : "ParentId", record);
      ok &= check_key (d, e, "image_file_name", manifest ? "ImageName" : "ImageFileName", record);
      ok &= check_key (d, e, "command_line", manifest ? NULL : "CommandLine", record);
      ok &= check_key (d, e, "user_sid", manifest ? NULL : "UserSID", record);
      ok &= check_key (d, e, "exit_status", manifest ? (ev->id == 2 ? "ExitCode" : NULL) : "ExitStatus", record);
      /* The summary is about the process the payload names. */
      ok &= d->pid == (uint32_t) mj_get (e, "pid")->i && str_is (d->operation, ev->opcode == 2 || ev->id == 2 ? "Process Exit" : d->operation);
      break;
    case SEL_IMAGE:
      ok &= check_key (d, e, "pid", manifest ? "ProcessID" : "ProcessId", record);
      ok &= check_key (d, e, "image_base", "ImageBase", record);
      ok &= check_key (d, e, "image_size", "ImageSize", record);
      ok &= check_key (d, e, "file_name", manifest ? "ImageName" : "FileName", record);
      ok &= d->pid == (uint32_t) mj_get (e, "pid")->i && str_is (d->path, mj_get (e, "file_name")->s);
      break;
    case SEL_TCPIP:
      ok &= check_key (d, e, "pid", "PID", record);
      ok &= check_key (d, e, "size", "size", record);
      ok &= check_key (d, e, "saddr", "saddr", record);
      ok &= check_key (d, e, "daddr", "daddr", record);
      ok &= check_key (d, e, "sport", "sport", record);
      ok &= check_key (d, e, "dport", "dport", record);
      ok &= d->pid == (uint32_t) mj_get (e, "pid")->i && d->path != NULL;
      break;
    default:
      ok = false;
      break;
    }
  ok &= !d->malformed && fields_well_formed (d);
  return ok;
}

static bool
same_str (const char *a,
          const char *b)
{
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp (a, b) == 0);
}

static void
run_file (const char *dir,
          const char *json_name)
{
  char path[4096], etl_name[1024];
  MjValue *root;
  const MjValue *lists[3];
  static const char *const list_keys[3] = { "process_events", "image_events", "tcpip_events" };
  size_t pos[3] = { 0, 0, 0 };
  unsigned totals_want[3] = { 0, 0, 0 }, totals[3] = { 0, 0, 0 }, bad[3] = { 0, 0, 0 };
  unsigned checked[3] = { 0, 0, 0 }, failed[3] = { 0, 0, 0 };
  char *data;
  size_t len;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  EtwDecoder *dec;
  EtwDecoded *d = calloc (1, sizeof *d);
  EtwDecoded *quick = calloc (1, sizeof *quick);
  int record = 0;
  unsigned n_events = 0, summary_differ = 0;
  const char *notes;

  snprintf (etl_name, sizeof etl_name, "%.*s", (int) (strlen (json_name) - strlen (".decoded.json")), json_name);
  snprintf (path, sizeof path, "%s/expected/%s", dir, json_name);
  root = mj_parse_file (path);
  snprintf (path, sizeof path, "%s/%s", dir, etl_name);
  data = mj_read_file (path, &len);
  if (root == NULL || data == NULL)
    {
      tap_check (false, "%s: read the fixture and its expectations", etl_name);
      free (d);
      return;
    }
  for (int k = 0; k < 3; k++)
    lists[k] = mj_get (root, list_keys[k]);
  notes = mj_get (root, "notes")->s;
  {
    const char *t = strstr (notes, "Totals in the file: ");
    tap_check (t != NULL && sscanf (t, "Totals in the file: %u process, %u image, %u TcpIp",
                                    &totals_want[0], &totals_want[1], &totals_want[2]) == 3,
               "%s: the expectations state their selection totals", etl_name);
  }

  f = etl_file_open ((const uint8_t *) data, len, &err);
  it = etl_iter_new (f, ETL_ORDER_FILE);
  dec = etw_decoder_new ();
  for (; etl_iter_next (it, &ev); record++)
    {
      Selection sel;
      int k;

      etw_decoder_observe (dec, &ev);
      /* The ingest's fast path (roles reused from observe, compiled
       * layouts) must give the columns a full decode gives. */
      etw_decode (dec, &ev, ETW_DECODE_SUMMARY, quick);
      etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS, d);
      n_events++;
      if (quick->pid != d->pid || quick->n_fields != 0 || quick->malformed != d->malformed ||
          !same_str (quick->event_name, d->event_name) || !same_str (quick->operation, d->operation) ||
          !same_str (quick->path, d->path) || !same_str (quick->result, d->result) ||
          !same_str (quick->process_name, d->process_name) ||
          !same_str (quick->provider_name, d->provider_name))
        {
          if (summary_differ++ < 3)
            tap_diag ("record %d: the summary-only decode differs", record);
        }
      sel = select_record (&ev);
      if (sel == SEL_NONE)
        continue;
      k = (int) sel - 1;
      totals[k]++;
      etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS | ETW_DECODE_DETAIL, d);
      if (d->malformed || d->n_fields == 0)
        bad[k]++;
      if (lists[k] != NULL && pos[k] < lists[k]->n &&
          mj_get (lists[k]->items[pos[k]], "record_index")->i == record)
        {
          checked[k]++;
          if (!check_entry (&ev, d, sel, lists[k]->items[pos[k]]))
            failed[k]++;
          pos[k]++;
        }
    }
  tap_check (summary_differ == 0 && n_events > 0,
             "%s: summary-only decoding after observe equals full decoding on all %u records (%u differ)",
             etl_name, n_events, summary_differ);
  for (int k = 0; k < 3; k++)
    {
      size_t n = lists[k] != NULL ? lists[k]->n : 0;
      tap_check (totals[k] == totals_want[k], "%s: %u %s records selected (expected %u)", etl_name,
                 totals[k], list_keys[k], totals_want[k]);
      tap_check (checked[k] == n && failed[k] == 0,
                 "%s: %s: %u of %zu expected entries found, %u differ", etl_name, list_keys[k],
                 checked[k], n, failed[k]);
      tap_check (bad[k] == 0, "%s: all %u %s records decode without damage (%u do not)", etl_name,
                 totals[k], list_keys[k], bad[k]);
    }
  etw_decoder_free (dec);
  etl_iter_free (it);
  etl_file_free (f);
  mj_free (root);
  free (data);
  free (d);
  free (quick);
}

/* Kernel traces log their file-name rundown at the end: a single pass
 * names few disk reads; a naming pre-pass (observe every event first)
 * names them all, as etw-decode.h says. */
static void
naming_prepass (const char *dir)
{
  char path[4096];
  size_t len;
  char *data;
  EtlError err;
  EtlFile *f;
  EtwDecoded *d = calloc (1, sizeof *d);
  unsigned reads[2] = { 0, 0 }, named[2] = { 0, 0 };

  snprintf (path, sizeof path, "%s/perfview_net.4.5.2.x64.etl", dir);
  data = mj_read_file (path, &len);
  f = data != NULL ? etl_file_open ((const uint8_t *) data, len, &err) : NULL;
  if (f == NULL)
    {
      tap_check (false, "naming pre-pass: read perfview_net.4.5.2.x64.etl");
      free (d);
      free (data);
      return;
    }
  for (int prepass = 0; prepass <= 1; prepass++)
    {
      EtwDecoder *dec = etw_decoder_new ();
      EtwEvent ev;
      EtlIter *it;

      if (prepass)
        {
          it = etl_iter_new (f, ETL_ORDER_TIME);
          while (etl_iter_next (it, &ev))
            etw_decoder_observe (dec, &ev);
          etl_iter_free (it);
        }
      it = etl_iter_new (f, ETL_ORDER_TIME);
      while (etl_iter_next (it, &ev))
        {
          etw_decoder_observe (dec, &ev);
          if (ev.kind != ETW_HDR_PERFINFO || ev.hook_id != 0x010a)
            continue;
          etw_decode (dec, &ev, ETW_DECODE_SUMMARY, d);
          reads[prepass]++;
          named[prepass] += d->path != NULL && strncmp (d->path, "\\Device\\", 8) == 0;
        }
      etl_iter_free (it);
      etw_decoder_free (dec);
    }
  tap_diag ("DiskIo reads named: %u of %u in one pass, %u of %u after a naming pre-pass",
            named[0], reads[0], named[1], reads[1]);
  tap_check (reads[1] > 1000 && named[1] == reads[1] && named[0] < reads[0],
             "naming pre-pass: every DiskIo read gets the path of its file's end-of-trace rundown");
  etl_file_free (f);
  free (data);
  free (d);
}

/* The 32-bit log-file header of perfview_smallEtlFile.etl (32-bit Windows
 * 10 1511): its two pointer slots are 4 bytes, so every later field moves.
 * Values from SOURCES.md: PointerSize 4, QPC 3117777 Hz, logger
 * PerfWatsonGCHeapETLSession688, file ReloggedFile.ETL. */
static void
header_32bit (const char *dir)
{
  char path[4096];
  size_t len;
  char *data;
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *d = calloc (1, sizeof *d);
  bool ok = false;

  snprintf (path, sizeof path, "%s/perfview_smallEtlFile.etl", dir);
  data = mj_read_file (path, &len);
  f = data != NULL ? etl_file_open ((const uint8_t *) data, len, &err) : NULL;
  if (f != NULL)
    {
      it = etl_iter_new (f, ETL_ORDER_FILE);
      if (etl_iter_next (it, &ev) && ev.pointer_size == 4)
        {
          etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS, d);
          ok = field_u (d, "PointerSize", ETW_VAL_UINT, 4) && field_u (d, "PerfFreq", ETW_VAL_UINT, 3117777) &&
               field_u (d, "ProviderVersion", ETW_VAL_UINT, 10586) &&
               field_s (d, "SessionNameString", "PerfWatsonGCHeapETLSession688") &&
               field_s (d, "LogFileNameString", "ReloggedFile.ETL") && !d->malformed && fields_well_formed (d);
        }
      etl_iter_free (it);
      etl_file_free (f);
    }
  tap_check (ok, "a 32-bit log-file header decodes with 4-byte pointers");
  etw_decoder_free (dec);
  free (data);
  free (d);
}

int
main (void)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  char path[4096];
  DIR *dp;
  struct dirent *de;
  char *names[64];
  int n = 0;

  if (dir == NULL)
    {
      tap_check (false, "ETWSCOPE_FIXTURES is set");
      return tap_done ();
    }
  snprintf (path, sizeof path, "%s/expected", dir);
  dp = opendir (path);
  if (dp == NULL)
    {
      tap_check (false, "open %s", path);
      return tap_done ();
    }
  while ((de = readdir (dp)) != NULL && n < 64)
    if (ends_with (de->d_name, ".decoded.json"))
      {
        size_t k = strlen (de->d_name) + 1;
        names[n] = malloc (k);
        memcpy (names[n++], de->d_name, k);
      }
  closedir (dp);
  tap_check (n >= 3, "found %d expected/*.decoded.json files", n);
  for (int i = 0; i < n; i++)
    {
      run_file (dir, names[i]);
      free (names[i]);
    }
  naming_prepass (dir);
  header_32bit (dir);
  return tap_done ();
}
