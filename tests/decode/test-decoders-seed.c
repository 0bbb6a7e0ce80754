/* test-decoders-seed.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seed's six decoder cases, with the seed's bytes and expectations:
 * two binary classic payloads (Process v0 Start, Image Load v2–v4) and
 * four pre-parsed field lists (an unknown provider, TcpIp Send, Registry
 * SetValue, FileIo opcode 32). Plain C: also runs under wine64.
 */
#include <stdlib.h>

#include "test-decoders-util.h"

static EtwDecoded *dec_out;

static void
decode_all (EtwDecoder     *dec,
            const EtwEvent *ev)
{
  etw_decoder_observe (dec, ev);
  etw_decode (dec, ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, dec_out);
}

static void
test_process_v0_start (void)
{
  static const uint8_t payload[] = {
    160, 2, 0, 0, 220, 7, 0, 0, 0, 0, 0, 0, 96, 140, 79, 210, 6, 180, 255, 255, 0, 0, 0, 0, 0, 0,
    0, 0, 1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 54, 245, 194, 143, 120, 21, 213, 94, 151, 105, 93,
    135, 89, 4, 0, 0, 99, 109, 100, 46, 101, 120, 101, 0, 0, 0, 0, 0
  };
  EtwDecoder *dec = etw_decoder_new ();
  /* The payload carries a 64-bit TOKEN_USER, so it is a 64-bit header. */
  EtwEvent ev = mk_event (&ETW_GUID_PROCESS, ETW_HDR_SYSTEM, 0, 1, 0, 8, payload, sizeof payload);
  EtwDecoded *d = dec_out;

  ev.pid = 672;
  decode_all (dec, &ev);
  tap_check (str_is (d->event_name, "Process/Start") && str_is (d->operation, "Process Start"),
             "seed 1: Process v0 opcode 1 decodes as ProcessStart");
  tap_check (d->pid == 672 && field_u (d, "ProcessId", ETW_VAL_UINT, 672), "seed 1: pid 672");
  tap_check (field_u (d, "ParentId", ETW_VAL_UINT, 2012), "seed 1: parent 2012");
  tap_check (field_s (d, "ImageFileName", "cmd.exe") && str_is (d->path, "cmd.exe"),
             "seed 1: image \"cmd.exe\"");
  tap_check (field_s (d, "UserSID", "S-1-5-21-2411918646-1591022968-2271046039-1113"),
             "seed 1: the user SID decodes too");
  tap_check (str_is (d->process_name, "cmd.exe") && !d->malformed,
             "seed 1: the process is named from its own start event");
  etw_decoder_free (dec);
}

