/* etw-record.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-record.h"

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-guid.h"

#include <string.h>

#define EVENT_HEADER_SIZE 0x50
#define INFO_SIZE 32  /* data bytes of the private item */
/* Marks the payload as an etwscope field list (EventProperty bits 0x1…0x8
 * are Windows'). */
#define PROPERTY_FIELD_LIST 0x4000

static uint32_t
item_size (uint32_t data)
{
  return etw_align8 (8 + data);
}

size_t
etw_record_size (const EtwEvent *ev)
{
  size_t n = EVENT_HEADER_SIZE + item_size (INFO_SIZE);

  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].type != ETW_EXT_STACK_TRACE32 && ev->ext[i].type != ETW_EXT_STACK_TRACE64)
      n += item_size (ev->ext[i].size);
  if (ev->n_frames > 0)
    n += item_size (8 + 8 * ev->n_frames);
  n += ev->payload_len;
  return etw_align8 ((uint32_t) (n > 0xFFFFFFF0u ? 0xFFFFFFF0u : n));
}

static uint8_t *
put_item (uint8_t       *p,
          uint16_t       type,
          const uint8_t *data,
          uint32_t       size,
          bool           more)
{
  uint32_t len = item_size (size);

  etw_wr_u16 (p, (uint16_t) len);
  etw_wr_u16 (p + 2, type);
  etw_wr_u16 (p + 4, more ? 1 : 0);
  etw_wr_u16 (p + 6, (uint16_t) size);
  if (size > 0)
    memcpy (p + 8, data, size);
  memset (p + 8 + size, 0, len - 8 - size);
  return p + len;
}

size_t
etw_record_write (const EtwEvent *ev,
                  uint8_t        *out,
                  size_t          cap)
{
  uint32_t frames = ev->n_frames;
  uint32_t fixed = EVENT_HEADER_SIZE + item_size (INFO_SIZE);
  uint32_t ext_bytes = 0, payload_len;
  uint8_t info[INFO_SIZE];
  uint8_t *p;
  uint32_t n_items;
  size_t total;

  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].type != ETW_EXT_STACK_TRACE32 && ev->ext[i].type != ETW_EXT_STACK_TRACE64)
      ext_bytes += item_size (ev->ext[i].size);
  if (frames > 1024)
    frames = 1024;
  if (frames > 0)
    ext_bytes += item_size (8 + 8 * frames);
  if (fixed + ext_bytes > ETW_RECORD_MAX)
    return 0;
  payload_len = ev->payload_len;
  if (fixed + ext_bytes + payload_len > ETW_RECORD_MAX)
    payload_len = ETW_RECORD_MAX - fixed - ext_bytes;
  total = etw_align8 (fixed + ext_bytes + payload_len);
  if (cap < total)
    return 0;

  p = out;
  etw_wr_u16 (p, (uint16_t) (fixed + ext_bytes + payload_len));
  p[2] = ev->pointer_size == 4 ? 0x12 : 0x13;
  p[3] = 0xC0;
  etw_wr_u16 (p + 4, (uint16_t) ((ev->flags & 0x001E) | ETW_FLAG_EXTENDED_INFO));
  etw_wr_u16 (p + 6, (uint16_t) ((ev->event_property & 0x00FF) |
                                 ((ev->xflags & ETW_XFLAG_FIELD_LIST) ? PROPERTY_FIELD_LIST : 0)));
  etw_wr_u32 (p + 8, ev->tid);
  etw_wr_u32 (p + 12, ev->pid);
  etw_wr_u64 (p + 16, (uint64_t) ev->raw_time);
  etw_guid_write (&ev->provider, p + 0x18);
  etw_wr_u16 (p + 0x28, ev->id);
  p[0x2A] = ev->version;
  p[0x2B] = ev->channel;
  p[0x2C] = ev->level;
  p[0x2D] = ev->opcode;
  etw_wr_u16 (p + 0x2E, ev->task);
  etw_wr_u64 (p + 0x30, ev->keyword);
  etw_wr_u32 (p + 0x38, ev->kernel_time);
  etw_wr_u32 (p + 0x3C, ev->user_time);
  etw_guid_write (&ev->activity_id, p + 0x40);
  p += EVENT_HEADER_SIZE;

  memset (info, 0, sizeof info);
  etw_wr_u32 (info, ev->cpu);
  info[4] = ev->kind;
  info[5] = ev->origin;
  info[6] = ev->header_type;
  etw_wr_u16 (info + 8, ev->hook_id);
  etw_wr_u16 (info + 10, ev->xflags);
  etw_wr_u16 (info + 12, ev->flags);
  etw_wr_u64 (info + 16, (uint64_t) ev->time);

  n_items = 1;
  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].type != ETW_EXT_STACK_TRACE32 && ev->ext[i].type != ETW_EXT_STACK_TRACE64)
      n_items++;
  if (frames > 0)
    n_items++;

  p = put_item (p, ETW_EXT_ETWSCOPE_INFO, info, INFO_SIZE, --n_items > 0);
  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].type != ETW_EXT_STACK_TRACE32 && ev->ext[i].type != ETW_EXT_STACK_TRACE64)
      p = put_item (p, ev->ext[i].type, ev->ext[i].data, ev->ext[i].size, --n_items > 0);
  if (frames > 0)
    {
      /* Frames are always kept as 8-byte values (STACK_TRACE64). */
      uint32_t size = 8 + 8 * frames;
      uint32_t len = item_size (size);
      etw_wr_u16 (p, (uint16_t) len);
      etw_wr_u16 (p + 2, ETW_EXT_STACK_TRACE64);
      etw_wr_u16 (p + 4, 0);
      etw_wr_u16 (p + 6, (uint16_t) size);
      memset (p + 8, 0, 8);
      for (uint32_t i = 0; i < frames; i++)
        {
          uint64_t a = ev->frame_size == 8 ? etw_rd_u64 (ev->stack + 8 * i)
                                           : etw_rd_u32 (ev->stack + 4 * i);
          etw_wr_u64 (p + 16 + 8 * i, a);
        }
      memset (p + 8 + size, 0, len - 8 - size);
      p += len;
    }
  if (payload_len > 0)
    memcpy (p, ev->payload, payload_len);
  p += payload_len;
  memset (p, 0, total - (size_t) (p - out));
  return total;
}

