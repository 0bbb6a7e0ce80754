/* test-tdh.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The TDH-free half of detailed fields: schemas (TRACE_EVENT_INFO) built
 * here the way TdhGetEventInformation lays them out, walked over payload
 * bytes into an etwscope field list, then read back with the decode/
 * field-list reader. The MOF layouts are those of etw-reference.md §3
 * (TcpIp Send v2, Registry v2, FileIo Create v3), at both pointer sizes.
 * Also: the choice of events that get TDH fields, and the schema cache
 * against Wine's tdh.dll (no schema there: the raw payload must stay).
 */
#include <windows.h>
#include <evntcons.h>
#include <tdh.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw-bytes.h"
#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-record.h"
#include "etw-win-convert.h"
#include "etw-win-tdh.h"
#include "tap.h"

/* In/out types and property flags (not in mingw's tdh.h). */
enum
{
  IN_UNICODESTRING = 1, IN_ANSISTRING = 2, IN_INT8 = 3, IN_UINT8 = 4, IN_INT16 = 5,
  IN_UINT16 = 6, IN_INT32 = 7, IN_UINT32 = 8, IN_INT64 = 9, IN_UINT64 = 10, IN_FLOAT = 11,
  IN_DOUBLE = 12, IN_BOOLEAN = 13, IN_BINARY = 14, IN_GUID = 15, IN_POINTER = 16,
  IN_FILETIME = 17, IN_SYSTEMTIME = 18, IN_SID = 19, IN_HEXINT32 = 20, IN_HEXINT64 = 21,
  IN_MANIFEST_COUNTEDSTRING = 22, IN_MANIFEST_COUNTEDANSISTRING = 23,
  IN_MANIFEST_COUNTEDBINARY = 25, IN_REVERSEDCOUNTEDSTRING = 302, IN_SIZET = 308,
  IN_HEXDUMP = 309, IN_WBEMSID = 310,
  OUT_PORT = 22, OUT_IPV4 = 23, OUT_IPV6 = 24, OUT_NTSTATUS = 31, OUT_HEXINT32 = 18,
};
enum { P_STRUCT = 0x1, P_PARAM_LENGTH = 0x2, P_PARAM_COUNT = 0x4, P_FIXED_COUNT = 0x20 };

typedef struct
{
  union
  {
    TRACE_EVENT_INFO info;
    uint8_t          b[8192];
  } u;
  size_t len;
} Schema;

static void
schema_init (Schema   *s,
             unsigned  n_props,
             unsigned  top)
{
  memset (s, 0, sizeof *s);
  s->u.info.PropertyCount = n_props;
  s->u.info.TopLevelPropertyCount = top;
  s->u.info.DecodingSource = DecodingSourceWbem;
  s->len = offsetof (TRACE_EVENT_INFO, EventPropertyInfoArray) + n_props * sizeof (EVENT_PROPERTY_INFO);
}

/* The array is declared [ANYSIZE_ARRAY]: index it through a pointer. */
static EVENT_PROPERTY_INFO *
epi_at (Schema   *s,
        unsigned  i)
{
  EVENT_PROPERTY_INFO *a = (EVENT_PROPERTY_INFO *) (s->u.b + offsetof (TRACE_EVENT_INFO, EventPropertyInfoArray));
  return &a[i];
}

static EVENT_PROPERTY_INFO *
prop (Schema     *s,
      unsigned    i,
      const char *name,
      USHORT      in,
      USHORT      out)
{
  EVENT_PROPERTY_INFO *epi = epi_at (s, i);

  epi->NameOffset = (ULONG) s->len;
  for (const char *c = name; ; c++)
    {
      s->u.b[s->len++] = (uint8_t) *c;
      s->u.b[s->len++] = 0;
      if (*c == '\0')
        break;
    }
  epi->nonStructType.InType = in;
  epi->nonStructType.OutType = out;
  epi->count = 1;
  return epi;
}

typedef struct
{
  uint8_t b[4096];
  size_t  n;
} Data;

static void d_u8 (Data *d, uint8_t v) { d->b[d->n++] = v; }
static void d_u16 (Data *d, uint16_t v) { etw_wr_u16 (d->b + d->n, v); d->n += 2; }
static void d_u32 (Data *d, uint32_t v) { etw_wr_u32 (d->b + d->n, v); d->n += 4; }
static void d_u64 (Data *d, uint64_t v) { etw_wr_u64 (d->b + d->n, v); d->n += 8; }
static void d_ptr (Data *d, unsigned ps, uint64_t v) { if (ps == 8) d_u64 (d, v); else d_u32 (d, (uint32_t) v); }
static void d_bytes (Data *d, const void *p, size_t n) { memcpy (d->b + d->n, p, n); d->n += n; }

static void
d_wsz (Data       *d,
       const char *s,
       bool        nul)
{
  for (; *s; s++)
    d_u16 (d, (uint8_t) *s);
  if (nul)
    d_u16 (d, 0);
}

typedef struct
{
  EtwField f[256];
  unsigned n;
  bool     error;
} Fields;

