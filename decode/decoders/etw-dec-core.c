/* etw-dec-core.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text, fields and the layout interpreter shared by every decoder. Summary
 * decoding is on the hot path of loading a file, so nothing here formats
 * with printf or allocates; strings are converted straight into
 * EtwDecoded.text.
 */
#include "etw-dec-private.h"

#include "etw-bytes.h"
#include "etw-guid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* SSE2 is part of x86-64 (and of every mingw-w64 x86-64 target); other
 * hosts take the portable loops. */
#if defined(__SSE2__)
#include <emmintrin.h>
#define ETW_HAVE_SSE2 1
#endif

/* ------------------------------------------------------------------ */
/* Text                                                                 */

char *
etw_text_alloc (EtwDecoded *out,
                size_t      n)
{
  char *p;

  if (n > sizeof out->text - out->text_used)
    {
      out->truncated = true;
      return NULL;
    }
  p = out->text + out->text_used;
  out->text_used += (uint32_t) n;
  return p;
}

/* Start and limit of the free text space; the limit keeps one byte for
 * the terminator. NULL when there is no room at all. */
static char *
text_begin (EtwDecoded *out,
            char      **lim)
{
  size_t room = sizeof out->text - out->text_used;

  if (room < 1)
    {
      out->truncated = true;
      return NULL;
    }
  *lim = out->text + out->text_used + room - 1;
  return out->text + out->text_used;
}

static const char *
text_finish (EtwDecoded *out,
             char       *start,
             char       *end)
{
  *end = '\0';
  out->text_used += (uint32_t) (end - start) + 1;
  return start;
}

static inline char *
put_utf8 (char     *o,
          char     *lim,
          uint32_t  ch)
{
  if (ch < 0x80)
    {
      if (o >= lim)
        return NULL;
      *o++ = (char) ch;
    }
  else if (ch < 0x800)
    {
      if (lim - o < 2)
        return NULL;
      *o++ = (char) (0xC0 | (ch >> 6));
      *o++ = (char) (0x80 | (ch & 0x3F));
    }
  else if (ch < 0x10000)
    {
      if (lim - o < 3)
        return NULL;
      *o++ = (char) (0xE0 | (ch >> 12));
      *o++ = (char) (0x80 | ((ch >> 6) & 0x3F));
      *o++ = (char) (0x80 | (ch & 0x3F));
    }
  else
    {
      if (lim - o < 4)
        return NULL;
      *o++ = (char) (0xF0 | (ch >> 18));
      *o++ = (char) (0x80 | ((ch >> 12) & 0x3F));
      *o++ = (char) (0x80 | ((ch >> 6) & 0x3F));
      *o++ = (char) (0x80 | (ch & 0x3F));
    }
  return o;
}

const char *
etw_text_utf16 (EtwDecoded    *out,
                const uint8_t *p,
                size_t         bytes)
{
  char *lim, *start = text_begin (out, &lim), *o = start;
  size_t n = bytes / 2, i = 0;

  if (start == NULL)
    return "";
  /* Paths are nearly always ASCII: eight units at a time while there is
   * room for them. */
#ifdef ETW_HAVE_SSE2
  while (i + 16 <= n && lim - o >= 16)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) (p + 2 * i));
      __m128i b = _mm_loadu_si128 ((const __m128i *) (p + 2 * i + 16));
      __m128i wide = _mm_and_si128 (_mm_or_si128 (a, b), _mm_set1_epi16 ((short) 0xFF80));
      if (_mm_movemask_epi8 (_mm_cmpeq_epi16 (wide, _mm_setzero_si128 ())) != 0xFFFF)
        break;
      _mm_storeu_si128 ((__m128i *) o, _mm_packus_epi16 (a, b));
      o += 16;
      i += 16;
    }
  while (i + 8 <= n && lim - o >= 8)
    {
      __m128i units = _mm_loadu_si128 ((const __m128i *) (p + 2 * i));
      /* Any unit >= 0x80 sets a bit: the high byte, or bit 7 of the low. */
      __m128i wide = _mm_and_si128 (units, _mm_set1_epi16 ((short) 0xFF80));
      if (_mm_movemask_epi8 (_mm_cmpeq_epi16 (wide, _mm_setzero_si128 ())) != 0xFFFF)
        break;
      _mm_storel_epi64 ((__m128i *) o, _mm_packus_epi16 (units, units));
      o += 8;
      i += 8;
    }
