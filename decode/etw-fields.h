/* etw-fields.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The "pre-parsed fields" payload: a self-describing list of named, typed
 * values, for producers that already know an event's fields (TDH on
 * Windows, libtraceevent on Linux, tests). An EtwEvent carries one in its
 * payload when xflags has ETW_XFLAG_FIELD_LIST.
 *
 * Encoding, one entry after another:
 *   u8 type (EtwValueType), u8 depth, u8 name length n, n name bytes, NUL,
 *   then the value:
 *     INT UINT HEX POINTER BOOL STATUS FILETIME DOUBLE   8 bytes, LE
 *     STRING SID                       u16 length n, n UTF-8 bytes, NUL
 *     BINARY                           u16 length n, n bytes
 *     GUID                             16 bytes, Windows on-disk order
 *     IPV4 4 bytes, IPV6 16 bytes, SYSTEMTIME 16 bytes (as stored)
 *     ARRAY_BEGIN                      u16 element count
 *     STRUCT_BEGIN STRUCT_END ARRAY_END  nothing
 * Names and strings are NUL-terminated in place, so a reader hands out
 * pointers into the buffer without copying.
 */
#pragma once

#include "etw-decode.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  uint8_t *buf;
  size_t   cap;
  size_t   len;
  uint8_t  depth;
  bool     overflow;  /* something did not fit; the list stays well formed */
} EtwFieldWriter;

void etw_fw_init         (EtwFieldWriter *w,
                          uint8_t        *buf,
                          size_t          cap);
void etw_fw_int          (EtwFieldWriter *w, const char *name, int64_t v);
void etw_fw_uint         (EtwFieldWriter *w, const char *name, uint64_t v);
void etw_fw_hex          (EtwFieldWriter *w, const char *name, uint64_t v);
void etw_fw_pointer      (EtwFieldWriter *w, const char *name, uint64_t v);
void etw_fw_bool         (EtwFieldWriter *w, const char *name, bool v);
void etw_fw_status       (EtwFieldWriter *w, const char *name, uint64_t v);
void etw_fw_filetime     (EtwFieldWriter *w, const char *name, int64_t v);
void etw_fw_double       (EtwFieldWriter *w, const char *name, double v);
void etw_fw_string       (EtwFieldWriter *w, const char *name, const char *v);
void etw_fw_string_len   (EtwFieldWriter *w, const char *name, const char *v, size_t len);
void etw_fw_sid          (EtwFieldWriter *w, const char *name, const char *v);
void etw_fw_binary       (EtwFieldWriter *w, const char *name, const uint8_t *v, size_t len);
void etw_fw_guid         (EtwFieldWriter *w, const char *name, const EtwGuid *v);
void etw_fw_ipv4         (EtwFieldWriter *w, const char *name, const uint8_t v[4]);
void etw_fw_ipv6         (EtwFieldWriter *w, const char *name, const uint8_t v[16]);
void etw_fw_systemtime   (EtwFieldWriter *w, const char *name, const uint8_t v[16]);
void etw_fw_struct_begin (EtwFieldWriter *w, const char *name);
void etw_fw_struct_end   (EtwFieldWriter *w);
void etw_fw_array_begin  (EtwFieldWriter *w, const char *name, uint16_t count);
void etw_fw_array_end    (EtwFieldWriter *w);

typedef struct
{
  const uint8_t *p;
  const uint8_t *end;
  bool           error;  /* malformed input met; reading stopped */
} EtwFieldReader;

void etw_fr_init (EtwFieldReader *r,
                  const uint8_t  *buf,
                  size_t          len);
/* Fills f with the next entry (pointers into the buffer). Returns false at
 * the end or on malformed input (r->error set). */
bool etw_fr_next (EtwFieldReader *r,
                  EtwField       *f);

#ifdef __cplusplus
}
#endif
