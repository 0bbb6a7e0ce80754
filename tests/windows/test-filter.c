/* test-filter.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PID filter of live captures (applied in the ETW callback): header
 * pids, the pids kernel events carry in their payload (Process, Thread,
 * StackWalk, by their MOF layouts), children followed from their start,
 * and two callback threads adding children at once.
 */
#include <windows.h>
#include <process.h>

#include <stdlib.h>
#include <string.h>

#include "etw-bytes.h"
#include "etw-providers.h"
#include "etw-win-filter.h"
#include "tap.h"

static uint8_t payload[64];

static EtwEvent
kernel_event (const EtwGuid *provider,
              uint8_t        opcode,
              uint8_t        version,
              uint32_t       header_pid,
              unsigned       ps,
              uint32_t       len)
{
  EtwEvent ev;

  memset (&ev, 0, sizeof ev);
  ev.provider = *provider;
  ev.opcode = opcode;
  ev.version = version;
  ev.pid = header_pid;
  ev.flags = ETW_FLAG_CLASSIC_HEADER | (ps == 8 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER);
  ev.pointer_size = (uint8_t) ps;
  ev.kind = ETW_HDR_SYSTEM;
  ev.payload = payload;
  ev.payload_len = len;
  return ev;
}

/* Process v3 Start, 64-bit: UniqueProcessKey, ProcessId, ParentId, … */
static EtwEvent
process_start (uint32_t creator,
               uint32_t pid,
               uint32_t parent)
{
  memset (payload, 0, sizeof payload);
  etw_wr_u64 (payload, 0xffffa00000001000ull);
  etw_wr_u32 (payload + 8, pid);
  etw_wr_u32 (payload + 12, parent);
  return kernel_event (&ETW_GUID_PROCESS, 1, 3, creator, 8, 48);
}

static void
basics (void)
{
  EtwWinPidFilter f;
  uint32_t keep[2] = { 100, 4242 };
  EtwEvent ev;

  tap_check (etw_win_pid_filter_init (&f, NULL, 0, false) && !etw_win_pid_filter_active (&f), "no pids: no filter");
  ev = kernel_event (&ETW_GUID_FILEIO, 64, 3, 7, 8, 40);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "no filter: everything passes");
  etw_win_pid_filter_clear (&f);

  etw_win_pid_filter_init (&f, keep, 2, false);
  ev = kernel_event (&ETW_GUID_FILEIO, 64, 3, 4242, 8, 40);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "header pid 4242 kept");
  ev.pid = 7;
  tap_check (!etw_win_pid_filter_passes (&f, &ev), "header pid 7 left out");

  /* StackWalk: EventTimeStamp u64, StackProcess u32, StackThread u32. */
  memset (payload, 0, sizeof payload);
  etw_wr_u32 (payload + 8, 4242);
  ev = kernel_event (&ETW_GUID_STACKWALK, 32, 2, 0xFFFFFFFF, 8, 32);
  ev.xflags = ETW_XFLAG_STACK_WALK;
  tap_check (etw_win_pid_filter_passes (&f, &ev), "a stack walk of process 4242 (logged by no process) is kept");
  etw_wr_u32 (payload + 8, 5);
  tap_check (!etw_win_pid_filter_passes (&f, &ev), "a stack walk of process 5 is left out");

  ev = process_start (1, 4242, 1);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "Process Start of 4242 logged by its creator (pid 1) is kept");
  ev = process_start (1, 9999, 1);
  tap_check (!etw_win_pid_filter_passes (&f, &ev), "Process Start of 9999 is left out");

  /* Process v0, 32-bit: ProcessId and ParentId are pointers. */
  memset (payload, 0, sizeof payload);
  etw_wr_u32 (payload, 100);
  etw_wr_u32 (payload + 4, 1);
  ev = kernel_event (&ETW_GUID_PROCESS, 2, 0, 1, 4, 24);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "Process v0 End with 32-bit pointers: ProcessId 100 kept");

  /* Thread v2: ProcessId, TThreadId, … */
  memset (payload, 0, sizeof payload);
  etw_wr_u32 (payload, 100);
  etw_wr_u32 (payload + 4, 777);
  ev = kernel_event (&ETW_GUID_THREAD, 1, 2, 4, 8, 64);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "Thread Start in process 100, logged from pid 4, is kept");
  ev.version = 0;  /* v0 has TThreadId first */
  tap_check (!etw_win_pid_filter_passes (&f, &ev), "Thread v0 is not read with the v1+ layout");

  ev = kernel_event (&ETW_GUID_LOST_EVENT, 32, 2, 0, 8, 0);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "lost-event records always pass");
  ev = kernel_event (&ETW_GUID_EVENTTRACE, 0, 2, 0, 8, 0);
  ev.xflags = ETW_XFLAG_LOG_HEADER;
  tap_check (etw_win_pid_filter_passes (&f, &ev), "the log header always passes");

  ev = process_start (1, 4242, 1);
  ev.xflags = ETW_XFLAG_FIELD_LIST;
  tap_check (!etw_win_pid_filter_passes (&f, &ev), "a TDH field list is not read as a binary layout");
  etw_win_pid_filter_clear (&f);

  {
    static uint32_t many[ETW_WIN_FILTER_MAX_PIDS + 1];
    tap_check (!etw_win_pid_filter_init (&f, many, ETW_WIN_FILTER_MAX_PIDS + 1, false),
               "more than %d pids are refused", ETW_WIN_FILTER_MAX_PIDS);
  }
}

