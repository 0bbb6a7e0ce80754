/* etl-reader.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout facts (offsets, quirks) are in ../shared/reference/etl-format.md;
 * section numbers below refer to it.
 */
#include "etl-reader.h"

#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-xpress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_HEADER_SIZE 0x48
/* Upper bound for one buffer's used size. ETW sessions use at most 1 MiB
 * buffers; the relogger keeps the session size. A larger claim is damage,
 * and the bound keeps a crafted file from making us allocate freely. */
#define MAX_BUFFER_USED (16u * 1024u * 1024u)
#define MAX_CPUS 4096
/* Merging in time order keeps one inflated buffer per CPU. Each claim is
 * bounded, but a crafted file can have thousands of CPUs: the sum is
 * bounded too (1,024 CPUs of 1 MiB buffers, far beyond real traces). */
#define MAX_SCRATCH_TOTAL (1024u * 1024u * 1024u)

/* On-disk header types (§3). */
enum
{
  HT_SYSTEM32     = 0x01,
  HT_SYSTEM64     = 0x02,
  HT_COMPACT32    = 0x03,
  HT_COMPACT64    = 0x04,
  HT_FULL32       = 0x0A,
  HT_INSTANCE32   = 0x0B,
  HT_MESSAGE      = 0x0F,
  HT_PERFINFO32   = 0x10,
  HT_PERFINFO64   = 0x11,
  HT_EVENT32      = 0x12,
  HT_EVENT64      = 0x13,
  HT_FULL64       = 0x14,
  HT_INSTANCE64   = 0x15,
};

struct EtlFile
{
  const uint8_t *data;
  uint64_t       len;
  EtlLogInfo     info;
  EtlBuffer     *buffers;
  uint32_t       n_buffers;
  uint32_t       max_used;
  EtlError       walk_error;
  /* Clock conversion: FILETIME = start + (raw - raw0) * 10^7 / freq. */
  int64_t        clock_freq;
};

static void
set_error (EtlError    *err,
           EtlErrorCode code,
           uint64_t     offset,
           uint32_t     buffer,
           const char  *fmt,
           ...)
{
  va_list args;

  if (err == NULL)
    return;
  err->code = code;
  err->offset = offset;
  err->buffer = buffer;
  va_start (args, fmt);
  vsnprintf (err->message, sizeof err->message, fmt, args);
  va_end (args);
}

size_t
etw_utf16_to_utf8 (const uint8_t *src,
                   size_t         max_bytes,
                   char          *out,
                   size_t         out_size)
{
  size_t i = 0, o = 0;

  while (i + 2 <= max_bytes)
    {
      uint32_t c = etw_rd_u16 (src + i);
      i += 2;
      if (c == 0)
        break;
      if (c >= 0xD800 && c < 0xDC00)
        {
          uint32_t lo = i + 2 <= max_bytes ? etw_rd_u16 (src + i) : 0;
          if (lo >= 0xDC00 && lo < 0xE000)
            {
              c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
              i += 2;
            }
          else
            c = 0xFFFD;
        }
      else if (c >= 0xDC00 && c < 0xE000)
        c = 0xFFFD;

      char tmp[4];
      size_t n;
      if (c < 0x80)
        {
          tmp[0] = (char) c;
          n = 1;
        }
      else if (c < 0x800)
        {
          tmp[0] = (char) (0xC0 | (c >> 6));
          tmp[1] = (char) (0x80 | (c & 0x3F));
          n = 2;
        }
      else if (c < 0x10000)
        {
          tmp[0] = (char) (0xE0 | (c >> 12));
          tmp[1] = (char) (0x80 | ((c >> 6) & 0x3F));
          tmp[2] = (char) (0x80 | (c & 0x3F));
          n = 3;
        }
      else
        {
          tmp[0] = (char) (0xF0 | (c >> 18));
          tmp[1] = (char) (0x80 | ((c >> 12) & 0x3F));
          tmp[2] = (char) (0x80 | ((c >> 6) & 0x3F));
          tmp[3] = (char) (0x80 | (c & 0x3F));
          n = 4;
        }
      if (out != NULL && o + n < out_size)
        {
          memcpy (out + o, tmp, n);
          o += n;
        }
    }
  if (out != NULL && out_size > 0)
    out[o < out_size ? o : out_size - 1] = '\0';
  return i;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm), so
 * that formatting does not depend on the host's gmtime or time_t range. */
static void
civil_from_days (int64_t  z,
                 int64_t *y,
                 unsigned *m,
                 unsigned *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned) (z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t) yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

#define FILETIME_UNIX_EPOCH 116444736000000000LL

void
etw_filetime_format (int64_t filetime,
                     char   *buf)
{
  /* Times come from files: keep the subtraction defined for any value. */
  int64_t ticks = filetime < INT64_MIN + FILETIME_UNIX_EPOCH ? INT64_MIN
                                                             : filetime - FILETIME_UNIX_EPOCH;
  int64_t secs = ticks / 10000000;
  int64_t frac = ticks % 10000000;
  if (frac < 0)
    {
      frac += 10000000;
      secs -= 1;
    }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0)
    {
      sod += 86400;
      days -= 1;
    }
  int64_t y;
  unsigned m, d;
  civil_from_days (days, &y, &m, &d);
  if (y < 0 || y > 9999)
    y = y < 0 ? 0 : 9999;
  snprintf (buf, ETW_FILETIME_TEXT_SIZE, "%04d-%02u-%02uT%02d:%02d:%02d.%07dZ",
            (int) y, m, d, (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60),
            (int) frac);
}

int64_t
etw_filetime_to_unix_ns (int64_t filetime)
{
  /* Unix nanoseconds cover 1678-2262; saturate outside (file data). */
  if (filetime < INT64_MIN / 100 + FILETIME_UNIX_EPOCH)
    return INT64_MIN;
  if (filetime > INT64_MAX / 100 + FILETIME_UNIX_EPOCH)
    return INT64_MAX;
  return (filetime - FILETIME_UNIX_EPOCH) * 100;
}

