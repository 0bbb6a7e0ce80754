/* etw-fields.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-fields.h"

#include "etw-bytes.h"
#include "etw-guid.h"

#include <string.h>

void
etw_fw_init (EtwFieldWriter *w,
             uint8_t        *buf,
             size_t          cap)
{
  w->buf = buf;
  w->cap = cap;
  w->len = 0;
  w->depth = 0;
  w->overflow = false;
}

/* Writes the entry header and returns where the value goes, or NULL when
 * the whole entry (header + value_len) does not fit. */
static uint8_t *
put_head (EtwFieldWriter *w,
          uint8_t         type,
          const char     *name,
          size_t          value_len)
{
  size_t n = name != NULL ? strlen (name) : 0;
  uint8_t *p;

  if (n > 255)
    n = 255;
  if (w->overflow || w->cap - w->len < 3 + n + 1 + value_len)
    {
      w->overflow = true;
      return NULL;
    }
  p = w->buf + w->len;
  p[0] = type;
  p[1] = w->depth;
  p[2] = (uint8_t) n;
  if (n > 0)
    memcpy (p + 3, name, n);
  p[3 + n] = 0;
  w->len += 3 + n + 1 + value_len;
  return p + 3 + n + 1;
}

static void
put_u64 (EtwFieldWriter *w,
         uint8_t         type,
         const char     *name,
         uint64_t        v)
{
  uint8_t *p = put_head (w, type, name, 8);

  if (p != NULL)
    etw_wr_u64 (p, v);
}

void etw_fw_int (EtwFieldWriter *w, const char *name, int64_t v) { put_u64 (w, ETW_VAL_INT, name, (uint64_t) v); }
void etw_fw_uint (EtwFieldWriter *w, const char *name, uint64_t v) { put_u64 (w, ETW_VAL_UINT, name, v); }
void etw_fw_hex (EtwFieldWriter *w, const char *name, uint64_t v) { put_u64 (w, ETW_VAL_HEX, name, v); }
void etw_fw_pointer (EtwFieldWriter *w, const char *name, uint64_t v) { put_u64 (w, ETW_VAL_POINTER, name, v); }
void etw_fw_bool (EtwFieldWriter *w, const char *name, bool v) { put_u64 (w, ETW_VAL_BOOL, name, v ? 1 : 0); }
void etw_fw_status (EtwFieldWriter *w, const char *name, uint64_t v) { put_u64 (w, ETW_VAL_STATUS, name, v); }
void etw_fw_filetime (EtwFieldWriter *w, const char *name, int64_t v) { put_u64 (w, ETW_VAL_FILETIME, name, (uint64_t) v); }

void
etw_fw_double (EtwFieldWriter *w,
               const char     *name,
               double          v)
{
  uint64_t bits;

  memcpy (&bits, &v, sizeof bits);
  put_u64 (w, ETW_VAL_DOUBLE, name, bits);
}

static void
put_counted (EtwFieldWriter *w,
             uint8_t         type,
             const char     *name,
             const void     *v,
             size_t          len,
             bool            nul)
{
  uint8_t *p;

  if (len > 0xFFFF - 1)
    len = 0xFFFF - 1;
  p = put_head (w, type, name, 2 + len + (nul ? 1 : 0));
  if (p == NULL)
    return;
  etw_wr_u16 (p, (uint16_t) len);
  if (len > 0)
    memcpy (p + 2, v, len);
  if (nul)
    p[2 + len] = 0;
}

void
etw_fw_string_len (EtwFieldWriter *w,
                   const char     *name,
                   const char     *v,
                   size_t          len)
{
  /* Stop at an embedded NUL so that readers can use the value as a C string. */
  const char *nul = v != NULL ? memchr (v, 0, len) : NULL;

  if (nul != NULL)
    len = (size_t) (nul - v);
  put_counted (w, ETW_VAL_STRING, name, v, v != NULL ? len : 0, true);
}

void
etw_fw_string (EtwFieldWriter *w,
               const char     *name,
               const char     *v)
{
  etw_fw_string_len (w, name, v, v != NULL ? strlen (v) : 0);
}

void
etw_fw_sid (EtwFieldWriter *w,
            const char     *name,
            const char     *v)
{
  put_counted (w, ETW_VAL_SID, name, v, v != NULL ? strlen (v) : 0, true);
}

void
etw_fw_binary (EtwFieldWriter *w,
               const char     *name,
               const uint8_t  *v,
               size_t          len)
{
  put_counted (w, ETW_VAL_BINARY, name, v, len, false);
}

void
etw_fw_guid (EtwFieldWriter *w,
             const char     *name,
             const EtwGuid  *v)
{
  uint8_t *p = put_head (w, ETW_VAL_GUID, name, 16);

  if (p != NULL)
    etw_guid_write (v, p);
}

