/* test-bounds.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Crafted inputs that claim huge sizes, counts or nesting, through the
 * reader and the decoders, with every allocation of decode/ counted (the
 * executable is linked with --wrap for malloc, calloc, realloc and free).
 * Each must finish quickly, allocate no more than a fixed bound at its
 * peak, and not recurse without limit (a stack overflow is a crash here).
 * Plain C, Linux (GNU ld's --wrap).
 */
#define _DEFAULT_SOURCE

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-record.h"

#define MiB (1024u * 1024u)

/* ------------------------------------------------------ counting malloc */

void *__real_malloc (size_t n);
void *__real_realloc (void *p, size_t n);
void  __real_free (void *p);
void *__wrap_malloc (size_t n);
void *__wrap_calloc (size_t a, size_t b);
void *__wrap_realloc (void *p, size_t n);
void  __wrap_free (void *p);

#define HDR 16
static size_t cur_bytes, peak_bytes;

void *
__wrap_malloc (size_t n)
{
  unsigned char *p = __real_malloc (n + HDR);

  if (p == NULL)
    return NULL;
  memcpy (p, &n, sizeof n);
  cur_bytes += n;
  if (cur_bytes > peak_bytes)
    peak_bytes = cur_bytes;
  return p + HDR;
}

void
__wrap_free (void *q)
{
  size_t n;

  if (q == NULL)
    return;
  memcpy (&n, (unsigned char *) q - HDR, sizeof n);
  cur_bytes -= n;
  __real_free ((unsigned char *) q - HDR);
}

void *
__wrap_calloc (size_t a,
               size_t b)
{
  void *q;

  if (b != 0 && a > SIZE_MAX / b)
    return NULL;
  q = __wrap_malloc (a * b);
  if (q != NULL)
    memset (q, 0, a * b);
  return q;
}

void *
__wrap_realloc (void  *q,
                size_t n)
{
  size_t old;
  void *r;

  if (q == NULL)
    return __wrap_malloc (n);
  memcpy (&old, (unsigned char *) q - HDR, sizeof old);
  r = __wrap_malloc (n);
  if (r == NULL)
    return NULL;
  memcpy (r, q, old < n ? old : n);
  __wrap_free (q);
  return r;
}

static size_t base_bytes;

/* Starts a measurement: the peak counts from what is allocated now. */
static void
reset_peak (void)
{
  peak_bytes = base_bytes = cur_bytes;
}

static size_t
peak_delta (void)
{
  return peak_bytes - base_bytes;
}

/* ------------------------------------------------------------------ TAP */

static int n_tests, n_failed;

static void
check (bool        ok,
       const char *what,
       double      seconds)
{
  n_tests++;
  n_failed += !ok;
  printf ("%s %d - %s (peak %.1f MiB, %.3f s)\n", ok ? "ok" : "not ok", n_tests, what,
          (double) peak_delta () / MiB, seconds);
  fflush (stdout);
}

/* CPU time of this thread: the work done, whatever else the machine runs. */
static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------- crafted .etl */

typedef struct
{
  uint8_t *data;
  size_t   len, cap;
} Buf;

static void
put (Buf        *b,
     const void *p,
     size_t      n)
{
  if (b->len + n > b->cap)
    {
      b->cap = (b->len + n) * 2;
      b->data = realloc (b->data, b->cap);
      if (b->data == NULL)
        abort ();
    }
  if (p != NULL)
    memcpy (b->data + b->len, p, n);
  else
    memset (b->data + b->len, 0, n);
  b->len += n;
}

