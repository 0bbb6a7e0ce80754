/* etw-win-convert.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-win-convert.h"

#include "etw-providers.h"

#include <string.h>

#define FILETIME_PER_SECOND 10000000

void
etw_win_clock_init (EtwWinClock *clock,
                    int64_t      freq,
                    int64_t      q0,
                    int64_t      t0)
{
  clock->freq = freq;
  clock->q0 = q0;
  clock->t0 = t0;
  clock->pointer_size = sizeof (void *);
}

void
etw_win_clock_init_live (EtwWinClock *clock)
{
  LARGE_INTEGER freq, qpc;
  FILETIME now;

  QueryPerformanceFrequency (&freq);
  QueryPerformanceCounter (&qpc);
  GetSystemTimePreciseAsFileTime (&now);
  etw_win_clock_init (clock, freq.QuadPart, qpc.QuadPart,
                      (int64_t) ((uint64_t) now.dwHighDateTime << 32 | now.dwLowDateTime));
}

int64_t
etw_win_clock_to_filetime (const EtwWinClock *clock,
                           int64_t            raw)
{
  int64_t d, f = clock->freq;

  if (f <= 0)
    return raw;
  d = raw - clock->q0;
  if (f == FILETIME_PER_SECOND)
    return clock->t0 + d;
  /* Split so that d * 10^7 cannot overflow (same rounding as the .etl
   * reader: toward zero). */
  return clock->t0 + d / f * FILETIME_PER_SECOND + (d % f) * FILETIME_PER_SECOND / f;
}

static void
guid_from_win (EtwGuid    *out,
               const GUID *in)
{
  out->data1 = in->Data1;
  out->data2 = in->Data2;
  out->data3 = in->Data3;
  memcpy (out->data4, in->Data4, 8);
}

/* Extended items: kept as views (up to ETW_MAX_EXT_ITEMS), and a stack item
 * becomes the event's frames wherever it sits in the array. */
static void
convert_extended (const EVENT_RECORD *rec,
                  EtwEvent           *ev)
{
  const EVENT_HEADER_EXTENDED_DATA_ITEM *items = rec->ExtendedData;

  if (items == NULL)
    return;
  for (USHORT i = 0; i < rec->ExtendedDataCount; i++)
    {
      const EVENT_HEADER_EXTENDED_DATA_ITEM *it = &items[i];
      const uint8_t *data = (const uint8_t *) (uintptr_t) it->DataPtr;
      unsigned frame_size = 0;

      if (data == NULL && it->DataSize > 0)
        continue;
      if (ev->n_ext < ETW_MAX_EXT_ITEMS)
        {
          ev->ext[ev->n_ext].type = it->ExtType;
          ev->ext[ev->n_ext].size = it->DataSize;
          ev->ext[ev->n_ext].data = data;
          ev->n_ext++;
        }
      if (it->ExtType == ETW_EXT_STACK_TRACE64)
        frame_size = 8;
      else if (it->ExtType == ETW_EXT_STACK_TRACE32)
        frame_size = 4;
      else if (it->ExtType == ETW_EXT_EVENT_SCHEMA_TL)
        ev->xflags |= ETW_XFLAG_TRACELOGGING;

      /* u64 MatchId, then the addresses. */
      if (frame_size != 0 && it->DataSize >= 8 && ev->stack == NULL)
        {
          ev->stack = data + 8;
          ev->frame_size = (uint8_t) frame_size;
          ev->n_frames = (it->DataSize - 8u) / frame_size;
        }
    }
}

bool
etw_win_convert (const EVENT_RECORD *rec,
                 const EtwWinClock  *clock,
                 EtwEvent           *ev)
{
  const EVENT_HEADER *h;
  const EVENT_DESCRIPTOR *d;
  int group;

  if (rec == NULL || (rec->UserData == NULL && rec->UserDataLength > 0))
    return false;
  h = &rec->EventHeader;
  d = &h->EventDescriptor;

  memset (ev, 0, sizeof *ev);
  ev->raw_time = h->TimeStamp.QuadPart;
  ev->time = etw_win_clock_to_filetime (clock, ev->raw_time);
  guid_from_win (&ev->provider, &h->ProviderId);
  guid_from_win (&ev->activity_id, &h->ActivityId);
  ev->keyword = d->Keyword;
  ev->pid = h->ProcessId;
  ev->tid = h->ThreadId;
  ev->cpu = (h->Flags & EVENT_HEADER_FLAG_PROCESSOR_INDEX) ? rec->BufferContext.ProcessorIndex
                                                           : rec->BufferContext.ProcessorNumber;
  /* For private sessions and NO_CPUTIME the pair is one ProcessorTime;
   * the two halves are kept as they are either way. */
  ev->kernel_time = h->KernelTime;
  ev->user_time = h->UserTime;
  ev->id = d->Id;
  ev->task = d->Task;
  ev->flags = h->Flags;
  ev->event_property = h->EventProperty;
  ev->version = d->Version;
  ev->channel = d->Channel;
  ev->level = d->Level;
  ev->opcode = d->Opcode;
  /* header_type 0 and the origin say "live"; kind says what header the
   * same event has in an .etl file (set below), so that decode/ and the
   * ingest treat both alike. */
  ev->header_type = 0;
  ev->kind = (h->Flags & EVENT_HEADER_FLAG_CLASSIC_HEADER) ? ETW_HDR_CLASSIC : ETW_HDR_EVENT;
  ev->origin = ETW_ORIGIN_ETW_LIVE;

  /* Pointer size is the event's own (a WOW64 provider logs 4-byte
   * pointers into a 64-bit session); the header says which. */
  if (h->Flags & EVENT_HEADER_FLAG_32_BIT_HEADER)
    ev->pointer_size = 4;
  else if (h->Flags & EVENT_HEADER_FLAG_64_BIT_HEADER)
    ev->pointer_size = 8;
  else
    ev->pointer_size = clock->pointer_size == 4 ? 4 : 8;

  ev->payload = rec->UserData;
  ev->payload_len = rec->UserDataLength;

  convert_extended (rec, ev);

  /* A classic kernel event arrives with its MOF class GUID as provider and
   * the event type as opcode; hook_id gives it the identity the .etl reader
   * gives the same event read from a file. */
  group = etw_kernel_group_of (&ev->provider);
  if (group >= 0 && (h->Flags & EVENT_HEADER_FLAG_CLASSIC_HEADER))
    {
      /* In a file these have one of the kernel's own headers (system,
       * compact or perfinfo, as the logger chose). A sampled profile is
       * kept PERFINFO: the ingest takes its thread from the payload. */
      ev->kind = group == ETW_GROUP_PERFINFO && ev->opcode == 46 ? ETW_HDR_PERFINFO : ETW_HDR_SYSTEM;
      /* Image loads are logged in the Process group (hook 0x030A); the
       * reader maps that hook back to Image/10. */
      if (group == ETW_GROUP_IMAGE && ev->opcode == 10)
        ev->hook_id = 0x030A;
      else
        ev->hook_id = (uint16_t) (group << 8 | ev->opcode);
      if (group == ETW_GROUP_STACKWALK)
        ev->xflags |= ETW_XFLAG_STACK_WALK;
      if (group == ETW_GROUP_EVENTTRACE && ev->opcode == 0)
        ev->xflags |= ETW_XFLAG_LOG_HEADER;
    }
  return true;
}
