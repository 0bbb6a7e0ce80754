/* test-decoders-util.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Payload builders and field lookups shared by the plain-C decoder tests.
 * Plain C (they also run under wine64).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "tap.h"

typedef struct
{
  uint8_t  b[8192];
  size_t   n;
  unsigned ps;
} Buf;

static inline void
buf_init (Buf *b, unsigned ps)
{
  b->n = 0;
  b->ps = ps;
}

static inline void
put_bytes (Buf *b, const void *p, size_t n)
{
  memcpy (b->b + b->n, p, n);
  b->n += n;
}

static inline void
put_u8 (Buf *b, uint8_t v)
{
  b->b[b->n++] = v;
}

static inline void
put_u16 (Buf *b, uint16_t v)
{
  put_u8 (b, (uint8_t) v);
  put_u8 (b, (uint8_t) (v >> 8));
}

static inline void
put_be16 (Buf *b, uint16_t v)
{
  put_u8 (b, (uint8_t) (v >> 8));
  put_u8 (b, (uint8_t) v);
}

static inline void
put_u32 (Buf *b, uint32_t v)
{
  put_u16 (b, (uint16_t) v);
  put_u16 (b, (uint16_t) (v >> 16));
}

static inline void
put_u64 (Buf *b, uint64_t v)
{
  put_u32 (b, (uint32_t) v);
  put_u32 (b, (uint32_t) (v >> 32));
}

static inline void
put_ptr (Buf *b, uint64_t v)
{
  if (b->ps == 8)
    put_u64 (b, v);
  else
    put_u32 (b, (uint32_t) v);
}

static inline void
put_asz (Buf *b, const char *s)
{
  put_bytes (b, s, strlen (s) + 1);
}

/* ASCII only: enough for tests. */
static inline void
put_wsz (Buf *b, const char *s)
{
  for (; *s; s++)
    put_u16 (b, (uint8_t) *s);
  put_u16 (b, 0);
}

/* WBEM SID: TOKEN_USER (2 pointers) + S-1-5-21-1-2-3-1001, or the 4-byte null. */
static inline void
put_wsid (Buf *b, bool present)
{
  if (!present)
    {
      put_u32 (b, 0);
      return;
    }
  put_ptr (b, 0xffffb406d24f8c60ull);
  put_ptr (b, 0);
  put_u8 (b, 1);
  put_u8 (b, 5);
  put_u8 (b, 0); put_u8 (b, 0); put_u8 (b, 0); put_u8 (b, 0); put_u8 (b, 0); put_u8 (b, 5);
  put_u32 (b, 21);
  put_u32 (b, 1);
  put_u32 (b, 2);
  put_u32 (b, 3);
  put_u32 (b, 1001);
}

#define TEST_SID "S-1-5-21-1-2-3-1001"

static inline EtwEvent
mk_event (const EtwGuid *provider,
          uint8_t        kind,
          uint16_t       id,
          uint8_t        opcode,
          uint8_t        version,
          unsigned       ps,
          const uint8_t *payload,
          size_t         len)
{
  EtwEvent ev;

  memset (&ev, 0, sizeof ev);
  ev.provider = *provider;
  ev.kind = kind;
  ev.id = id;
  ev.opcode = opcode;
  ev.version = version;
  ev.pointer_size = (uint8_t) ps;
  ev.flags = ps == 8 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER;
  if (kind != ETW_HDR_EVENT)
    ev.flags |= ETW_FLAG_CLASSIC_HEADER;
  ev.level = 4;
  ev.pid = 100;
  ev.tid = 200;
  ev.time = 132273542277445790;
  ev.raw_time = 1000;
  ev.payload = payload;
  ev.payload_len = (uint32_t) len;
  return ev;
}

/* A classic kernel event as the .etl reader delivers it. */
static inline EtwEvent
mk_kernel (const EtwGuid *provider,
           uint8_t        opcode,
           uint8_t        version,
           const Buf     *b)
{
  return mk_event (provider, ETW_HDR_SYSTEM, 0, opcode, version, b->ps, b->b, b->n);
}

static inline const EtwField *
find_field (const EtwDecoded *d,
            const char       *name)
{
  for (uint32_t i = 0; i < d->n_fields; i++)
    if (d->fields[i].name != NULL && d->fields[i].depth == 0 && strcmp (d->fields[i].name, name) == 0)
      return &d->fields[i];
  return NULL;
}

static inline bool
field_u (const EtwDecoded *d,
         const char       *name,
         uint8_t           type,
         uint64_t          v)
{
  const EtwField *f = find_field (d, name);

  if (f == NULL)
    {
      tap_diag ("field %s missing", name);
      return false;
    }
  if (f->type != type || f->v.u != v)
    {
      tap_diag ("field %s: type %u value %llu (0x%llx), want type %u value %llu", name, f->type,
                (unsigned long long) f->v.u, (unsigned long long) f->v.u, type,
                (unsigned long long) v);
      return false;
    }
  return true;
}

static inline bool
field_s (const EtwDecoded *d,
         const char       *name,
         const char       *v)
{
  const EtwField *f = find_field (d, name);

  if (f == NULL || (f->type != ETW_VAL_STRING && f->type != ETW_VAL_SID))
    {
      tap_diag ("string field %s missing", name);
      return false;
    }
  if (strcmp (f->v.s, v) != 0)
    {
      tap_diag ("field %s: \"%s\", want \"%s\"", name, f->v.s, v);
      return false;
    }
  return true;
}

static inline bool
str_is (const char *got,
        const char *want)
{
  if ((got == NULL) != (want == NULL) || (got != NULL && strcmp (got, want) != 0))
    {
      tap_diag ("got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
      return false;
    }
  return true;
}

static inline bool
ends_with (const char *s,
           const char *suffix)
{
  size_t a = s != NULL ? strlen (s) : 0, b = strlen (suffix);

  return s != NULL && a >= b && strcmp (s + a - b, suffix) == 0;
}

/* Every ARRAY/STRUCT begin has its end at the same depth, even when the
 * list was cut short. */
static inline bool
fields_well_formed (const EtwDecoded *d)
{
  int depth = 0;

  for (uint32_t i = 0; i < d->n_fields; i++)
    {
      const EtwField *f = &d->fields[i];
      if (f->type == ETW_VAL_STRUCT_END || f->type == ETW_VAL_ARRAY_END)
        {
          depth--;
          if (depth < 0 || f->depth != depth)
            return false;
          continue;
        }
      if (f->depth != depth)
        return false;
      if (f->type == ETW_VAL_STRUCT_BEGIN || f->type == ETW_VAL_ARRAY_BEGIN)
        depth++;
    }
  return depth == 0;
}