#endif
  /* Byte tests, so the host's endianness does not matter. */
  while (i + 4 <= n && lim - o >= 4)
    {
      const uint8_t *q = p + 2 * i;
      if ((q[1] | q[3] | q[5] | q[7] | ((q[0] | q[2] | q[4] | q[6]) & 0x80)) != 0)
        break;
      o[0] = (char) q[0];
      o[1] = (char) q[2];
      o[2] = (char) q[4];
      o[3] = (char) q[6];
      o += 4;
      i += 4;
    }
  for (; i < n; i++)
    {
      uint32_t ch = (uint32_t) p[2 * i] | ((uint32_t) p[2 * i + 1] << 8);
      char *next;

      if (ch < 0x80 && o < lim)
        {
          *o++ = (char) ch;
          continue;
        }
      if (ch >= 0xD800 && ch < 0xDC00 && i + 1 < n)
        {
          uint32_t lo = (uint32_t) p[2 * i + 2] | ((uint32_t) p[2 * i + 3] << 8);
          if (lo >= 0xDC00 && lo < 0xE000)
            {
              ch = 0x10000 + ((ch - 0xD800) << 10) + (lo - 0xDC00);
              i++;
            }
          else
            ch = 0xFFFD;
        }
      else if (ch >= 0xD800 && ch < 0xE000)
        ch = 0xFFFD;
      next = put_utf8 (o, lim, ch);
      if (next == NULL)
        {
          out->truncated = true;
          break;
        }
      o = next;
    }
  return text_finish (out, start, o);
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 if it is not one. */
static size_t
utf8_seq (const uint8_t *p,
          size_t         left)
{
  uint8_t c = p[0];
  size_t n;
  uint32_t ch;

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, ch = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, ch = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, ch = c & 0x07;
  else
    return 0;
  if (left < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xC0) != 0x80)
        return 0;
      ch = (ch << 6) | (p[i] & 0x3F);
    }
  if ((n == 3 && (ch < 0x800 || (ch >= 0xD800 && ch < 0xE000))) || (n == 4 && (ch < 0x10000 || ch > 0x10FFFF)))
    return 0;
  return n;
}

const char *
etw_text_8bit (EtwDecoded    *out,
               const uint8_t *p,
               size_t         len)
{
  char *lim, *start = text_begin (out, &lim), *o = start;
  size_t i = 0;

  if (start == NULL)
    return "";
  while (i < len)
    {
      size_t n = p[i] < 0x80 ? 1 : utf8_seq (p + i, len - i);

      if (n == 1 && o < lim)
        {
          *o++ = (char) p[i++];
          continue;
        }
      if (n > 1)
        {
          if ((size_t) (lim - o) < n)
            {
              out->truncated = true;
              break;
            }
          memcpy (o, p + i, n);
          o += n;
          i += n;
          continue;
        }
      if (n == 1)
        {
          out->truncated = true;
          break;
        }
      /* Not UTF-8: the kernel's 8-bit names are in the ANSI code page;
       * Latin-1 is the closest guess that keeps every byte. */
      {
        char *next = put_utf8 (o, lim, p[i]);
        if (next == NULL)
          {
            out->truncated = true;
            break;
          }
        o = next;
        i++;
      }
    }
  return text_finish (out, start, o);
}

const char *
etw_text_copy (EtwDecoded *out,
               const char *s,
               size_t      len)
{
  return etw_text_8bit (out, (const uint8_t *) s, len);
}

const char *
etw_text_dup (EtwDecoded *out,
              const char *s)
{
  size_t n = strlen (s);
  char *p = etw_text_alloc (out, n + 1);

  if (p == NULL)
    return "";
  memcpy (p, s, n + 1);
  return p;
}

const char *
etw_text_printf (EtwDecoded *out,
                 const char *fmt,
                 ...)
{
  va_list args;
  size_t room = sizeof out->text - out->text_used;
  char *p = out->text + out->text_used;
  int n;

  if (room < 2)
    {
      out->truncated = true;
      return "";
    }
  va_start (args, fmt);
  n = vsnprintf (p, room, fmt, args);
  va_end (args);
  if (n < 0)
    {
      p[0] = '\0';
      n = 0;
    }
  if ((size_t) n >= room)
    {
      out->truncated = true;
      n = (int) room - 1;
    }
  out->text_used += (uint32_t) n + 1;
  return p;
}

void
etw_tb_begin (EtwTextBuf *tb,
              EtwDecoded *out,
              size_t      cap)
{
  size_t room = sizeof out->text - out->text_used;

  tb->out = out;
  tb->start = out->text + out->text_used;
  tb->len = 0;
  tb->cap = 0;
  if (room == 0)
    {
      tb->start = NULL;
      out->truncated = true;
      return;
    }
  /* One byte stays free for the terminator. */
  tb->cap = cap < room - 1 ? cap : room - 1;
}

void
etw_tb_add (EtwTextBuf *tb,
            const char *s,
            size_t      len)
{
  if (tb->start == NULL)
    return;
  if (len > tb->cap - tb->len)
    {
      len = tb->cap - tb->len;
      tb->out->truncated = true;
    }
  memcpy (tb->start + tb->len, s, len);
  tb->len += len;
}

void
etw_tb_add_u64 (EtwTextBuf *tb,
                uint64_t    v)
{
  char buf[24];

  etw_tb_add (tb, buf, etw_fmt_u64 (buf, v));
}

void
etw_tb_add_hex (EtwTextBuf *tb,
                uint64_t    v)
{
  char buf[24];

  etw_tb_add (tb, buf, etw_fmt_hex (buf, v));
}

const char *
etw_tb_end (EtwTextBuf *tb)
{
  if (tb->start == NULL)
    return "";
  tb->start[tb->len] = '\0';
  tb->out->text_used += (uint32_t) tb->len + 1;
  return tb->start;
}

size_t
etw_fmt_hex (char     *buf,
             uint64_t  v)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[16];
  size_t n = 0, o = 2;

  buf[0] = '0';
  buf[1] = 'x';
  do
    {
      tmp[n++] = digits[v & 15];
      v >>= 4;
    }
  while (v != 0);
  while (n > 0)
    buf[o++] = tmp[--n];
  buf[o] = '\0';
  return o;
}

size_t
etw_fmt_u64 (char     *buf,
             uint64_t  v)
{
  char tmp[20];
  size_t n = 0, o = 0;

  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (n > 0)
    buf[o++] = tmp[--n];
  buf[o] = '\0';
  return o;
}