static void
read_back (const uint8_t *buf,
           size_t         len,
           Fields        *out)
{
  EtwFieldReader r;

  out->n = 0;
  etw_fr_init (&r, buf, len);
  while (out->n < 256 && etw_fr_next (&r, &out->f[out->n]))
    out->n++;
  out->error = r.error;
}

static const EtwField *
field (const Fields *fs,
       const char   *name)
{
  for (unsigned i = 0; i < fs->n; i++)
    if (fs->f[i].name != NULL && strcmp (fs->f[i].name, name) == 0)
      return &fs->f[i];
  return NULL;
}

static bool
is_uint (const Fields *fs,
         const char   *name,
         uint8_t       type,
         uint64_t      v)
{
  const EtwField *f = field (fs, name);
  return f != NULL && f->type == type && f->v.u == v;
}

static bool
is_str (const Fields *fs,
        const char   *name,
        uint8_t       type,
        const char   *v)
{
  const EtwField *f = field (fs, name);
  return f != NULL && f->type == type && strcmp (f->v.s, v) == 0;
}

static char scratch[64 * 1024];
static uint8_t out_buf[16 * 1024];

static bool
walk (const Schema  *s,
      const Data    *d,
      unsigned       ps,
      Fields        *fs,
      size_t        *list_len)
{
  EtwFieldWriter w;
  bool ok;

  etw_fw_init (&w, out_buf, sizeof out_buf);
  ok = etw_tdh_write_fields (&s->u.info, s->len, d->b, d->n, ps, scratch, sizeof scratch, &w);
  read_back (out_buf, w.len, fs);
  if (list_len != NULL)
    *list_len = w.len;
  return ok;
}

/* TcpIp SendIPV4 v2 as its MOF declares it (§3.7). */
static void
tcp_send (unsigned ps)
{
  static const uint8_t daddr[4] = { 1, 1, 1, 1 }, saddr[4] = { 10, 0, 0, 10 };
  Schema s;
  Data d = { .n = 0 };
  Fields fs;
  const EtwField *f;

  schema_init (&s, 10, 10);
  prop (&s, 0, "PID", IN_UINT32, 0);
  prop (&s, 1, "size", IN_UINT32, 0);
  prop (&s, 2, "daddr", IN_UINT32, OUT_IPV4);
  prop (&s, 3, "saddr", IN_UINT32, OUT_IPV4);
  prop (&s, 4, "dport", IN_UINT16, OUT_PORT);
  prop (&s, 5, "sport", IN_UINT16, OUT_PORT);
  prop (&s, 6, "startime", IN_UINT32, 0);
  prop (&s, 7, "endtime", IN_UINT32, 0);
  prop (&s, 8, "seqnum", IN_UINT32, 0);
  prop (&s, 9, "connid", IN_POINTER, 0);

  d_u32 (&d, 1234);
  d_u32 (&d, 517);
  d_bytes (&d, daddr, 4);
  d_bytes (&d, saddr, 4);
  d_u8 (&d, 443 >> 8);  /* ports travel big-endian */
  d_u8 (&d, 443 & 0xff);
  d_u8 (&d, 5050 >> 8);
  d_u8 (&d, 5050 & 0xff);
  d_u32 (&d, 1);
  d_u32 (&d, 2);
  d_u32 (&d, 0xdeadbeef);
  d_ptr (&d, ps, ps == 8 ? 0xffffa00011112222ull : 0x81234567u);

  tap_check (walk (&s, &d, ps, &fs, NULL) && !fs.error && fs.n == 10,
             "TcpIp Send v2 (%u-byte pointers): 10 fields", ps);
  tap_check (is_uint (&fs, "PID", ETW_VAL_UINT, 1234) && is_uint (&fs, "size", ETW_VAL_UINT, 517),
             "TcpIp: PID 1234, size 517");
  f = field (&fs, "daddr");
  tap_check (f != NULL && f->type == ETW_VAL_IPV4 && memcmp (f->v.ip, daddr, 4) == 0 &&
             (f = field (&fs, "saddr")) != NULL && memcmp (f->v.ip, saddr, 4) == 0,
             "TcpIp: daddr 1.1.1.1 and saddr 10.0.0.10 as IPv4 values");
  tap_check (is_uint (&fs, "dport", ETW_VAL_UINT, 443) && is_uint (&fs, "sport", ETW_VAL_UINT, 5050),
             "TcpIp: ports 443 and 5050 from network byte order");
  tap_check (is_uint (&fs, "connid", ETW_VAL_POINTER, ps == 8 ? 0xffffa00011112222ull : 0x81234567u),
             "TcpIp: connid is a %u-byte pointer", ps);
}