int64_t
etw_filetime_from_unix_ns (int64_t unix_ns)
{
  int64_t q = unix_ns / 100;
  if (unix_ns % 100 < 0)
    q -= 1;
  return q > INT64_MAX - FILETIME_UNIX_EPOCH ? INT64_MAX : q + FILETIME_UNIX_EPOCH;
}

int64_t
etl_file_raw_to_filetime (const EtlFile *file,
                          int64_t        raw)
{
  int64_t f = file->clock_freq;
  /* Both values come from the file: the arithmetic wraps (unsigned)
   * rather than overflow, as a time that far out is wrong either way. */
  int64_t d = (int64_t) ((uint64_t) raw - (uint64_t) file->info.header_raw_time);
  uint64_t ticks;

  if (f == 10000000)
    ticks = (uint64_t) d;
  else
    {
      /* d / f * 10^7 + (d % f) * 10^7 / f: truncation toward zero, exact
       * for any realistic frequency (§6). */
      ticks = (uint64_t) (d / f) * 10000000u;
      if (f <= INT64_MAX / 10000000)
        ticks += (uint64_t) (d % f * 10000000 / f);
      else
        ticks += (uint64_t) (d % f / (f / 10000000));
    }
  return (int64_t) ((uint64_t) file->info.start_time + ticks);
}

static bool
header_type_is_kernel (uint8_t ht)
{
  return ht == HT_SYSTEM32 || ht == HT_SYSTEM64 || ht == HT_COMPACT32 || ht == HT_COMPACT64 ||
         ht == HT_PERFINFO32 || ht == HT_PERFINFO64;
}

static uint8_t
header_pointer_size (uint8_t ht)
{
  switch (ht)
    {
    case HT_SYSTEM32:
    case HT_COMPACT32:
    case HT_FULL32:
    case HT_INSTANCE32:
    case HT_PERFINFO32:
    case HT_EVENT32:
      return 4;
    default:
      return 8;
    }
}

static uint8_t
header_kind (uint8_t ht)
{
  switch (ht)
    {
    case HT_SYSTEM32:
    case HT_SYSTEM64:
      return ETW_HDR_SYSTEM;
    case HT_COMPACT32:
    case HT_COMPACT64:
      return ETW_HDR_COMPACT;
    case HT_PERFINFO32:
    case HT_PERFINFO64:
      return ETW_HDR_PERFINFO;
    case HT_EVENT32:
    case HT_EVENT64:
      return ETW_HDR_EVENT;
    case HT_FULL32:
    case HT_FULL64:
      return ETW_HDR_CLASSIC;
    case HT_INSTANCE32:
    case HT_INSTANCE64:
      return ETW_HDR_INSTANCE;
    case HT_MESSAGE:
      return ETW_HDR_MESSAGE;
    default:
      return ETW_HDR_UNKNOWN;
    }
}

static void
set_kernel_identity (EtwEvent *ev)
{
  uint8_t opcode;

  etw_kernel_hook_provider (ev->hook_id, &ev->provider, &opcode);
  ev->opcode = opcode;
  ev->flags |= ETW_FLAG_CLASSIC_HEADER;
  if ((ev->hook_id >> 8) == ETW_GROUP_STACKWALK)
    ev->xflags |= ETW_XFLAG_STACK_WALK;
}

static void
attach_ext_stack (EtwEvent *ev)
{
  for (uint32_t i = 0; i < ev->n_ext; i++)
    {
      const EtwExtItem *it = &ev->ext[i];
      unsigned fs = it->type == ETW_EXT_STACK_TRACE64 ? 8 : it->type == ETW_EXT_STACK_TRACE32 ? 4 : 0;

      if (fs != 0 && it->size >= 8)
        {
          ev->stack = it->data + 8;  /* after the u64 MatchId */
          ev->frame_size = (uint8_t) fs;
          ev->n_frames = (it->size - 8u) / fs;
        }
      else if (it->type == ETW_EXT_EVENT_SCHEMA_TL)
        ev->xflags |= ETW_XFLAG_TRACELOGGING;
    }
}