/* The first buffer: a header buffer holding a 64-bit log-file header. */
static void
put_header_buffer (Buf     *b,
                   uint32_t n_buffers)
{
  uint8_t hdr[0x48] = { 0 };
  uint8_t rec[0x20 + 0x118 + 8] = { 0 };
  uint32_t rec_size = sizeof rec;

  etw_wr_u32 (hdr, 0x48 + rec_size);        /* BufferSize */
  etw_wr_u32 (hdr + 0x30, 0x48 + rec_size); /* Offset */
  etw_wr_u16 (hdr + 0x36, 4);               /* HEADER buffer */
  put (b, hdr, sizeof hdr);

  etw_wr_u16 (rec, 2);          /* version */
  rec[2] = 0x02;                /* SYSTEM64 */
  rec[3] = 0xC0;
  etw_wr_u16 (rec + 4, (uint16_t) rec_size);
  etw_wr_u16 (rec + 6, 0x0000); /* hook: log-file header */
  uint8_t *p = rec + 0x20;
  etw_wr_u32 (p, 64 * 1024);    /* BufferSize */
  p[6] = 2;                     /* layout 2.0: compressed */
  etw_wr_u32 (p + 0x0C, 4096);  /* processors */
  etw_wr_u32 (p + 0x24, n_buffers);
  etw_wr_u32 (p + 0x2C, 8);
  etw_wr_u64 (p + 0x100, 10000000);  /* PerfFreq */
  etw_wr_u32 (p + 0x110, 1);         /* QPC */
  put (b, rec, sizeof rec);
}

/* A compressed buffer on `cpu` that claims `used` bytes once inflated. Its
 * stream is a few literals then stops: the claim costs nothing to make. */
static void
put_compressed_buffer (Buf     *b,
                       uint16_t cpu,
                       uint32_t used)
{
  uint8_t hdr[0x48] = { 0 };
  uint8_t body[8] = { 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF };

  etw_wr_u32 (hdr, 0x48 + sizeof body);
  etw_wr_u16 (hdr + 0x28, cpu);
  etw_wr_u32 (hdr + 0x30, used);
  etw_wr_u16 (hdr + 0x34, ETL_BUFFER_COMPRESSED | ETL_BUFFER_PROC_INDEX);
  put (b, hdr, sizeof hdr);
  put (b, body, sizeof body);
}

static uint64_t
walk (const EtlFile *f,
      EtlOrder       order)
{
  EtlIter *it = etl_iter_new (f, order);
  EtwEvent ev;
  uint64_t n = 0;

  while (it != NULL && etl_iter_next (it, &ev))
    n++;
  etl_iter_free (it);
  return n;
}

/* 4,096 CPUs, each with a compressed buffer claiming 16 MiB: merging them
 * in time order needs every CPU's buffer at once. */
static void
test_many_cpus_big_claims (void)
{
  Buf b = { 0 };
  const uint32_t n = 4096;
  EtlError err;

  put_header_buffer (&b, n + 1);
  for (uint32_t i = 0; i < n; i++)
    put_compressed_buffer (&b, (uint16_t) i, 16 * MiB);

  reset_peak ();
  double t0 = now ();
  EtlFile *f = etl_file_open (b.data, b.len, &err);
  bool ok = f != NULL;
  if (f != NULL)
    {
      walk (f, ETL_ORDER_FILE);
      bool file_ok = peak_delta () <= 64 * MiB;
      walk (f, ETL_ORDER_TIME);
      EtlAccess *acc = etl_access_new (f);
      EtwEvent ev;
      for (uint32_t i = 1; i <= n && acc != NULL; i += 7)
        etl_access_read (acc, i, 0x48, &ev);
      etl_access_free (acc);
      etl_file_free (f);
      ok = file_ok;
    }
  /* The bound: 1 GiB of inflated buffers being merged, plus the index. */
  check (ok && peak_delta () <= 1024 * MiB + 16 * MiB,
         "4096 CPUs of compressed buffers claiming 16 MiB each: allocation bounded",
         now () - t0);
  free (b.data);
}

/* Used sizes past the reader's bound (16 MiB) are damage, not a size. */
static void
test_used_beyond_bound (void)
{
  Buf b = { 0 };
  EtlError err;
  uint8_t hdr[0x48] = { 0 };

  put_header_buffer (&b, 3);
  put_compressed_buffer (&b, 0, 0xFFFFFFF0u);
  etw_wr_u32 (hdr, 0x48);
  etw_wr_u32 (hdr + 0x30, 0x7FFFFFFFu);
  put (&b, hdr, sizeof hdr);

  reset_peak ();
  double t0 = now ();
  EtlFile *f = etl_file_open (b.data, b.len, &err);
  bool ok = f != NULL && etl_file_error (f)->code == ETL_ERR_BAD_BUFFER;
  if (f != NULL)
    {
      walk (f, ETL_ORDER_TIME);
      etl_file_free (f);
    }
  check (ok && peak_delta () <= 1 * MiB, "buffers claiming 4 GiB and 2 GiB used: damage, no allocation",
         now () - t0);
  free (b.data);
}

