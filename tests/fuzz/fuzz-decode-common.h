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
