/* make-corpus.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Seeds the fuzz corpora from the .etl fixtures, in each harness's input
 * format: small files and file heads (etl), compressed buffer bodies
 * (xpress), raw and live records (record), field lists of decoded events
 * (fields), event sequences and one sample of every event type (decode),
 * TraceLogging events (tracelogging).
 *
 *   make-corpus OUT_DIR FIXTURE_DIR_OR_FILE...
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-record.h"

#define MAX_PER_HARNESS 600
#define MAX_PER_FIXTURE 60

static const char *out_dir;
static unsigned counts[8];
static unsigned per_fixture[8];

enum { H_ETL, H_XPRESS, H_RECORD, H_FIELDS, H_DECODE, H_TL, N_H };
static const char *const harness_names[N_H] = {
  "etl", "xpress", "record", "fields", "decode", "tracelogging",
};

static void
emit (int            h,
      const char    *tag,
      const uint8_t *a,
      size_t         a_len,
      const uint8_t *b,
      size_t         b_len)
{
  char path[4096];
  FILE *fp;

  if (counts[h] >= MAX_PER_HARNESS || per_fixture[h] >= MAX_PER_FIXTURE)
    return;
  per_fixture[h]++;
  snprintf (path, sizeof path, "%s/%s/%s-%04u", out_dir, harness_names[h], tag, counts[h]);
  fp = fopen (path, "wb");
  if (fp == NULL)
    {
      fprintf (stderr, "make-corpus: %s: %s\n", path, strerror (errno));
      exit (1);
    }
  if (a_len > 0)
    fwrite (a, 1, a_len, fp);
  if (b_len > 0)
    fwrite (b, 1, b_len, fp);
  fclose (fp);
  counts[h]++;
}

/* The decode harness's event header (see fuzz-decode.c). */
static size_t
decode_header (const EtwEvent *ev,
               uint8_t        *h)
{
  uint16_t id = (ev->kind == ETW_HDR_SYSTEM || ev->kind == ETW_HDR_COMPACT ||
                 ev->kind == ETW_HDR_PERFINFO) ? ev->hook_id : ev->id;
  uint16_t len = ev->payload_len > 0xFFFF ? 0xFFFF : (uint16_t) ev->payload_len;

  h[0] = ev->kind;
  h[1] = ev->version;
  h[2] = ev->opcode;
  h[3] = (uint8_t) ((ev->pointer_size == 8 ? 0x01 : 0) |
                    ((ev->xflags & ETW_XFLAG_FIELD_LIST) ? 0x02 : 0));
  etw_wr_u16 (h + 4, id);
  etw_wr_u16 (h + 6, ev->task);
  etw_guid_write (&ev->provider, h + 8);
  etw_wr_u32 (h + 24, ev->pid);
  etw_wr_u32 (h + 28, ev->tid);
  etw_wr_u16 (h + 32, len);
  return 34;
}

static void
append (uint8_t      **buf,
        size_t        *len,
        size_t        *cap,
        const uint8_t *p,
        size_t         n)
{
  if (*len + n > *cap)
    {
      *cap = (*len + n) * 2;
      *buf = realloc (*buf, *cap);
      if (*buf == NULL)
        abort ();
    }
  memcpy (*buf + *len, p, n);
  *len += n;
}

/* One seen (kind, provider, id/hook, version, opcode) per entry. */
typedef struct
{
  uint8_t  kind, version, opcode;
  uint16_t id;
  EtwGuid  provider;
} Type;

static Type seen[8192];
static unsigned n_seen;

static bool
first_of_type (const EtwEvent *ev)
{
  Type t = { ev->kind, ev->version, ev->opcode,
             ev->kind == ETW_HDR_EVENT ? ev->id : ev->hook_id, ev->provider };
  for (unsigned i = 0; i < n_seen; i++)
    if (seen[i].kind == t.kind && seen[i].version == t.version && seen[i].opcode == t.opcode &&
        seen[i].id == t.id && etw_guid_equal (&seen[i].provider, &t.provider))
      return false;
  if (n_seen < sizeof seen / sizeof seen[0])
    seen[n_seen++] = t;
  return true;
}

/* TraceLogging events share ids; their schemas tell them apart. */
static uint64_t schemas[4096];
static unsigned n_schemas;

static bool
new_schema (const EtwExtItem *it)
{
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint16_t i = 0; i < it->size; i++)
    h = (h ^ it->data[i]) * 0x100000001B3ull;
  for (unsigned i = 0; i < n_schemas; i++)
    if (schemas[i] == h)
      return false;
  if (n_schemas < sizeof schemas / sizeof schemas[0])
    schemas[n_schemas++] = h;
  return true;
}