long
etl_parse_record (const EtlFile *file,
                  const uint8_t *area,
                  uint32_t       used,
                  uint32_t       offset,
                  uint32_t       cpu,
                  EtwEvent      *ev,
                  EtlError      *err)
{
  const uint8_t *r;
  uint32_t avail, marker, size, hdr_size;
  uint8_t ht;

  if (offset > used || used - offset < 4)
    return 0;
  r = area + offset;
  avail = used - offset;
  marker = etw_rd_u32 (r);
  if (marker == 0xFFFFFFFFu)
    return 0;

  if ((marker & 0x80000000u) == 0)
    {
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                 "record marker 0x%08x is not a trace record", (unsigned) marker);
      return -1;
    }
  if (marker & 0x40000000u)
    ht = (uint8_t) (marker >> 16);
  else if (marker & 0x10000000u)
    ht = HT_MESSAGE;
  else
    {
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                 "record marker 0x%08x has an unknown layout", (unsigned) marker);
      return -1;
    }

  switch (ht)
    {
    case HT_SYSTEM32: case HT_SYSTEM64: hdr_size = 0x20; break;
    case HT_COMPACT32: case HT_COMPACT64: hdr_size = 0x18; break;
    case HT_PERFINFO32: case HT_PERFINFO64: hdr_size = 0x10; break;
    case HT_FULL32: case HT_FULL64: hdr_size = 0x30; break;
    case HT_INSTANCE32: case HT_INSTANCE64: hdr_size = 0x48; break;
    case HT_EVENT32: case HT_EVENT64: hdr_size = 0x50; break;
    case HT_MESSAGE: hdr_size = 8; break;
    default:
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                 "unknown record header type 0x%02x", ht);
      return -1;
    }

  if (avail < 8)
    {
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0, "record header cut short");
      return -1;
    }
  size = header_type_is_kernel (ht) ? etw_rd_u16 (r + 4) : etw_rd_u16 (r);
  if (size < hdr_size || size > avail)
    {
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                 "record size %u does not fit (header needs %u, %u bytes left)",
                 (unsigned) size, (unsigned) hdr_size, (unsigned) avail);
      return -1;
    }

  memset (ev, 0, offsetof (EtwEvent, ext));
  ev->n_ext = 0;
  ev->stack = NULL;
  ev->n_frames = 0;
  ev->frame_size = 0;
  ev->header_type = ht;
  ev->kind = header_kind (ht);
  ev->pointer_size = header_pointer_size (ht);
  ev->flags = ev->pointer_size == 8 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER;
  ev->cpu = cpu;
  ev->origin = ETW_ORIGIN_ETL;
  ev->record = r;
  ev->record_len = size;
  ev->buffer_offset = offset;
  ev->pid = 0xFFFFFFFFu;
  ev->tid = 0xFFFFFFFFu;

  uint32_t payload_off = hdr_size;

  switch (ev->kind)
    {
    case ETW_HDR_SYSTEM:
    case ETW_HDR_COMPACT:
    case ETW_HDR_PERFINFO:
      {
        uint16_t version = etw_rd_u16 (r);

        ev->version = (uint8_t) version;
        ev->hook_id = etw_rd_u16 (r + 6);
        if (ev->kind == ETW_HDR_PERFINFO)
          ev->raw_time = etw_rd_i64 (r + 8);
        else
          {
            ev->tid = etw_rd_u32 (r + 8);
            ev->pid = etw_rd_u32 (r + 12);
            ev->raw_time = etw_rd_i64 (r + 16);
            if (ev->kind == ETW_HDR_SYSTEM)
              {
                ev->kernel_time = etw_rd_u32 (r + 0x18);
                ev->user_time = etw_rd_u32 (r + 0x1C);
              }
          }
        /* Optional PEBS index and PMC counters follow the header. */
        if (version & 0x8000)
          payload_off += 8;
        payload_off += 8u * ((version >> 8) & 0x7);
        set_kernel_identity (ev);
        ev->level = 4;
        break;
      }

    case ETW_HDR_CLASSIC:
    case ETW_HDR_INSTANCE:
      ev->opcode = r[4];
      ev->level = r[5];
      ev->version = (uint8_t) etw_rd_u16 (r + 6);
      ev->tid = etw_rd_u32 (r + 8);
      ev->pid = etw_rd_u32 (r + 12);
      ev->raw_time = etw_rd_i64 (r + 16);
      etw_guid_read (&ev->provider, r + 0x18);
      ev->kernel_time = etw_rd_u32 (r + 0x28);
      ev->user_time = etw_rd_u32 (r + 0x2C);
      ev->flags |= ETW_FLAG_CLASSIC_HEADER;
      break;

    case ETW_HDR_EVENT:
      {
        ev->flags |= etw_rd_u16 (r + 4) & 0x001F;
        ev->event_property = etw_rd_u16 (r + 6);
        ev->tid = etw_rd_u32 (r + 8);
        ev->pid = etw_rd_u32 (r + 12);
        ev->raw_time = etw_rd_i64 (r + 16);
        etw_guid_read (&ev->provider, r + 0x18);
        ev->id = etw_rd_u16 (r + 0x28);
        ev->version = r[0x2A];
        ev->channel = r[0x2B];
        ev->level = r[0x2C];
        ev->opcode = r[0x2D];
        ev->task = etw_rd_u16 (r + 0x2E);
        ev->keyword = etw_rd_u64 (r + 0x30);
        ev->kernel_time = etw_rd_u32 (r + 0x38);
        ev->user_time = etw_rd_u32 (r + 0x3C);
        etw_guid_read (&ev->activity_id, r + 0x40);

        if (ev->flags & ETW_FLAG_EXTENDED_INFO)
          {
            /* Items as stored: u16 aligned length, u16 type, u16 linkage,
             * u16 data size, data (§3.4). */
            for (;;)
              {
                if (payload_off + 8 > size)
                  {
                    set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                               "extended data item runs past the record");
                    return -1;
                  }
                const uint8_t *it = r + payload_off;
                uint32_t item_len = etw_rd_u16 (it);
                uint16_t type = etw_rd_u16 (it + 2);
                uint16_t linkage = etw_rd_u16 (it + 4);
                uint32_t data_size = etw_rd_u16 (it + 6);

                if (item_len < 8 + data_size || payload_off + item_len > size)
                  {
                    set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                               "extended data item of %u bytes does not fit",
                               (unsigned) item_len);
                    return -1;
                  }
                if (ev->n_ext < ETW_MAX_EXT_ITEMS)
                  {
                    ev->ext[ev->n_ext].type = type;
                    ev->ext[ev->n_ext].size = (uint16_t) data_size;
                    ev->ext[ev->n_ext].data = it + 8;
                    ev->n_ext++;
                  }
                payload_off += item_len;
                if ((linkage & 1) == 0)
                  break;
              }
            attach_ext_stack (ev);
          }
        break;
      }

    case ETW_HDR_MESSAGE:
      {
        uint16_t options = etw_rd_u16 (r + 6);
        uint32_t p = 8;

        ev->id = etw_rd_u16 (r + 4);
        ev->flags |= ETW_FLAG_TRACE_MESSAGE;
        ev->xflags |= ETW_XFLAG_NO_TIMESTAMP;
        if (options & 0x0001)
          p += 4;
        if (options & 0x0002)
          {
            if (p + 16 > size)
              goto short_message;
            etw_guid_read (&ev->provider, r + p);
            p += 16;
          }
        else if (options & 0x0004)
          p += 4;
        if (options & 0x0008)
          {
            if (p + 8 > size)
              goto short_message;
            ev->raw_time = etw_rd_i64 (r + p);
            ev->xflags &= (uint16_t) ~ETW_XFLAG_NO_TIMESTAMP;
            p += 8;
          }
        if (options & 0x0020)
          {
            if (p + 8 > size)
              goto short_message;
            ev->tid = etw_rd_u32 (r + p);
            ev->pid = etw_rd_u32 (r + p + 4);
            p += 8;
          }
        if (options & 0x0040)
          ev->pointer_size = 4;
        else if (options & 0x0080)
          ev->pointer_size = 8;
        if (p > size)
          goto short_message;
        payload_off = p;
        break;
      short_message:
        set_error (err, ETL_ERR_BAD_RECORD, offset, 0, "message header cut short");
        return -1;
      }

    default:
      break;
    }

  if (payload_off > size)
    {
      set_error (err, ETL_ERR_BAD_RECORD, offset, 0,
                 "record of %u bytes is too small for its header", (unsigned) size);
      return -1;
    }
  ev->payload = r + payload_off;
  ev->payload_len = size - payload_off;
  if (file != NULL && !(ev->xflags & ETW_XFLAG_NO_TIMESTAMP))
    ev->time = etl_file_raw_to_filetime (file, ev->raw_time);

  return (long) etw_align8 (size);
}

