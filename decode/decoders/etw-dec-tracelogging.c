/* etw-dec-tracelogging.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TraceLogging events are self-describing: the EVENT_SCHEMA_TL extended
 * item carries the event's metadata and PROV_TRAITS the provider's name,
 * so they decode completely without TDH.
 *
 * Event metadata: u16 size (itself included), tag bytes (a byte with the
 * high bit set means another follows), the UTF-8 event name, then one
 * entry per field: UTF-8 name, in-type byte (0x80: an out-type byte
 * follows; 0x40: variable-count array, the u16 count is in the data;
 * 0x20: constant-count array, the u16 count follows in the metadata;
 * 0x60: custom-serialized), out-type byte (0x80: tag bytes follow). A
 * struct (in-type 24) keeps its member count in the out-type byte and its
 * members follow as the next entries. Data is packed, little-endian.
 */
#include "etw-dec-private.h"

#include "etw-bytes.h"
#include "etw-guid.h"

#include <string.h>

enum
{
  TL_NULL = 0,
  TL_UNICODESTRING = 1,
  TL_ANSISTRING = 2,
  TL_INT8 = 3,
  TL_UINT8 = 4,
  TL_INT16 = 5,
  TL_UINT16 = 6,
  TL_INT32 = 7,
  TL_UINT32 = 8,
  TL_INT64 = 9,
  TL_UINT64 = 10,
  TL_FLOAT = 11,
  TL_DOUBLE = 12,
  TL_BOOL32 = 13,
  TL_BINARY = 14,
  TL_GUID = 15,
  TL_POINTER = 16,
  TL_FILETIME = 17,
  TL_SYSTEMTIME = 18,
  TL_SID = 19,
  TL_HEXINT32 = 20,
  TL_HEXINT64 = 21,
  TL_COUNTEDSTRING = 22,
  TL_COUNTEDANSISTRING = 23,
  TL_STRUCT = 24,
  TL_COUNTEDBINARY = 25,
};

enum
{
  TL_IN_CHAIN = 0x80,
  TL_IN_COUNT_MASK = 0x60,
  TL_IN_VCOUNT = 0x40,
  TL_IN_CCOUNT = 0x20,
  TL_IN_CUSTOM = 0x60,
  TL_IN_TYPE_MASK = 0x1F,
  TL_OUT_CHAIN = 0x80,
  TL_OUT_TYPE_MASK = 0x7F,
};

enum
{
  TL_OUT_STRING = 2,
  TL_OUT_BOOLEAN = 3,
  TL_OUT_HEX = 4,
  TL_OUT_PORT = 7,
  TL_OUT_IPV4 = 8,
  TL_OUT_IPV6 = 9,
  TL_OUT_WIN32ERROR = 13,
  TL_OUT_NTSTATUS = 14,
  TL_OUT_HRESULT = 15,
  TL_OUT_FILETIME = 16,
  TL_OUT_UTF8 = 35,
  TL_OUT_CODE_POINTER = 37,
};

#define TL_MAX_FIELDS 256
#define TL_MAX_DEPTH  16
#define TL_MAX_STEPS  (1u << 18)

typedef struct
{
  const uint8_t *name;
  uint16_t       name_len;
  uint8_t        in;        /* type, with the count bits */
  uint8_t        out;       /* out type (struct: member count) */
  uint16_t       ccount;
  const char    *text_name; /* copied into out->text on first use */
} TlField;

typedef struct
{
  EtwDecCtx     *c;
  TlField        f[TL_MAX_FIELDS];
  unsigned       n;
  /* Index after each field's descriptor subtree, computed once: walking
   * it again for every element of an array of structs made crafted
   * schemas cost seconds. */
  uint16_t       subtree[TL_MAX_FIELDS];
  bool           subtree_ready;
  const uint8_t *p;
  const uint8_t *end;
  unsigned       steps;
  bool           stop;
} TlCtx;

static const EtwExtItem *
find_ext (const EtwEvent *ev,
          uint16_t        type)
{
  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].type == type)
      return &ev->ext[i];
  return NULL;
}

/* Metadata bytes of an item: its own u16 size, bounded by the item. */
static bool
meta_bounds (const EtwExtItem *it,
             const uint8_t   **start,
             const uint8_t   **end)
{
  uint16_t size;

  if (it == NULL || it->size < 2)
    return false;
  size = etw_rd_u16 (it->data);
  if (size < 2 || size > it->size)
    size = it->size;
  *start = it->data;
  *end = it->data + size;
  return true;
}