size_t
etw_wcs_bytes (const uint8_t *p,
               size_t         max,
               bool          *found)
{
  size_t i = 0;

#ifdef ETW_HAVE_SSE2
  for (; i + 32 <= max; i += 32)
    {
      __m128i zero = _mm_setzero_si128 ();
      __m128i a = _mm_cmpeq_epi16 (_mm_loadu_si128 ((const __m128i *) (p + i)), zero);
      __m128i b = _mm_cmpeq_epi16 (_mm_loadu_si128 ((const __m128i *) (p + i + 16)), zero);
      if (_mm_movemask_epi8 (_mm_or_si128 (a, b)) != 0)
        break;
    }
  for (; i + 16 <= max; i += 16)
    {
      __m128i units = _mm_loadu_si128 ((const __m128i *) (p + i));
      int mask = _mm_movemask_epi8 (_mm_cmpeq_epi16 (units, _mm_setzero_si128 ()));
      if (mask != 0)
        {
          *found = true;
          return i + (size_t) __builtin_ctz ((unsigned) mask);
        }
    }
#endif
  /* Four units per step: a unit is zero when both its bytes are. */
  for (; i + 8 <= max; i += 8)
    if ((p[i] | p[i + 1]) == 0 || (p[i + 2] | p[i + 3]) == 0 || (p[i + 4] | p[i + 5]) == 0 ||
        (p[i + 6] | p[i + 7]) == 0)
      break;
  for (; i + 2 <= max; i += 2)
    if ((p[i] | p[i + 1]) == 0)
      {
        *found = true;
        return i;
      }
  *found = false;
  return i;
}

size_t
etw_str_bytes (const uint8_t *p,
               size_t         max,
               bool          *found)
{
  const uint8_t *nul = memchr (p, 0, max);

  *found = nul != NULL;
  return nul != NULL ? (size_t) (nul - p) : max;
}

bool
etw_sid_format (const uint8_t *p,
                size_t         max,
                char          *buf,
                size_t         size,
                size_t        *sid_len)
{
  size_t count, o = 0, need;
  uint64_t auth = 0;

  if (max < 8 || p[0] != 1)
    return false;
  count = p[1];
  need = 8 + 4 * count;
  if (count > 15 || need > max || size < 2 + 3 + 21 + 15 * 11 + 1)
    return false;
  for (int i = 2; i < 8; i++)
    auth = (auth << 8) | p[i];
  memcpy (buf, "S-1-", 4);
  o = 4;
  o += etw_fmt_u64 (buf + o, auth);
  for (size_t i = 0; i < count; i++)
    {
      buf[o++] = '-';
      o += etw_fmt_u64 (buf + o, etw_rd_u32 (p + 8 + 4 * i));
    }
  buf[o] = '\0';
  *sid_len = need;
  return true;
}

const char *
etw_status_name (uint32_t status)
{
  switch (status)
    {
    case 0x00000000: return "SUCCESS";
    case 0x00000103: return "PENDING";
    case 0x00000104: return "REPARSE";
    case 0x00000105: return "MORE ENTRIES";
    case 0x0000010C: return "NOTIFY ENUM DIR";
    case 0x80000005: return "BUFFER OVERFLOW";
    case 0x80000006: return "NO MORE FILES";
    case 0x8000001A: return "NO MORE ENTRIES";
    case 0xC0000001: return "UNSUCCESSFUL";
    case 0xC0000002: return "NOT IMPLEMENTED";
    case 0xC0000003: return "INVALID INFO CLASS";
    case 0xC0000004: return "INFO LENGTH MISMATCH";
    case 0xC0000008: return "INVALID HANDLE";
    case 0xC000000D: return "INVALID PARAMETER";
    case 0xC000000F: return "NO SUCH FILE";
    case 0xC0000010: return "INVALID DEVICE REQUEST";
    case 0xC0000011: return "END OF FILE";
    case 0xC0000022: return "ACCESS DENIED";
    case 0xC0000023: return "BUFFER TOO SMALL";
    case 0xC0000024: return "OBJECT TYPE MISMATCH";
    case 0xC0000033: return "NAME INVALID";
    case 0xC0000034: return "NAME NOT FOUND";
    case 0xC0000035: return "NAME COLLISION";
    case 0xC0000039: return "PATH INVALID";
    case 0xC000003A: return "PATH NOT FOUND";
    case 0xC0000043: return "SHARING VIOLATION";
    case 0xC0000054: return "FILE LOCKED WITH WRITERS";
    case 0xC0000056: return "DELETE PENDING";
    case 0xC0000061: return "PRIVILEGE NOT HELD";
    case 0xC000007F: return "DISK FULL";
    case 0xC000009A: return "INSUFFICIENT RESOURCES";
    case 0xC00000BA: return "FILE IS A DIRECTORY";
    case 0xC00000BB: return "NOT SUPPORTED";
    case 0xC0000101: return "DIRECTORY NOT EMPTY";
    case 0xC0000103: return "NOT A DIRECTORY";
    case 0xC0000120: return "CANCELLED";
    case 0xC0000121: return "CANNOT DELETE";
    case 0xC0000225: return "NOT FOUND";
    case 0xC0000236: return "CONNECTION REFUSED";
    case 0xC000023A: return "CONNECTION INVALID";
    case 0xC000023C: return "NETWORK UNREACHABLE";
    case 0xC000023D: return "HOST UNREACHABLE";
    case 0xC0000241: return "CONNECTION ABORTED";
    case 0xC00000B5: return "IO TIMEOUT";
    case 0xC000020C: return "CONNECTION DISCONNECTED";
    case 0xC000020D: return "CONNECTION RESET";
    default: return NULL;
    }
}

