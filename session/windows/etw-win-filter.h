/* etw-win-filter.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PID filter of live captures, applied in the ETW callback. Many
 * kernel events are logged in another context than the process they are
 * about (a process start by its creator, stack walks by the system), so the
 * pid in the payload of those counts too. Optionally, processes started by
 * a kept process are kept from their start on.
 *
 * Plain C against Win32 (an SRW lock: callbacks of two sessions may run at
 * once); no GLib.
 */
#pragma once

#include <windows.h>

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETW_WIN_FILTER_MAX_PIDS 4096

typedef struct
{
  SRWLOCK   lock;
  uint32_t *pids;
  size_t    n;
  size_t    cap;
  bool      children;
} EtwWinPidFilter;

/* n = 0: no filter, everything passes. */
bool etw_win_pid_filter_init   (EtwWinPidFilter *f,
                                const uint32_t  *pids,
                                size_t           n,
                                bool             children);
void etw_win_pid_filter_clear  (EtwWinPidFilter *f);
bool etw_win_pid_filter_active (const EtwWinPidFilter *f);
/* Whether ev is about a kept process. A Process Start whose parent is
 * kept adds the child first when children are followed. */
bool etw_win_pid_filter_passes (EtwWinPidFilter *f,
                                const EtwEvent  *ev);
bool etw_win_pid_filter_has    (EtwWinPidFilter *f,
                                uint32_t         pid);

#ifdef __cplusplus
}
#endif
