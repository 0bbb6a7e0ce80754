/* etw-record.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Live events (ETW real-time, perf) have no file to point into, so they are
 * kept as records in the .etl EVENT_HEADER64 layout, plus one private
 * extended item for what that header cannot hold (CPU, UTC time, header
 * kind, hook id). Reading one back goes through the same record parser as
 * a file, so live and file events are decoded by exactly the same code.
 */
#pragma once

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Private extended item type; ETW defines 1…18. */
#define ETW_EXT_ETWSCOPE_INFO 0x7e01

/* Largest record: the u16 size field of EVENT_HEADER. */
#define ETW_RECORD_MAX 0xFFF8u

/* Bytes etw_record_write() needs for ev (may exceed ETW_RECORD_MAX, in
 * which case the payload will be cut). */
size_t etw_record_size  (const EtwEvent *ev);
/* Serializes ev into out (at least etw_record_size(ev) bytes or cap).
 * Payloads that do not fit under ETW_RECORD_MAX are cut, stacks first
 * kept. Returns the bytes written (a multiple of 8), 0 if cap is too small. */
size_t etw_record_write (const EtwEvent *ev,
                         uint8_t        *out,
                         size_t          cap);
/* Parses a record written by etw_record_write. ev points into rec. */
bool   etw_record_read  (const uint8_t  *rec,
                         size_t          len,
                         EtwEvent       *ev);

#ifdef __cplusplus
}
#endif