bool
etw_record_read (const uint8_t *rec,
                 size_t         len,
                 EtwEvent      *ev)
{
  EtlError err;
  uint32_t used = len > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t) len;

  if (etl_parse_record (NULL, rec, used, 0, 0, ev, &err) <= 0)
    return false;
  for (uint32_t i = 0; i < ev->n_ext; i++)
    {
      const EtwExtItem *it = &ev->ext[i];
      if (it->type != ETW_EXT_ETWSCOPE_INFO || it->size < INFO_SIZE)
        continue;
      ev->cpu = etw_rd_u32 (it->data);
      ev->kind = it->data[4];
      ev->origin = it->data[5];
      ev->header_type = it->data[6];
      ev->hook_id = etw_rd_u16 (it->data + 8);
      ev->xflags = etw_rd_u16 (it->data + 10);
      ev->flags = etw_rd_u16 (it->data + 12);
      ev->time = (int64_t) etw_rd_u64 (it->data + 16);
      /* Hide our item from consumers of ext[]. */
      memmove (&ev->ext[i], &ev->ext[i + 1], (ev->n_ext - i - 1) * sizeof ev->ext[0]);
      ev->n_ext--;
      break;
    }
  if (ev->event_property & PROPERTY_FIELD_LIST)
    {
      ev->xflags |= ETW_XFLAG_FIELD_LIST;
      ev->event_property &= (uint16_t) ~PROPERTY_FIELD_LIST;
    }
  if (ev->n_frames > 0)
    ev->flags |= ETW_FLAG_EXTENDED_INFO;
  ev->record = rec;
  ev->record_len = (uint32_t) len;
  return true;
}
