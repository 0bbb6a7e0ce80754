/* etw-win-tdh.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-win-tdh.h"

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TDH_INTYPE_* / TDH_OUTTYPE_* / property flags: mingw-w64 10 does not
 * declare them (etw-reference.md §4.1, §5). */
enum
{
  IN_NULL = 0, IN_UNICODESTRING = 1, IN_ANSISTRING = 2, IN_INT8 = 3, IN_UINT8 = 4,
  IN_INT16 = 5, IN_UINT16 = 6, IN_INT32 = 7, IN_UINT32 = 8, IN_INT64 = 9, IN_UINT64 = 10,
  IN_FLOAT = 11, IN_DOUBLE = 12, IN_BOOLEAN = 13, IN_BINARY = 14, IN_GUID = 15,
  IN_POINTER = 16, IN_FILETIME = 17, IN_SYSTEMTIME = 18, IN_SID = 19, IN_HEXINT32 = 20,
  IN_HEXINT64 = 21, IN_MANIFEST_COUNTEDSTRING = 22, IN_MANIFEST_COUNTEDANSISTRING = 23,
  IN_MANIFEST_COUNTEDBINARY = 25,
  IN_COUNTEDSTRING = 300, IN_COUNTEDANSISTRING = 301, IN_REVERSEDCOUNTEDSTRING = 302,
  IN_REVERSEDCOUNTEDANSISTRING = 303, IN_NONNULLTERMINATEDSTRING = 304,
  IN_NONNULLTERMINATEDANSISTRING = 305, IN_UNICODECHAR = 306, IN_ANSICHAR = 307,
  IN_SIZET = 308, IN_HEXDUMP = 309, IN_WBEMSID = 310,
};

enum
{
  OUT_HEXINT8 = 16, OUT_HEXINT16 = 17, OUT_HEXINT32 = 18, OUT_HEXINT64 = 19,
  OUT_PORT = 22, OUT_IPV4 = 23, OUT_IPV6 = 24, OUT_ERRORCODE = 29, OUT_WIN32ERROR = 30,
  OUT_NTSTATUS = 31, OUT_HRESULT = 32, OUT_CODE_POINTER = 37,
};

enum
{
  P_STRUCT = 0x1, P_PARAM_LENGTH = 0x2, P_PARAM_COUNT = 0x4, P_FIXED_LENGTH = 0x10,
  P_FIXED_COUNT = 0x20,
};

#define MAX_DEPTH       8
#define MAX_PROPERTIES  4096
#define MAX_ELEMENTS    65535u
#define NAME_SIZE       256

typedef struct
{
  const TRACE_EVENT_INFO *info;
  size_t                  info_size;
  const uint8_t          *p;
  const uint8_t          *end;
  unsigned                ps;
  char                   *scratch;
  size_t                  scratch_size;
  EtwFieldWriter         *w;
  bool                    error;
  uint64_t                values[512];  /* integer values by property index, for counts/lengths */
} Walk;

static const EVENT_PROPERTY_INFO *
property (Walk     *wk,
          unsigned  index)
{
  size_t end = offsetof (TRACE_EVENT_INFO, EventPropertyInfoArray) +
               ((size_t) index + 1) * sizeof (EVENT_PROPERTY_INFO);

  if (index >= wk->info->PropertyCount || end > wk->info_size)
    return NULL;
  return &wk->info->EventPropertyInfoArray[index];
}

static const char *
property_name (Walk                      *wk,
               const EVENT_PROPERTY_INFO *epi,
               char                      *buf)
{
  ULONG off = epi->NameOffset;

  buf[0] = '\0';
  if (off == 0 || off >= wk->info_size)
    return buf;
  etw_utf16_to_utf8 ((const uint8_t *) wk->info + off, wk->info_size - off, buf, NAME_SIZE);
  return buf;
}

static bool
take (Walk           *wk,
      size_t          n,
      const uint8_t **out)
{
  if ((size_t) (wk->end - wk->p) < n)
    {
      wk->error = true;
      return false;
    }
  *out = wk->p;
  wk->p += n;
  return true;
}