static void
test_image_load_versions (void)
{
  static const uint8_t payload[] = {
    0, 0, 8, 72, 251, 127, 0, 0, 0, 32, 8, 0, 0, 0, 0, 0, 156, 15, 0, 0, 70, 110, 8, 0, 255, 233,
    215, 246, 12, 1, 0, 0, 0, 0, 8, 72, 251, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 92, 0, 68, 0, 101, 0, 118, 0, 105, 0, 99, 0, 101, 0, 92, 0, 72, 0, 97, 0, 114, 0, 100,
    0, 100, 0, 105, 0, 115, 0, 107, 0, 86, 0, 111, 0, 108, 0, 117, 0, 109, 0, 101, 0, 50, 0, 92,
    0, 87, 0, 105, 0, 110, 0, 100, 0, 111, 0, 119, 0, 115, 0, 92, 0, 83, 0, 121, 0, 115, 0, 116,
    0, 101, 0, 109, 0, 51, 0, 50, 0, 92, 0, 98, 0, 99, 0, 114, 0, 121, 0, 112, 0, 116, 0, 112, 0,
    114, 0, 105, 0, 109, 0, 105, 0, 116, 0, 105, 0, 118, 0, 101, 0, 115, 0, 46, 0, 100, 0, 108,
    0, 108, 0, 0, 0
  };

  for (uint8_t version = 2; version <= 4; version++)
    {
      EtwDecoder *dec = etw_decoder_new ();
      EtwEvent ev = mk_event (&ETW_GUID_IMAGE, ETW_HDR_SYSTEM, 0, 10, version, 8, payload, sizeof payload);
      EtwDecoded *d = dec_out;
      char sym[256];
      const EtwField *fn;

      ev.pid = 3996;
      decode_all (dec, &ev);
      fn = find_field (d, "FileName");
      tap_check (str_is (d->event_name, "Image/Load") && str_is (d->operation, "Load Image"),
                 "seed 2: Image opcode 10 v%u decodes as ImageLoad", version);
      tap_check (d->pid == 3996 && field_u (d, "ProcessId", ETW_VAL_UINT, 3996),
                 "seed 2: v%u pid 3996", version);
      tap_check (fn != NULL && ends_with (fn->v.s, "bcryptprimitives.dll") &&
                 ends_with (d->path, "\\Windows\\System32\\bcryptprimitives.dll"),
                 "seed 2: v%u file name ends in bcryptprimitives.dll", version);
      /* The version is carried through: v2 has Reserved0 where v3+ has the
       * signature bytes. */
      tap_check (version == 2 ? field_u (d, "Reserved0", ETW_VAL_UINT, 0x10c) &&
                                find_field (d, "SignatureLevel") == NULL
                              : field_u (d, "SignatureLevel", ETW_VAL_UINT, 12) &&
                                field_u (d, "SignatureType", ETW_VAL_UINT, 1) &&
                                field_u (d, "Reserved0", ETW_VAL_UINT, 0),
                 "seed 2: v%u uses its own version's layout", version);
      tap_check (field_u (d, "ImageBase", ETW_VAL_POINTER, 0x7ffb48080000ull) &&
                 field_u (d, "ImageSize", ETW_VAL_UINT, 0x82000) &&
                 field_u (d, "TimeDateStamp", ETW_VAL_UINT, 0xf6d7e9ff) && !d->malformed,
                 "seed 2: v%u image base and size", version);
      tap_check (etw_decoder_symbolize (dec, 3996, 0x7ffb48080000ull + 0x1a2b, sym, sizeof sym) &&
                 strcmp (sym, "bcryptprimitives.dll+0x1a2b") == 0,
                 "seed 2: v%u an address in the image symbolizes as module+offset", version);
      etw_decoder_free (dec);
    }
}

static void
fields_event (EtwEvent      *ev,
              const EtwGuid *provider,
              uint16_t       id,
              uint8_t        version,
              uint8_t        opcode,
              const EtwFieldWriter *w)
{
  *ev = mk_event (provider, ETW_HDR_LIVE, id, opcode, version, 8, w->buf, w->len);
  ev->xflags |= ETW_XFLAG_FIELD_LIST;
  ev->origin = ETW_ORIGIN_ETW_LIVE;
}

static void
test_generic_fields (void)
{
  static uint8_t buf[256];
  EtwGuid unknown;
  EtwFieldWriter w;
  EtwEvent ev;
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *d = dec_out;

  etw_guid_parse ("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", &unknown);
  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "Example", 7);
  fields_event (&ev, &unknown, 999, 1, 42, &w);
  ev.pid = 1;
  ev.tid = 1;
  decode_all (dec, &ev);
  tap_check (d->n_fields == 1 && strcmp (d->fields[0].name, "Example") == 0 &&
             d->fields[0].type == ETW_VAL_UINT && d->fields[0].v.u == 7,
             "seed 3: unknown provider with pre-parsed fields decodes as generic, exactly those fields");
  tap_check (d->event_name == NULL && d->operation == NULL && d->path == NULL &&
             str_is (d->provider_name, "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"),
             "seed 3: no class, the provider shown by GUID");
  etw_decoder_free (dec);
}