static void
put_fixed (EtwFieldWriter *w,
           uint8_t         type,
           const char     *name,
           const uint8_t  *v,
           size_t          len)
{
  uint8_t *p = put_head (w, type, name, len);

  if (p != NULL)
    memcpy (p, v, len);
}

void etw_fw_ipv4 (EtwFieldWriter *w, const char *name, const uint8_t v[4]) { put_fixed (w, ETW_VAL_IPV4, name, v, 4); }
void etw_fw_ipv6 (EtwFieldWriter *w, const char *name, const uint8_t v[16]) { put_fixed (w, ETW_VAL_IPV6, name, v, 16); }
void etw_fw_systemtime (EtwFieldWriter *w, const char *name, const uint8_t v[16]) { put_fixed (w, ETW_VAL_SYSTEMTIME, name, v, 16); }

void
etw_fw_struct_begin (EtwFieldWriter *w,
                     const char     *name)
{
  if (put_head (w, ETW_VAL_STRUCT_BEGIN, name, 0) != NULL)
    w->depth++;
}

void
etw_fw_struct_end (EtwFieldWriter *w)
{
  if (w->depth > 0)
    w->depth--;
  put_head (w, ETW_VAL_STRUCT_END, NULL, 0);
}

void
etw_fw_array_begin (EtwFieldWriter *w,
                    const char     *name,
                    uint16_t        count)
{
  uint8_t *p = put_head (w, ETW_VAL_ARRAY_BEGIN, name, 2);

  if (p != NULL)
    {
      etw_wr_u16 (p, count);
      w->depth++;
    }
}

void
etw_fw_array_end (EtwFieldWriter *w)
{
  if (w->depth > 0)
    w->depth--;
  put_head (w, ETW_VAL_ARRAY_END, NULL, 0);
}

void
etw_fr_init (EtwFieldReader *r,
             const uint8_t  *buf,
             size_t          len)
{
  r->p = buf;
  r->end = buf + len;
  r->error = false;
}

bool
etw_fr_next (EtwFieldReader *r,
             EtwField       *f)
{
  const uint8_t *p = r->p;
  size_t left = (size_t) (r->end - p);
  size_t n, need = 0;

  if (left == 0 || r->error)
    return false;
  if (left < 4)
    goto bad;
  n = p[2];
  if (left < 3 + n + 1 || p[3 + n] != 0)
    goto bad;
  memset (f, 0, sizeof *f);
  f->type = p[0];
  f->depth = p[1];
  f->name = (const char *) p + 3;
  p += 3 + n + 1;
  left -= 3 + n + 1;

  switch ((EtwValueType) f->type)
    {
    case ETW_VAL_INT:
    case ETW_VAL_UINT:
    case ETW_VAL_HEX:
    case ETW_VAL_POINTER:
    case ETW_VAL_BOOL:
    case ETW_VAL_STATUS:
    case ETW_VAL_FILETIME:
    case ETW_VAL_DOUBLE:
      need = 8;
      if (left < need)
        goto bad;
      if (f->type == ETW_VAL_DOUBLE)
        {
          uint64_t bits = etw_rd_u64 (p);
          double d;
          memcpy (&d, &bits, sizeof d);
          f->v.d = d;
        }
      else
        f->v.u = etw_rd_u64 (p);
      break;
    case ETW_VAL_STRING:
    case ETW_VAL_SID:
      if (left < 3)
        goto bad;
      f->len = etw_rd_u16 (p);
      need = 2 + f->len + 1;
      if (left < need || p[2 + f->len] != 0)
        goto bad;
      f->v.s = (const char *) p + 2;
      break;
    case ETW_VAL_BINARY:
      if (left < 2)
        goto bad;
      f->len = etw_rd_u16 (p);
      need = 2 + f->len;
      if (left < need)
        goto bad;
      f->v.b = p + 2;
      break;
    case ETW_VAL_GUID:
      need = 16;
      if (left < need)
        goto bad;
      etw_guid_read (&f->v.g, p);
      break;
    case ETW_VAL_IPV4:
      need = 4;
      if (left < need)
        goto bad;
      memcpy (f->v.ip, p, 4);
      break;
    case ETW_VAL_IPV6:
    case ETW_VAL_SYSTEMTIME:
      need = 16;
      if (left < need)
        goto bad;
      memcpy (f->v.ip, p, 16);
      break;
    case ETW_VAL_ARRAY_BEGIN:
      need = 2;
      if (left < need)
        goto bad;
      f->len = etw_rd_u16 (p);
      break;
    case ETW_VAL_STRUCT_BEGIN:
    case ETW_VAL_STRUCT_END:
    case ETW_VAL_ARRAY_END:
      break;
    case ETW_VAL_NONE:
    default:
      goto bad;
    }
  r->p = p + need;
  return true;

bad:
  r->error = true;
  return false;
}