static const uint8_t *
skip_tags (const uint8_t *p,
           const uint8_t *end)
{
  for (int i = 0; i < 4 && p < end; i++)
    if ((*p++ & 0x80) == 0)
      break;
  return p;
}

static const uint8_t *
read_name (const uint8_t  *p,
           const uint8_t  *end,
           const uint8_t **name,
           size_t         *len)
{
  const uint8_t *nul = p < end ? memchr (p, 0, (size_t) (end - p)) : NULL;

  if (nul == NULL)
    return NULL;
  *name = p;
  *len = (size_t) (nul - p);
  return nul + 1;
}

bool
etw_tl_event_name (const EtwEvent  *ev,
                   const uint8_t  **name,
                   size_t          *len)
{
  const uint8_t *p, *end;

  if (!meta_bounds (find_ext (ev, ETW_EXT_EVENT_SCHEMA_TL), &p, &end))
    return false;
  p = skip_tags (p + 2, end);
  return read_name (p, end, name, len) != NULL;
}

bool
etw_tl_provider_name (const EtwEvent  *ev,
                      const uint8_t  **name,
                      size_t          *len)
{
  const uint8_t *p, *end;

  if (!meta_bounds (find_ext (ev, ETW_EXT_PROV_TRAITS), &p, &end))
    return false;
  return read_name (p + 2, end, name, len) != NULL && *len > 0;
}

static bool
parse_schema (TlCtx *t)
{
  const uint8_t *p, *end, *name;
  size_t len;

  if (!meta_bounds (find_ext (t->c->ev, ETW_EXT_EVENT_SCHEMA_TL), &p, &end))
    return false;
  p = skip_tags (p + 2, end);
  p = read_name (p, end, &name, &len);
  if (p == NULL)
    return false;
  t->n = 0;
  t->subtree_ready = false;
  while (p < end)
    {
      TlField *f;

      if (t->n == TL_MAX_FIELDS)
        return false;
      f = &t->f[t->n];
      p = read_name (p, end, &name, &len);
      if (p == NULL || p >= end || len > 0xFFFF)
        return false;
      f->name = name;
      f->name_len = (uint16_t) len;
      f->text_name = NULL;
      f->in = *p++;
      f->out = 0;
      f->ccount = 0;
      if (f->in & TL_IN_CHAIN)
        {
          if (p >= end)
            return false;
          f->out = *p++;
          if (f->out & TL_OUT_CHAIN)
            p = skip_tags (p, end);
        }
      if ((f->in & TL_IN_COUNT_MASK) == TL_IN_CCOUNT)
        {
          if (end - p < 2)
            return false;
          f->ccount = etw_rd_u16 (p);
          p += 2;
        }
      else if ((f->in & TL_IN_COUNT_MASK) == TL_IN_CUSTOM)
        {
          uint16_t n;
          if (end - p < 2)
            return false;
          n = etw_rd_u16 (p);
          if ((size_t) (end - p) < 2u + n)
            return false;
          p += 2 + n;
        }
      t->n++;
    }
  return true;
}

static const char *
field_name (TlCtx   *t,
            TlField *f)
{
  if (f->text_name == NULL)
    f->text_name = etw_text_8bit (t->c->out, f->name, f->name_len);
  return f->text_name;
}

/* Index after the descriptor subtree of field i (a struct owns the
 * entries of its members). */
static unsigned
subtree_end (TlCtx    *t,
             unsigned  i)
{
  if (i >= t->n)
    return t->n;
  if (!t->subtree_ready)
    {
      /* Back to front: a struct's members come after it, so theirs are
       * known when it is reached. */
      for (unsigned k = t->n; k-- > 0;)
        {
          unsigned members, j = k + 1;

          if ((t->f[k].in & TL_IN_TYPE_MASK) == TL_STRUCT)
            {
              members = t->f[k].out & TL_OUT_TYPE_MASK;
              for (unsigned m = 0; m < members && j < t->n; m++)
                j = t->subtree[j];
            }
          t->subtree[k] = (uint16_t) j;
        }
      t->subtree_ready = true;
    }
  return t->subtree[i];
}

