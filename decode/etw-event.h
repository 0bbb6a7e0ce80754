/* etw-event.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EtwEvent is the one record type that every source fills: the .etl reader,
 * the live ETW backend on Windows and the perf backend on Linux. It is a
 * view: the pointers refer to memory the source owns (a mapped buffer, an
 * EVENT_RECORD during its callback, a copied perf record) and stay valid only
 * as long as the source says.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A GUID in its logical form. On disk it is Data1..3 little-endian, then 8
 * raw bytes (Windows order); etw_guid_read() does that conversion. */
typedef struct
{
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t  data4[8];
} EtwGuid;

/* Header kinds, with the 32/64-bit forms folded together (pointer_size
 * tells them apart). The values are stable: the store keeps them. */
typedef enum
{
  ETW_HDR_UNKNOWN  = 0,
  ETW_HDR_SYSTEM   = 1,  /* SYSTEM_TRACE_HEADER (0x01/0x02) */
  ETW_HDR_COMPACT  = 2,  /* compact system header (0x03/0x04) */
  ETW_HDR_PERFINFO = 3,  /* PERFINFO_TRACE_HEADER (0x10/0x11) */
  ETW_HDR_EVENT    = 4,  /* EVENT_HEADER (0x12/0x13): manifest, TraceLogging */
  ETW_HDR_CLASSIC  = 5,  /* EVENT_TRACE_HEADER (0x0A/0x14) */
  ETW_HDR_INSTANCE = 6,  /* EVENT_INSTANCE_HEADER (0x0B/0x15) */
  ETW_HDR_MESSAGE  = 7,  /* WPP / TraceMessage (0x0F) */
  ETW_HDR_LIVE     = 8,  /* delivered by a live session, no on-disk header */
} EtwHeaderKind;

/* Where the event came from. */
typedef enum
{
  ETW_ORIGIN_ETL      = 0,
  ETW_ORIGIN_ETW_LIVE = 1,
  ETW_ORIGIN_PERF     = 2,
} EtwOrigin;

/* EVENT_HEADER_FLAG_* as a consumer sees them in EVENT_RECORD. */
enum
{
  ETW_FLAG_EXTENDED_INFO   = 0x0001,
  ETW_FLAG_PRIVATE_SESSION = 0x0002,
  ETW_FLAG_STRING_ONLY     = 0x0004,
  ETW_FLAG_TRACE_MESSAGE   = 0x0008,
  ETW_FLAG_NO_CPUTIME      = 0x0010,
  ETW_FLAG_32_BIT_HEADER   = 0x0020,
  ETW_FLAG_64_BIT_HEADER   = 0x0040,
  ETW_FLAG_CLASSIC_HEADER  = 0x0100,
  ETW_FLAG_PROCESSOR_INDEX = 0x0200,
};

/* Our own flags (EtwEvent.xflags), never seen by Windows. */
enum
{
  /* The payload is an etwscope field list (etw-fields.h) rather than the
   * provider's binary layout: TDH-decoded live events, perf events. */
  ETW_XFLAG_FIELD_LIST  = 0x0001,
  /* A StackWalk / stack-key record: attached to another event, not a row. */
  ETW_XFLAG_STACK_WALK  = 0x0002,
  /* The log-file header record (first record of a file). */
  ETW_XFLAG_LOG_HEADER  = 0x0004,
  /* A TraceLogging event (EVENT_SCHEMA_TL extended item present). */
  ETW_XFLAG_TRACELOGGING = 0x0008,
  /* Timestamp was synthesized (record had none). */
  ETW_XFLAG_NO_TIMESTAMP = 0x0010,
};

/* EVENT_HEADER_EXT_TYPE_* values. */
enum
{
  ETW_EXT_RELATED_ACTIVITYID = 1,
  ETW_EXT_SID                = 2,
  ETW_EXT_TS_ID              = 3,
  ETW_EXT_INSTANCE_INFO      = 4,
  ETW_EXT_STACK_TRACE32      = 5,
  ETW_EXT_STACK_TRACE64      = 6,
  ETW_EXT_PEBS_INDEX         = 7,
  ETW_EXT_PMC_COUNTERS       = 8,
  ETW_EXT_PSM_KEY            = 9,
  ETW_EXT_EVENT_KEY          = 10,
  ETW_EXT_EVENT_SCHEMA_TL    = 11,
  ETW_EXT_PROV_TRAITS        = 12,
  ETW_EXT_PROCESS_START_KEY  = 13,
  ETW_EXT_CONTROL_GUID       = 14,
  ETW_EXT_QPC_DELTA          = 15,
  ETW_EXT_CONTAINER_ID       = 16,
  ETW_EXT_STACK_KEY32        = 17,
  ETW_EXT_STACK_KEY64        = 18,
};

typedef struct
{
  uint16_t       type;  /* ETW_EXT_* */
  uint16_t       size;  /* bytes at data */
  const uint8_t *data;
} EtwExtItem;

#define ETW_MAX_EXT_ITEMS 12

typedef struct EtwEvent
{
  /* Time: raw session-clock ticks (what payload timestamps such as
   * StackWalk.EventTimeStamp compare against) and UTC as a FILETIME
   * (100 ns ticks since 1601-01-01). */
  int64_t        raw_time;
  int64_t        time;

  EtwGuid        provider;
  EtwGuid        activity_id;
  uint64_t       keyword;

  uint32_t       pid;
  uint32_t       tid;
  uint32_t       cpu;
  uint32_t       kernel_time;
  uint32_t       user_time;

  uint16_t       id;
  uint16_t       task;
  uint16_t       hook_id;        /* classic kernel: group << 8 | type; else 0 */
  uint16_t       flags;          /* ETW_FLAG_* */
  uint16_t       xflags;         /* ETW_XFLAG_* */
  uint16_t       event_property;

  uint8_t        version;
  uint8_t        channel;
  uint8_t        level;
  uint8_t        opcode;
  uint8_t        header_type;    /* raw on-disk type byte, 0 for live */
  uint8_t        kind;           /* EtwHeaderKind */
  uint8_t        pointer_size;   /* 4 or 8: pointer fields inside the payload */
  uint8_t        origin;         /* EtwOrigin */

  /* The user data. */
  const uint8_t *payload;
  uint32_t       payload_len;

  /* Extended data items (EVENT_HEADER events and live events). */
  uint32_t       n_ext;
  EtwExtItem     ext[ETW_MAX_EXT_ITEMS];

  /* A stack carried by the event itself (STACK_TRACE32/64 item, perf
   * callchain). Frames are little-endian, frame_size bytes each. StackWalk
   * records are separate events and are joined above decode/. */
  const uint8_t *stack;
  uint32_t       n_frames;
  uint8_t        frame_size;

  /* Position of the record for random access (etl_reader_read_at), and its
   * raw bytes (whole record: header, extended items and payload). */
  uint32_t       buffer_index;
  uint32_t       buffer_offset;
  const uint8_t *record;
  uint32_t       record_len;
} EtwEvent;

#ifdef __cplusplus
}
#endif