static void
test_tcp_fields (void)
{
  static uint8_t buf[256];
  EtwFieldWriter w;
  EtwEvent ev;
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *d = dec_out;

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "PID", 1234);
  etw_fw_string (&w, "saddr", "10.0.0.10");
  etw_fw_uint (&w, "sport", 5050);
  etw_fw_string (&w, "daddr", "1.1.1.1");
  etw_fw_uint (&w, "dport", 443);
  fields_event (&ev, &ETW_GUID_TCPIP, 10, 2, 10, &w);
  ev.pid = 1234;
  ev.tid = 1;
  decode_all (dec, &ev);
  tap_check (str_is (d->event_name, "TcpIp/Send") && str_is (d->operation, "TCP Send"),
             "seed 4: TcpIp opcode 10 with fields decodes as TCP Send");
  tap_check (d->pid == 1234, "seed 4: pid 1234");
  tap_check (field_u (d, "dport", ETW_VAL_UINT, 443), "seed 4: destination port 443");
  tap_check (str_is (d->path, "10.0.0.10:5050 \xe2\x86\x92 1.1.1.1:443"), "seed 4: addr:port \xe2\x86\x92 addr:port");
  etw_decoder_free (dec);
}

static void
test_registry_fields (void)
{
  static uint8_t buf[256];
  EtwFieldWriter w;
  EtwEvent ev;
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *d = dec_out;

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "ProcessId", 5678);
  etw_fw_string (&w, "KeyName", "\\Registry\\Machine\\SOFTWARE");
  etw_fw_string (&w, "ValueName", "TestValue");
  etw_fw_uint (&w, "Status", 0);
  fields_event (&ev, &ETW_GUID_REGISTRY, 14, 1, 14, &w);
  ev.pid = 5678;
  ev.tid = 1;
  decode_all (dec, &ev);
  tap_check (str_is (d->event_name, "Registry/SetValue") && str_is (d->operation, "RegSetValue"),
             "seed 5: Registry opcode 14 decodes as SetValue");
  tap_check (d->pid == 5678, "seed 5: pid 5678");
  tap_check (field_s (d, "ValueName", "TestValue"), "seed 5: value name TestValue");
  tap_check (str_is (d->path, "HKLM\\SOFTWARE\\TestValue") && str_is (d->result, "SUCCESS"),
             "seed 5: path key\\value, status 0 is SUCCESS");
  etw_decoder_free (dec);
}

static void
test_fileio_fields (void)
{
  static uint8_t buf[256];
  EtwFieldWriter w;
  EtwEvent ev;
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *d = dec_out;

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "ProcessId", 2222);
  etw_fw_string (&w, "OpenPath", "C:\\Temp\\test.txt");
  etw_fw_uint (&w, "FileObject", 0x1000);
  etw_fw_pointer (&w, "IrpPtr", 0x2000);
  etw_fw_uint (&w, "CreateOptions", 0x20);
  fields_event (&ev, &ETW_GUID_FILEIO, 32, 1, 32, &w);
  ev.pid = 2222;
  ev.tid = 1;
  decode_all (dec, &ev);
  /* Opcode 32 is FileIo's FileCreate (the MOF's create-name event). */
  tap_check (str_is (d->event_name, "FileIo/FileCreate"), "seed 6: FileIo opcode 32 decodes as (File)Create");
  tap_check (d->pid == 2222, "seed 6: pid 2222");
  tap_check (str_is (d->operation, "CreateFile"), "seed 6: summarized as a Create operation (%s)",
             d->operation != NULL ? d->operation : "(none)");
  tap_check (str_is (d->path, "C:\\Temp\\test.txt") && field_s (d, "OpenPath", "C:\\Temp\\test.txt"),
             "seed 6: the open path");
  tap_check (field_u (d, "FileObject", ETW_VAL_UINT, 0x1000) &&
             field_u (d, "IrpPtr", ETW_VAL_POINTER, 0x2000),
             "seed 6: file object 0x1000 and IRP 0x2000");
  tap_check (field_u (d, "CreateOptions", ETW_VAL_UINT, 0x20), "seed 6: create options as given");
  etw_decoder_free (dec);
}

int
main (void)
{
  dec_out = calloc (1, sizeof *dec_out);
  test_process_v0_start ();
  test_image_load_versions ();
  test_generic_fields ();
  test_tcp_fields ();
  test_registry_fields ();
  test_fileio_fields ();
  free (dec_out);
  return tap_done ();
}