static bool
take (TlCtx          *t,
      size_t          n,
      const uint8_t **at)
{
  if ((size_t) (t->end - t->p) < n)
    {
      t->stop = true;
      t->c->malformed = true;
      return false;
    }
  *at = t->p;
  t->p += n;
  return true;
}

static void
add_num (TlCtx      *t,
         const char *name,
         uint8_t     type,
         uint64_t    v)
{
  etw_field_num (t->c, name, type, v);
}

static void
add_string (TlCtx         *t,
            const char    *name,
            const uint8_t *p,
            size_t         n,
            bool           wide)
{
  EtwField *f = etw_field_add (t->c, name, ETW_VAL_STRING);

  if (f != NULL)
    {
      f->v.s = wide ? etw_text_utf16 (t->c->out, p, n) : etw_text_8bit (t->c->out, p, n);
      f->len = (uint32_t) strlen (f->v.s);
    }
}

static void
add_binary (TlCtx         *t,
            const char    *name,
            const uint8_t *p,
            size_t         n,
            uint8_t        out)
{
  EtwField *f;

  if (out == TL_OUT_IPV6 && n == 16)
    {
      f = etw_field_add (t->c, name, ETW_VAL_IPV6);
      if (f != NULL)
        memcpy (f->v.ip, p, 16);
      return;
    }
  f = etw_field_add (t->c, name, ETW_VAL_BINARY);
  if (f != NULL)
    {
      f->v.b = p;
      f->len = (uint32_t) n;
    }
}