static void
remember (Walk     *wk,
          unsigned  index,
          uint64_t  v)
{
  if (index < sizeof wk->values / sizeof wk->values[0])
    wk->values[index] = v;
}

/* The integer value of an earlier property (counts, lengths). */
static bool
value_of (Walk     *wk,
          unsigned  index,
          uint64_t *v)
{
  if (index >= sizeof wk->values / sizeof wk->values[0])
    {
      wk->error = true;
      return false;
    }
  *v = wk->values[index];
  return true;
}

static void
put_utf16 (Walk          *wk,
           const char    *name,
           const uint8_t *s,
           size_t         bytes)
{
  etw_utf16_to_utf8 (s, bytes, wk->scratch, wk->scratch_size);
  etw_fw_string (wk->w, name, wk->scratch);
}

/* A NUL-terminated string of `unit`-byte characters, or the rest of the
 * data when the terminator is missing (some providers omit the last one). */
static bool
take_terminated (Walk           *wk,
                 unsigned        unit,
                 const uint8_t **s,
                 size_t         *bytes)
{
  const uint8_t *p = wk->p;

  while ((size_t) (wk->end - p) >= unit)
    {
      bool nul = unit == 2 ? (p[0] == 0 && p[1] == 0) : p[0] == 0;
      p += unit;
      if (nul)
        {
          *s = wk->p;
          *bytes = (size_t) (p - wk->p) - unit;
          wk->p = p;
          return true;
        }
    }
  *s = wk->p;
  *bytes = (size_t) (wk->end - wk->p) / unit * unit;
  wk->p = wk->end;
  return true;
}

static void
put_sid (Walk          *wk,
         const char    *name,
         const uint8_t *sid,
         size_t         len)
{
  char *out = wk->scratch;
  size_t size = wk->scratch_size, n;
  uint64_t auth = 0;

  for (int i = 0; i < 6; i++)
    auth = auth << 8 | sid[2 + i];
  n = (size_t) snprintf (out, size, auth < (1ull << 32) ? "S-%u-%llu" : "S-%u-0x%llx",
                         sid[0], (unsigned long long) auth);
  for (size_t i = 0; i < sid[1] && 8 + 4 * i + 4 <= len && n < size; i++)
    n += (size_t) snprintf (out + n, size - n, "-%lu", (unsigned long) etw_rd_u32 (sid + 8 + 4 * i));
  etw_fw_sid (wk->w, name, out);
}

static bool
take_sid (Walk           *wk,
          const uint8_t **sid,
          size_t         *len)
{
  const uint8_t *h;

  if ((size_t) (wk->end - wk->p) < 8)
    {
      wk->error = true;
      return false;
    }
  h = wk->p;
  if (h[1] > 15)
    {
      wk->error = true;
      return false;
    }
  *len = 8 + 4 * (size_t) h[1];
  return take (wk, *len, sid);
}

