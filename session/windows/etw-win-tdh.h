/* etw-win-tdh.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Detailed fields of live events through TDH: the schema of an event
 * (TRACE_EVENT_INFO, from TdhGetEventInformation) is cached by (provider,
 * id, version, opcode), and the event's user data is walked against it into
 * an etwscope field list (decode/etw-fields.h). The walk itself does not
 * call TDH (no TdhFormatProperty): it reads the bytes by in-type, so it is
 * tested with schemas built in the test.
 *
 * Plain C against Win32; no GLib.
 */
#pragma once

#include <windows.h>
#include <evntcons.h>
#include <tdh.h>

#include "etw-event.h"
#include "etw-fields.h"
#include "etw-live-win.h"  /* EtwTdhMode */

#ifdef __cplusplus
extern "C" {
#endif


/* Whether ev (converted, raw payload) should be replaced by TDH fields. */
bool   etw_tdh_wanted        (EtwTdhMode               mode,
                              const EtwEvent          *ev);

/* Walks data against info (info_size bytes, offsets checked against it)
 * and appends the fields to w. pointer_size is the event's (4 or 8).
 * scratch holds converted strings (64 KiB is enough for any event).
 * Returns true when every top-level property was read; on false w still
 * holds a well-formed list of what was read before the problem. */
bool   etw_tdh_write_fields  (const TRACE_EVENT_INFO  *info,
                              size_t                   info_size,
                              const uint8_t           *data,
                              size_t                   len,
                              unsigned                 pointer_size,
                              char                    *scratch,
                              size_t                   scratch_size,
                              EtwFieldWriter          *w);

typedef struct EtwTdhCache EtwTdhCache;

typedef struct
{
  uint64_t hits;
  uint64_t misses;      /* TdhGetEventInformation calls */
  uint64_t no_schema;   /* events TDH had no schema for */
  uint64_t decoded;     /* events turned into field lists */
  uint64_t failed;      /* data did not match the schema (raw payload kept) */
  uint32_t entries;
} EtwTdhStats;

/* Where schemas come from: TdhGetEventInformation by default. A fetch
 * returns a malloc'ed schema (the cache frees it) or NULL; tests pass their
 * own, since Wine's tdh.dll does not implement TdhGetEventInformation. */
typedef TRACE_EVENT_INFO *(*EtwTdhFetch) (const EVENT_RECORD *rec,
                                          ULONG              *size,
                                          void               *user_data);

EtwTdhCache *etw_tdh_cache_new   (void);
EtwTdhCache *etw_tdh_cache_new_with_fetch (EtwTdhFetch fetch,
                                           void       *user_data);
void         etw_tdh_cache_free  (EtwTdhCache        *cache);
void         etw_tdh_cache_stats (const EtwTdhCache  *cache,
                                  EtwTdhStats        *stats);
/* The schema of rec (cached, negative results too), or NULL. Valid until
 * the next call. */
const TRACE_EVENT_INFO *
             etw_tdh_cache_lookup (EtwTdhCache       *cache,
                                   const EVENT_RECORD *rec,
                                   size_t            *info_size);
/* Replaces ev's payload by its field list when TDH has a schema and the
 * data matches it; the list lives in the cache until the next call. Returns
 * true when ev was changed. */
bool         etw_tdh_apply       (EtwTdhCache        *cache,
                                  const EVENT_RECORD *rec,
                                  EtwEvent           *ev);

#ifdef __cplusplus
}
#endif