/* One value of a scalar (non-struct) type. */
static void
decode_scalar (TlCtx      *t,
               TlField    *f,
               const char *name)
{
  uint8_t type = f->in & TL_IN_TYPE_MASK;
  uint8_t out = f->out & TL_OUT_TYPE_MASK;
  const uint8_t *p;
  uint64_t v;

  if ((f->in & TL_IN_COUNT_MASK) == TL_IN_CUSTOM)
    {
      /* Custom-serialized: u16 size, then bytes only the provider knows. */
      const uint8_t *data;
      if (take (t, 2, &p))
        {
          uint16_t n = etw_rd_u16 (p);
          if (take (t, n, &data))
            add_binary (t, name, data, n, 0);
        }
      return;
    }

  switch (type)
    {
    case TL_NULL:
      etw_field_add (t->c, name, ETW_VAL_NONE);
      return;

    case TL_UNICODESTRING:
    case TL_ANSISTRING:
      {
        bool wide = type == TL_UNICODESTRING, found;
        size_t left = (size_t) (t->end - t->p);
        size_t n = wide ? etw_wcs_bytes (t->p, left, &found) : etw_str_bytes (t->p, left, &found);
        add_string (t, name, t->p, n, wide);
        t->p += n + (found ? (wide ? 2 : 1) : 0);
        if (!found)
          t->p = t->end;
        return;
      }

    case TL_COUNTEDSTRING:
    case TL_COUNTEDANSISTRING:
      if (take (t, 2, &p))
        {
          uint16_t n = etw_rd_u16 (p);
          if (take (t, n, &p))
            add_string (t, name, p, n, type == TL_COUNTEDSTRING);
        }
      return;

    case TL_BINARY:
    case TL_COUNTEDBINARY:
      if (take (t, 2, &p))
        {
          uint16_t n = etw_rd_u16 (p);
          if (take (t, n, &p))
            add_binary (t, name, p, n, out);
        }
      return;

    case TL_INT8:
    case TL_UINT8:
      if (!take (t, 1, &p))
        return;
      if (out == TL_OUT_BOOLEAN)
        add_num (t, name, ETW_VAL_BOOL, p[0] != 0);
      else if (out == TL_OUT_STRING)
        add_string (t, name, p, 1, false);
      else if (out == TL_OUT_HEX)
        add_num (t, name, ETW_VAL_HEX, p[0]);
      else if (type == TL_INT8)
        add_num (t, name, ETW_VAL_INT, (uint64_t) (int64_t) (int8_t) p[0]);
      else
        add_num (t, name, ETW_VAL_UINT, p[0]);
      return;

    case TL_INT16:
    case TL_UINT16:
      if (!take (t, 2, &p))
        return;
      v = etw_rd_u16 (p);
      if (out == TL_OUT_STRING)
        add_string (t, name, p, 2, true);
      else if (out == TL_OUT_PORT)
        add_num (t, name, ETW_VAL_UINT, etw_rd_be16 (p));
      else if (out == TL_OUT_HEX)
        add_num (t, name, ETW_VAL_HEX, v);
      else if (out == TL_OUT_BOOLEAN)
        add_num (t, name, ETW_VAL_BOOL, v != 0);
      else if (type == TL_INT16)
        add_num (t, name, ETW_VAL_INT, (uint64_t) (int64_t) (int16_t) v);
      else
        add_num (t, name, ETW_VAL_UINT, v);
      return;

    case TL_INT32:
    case TL_UINT32:
    case TL_HEXINT32:
    case TL_BOOL32:
      if (!take (t, 4, &p))
        return;
      v = etw_rd_u32 (p);
      if (type == TL_BOOL32 || out == TL_OUT_BOOLEAN)
        add_num (t, name, ETW_VAL_BOOL, v != 0);
      else if (out == TL_OUT_IPV4)
        {
          EtwField *fi = etw_field_add (t->c, name, ETW_VAL_IPV4);
          if (fi != NULL)
            memcpy (fi->v.ip, p, 4);
        }
      else if (out == TL_OUT_WIN32ERROR || out == TL_OUT_NTSTATUS || out == TL_OUT_HRESULT)
        add_num (t, name, ETW_VAL_STATUS, v);
      else if (out == TL_OUT_CODE_POINTER)
        add_num (t, name, ETW_VAL_POINTER, v);
      else if (type == TL_HEXINT32 || out == TL_OUT_HEX)
        add_num (t, name, ETW_VAL_HEX, v);
      else if (type == TL_INT32)
        add_num (t, name, ETW_VAL_INT, (uint64_t) (int64_t) (int32_t) v);
      else
        add_num (t, name, ETW_VAL_UINT, v);
      return;

    case TL_INT64:
    case TL_UINT64:
    case TL_HEXINT64:
      if (!take (t, 8, &p))
        return;
      v = etw_rd_u64 (p);
      if (out == TL_OUT_FILETIME)
        add_num (t, name, ETW_VAL_FILETIME, v);
      else if (out == TL_OUT_CODE_POINTER)
        add_num (t, name, ETW_VAL_POINTER, v);
      else if (type == TL_HEXINT64 || out == TL_OUT_HEX)
        add_num (t, name, ETW_VAL_HEX, v);
      else if (out == TL_OUT_BOOLEAN)
        add_num (t, name, ETW_VAL_BOOL, v != 0);
      else if (type == TL_INT64)
        add_num (t, name, ETW_VAL_INT, v);
      else
        add_num (t, name, ETW_VAL_UINT, v);
      return;

    case TL_POINTER:
      if (take (t, t->c->ps, &p))
        add_num (t, name, ETW_VAL_POINTER, etw_rd_ptr (p, t->c->ps));
      return;

    case TL_FLOAT:
      if (take (t, 4, &p))
        {
          uint32_t bits = etw_rd_u32 (p);
          float fl;
          EtwField *fd = etw_field_add (t->c, name, ETW_VAL_DOUBLE);
          memcpy (&fl, &bits, sizeof fl);
          if (fd != NULL)
            fd->v.d = fl;
        }
      return;

    case TL_DOUBLE:
      if (take (t, 8, &p))
        {
          uint64_t bits = etw_rd_u64 (p);
          double d;
          EtwField *fd = etw_field_add (t->c, name, ETW_VAL_DOUBLE);
          memcpy (&d, &bits, sizeof d);
          if (fd != NULL)
            fd->v.d = d;
        }
      return;

    case TL_GUID:
      if (take (t, 16, &p))
        {
          EtwField *fg = etw_field_add (t->c, name, ETW_VAL_GUID);
          if (fg != NULL)
            etw_guid_read (&fg->v.g, p);
        }
      return;

    case TL_FILETIME:
      if (take (t, 8, &p))
        add_num (t, name, ETW_VAL_FILETIME, etw_rd_u64 (p));
      return;

    case TL_SYSTEMTIME:
      if (take (t, 16, &p))
        {
          EtwField *fs = etw_field_add (t->c, name, ETW_VAL_SYSTEMTIME);
          if (fs != NULL)
            memcpy (fs->v.ip, p, 16);
        }
      return;

    case TL_SID:
      {
        char sid[200];
        size_t sid_len;
        if (!etw_sid_format (t->p, (size_t) (t->end - t->p), sid, sizeof sid, &sid_len))
          {
            t->stop = true;
            t->c->malformed = true;
            return;
          }
        {
          EtwField *fs = etw_field_add (t->c, name, ETW_VAL_SID);
          if (fs != NULL)
            {
              fs->v.s = etw_text_copy (t->c->out, sid, strlen (sid));
              fs->len = (uint32_t) strlen (fs->v.s);
            }
        }
        t->p += sid_len;
        return;
      }

    default:
      /* An in-type we do not know has no known size: the rest of the
       * data cannot be placed. */
      t->stop = true;
      t->c->malformed = true;
      return;
    }
}