/* Registry v2 SetValue (§3.6): InitialTime, Status, Index, KeyHandle, KeyName. */
static void
registry (unsigned ps)
{
  Schema s;
  Data d = { .n = 0 };
  Fields fs;

  schema_init (&s, 5, 5);
  prop (&s, 0, "InitialTime", IN_INT64, 0);
  prop (&s, 1, "Status", IN_UINT32, OUT_NTSTATUS);
  prop (&s, 2, "Index", IN_UINT32, 0);
  prop (&s, 3, "KeyHandle", IN_POINTER, 0);
  prop (&s, 4, "KeyName", IN_UNICODESTRING, 0);
  d_u64 (&d, 987654321);
  d_u32 (&d, 0xC0000034);
  d_u32 (&d, 0);
  d_ptr (&d, ps, 0xffffc00012345678ull & (ps == 8 ? ~0ull : 0xffffffffull));
  d_wsz (&d, "TestValue", true);
  tap_check (walk (&s, &d, ps, &fs, NULL) && fs.n == 5, "Registry v2 (%u-byte pointers): 5 fields", ps);
  tap_check (is_uint (&fs, "Status", ETW_VAL_STATUS, 0xC0000034) &&
             is_uint (&fs, "InitialTime", ETW_VAL_INT, 987654321),
             "Registry: NTSTATUS as a status, InitialTime as an integer");
  tap_check (is_str (&fs, "KeyName", ETW_VAL_STRING, "TestValue"), "Registry: KeyName from UTF-16");
  tap_check (is_uint (&fs, "KeyHandle", ETW_VAL_POINTER, 0xffffc00012345678ull & (ps == 8 ? ~0ull : 0xffffffffull)),
             "Registry: KeyHandle");
}

/* FileIo Create v3 (§3.5): the pointer size moves TTID and OpenPath. */
static void
file_create (unsigned ps)
{
  Schema s;
  Data d = { .n = 0 };
  Fields fs;

  schema_init (&s, 7, 7);
  prop (&s, 0, "IrpPtr", IN_POINTER, 0);
  prop (&s, 1, "FileObject", IN_POINTER, 0);
  prop (&s, 2, "TTID", IN_UINT32, 0);
  prop (&s, 3, "CreateOptions", IN_UINT32, OUT_HEXINT32);
  prop (&s, 4, "FileAttributes", IN_UINT32, 0);
  prop (&s, 5, "ShareAccess", IN_UINT32, 0);
  prop (&s, 6, "OpenPath", IN_UNICODESTRING, 0);
  d_ptr (&d, ps, 0x2000);
  d_ptr (&d, ps, 0x1000);
  d_u32 (&d, 2222);
  d_u32 (&d, 0x20);
  d_u32 (&d, 0x80);
  d_u32 (&d, 7);
  d_wsz (&d, "C:\\Temp\\test.txt", true);
  tap_check (walk (&s, &d, ps, &fs, NULL) && fs.n == 7, "FileIo Create v3 (%u-byte pointers): 7 fields", ps);
  tap_check (is_uint (&fs, "IrpPtr", ETW_VAL_POINTER, 0x2000) &&
             is_uint (&fs, "FileObject", ETW_VAL_POINTER, 0x1000) &&
             is_uint (&fs, "TTID", ETW_VAL_UINT, 2222) &&
             is_uint (&fs, "CreateOptions", ETW_VAL_HEX, 0x20),
             "FileIo: IrpPtr, FileObject, TTID and CreateOptions (hex)");
  tap_check (is_str (&fs, "OpenPath", ETW_VAL_STRING, "C:\\Temp\\test.txt"), "FileIo: OpenPath");
}

/* The seed's "pre-parsed fields" path end to end, minus TDH itself: the
 * field list the walk makes from the MOF schema of TcpIp Send v2 and of
 * FileIo Create v3 decodes in decode/ to the same summary as the raw
 * payload of the same event (what auto mode keeps). */
static void
decode_as_file_would (const EtwGuid *provider,
                      uint8_t        opcode,
                      uint8_t        version,
                      const Schema  *s,
                      const Data    *d,
                      const char    *what,
                      const char    *want_op)
{
  EtwDecoder *dec_fields = etw_decoder_new (), *dec_raw = etw_decoder_new ();
  EtwDecoded *a = malloc (sizeof *a), *b = malloc (sizeof *b);
  EtwFieldWriter w;
  EtwEvent ev;
  bool ok;

  memset (&ev, 0, sizeof ev);
  ev.provider = *provider;
  ev.opcode = opcode;
  ev.version = version;
  ev.kind = ETW_HDR_SYSTEM;
  ev.flags = ETW_FLAG_CLASSIC_HEADER | ETW_FLAG_64_BIT_HEADER;
  ev.pointer_size = 8;
  ev.pid = 4;
  ev.tid = 8;
  ev.origin = ETW_ORIGIN_ETW_LIVE;

  ev.payload = d->b;
  ev.payload_len = (uint32_t) d->n;
  etw_decoder_observe (dec_raw, &ev);
  etw_decode (dec_raw, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL, b);

  etw_fw_init (&w, out_buf, sizeof out_buf);
  ok = etw_tdh_write_fields (&s->u.info, s->len, d->b, d->n, 8, scratch, sizeof scratch, &w);
  ev.payload = out_buf;
  ev.payload_len = (uint32_t) w.len;
  ev.xflags = ETW_XFLAG_FIELD_LIST;
  etw_decoder_observe (dec_fields, &ev);
  etw_decode (dec_fields, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL, a);

  tap_diag ("%s: fields [%s|%s|%u|%s] raw [%s|%s|%u|%s]", what, a->event_name ? a->event_name : "-",
            a->operation ? a->operation : "-", a->pid, a->path ? a->path : "-",
            b->event_name ? b->event_name : "-", b->operation ? b->operation : "-", b->pid,
            b->path ? b->path : "-");
  tap_check (ok && a->operation != NULL && strcmp (a->operation, want_op) == 0,
             "%s from TDH fields decodes as %s", what, want_op);
  tap_check (a->pid == b->pid && a->operation != NULL && b->operation != NULL &&
             strcmp (a->operation, b->operation) == 0 && a->path != NULL && b->path != NULL &&
             strcmp (a->path, b->path) == 0,
             "%s: TDH fields and the raw payload give the same pid, operation and path", what);
  etw_decoder_free (dec_fields);
  etw_decoder_free (dec_raw);
  free (a);
  free (b);
}