/* Reads TRACE_LOGFILE_HEADER from the first record's payload (§5). */
static bool
parse_log_header (EtlFile  *file,
                  EtlError *err)
{
  const uint8_t *b = file->data;
  uint32_t used = etw_rd_u32 (b + 0x30);
  uint32_t bsize = etw_rd_u32 (b);
  EtwEvent ev;
  EtlError rec_err = { 0 };
  long n;

  if (used > bsize)
    used = bsize;
  /* A truncated file may end inside the first buffer. */
  if (used > file->len)
    used = (uint32_t) file->len;
  n = etl_parse_record (NULL, b, used, BUFFER_HEADER_SIZE, 0, &ev, &rec_err);
  if (n <= 0 || ev.kind != ETW_HDR_SYSTEM || ev.hook_id != 0x0000)
    {
      if (bsize > file->len)
        set_error (err, ETL_ERR_TRUNCATED, file->len, 0,
                   "the file ends after %llu bytes, inside the log-file header "
                   "(the first buffer claims %u bytes)",
                   (unsigned long long) file->len, (unsigned) bsize);
      else
        set_error (err, ETL_ERR_NOT_ETL, BUFFER_HEADER_SIZE, 0,
                   "the first record is not an .etl log-file header");
      return false;
    }

  const uint8_t *p = ev.payload;
  uint32_t len = ev.payload_len;
  bool is64 = ev.pointer_size == 8;
  /* Offsets of the fields after the two pointer-sized name fields. */
  uint32_t o_tz = is64 ? 0x48 : 0x40;
  uint32_t o_boot = is64 ? 0xF8 : 0xF0;
  uint32_t o_names = is64 ? 0x118 : 0x110;

  if (len < o_names)
    {
      set_error (err, ETL_ERR_NOT_ETL, BUFFER_HEADER_SIZE, 0,
                 "log-file header is %u bytes, %u needed", (unsigned) len, (unsigned) o_names);
      return false;
    }

  EtlLogInfo *info = &file->info;
  info->buffer_size = etw_rd_u32 (p);
  info->os_major = p[4];
  info->os_minor = p[5];
  info->layout_major = p[6];
  info->layout_minor = p[7];
  info->os_build = etw_rd_u32 (p + 8);
  info->n_cpus = etw_rd_u32 (p + 0x0C);
  info->end_time = etw_rd_i64 (p + 0x10);
  info->timer_resolution = etw_rd_u32 (p + 0x18);
  info->max_file_size = etw_rd_u32 (p + 0x1C);
  info->log_file_mode = etw_rd_u32 (p + 0x20);
  info->buffers_written = etw_rd_u32 (p + 0x24);
  info->start_buffers = etw_rd_u32 (p + 0x28);
  info->pointer_size = etw_rd_u32 (p + 0x2C);
  info->events_lost = etw_rd_u32 (p + 0x30);
  info->cpu_mhz = etw_rd_u32 (p + 0x34);
  info->tz_bias = (int32_t) etw_rd_u32 (p + o_tz);
  info->boot_time = etw_rd_i64 (p + o_boot);
  info->perf_freq = etw_rd_i64 (p + o_boot + 8);
  info->start_time = etw_rd_i64 (p + o_boot + 16);
  info->clock_type = etw_rd_u32 (p + o_boot + 24);
  info->buffers_lost = etw_rd_u32 (p + o_boot + 28);
  info->header_raw_time = ev.raw_time;
  info->header_type = ev.header_type;

  size_t used_bytes = etw_utf16_to_utf8 (p + o_names, len - o_names, info->logger_name,
                                         sizeof info->logger_name);
  if (o_names + used_bytes < len)
    etw_utf16_to_utf8 (p + o_names + used_bytes, len - o_names - used_bytes,
                       info->log_file_name, sizeof info->log_file_name);

  switch (info->clock_type)
    {
    case ETL_CLOCK_SYSTEM:
      file->clock_freq = 10000000;
      break;
    case ETL_CLOCK_CYCLE:
      file->clock_freq = info->cpu_mhz > 0 ? (int64_t) info->cpu_mhz * 1000000 : 10000000;
      break;
    default:
      file->clock_freq = info->perf_freq > 0 ? info->perf_freq : 10000000;
      break;
    }
  return true;
}

