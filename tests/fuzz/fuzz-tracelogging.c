/* fuzz-tracelogging.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The TraceLogging schema decoder: an EVENT_SCHEMA_TL extended item (and
 * optionally a PROV_TRAITS item) with a payload, as an EVENT_HEADER event.
 *
 * Input: u8 bits (0x01 32-bit pointers, 0x02 traits item present),
 * u16 schema length, schema, [u16 traits length, traits], payload.
 */
#include "fuzz-decode-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzIn in = { data, size };
  EtwDecoder *dec = etw_decoder_new ();
  EtwEvent ev;
  size_t schema_len, traits_len = 0, payload_len;
  uint8_t *traits = NULL;

  FUZZ_CHECK (dec != NULL);
  memset (&ev, 0, sizeof ev);
  uint8_t bits = fuzz_u8 (&in);
  uint8_t *schema = fuzz_take (&in, fuzz_u16 (&in), &schema_len);
  if (bits & 0x02)
    traits = fuzz_take (&in, fuzz_u16 (&in), &traits_len);
  uint8_t *payload = fuzz_take (&in, in.left, &payload_len);

  ev.kind = ETW_HDR_EVENT;
  ev.header_type = (bits & 0x01) ? 0x12 : 0x13;
  ev.pointer_size = (bits & 0x01) ? 4 : 8;
  ev.flags = ETW_FLAG_EXTENDED_INFO |
             ((bits & 0x01) ? ETW_FLAG_32_BIT_HEADER : ETW_FLAG_64_BIT_HEADER);
  ev.xflags = ETW_XFLAG_TRACELOGGING;
  /* A provider no table knows: TraceLogging names come from the items. */
  ev.provider.data1 = 0x2d7904d6;
  ev.provider.data2 = 0x0b52;
  ev.provider.data3 = 0x4b7a;
  ev.pid = 4242;
  ev.tid = 4243;
  ev.raw_time = 1000;
  ev.time = INT64_C (132000000000000000);
  ev.level = 4;
  ev.ext[0].type = ETW_EXT_EVENT_SCHEMA_TL;
  ev.ext[0].size = (uint16_t) schema_len;
  ev.ext[0].data = schema;
  ev.n_ext = 1;
  if (traits != NULL)
    {
      ev.ext[1].type = ETW_EXT_PROV_TRAITS;
      ev.ext[1].size = (uint16_t) traits_len;
      ev.ext[1].data = traits;
      ev.n_ext = 2;
    }
  ev.payload = payload;
  ev.payload_len = (uint32_t) payload_len;

  fuzz_decode_event (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS);
  /* Twice: the second decode sees the provider name the first one kept. */
  fuzz_decode_event (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS);

  etw_decoder_free (dec);
  free (schema);
  free (traits);
  free (payload);
  return 0;
}
