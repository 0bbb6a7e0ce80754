/* etw-live-win.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Live ETW capture on Windows, in plain C (no GLib): the controller
 * (StartTraceW, EnableTraceEx2, TraceSetInformation, ControlTraceW), the
 * consumer (OpenTraceW + ProcessTrace on their own threads), a bounded queue
 * between the ETW callbacks and the reader, and the helpers around them
 * (elevation, provider names, reading an .etl through Windows' own API).
 *
 * This header uses no Windows types, so that GLib code can include it.
 *
 * Sessions (etw-reference.md §1.1): the NT Kernel Logger before Windows 8;
 * a private "system logger" session from Windows 8; the system providers
 * enabled into it from Windows 11 (build 20348). From Windows 8 kernel and
 * user providers share one session, so one capture is one ordered stream
 * and one .etl file; before that they are two sessions whose events are
 * merged in the queue.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  ETW_WIN_OK = 0,
  ETW_WIN_ERR_PERMISSION,   /* not elevated, or access denied by ETW */
  ETW_WIN_ERR_INVALID,      /* the configuration cannot work (nothing asked, unknown name) */
  ETW_WIN_ERR_UNSUPPORTED,  /* the OS lacks what was asked */
  ETW_WIN_ERR_FAILED,
} EtwWinStatus;

/* Kernel event groups (mapped to EVENT_TRACE_FLAG_* or system-provider
 * keywords, whichever the session uses). */
enum
{
  ETW_WIN_KERNEL_PROCESS  = 1 << 0,
  ETW_WIN_KERNEL_THREAD   = 1 << 1,
  ETW_WIN_KERNEL_IMAGE    = 1 << 2,
  ETW_WIN_KERNEL_FILE     = 1 << 3,  /* FileIo + FileIoInit, and the name events */
  ETW_WIN_KERNEL_REGISTRY = 1 << 4,
  ETW_WIN_KERNEL_NETWORK  = 1 << 5,  /* TcpIp and UdpIp */
  ETW_WIN_KERNEL_DISK     = 1 << 6,
  ETW_WIN_KERNEL_CSWITCH  = 1 << 7,
  ETW_WIN_KERNEL_DEFAULT  = 0x3F,    /* process … network */
};

typedef enum
{
  ETW_WIN_SESSION_AUTO = 0,
  ETW_WIN_SESSION_NT_KERNEL_LOGGER,
  ETW_WIN_SESSION_SYSTEM_LOGGER,     /* Windows 8+ */
  ETW_WIN_SESSION_SYSTEM_PROVIDERS,  /* Windows 11 / Server 2022+ */
} EtwWinSessionMode;

typedef enum
{
  /* Only events decode/ has no layout for (manifest and MOF events of
   * other providers); classic kernel, TraceLogging and the manifest kernel
   * providers keep their raw payload, which decode/ reads as from a file. */
  ETW_TDH_AUTO = 0,
  /* Every event TDH knows (the seed's behaviour), stack walks excepted. */
  ETW_TDH_ALL,
  ETW_TDH_NONE,
} EtwTdhMode;

typedef struct
{
  EtwGuid  guid;       /* zero: looked up by name */
  char     name[128];  /* provider name (TdhEnumerateProviders), or "" */
  uint8_t  level;      /* 0: the configuration's level */
  uint64_t match_any;  /* 0: every event */
  uint64_t match_all;
  bool     stacks;     /* EVENT_ENABLE_PROPERTY_STACK_TRACE */
} EtwWinProvider;

typedef struct
{
  const char           *session_name;   /* NULL: "etwscope" */
  uint32_t              kernel;         /* ETW_WIN_KERNEL_*; 0 = no kernel events */
  EtwWinSessionMode     session_mode;
  const EtwWinProvider *providers;      /* user-mode providers */
  size_t                n_providers;
  uint8_t               level;          /* trace level for providers (1–5, 0 = 5) */
  uint32_t              buffer_kb;      /* per buffer; 0 = 64 */
  uint32_t              min_buffers;    /* 0 = ETW's choice */
  uint32_t              max_buffers;    /* 0 = ETW's choice */
  uint32_t              flush_seconds;  /* 0 = 1 */
  bool                  stacks;         /* kernel stack walks for the chosen events */
  const uint32_t       *pids;           /* keep only these processes (callback filter) */
  size_t                n_pids;
  bool                  include_children; /* and the processes they start */
  const char           *record_path;    /* UTF-8; also write an .etl (sequential) */
  size_t                queue_bytes;    /* bounded queue; 0 = 64 MiB */
  int                   tdh_mode;       /* EtwTdhMode; 0 = auto */
  bool                  separate_sessions; /* user providers in their own session even on Win8+ */
} EtwWinConfig;

void etw_win_config_init (EtwWinConfig *config);