/* 100,000 buffers of nothing but a header: the index grows with the file,
 * not with any claim. */
static void
test_many_tiny_buffers (void)
{
  Buf b = { 0 };
  EtlError err;
  const uint32_t n = 100000;

  put_header_buffer (&b, n + 1);
  for (uint32_t i = 0; i < n; i++)
    {
      uint8_t hdr[0x48] = { 0 };
      etw_wr_u32 (hdr, 0x48);
      etw_wr_u32 (hdr + 0x30, 0x48);
      etw_wr_u16 (hdr + 0x28, (uint16_t) (i % 64));
      etw_wr_u16 (hdr + 0x34, ETL_BUFFER_PROC_INDEX);
      put (&b, hdr, sizeof hdr);
    }
  reset_peak ();
  double t0 = now ();
  EtlFile *f = etl_file_open (b.data, b.len, &err);
  bool ok = f != NULL && etl_file_n_buffers (f) == n + 1;
  if (f != NULL)
    {
      ok = ok && walk (f, ETL_ORDER_TIME) == 1 && walk (f, ETL_ORDER_FILE) == 1;
      etl_file_free (f);
    }
  check (ok && peak_delta () <= b.len, "100,000 empty buffers: index no larger than the file",
         now () - t0);
  free (b.data);
}

/* One record carrying 8,000 extended items: 12 are kept, none copied. */
static void
test_many_ext_items (void)
{
  const uint32_t items = 8000, size = 0x50 + items * 8 > 0xFFF8 ? 0xFFF8 : 0x50 + items * 8;
  uint8_t *rec = calloc (1, size);
  EtwEvent ev;
  EtlError err;

  etw_wr_u16 (rec, (uint16_t) size);
  rec[2] = 0x13;
  rec[3] = 0xC0;
  etw_wr_u16 (rec + 4, ETW_FLAG_EXTENDED_INFO);
  for (uint32_t off = 0x50; off + 8 <= size; off += 8)
    {
      etw_wr_u16 (rec + off, 8);                  /* item length */
      etw_wr_u16 (rec + off + 2, ETW_EXT_TS_ID);
      etw_wr_u16 (rec + off + 4, off + 16 <= size); /* linkage: more follow */
      etw_wr_u16 (rec + off + 6, 0);
    }
  reset_peak ();
  double t0 = now ();
  long n = etl_parse_record (NULL, rec, size, 0, 0, &ev, &err);
  check (n > 0 && ev.n_ext == ETW_MAX_EXT_ITEMS && peak_delta () == 0,
         "8,000 extended items in one record: 12 kept, nothing allocated", now () - t0);
  free (rec);
}

static EtwDecoded decoded;

/* A TraceLogging schema: n_fields entries built by `make`, then decoded. */
static void
decode_tl (const uint8_t *schema,
           size_t         schema_len,
           const uint8_t *payload,
           size_t         payload_len,
           const char    *what,
           size_t         bound)
{
  EtwDecoder *dec;
  EtwEvent ev;

  memset (&ev, 0, sizeof ev);
  ev.kind = ETW_HDR_EVENT;
  ev.header_type = 0x13;
  ev.pointer_size = 8;
  ev.flags = ETW_FLAG_EXTENDED_INFO | ETW_FLAG_64_BIT_HEADER;
  ev.xflags = ETW_XFLAG_TRACELOGGING;
  ev.provider.data1 = 0x12345678;
  ev.ext[0].type = ETW_EXT_EVENT_SCHEMA_TL;
  ev.ext[0].size = (uint16_t) schema_len;
  ev.ext[0].data = schema;
  ev.n_ext = 1;
  ev.payload = payload;
  ev.payload_len = (uint32_t) payload_len;

  reset_peak ();
  double t0 = now ();
  dec = etw_decoder_new ();
  size_t decoder_bytes = cur_bytes - base_bytes;
  etw_decoder_observe (dec, &ev);
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, &decoded);
  double dt = now () - t0;
  bool ok = decoded.n_fields <= ETW_DECODED_MAX_FIELDS && dt < 1.0 &&
            peak_delta () <= decoder_bytes + bound;
  etw_decoder_free (dec);
  check (ok, what, dt);
}

