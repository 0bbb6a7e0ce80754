/* fuzz-decode-common.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs one event through a decoder the way the ingest does (observe, then
 * decode with every output asked for) and checks what comes back: strings
 * terminated, field values inside the event's payload or the decoder's
 * text, counts within their bounds.
 */
#pragma once

#include "fuzz-common.h"

#include "etw-decode.h"
#include "etw-guid.h"
#include "etw-providers.h"

static EtwDecoded fuzz_decoded;

static inline bool
fuzz_in_text (const EtwDecoded *out,
              const char       *s)
{
  return s >= out->text && s < out->text + sizeof out->text;
}

static inline void
fuzz_check_string (const EtwDecoded *out,
                   const char       *s)
{
  volatile size_t n;

  if (s == NULL)
    return;
  /* In the text area it must end inside it; elsewhere (static or decoder
   * owned) strlen is the check. */
  if (fuzz_in_text (out, s))
    FUZZ_CHECK (memchr (s, '\0', (size_t) (out->text + sizeof out->text - s)) != NULL);
  n = strlen (s);
  (void) n;
}

static inline void
fuzz_decode_event (EtwDecoder     *dec,
                   const EtwEvent *ev,
                   unsigned        flags)
{
  EtwDecoded *out = &fuzz_decoded;
  char sym[256];

  etw_decoder_observe (dec, ev);
  etw_decode (dec, ev, flags, out);

  FUZZ_CHECK (out->provider_name != NULL);
  fuzz_check_string (out, out->provider_name);
  fuzz_check_string (out, out->event_name);
  fuzz_check_string (out, out->process_name);
  fuzz_check_string (out, out->operation);
  fuzz_check_string (out, out->path);
  fuzz_check_string (out, out->result);
  fuzz_check_string (out, out->detail);
  FUZZ_CHECK (out->text_used <= sizeof out->text);
  FUZZ_CHECK (out->n_fields <= ETW_DECODED_MAX_FIELDS);
  /* Summary only (the loading hot path) builds no field list. */
  if (!(flags & (ETW_DECODE_FIELDS | ETW_DECODE_DETAIL)))
    FUZZ_CHECK (out->n_fields == 0);
  for (uint32_t i = 0; i < out->n_fields; i++)
    {
      const EtwField *f = &out->fields[i];
      /* Names may be NULL (ends, and fields a field list left unnamed):
       * the formatters and the UI take that. */
      fuzz_check_string (out, f->name);
      FUZZ_CHECK (f->type <= ETW_VAL_ARRAY_END);
      switch (f->type)
        {
        case ETW_VAL_STRING:
        case ETW_VAL_SID:
          FUZZ_CHECK (f->v.s != NULL);
          fuzz_check_string (out, f->v.s);
          break;
        case ETW_VAL_BINARY:
          /* Binary values point into the payload (or the record). */
          if (f->len > 0)
            {
              const uint8_t *lo = ev->record != NULL ? ev->record : ev->payload;
              const uint8_t *hi = ev->record != NULL ? ev->record + ev->record_len
                                                     : ev->payload + ev->payload_len;
              if (!(f->v.b >= ev->payload && f->v.b + f->len <= ev->payload + ev->payload_len))
                FUZZ_CHECK (f->v.b >= lo && f->v.b + f->len <= hi);
            }
          break;
        default:
          break;
        }
    }

  /* Stack symbolization walks the module maps observe() built. */
  for (uint32_t i = 0; i + 8 <= ev->payload_len && i < 64; i += 8)
    {
      uint64_t a;
      memcpy (&a, ev->payload + i, 8);
      if (etw_decoder_symbolize (dec, ev->pid, a, sym, sizeof sym))
        FUZZ_CHECK (memchr (sym, '\0', sizeof sym) != NULL && sym[0] != '\0');
    }
  FUZZ_CHECK (!etw_decoder_symbolize (dec, ev->pid, 0x1234, sym, 0) || true);
}

/* The event format of fuzz-decode.c (described there), shared with the
 * writers' harness. */
#define FUZZ_EVENT_HEADER 34

typedef struct
{
  int64_t  raw;
  uint32_t n;
} FuzzEventState;

/* Reads the next event; its payload is a fresh allocation the caller
 * frees. flags: the etw_decode flags the event asks for. */
static inline bool
fuzz_next_event (FuzzIn         *in,
                 FuzzEventState *st,
                 EtwEvent       *ev,
                 unsigned       *flags)
{
  uint8_t guid[16];
  size_t len;

  if (in->left < FUZZ_EVENT_HEADER)
    return false;
  if (st->raw == 0)
    st->raw = 1000000;
  memset (ev, 0, sizeof *ev);
  ev->kind = fuzz_u8 (in) % (ETW_HDR_LIVE + 1);
  ev->version = fuzz_u8 (in);
  ev->opcode = fuzz_u8 (in);
  uint8_t bits = fuzz_u8 (in);
  uint16_t id = fuzz_u16 (in);
  ev->task = fuzz_u16 (in);
  for (int i = 0; i < 16; i++)
    guid[i] = fuzz_u8 (in);
  ev->pid = fuzz_u32 (in);
  ev->tid = fuzz_u32 (in);
  uint16_t want = fuzz_u16 (in);
  uint8_t *payload = fuzz_take (in, want, &len);

  ev->pointer_size = (bits & 0x01) ? 8 : 4;
  ev->flags = ev->pointer_size == 8 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER;
  ev->origin = (bits & 0x08) ? ETW_ORIGIN_PERF : ETW_ORIGIN_ETL;
  ev->raw_time = st->raw;
  ev->time = INT64_C (132000000000000000) + st->raw;
  st->raw += 1 + (id & 0xFF);
  ev->cpu = st->n++ % 4;
  ev->payload = payload;
  ev->payload_len = (uint32_t) len;
  if (bits & 0x02)
    ev->xflags |= ETW_XFLAG_FIELD_LIST;

  switch (ev->kind)
    {
    case ETW_HDR_SYSTEM:
    case ETW_HDR_COMPACT:
    case ETW_HDR_PERFINFO:
      {
        /* As the reader does: the hook names the class and opcode. */
        uint8_t opcode;
        ev->hook_id = id;
        etw_kernel_hook_provider (id, &ev->provider, &opcode);
        ev->opcode = opcode;
        ev->flags |= ETW_FLAG_CLASSIC_HEADER;
        if ((id >> 8) == ETW_GROUP_STACKWALK)
          ev->xflags |= ETW_XFLAG_STACK_WALK;
        if (ev->kind == ETW_HDR_PERFINFO)
          ev->pid = ev->tid = 0xFFFFFFFFu;
        break;
      }
    case ETW_HDR_CLASSIC:
    case ETW_HDR_INSTANCE:
      etw_guid_read (&ev->provider, guid);
      ev->flags |= ETW_FLAG_CLASSIC_HEADER;
      break;
    default:
      etw_guid_read (&ev->provider, guid);
      ev->id = id;
      break;
    }

  *flags = ETW_DECODE_SUMMARY;
  if (!(bits & 0x04))
    *flags |= ETW_DECODE_DETAIL | ((bits & 0x10) ? 0 : ETW_DECODE_FIELDS);
  return true;
}