static void
scalar (Walk                      *wk,
        unsigned                   index,
        const EVENT_PROPERTY_INFO *epi,
        const char                *name)
{
  USHORT in = epi->nonStructType.InType;
  USHORT out = epi->nonStructType.OutType;
  uint64_t length = epi->length;
  const uint8_t *p;
  uint64_t u;
  size_t n;

  if ((epi->Flags & P_PARAM_LENGTH) && !value_of (wk, epi->lengthPropertyIndex, &length))
    return;

  switch (in)
    {
    case IN_INT8:
      if (take (wk, 1, &p))
        {
          remember (wk, index, (uint64_t) (int8_t) p[0]);
          etw_fw_int (wk->w, name, (int8_t) p[0]);
        }
      break;
    case IN_UINT8:
      if (take (wk, 1, &p))
        {
          remember (wk, index, p[0]);
          if (out == OUT_HEXINT8)
            etw_fw_hex (wk->w, name, p[0]);
          else
            etw_fw_uint (wk->w, name, p[0]);
        }
      break;
    case IN_INT16:
      if (take (wk, 2, &p))
        {
          remember (wk, index, (uint64_t) (int16_t) etw_rd_u16 (p));
          etw_fw_int (wk->w, name, (int16_t) etw_rd_u16 (p));
        }
      break;
    case IN_UINT16:
      if (take (wk, 2, &p))
        {
          u = etw_rd_u16 (p);
          remember (wk, index, u);
          if (out == OUT_PORT)  /* network byte order on the wire */
            etw_fw_uint (wk->w, name, (uint64_t) (p[0] << 8 | p[1]));
          else if (out == OUT_HEXINT16)
            etw_fw_hex (wk->w, name, u);
          else
            etw_fw_uint (wk->w, name, u);
        }
      break;
    case IN_INT32:
      if (take (wk, 4, &p))
        {
          int32_t i = (int32_t) etw_rd_u32 (p);
          remember (wk, index, (uint64_t) (int64_t) i);
          if (out == OUT_HRESULT || out == OUT_NTSTATUS)
            etw_fw_status (wk->w, name, (uint32_t) i);
          else
            etw_fw_int (wk->w, name, i);
        }
      break;
    case IN_UINT32:
    case IN_HEXINT32:
      if (take (wk, 4, &p))
        {
          u = etw_rd_u32 (p);
          remember (wk, index, u);
          if (out == OUT_IPV4)
            etw_fw_ipv4 (wk->w, name, p);
          else if (out == OUT_ERRORCODE || out == OUT_WIN32ERROR || out == OUT_NTSTATUS ||
                   out == OUT_HRESULT)
            etw_fw_status (wk->w, name, u);
          else if (in == IN_HEXINT32 || out == OUT_HEXINT32)
            etw_fw_hex (wk->w, name, u);
          else
            etw_fw_uint (wk->w, name, u);
        }
      break;
    case IN_INT64:
      if (take (wk, 8, &p))
        {
          remember (wk, index, etw_rd_u64 (p));
          etw_fw_int (wk->w, name, (int64_t) etw_rd_u64 (p));
        }
      break;
    case IN_UINT64:
    case IN_HEXINT64:
      if (take (wk, 8, &p))
        {
          u = etw_rd_u64 (p);
          remember (wk, index, u);
          if (in == IN_HEXINT64 || out == OUT_HEXINT64 || out == OUT_CODE_POINTER)
            etw_fw_hex (wk->w, name, u);
          else
            etw_fw_uint (wk->w, name, u);
        }
      break;
    case IN_FLOAT:
      if (take (wk, 4, &p))
        {
          float f;
          memcpy (&f, p, 4);
          etw_fw_double (wk->w, name, f);
        }
      break;
    case IN_DOUBLE:
      if (take (wk, 8, &p))
        {
          double d;
          memcpy (&d, p, 8);
          etw_fw_double (wk->w, name, d);
        }
      break;
    case IN_BOOLEAN:
      if (take (wk, 4, &p))
        etw_fw_bool (wk->w, name, etw_rd_u32 (p) != 0);
      break;
    case IN_POINTER:
    case IN_SIZET:
      if (take (wk, wk->ps, &p))
        {
          u = wk->ps == 8 ? etw_rd_u64 (p) : etw_rd_u32 (p);
          remember (wk, index, u);
          if (in == IN_SIZET)
            etw_fw_uint (wk->w, name, u);
          else
            etw_fw_pointer (wk->w, name, u);
        }
      break;
    case IN_GUID:
      if (take (wk, 16, &p))
        {
          EtwGuid g;
          etw_guid_read (&g, p);
          etw_fw_guid (wk->w, name, &g);
        }
      break;
    case IN_FILETIME:
      if (take (wk, 8, &p))
        etw_fw_filetime (wk->w, name, (int64_t) etw_rd_u64 (p));
      break;
    case IN_SYSTEMTIME:
      if (take (wk, 16, &p))
        etw_fw_systemtime (wk->w, name, p);
      break;
    case IN_SID:
      if (take_sid (wk, &p, &n))
        put_sid (wk, name, p, n);
      break;
    case IN_WBEMSID:
      /* u32 0 = no SID; otherwise a TOKEN_USER (2 pointers) then the SID. */
      if ((size_t) (wk->end - wk->p) >= 4 && etw_rd_u32 (wk->p) == 0)
        {
          wk->p += 4;
          etw_fw_sid (wk->w, name, "");
        }
      else if (take (wk, 2 * (size_t) wk->ps, &p) && take_sid (wk, &p, &n))
        put_sid (wk, name, p, n);
      break;
    case IN_BINARY:
      if (length == 0 && out == OUT_IPV6)
        length = 16;
      if (take (wk, length, &p))
        {
          if (out == OUT_IPV6 && length == 16)
            etw_fw_ipv6 (wk->w, name, p);
          else
            etw_fw_binary (wk->w, name, p, length);
        }
      break;
    case IN_HEXDUMP:
      if (take (wk, 4, &p) && take (wk, etw_rd_u32 (p), &p))
        etw_fw_binary (wk->w, name, p, etw_rd_u32 (p - 4));
      break;
    case IN_MANIFEST_COUNTEDBINARY:
      if (take (wk, 2, &p) && take (wk, etw_rd_u16 (p), &p))
        etw_fw_binary (wk->w, name, p, etw_rd_u16 (p - 2));
      break;
    case IN_UNICODESTRING:
    case IN_NONNULLTERMINATEDSTRING:
      /* Lengths of strings count characters, not bytes. */
      if (length > 0 || (epi->Flags & (P_FIXED_LENGTH | P_PARAM_LENGTH)))
        {
          if (take (wk, 2 * length, &p))
            put_utf16 (wk, name, p, 2 * length);
        }
      else if (in == IN_NONNULLTERMINATEDSTRING)
        {
          n = (size_t) (wk->end - wk->p) & ~(size_t) 1;
          if (take (wk, n, &p))
            put_utf16 (wk, name, p, n);
        }
      else if (take_terminated (wk, 2, &p, &n))
        put_utf16 (wk, name, p, n);
      break;
    case IN_ANSISTRING:
    case IN_NONNULLTERMINATEDANSISTRING:
      if (length > 0 || (epi->Flags & (P_FIXED_LENGTH | P_PARAM_LENGTH)))
        {
          if (take (wk, length, &p))
            etw_fw_string_len (wk->w, name, (const char *) p, length);
        }
      else if (in == IN_NONNULLTERMINATEDANSISTRING)
        {
          n = (size_t) (wk->end - wk->p);
          if (take (wk, n, &p))
            etw_fw_string_len (wk->w, name, (const char *) p, n);
        }
      else if (take_terminated (wk, 1, &p, &n))
        etw_fw_string_len (wk->w, name, (const char *) p, n);
      break;
    case IN_MANIFEST_COUNTEDSTRING:
    case IN_COUNTEDSTRING:
    case IN_REVERSEDCOUNTEDSTRING:
    case IN_MANIFEST_COUNTEDANSISTRING:
    case IN_COUNTEDANSISTRING:
    case IN_REVERSEDCOUNTEDANSISTRING:
      /* A u16 byte count (big-endian for the "reversed" WBEM types). */
      if (take (wk, 2, &p))
        {
          bool reversed = in == IN_REVERSEDCOUNTEDSTRING || in == IN_REVERSEDCOUNTEDANSISTRING;
          bool wide = in == IN_MANIFEST_COUNTEDSTRING || in == IN_COUNTEDSTRING ||
                      in == IN_REVERSEDCOUNTEDSTRING;
          n = reversed ? (size_t) (p[0] << 8 | p[1]) : etw_rd_u16 (p);
          if (take (wk, n, &p))
            {
              if (wide)
                put_utf16 (wk, name, p, n);
              else
                etw_fw_string_len (wk->w, name, (const char *) p, n);
            }
        }
      break;
    case IN_UNICODECHAR:
      if (take (wk, 2, &p))
        put_utf16 (wk, name, p, 2);
      break;
    case IN_ANSICHAR:
      if (take (wk, 1, &p))
        etw_fw_string_len (wk->w, name, (const char *) p, 1);
      break;
    default:
      /* IN_NULL or a type we do not know: its size is unknown, so nothing
       * after it can be placed. */
      wk->error = true;
      break;
    }
}