const char *
etw_status_text (EtwDecoded *out,
                 uint32_t    status)
{
  const char *name = etw_status_name (status);
  char buf[24];
  size_t n;

  if (name != NULL)
    return name;
  n = etw_fmt_hex (buf, status);
  return etw_text_copy (out, buf, n);
}

size_t
etw_fmt_ip4 (char          *buf,
         const uint8_t *a)
{
  size_t o = 0;

  for (int i = 0; i < 4; i++)
    {
      if (i > 0)
        buf[o++] = '.';
      o += etw_fmt_u64 (buf + o, a[i]);
    }
  buf[o] = '\0';
  return o;
}

/* RFC 5952: lowercase, the longest run (>= 2) of zero groups as "::". */
size_t
etw_fmt_ip6 (char          *buf,
         const uint8_t *a)
{
  static const char digits[] = "0123456789abcdef";
  uint16_t g[8];
  int best = -1, best_len = 0;
  size_t o = 0;

  for (int i = 0; i < 8; i++)
    g[i] = (uint16_t) (a[2 * i] << 8 | a[2 * i + 1]);
  for (int i = 0; i < 8;)
    {
      int j = i;
      if (g[i] != 0)
        {
          i++;
          continue;
        }
      while (j < 8 && g[j] == 0)
        j++;
      if (j - i > best_len && j - i >= 2)
        {
          best = i;
          best_len = j - i;
        }
      i = j;
    }
  if (best == 0 && best_len == 5 && g[5] == 0xffff)
    {
      memcpy (buf, "::ffff:", 7);
      return 7 + etw_fmt_ip4 (buf + 7, a + 12);
    }
  for (int i = 0; i < 8; i++)
    {
      char tmp[4];
      int n = 0;
      uint16_t v = g[i];

      if (i == best)
        {
          /* The group before the run left off its colon. */
          buf[o++] = ':';
          buf[o++] = ':';
          i += best_len - 1;
          continue;
        }
      do
        {
          tmp[n++] = digits[v & 15];
          v >>= 4;
        }
      while (v != 0);
      while (n > 0)
        buf[o++] = tmp[--n];
      if (i < 7 && i + 1 != best)
        buf[o++] = ':';
    }
  buf[o] = '\0';
  return o;
}

const char *
etw_text_role (EtwDecCtx *c,
               unsigned   r)
{
  const EtwRoleVal *v = &c->role[r];
  char buf[64];

  if (!etw_ctx_has (c, r))
    return NULL;
  switch (v->kind)
    {
    case RV_NUM:
      return etw_text_copy (c->out, buf, etw_fmt_u64 (buf, v->num));
    case RV_WSTR:
      return etw_text_utf16 (c->out, v->ptr, v->len);
    case RV_ASTR:
    case RV_UTF8:
      return etw_text_8bit (c->out, v->ptr, v->len);
    case RV_IP4:
      return etw_text_copy (c->out, buf, etw_fmt_ip4 (buf, v->ptr));
    case RV_IP6:
      return etw_text_copy (c->out, buf, etw_fmt_ip6 (buf, v->ptr));
    default:
      return NULL;
    }
}

const char *
etw_text_role_basename (EtwDecCtx *c,
                        unsigned   r)
{
  const EtwRoleVal *v = &c->role[r];
  const char *s;
  uint32_t start = 0;

  if (!etw_ctx_has (c, r) || v->len == 0)
    return NULL;
  switch (v->kind)
    {
    case RV_WSTR:
      /* From the end: the last component is short, the path is not. */
      for (uint32_t i = v->len & ~1u; i >= 2; i -= 2)
        if (v->ptr[i - 1] == 0 && (v->ptr[i - 2] == '\\' || v->ptr[i - 2] == '/'))
          {
            start = i;
            break;
          }
      s = etw_text_utf16 (c->out, v->ptr + start, v->len - start);
      break;
    case RV_ASTR:
    case RV_UTF8:
      for (uint32_t i = v->len; i >= 1; i--)
        if (v->ptr[i - 1] == '\\' || v->ptr[i - 1] == '/')
          {
            start = i;
            break;
          }
      s = etw_text_8bit (c->out, v->ptr + start, v->len - start);
      break;
    default:
      return NULL;
    }
  return s[0] != '\0' ? s : NULL;
}

void
etw_tb_add_role (EtwTextBuf *tb,
                 EtwDecCtx  *c,
                 unsigned    r)
{
  const EtwRoleVal *v = &c->role[r];
  char buf[64];

  if (!etw_ctx_has (c, r))
    {
      etw_tb_add (tb, "?", 1);
      return;
    }
  switch (v->kind)
    {
    case RV_NUM:
      etw_tb_add_u64 (tb, v->num);
      break;
    case RV_IP4:
      etw_tb_add (tb, buf, etw_fmt_ip4 (buf, v->ptr));
      break;
    case RV_IP6:
      etw_tb_add (tb, "[", 1);
      etw_tb_add (tb, buf, etw_fmt_ip6 (buf, v->ptr));
      etw_tb_add (tb, "]", 1);
      break;
    case RV_UTF8:
    case RV_ASTR:
      {
        /* Strings from field lists: keep printable ASCII only. */
        size_t n = v->len < 63 ? v->len : 63;
        for (size_t i = 0; i < n; i++)
          buf[i] = v->ptr[i] >= 0x20 && v->ptr[i] < 0x7f ? (char) v->ptr[i] : '?';
        etw_tb_add (tb, buf, n);
        break;
      }
    default:
      etw_tb_add (tb, "?", 1);
      break;
    }
}