static void
write_fields (EtwFieldWriter    *w,
              const EtwDecoded  *d)
{
  for (uint32_t i = 0; i < d->n_fields; i++)
    {
      const EtwField *f = &d->fields[i];
      const char *name = f->name != NULL ? f->name : "";
      switch (f->type)
        {
        case ETW_VAL_INT: etw_fw_int (w, name, f->v.i); break;
        case ETW_VAL_UINT: etw_fw_uint (w, name, f->v.u); break;
        case ETW_VAL_HEX: etw_fw_hex (w, name, f->v.u); break;
        case ETW_VAL_POINTER: etw_fw_pointer (w, name, f->v.u); break;
        case ETW_VAL_BOOL: etw_fw_bool (w, name, f->v.u != 0); break;
        case ETW_VAL_STATUS: etw_fw_status (w, name, f->v.u); break;
        case ETW_VAL_FILETIME: etw_fw_filetime (w, name, f->v.i); break;
        case ETW_VAL_DOUBLE: etw_fw_double (w, name, f->v.d); break;
        case ETW_VAL_STRING: etw_fw_string (w, name, f->v.s); break;
        case ETW_VAL_SID: etw_fw_sid (w, name, f->v.s); break;
        case ETW_VAL_BINARY: etw_fw_binary (w, name, f->v.b, f->len); break;
        case ETW_VAL_GUID: etw_fw_guid (w, name, &f->v.g); break;
        case ETW_VAL_IPV4: etw_fw_ipv4 (w, name, f->v.ip); break;
        case ETW_VAL_IPV6: etw_fw_ipv6 (w, name, f->v.ip); break;
        case ETW_VAL_SYSTEMTIME: etw_fw_systemtime (w, name, f->v.ip); break;
        case ETW_VAL_STRUCT_BEGIN: etw_fw_struct_begin (w, name); break;
        case ETW_VAL_STRUCT_END: etw_fw_struct_end (w); break;
        case ETW_VAL_ARRAY_BEGIN: etw_fw_array_begin (w, name, (uint16_t) f->len); break;
        case ETW_VAL_ARRAY_END: etw_fw_array_end (w); break;
        default: break;
        }
    }
}

static EtwDecoded decoded;

static void
one_fixture (const char    *name,
             const uint8_t *data,
             size_t         len)
{
  EtlError err;
  EtlFile *f = etl_file_open (data, len, &err);
  char tag[64];

  snprintf (tag, sizeof tag, "%.40s", name);
  for (char *p = tag; *p; p++)
    if (*p == '.')
      *p = '_';
  if (f == NULL)
    return;

  /* etl: small files whole, the others' first buffers. */
  if (len <= 64 * 1024)
    emit (H_ETL, tag, data, len, NULL, 0);
  else
    {
      uint32_t nb = etl_file_n_buffers (f);
      const EtlBuffer *b = etl_file_buffer (f, nb > 3 ? 2 : nb - 1);
      size_t head = (size_t) (b->file_offset + b->size);
      if (head > 160 * 1024)
        head = 160 * 1024;
      emit (H_ETL, tag, data, head, NULL, 0);
    }

  /* xpress: compressed bodies, with their inflated size up front. */
  unsigned n_x = 0;
  for (uint32_t i = 0; i < etl_file_n_buffers (f) && n_x < 24; i++)
    {
      const EtlBuffer *b = etl_file_buffer (f, i);
      if (!(b->flags & ETL_BUFFER_COMPRESSED) || b->size > 64 * 1024 || i % 7 != 1)
        continue;
      uint32_t want = b->used - 0x48;
      uint8_t h[3] = { (uint8_t) (want / 16), (uint8_t) ((want / 16) >> 8), (uint8_t) (want % 16) };
      emit (H_XPRESS, tag, h, 3, data + b->file_offset + 0x48, b->size - 0x48);
      n_x++;
    }

  /* record, decode, fields, tracelogging: from the time-ordered walk. */
  EtwDecoder *dec = etw_decoder_new ();
  EtlIter *it = etl_iter_new (f, ETL_ORDER_TIME);
  EtwEvent ev;
  uint8_t *seq = NULL;
  size_t seq_len = 0, seq_cap = 0;
  unsigned n_seq = 0, n_seq_files = 0;

  while (it != NULL && etl_iter_next (it, &ev))
    {
      uint8_t h[64];
      size_t hl = decode_header (&ev, h);

      etw_decoder_observe (dec, &ev);
      /* Sequences of 48 events keep the naming state of a real trace. */
      if (n_seq_files < 3)
        {
          append (&seq, &seq_len, &seq_cap, h, hl);
          append (&seq, &seq_len, &seq_cap, ev.payload,
                  ev.payload_len > 0xFFFF ? 0xFFFF : ev.payload_len);
          if (++n_seq == 48)
            {
              emit (H_DECODE, tag, seq, seq_len, NULL, 0);
              seq_len = 0;
              n_seq = 0;
              n_seq_files++;
            }
        }
      for (uint32_t i = 0; i < ev.n_ext; i++)
        if (ev.ext[i].type == ETW_EXT_EVENT_SCHEMA_TL && new_schema (&ev.ext[i]))
          {
            const EtwExtItem *traits = NULL;
            for (uint32_t k = 0; k < ev.n_ext; k++)
              if (ev.ext[k].type == ETW_EXT_PROV_TRAITS)
                traits = &ev.ext[k];
            uint8_t t[5];
            size_t tl = 0;
            uint8_t *buf = NULL;
            size_t blen = 0, bcap = 0;
            t[0] = (uint8_t) ((ev.pointer_size == 4 ? 0x01 : 0) | (traits ? 0x02 : 0));
            append (&buf, &blen, &bcap, t, 1);
            etw_wr_u16 (t, ev.ext[i].size);
            append (&buf, &blen, &bcap, t, 2);
            append (&buf, &blen, &bcap, ev.ext[i].data, ev.ext[i].size);
            if (traits != NULL)
              {
                etw_wr_u16 (t, traits->size);
                append (&buf, &blen, &bcap, t, 2);
                append (&buf, &blen, &bcap, traits->data, traits->size);
              }
            (void) tl;
            append (&buf, &blen, &bcap, ev.payload, ev.payload_len);
            emit (H_TL, tag, buf, blen, NULL, 0);
            free (buf);
          }
      if (!first_of_type (&ev))
        continue;

      emit (H_RECORD, tag, ev.record, ev.record_len, NULL, 0);
      size_t need = etw_record_size (&ev);
      uint8_t *live = malloc (need);
      if (live != NULL)
        {
          size_t n = etw_record_write (&ev, live, need);
          if (n > 0)
            emit (H_RECORD, "live", live, n, NULL, 0);
          free (live);
        }
      emit (H_DECODE, tag, h, hl, ev.payload, ev.payload_len > 0xFFFF ? 0xFFFF : ev.payload_len);

      etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, &decoded);
      if (decoded.n_fields > 0)
        {
          uint8_t fl[8192];
          EtwFieldWriter w;
          etw_fw_init (&w, fl, sizeof fl);
          write_fields (&w, &decoded);
          if (w.len > 0)
            emit (H_FIELDS, tag, fl, w.len, NULL, 0);
          /* The same fields as a field-list event for the decoders. */
          EtwEvent fev = ev;
          fev.xflags |= ETW_XFLAG_FIELD_LIST;
          fev.payload = fl;
          fev.payload_len = (uint32_t) w.len;
          hl = decode_header (&fev, h);
          emit (H_DECODE, "fieldlist", h, hl, fl, w.len);
        }

    }
  free (seq);
  etl_iter_free (it);
  etw_decoder_free (dec);
  etl_file_free (f);
}