static void
children (void)
{
  EtwWinPidFilter f;
  uint32_t keep[1] = { 100 };
  EtwEvent ev;

  etw_win_pid_filter_init (&f, keep, 1, false);
  ev = process_start (100, 200, 100);
  tap_check (etw_win_pid_filter_passes (&f, &ev) && !etw_win_pid_filter_has (&f, 200),
             "without children: the start passes (its creator is kept) but 200 is not followed");
  etw_win_pid_filter_clear (&f);

  etw_win_pid_filter_init (&f, keep, 1, true);
  ev = process_start (100, 200, 100);
  tap_check (etw_win_pid_filter_passes (&f, &ev) && etw_win_pid_filter_has (&f, 200),
             "with children: 200, started by 100, is followed");
  ev = process_start (200, 300, 200);
  etw_win_pid_filter_passes (&f, &ev);
  ev = kernel_event (&ETW_GUID_FILEIO, 64, 3, 300, 8, 40);
  tap_check (etw_win_pid_filter_passes (&f, &ev), "a grandchild's file event is kept");
  ev = process_start (1, 400, 1);
  tap_check (!etw_win_pid_filter_passes (&f, &ev) && !etw_win_pid_filter_has (&f, 400),
             "an unrelated process is not followed");
  ev = process_start (100, 500, 100);
  ev.opcode = 3;  /* DCStart: a process that already ran is not a new child */
  etw_win_pid_filter_passes (&f, &ev);
  tap_check (!etw_win_pid_filter_has (&f, 500), "rundown (DCStart) adds no child");
  etw_win_pid_filter_clear (&f);
}

typedef struct
{
  EtwWinPidFilter *f;
  uint32_t         base;
} Worker;

/* Each thread starts a chain of 1,000 processes under pid 1000 and reads
 * events of its own chain as it goes. */
static unsigned __stdcall
chain (void *data)
{
  Worker *w = data;
  uint8_t buf[48];
  uint32_t parent = 1000;
  EtwEvent ev;

  for (uint32_t i = 0; i < 1000; i++)
    {
      uint32_t pid = w->base + i;
      memset (&ev, 0, sizeof ev);
      memset (buf, 0, sizeof buf);
      etw_wr_u32 (buf + 8, pid);
      etw_wr_u32 (buf + 12, parent);
      ev.provider = ETW_GUID_PROCESS;
      ev.opcode = 1;
      ev.version = 3;
      ev.flags = ETW_FLAG_CLASSIC_HEADER | ETW_FLAG_64_BIT_HEADER;
      ev.pointer_size = 8;
      ev.pid = parent;
      ev.payload = buf;
      ev.payload_len = sizeof buf;
      if (!etw_win_pid_filter_passes (w->f, &ev))
        return 1;
      parent = pid;
    }
  return 0;
}

static void
threads (void)
{
  EtwWinPidFilter f;
  uint32_t keep[1] = { 1000 };
  Worker w[2];
  HANDLE t[2];
  DWORD code[2] = { 9, 9 };
  bool all = true;

  etw_win_pid_filter_init (&f, keep, 1, true);
  for (int i = 0; i < 2; i++)
    {
      w[i].f = &f;
      w[i].base = 100000 * (uint32_t) (i + 1);
      t[i] = (HANDLE) _beginthreadex (NULL, 0, chain, &w[i], 0, NULL);
    }
  WaitForMultipleObjects (2, t, TRUE, INFINITE);
  for (int i = 0; i < 2; i++)
    {
      GetExitCodeThread (t[i], &code[i]);
      CloseHandle (t[i]);
    }
  for (uint32_t i = 0; i < 1000; i++)
    all &= etw_win_pid_filter_has (&f, 100000 + i) && etw_win_pid_filter_has (&f, 200000 + i);
  tap_check (code[0] == 0 && code[1] == 0 && all && f.n == 2001,
             "two callback threads following 1,000 children each: all %zu pids kept", f.n);
  etw_win_pid_filter_clear (&f);
}

int
main (void)
{
  basics ();
  children ();
  threads ();
  return tap_done ();
}