/* ------------------------------------------------------------------ */
/* Fields                                                               */

EtwField *
etw_field_add (EtwDecCtx  *c,
               const char *name,
               uint8_t     type)
{
  EtwDecoded *out = c->out;
  bool begin = type == ETW_VAL_STRUCT_BEGIN || type == ETW_VAL_ARRAY_BEGIN;
  EtwField *f;

  if (type == ETW_VAL_STRUCT_END || type == ETW_VAL_ARRAY_END)
    {
      if (c->skip_ends > 0)
        {
          c->skip_ends--;
          return NULL;
        }
      if (c->open == 0)
        return NULL;
      c->open--;
    }
  else if (c->skip_ends > 0 || out->n_fields + 1u + c->open + (begin ? 1u : 0u) > ETW_DECODED_MAX_FIELDS)
    {
      /* (Inside a refused begin nothing may be added either.) */
      /* Full: keep room for the ends of what is open. */
      out->truncated = true;
      if (begin)
        c->skip_ends++;
      return NULL;
    }
  else if (begin)
    c->open++;
  f = &out->fields[out->n_fields++];
  f->name = name;
  f->type = type;
  f->depth = c->depth;
  f->len = 0;
  memset (&f->v, 0, sizeof f->v);
  return f;
}

void
etw_field_num (EtwDecCtx  *c,
               const char *name,
               uint8_t     type,
               uint64_t    v)
{
  EtwField *f = etw_field_add (c, name, type);

  if (f != NULL)
    f->v.u = v;
}

void
etw_field_str (EtwDecCtx  *c,
               const char *name,
               const char *s)
{
  EtwField *f = etw_field_add (c, name, ETW_VAL_STRING);

  if (f != NULL)
    {
      f->v.s = s;
      f->len = (uint32_t) strlen (s);
    }
}

void
etw_field_payload (EtwDecCtx *c)
{
  EtwField *f;

  c->raw = true;
  if (!c->want_fields || c->ev->payload_len == 0)
    return;
  f = etw_field_add (c, "Payload", ETW_VAL_BINARY);
  if (f != NULL)
    {
      f->v.b = c->ev->payload;
      f->len = c->ev->payload_len;
    }
}

static void
field_wstr (EtwDecCtx     *c,
            const char    *name,
            const uint8_t *p,
            size_t         bytes)
{
  EtwField *f = etw_field_add (c, name, ETW_VAL_STRING);

  if (f != NULL)
    {
      f->v.s = etw_text_utf16 (c->out, p, bytes);
      f->len = (uint32_t) strlen (f->v.s);
    }
}

static void
field_astr (EtwDecCtx     *c,
            const char    *name,
            const uint8_t *p,
            size_t         len)
{
  EtwField *f = etw_field_add (c, name, ETW_VAL_STRING);

  if (f != NULL)
    {
      f->v.s = etw_text_8bit (c->out, p, len);
      f->len = (uint32_t) strlen (f->v.s);
    }
}

static void
field_sid (EtwDecCtx  *c,
           const char *name,
           const char *text,
           size_t      len)
{
  EtwField *f = etw_field_add (c, name, ETW_VAL_SID);

  if (f != NULL)
    {
      f->v.s = etw_text_copy (c->out, text, len);
      f->len = (uint32_t) strlen (f->v.s);
    }
}

/* ------------------------------------------------------------------ */
/* The layout interpreter                                               */

#define PTR_SIZED 0xFF
#define FT_TYPE_COUNT (FT_STRUCTEND + 1)

/* Bytes of the fixed-size types (PTR_SIZED: the event's pointer size);
 * 0 for the others. */
static const uint8_t fixed_size[FT_TYPE_COUNT] = {
  [FT_U8] = 1, [FT_I8] = 1, [FT_X8] = 1, [FT_BOOL8] = 1,
  [FT_U16] = 2, [FT_I16] = 2, [FT_X16] = 2, [FT_PORT] = 2,
  [FT_U32] = 4, [FT_I32] = 4, [FT_X32] = 4, [FT_ST32] = 4, [FT_BOOL32] = 4, [FT_IP4] = 4,
  [FT_U64] = 8, [FT_I64] = 8, [FT_X64] = 8, [FT_FILETIME] = 8,
  [FT_GUID] = 16, [FT_SYSTEMTIME] = 16, [FT_IP6] = 16,
  [FT_PTR] = PTR_SIZED, [FT_PTRU] = PTR_SIZED, [FT_PTRX] = PTR_SIZED, [FT_STPTR] = PTR_SIZED,
};

static inline uint64_t
read_le (const uint8_t *p,
         size_t         n)
{
  switch (n)
    {
    case 1: return p[0];
    case 2: return etw_rd_u16 (p);
    case 4: return etw_rd_u32 (p);
    case 8: return etw_rd_u64 (p);
    default: return 0;
    }
}