static size_t
tl_header (uint8_t *m)
{
  size_t n = 2;
  m[n++] = 0;                      /* tags */
  memcpy (m + n, "Deep", 5);       /* event name */
  return n + 5;
}

static size_t
tl_field (uint8_t    *m,
          size_t      n,
          const char *name,
          uint8_t     in,
          uint8_t     out,
          int         ccount)
{
  size_t l = strlen (name) + 1;
  memcpy (m + n, name, l);
  n += l;
  m[n++] = (uint8_t) (in | 0x80);
  m[n++] = out;
  if (ccount >= 0)
    {
      etw_wr_u16 (m + n, (uint16_t) ccount);
      n += 2;
    }
  return n;
}

/* Structs nested as deep as the schema can hold. */
static void
test_tl_nesting (void)
{
  static uint8_t m[0xFFFF];
  static uint8_t payload[4096];
  size_t n = tl_header (m);

  while (n + 8 < 0xFFF0)
    n = tl_field (m, n, "s", 24 /* struct */, 1, -1);
  etw_wr_u16 (m, (uint16_t) n);
  decode_tl (m, n, payload, sizeof payload,
             "TraceLogging structs nested 16,000 deep: bounded depth, no recursion blow-up",
             1 * MiB);
}

/* Arrays of 65,535 structs of arrays of 65,535 ... of empty structs: no
 * payload is consumed, so only a step bound stops the work. */
static void
test_tl_array_explosion (void)
{
  static uint8_t m[4096];
  static uint8_t payload[64];
  size_t n = tl_header (m);

  for (int d = 0; d < 12; d++)
    n = tl_field (m, n, "a", 24 | 0x20 /* struct, constant count */, 1, 65535);
  n = tl_field (m, n, "e", 24, 0, -1);
  etw_wr_u16 (m, (uint16_t) n);
  decode_tl (m, n, payload, sizeof payload,
             "TraceLogging arrays of 65,535^12 empty structs: a bounded number of steps",
             1 * MiB);
}

/* A field list of 30,000 struct openings (depth byte wrapping around). */
static void
test_field_list_depth (void)
{
  static uint8_t buf[200000];
  EtwFieldWriter w;
  EtwDecoder *dec;
  EtwEvent ev;

  etw_fw_init (&w, buf, sizeof buf);
  for (int i = 0; i < 30000 && !w.overflow; i++)
    etw_fw_struct_begin (&w, "s");
  memset (&ev, 0, sizeof ev);
  ev.kind = ETW_HDR_LIVE;
  ev.origin = ETW_ORIGIN_ETW_LIVE;
  ev.pointer_size = 8;
  ev.xflags = ETW_XFLAG_FIELD_LIST;
  ev.payload = buf;
  ev.payload_len = (uint32_t) w.len;

  reset_peak ();
  double t0 = now ();
  dec = etw_decoder_new ();
  size_t decoder_bytes = cur_bytes - base_bytes;
  etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, &decoded);
  double dt = now () - t0;
  bool ok = decoded.n_fields <= ETW_DECODED_MAX_FIELDS && dt < 1.0 &&
            peak_delta () <= decoder_bytes + 1 * MiB;
  etw_decoder_free (dec);
  check (ok, "a field list 30,000 structs deep: fields capped, nothing allocated per entry", dt);
}

int
main (void)
{
  test_many_cpus_big_claims ();
  test_used_beyond_bound ();
  test_many_tiny_buffers ();
  test_many_ext_items ();
  test_tl_nesting ();
  test_tl_array_explosion ();
  test_field_list_depth ();
  printf ("1..%d\n", n_tests);
  return n_failed > 0 ? 1 : 0;
}
