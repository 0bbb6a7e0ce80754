/* etw-win-filter.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-win-filter.h"

#include <stdlib.h>
#include <string.h>

#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"

bool
etw_win_pid_filter_init (EtwWinPidFilter *f,
                         const uint32_t  *pids,
                         size_t           n,
                         bool             children)
{
  memset (f, 0, sizeof *f);
  InitializeSRWLock (&f->lock);
  f->children = children;
  if (n == 0)
    return true;
  if (n > ETW_WIN_FILTER_MAX_PIDS)
    return false;
  /* Room for the children that may join. */
  f->cap = children ? ETW_WIN_FILTER_MAX_PIDS : n;
  f->pids = malloc (f->cap * sizeof *f->pids);
  if (f->pids == NULL)
    return false;
  memcpy (f->pids, pids, n * sizeof *pids);
  f->n = n;
  return true;
}

void
etw_win_pid_filter_clear (EtwWinPidFilter *f)
{
  free (f->pids);
  f->pids = NULL;
  f->n = f->cap = 0;
}

bool
etw_win_pid_filter_active (const EtwWinPidFilter *f)
{
  return f->cap > 0;
}

static bool
has_locked (const EtwWinPidFilter *f,
            uint32_t               pid)
{
  for (size_t i = 0; i < f->n; i++)
    if (f->pids[i] == pid)
      return true;
  return false;
}

bool
etw_win_pid_filter_has (EtwWinPidFilter *f,
                        uint32_t         pid)
{
  bool found;

  AcquireSRWLockShared (&f->lock);
  found = has_locked (f, pid);
  ReleaseSRWLockShared (&f->lock);
  return found;
}

/* Process v1+ starts with UniqueProcessKey (a pointer), then ProcessId and
 * ParentId; v0 has ProcessId and ParentId as pointers (etw-reference.md
 * §3.2). */
static bool
process_ids (const EtwEvent *ev,
             uint32_t       *pid,
             uint32_t       *parent)
{
  unsigned ps = ev->pointer_size == 4 ? 4 : 8;

  if (ev->version == 0)
    {
      if (ev->payload_len < 2 * ps)
        return false;
      *pid = etw_rd_u32 (ev->payload);
      *parent = etw_rd_u32 (ev->payload + ps);
      return true;
    }
  if (ev->payload_len < ps + 8)
    return false;
  *pid = etw_rd_u32 (ev->payload + ps);
  *parent = etw_rd_u32 (ev->payload + ps + 4);
  return true;
}

bool
etw_win_pid_filter_passes (EtwWinPidFilter *f,
                           const EtwEvent  *ev)
{
  uint32_t pid, parent;
  bool raw = !(ev->xflags & ETW_XFLAG_FIELD_LIST);
  bool is_process = raw && etw_guid_equal (&ev->provider, &ETW_GUID_PROCESS) &&
                    (ev->flags & ETW_FLAG_CLASSIC_HEADER);

  if (f->cap == 0)
    return true;
  /* The log header and lost-event records describe the capture. */
  if ((ev->xflags & ETW_XFLAG_LOG_HEADER) || etw_guid_equal (&ev->provider, &ETW_GUID_LOST_EVENT))
    return true;

  if (is_process && ev->opcode == 1 && f->children && process_ids (ev, &pid, &parent))
    {
      AcquireSRWLockExclusive (&f->lock);
      if (has_locked (f, parent) && !has_locked (f, pid) && f->n < f->cap)
        f->pids[f->n++] = pid;
      ReleaseSRWLockExclusive (&f->lock);
    }

  if (etw_win_pid_filter_has (f, ev->pid))
    return true;
  if (!raw)
    return false;
  if ((ev->xflags & ETW_XFLAG_STACK_WALK) && ev->payload_len >= 12)
    return etw_win_pid_filter_has (f, etw_rd_u32 (ev->payload + 8));  /* StackProcess */
  if (is_process && process_ids (ev, &pid, &parent))
    return etw_win_pid_filter_has (f, pid);
  /* Thread v1+: ProcessId first (v0 has TThreadId first). */
  if (etw_guid_equal (&ev->provider, &ETW_GUID_THREAD) && (ev->flags & ETW_FLAG_CLASSIC_HEADER) &&
      ev->version >= 1 && ev->payload_len >= 4)
    return etw_win_pid_filter_has (f, etw_rd_u32 (ev->payload));
  return false;
}