static void
pre_parsed_path (void)
{
  static const uint8_t daddr[4] = { 1, 1, 1, 1 }, saddr[4] = { 10, 0, 0, 10 };
  Schema s;
  Data d = { .n = 0 };

  schema_init (&s, 10, 10);
  prop (&s, 0, "PID", IN_UINT32, 0);
  prop (&s, 1, "size", IN_UINT32, 0);
  prop (&s, 2, "daddr", IN_UINT32, OUT_IPV4);
  prop (&s, 3, "saddr", IN_UINT32, OUT_IPV4);
  prop (&s, 4, "dport", IN_UINT16, OUT_PORT);
  prop (&s, 5, "sport", IN_UINT16, OUT_PORT);
  prop (&s, 6, "startime", IN_UINT32, 0);
  prop (&s, 7, "endtime", IN_UINT32, 0);
  prop (&s, 8, "seqnum", IN_UINT32, 0);
  prop (&s, 9, "connid", IN_POINTER, 0);
  d_u32 (&d, 1234);
  d_u32 (&d, 517);
  d_bytes (&d, daddr, 4);
  d_bytes (&d, saddr, 4);
  d_u8 (&d, 443 >> 8);
  d_u8 (&d, 443 & 0xff);
  d_u8 (&d, 5050 >> 8);
  d_u8 (&d, 5050 & 0xff);
  d_u32 (&d, 1);
  d_u32 (&d, 2);
  d_u32 (&d, 7);
  d_u64 (&d, 0xffffa00011112222ull);
  decode_as_file_would (&ETW_GUID_TCPIP, 10, 2, &s, &d, "TcpIp Send v2", "TCP Send");

  schema_init (&s, 7, 7);
  prop (&s, 0, "IrpPtr", IN_POINTER, 0);
  prop (&s, 1, "FileObject", IN_POINTER, 0);
  prop (&s, 2, "TTID", IN_UINT32, 0);
  prop (&s, 3, "CreateOptions", IN_UINT32, OUT_HEXINT32);
  prop (&s, 4, "FileAttributes", IN_UINT32, 0);
  prop (&s, 5, "ShareAccess", IN_UINT32, 0);
  prop (&s, 6, "OpenPath", IN_UNICODESTRING, 0);
  d.n = 0;
  d_u64 (&d, 0x2000);
  d_u64 (&d, 0x1000);
  d_u32 (&d, 8);
  d_u32 (&d, 0x01000020);
  d_u32 (&d, 0x80);
  d_u32 (&d, 7);
  d_wsz (&d, "\\Device\\HarddiskVolume3\\Temp\\test.txt", true);
  decode_as_file_would (&ETW_GUID_FILEIO, 64, 3, &s, &d, "FileIo Create v3", "CreateFile");
}

/* Counts and lengths taken from earlier properties, structs, and the
 * remaining in-types. */
