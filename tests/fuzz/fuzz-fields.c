/* fuzz-fields.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The field-list reader, and a write/read round trip of what it read.
 */
#include "fuzz-common.h"

#include "etw-fields.h"
#include "etw-guid.h"

#define MAX_FIELDS 4096

static void
write_field (EtwFieldWriter *w,
             const EtwField *f)
{
  switch (f->type)
    {
    case ETW_VAL_INT: etw_fw_int (w, f->name, f->v.i); break;
    case ETW_VAL_UINT: etw_fw_uint (w, f->name, f->v.u); break;
    case ETW_VAL_HEX: etw_fw_hex (w, f->name, f->v.u); break;
    case ETW_VAL_POINTER: etw_fw_pointer (w, f->name, f->v.u); break;
    case ETW_VAL_BOOL: etw_fw_bool (w, f->name, f->v.u != 0); break;
    case ETW_VAL_STATUS: etw_fw_status (w, f->name, f->v.u); break;
    case ETW_VAL_FILETIME: etw_fw_filetime (w, f->name, f->v.i); break;
    case ETW_VAL_DOUBLE: etw_fw_double (w, f->name, f->v.d); break;
    case ETW_VAL_STRING: etw_fw_string_len (w, f->name, f->v.s, f->len); break;
    case ETW_VAL_SID: etw_fw_sid (w, f->name, f->v.s); break;
    case ETW_VAL_BINARY: etw_fw_binary (w, f->name, f->v.b, f->len); break;
    case ETW_VAL_GUID: etw_fw_guid (w, f->name, &f->v.g); break;
    case ETW_VAL_IPV4: etw_fw_ipv4 (w, f->name, f->v.ip); break;
    case ETW_VAL_IPV6: etw_fw_ipv6 (w, f->name, f->v.ip); break;
    case ETW_VAL_SYSTEMTIME: etw_fw_systemtime (w, f->name, f->v.ip); break;
    case ETW_VAL_STRUCT_BEGIN: etw_fw_struct_begin (w, f->name); break;
    case ETW_VAL_STRUCT_END: etw_fw_struct_end (w); break;
    case ETW_VAL_ARRAY_BEGIN: etw_fw_array_begin (w, f->name, (uint16_t) f->len); break;
    case ETW_VAL_ARRAY_END: etw_fw_array_end (w); break;
    default: break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static EtwField fields[MAX_FIELDS];
  EtwFieldReader r;
  uint32_t n = 0;
  volatile size_t sum = 0;

  etw_fr_init (&r, data, size);
  while (n < MAX_FIELDS && etw_fr_next (&r, &fields[n]))
    {
      const EtwField *f = &fields[n];
      FUZZ_CHECK (f->name != NULL);
      sum += strlen (f->name);
      if (f->type == ETW_VAL_STRING || f->type == ETW_VAL_SID)
        {
          FUZZ_CHECK (f->v.s[f->len] == '\0');
          sum += strlen (f->v.s);
        }
      else if (f->type == ETW_VAL_BINARY && f->len > 0)
        sum += f->v.b[0] + f->v.b[f->len - 1];
      n++;
    }
  FUZZ_CHECK ((uint8_t *) r.p <= (uint8_t *) r.end);
  (void) sum;

  /* What was read writes back and reads again the same. */
  size_t cap = size * 2 + 64;
  uint8_t *buf = malloc (cap);
  FUZZ_CHECK (buf != NULL);
  EtwFieldWriter w;
  etw_fw_init (&w, buf, cap);
  for (uint32_t i = 0; i < n; i++)
    write_field (&w, &fields[i]);
  FUZZ_CHECK (w.len <= cap);
  if (!w.overflow)
    {
      EtwFieldReader r2;
      EtwField g;
      uint32_t k = 0;
      etw_fr_init (&r2, buf, w.len);
      while (etw_fr_next (&r2, &g))
        {
          const EtwField *f = &fields[k];
          FUZZ_CHECK (k < n);
          FUZZ_CHECK (g.type == f->type || f->type > ETW_VAL_ARRAY_END);
          if (g.type == ETW_VAL_STRUCT_END || g.type == ETW_VAL_ARRAY_END)
            FUZZ_CHECK (g.name[0] == '\0');
          else
            FUZZ_CHECK (strcmp (g.name, f->name) == 0);
          /* The writer stops a string at an embedded NUL. */
          if (g.type == ETW_VAL_STRING)
            FUZZ_CHECK (g.len == strlen (f->v.s) && memcmp (g.v.s, f->v.s, g.len) == 0);
          if (g.type == ETW_VAL_BINARY)
            FUZZ_CHECK (g.len == f->len && (g.len == 0 || memcmp (g.v.b, f->v.b, g.len) == 0));
          else if (g.type == ETW_VAL_GUID)
            FUZZ_CHECK (etw_guid_equal (&g.v.g, &f->v.g));
          else if (g.type <= ETW_VAL_FILETIME && g.type != ETW_VAL_DOUBLE &&
                   g.type != ETW_VAL_STRING && g.type != ETW_VAL_SID && g.type != ETW_VAL_BOOL &&
                   g.type != ETW_VAL_NONE)
            FUZZ_CHECK (g.v.u == f->v.u);
          k++;
        }
      FUZZ_CHECK (!r2.error);
    }
  free (buf);
  return 0;
}