static void
compile_layout (EtwCompiledLayout *cl,
                const EtwFieldDef *defs,
                unsigned           ps)
{
  unsigned i, off = 0;

  cl->defs = defs;
  cl->ps = (uint8_t) ps;
  cl->n_fixed = 0;
  cl->last_role = 0;
  cl->optional = false;
  for (i = 0; defs[i].type != FT_END && i < ETW_LAYOUT_MAX_DEFS; i++)
    if (defs[i].role != R_NONE)
      cl->last_role = (uint8_t) (i + 1);
  for (i = 0; defs[i].type != FT_END && i < ETW_LAYOUT_MAX_DEFS; i++)
    {
      const EtwFieldDef *d = &defs[i];
      unsigned size = d->type < FT_TYPE_COUNT ? fixed_size[d->type] : 0;

      if (d->type == FT_SKIP)
        size = d->aux;
      else if (size == PTR_SIZED)
        size = ps;
      if (d->type == FT_OPT)
        {
          /* Optional fields keep their fixed offsets, but may be absent. */
          cl->optional = true;
          break;
        }
      if (size == 0 || off + size > 0xFFFF)
        break;
      if (d->role != R_NONE)
        {
          if (cl->n_fixed == sizeof cl->fixed / sizeof cl->fixed[0])
            break;
          cl->fixed[cl->n_fixed].role = d->role;
          cl->fixed[cl->n_fixed].type = d->type;
          cl->fixed[cl->n_fixed].off = (uint16_t) off;
          cl->n_fixed++;
        }
      off += size;
    }
  cl->resume = (uint8_t) i;
  cl->resume_off = (uint16_t) off;
  /* A length that refers back into the prefix cannot be resumed from. */
  for (; defs[i].type != FT_END && i < ETW_LAYOUT_MAX_DEFS; i++)
    if ((defs[i].type == FT_BINREF || defs[i].type == FT_U64REF) && defs[i].aux < cl->resume)
      {
        cl->n_fixed = 0;
        cl->resume = 0;
        cl->resume_off = 0;
        break;
      }
}

static const EtwCompiledLayout *
compiled_layout (EtwDecoder        *dec,
                 const EtwFieldDef *defs,
                 unsigned           ps)
{
  uintptr_t h = ((uintptr_t) defs >> 4) ^ ps;
  EtwCompiledLayout *cl;

  if (dec->compiled == NULL)
    return NULL;
  h ^= h >> 9;
  cl = &dec->compiled[h & (ETW_COMPILED_SLOTS - 1)];
  if (cl->defs != defs || cl->ps != ps)
    compile_layout (cl, defs, ps);
  return cl;
}

/* Sets the role of a fixed-size field read at p. */
static inline void
fixed_role (EtwDecCtx     *c,
            uint8_t        role,
            uint8_t        type,
            const uint8_t *p)
{
  switch (type)
    {
    case FT_U8: case FT_X8: etw_ctx_set_num (c, role, p[0]); break;
    case FT_BOOL8: etw_ctx_set_num (c, role, p[0] != 0); break;
    case FT_I8: etw_ctx_set_num (c, role, (uint64_t) (int64_t) (int8_t) p[0]); break;
    case FT_U16: case FT_X16: etw_ctx_set_num (c, role, etw_rd_u16 (p)); break;
    case FT_I16: etw_ctx_set_num (c, role, (uint64_t) (int64_t) (int16_t) etw_rd_u16 (p)); break;
    case FT_PORT: etw_ctx_set_num (c, role, etw_rd_be16 (p)); break;
    case FT_U32: case FT_X32: case FT_ST32: etw_ctx_set_num (c, role, etw_rd_u32 (p)); break;
    case FT_BOOL32: etw_ctx_set_num (c, role, etw_rd_u32 (p) != 0); break;
    case FT_I32: etw_ctx_set_num (c, role, (uint64_t) (int64_t) (int32_t) etw_rd_u32 (p)); break;
    case FT_U64: case FT_X64: case FT_I64: case FT_FILETIME: etw_ctx_set_num (c, role, etw_rd_u64 (p)); break;
    case FT_PTR: case FT_PTRU: case FT_PTRX: etw_ctx_set_num (c, role, etw_rd_ptr (p, c->ps)); break;
    case FT_STPTR: etw_ctx_set_num (c, role, (uint32_t) etw_rd_ptr (p, c->ps)); break;
    case FT_IP4: etw_ctx_set_ref (c, role, RV_IP4, p, 4); break;
    case FT_IP6: etw_ctx_set_ref (c, role, RV_IP6, p, 16); break;
    default: break;
    }
}

size_t
etw_run_layout (EtwDecCtx         *c,
                const EtwFieldDef *defs,
                size_t             start)
{
  const EtwCompiledLayout *cl;

  /* Summary decoding reads only the roles: the fixed-offset ones directly,
   * the rest through the interpreter, and stops after the last one. */
  if (!c->want_fields && start == 0 && (cl = compiled_layout (c->dec, defs, c->ps)) != NULL &&
      c->ev->payload_len >= cl->resume_off)
    {
      for (unsigned k = 0; k < cl->n_fixed; k++)
        fixed_role (c, cl->fixed[k].role, cl->fixed[k].type, c->ev->payload + cl->fixed[k].off);
      if (cl->resume >= cl->last_role)
        return cl->resume_off;
      return etw_run_layout_range (c, defs, cl->resume, cl->last_role, cl->resume_off, cl->optional);
    }
  return etw_run_layout_range (c, defs, 0, ETW_LAYOUT_MAX_DEFS, start, false);
}