static void
structure (void)
{
  static const uint8_t sid[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0 };  /* S-1-5-32-544 */
  static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  static const uint8_t guid_bytes[16] = { 0xd6, 0x2c, 0xfb, 0x22, 0x7b, 0x0e, 0x2b, 0x42,
                                          0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16 };
  Schema s;
  Data d = { .n = 0 };
  Fields fs;
  const EtwField *f;
  EVENT_PROPERTY_INFO *e;
  EtwGuid g;
  size_t list_len;
  float fl = 1.5f;
  double db = -2.25;

  schema_init (&s, 24, 22);
  prop (&s, 0, "Count", IN_UINT16, 0);
  e = prop (&s, 1, "Values", IN_UINT32, 0);
  e->Flags = (PROPERTY_FLAGS) (P_PARAM_COUNT);
  e->countPropertyIndex = 0;
  prop (&s, 2, "BlobLen", IN_UINT8, 0);
  e = prop (&s, 3, "Blob", IN_BINARY, 0);
  e->Flags = (PROPERTY_FLAGS) (P_PARAM_LENGTH);
  e->lengthPropertyIndex = 2;
  e = prop (&s, 4, "Fixed", IN_ANSISTRING, 0);
  e->length = 4;  /* characters */
  prop (&s, 5, "Pairs", 0, 0);
  epi_at (&s, 5)->Flags = (PROPERTY_FLAGS) (P_STRUCT | P_PARAM_COUNT);
  epi_at (&s, 5)->structType.StructStartIndex = 22;
  epi_at (&s, 5)->structType.NumOfStructMembers = 2;
  epi_at (&s, 5)->countPropertyIndex = 0;
  prop (&s, 22, "Key", IN_UINT8, 0);
  prop (&s, 23, "Name", IN_UNICODESTRING, 0);
  prop (&s, 6, "Counted", IN_MANIFEST_COUNTEDSTRING, 0);
  prop (&s, 7, "CountedA", IN_MANIFEST_COUNTEDANSISTRING, 0);
  prop (&s, 8, "Reversed", IN_REVERSEDCOUNTEDSTRING, 0);
  prop (&s, 9, "Sid", IN_SID, 0);
  prop (&s, 10, "NoUser", IN_WBEMSID, 0);
  prop (&s, 11, "User", IN_WBEMSID, 0);
  prop (&s, 12, "Guid", IN_GUID, 0);
  prop (&s, 13, "When", IN_FILETIME, 0);
  prop (&s, 14, "Flag", IN_BOOLEAN, 0);
  prop (&s, 15, "F", IN_FLOAT, 0);
  prop (&s, 16, "D", IN_DOUBLE, 0);
  prop (&s, 17, "Mask", IN_HEXINT64, 0);
  prop (&s, 18, "Addr6", IN_BINARY, OUT_IPV6);
  prop (&s, 19, "Delta", IN_INT8, 0);
  e = prop (&s, 20, "One", IN_UINT32, 0);
  e->Flags = (PROPERTY_FLAGS) (P_FIXED_COUNT);  /* an array of one */
  prop (&s, 21, "Tail", IN_UNICODESTRING, 0);

  d_u16 (&d, 3);
  d_u32 (&d, 10); d_u32 (&d, 20); d_u32 (&d, 30);
  d_u8 (&d, 3);
  d_u8 (&d, 0xAA); d_u8 (&d, 0xBB); d_u8 (&d, 0xCC);
  d_bytes (&d, "abcd", 4);
  for (int i = 0; i < 3; i++)
    {
      char name[4] = { 'k', (char) ('0' + i), 0, 0 };
      d_u8 (&d, (uint8_t) (100 + i));
      d_wsz (&d, name, true);
    }
  d_u16 (&d, 6); d_wsz (&d, "xyz", false);
  d_u16 (&d, 2); d_bytes (&d, "hi", 2);
  d_u8 (&d, 0); d_u8 (&d, 4); d_wsz (&d, "ok", false);  /* big-endian byte count */
  d_bytes (&d, sid, sizeof sid);
  d_u32 (&d, 0);
  d_u64 (&d, 0x1111); d_u64 (&d, 0);  /* TOKEN_USER, 64-bit */
  d_bytes (&d, sid, sizeof sid);
  d_bytes (&d, guid_bytes, 16);
  d_u64 (&d, 133000000000000000ull);
  d_u32 (&d, 1);
  d_bytes (&d, &fl, 4);
  d_bytes (&d, &db, 8);
  d_u64 (&d, 0xF00Dull);
  d_bytes (&d, v6, 16);
  d_u8 (&d, 0xFE);
  d_u32 (&d, 77);
  d_wsz (&d, "end", false);  /* last string without its terminator */

  tap_check (walk (&s, &d, 8, &fs, &list_len) && !fs.error, "mixed schema: walks to the end (%u entries)", fs.n);
  f = field (&fs, "Values");
  tap_check (f != NULL && f->type == ETW_VAL_ARRAY_BEGIN && f->len == 3 && f[1].v.u == 10 &&
             f[3].v.u == 30 && f[1].depth == 1 && f[4].type == ETW_VAL_ARRAY_END,
             "count from an earlier property: an array of 3 UINT32");
  f = field (&fs, "Blob");
  tap_check (f != NULL && f->type == ETW_VAL_BINARY && f->len == 3 && f->v.b[2] == 0xCC,
             "length from an earlier property: 3 bytes of binary");
  tap_check (is_str (&fs, "Fixed", ETW_VAL_STRING, "abcd"), "fixed-length ANSI string");
  f = field (&fs, "Pairs");
  tap_check (f != NULL && f->type == ETW_VAL_ARRAY_BEGIN && f->len == 3 &&
             f[1].type == ETW_VAL_STRUCT_BEGIN && f[2].v.u == 100 && f[2].depth == 2 &&
             f[3].type == ETW_VAL_STRING && strcmp (f[3].v.s, "k0") == 0 &&
             f[9].type == ETW_VAL_STRUCT_BEGIN && strcmp (f[11].v.s, "k2") == 0,
             "array of 3 structs {Key, Name}, nested at depth 1 and 2");
  tap_check (is_str (&fs, "Counted", ETW_VAL_STRING, "xyz") && is_str (&fs, "CountedA", ETW_VAL_STRING, "hi") &&
             is_str (&fs, "Reversed", ETW_VAL_STRING, "ok"),
             "counted UTF-16, counted ANSI and big-endian counted strings");
  tap_check (is_str (&fs, "Sid", ETW_VAL_SID, "S-1-5-32-544") && is_str (&fs, "NoUser", ETW_VAL_SID, "") &&
             is_str (&fs, "User", ETW_VAL_SID, "S-1-5-32-544"),
             "SID, empty WBEM SID, WBEM SID after a 64-bit TOKEN_USER");
  etw_guid_read (&g, guid_bytes);
  f = field (&fs, "Guid");
  tap_check (f != NULL && f->type == ETW_VAL_GUID && etw_guid_equal (&f->v.g, &ETW_GUID_KERNEL_PROCESS) &&
             etw_guid_equal (&g, &ETW_GUID_KERNEL_PROCESS),
             "GUID in Windows byte order");
  f = field (&fs, "When");
  tap_check (f != NULL && f->type == ETW_VAL_FILETIME && f->v.i == 133000000000000000ll &&
             is_uint (&fs, "Flag", ETW_VAL_BOOL, 1), "FILETIME and BOOLEAN");
  f = field (&fs, "F");
  tap_check (f != NULL && f->type == ETW_VAL_DOUBLE && f->v.d == 1.5 &&
             (f = field (&fs, "D")) != NULL && f->v.d == -2.25, "FLOAT and DOUBLE");
  tap_check (is_uint (&fs, "Mask", ETW_VAL_HEX, 0xF00D), "HEXINT64 is hex");
  f = field (&fs, "Addr6");
  tap_check (f != NULL && f->type == ETW_VAL_IPV6 && memcmp (f->v.ip, v6, 16) == 0,
             "BINARY with out-type IPV6 and no length is 16 bytes of IPv6");
  f = field (&fs, "Delta");
  tap_check (f != NULL && f->type == ETW_VAL_INT && f->v.i == -2, "INT8 sign-extends");
  f = field (&fs, "One");
  tap_check (f != NULL && f->type == ETW_VAL_ARRAY_BEGIN && f->len == 1 && f[1].v.u == 77,
             "PropertyParamFixedCount: an array of one element");
  tap_check (is_str (&fs, "Tail", ETW_VAL_STRING, "end"), "a last string without terminator is kept");

  /* Pointer size 4 for the same WBEM SID: TOKEN_USER is 8 bytes then. */
  schema_init (&s, 1, 1);
  prop (&s, 0, "User", IN_WBEMSID, 0);
  d.n = 0;
  d_u32 (&d, 0x1111); d_u32 (&d, 0);
  d_bytes (&d, sid, sizeof sid);
  tap_check (walk (&s, &d, 4, &fs, NULL) && is_str (&fs, "User", ETW_VAL_SID, "S-1-5-32-544"),
             "WBEM SID after a 32-bit TOKEN_USER");
}