static void
one_path (const char *path)
{
  const char *base = strrchr (path, '/');
  FILE *fp = fopen (path, "rb");
  uint8_t *data;
  long len;

  if (fp == NULL)
    return;
  fseek (fp, 0, SEEK_END);
  len = ftell (fp);
  fseek (fp, 0, SEEK_SET);
  data = len > 0 ? malloc ((size_t) len) : NULL;
  if (data != NULL && fread (data, 1, (size_t) len, fp) == (size_t) len)
    {
      memset (per_fixture, 0, sizeof per_fixture);
      one_fixture (base != NULL ? base + 1 : path, data, (size_t) len);
    }
  free (data);
  fclose (fp);
}

int
main (int    argc,
      char **argv)
{
  if (argc < 3)
    {
      fprintf (stderr, "usage: make-corpus OUT_DIR FIXTURE_DIR_OR_FILE...\n");
      return 2;
    }
  out_dir = argv[1];
  mkdir (out_dir, 0755);
  for (int h = 0; h < N_H; h++)
    {
      char path[4096];
      snprintf (path, sizeof path, "%s/%s", out_dir, harness_names[h]);
      mkdir (path, 0755);
    }
  for (int i = 2; i < argc; i++)
    {
      struct stat st;
      if (stat (argv[i], &st) != 0)
        {
          fprintf (stderr, "make-corpus: %s: %s\n", argv[i], strerror (errno));
          return 1;
        }
      if (!S_ISDIR (st.st_mode))
        {
          one_path (argv[i]);
          continue;
        }
      DIR *d = opendir (argv[i]);
      struct dirent *de;
      while (d != NULL && (de = readdir (d)) != NULL)
        {
          char path[4096];
          size_t n = strlen (de->d_name);
          if (n < 5 || strcmp (de->d_name + n - 4, ".etl") != 0)
            continue;
          snprintf (path, sizeof path, "%s/%s", argv[i], de->d_name);
          one_path (path);
        }
      if (d != NULL)
        closedir (d);
    }
  for (int h = 0; h < N_H; h++)
    printf ("%s: %u seeds\n", harness_names[h], counts[h]);
  return 0;
}