typedef struct
{
  uint64_t delivered;     /* events put in the queue */
  uint64_t filtered;      /* left out by the PID filter */
  uint64_t dropped;       /* queue full: counted, not kept */
  uint64_t events_lost;   /* ETW's EventsLost (ControlTrace QUERY / final STOP) */
  uint64_t buffers_lost;  /* ETW's RealTimeBuffersLost + LogBuffersLost */
  uint64_t lost_records;  /* Lost_Event records seen in the stream */
  uint64_t tdh_decoded;   /* events given TDH field lists */
  uint32_t sessions;      /* ETW sessions this capture runs */
} EtwWinStats;

typedef struct EtwLiveWin EtwLiveWin;

/* Starts the sessions and their consumers. On failure nothing is left
 * running (sessions stopped, threads joined, memory freed) and message
 * says what happened and what to do. */
EtwWinStatus etw_live_win_start    (const EtwWinConfig *config,
                                    EtwLiveWin        **out,
                                    char               *message,
                                    size_t              message_size);
/* The next event, waiting up to timeout_ms. Returns 1 with ev filled (valid
 * until the next call), 0 on timeout, -1 once the capture has ended and the
 * queue is empty. Call from one thread. */
int          etw_live_win_next     (EtwLiveWin         *live,
                                    EtwEvent           *ev,
                                    uint32_t            timeout_ms);
/* Any thread, any number of times: stops the sessions; the consumers finish
 * what ETW still delivers and next() then returns -1. */
void         etw_live_win_stop     (EtwLiveWin         *live);
/* Counters, with ETW's loss figures (ControlTrace QUERY while running). */
void         etw_live_win_query    (EtwLiveWin         *live,
                                    EtwWinStats        *stats);
/* Why the capture ended on its own (ProcessTrace failed, session stopped by
 * another tool), or NULL. */
const char  *etw_live_win_error    (EtwLiveWin         *live);
/* What did not work but did not stop the capture ("kernel stacks: …"),
 * one per line, or "". */
const char  *etw_live_win_notices  (EtwLiveWin         *live);
/* "system logger session 'etwscope' (process, thread, …) + 2 providers". */
const char  *etw_live_win_describe (EtwLiveWin         *live);
/* Stops, joins and frees. */
void         etw_live_win_free     (EtwLiveWin         *live);

/* Elevation (etw-reference.md §1.8). */
bool         etw_win_is_elevated       (void);
/* Starts this program again elevated ("runas") with the given arguments
 * (UTF-8, already quoted). On ETW_WIN_OK the caller should exit. */
EtwWinStatus etw_win_relaunch_elevated (const char *arguments,
                                        char       *message,
                                        size_t      message_size);
bool         etw_win_enable_privilege  (const char *name);
bool         etw_win_under_wine        (void);

/* Providers by name: TdhEnumerateProviders, then decode/'s well-known names. */
EtwWinStatus etw_win_find_provider     (const char *name,
                                        EtwGuid    *guid,
                                        char       *message,
                                        size_t      message_size);
typedef bool (*EtwWinProviderFunc) (const EtwGuid *guid,
                                    const char    *name,
                                    void          *user_data);
EtwWinStatus etw_win_list_providers    (EtwWinProviderFunc func,
                                        void              *user_data,
                                        char              *message,
                                        size_t             message_size);
/* "Name" or "{guid}", then optional ":level", ":match_any", ":match_all"
 * (numbers, 0x… allowed) and ":stacks". */
bool         etw_win_parse_provider    (const char     *spec,
                                        EtwWinProvider *provider,
                                        char           *message,
                                        size_t          message_size);
/* "process", "thread", "image", "file", "registry", "net", "disk",
 * "cswitch" (also "network", "tcpip", "fileio"); 0 if unknown. */
uint32_t     etw_win_kernel_group      (const char *name);
const char  *etw_win_kernel_group_name (uint32_t    group);

/* Reads an .etl file with Windows' OpenTraceW/ProcessTrace on the calling
 * thread, through the same conversion as live events. func returns false
 * to stop. */
typedef bool (*EtwWinEventFunc) (const EtwEvent *ev,
                                 void           *user_data);
EtwWinStatus etw_win_read_etl          (const char      *path,
                                        int              tdh_mode,
                                        EtwWinEventFunc  func,
                                        void            *user_data,
                                        char            *message,
                                        size_t           message_size);

/* For tests: blocks allocated by this module, ETW sessions started and not
 * stopped, consumer threads not joined. All zero when nothing runs. */
void         etw_live_win_debug_counts (int64_t *allocations,
                                        int64_t *sessions,
                                        int64_t *threads);
/* For tests: plan sessions as if Windows had this build number (0: ask
 * RtlGetVersion). Wine reports at most Windows 10, so the Windows 11
 * system-provider path is reached this way against Wine's stubs. */
void         etw_live_win_debug_set_build (uint32_t build);

#ifdef __cplusplus
}
#endif