/* Untrusted data and odd schemas end the walk with a well-formed list. */
static void
bounds (void)
{
  Schema s;
  Data d = { .n = 0 };
  Fields fs;
  EVENT_PROPERTY_INFO *e;

  schema_init (&s, 2, 2);
  prop (&s, 0, "Count", IN_UINT32, 0);
  e = prop (&s, 1, "Items", IN_UINT32, 0);
  e->Flags = (PROPERTY_FLAGS) (P_PARAM_COUNT);
  e->countPropertyIndex = 0;
  d_u32 (&d, 1000000);
  d_u32 (&d, 1);
  tap_check (!walk (&s, &d, 8, &fs, NULL) && !fs.error && fs.n == 1 && is_uint (&fs, "Count", ETW_VAL_UINT, 1000000),
             "a count of 1,000,000 with 4 bytes left is refused after what was read");

  d.n = 0;
  d_u32 (&d, 3);
  d_u32 (&d, 1);
  d_u32 (&d, 2);
  tap_check (!walk (&s, &d, 8, &fs, NULL) && !fs.error,
             "data ending inside an array: false, and the list still reads cleanly (%u entries)", fs.n);

  schema_init (&s, 1, 1);
  prop (&s, 0, "Loop", 0, 0);
  epi_at (&s, 0)->Flags = (PROPERTY_FLAGS) (P_STRUCT);
  epi_at (&s, 0)->structType.StructStartIndex = 0;  /* itself */
  epi_at (&s, 0)->structType.NumOfStructMembers = 1;
  tap_check (!walk (&s, &d, 8, &fs, NULL) && !fs.error, "a struct that contains itself stops at the depth limit");

  schema_init (&s, 1, 1);
  prop (&s, 0, "Out", 0, 0);
  epi_at (&s, 0)->Flags = (PROPERTY_FLAGS) (P_STRUCT);
  epi_at (&s, 0)->structType.StructStartIndex = 40;
  epi_at (&s, 0)->structType.NumOfStructMembers = 2;
  tap_check (!walk (&s, &d, 8, &fs, NULL), "struct members outside the property array are refused");

  schema_init (&s, 2, 2);
  prop (&s, 0, "Odd", 999, 0);
  prop (&s, 1, "After", IN_UINT32, 0);
  tap_check (!walk (&s, &d, 8, &fs, NULL) && field (&fs, "After") == NULL,
             "an unknown in-type stops the walk (its size is unknown)");

  schema_init (&s, 1, 1);
  e = prop (&s, 0, "X", IN_UINT32, 0);
  e->NameOffset = 100000;  /* past the schema */
  d.n = 0;
  d_u32 (&d, 5);
  tap_check (walk (&s, &d, 8, &fs, NULL) && fs.n == 1 && fs.f[0].v.u == 5 && fs.f[0].name[0] == '\0',
             "a name offset outside the schema gives an empty name");

  schema_init (&s, 3, 5);
  tap_check (!walk (&s, &d, 8, &fs, NULL), "more top-level properties than properties is refused");

  {
    EtwFieldWriter w;
    uint8_t tiny[16];
    schema_init (&s, 1, 1);
    prop (&s, 0, "LongEnoughName", IN_UINT32, 0);
    etw_fw_init (&w, tiny, sizeof tiny);
    tap_check (!etw_tdh_write_fields (&s.u.info, s.len, d.b, d.n, 8, scratch, sizeof scratch, &w),
               "a field list that does not fit is reported (the caller keeps the raw payload)");
  }
}