static void walk_range (Walk *wk, unsigned first, unsigned count, unsigned depth);

static void
element (Walk                      *wk,
         unsigned                   index,
         const EVENT_PROPERTY_INFO *epi,
         const char                *name,
         unsigned                   depth)
{
  if (epi->Flags & P_STRUCT)
    {
      etw_fw_struct_begin (wk->w, name);
      walk_range (wk, epi->structType.StructStartIndex, epi->structType.NumOfStructMembers,
                  depth + 1);
      etw_fw_struct_end (wk->w);
    }
  else
    scalar (wk, index, epi, name);
}

static void
walk_one (Walk     *wk,
          unsigned  index,
          unsigned  depth)
{
  const EVENT_PROPERTY_INFO *epi = property (wk, index);
  char name[NAME_SIZE];
  uint64_t count;
  bool array;

  if (epi == NULL || depth > MAX_DEPTH)
    {
      wk->error = true;
      return;
    }
  property_name (wk, epi, name);

  if (epi->Flags & P_PARAM_COUNT)
    {
      if (!value_of (wk, epi->countPropertyIndex, &count))
        return;
    }
  else
    count = epi->count;
  /* A fixed count of 1 is a scalar unless the schema says it is an array
   * (older manifest compilers never set PropertyParamFixedCount). */
  array = (epi->Flags & (P_PARAM_COUNT | P_FIXED_COUNT)) || count > 1;
  if (!array)
    {
      element (wk, index, epi, name, depth);
      return;
    }
  /* A count read from the data is untrusted: every element takes at least
   * one byte, except strings and binaries of length 0. */
  if (count > MAX_ELEMENTS || (count > (uint64_t) (wk->end - wk->p) && !(epi->Flags & P_STRUCT) &&
                               epi->length != 0))
    {
      wk->error = true;
      return;
    }
  etw_fw_array_begin (wk->w, name, (uint16_t) count);
  for (uint64_t i = 0; i < count && !wk->error; i++)
    element (wk, index, epi, NULL, depth + 1);
  etw_fw_array_end (wk->w);
}