EtlFile *
etl_file_open (const uint8_t *data,
               uint64_t       len,
               EtlError      *err)
{
  EtlFile *file;
  uint64_t off = 0;
  uint32_t cap;

  if (err != NULL)
    memset (err, 0, sizeof *err);
  if (len < BUFFER_HEADER_SIZE + 0x20)
    {
      set_error (err, ETL_ERR_NOT_ETL, 0, 0,
                 "file of %llu bytes is too small to be an .etl file", (unsigned long long) len);
      return NULL;
    }
  /* A first buffer longer than the file is a truncated file: it opens
   * when its log-file header is whole, and the walk reports the cut. */
  if (etw_rd_u32 (data) < BUFFER_HEADER_SIZE ||
      etw_rd_u16 (data + 0x36) != 4 /* HEADER buffer */)
    {
      set_error (err, ETL_ERR_NOT_ETL, 0, 0, "no .etl header buffer at the start of the file");
      return NULL;
    }

  file = calloc (1, sizeof *file);
  if (file == NULL)
    {
      set_error (err, ETL_ERR_NO_MEMORY, 0, 0, "out of memory");
      return NULL;
    }
  file->data = data;
  file->len = len;

  if (!parse_log_header (file, err))
    {
      free (file);
      return NULL;
    }

  /* Every buffer is at least a header, so the file size bounds the count. */
  cap = 64;
  file->buffers = malloc (cap * sizeof *file->buffers);
  if (file->buffers == NULL)
    {
      free (file);
      set_error (err, ETL_ERR_NO_MEMORY, 0, 0, "out of memory");
      return NULL;
    }

  while (off < len)
    {
      const uint8_t *b = data + off;
      uint32_t bsize, used;
      uint16_t flags;

      if (len - off < BUFFER_HEADER_SIZE)
        {
          set_error (&file->walk_error, ETL_ERR_TRUNCATED, off, file->n_buffers,
                     "file ends %llu bytes into a buffer header at offset %llu",
                     (unsigned long long) (len - off), (unsigned long long) off);
          break;
        }
      bsize = etw_rd_u32 (b);
      used = etw_rd_u32 (b + 0x30);
      flags = etw_rd_u16 (b + 0x34);
      if (bsize < BUFFER_HEADER_SIZE)
        {
          set_error (&file->walk_error, ETL_ERR_BAD_BUFFER, off, file->n_buffers,
                     "buffer %u at offset %llu claims a size of %u bytes",
                     (unsigned) file->n_buffers, (unsigned long long) off, (unsigned) bsize);
          break;
        }
      /* A cut file: keep what is left of its last buffer, whose records
       * before the cut are good, and say where the file ends. */
      bool cut = bsize > len - off;
      if (cut)
        {
          if (file->walk_error.code == ETL_OK)
            set_error (&file->walk_error, ETL_ERR_TRUNCATED, len, file->n_buffers,
                       "buffer %u at offset %llu needs %u bytes, the file ends after %llu",
                       (unsigned) file->n_buffers, (unsigned long long) off, (unsigned) bsize,
                       (unsigned long long) (len - off));
          bsize = (uint32_t) (len - off);
        }
      if (used < BUFFER_HEADER_SIZE || used > MAX_BUFFER_USED ||
          (!(flags & ETL_BUFFER_COMPRESSED) && used > bsize && !cut))
        {
          /* The buffer's own size still lets us step over it. */
          if (file->walk_error.code == ETL_OK)
            set_error (&file->walk_error, ETL_ERR_BAD_BUFFER, off, file->n_buffers,
                       "buffer %u at offset %llu has a used size of %u bytes (buffer is %u)",
                       (unsigned) file->n_buffers, (unsigned long long) off, (unsigned) used,
                       (unsigned) bsize);
          used = BUFFER_HEADER_SIZE;  /* keep it, empty */
        }
      else if (cut && !(flags & ETL_BUFFER_COMPRESSED) && used > bsize)
        used = bsize;

      if (file->n_buffers == cap)
        {
          EtlBuffer *nb;
          cap *= 2;
          nb = realloc (file->buffers, cap * sizeof *nb);
          if (nb == NULL)
            {
              set_error (&file->walk_error, ETL_ERR_NO_MEMORY, off, file->n_buffers,
                         "out of memory");
              break;
            }
          file->buffers = nb;
        }

      EtlBuffer *buf = &file->buffers[file->n_buffers++];
      buf->file_offset = off;
      buf->size = bsize;
      buf->used = used;
      buf->flags = flags;
      buf->type = etw_rd_u16 (b + 0x36);
      /* Windows 8+ sets PROC_INDEX and stores a u16; Windows 7 stores the
       * CPU as a byte followed by an alignment byte of 8 (§2, §7). */
      if (flags & ETL_BUFFER_PROC_INDEX)
        buf->cpu = etw_rd_u16 (b + 0x28) & 0x07FF;
      else
        buf->cpu = b[0x28];
      if (used > file->max_used)
        file->max_used = used;
      off += bsize;
    }

  /* A file cut at a buffer boundary looks whole, but its header says how
   * many buffers were written (circular files reuse theirs: no check). */
  if (file->walk_error.code == ETL_OK && file->info.buffers_written > file->n_buffers &&
      !(file->info.log_file_mode & 0x2 /* EVENT_TRACE_FILE_MODE_CIRCULAR */))
    set_error (&file->walk_error, ETL_ERR_TRUNCATED, len, file->n_buffers,
               "the file holds %u of the %u buffers its header announces",
               (unsigned) file->n_buffers, (unsigned) file->info.buffers_written);

  return file;
}

void
etl_file_free (EtlFile *file)
{
  if (file == NULL)
    return;
  free (file->buffers);
  free (file);
}

const EtlLogInfo *
etl_file_info (const EtlFile *file)
{
  return &file->info;
}

uint32_t
etl_file_n_buffers (const EtlFile *file)
{
  return file->n_buffers;
}

const EtlBuffer *
etl_file_buffer (const EtlFile *file,
                 uint32_t       index)
{
  return index < file->n_buffers ? &file->buffers[index] : NULL;
}