static void
wanted (void)
{
  EtwEvent ev;
  EtwGuid custom;

  etw_guid_parse ("1c95126e-7eea-49a9-a3fe-a378b03ddb4d", &custom);
  memset (&ev, 0, sizeof ev);
  ev.provider = ETW_GUID_TCPIP;
  ev.flags = ETW_FLAG_CLASSIC_HEADER;
  tap_check (!etw_tdh_wanted (ETW_TDH_AUTO, &ev) && etw_tdh_wanted (ETW_TDH_ALL, &ev),
             "classic kernel TcpIp: raw in auto mode, TDH fields in all mode");
  ev.provider = ETW_GUID_STACKWALK;
  ev.xflags = ETW_XFLAG_STACK_WALK;
  tap_check (!etw_tdh_wanted (ETW_TDH_ALL, &ev), "stack walks stay raw even in all mode");
  ev.provider = custom;
  ev.flags = 0;
  ev.xflags = 0;
  tap_check (etw_tdh_wanted (ETW_TDH_AUTO, &ev) && !etw_tdh_wanted (ETW_TDH_NONE, &ev),
             "a manifest provider decode/ has no layout for gets TDH fields (not with none)");
  ev.xflags = ETW_XFLAG_TRACELOGGING;
  tap_check (!etw_tdh_wanted (ETW_TDH_AUTO, &ev), "TraceLogging stays raw in auto mode (decode/ reads its schema)");
  ev.xflags = 0;
  ev.provider = ETW_GUID_KERNEL_FILE;
  tap_check (!etw_tdh_wanted (ETW_TDH_AUTO, &ev), "Microsoft-Windows-Kernel-File stays raw in auto mode");
  ev.provider = custom;
  ev.flags = ETW_FLAG_TRACE_MESSAGE;
  tap_check (!etw_tdh_wanted (ETW_TDH_ALL, &ev), "WPP messages are never given to TDH");
}

/* The schema cache, with schemas served by the test (Wine's tdh.dll does
 * not implement TdhGetEventInformation: calling it raises an exception). */
typedef struct
{
  int calls;
} FetchLog;

static TRACE_EVENT_INFO *
test_fetch (const EVENT_RECORD *rec,
            ULONG              *size,
            void               *user_data)
{
  FetchLog *log = user_data;
  Schema s;
  TRACE_EVENT_INFO *copy;

  log->calls++;
  if (rec->EventHeader.EventDescriptor.Id != 12)
    return NULL;  /* TDH has no schema for anything else */
  schema_init (&s, 2, 2);
  prop (&s, 0, "PID", IN_UINT32, 0);
  prop (&s, 1, "Name", IN_UNICODESTRING, 0);
  copy = malloc (s.len);
  memcpy (copy, s.u.b, s.len);
  *size = (ULONG) s.len;
  return copy;
}

static void
set_provider (EVENT_RECORD  *rec,
              const EtwGuid *g)
{
  rec->EventHeader.ProviderId.Data1 = g->data1;
  rec->EventHeader.ProviderId.Data2 = g->data2;
  rec->EventHeader.ProviderId.Data3 = g->data3;
  memcpy (rec->EventHeader.ProviderId.Data4, g->data4, 8);
}

static bool
running_under_wine (void)
{
  HMODULE ntdll = GetModuleHandleA ("ntdll.dll");
  return ntdll != NULL && GetProcAddress (ntdll, "wine_get_version") != NULL;
}