static void
walk_range (Walk     *wk,
            unsigned  first,
            unsigned  count,
            unsigned  depth)
{
  for (unsigned i = 0; i < count && !wk->error; i++)
    walk_one (wk, first + i, depth);
}

bool
etw_tdh_write_fields (const TRACE_EVENT_INFO *info,
                      size_t                  info_size,
                      const uint8_t          *data,
                      size_t                  len,
                      unsigned                pointer_size,
                      char                   *scratch,
                      size_t                  scratch_size,
                      EtwFieldWriter         *w)
{
  Walk wk;

  if (info == NULL || info_size < offsetof (TRACE_EVENT_INFO, EventPropertyInfoArray) ||
      scratch == NULL || scratch_size == 0 || info->PropertyCount > MAX_PROPERTIES ||
      info->TopLevelPropertyCount > info->PropertyCount)
    return false;
  memset (&wk, 0, offsetof (Walk, values));
  /* Only the slots this schema can refer to. */
  memset (wk.values, 0, sizeof wk.values[0] * (info->PropertyCount < 512 ? info->PropertyCount : 512));
  wk.info = info;
  wk.info_size = info_size;
  wk.p = data;
  wk.end = data + len;
  wk.ps = pointer_size == 4 ? 4 : 8;
  wk.scratch = scratch;
  wk.scratch_size = scratch_size;
  wk.w = w;
  walk_range (&wk, 0, info->TopLevelPropertyCount, 0);
  return !wk.error && !w->overflow;
}