const EtlError *
etl_file_error (const EtlFile *file)
{
  return &file->walk_error;
}

const uint8_t *
etl_file_data (const EtlFile *file,
               uint64_t      *len)
{
  if (len != NULL)
    *len = file->len;
  return file->data;
}

/* Returns the event area of a buffer and its used size: the file bytes,
 * or `scratch` filled by inflating a compressed buffer. NULL when it
 * cannot be read. A stream that ends early (a cut file) still gives the
 * records it holds, with err set. */
static const uint8_t *
buffer_area (const EtlFile *file,
             uint32_t       index,
             uint8_t       *scratch,
             uint32_t      *used,
             EtlError      *err)
{
  const EtlBuffer *buf = &file->buffers[index];
  const uint8_t *b = file->data + buf->file_offset;

  *used = buf->used;
  if (!(buf->flags & ETL_BUFFER_COMPRESSED))
    return b;

  /* Compressed: the 0x48-byte header is plain and [0x48, size) is one
   * LZ77 stream that inflates to exactly Offset - 0x48 bytes (§9). */
  long want = (long) buf->used - BUFFER_HEADER_SIZE;
  size_t in_len = buf->size - BUFFER_HEADER_SIZE, consumed = 0;
  memcpy (scratch, b, BUFFER_HEADER_SIZE);
  long got = etw_xpress_decompress_n (b + BUFFER_HEADER_SIZE, in_len,
                                      scratch + BUFFER_HEADER_SIZE, (size_t) want, &consumed);
  /* Intact streams are read to their end, bar one last empty flag word.
   * A stream that fills the area early was damaged (typically a match
   * grew and shifted what follows), though every record still parses. */
  if (got == want && in_len - consumed > 4)
    set_error (err, ETL_ERR_DECOMPRESS, buf->file_offset + BUFFER_HEADER_SIZE + consumed, index,
               "compressed buffer %u at offset %llu fills its %ld bytes with %llu bytes "
               "of input left over",
               (unsigned) index, (unsigned long long) buf->file_offset, want,
               (unsigned long long) (in_len - consumed));
  if (got != want)
    {
      set_error (err, ETL_ERR_DECOMPRESS, buf->file_offset + BUFFER_HEADER_SIZE, index,
                 "compressed buffer %u at offset %llu inflates to %ld of %ld bytes",
                 (unsigned) index, (unsigned long long) buf->file_offset,
                 got < 0 ? 0 : got, want);
      if (got < 0)
        return NULL;
      *used = BUFFER_HEADER_SIZE + (uint32_t) got;
    }
  return scratch;
}

/* One per-CPU stream (or the single file-order stream). */
typedef struct
{
  uint32_t      *buffers;   /* indices into file->buffers */
  uint32_t       n_buffers;
  uint32_t       next_buffer;
  const uint8_t *area;      /* current buffer's event area, or NULL */
  uint32_t       cur_buffer;
  uint32_t       used;
  uint32_t       pos;
  uint8_t       *scratch;
  uint32_t       scratch_size;
  int64_t        last_raw;
  EtwEvent       ev;        /* the peeked event */
  bool           has_ev;
} Stream;

struct EtlIter
{
  const EtlFile *file;
  EtlPrefilter   prefilter;
  void          *prefilter_data;
  EtlOrder       order;
  Stream        *streams;
  uint32_t       n_streams;
  uint32_t      *index_pool;
  uint32_t      *heap;      /* stream indices ordered by their peeked event */
  uint32_t       heap_len;
  Stream        *last;      /* stream whose event was returned last */
  EtlError       error;
  uint32_t       n_errors;
  uint64_t       position;
  uint64_t       scratch_total;  /* bytes of all streams' scratch */
  bool           started;
};

static void
iter_record_error (EtlIter        *iter,
                   const EtlError *e)
{
  if (iter->n_errors++ == 0)
    iter->error = *e;
}