static void
cache (void)
{
  FetchLog log = { 0 };
  EtwTdhCache *c = etw_tdh_cache_new_with_fetch (test_fetch, &log);
  EtwTdhStats st;
  EVENT_RECORD rec;
  EtwWinClock clock;
  EtwEvent ev, back;
  Data d = { .n = 0 };
  EtwGuid prov;
  Fields fs;
  size_t size;
  static uint8_t stored[ETW_RECORD_MAX];
  size_t n;

  tap_check (c != NULL, "cache created");
  if (c == NULL)
    return;
  d_u32 (&d, 5150);
  d_wsz (&d, "svchost", true);
  etw_guid_parse ("b3a0c2ee-4b1f-4d6e-9a55-0123456789ab", &prov);
  memset (&rec, 0, sizeof rec);
  rec.EventHeader.Flags = EVENT_HEADER_FLAG_64_BIT_HEADER;
  set_provider (&rec, &prov);
  rec.EventHeader.EventDescriptor.Id = 12;
  rec.UserData = d.b;
  rec.UserDataLength = (USHORT) d.n;
  etw_win_clock_init (&clock, 10000000, 0, 0);

  etw_win_convert (&rec, &clock, &ev);
  tap_check (etw_tdh_apply (c, &rec, &ev) && (ev.xflags & ETW_XFLAG_FIELD_LIST) && ev.payload != d.b,
             "a schema from TDH turns the payload into a field list");
  read_back (ev.payload, ev.payload_len, &fs);
  tap_check (fs.n == 2 && is_uint (&fs, "PID", ETW_VAL_UINT, 5150) && is_str (&fs, "Name", ETW_VAL_STRING, "svchost"),
             "the field list holds PID 5150 and Name svchost");
  n = etw_record_write (&ev, stored, sizeof stored);
  tap_check (n > 0 && etw_record_read (stored, n, &back) && (back.xflags & ETW_XFLAG_FIELD_LIST) &&
             back.payload_len == ev.payload_len && memcmp (back.payload, ev.payload, ev.payload_len) == 0,
             "stored as a live record, the field list and its flag come back");

  etw_win_convert (&rec, &clock, &ev);
  etw_tdh_apply (c, &rec, &ev);
  etw_tdh_cache_stats (c, &st);
  tap_check (log.calls == 1 && st.hits == 1 && st.decoded == 2, "the same event again is a cache hit");

  rec.EventHeader.EventDescriptor.Id = 13;
  etw_win_convert (&rec, &clock, &ev);
  tap_check (!etw_tdh_apply (c, &rec, &ev) && ev.payload == d.b && !(ev.xflags & ETW_XFLAG_FIELD_LIST),
             "no schema: the raw payload stays");
  etw_tdh_apply (c, &rec, &ev);
  tap_check (log.calls == 2, "a missing schema is cached too (TDH asked once)");

  rec.EventHeader.EventDescriptor.Id = 12;
  rec.UserDataLength = 2;  /* shorter than PID */
  etw_win_convert (&rec, &clock, &ev);
  etw_tdh_apply (c, &rec, &ev);
  etw_tdh_cache_stats (c, &st);
  tap_check (ev.payload == d.b && ev.payload_len == 2 && st.failed == 1,
             "data that does not match its schema keeps the raw payload");
  rec.UserDataLength = (USHORT) d.n;

  {
    uint8_t schema_tl[8] = { 8, 0, 0, 'E', 0 };
    EVENT_HEADER_EXTENDED_DATA_ITEM item;
    int before = log.calls;

    memset (&item, 0, sizeof item);
    item.ExtType = 11;
    item.DataSize = sizeof schema_tl;
    item.DataPtr = (ULONGLONG) (uintptr_t) schema_tl;
    rec.ExtendedData = &item;
    rec.ExtendedDataCount = 1;
    etw_tdh_cache_lookup (c, &rec, &size);
    etw_tdh_cache_lookup (c, &rec, &size);
    tap_check (log.calls == before + 2, "TraceLogging schemas are not cached by id");
    rec.ExtendedData = NULL;
    rec.ExtendedDataCount = 0;
  }

  for (int i = 0; i < 5000; i++)
    {
      rec.EventHeader.EventDescriptor.Id = (USHORT) (1000 + i);
      etw_tdh_cache_lookup (c, &rec, &size);
    }
  etw_tdh_cache_stats (c, &st);
  tap_check (st.entries <= 3072 && log.calls == 5004, "the cache is bounded (%u entries after %d schemas)",
             st.entries, log.calls);
  etw_tdh_cache_free (c);

  /* The real TdhGetEventInformation, for a provider nobody registered. */
  if (running_under_wine ())
    tap_skip ("TdhGetEventInformation: Wine's tdh.dll does not implement it");
  else
    {
      c = etw_tdh_cache_new ();
      rec.EventHeader.EventDescriptor.Id = 12;
      etw_win_convert (&rec, &clock, &ev);
      tap_check (!etw_tdh_apply (c, &rec, &ev) && ev.payload == d.b,
                 "TdhGetEventInformation for an unregistered provider: no schema, raw payload kept");
      etw_tdh_cache_free (c);
    }
}

int
main (void)
{
  tcp_send (8);
  tcp_send (4);
  registry (8);
  registry (4);
  file_create (8);
  file_create (4);
  pre_parsed_path ();
  structure ();
  bounds ();
  wanted ();
  cache ();
  return tap_done ();
}
