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

#include "etw-guid.h"
#include "etw-providers.h"

#define HEADER 34

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzIn in = { data, size };
  EtwDecoder *dec = etw_decoder_new ();
  int64_t raw = 1000000;

  FUZZ_CHECK (dec != NULL);
  for (int n = 0; in.left >= HEADER && n < 256; n++)
    {
      EtwEvent ev;
      uint8_t guid[16];
      size_t len;
      unsigned flags;

      memset (&ev, 0, sizeof ev);
      ev.kind = fuzz_u8 (&in) % (ETW_HDR_LIVE + 1);
      ev.version = fuzz_u8 (&in);
      ev.opcode = fuzz_u8 (&in);
      uint8_t bits = fuzz_u8 (&in);
      uint16_t id = fuzz_u16 (&in);
      ev.task = fuzz_u16 (&in);
      for (int i = 0; i < 16; i++)
        guid[i] = fuzz_u8 (&in);
      ev.pid = fuzz_u32 (&in);
      ev.tid = fuzz_u32 (&in);
      uint16_t want = fuzz_u16 (&in);
      uint8_t *payload = fuzz_take (&in, want, &len);

      ev.pointer_size = (bits & 0x01) ? 8 : 4;
      ev.flags = ev.pointer_size == 8 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER;
      ev.origin = (bits & 0x08) ? ETW_ORIGIN_PERF : ETW_ORIGIN_ETL;
      ev.raw_time = raw;
      ev.time = INT64_C (132000000000000000) + raw;
      raw += 1 + (id & 0xFF);
      ev.cpu = n % 4;
      ev.payload = payload;
      ev.payload_len = (uint32_t) len;
      if (bits & 0x02)
        ev.xflags |= ETW_XFLAG_FIELD_LIST;

      switch (ev.kind)
        {
        case ETW_HDR_SYSTEM:
        case ETW_HDR_COMPACT:
        case ETW_HDR_PERFINFO:
          {
            /* As the reader does: the hook names the class and opcode. */
            uint8_t opcode;
            ev.hook_id = id;
            etw_kernel_hook_provider (id, &ev.provider, &opcode);
            ev.opcode = opcode;
            ev.flags |= ETW_FLAG_CLASSIC_HEADER;
            if ((id >> 8) == ETW_GROUP_STACKWALK)
              ev.xflags |= ETW_XFLAG_STACK_WALK;
            if (ev.kind == ETW_HDR_PERFINFO)
              ev.pid = ev.tid = 0xFFFFFFFFu;
            break;
          }
        case ETW_HDR_CLASSIC:
        case ETW_HDR_INSTANCE:
          etw_guid_read (&ev.provider, guid);
          ev.flags |= ETW_FLAG_CLASSIC_HEADER;
          break;
        default:
          etw_guid_read (&ev.provider, guid);
          ev.id = id;
          break;
        }

      flags = ETW_DECODE_SUMMARY;
      if (!(bits & 0x04))
        flags |= ETW_DECODE_DETAIL | ((bits & 0x10) ? 0 : ETW_DECODE_FIELDS);
      fuzz_decode_event (dec, &ev, flags);
      free (payload);
    }
  etw_decoder_free (dec);
  return 0;
}