/* Advances a stream to its next record, loading buffers as needed. */
static bool
stream_fill (EtlIter *iter,
             Stream  *s)
{
  const EtlFile *file = iter->file;

  s->has_ev = false;
  for (;;)
    {
      if (s->area == NULL)
        {
          if (s->next_buffer >= s->n_buffers)
            return false;
          EtlError err = { 0 };
          s->cur_buffer = s->buffers[s->next_buffer++];
          const EtlBuffer *buf = &file->buffers[s->cur_buffer];
          if (buf->flags & ETL_BUFFER_COMPRESSED && s->scratch_size < buf->used)
            {
              /* Sized by this buffer's claim, within the iterator's total. */
              uint8_t *scratch = NULL;
              if (iter->scratch_total - s->scratch_size + buf->used <= MAX_SCRATCH_TOTAL)
                scratch = realloc (s->scratch, buf->used);
              if (scratch == NULL)
                {
                  set_error (&err, ETL_ERR_NO_MEMORY, buf->file_offset, s->cur_buffer,
                             "compressed buffer %u claims %u bytes once inflated; with the "
                             "other CPUs' buffers that is more than %u MiB, buffer skipped",
                             (unsigned) s->cur_buffer, (unsigned) buf->used,
                             MAX_SCRATCH_TOTAL / (1024u * 1024u));
                  iter_record_error (iter, &err);
                  continue;
                }
              iter->scratch_total += buf->used - s->scratch_size;
              s->scratch = scratch;
              s->scratch_size = buf->used;
            }
          s->area = buffer_area (file, s->cur_buffer, s->scratch, &s->used, &err);
          if (err.code != ETL_OK)
            iter_record_error (iter, &err);
          if (s->area == NULL)
            continue;
          s->pos = BUFFER_HEADER_SIZE;
          if (buf->file_offset + buf->size > iter->position)
            iter->position = buf->file_offset + buf->size;
        }

      EtlError err = { 0 };
      long n;

      /* A prefilter looks at the raw header and skips what it does not
       * want without the full parse (damage still goes to the parser). */
      if (iter->prefilter != NULL && s->pos + 8 <= s->used)
        {
          const uint8_t *r = s->area + s->pos;
          uint32_t marker = etw_rd_u32 (r);
          if (marker != 0xFFFFFFFFu && (marker & 0xC0000000u) == 0xC0000000u)
            {
              uint8_t ht = (uint8_t) (marker >> 16);
              uint32_t size = header_type_is_kernel (ht) ? etw_rd_u16 (r + 4) : etw_rd_u16 (r);
              if (size >= 8 && size <= s->used - s->pos &&
                  !iter->prefilter (r, size, iter->prefilter_data))
                {
                  s->pos += etw_align8 (size);
                  continue;
                }
            }
        }
      n = etl_parse_record (file, s->area, s->used, s->pos, file->buffers[s->cur_buffer].cpu,
                            &s->ev, &err);
      if (n > 0)
        {
          s->ev.buffer_index = s->cur_buffer;
          if (s->ev.xflags & ETW_XFLAG_NO_TIMESTAMP)
            {
              s->ev.raw_time = s->last_raw;
              s->ev.time = etl_file_raw_to_filetime (file, s->ev.raw_time);
            }
          s->last_raw = s->ev.raw_time;
          if (s->cur_buffer == 0 && s->pos == BUFFER_HEADER_SIZE)
            s->ev.xflags |= ETW_XFLAG_LOG_HEADER;
          s->pos += (uint32_t) n;
          s->has_ev = true;
          return true;
        }
      if (n < 0)
        {
          const EtlBuffer *buf = &file->buffers[s->cur_buffer];
          /* Offsets in an inflated buffer have no file position; report
           * the buffer's start then. */
          err.offset = (buf->flags & ETL_BUFFER_COMPRESSED) ? buf->file_offset
                                                            : buf->file_offset + s->pos;
          err.buffer = s->cur_buffer;
          char msg[sizeof err.message];
          snprintf (msg, sizeof msg, "buffer %u, record at +0x%x: %.120s; rest of the buffer skipped",
                    (unsigned) s->cur_buffer, (unsigned) s->pos, err.message);
          memcpy (err.message, msg, sizeof msg);
          iter_record_error (iter, &err);
        }
      s->area = NULL;
    }
}

static bool
stream_before (const Stream *a,
               const Stream *b)
{
  if (a->ev.raw_time != b->ev.raw_time)
    return a->ev.raw_time < b->ev.raw_time;
  if (a->cur_buffer != b->cur_buffer)
    return a->cur_buffer < b->cur_buffer;
  return a->ev.buffer_offset < b->ev.buffer_offset;
}

static void
heap_sift_down (EtlIter *iter,
                uint32_t i)
{
  for (;;)
    {
      uint32_t l = 2 * i + 1, r = l + 1, m = i;
      if (l < iter->heap_len &&
          stream_before (&iter->streams[iter->heap[l]], &iter->streams[iter->heap[m]]))
        m = l;
      if (r < iter->heap_len &&
          stream_before (&iter->streams[iter->heap[r]], &iter->streams[iter->heap[m]]))
        m = r;
      if (m == i)
        return;
      uint32_t t = iter->heap[i];
      iter->heap[i] = iter->heap[m];
      iter->heap[m] = t;
      i = m;
    }
}

EtlIter *
etl_iter_new (const EtlFile *file,
              EtlOrder       order)
{
  EtlIter *iter = calloc (1, sizeof *iter);
  uint32_t counts[MAX_CPUS] = { 0 };

  if (iter == NULL)
    return NULL;
  iter->file = file;
  iter->order = order;
  if (file->walk_error.code != ETL_OK)
    {
      iter->error = file->walk_error;
      iter->n_errors = 1;
    }

  iter->index_pool = malloc ((file->n_buffers + 1) * sizeof *iter->index_pool);
  if (iter->index_pool == NULL)
    goto fail;

  if (order == ETL_ORDER_FILE)
    {
      iter->n_streams = 1;
      iter->streams = calloc (1, sizeof *iter->streams);
      if (iter->streams == NULL)
        goto fail;
      for (uint32_t i = 0; i < file->n_buffers; i++)
        iter->index_pool[i] = i;
      iter->streams[0].buffers = iter->index_pool;
      iter->streams[0].n_buffers = file->n_buffers;
    }
  else
    {
      uint32_t stream_of_cpu[MAX_CPUS];
      uint32_t n = 0, pos = 0;

      /* Counting sort of the buffers by CPU; file order is kept inside
       * each stream, which is the order the CPU wrote them (§6). */
      for (uint32_t i = 0; i < file->n_buffers; i++)
        counts[file->buffers[i].cpu % MAX_CPUS]++;
      for (uint32_t c = 0; c < MAX_CPUS; c++)
        if (counts[c] > 0)
          n++;
      iter->n_streams = n;
      iter->streams = calloc (n > 0 ? n : 1, sizeof *iter->streams);
      if (iter->streams == NULL)
        goto fail;
      n = 0;
      for (uint32_t c = 0; c < MAX_CPUS; c++)
        {
          if (counts[c] == 0)
            continue;
          stream_of_cpu[c] = n;
          iter->streams[n].buffers = iter->index_pool + pos;
          pos += counts[c];
          n++;
        }
      for (uint32_t i = 0; i < file->n_buffers; i++)
        {
          Stream *s = &iter->streams[stream_of_cpu[file->buffers[i].cpu % MAX_CPUS]];
          s->buffers[s->n_buffers++] = i;
        }
    }

  iter->heap = malloc ((iter->n_streams + 1) * sizeof *iter->heap);
  if (iter->heap == NULL)
    goto fail;
  return iter;

fail:
  etl_iter_free (iter);
  return NULL;
}

