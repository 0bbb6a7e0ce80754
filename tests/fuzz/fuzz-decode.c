/* fuzz-decode.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every payload decoder, through the public entry point: a sequence of
 * events, each described by its header and payload bytes, fed to one
 * decoder (so naming state carries from event to event). New decoders are
 * reached without touching this file: kernel events name their provider
 * by hook id, the others carry their provider GUID in the input, and the
 * seed corpus holds real events of every provider in the fixtures.
 *
 * One event, little-endian:
 *   u8 kind (EtwHeaderKind), u8 version, u8 opcode,
 *   u8 bits: 0x01 64-bit pointers, 0x02 field-list payload,
 *            0x04 summary only, 0x08 live origin, 0x10 no FIELDS,
 *   u16 id (hook id for kernel kinds), u16 task,
 *   16 bytes provider GUID (as on disk; ignored for kernel kinds),
 *   u32 pid, u32 tid, u16 payload length, payload.
 */
#include "fuzz-decode-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzIn in = { data, size };
  EtwDecoder *dec = etw_decoder_new ();
  FuzzEventState st = { 0 };

  FUZZ_CHECK (dec != NULL);
  for (int n = 0; n < 256; n++)
    {
      EtwEvent ev;
      unsigned flags;

      if (!fuzz_next_event (&in, &st, &ev, &flags))
        break;
      fuzz_decode_event (dec, &ev, flags);
      free ((void *) ev.payload);
    }
  etw_decoder_free (dec);
  return 0;
}
