/* test-names-pass.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The names pass: a file-name rundown names the keys the trace never
 * created or named itself, and only those (an address reused by a new
 * object must not lend its later name to the old one). Plain C.
 */
#include <stdlib.h>
#include <string.h>

#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-providers.h"
#include "tap.h"

static uint8_t bufs[8][256];
static int next_buf;

static void
file_event (EtwEvent   *ev,
            uint8_t     opcode,
            uint64_t    object,
            const char *path)
{
  uint8_t *buf = bufs[next_buf++ % 8];
  EtwFieldWriter w;

  etw_fw_init (&w, buf, 256);
  etw_fw_pointer (&w, "FileObject", object);
  if (path != NULL)
    etw_fw_string (&w, opcode == 64 ? "OpenPath" : "FileName", path);
  if (opcode == 64)
    {
      etw_fw_pointer (&w, "IrpPtr", 0x99);
      etw_fw_uint (&w, "CreateOptions", 0);
    }
  if (opcode == 67)
    {
      etw_fw_pointer (&w, "IrpPtr", 0x98);
      etw_fw_uint (&w, "IoSize", 512);
    }
  memset (ev, 0, sizeof *ev);
  ev->provider = ETW_GUID_FILEIO;
  ev->opcode = opcode;
  ev->version = 3;
  ev->pid = 1234;
  ev->tid = 1;
  ev->pointer_size = 8;
  ev->kind = ETW_HDR_SYSTEM;
  ev->xflags = ETW_XFLAG_FIELD_LIST;
  ev->payload = buf;
  ev->payload_len = (uint32_t) w.len;
}

int
main (void)
{
  EtwDecoder *names = etw_decoder_new_names_pass ();
  EtwDecoder *dec = etw_decoder_new ();
  EtwDecoded *out = calloc (1, sizeof *out);
  EtwEvent ev;

  /* The whole trace, as the names pass sees it: object 0xA is created in
   * the trace (and still open at the end), 0xB was open before it began. */
  file_event (&ev, 64, 0xA, "C:\\new.txt");
  tap_check (etw_event_names_handles (&ev), "a Create names handles");
  etw_decoder_observe (names, &ev);
  file_event (&ev, 36, 0xA, "C:\\new.txt");
  etw_decoder_observe (names, &ev);
  file_event (&ev, 36, 0xB, "C:\\old.txt");
  tap_check (etw_event_names_handles (&ev), "a FileRundown names handles");
  etw_decoder_observe (names, &ev);
  file_event (&ev, 67, 0xB, NULL);
  tap_check (!etw_event_names_handles (&ev), "a Read names nothing");

  etw_decoder_set_fallback (dec, names);

  /* Replay from the start: a read of 0xB before the rundown gets its path. */
  etw_decoder_observe (dec, &ev);
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY, out);
  tap_check (out->path != NULL && strcmp (out->path, "C:\\old.txt") == 0,
             "a read before the rundown is named by it (%s)", out->path ? out->path : "(none)");

  /* A read of 0xA before its Create refers to another object at that
   * address: it must not borrow the later name. */
  file_event (&ev, 67, 0xA, NULL);
  etw_decoder_observe (dec, &ev);
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY, out);
  tap_check (out->path == NULL, "a reused address is not named by a later object (%s)",
             out->path ? out->path : "(none)");

  /* After its Create, 0xA is named by the live state as usual. */
  file_event (&ev, 64, 0xA, "C:\\new.txt");
  etw_decoder_observe (dec, &ev);
  file_event (&ev, 67, 0xA, NULL);
  etw_decoder_observe (dec, &ev);
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY, out);
  tap_check (out->path != NULL && strcmp (out->path, "C:\\new.txt") == 0,
             "after its Create the object is named (%s)", out->path ? out->path : "(none)");

  /* Without a fallback, the early read has no path. */
  etw_decoder_set_fallback (dec, NULL);
  file_event (&ev, 67, 0xB, NULL);
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY, out);
  tap_check (out->path == NULL, "without the names pass the early read is unnamed");

  etw_decoder_free (dec);
  etw_decoder_free (names);
  free (out);
  return tap_done ();
}
