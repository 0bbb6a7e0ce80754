/* etw-decode.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns an EtwEvent into named, typed fields and a Process Monitor style
 * summary (operation, path, result, detail). An EtwDecoder carries the
 * state that naming needs across events: process names by pid, file
 * objects to paths, registry KCBs to key names, TraceLogging provider
 * names. Feed it every event in time order with etw_decoder_observe().
 */
#pragma once

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  ETW_VAL_NONE = 0,
  ETW_VAL_INT,          /* v.i */
  ETW_VAL_UINT,         /* v.u */
  ETW_VAL_HEX,          /* v.u, shown and exported as "0x…" */
  ETW_VAL_POINTER,      /* v.u, shown and exported as "0x…" */
  ETW_VAL_BOOL,         /* v.u */
  ETW_VAL_DOUBLE,       /* v.d */
  ETW_VAL_STRING,       /* v.s, UTF-8, NUL-terminated */
  ETW_VAL_GUID,         /* v.g */
  ETW_VAL_SID,          /* v.s, "S-1-5-18" */
  ETW_VAL_IPV4,         /* v.ip[0..3], network order */
  ETW_VAL_IPV6,         /* v.ip[0..15], network order */
  ETW_VAL_FILETIME,     /* v.i, 100 ns since 1601, UTC */
  ETW_VAL_SYSTEMTIME,   /* v.ip[0..15], SYSTEMTIME as stored */
  ETW_VAL_BINARY,       /* v.b, len bytes */
  ETW_VAL_STATUS,       /* v.u, NTSTATUS / HRESULT, shown as "0x…" */
  ETW_VAL_STRUCT_BEGIN, /* members follow at depth + 1 */
  ETW_VAL_STRUCT_END,
  ETW_VAL_ARRAY_BEGIN,  /* elements follow at depth + 1, len = count */
  ETW_VAL_ARRAY_END,
} EtwValueType;

typedef struct
{
  const char *name;   /* static, or in EtwDecoded.text; NULL for *_END */
  uint8_t     type;   /* EtwValueType */
  uint8_t     depth;  /* nesting level, 0 = top */
  uint32_t    len;    /* bytes for BINARY, count for ARRAY_BEGIN, bytes
                       * of STRING/SID (without the NUL) */
  union
  {
    int64_t        i;
    uint64_t       u;
    double         d;
    const char    *s;
    const uint8_t *b;
    EtwGuid        g;
    uint8_t        ip[16];
  } v;
} EtwField;

#define ETW_DECODED_MAX_FIELDS 512
#define ETW_DECODED_TEXT_SIZE  (64 * 1024)

typedef enum
{
  ETW_DECODE_SUMMARY = 1 << 0,  /* names, process, operation, path, result */
  ETW_DECODE_DETAIL  = 1 << 1,  /* the one-line detail (costs formatting) */
  ETW_DECODE_FIELDS  = 1 << 2,  /* the field list */
} EtwDecodeFlags;

/* Strings point into `text`, to static strings, or (provider names) to
 * strings the decoder keeps until it is freed. BINARY values point into
 * the event's payload, valid as long as the event is. */
typedef struct
{
  const char *provider_name;  /* known name, TraceLogging name, or GUID text */
  const char *event_name;     /* "Process/Start", "AmsiScript", or NULL */
  const char *process_name;   /* image name of `pid`, or NULL */
  uint32_t    pid;            /* the process the event is about */

  /* Process Monitor columns. NULL where they do not apply. */
  const char *operation;
  const char *path;
  const char *result;
  const char *detail;

  EtwField    fields[ETW_DECODED_MAX_FIELDS];
  uint32_t    n_fields;
  bool        truncated;      /* fields or text did not fit */
  bool        malformed;      /* the payload is shorter than its layout (or
                               * otherwise damaged): the fields stop there */

  char        text[ETW_DECODED_TEXT_SIZE];
  uint32_t    text_used;
} EtwDecoded;

typedef struct EtwDecoder EtwDecoder;

EtwDecoder *etw_decoder_new      (void);
void        etw_decoder_free     (EtwDecoder     *decoder);
/* Updates the naming state from one event (call in time order): process
 * names by pid and time, thread → process, FileObject/FileKey → path,
 * KCB/key object → key name, TraceLogging provider names, module maps.
 * Kernel traces log their file-name and KCB rundowns at the end, so events
 * before them get no path in a single pass; observing every event of a
 * file once beforehand (a naming pre-pass) gives them the rundown's names.
 * Cheap for events that name nothing. */
void        etw_decoder_observe  (EtwDecoder     *decoder,
                                  const EtwEvent *ev);
/* A decoder for a names pass: observe the naming events of a whole trace
 * (etw_event_names_handles) into it, then hand it to another decoder with
 * etw_decoder_set_fallback(). It keeps the names of the file-name and KCB
 * rundowns (written at the end of a trace, and for KCBs also at its start)
 * for the keys the trace itself never created or named, which is what
 * events before the rundown need. */
EtwDecoder *etw_decoder_new_names_pass (void);
/* Gives decoder a second decoder to ask for file and registry key names it
 * does not know yet (NULL to stop). `fallback` must outlive its use and is
 * not freed with decoder. */
void        etw_decoder_set_fallback (EtwDecoder *decoder,
                                      EtwDecoder *fallback);
/* Whether an event is one whose observation names files or registry keys
 * (what is worth feeding to a fallback decoder). */
bool        etw_event_names_handles  (const EtwEvent *ev);
/* Names a code address as "module+0xoffset" from the image loads seen so
 * far in process pid (kernel addresses: the system-wide modules). Returns
 * false, leaving buf empty, when no module covers it. */
bool        etw_decoder_symbolize (EtwDecoder    *decoder,
                                   uint32_t       pid,
                                   uint64_t       address,
                                   char          *buf,
                                   size_t         size);
/* Decodes one event. Never fails: what cannot be decoded is left out and
 * the event still gets its provider and event names. With
 * ETW_DECODE_SUMMARY alone it builds no fields and formats nothing (the
 * ingest's hot path); right after etw_decoder_observe() of the same event
 * it reuses what observe read. */
void        etw_decode           (EtwDecoder     *decoder,
                                  const EtwEvent *ev,
                                  unsigned        flags,
                                  EtwDecoded     *out);

#ifdef __cplusplus
}
#endif