bool
etw_tdh_wanted (EtwTdhMode      mode,
                const EtwEvent *ev)
{
  if (mode == ETW_TDH_NONE)
    return false;
  /* WPP needs TMF files; stack walks and the log header are read raw by
   * the ingest; lost-event records have no payload. */
  if ((ev->flags & ETW_FLAG_TRACE_MESSAGE) ||
      (ev->xflags & (ETW_XFLAG_STACK_WALK | ETW_XFLAG_LOG_HEADER | ETW_XFLAG_FIELD_LIST)) ||
      etw_guid_equal (&ev->provider, &ETW_GUID_LOST_EVENT))
    return false;
  if (mode == ETW_TDH_ALL)
    return true;
  if ((ev->xflags & ETW_XFLAG_TRACELOGGING) || (ev->flags & ETW_FLAG_STRING_ONLY))
    return false;
  if ((ev->flags & ETW_FLAG_CLASSIC_HEADER) && etw_kernel_group_of (&ev->provider) >= 0)
    return false;
  if (etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_PROCESS) ||
      etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_FILE) ||
      etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_NETWORK) ||
      etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_REGISTRY))
    return false;
  return true;
}

/* ---- the schema cache ---- */

#define CACHE_SLOTS     4096u  /* power of two */
#define CACHE_MAX_USED  3072u  /* beyond this, schemas are fetched per event */
#define INFO_MAX_SIZE   (1024u * 1024u)
#define FIELDS_CAP      60000u /* leaves room for the record header and items under 64 KiB */
#define SCRATCH_SIZE    (192u * 1024u)

typedef struct
{
  GUID              provider;
  USHORT            id;
  UCHAR             version;
  UCHAR             opcode;
  bool              used;
  TRACE_EVENT_INFO *info;  /* NULL: TDH has no schema (cached too) */
  ULONG             size;
} Slot;

struct EtwTdhCache
{
  Slot             *slots;
  uint32_t          used;
  TRACE_EVENT_INFO *transient;  /* an uncached schema, freed at the next lookup */
  EtwTdhStats       stats;
  uint8_t          *fields;
  char             *scratch;
  EtwTdhFetch       fetch;
  void             *fetch_data;
};

static TRACE_EVENT_INFO *fetch_tdh (const EVENT_RECORD *rec, ULONG *size, void *user_data);

EtwTdhCache *
etw_tdh_cache_new (void)
{
  return etw_tdh_cache_new_with_fetch (NULL, NULL);
}

EtwTdhCache *
etw_tdh_cache_new_with_fetch (EtwTdhFetch  fetch,
                              void        *user_data)
{
  EtwTdhCache *cache = calloc (1, sizeof *cache);

  if (cache == NULL)
    return NULL;
  cache->fetch = fetch != NULL ? fetch : fetch_tdh;
  cache->fetch_data = user_data;
  cache->slots = calloc (CACHE_SLOTS, sizeof (Slot));
  cache->fields = malloc (FIELDS_CAP);
  cache->scratch = malloc (SCRATCH_SIZE);
  if (cache->slots == NULL || cache->fields == NULL || cache->scratch == NULL)
    {
      etw_tdh_cache_free (cache);
      return NULL;
    }
  return cache;
}

void
etw_tdh_cache_free (EtwTdhCache *cache)
{
  if (cache == NULL)
    return;
  if (cache->slots != NULL)
    for (uint32_t i = 0; i < CACHE_SLOTS; i++)
      free (cache->slots[i].info);
  free (cache->slots);
  free (cache->transient);
  free (cache->fields);
  free (cache->scratch);
  free (cache);
}

void
etw_tdh_cache_stats (const EtwTdhCache *cache,
                     EtwTdhStats       *stats)
{
  *stats = cache->stats;
  stats->entries = cache->used;
}

static TRACE_EVENT_INFO *
fetch_tdh (const EVENT_RECORD *rec,
           ULONG              *size,
           void               *user_data)
{
  TRACE_EVENT_INFO *info = NULL;
  ULONG n = 0, status;

  status = TdhGetEventInformation ((PEVENT_RECORD) rec, 0, NULL, NULL, &n);
  if (status != ERROR_INSUFFICIENT_BUFFER || n < sizeof (TRACE_EVENT_INFO) || n > INFO_MAX_SIZE)
    return NULL;
  info = malloc (n);
  if (info == NULL)
    return NULL;
  status = TdhGetEventInformation ((PEVENT_RECORD) rec, 0, NULL, info, &n);
  if (status != ERROR_SUCCESS)
    {
      free (info);
      return NULL;
    }
  *size = n;
  return info;
}