void
etl_iter_set_prefilter (EtlIter      *iter,
                        EtlPrefilter  prefilter,
                        void         *data)
{
  iter->prefilter = prefilter;
  iter->prefilter_data = data;
}

EtlIter *
etl_iter_new_range (const EtlFile *file,
                    uint32_t       first,
                    uint32_t       end)
{
  EtlIter *iter = etl_iter_new (file, ETL_ORDER_FILE);

  if (iter == NULL)
    return NULL;
  if (end > file->n_buffers)
    end = file->n_buffers;
  if (first > end)
    first = end;
  iter->streams[0].buffers = iter->index_pool + first;
  iter->streams[0].n_buffers = end - first;
  return iter;
}

void
etl_iter_free (EtlIter *iter)
{
  if (iter == NULL)
    return;
  for (uint32_t i = 0; iter->streams != NULL && i < iter->n_streams; i++)
    free (iter->streams[i].scratch);
  free (iter->streams);
  free (iter->index_pool);
  free (iter->heap);
  free (iter);
}

bool
etl_iter_next (EtlIter  *iter,
               EtwEvent *ev)
{
  if (!iter->started)
    {
      iter->started = true;
      iter->heap_len = 0;
      for (uint32_t i = 0; i < iter->n_streams; i++)
        if (stream_fill (iter, &iter->streams[i]))
          iter->heap[iter->heap_len++] = i;
      for (uint32_t i = iter->heap_len / 2; i-- > 0;)
        heap_sift_down (iter, i);
    }
  else if (iter->last != NULL)
    {
      /* Refill the stream whose event the caller has now finished with. */
      if (stream_fill (iter, iter->last))
        heap_sift_down (iter, 0);
      else
        {
          iter->heap[0] = iter->heap[--iter->heap_len];
          if (iter->heap_len > 0)
            heap_sift_down (iter, 0);
        }
      iter->last = NULL;
    }

  if (iter->heap_len == 0)
    return false;
  iter->last = &iter->streams[iter->heap[0]];
  *ev = iter->last->ev;
  return true;
}

const EtlError *
etl_iter_error (const EtlIter *iter)
{
  return &iter->error;
}

uint32_t
etl_iter_n_errors (const EtlIter *iter)
{
  return iter->n_errors;
}

uint64_t
etl_iter_position (const EtlIter *iter)
{
  return iter->position;
}

/* Inflated buffers kept per accessor. Time-ordered reads visit every CPU's
 * current buffer in turn, so the cache needs a few slots per CPU; its byte
 * budget keeps 1 MiB-buffer traces in check. */
#define ACCESS_CACHE_BYTES (24u << 20)
#define ACCESS_CACHE_MIN 4
#define ACCESS_CACHE_MAX 256

typedef struct
{
  uint32_t buffer;
  uint32_t used;
  uint8_t *data;
  bool     valid;
} AccessSlot;

struct EtlAccess
{
  const EtlFile *file;
  AccessSlot    *slots;
  uint32_t       n_slots;
  uint32_t       next_slot;
  uint16_t      *slot_of;   /* buffer index -> slot + 1, 0 = not cached */
};

EtlAccess *
etl_access_new (const EtlFile *file)
{
  EtlAccess *access = calloc (1, sizeof *access);
  uint32_t n;

  if (access == NULL)
    return NULL;
  access->file = file;
  n = file->max_used > 0 ? ACCESS_CACHE_BYTES / file->max_used : ACCESS_CACHE_MAX;
  if (n < ACCESS_CACHE_MIN)
    n = ACCESS_CACHE_MIN;
  if (n > ACCESS_CACHE_MAX)
    n = ACCESS_CACHE_MAX;
  access->n_slots = n;
  access->slots = calloc (n, sizeof *access->slots);
  access->slot_of = calloc (file->n_buffers + 1, sizeof *access->slot_of);
  if (access->slots == NULL || access->slot_of == NULL)
    {
      etl_access_free (access);
      return NULL;
    }
  return access;
}

void
etl_access_free (EtlAccess *access)
{
  if (access == NULL)
    return;
  for (unsigned i = 0; access->slots != NULL && i < access->n_slots; i++)
    free (access->slots[i].data);
  free (access->slots);
  free (access->slot_of);
  free (access);
}

bool
etl_access_read (EtlAccess *access,
                 uint32_t   buffer,
                 uint32_t   offset,
                 EtwEvent  *ev)
{
  const EtlFile *file = access->file;
  const uint8_t *area = NULL;
  uint32_t used;
  EtlError err = { 0 };

  if (buffer >= file->n_buffers)
    return false;
  const EtlBuffer *buf = &file->buffers[buffer];
  used = buf->used;
  if (!(buf->flags & ETL_BUFFER_COMPRESSED))
    area = file->data + buf->file_offset;
  else if (access->slot_of[buffer] != 0)
    {
      AccessSlot *s = &access->slots[access->slot_of[buffer] - 1];
      area = s->data;
      used = s->used;
    }
  else
    {
      uint32_t slot = access->next_slot++ % access->n_slots;
      AccessSlot *s = &access->slots[slot];

      if (s->valid)
        access->slot_of[s->buffer] = 0;
      s->valid = false;
      if (s->data == NULL)
        s->data = malloc (file->max_used);
      if (s->data == NULL)
        return false;
      area = buffer_area (file, buffer, s->data, &used, &err);
      if (area == NULL)
        return false;
      s->buffer = buffer;
      s->used = used;
      s->valid = true;
      access->slot_of[buffer] = (uint16_t) (slot + 1);
    }

  if (etl_parse_record (file, area, used, offset, buf->cpu, ev, &err) <= 0)
    return false;
  ev->buffer_index = buffer;
  if (buffer == 0 && offset == BUFFER_HEADER_SIZE)
    ev->xflags |= ETW_XFLAG_LOG_HEADER;
  return true;
}