static unsigned decode_field (TlCtx *t, unsigned i, unsigned depth);

/* One element of field i (a struct's members, or a scalar value). */
static void
decode_element (TlCtx      *t,
                unsigned    i,
                const char *name,
                unsigned    depth)
{
  TlField *f = &t->f[i];

  if (++t->steps > TL_MAX_STEPS)
    {
      t->stop = true;
      t->c->out->truncated = true;
      return;
    }
  if ((f->in & TL_IN_TYPE_MASK) == TL_STRUCT && (f->in & TL_IN_COUNT_MASK) != TL_IN_CUSTOM)
    {
      unsigned members = f->out & TL_OUT_TYPE_MASK, j = i + 1;

      if (depth >= TL_MAX_DEPTH)
        {
          t->stop = true;
          t->c->malformed = true;
          return;
        }
      etw_field_add (t->c, name, ETW_VAL_STRUCT_BEGIN);
      t->c->depth++;
      for (unsigned m = 0; m < members && j < t->n && !t->stop; m++)
        j = decode_field (t, j, depth + 1);
      t->c->depth--;
      etw_field_add (t->c, NULL, ETW_VAL_STRUCT_END);
      return;
    }
  decode_scalar (t, f, name);
}

/* Decodes field i (array or not) and returns the next field index. */
static unsigned
decode_field (TlCtx    *t,
              unsigned  i,
              unsigned  depth)
{
  TlField *f = &t->f[i];
  unsigned next = subtree_end (t, i);
  const char *name = field_name (t, f);
  uint8_t type = f->in & TL_IN_TYPE_MASK;
  uint8_t out = f->out & TL_OUT_TYPE_MASK;
  uint8_t count_bits = f->in & TL_IN_COUNT_MASK;
  uint32_t count;
  const uint8_t *p;

  if (t->stop)
    return next;
  if (count_bits != TL_IN_VCOUNT && count_bits != TL_IN_CCOUNT)
    {
      decode_element (t, i, name, depth);
      return next;
    }
  if (count_bits == TL_IN_VCOUNT)
    {
      if (!take (t, 2, &p))
        return next;
      count = etw_rd_u16 (p);
    }
  else
    count = f->ccount;

  /* Arrays of 8/16-bit characters are counted strings. */
  if ((type == TL_UINT8 || type == TL_INT8 || type == TL_UINT16 || type == TL_INT16) &&
      (out == TL_OUT_STRING || out == TL_OUT_UTF8))
    {
      size_t es = type == TL_UINT8 || type == TL_INT8 ? 1 : 2;
      if (take (t, count * es, &p))
        add_string (t, name, p, count * es, es == 2);
      return next;
    }

  {
    EtwField *a = etw_field_add (t->c, name, ETW_VAL_ARRAY_BEGIN);
    if (a != NULL)
      a->len = count;
  }
  t->c->depth++;
  for (uint32_t k = 0; k < count && !t->stop; k++)
    decode_element (t, i, name, depth);
  t->c->depth--;
  etw_field_add (t->c, NULL, ETW_VAL_ARRAY_END);
  return next;
}

void
etw_decode_tracelogging (EtwDecCtx *c)
{
  TlCtx *t;
  TlCtx local;

  if (!c->want_fields)
    return;
  t = &local;
  t->c = c;
  t->steps = 0;
  t->stop = false;
  t->p = c->ev->payload;
  t->end = c->ev->payload + c->ev->payload_len;
  if (!parse_schema (t))
    {
      c->malformed = true;
      etw_field_payload (c);
      return;
    }
  for (unsigned i = 0; i < t->n && !t->stop;)
    i = decode_field (t, i, 0);
}