size_t
etw_run_layout_range (EtwDecCtx         *c,
                      const EtwFieldDef *defs,
                      unsigned           first,
                      unsigned           stop,
                      size_t             start,
                      bool               optional)
{
  const uint8_t *base = c->ev->payload;
  size_t len = c->ev->payload_len, o = start;
  unsigned ps = c->ps;
  bool fields = c->want_fields;
  uint8_t base_depth = c->depth;
  /* Values by def index, for lengths given by an earlier field. A run that
   * resumes after the fixed prefix never refers back into it (see
   * compile_layout). */
  uint64_t vals[ETW_LAYOUT_MAX_DEFS];

  if (o > len)
    return len;
  for (unsigned i = first; defs[i].type != FT_END && i < stop && i < ETW_LAYOUT_MAX_DEFS; i++)
    {
      const EtwFieldDef *d = &defs[i];
      const uint8_t *p = base + o;
      size_t left = len - o;
      uint64_t v = 0;
      uint8_t vt = ETW_VAL_UINT;
      size_t need = 0;

      /* Summary only: a fixed-size field nobody asks for is just skipped. */
      if (!fields && d->role == R_NONE && d->type < FT_TYPE_COUNT && fixed_size[d->type] != 0)
        {
          need = fixed_size[d->type] == PTR_SIZED ? ps : fixed_size[d->type];
          if (left < need)
            goto cut;
          vals[i] = need <= 8 ? read_le (p, need) : 0;
          o += need;
          continue;
        }
      vals[i] = 0;
      switch ((EtwFieldType) d->type)
        {
        case FT_U8: need = 1; if (left < need) goto cut; v = p[0]; break;
        case FT_X8: need = 1; if (left < need) goto cut; v = p[0]; vt = ETW_VAL_HEX; break;
        case FT_BOOL8: need = 1; if (left < need) goto cut; v = p[0] != 0; vt = ETW_VAL_BOOL; break;
        case FT_I8: need = 1; if (left < need) goto cut; v = (uint64_t) (int64_t) (int8_t) p[0]; vt = ETW_VAL_INT; break;
        case FT_U16: need = 2; if (left < need) goto cut; v = etw_rd_u16 (p); break;
        case FT_X16: need = 2; if (left < need) goto cut; v = etw_rd_u16 (p); vt = ETW_VAL_HEX; break;
        case FT_I16: need = 2; if (left < need) goto cut; v = (uint64_t) (int64_t) (int16_t) etw_rd_u16 (p); vt = ETW_VAL_INT; break;
        case FT_PORT: need = 2; if (left < need) goto cut; v = etw_rd_be16 (p); break;
        case FT_U32: need = 4; if (left < need) goto cut; v = etw_rd_u32 (p); break;
        case FT_X32: need = 4; if (left < need) goto cut; v = etw_rd_u32 (p); vt = ETW_VAL_HEX; break;
        case FT_ST32: need = 4; if (left < need) goto cut; v = etw_rd_u32 (p); vt = ETW_VAL_STATUS; break;
        case FT_BOOL32: need = 4; if (left < need) goto cut; v = etw_rd_u32 (p) != 0; vt = ETW_VAL_BOOL; break;
        case FT_I32: need = 4; if (left < need) goto cut; v = (uint64_t) (int64_t) (int32_t) etw_rd_u32 (p); vt = ETW_VAL_INT; break;
        case FT_U64: need = 8; if (left < need) goto cut; v = etw_rd_u64 (p); break;
        case FT_X64: need = 8; if (left < need) goto cut; v = etw_rd_u64 (p); vt = ETW_VAL_HEX; break;
        case FT_I64: need = 8; if (left < need) goto cut; v = etw_rd_u64 (p); vt = ETW_VAL_INT; break;
        case FT_FILETIME: need = 8; if (left < need) goto cut; v = etw_rd_u64 (p); vt = ETW_VAL_FILETIME; break;
        case FT_PTR: need = ps; if (left < need) goto cut; v = etw_rd_ptr (p, ps); vt = ETW_VAL_POINTER; break;
        case FT_PTRU: need = ps; if (left < need) goto cut; v = etw_rd_ptr (p, ps); break;
        case FT_PTRX: need = ps; if (left < need) goto cut; v = etw_rd_ptr (p, ps); vt = ETW_VAL_HEX; break;
        case FT_STPTR: need = ps; if (left < need) goto cut; v = (uint32_t) etw_rd_ptr (p, ps); vt = ETW_VAL_STATUS; break;

        case FT_IP4:
        case FT_IP6:
          {
            bool v6 = d->type == FT_IP6;
            need = v6 ? 16 : 4;
            if (left < need)
              goto cut;
            if (d->role)
              etw_ctx_set_ref (c, d->role, v6 ? RV_IP6 : RV_IP4, p, (uint32_t) need);
            if (fields)
              {
                EtwField *f = etw_field_add (c, d->name, v6 ? ETW_VAL_IPV6 : ETW_VAL_IPV4);
                if (f != NULL)
                  memcpy (f->v.ip, p, need);
              }
            o += need;
            continue;
          }

        case FT_GUID:
          need = 16;
          if (left < need)
            goto cut;
          if (fields)
            {
              EtwField *f = etw_field_add (c, d->name, ETW_VAL_GUID);
              if (f != NULL)
                etw_guid_read (&f->v.g, p);
            }
          o += need;
          continue;

        case FT_SYSTEMTIME:
          need = 16;
          if (left < need)
            goto cut;
          if (fields)
            {
              EtwField *f = etw_field_add (c, d->name, ETW_VAL_SYSTEMTIME);
              if (f != NULL)
                memcpy (f->v.ip, p, 16);
            }
          o += need;
          continue;

        case FT_ASZ:
          {
            bool found;
            size_t n = etw_str_bytes (p, left, &found);
            if (d->role)
              etw_ctx_set_ref (c, d->role, RV_ASTR, p, (uint32_t) n);
            if (fields)
              field_astr (c, d->name, p, n);
            o += n + (found ? 1 : 0);
            continue;
          }

        case FT_WSZ:
          {
            bool found;
            size_t n = etw_wcs_bytes (p, left, &found);
            if (d->role)
              etw_ctx_set_ref (c, d->role, RV_WSTR, p, (uint32_t) n);
            if (fields)
              field_wstr (c, d->name, p, n);
            o += found ? n + 2 : left;
            continue;
          }

        case FT_WCHARS:
          {
            bool found;
            size_t n;
            need = d->aux;
            if (left < need)
              goto cut;
            n = etw_wcs_bytes (p, need, &found);
            if (d->role)
              etw_ctx_set_ref (c, d->role, RV_WSTR, p, (uint32_t) n);
            if (fields)
              field_wstr (c, d->name, p, n);
            o += need;
            continue;
          }

        case FT_WSID:
          {
            char sid[200];
            size_t sid_len = 0, tu = 2u * ps;

            if (left < 4)
              goto cut;
            if (etw_rd_u32 (p) == 0)
              {
                /* No SID: the blob is the 4-byte zero alone. */
                if (fields)
                  field_sid (c, d->name, "", 0);
                o += 4;
                continue;
              }
            if (left < tu + 8 || !etw_sid_format (p + tu, left - tu, sid, sizeof sid, &sid_len))
              goto cut;
            if (fields)
              field_sid (c, d->name, sid, strlen (sid));
            o += tu + sid_len;
            continue;
          }

        case FT_SID:
          {
            char sid[200];
            size_t sid_len = 0;

            if (left < 8)
              goto cut;
            if (!etw_sid_format (p, left, sid, sizeof sid, &sid_len))
              goto cut;
            if (fields)
              field_sid (c, d->name, sid, strlen (sid));
            o += sid_len;
            continue;
          }

        case FT_BIN:
        case FT_BINREF:
        case FT_BINREST:
          {
            if (d->type == FT_BIN)
              need = d->aux;
            else if (d->type == FT_BINREF)
              need = d->aux < i && d->aux >= first ? (size_t) vals[d->aux] : 0;
            else
              need = left;
            if (left < need)
              goto cut;
            if (d->role)
              etw_ctx_set_ref (c, d->role, RV_BIN, p, (uint32_t) need);
            if (fields)
              {
                EtwField *f = etw_field_add (c, d->name, ETW_VAL_BINARY);
                if (f != NULL)
                  {
                    f->v.b = p;
                    f->len = (uint32_t) need;
                  }
              }
            o += need;
            continue;
          }

        case FT_FRAMES:
        case FT_U64REF:
          {
            unsigned es = d->type == FT_FRAMES ? ps : 8;
            size_t n = d->type == FT_FRAMES ? left / es
                                            : (d->aux < i && d->aux >= first ? (size_t) vals[d->aux] : 0);
            if (n > left / es)
              {
                n = left / es;
                c->malformed = true;
              }
            if (n > 0xFFFF)
              n = 0xFFFF;
            if (fields)
              {
                EtwField *f = etw_field_add (c, d->name, ETW_VAL_ARRAY_BEGIN);
                if (f != NULL)
                  f->len = (uint32_t) n;
                c->depth++;
                for (size_t k = 0; k < n; k++)
                  etw_field_num (c, d->name, d->type == FT_FRAMES ? ETW_VAL_POINTER : ETW_VAL_UINT,
                                 etw_rd_ptr (p + k * es, es));
                c->depth--;
                etw_field_add (c, NULL, ETW_VAL_ARRAY_END);
              }
            o += n * es;
            continue;
          }

        case FT_ALIGN8:
          o = (o + 7) & ~(size_t) 7;
          if (o > len)
            o = len;
          continue;

        case FT_SKIP:
          if (left < d->aux)
            goto cut;
          o += d->aux;
          continue;

        case FT_OPT:
          optional = true;
          continue;

        case FT_STRUCT:
          if (fields)
            etw_field_add (c, d->name, ETW_VAL_STRUCT_BEGIN);
          c->depth++;
          continue;

        case FT_STRUCTEND:
          if (c->depth > 0)
            c->depth--;
          if (fields)
            etw_field_add (c, NULL, ETW_VAL_STRUCT_END);
          continue;

        case FT_END:
        default:
          continue;
        }

      /* A number. */
      vals[i] = v;
      if (d->role)
        etw_ctx_set_num (c, d->role, v);
      if (fields)
        etw_field_num (c, d->name, vt, v);
      o += need;
    }
  return o;

cut:
  /* Close the groups a cut left open, so the field list stays well formed. */
  while (c->depth > base_depth)
    {
      c->depth--;
      if (fields)
        etw_field_add (c, NULL, ETW_VAL_STRUCT_END);
    }
  /* Older builds stop before the optional tail; anything else that ends
   * inside a field is damage. */
  if (!(optional && o == len))
    c->malformed = true;
  return o;
}
