/* etw-win-convert.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one conversion from Windows' EVENT_RECORD to our EtwEvent. Live
 * sessions (ProcessTrace on a real-time session) and Windows' own reader
 * (OpenTraceW on an .etl file) both deliver EVENT_RECORDs, and both go
 * through etw_win_convert(), so every field is filled the same way.
 *
 * Plain C against Win32; no GLib (cross-compiled with mingw-w64).
 */
#pragma once

#include <windows.h>
#include <evntcons.h>

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How raw session timestamps (PROCESS_TRACE_MODE_RAW_TIMESTAMP) map to
 * UTC: FILETIME = t0 + (raw - q0) * 10^7 / freq. */
typedef struct
{
  int64_t freq;          /* raw ticks per second (QPC frequency, or 10^7) */
  int64_t q0;            /* a raw timestamp … */
  int64_t t0;            /* … and the FILETIME it corresponds to */
  uint8_t pointer_size;  /* for events whose header says neither 32 nor 64 bit */
} EtwWinClock;

/* A QPC-clocked live session: samples QPC and the precise system time
 * together now (a real-time LogfileHeader has no usable start time). */
void    etw_win_clock_init_live     (EtwWinClock       *clock);
/* Explicit values (an .etl file: PerfFreq, StartTime and the raw time of
 * its header event; tests). freq <= 0 means raw timestamps are FILETIMEs. */
void    etw_win_clock_init          (EtwWinClock       *clock,
                                     int64_t            freq,
                                     int64_t            q0,
                                     int64_t            t0);
int64_t etw_win_clock_to_filetime   (const EtwWinClock *clock,
                                     int64_t            raw);

/* Fills ev from rec. Live events keep origin ETW_ORIGIN_ETW_LIVE and
 * header_type 0, but their kind is a header kind the same event can have
 * in an .etl file (SYSTEM for kernel classes, PERFINFO for the sampled
 * profile, CLASSIC for other classic events, EVENT otherwise), so decode/
 * and the ingest, which look at the kind, treat live and file events
 * alike. ev is a view: payload, extended items and stack point
 * into rec's memory, which ETW frees when the callback returns, so the
 * caller copies what it keeps (etw_record_write). Returns false only for a
 * record that cannot be an event (NULL, or UserData missing while
 * UserDataLength says otherwise). */
bool    etw_win_convert             (const EVENT_RECORD *rec,
                                     const EtwWinClock  *clock,
                                     EtwEvent           *ev);

#ifdef __cplusplus
}
#endif