static uint32_t
slot_hash (const EVENT_DESCRIPTOR *d,
           const GUID             *g)
{
  uint32_t h = 2166136261u;
  const uint8_t *b = (const uint8_t *) g;

  for (size_t i = 0; i < sizeof *g; i++)
    h = (h ^ b[i]) * 16777619u;
  h = (h ^ d->Id) * 16777619u;
  h = (h ^ d->Version) * 16777619u;
  h = (h ^ d->Opcode) * 16777619u;
  return h;
}

const TRACE_EVENT_INFO *
etw_tdh_cache_lookup (EtwTdhCache        *cache,
                      const EVENT_RECORD *rec,
                      size_t             *info_size)
{
  const EVENT_DESCRIPTOR *d = &rec->EventHeader.EventDescriptor;
  const GUID *g = &rec->EventHeader.ProviderId;
  bool tracelogging = false;
  uint32_t i;
  Slot *slot = NULL;
  ULONG size = 0;

  free (cache->transient);
  cache->transient = NULL;

  /* TraceLogging schemas travel with each event and their ids are often
   * 0: the key would not identify them. */
  for (USHORT k = 0; rec->ExtendedData != NULL && k < rec->ExtendedDataCount; k++)
    if (rec->ExtendedData[k].ExtType == ETW_EXT_EVENT_SCHEMA_TL)
      tracelogging = true;

  if (!tracelogging)
    {
      for (i = slot_hash (d, g) & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1))
        {
          Slot *s = &cache->slots[i];
          if (!s->used)
            {
              slot = cache->used < CACHE_MAX_USED ? s : NULL;
              break;
            }
          if (s->id == d->Id && s->version == d->Version && s->opcode == d->Opcode &&
              memcmp (&s->provider, g, sizeof *g) == 0)
            {
              cache->stats.hits++;
              if (s->info == NULL)
                cache->stats.no_schema++;
              *info_size = s->size;
              return s->info;
            }
        }
    }

  cache->stats.misses++;
  TRACE_EVENT_INFO *info = cache->fetch (rec, &size, cache->fetch_data);
  if (info != NULL && (size < offsetof (TRACE_EVENT_INFO, EventPropertyInfoArray) || size > INFO_MAX_SIZE))
    {
      free (info);
      info = NULL;
    }
  if (info == NULL)
    cache->stats.no_schema++;
  if (slot != NULL)
    {
      slot->used = true;
      slot->provider = *g;
      slot->id = d->Id;
      slot->version = d->Version;
      slot->opcode = d->Opcode;
      slot->info = info;
      slot->size = size;
      cache->used++;
    }
  else
    cache->transient = info;
  *info_size = size;
  return info;
}

bool
etw_tdh_apply (EtwTdhCache        *cache,
               const EVENT_RECORD *rec,
               EtwEvent           *ev)
{
  const TRACE_EVENT_INFO *info;
  EtwFieldWriter w;
  size_t size = 0;

  info = etw_tdh_cache_lookup (cache, rec, &size);
  if (info == NULL)
    return false;
  etw_fw_init (&w, cache->fields, FIELDS_CAP);
  if (!etw_tdh_write_fields (info, size, ev->payload, ev->payload_len, ev->pointer_size,
                             cache->scratch, SCRATCH_SIZE, &w))
    {
      /* Keep the raw bytes rather than a partial list: nothing is lost. */
      cache->stats.failed++;
      return false;
    }
  cache->stats.decoded++;
  ev->payload = cache->fields;
  ev->payload_len = (uint32_t) w.len;
  ev->xflags |= ETW_XFLAG_FIELD_LIST;
  return true;
}
