/* etw-dec-kernel.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Classic kernel (MOF) payloads: Process, Thread, Image, FileIo, DiskIo,
 * Registry, TcpIp, UdpIp, StackWalk, PerfInfo and the EventTrace records,
 * every version of ../shared/reference/etw-reference.md §3. Field names
 * are the MOF property names that TDH, WPA and PerfView show. Payloads
 * are packed; pointer-sized fields take the event's own pointer size.
 * A payload longer than its layout is fine (newer builds append fields);
 * a newer version than we know decodes with the newest layout we have,
 * which is how every one of these classes has grown so far.
 */
#include "etw-dec-private.h"

#include "etw-bytes.h"
#include "etw-providers.h"

#include <string.h>

#define END { NULL, FT_END, 0, 0 }

/* ------------------------------------------------------------------ */
/* Process {3d6fa8d0-…}                                                 */

static const EtwFieldDef process_v1[] = {
  { "PageDirectoryBase", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "SessionId", FT_U32, R_SESSION, 0 },
  { "ExitStatus", FT_I32, R_EXIT, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  END
};

static const EtwFieldDef process_v2[] = {
  { "UniqueProcessKey", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "SessionId", FT_U32, R_SESSION, 0 },
  { "ExitStatus", FT_I32, R_EXIT, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  { "CommandLine", FT_WSZ, R_CMDLINE, 0 },
  END
};

static const EtwFieldDef process_v3[] = {
  { "UniqueProcessKey", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "SessionId", FT_U32, R_SESSION, 0 },
  { "ExitStatus", FT_I32, R_EXIT, 0 },
  { "DirectoryTableBase", FT_PTR, 0, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  { "CommandLine", FT_WSZ, R_CMDLINE, 0 },
  END
};

static const EtwFieldDef process_v4[] = {
  { "UniqueProcessKey", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "SessionId", FT_U32, R_SESSION, 0 },
  { "ExitStatus", FT_I32, R_EXIT, 0 },
  { "DirectoryTableBase", FT_PTR, 0, 0 },
  { "Flags", FT_X32, 0, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  { "CommandLine", FT_WSZ, R_CMDLINE, 0 },
  { "PackageFullName", FT_WSZ, 0, 0 },
  { "ApplicationId", FT_WSZ, 0, 0 },
  END
};

/* Win11 registers v5 for Defunct only: v4 plus the exit time. */
static const EtwFieldDef process_v5[] = {
  { "UniqueProcessKey", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "SessionId", FT_U32, R_SESSION, 0 },
  { "ExitStatus", FT_I32, R_EXIT, 0 },
  { "DirectoryTableBase", FT_PTR, 0, 0 },
  { "Flags", FT_X32, 0, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  { "CommandLine", FT_WSZ, R_CMDLINE, 0 },
  { "PackageFullName", FT_WSZ, 0, 0 },
  { "ApplicationId", FT_WSZ, 0, 0 },
  { "ExitTime", FT_U64, 0, 0 },
  END
};

/* Version 0 (Windows 2000) keeps the ids in pointer-sized slots. */
static const EtwFieldDef process_v0[] = {
  { "ProcessId", FT_PTRU, R_PID, 0 },
  { "ParentId", FT_PTRU, R_PPID, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  END
};

/* v0 was only ever logged by 32-bit kernels, where a pointer slot is a
 * u32. Version-0 payloads carrying a 64-bit TOKEN_USER (such as the seed
 * cases this project started from) store the two ids as u32s, followed by
 * one more u32 before the SID blob. These are tried, in order, only when
 * the documented reading does not produce a well-formed SID and image
 * name. */
static const EtwFieldDef process_v0_packed[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  END
};

static const EtwFieldDef process_v0_packed_pad[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ParentId", FT_U32, R_PPID, 0 },
  { NULL, FT_SKIP, 0, 4 },
  { "UserSID", FT_WSID, 0, 0 },
  { "ImageFileName", FT_ASZ, R_IMAGE, 0 },
  END
};

static const EtwFieldDef process_terminate[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef process_perfctr[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "PageFaultCount", FT_U32, 0, 0 },
  { "HandleCount", FT_U32, 0, 0 },
  { "Reserved", FT_U32, 0, 0 },
  { "PeakVirtualSize", FT_PTRU, 0, 0 },
  { "PeakWorkingSetSize", FT_PTRU, 0, 0 },
  { "PeakPagefileUsage", FT_PTRU, 0, 0 },
  { "QuotaPeakPagedPoolUsage", FT_PTRU, 0, 0 },
  { "QuotaPeakNonPagedPoolUsage", FT_PTRU, 0, 0 },
  { "VirtualSize", FT_PTRU, 0, 0 },
  { "WorkingSetSize", FT_PTRU, 0, 0 },
  { "PagefileUsage", FT_PTRU, 0, 0 },
  { "QuotaPagedPoolUsage", FT_PTRU, 0, 0 },
  { "QuotaNonPagedPoolUsage", FT_PTRU, 0, 0 },
  { "PrivatePageCount", FT_PTRU, 0, 0 },
  END
};

static const EtwFieldDef process_inswap[] = {
  { "DirectoryTableBase", FT_PTR, 0, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef *
process_layout (uint8_t opcode,
                uint8_t version)
{
  switch (opcode)
    {
    case 1: case 2: case 3: case 4: case 39:
      if (opcode == 39 && version < 2)
        return NULL;
      switch (version)
        {
        case 0: return process_v0;
        case 1: return process_v1;
        case 2: return process_v2;
        case 3: return process_v3;
        case 4: return process_v4;
        default: return process_v5;
        }
    case 11:
      return process_terminate;
    case 32: case 33:
      return version >= 2 ? process_perfctr : NULL;
    case 35:
      return process_inswap;
    default:
      return NULL;
    }
}

/* Checks that a trial run of a v0 layout met a well-formed SID and a
 * terminated, printable image name. */
static bool
process_v0_plausible (const EtwDecCtx *c,
                      size_t           end)
{
  const EtwRoleVal *img = &c->role[R_IMAGE];
  const uint8_t *payload = c->ev->payload;

  if (c->malformed || !etw_ctx_has (c, R_IMAGE) || img->len == 0)
    return false;
  if ((size_t) (img->ptr - payload) + img->len >= c->ev->payload_len || img->ptr[img->len] != 0)
    return false;
  for (uint32_t i = 0; i < img->len; i++)
    if (img->ptr[i] < 0x20 || img->ptr[i] == 0x7f)
      return false;
  return end <= c->ev->payload_len;
}

static void
decode_process_v0 (EtwDecCtx *c)
{
  static const EtwFieldDef *const candidates[] = {
    process_v0, process_v0_packed, process_v0_packed_pad,
  };
  const EtwFieldDef *chosen = process_v0;

  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
    {
      EtwDecCtx trial = *c;
      EtwRoleVal roles[R_COUNT];
      size_t end;

      trial.role = roles;
      trial.want_fields = false;
      trial.have = 0;
      trial.malformed = false;
      end = etw_run_layout (&trial, candidates[i], 0);
      if (process_v0_plausible (&trial, end))
        {
          chosen = candidates[i];
          break;
        }
    }
  etw_run_layout (c, chosen, 0);
}

/* ------------------------------------------------------------------ */
/* Thread {3d6fa8d1-…}                                                  */

static const EtwFieldDef thread_v0[] = {
  { "TThreadId", FT_U32, R_TID, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef thread_v1[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "TThreadId", FT_U32, R_TID, 0 },
  { "StackBase", FT_PTR, 0, 0 },
  { "StackLimit", FT_PTR, 0, 0 },
  { "UserStackBase", FT_PTR, 0, 0 },
  { "UserStackLimit", FT_PTR, 0, 0 },
  { "StartAddr", FT_PTR, 0, 0 },
  { "Win32StartAddr", FT_PTR, 0, 0 },
  { "WaitMode", FT_I8, 0, 0 },
  END
};

static const EtwFieldDef thread_v1_end[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "TThreadId", FT_U32, R_TID, 0 },
  END
};

static const EtwFieldDef thread_v2[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "TThreadId", FT_U32, R_TID, 0 },
  { "StackBase", FT_PTR, 0, 0 },
  { "StackLimit", FT_PTR, 0, 0 },
  { "UserStackBase", FT_PTR, 0, 0 },
  { "UserStackLimit", FT_PTR, 0, 0 },
  { "StartAddr", FT_PTR, 0, 0 },
  { "Win32StartAddr", FT_PTR, 0, 0 },
  { "TebBase", FT_PTR, 0, 0 },
  { "SubProcessTag", FT_X32, 0, 0 },
  END
};

/* Older v3 payloads stop at SubProcessTag (PerfView guards these too). */
static const EtwFieldDef thread_v3[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "TThreadId", FT_U32, R_TID, 0 },
  { "StackBase", FT_PTR, 0, 0 },
  { "StackLimit", FT_PTR, 0, 0 },
  { "UserStackBase", FT_PTR, 0, 0 },
  { "UserStackLimit", FT_PTR, 0, 0 },
  { "Affinity", FT_PTRX, 0, 0 },
  { "Win32StartAddr", FT_PTR, 0, 0 },
  { "TebBase", FT_PTR, 0, 0 },
  { "SubProcessTag", FT_X32, 0, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "BasePriority", FT_U8, 0, 0 },
  { "PagePriority", FT_U8, 0, 0 },
  { "IoPriority", FT_U8, 0, 0 },
  { "ThreadFlags", FT_X8, 0, 0 },
  END
};

static const EtwFieldDef thread_v4[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "TThreadId", FT_U32, R_TID, 0 },
  { "StackBase", FT_PTR, 0, 0 },
  { "StackLimit", FT_PTR, 0, 0 },
  { "UserStackBase", FT_PTR, 0, 0 },
  { "UserStackLimit", FT_PTR, 0, 0 },
  { "Affinity", FT_PTRX, 0, 0 },
  { "Win32StartAddr", FT_PTR, 0, 0 },
  { "TebBase", FT_PTR, 0, 0 },
  { "SubProcessTag", FT_X32, 0, 0 },
  { "BasePriority", FT_U8, 0, 0 },
  { "PagePriority", FT_U8, 0, 0 },
  { "IoPriority", FT_U8, 0, 0 },
  { "ThreadFlags", FT_X8, 0, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "ThreadName", FT_WSZ, R_THREADNAME, 0 },
  END
};

static const EtwFieldDef thread_cswitch[] = {
  { "NewThreadId", FT_U32, R_TID, 0 },
  { "OldThreadId", FT_U32, 0, 0 },
  { "NewThreadPriority", FT_I8, 0, 0 },
  { "OldThreadPriority", FT_I8, 0, 0 },
  { "PreviousCState", FT_U8, 0, 0 },
  { "SpareByte", FT_I8, 0, 0 },
  { "OldThreadWaitReason", FT_I8, 0, 0 },
  { "OldThreadWaitMode", FT_I8, 0, 0 },
  { "OldThreadState", FT_I8, 0, 0 },
  { "OldThreadWaitIdealProcessor", FT_I8, 0, 0 },
  { "NewThreadWaitTime", FT_U32, 0, 0 },
  { "Reserved", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef thread_ready[] = {
  { "TThreadId", FT_U32, R_TID, 0 },
  { "AdjustReason", FT_I8, 0, 0 },
  { "AdjustIncrement", FT_I8, 0, 0 },
  { "Flag", FT_I8, 0, 0 },
  { "Reserved", FT_I8, 0, 0 },
  END
};

static const EtwFieldDef thread_setname[] = {
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ThreadId", FT_U32, R_TID, 0 },
  { "ThreadName", FT_WSZ, R_THREADNAME, 0 },
  END
};

static const EtwFieldDef *
thread_layout (uint8_t opcode,
               uint8_t version)
{
  switch (opcode)
    {
    case 1: case 2: case 3: case 4:
      switch (version)
        {
        case 0: return thread_v0;
        case 1: return opcode == 2 ? thread_v1_end : thread_v1;
        case 2: return thread_v2;
        case 3: return thread_v3;
        default: return thread_v4;
        }
    case 36:
      return version >= 2 ? thread_cswitch : NULL;
    case 50:
      return thread_ready;
    case 72:
      return thread_setname;
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Image {2cb15d1d-…}                                                   */

static const EtwFieldDef image_v0[] = {
  { "BaseAddress", FT_PTR, R_IMGBASE, 0 },
  { "ModuleSize", FT_U32, R_IMGSIZE, 0 },
  { "ImageFileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef image_v1[] = {
  { "ImageBase", FT_PTR, R_IMGBASE, 0 },
  { "ImageSize", FT_PTRU, R_IMGSIZE, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef image_v2[] = {
  { "ImageBase", FT_PTR, R_IMGBASE, 0 },
  { "ImageSize", FT_PTRU, R_IMGSIZE, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ImageChecksum", FT_U32, 0, 0 },
  { "TimeDateStamp", FT_U32, 0, 0 },
  { "Reserved0", FT_U32, 0, 0 },
  { "DefaultBase", FT_PTR, 0, 0 },
  { "Reserved1", FT_U32, 0, 0 },
  { "Reserved2", FT_U32, 0, 0 },
  { "Reserved3", FT_U32, 0, 0 },
  { "Reserved4", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef image_v3[] = {
  { "ImageBase", FT_PTR, R_IMGBASE, 0 },
  { "ImageSize", FT_PTRU, R_IMGSIZE, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  { "ImageChecksum", FT_U32, 0, 0 },
  { "TimeDateStamp", FT_U32, 0, 0 },
  { "SignatureLevel", FT_U8, 0, 0 },
  { "SignatureType", FT_U8, 0, 0 },
  { "Reserved0", FT_U16, 0, 0 },
  { "DefaultBase", FT_PTR, 0, 0 },
  { "Reserved1", FT_U32, 0, 0 },
  { "Reserved2", FT_U32, 0, 0 },
  { "Reserved3", FT_U32, 0, 0 },
  { "Reserved4", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef image_kernel_base[] = {
  { "ImageBase", FT_PTR, R_IMGBASE, 0 },
  END
};

static const EtwFieldDef image_hypercall[] = {
  { "HypercallPageVa", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef *
image_layout (uint8_t opcode,
              uint8_t version)
{
  switch (opcode)
    {
    case 2: case 3: case 4: case 10:
      switch (version)
        {
        case 0: return opcode == 10 ? image_v0 : NULL;
        case 1: return opcode == 10 ? image_v1 : NULL;
        case 2: return image_v2;
        default: return image_v3;
        }
    case 33:
      return image_kernel_base;
    case 34:
      return image_hypercall;
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* FileIo {90cbdc39-…}                                                  */

static const EtwFieldDef file_name[] = {
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

/* v2 (Vista/7): TTID is pointer-sized and comes second. */
static const EtwFieldDef file_v2_create[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "TTID", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "CreateOptions", FT_X32, R_CREATEOPTS, 0 },
  { "FileAttributes", FT_X32, 0, 0 },
  { "ShareAccess", FT_X32, 0, 0 },
  { "OpenPath", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef file_v2_simple[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "TTID", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  END
};

static const EtwFieldDef file_v2_rw[] = {
  { "Offset", FT_U64, R_OFFSET, 0 },
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "TTID", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "IoSize", FT_U32, R_IOSIZE, 0 },
  { "IoFlags", FT_X32, 0, 0 },
  END
};

static const EtwFieldDef file_v2_info[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "TTID", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "ExtraInfo", FT_PTR, R_EXTRA, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  END
};

static const EtwFieldDef file_v2_direnum[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "TTID", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "Length", FT_U32, 0, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "FileIndex", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_RELNAME, 0 },
  END
};

static const EtwFieldDef file_opend[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "ExtraInfo", FT_PTR, R_EXTRA, 0 },
  { "NtStatus", FT_ST32, R_STATUS, 0 },
  END
};

/* v3 (Win8+): TTID is a u32 after the pointers. */
static const EtwFieldDef file_v3_create[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  { "CreateOptions", FT_X32, R_CREATEOPTS, 0 },
  { "FileAttributes", FT_X32, 0, 0 },
  { "ShareAccess", FT_X32, 0, 0 },
  { "OpenPath", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef file_v3_simple[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  END
};

static const EtwFieldDef file_v3_rw[] = {
  { "Offset", FT_U64, R_OFFSET, 0 },
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  { "IoSize", FT_U32, R_IOSIZE, 0 },
  { "IoFlags", FT_X32, 0, 0 },
  END
};

static const EtwFieldDef file_v3_info[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "ExtraInfo", FT_PTR, R_EXTRA, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  END
};

static const EtwFieldDef file_v3_direnum[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  { "Length", FT_U32, 0, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "FileIndex", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_RELNAME, 0 },
  END
};

static const EtwFieldDef file_v3_path[] = {
  { "IrpPtr", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "ExtraInfo", FT_PTR, R_EXTRA, 0 },
  { "TTID", FT_U32, R_TTID, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef file_mapfile[] = {
  { "ViewBase", FT_PTR, R_VIEWBASE, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "MiscInfo", FT_X64, 0, 0 },
  { "ViewSize", FT_PTRU, R_VIEWSIZE, 0 },
  { "ProcessId", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef *
fileio_layout (uint8_t opcode,
               uint8_t version)
{
  bool v3 = version >= 3;

  switch (opcode)
    {
    case 0: case 32: case 35: case 36:
      return file_name;
    case 37: case 38: case 39: case 40:
      return file_mapfile;
    default:
      break;
    }
  if (version < 2)
    return NULL;
  switch (opcode)
    {
    case 64:
      return v3 ? file_v3_create : file_v2_create;
    case 65: case 66: case 73:
      return v3 ? file_v3_simple : file_v2_simple;
    case 67: case 68:
      return v3 ? file_v3_rw : file_v2_rw;
    case 69: case 70: case 71: case 74: case 75:
      return v3 ? file_v3_info : file_v2_info;
    case 72: case 77:
      return v3 ? file_v3_direnum : file_v2_direnum;
    case 76:
      return file_opend;
    case 79: case 80: case 81:
      return v3 ? file_v3_path : NULL;
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* DiskIo {3d6fa8d4-…}: v2 is v3 without IssuingThreadId.               */

static const EtwFieldDef disk_rw[] = {
  { "DiskNumber", FT_U32, R_DISK, 0 },
  { "IrpFlags", FT_X32, 0, 0 },
  { "TransferSize", FT_U32, R_IOSIZE, 0 },
  { "Reserved", FT_U32, 0, 0 },
  { "ByteOffset", FT_U64, R_OFFSET, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "Irp", FT_PTR, R_IRP, 0 },
  { "HighResResponseTime", FT_U64, 0, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  END
};

static const EtwFieldDef disk_init[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  END
};

static const EtwFieldDef disk_flush[] = {
  { "DiskNumber", FT_U32, R_DISK, 0 },
  { "IrpFlags", FT_X32, 0, 0 },
  { "HighResResponseTime", FT_U64, 0, 0 },
  { "Irp", FT_PTR, R_IRP, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  END
};

static const EtwFieldDef *
diskio_layout (uint8_t opcode,
               uint8_t version)
{
  if (version < 2)
    return NULL;
  switch (opcode)
    {
    case 10: case 11: case 55: case 56:
      return disk_rw;
    case 12: case 13: case 15: case 58: case 59: case 60:
      return disk_init;
    case 14: case 57:
      return disk_flush;
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Registry {ae53722e-…}                                                */

static const EtwFieldDef registry_v0[] = {
  { "Status", FT_STPTR, R_STATUS, 0 },
  { "KeyHandle", FT_PTR, R_KCB, 0 },
  { "ElapsedTime", FT_I64, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  END
};

static const EtwFieldDef registry_v1[] = {
  { "Status", FT_STPTR, R_STATUS, 0 },
  { "KeyHandle", FT_PTR, R_KCB, 0 },
  { "ElapsedTime", FT_I64, 0, 0 },
  { "Index", FT_U32, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  END
};

static const EtwFieldDef registry_v2[] = {
  { "InitialTime", FT_I64, R_TIMESTAMP, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "Index", FT_U32, 0, 0 },
  { "KeyHandle", FT_PTR, R_KCB, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  END
};

static const EtwFieldDef *
registry_layout (uint8_t opcode,
                 uint8_t version)
{
  switch (version)
    {
    case 0: return opcode >= 10 && opcode <= 21 ? registry_v0 : NULL;
    case 1: return opcode >= 10 && opcode <= 22 ? registry_v1 : NULL;
    default: return opcode >= 10 && opcode <= 29 ? registry_v2 : NULL;
    }
}

/* ------------------------------------------------------------------ */
/* TcpIp {9a280ac0-…} and UdpIp {bf3a50c5-…}                            */

#define NET_HEAD(ip)                            \
  { "PID", FT_U32, R_PID, 0 },                  \
  { "size", FT_U32, R_SIZE, 0 },                \
  { "daddr", ip, R_DADDR, 0 },                  \
  { "saddr", ip, R_SADDR, 0 },                  \
  { "dport", FT_PORT, R_DPORT, 0 },             \
  { "sport", FT_PORT, R_SPORT, 0 }

/* v2 follows the Windows 11 MOF (what TDH uses) and Learn: seqnum before
 * the pointer-sized connid in every group. PerfView's TraceEvent reads
 * connid first for Recv/Disconnect/Retransmit/Reconnect/TCPCopy (the v1
 * order); we follow the schema. */
static const EtwFieldDef tcp_v2_send4[] = {
  NET_HEAD (FT_IP4),
  { "startime", FT_U32, 0, 0 },
  { "endtime", FT_U32, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef tcp_v2_group1[] = {
  NET_HEAD (FT_IP4),
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef tcp_v2_group2[] = {
  NET_HEAD (FT_IP4),
  { "mss", FT_U16, 0, 0 },
  { "sackopt", FT_U16, 0, 0 },
  { "tsopt", FT_U16, 0, 0 },
  { "wsopt", FT_U16, 0, 0 },
  { "rcvwin", FT_U32, 0, 0 },
  { "rcvwinscale", FT_I16, 0, 0 },
  { "sndwinscale", FT_I16, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef tcp_v2_send6[] = {
  NET_HEAD (FT_IP6),
  { "startime", FT_U32, 0, 0 },
  { "endtime", FT_U32, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef tcp_v2_group3[] = {
  NET_HEAD (FT_IP6),
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef tcp_v2_group4[] = {
  NET_HEAD (FT_IP6),
  { "mss", FT_U16, 0, 0 },
  { "sackopt", FT_U16, 0, 0 },
  { "tsopt", FT_U16, 0, 0 },
  { "wsopt", FT_U16, 0, 0 },
  { "rcvwin", FT_U32, 0, 0 },
  { "rcvwinscale", FT_I16, 0, 0 },
  { "sndwinscale", FT_I16, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef net_fail[] = {
  { "Proto", FT_U16, R_PROTO, 0 },
  { "FailureCode", FT_U16, R_FAILCODE, 0 },
  END
};

/* v1: the same fields with connid before seqnum. */
static const EtwFieldDef tcp_v1_send4[] = {
  NET_HEAD (FT_IP4),
  { "startime", FT_U32, 0, 0 },
  { "endtime", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_group1[] = {
  NET_HEAD (FT_IP4),
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_group2[] = {
  NET_HEAD (FT_IP4),
  { "mss", FT_U16, 0, 0 },
  { "sackopt", FT_U16, 0, 0 },
  { "tsopt", FT_U16, 0, 0 },
  { "wsopt", FT_U16, 0, 0 },
  { "rcvwin", FT_U32, 0, 0 },
  { "rcvwinscale", FT_I16, 0, 0 },
  { "sndwinscale", FT_I16, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_send6[] = {
  NET_HEAD (FT_IP6),
  { "startime", FT_U32, 0, 0 },
  { "endtime", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_group3[] = {
  NET_HEAD (FT_IP6),
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_group4[] = {
  NET_HEAD (FT_IP6),
  { "mss", FT_U16, 0, 0 },
  { "sackopt", FT_U16, 0, 0 },
  { "tsopt", FT_U16, 0, 0 },
  { "wsopt", FT_U16, 0, 0 },
  { "rcvwin", FT_U32, 0, 0 },
  { "rcvwinscale", FT_I16, 0, 0 },
  { "sndwinscale", FT_I16, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  { "seqnum", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef tcp_v1_fail[] = {
  { "Proto", FT_U32, R_PROTO, 0 },
  END
};

/* v0 (Windows 2000/XP): addresses first, then ports, size and PID. */
static const EtwFieldDef tcp_v0[] = {
  { "daddr", FT_IP4, R_DADDR, 0 },
  { "saddr", FT_IP4, R_SADDR, 0 },
  { "dport", FT_PORT, R_DPORT, 0 },
  { "sport", FT_PORT, R_SPORT, 0 },
  { "size", FT_U32, R_SIZE, 0 },
  { "PID", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef *
tcpip_layout (uint8_t opcode,
              uint8_t version)
{
  if (opcode == 17)
    return version >= 2 ? net_fail : version == 1 ? tcp_v1_fail : NULL;
  if (version == 0)
    return opcode >= 10 && opcode <= 18 ? tcp_v0 : NULL;
  switch (opcode)
    {
    case 10: return version >= 2 ? tcp_v2_send4 : tcp_v1_send4;
    case 11: case 13: case 14: case 16: case 18:
      return version >= 2 ? tcp_v2_group1 : tcp_v1_group1;
    case 12: case 15: return version >= 2 ? tcp_v2_group2 : tcp_v1_group2;
    case 26: return version >= 2 ? tcp_v2_send6 : tcp_v1_send6;
    case 27: case 29: case 30: case 32: case 34:
      return version >= 2 ? tcp_v2_group3 : tcp_v1_group3;
    case 28: case 31: return version >= 2 ? tcp_v2_group4 : tcp_v1_group4;
    default: return NULL;
    }
}

static const EtwFieldDef udp_v2_4[] = {
  NET_HEAD (FT_IP4),
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef udp_v2_6[] = {
  NET_HEAD (FT_IP6),
  { "seqnum", FT_U32, 0, 0 },
  { "connid", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef udp_v1_4[] = {
  NET_HEAD (FT_IP4),
  END
};

static const EtwFieldDef udp_v0[] = {
  { "context", FT_PTR, 0, 0 },
  { "saddr", FT_IP4, R_SADDR, 0 },
  { "sport", FT_PORT, R_SPORT, 0 },
  { "size", FT_U16, R_SIZE, 0 },
  { "daddr", FT_IP4, R_DADDR, 0 },
  { "dport", FT_PORT, R_DPORT, 0 },
  { "dsize", FT_U16, 0, 0 },
  END
};

static const EtwFieldDef *
udpip_layout (uint8_t opcode,
              uint8_t version)
{
  switch (opcode)
    {
    case 10: case 11:
      return version >= 2 ? udp_v2_4 : version == 1 ? udp_v1_4 : udp_v0;
    case 26: case 27:
      return version >= 2 ? udp_v2_6 : NULL;
    case 17:
      return version >= 2 ? net_fail : NULL;
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* StackWalk, PerfInfo, EventTrace                                      */

static const EtwFieldDef stack_walk[] = {
  { "EventTimeStamp", FT_U64, R_TIMESTAMP, 0 },
  { "StackProcess", FT_U32, R_PID, 0 },
  { "StackThread", FT_U32, R_TID, 0 },
  { "Stack", FT_FRAMES, 0, 0 },
  END
};

static const EtwFieldDef stack_key_ref[] = {
  { "EventTimeStamp", FT_U64, R_TIMESTAMP, 0 },
  { "StackProcess", FT_U32, R_PID, 0 },
  { "StackThread", FT_U32, R_TID, 0 },
  { "StackKey", FT_PTR, 0, 0 },
  END
};

static const EtwFieldDef stack_key_def[] = {
  { "StackKey", FT_PTR, 0, 0 },
  { "Stack", FT_FRAMES, 0, 0 },
  END
};

static const EtwFieldDef *
stackwalk_layout (uint8_t opcode)
{
  switch (opcode)
    {
    case 32: return stack_walk;
    case 34: case 35: case 36: return stack_key_def;
    case 37: case 38: return stack_key_ref;
    default: return NULL;
    }
}

static const EtwFieldDef perf_sample[] = {
  { "InstructionPointer", FT_PTR, R_IP, 0 },
  { "ThreadId", FT_U32, R_TID, 0 },
  { "Count", FT_U16, 0, 0 },
  { "Reserved", FT_U16, 0, 0 },
  END
};

static const EtwFieldDef perf_pmc[] = {
  { "InstructionPointer", FT_PTR, R_IP, 0 },
  { "ThreadId", FT_U32, R_TID, 0 },
  { "ProfileSource", FT_U16, 0, 0 },
  { "Reserved", FT_U16, 0, 0 },
  END
};

static const EtwFieldDef perf_syscall_enter[] = {
  { "SysCallAddress", FT_PTR, R_IP, 0 },
  END
};

static const EtwFieldDef perf_syscall_exit[] = {
  { "SysCallNtStatus", FT_ST32, R_STATUS, 0 },
  END
};

static const EtwFieldDef perf_dpc[] = {
  { "InitialTime", FT_U64, 0, 0 },
  { "Routine", FT_PTR, R_IP, 0 },
  END
};

static const EtwFieldDef *
perfinfo_layout (uint8_t opcode)
{
  switch (opcode)
    {
    case 46: return perf_sample;
    case 47: return perf_pmc;
    case 51: return perf_syscall_enter;
    case 52: return perf_syscall_exit;
    case 66: case 68: case 69: return perf_dpc;
    default: return NULL;
    }
}

/* TRACE_LOGFILE_HEADER as the first record's payload (etl-format.md §5). */
static const EtwFieldDef trace_header[] = {
  { "BufferSize", FT_U32, 0, 0 },
  { "Version", FT_X32, 0, 0 },
  { "ProviderVersion", FT_U32, 0, 0 },
  { "NumberOfProcessors", FT_U32, 0, 0 },
  { "EndTime", FT_FILETIME, 0, 0 },
  { "TimerResolution", FT_U32, 0, 0 },
  { "MaxFileSize", FT_U32, 0, 0 },
  { "LogFileMode", FT_X32, 0, 0 },
  { "BuffersWritten", FT_U32, 0, 0 },
  { "StartBuffers", FT_U32, 0, 0 },
  { "PointerSize", FT_U32, 0, 0 },
  { "EventsLost", FT_U32, 0, 0 },
  { "CPUSpeed", FT_U32, 0, 0 },
  { "LoggerName", FT_PTR, 0, 0 },
  { "LogFileName", FT_PTR, 0, 0 },
  { "TimeZoneInformation", FT_STRUCT, 0, 0 },
  { "Bias", FT_I32, 0, 0 },
  { "StandardName", FT_WCHARS, 0, 64 },
  { "StandardDate", FT_SYSTEMTIME, 0, 0 },
  { "StandardBias", FT_I32, 0, 0 },
  { "DaylightName", FT_WCHARS, 0, 64 },
  { "DaylightDate", FT_SYSTEMTIME, 0, 0 },
  { "DaylightBias", FT_I32, 0, 0 },
  { NULL, FT_STRUCTEND, 0, 0 },
  { NULL, FT_SKIP, 0, 4 },
  { "BootTime", FT_FILETIME, 0, 0 },
  { "PerfFreq", FT_U64, 0, 0 },
  { "StartTime", FT_FILETIME, 0, 0 },
  { "ReservedFlags", FT_U32, 0, 0 },
  { "BuffersLost", FT_U32, 0, 0 },
  { NULL, FT_OPT, 0, 0 },
  { "SessionNameString", FT_WSZ, 0, 0 },
  { "LogFileNameString", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef trace_extension[] = {
  { "GroupMask1", FT_X32, 0, 0 },
  { "GroupMask2", FT_X32, 0, 0 },
  { "GroupMask3", FT_X32, 0, 0 },
  { "GroupMask4", FT_X32, 0, 0 },
  { "GroupMask5", FT_X32, 0, 0 },
  { "GroupMask6", FT_X32, 0, 0 },
  { "GroupMask7", FT_X32, 0, 0 },
  { "GroupMask8", FT_X32, 0, 0 },
  { "KernelEventVersion", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef trace_dropped[] = {
  { "Count", FT_U32, 0, 0 },
  { "Reserved", FT_U32, 0, 0 },
  { "Timestamps", FT_U64REF, 0, 0 },
  END
};

static const EtwFieldDef empty_layout[] = {
  END
};

static const EtwFieldDef *
eventtrace_layout (uint8_t opcode)
{
  switch (opcode)
    {
    case 0: return trace_header;
    case 5: case 32: return trace_extension;
    case 8: case 48: case 49: return empty_layout;
    case 82: return trace_dropped;
    default: return NULL;
    }
}

/* ------------------------------------------------------------------ */

const EtwFieldDef *
etw_kernel_layout (int      group,
                   uint8_t  opcode,
                   uint8_t  version,
                   unsigned pointer_size)
{
  (void) pointer_size;
  switch (group)
    {
    case ETW_GROUP_PROCESS: return process_layout (opcode, version);
    case ETW_GROUP_THREAD: return thread_layout (opcode, version);
    case ETW_GROUP_IMAGE: return image_layout (opcode, version);
    case ETW_GROUP_FILEIO: return fileio_layout (opcode, version);
    case ETW_GROUP_DISKIO: return diskio_layout (opcode, version);
    case ETW_GROUP_REGISTRY: return registry_layout (opcode, version);
    case ETW_GROUP_TCPIP: return tcpip_layout (opcode, version);
    case ETW_GROUP_UDPIP: return udpip_layout (opcode, version);
    case ETW_GROUP_STACKWALK: return stackwalk_layout (opcode);
    case ETW_GROUP_PERFINFO: return perfinfo_layout (opcode);
    case ETW_GROUP_EVENTTRACE: return eventtrace_layout (opcode);
    default: return NULL;
    }
}

EtwSem
etw_kernel_sem (int     group,
                uint8_t opcode)
{
  switch (group)
    {
    case ETW_GROUP_PROCESS:
      switch (opcode)
        {
        case 1: return SEM_PROC_START;
        case 2: return SEM_PROC_END;
        case 3: return SEM_PROC_DCSTART;
        case 4: return SEM_PROC_DCEND;
        case 11: return SEM_PROC_TERMINATE;
        case 39: return SEM_PROC_DEFUNCT;
        /* Windows 10 logs image loads in the Process group (hook 0x030A). */
        case 10: return SEM_IMAGE_LOAD;
        default: return SEM_PROC_OTHER;
        }
    case ETW_GROUP_THREAD:
      switch (opcode)
        {
        case 1: return SEM_THREAD_START;
        case 2: return SEM_THREAD_END;
        case 3: return SEM_THREAD_DCSTART;
        case 4: return SEM_THREAD_DCEND;
        case 36: return SEM_THREAD_CSWITCH;
        case 72: return SEM_THREAD_SETNAME;
        default: return SEM_THREAD_OTHER;
        }
    case ETW_GROUP_IMAGE:
      switch (opcode)
        {
        case 10: return SEM_IMAGE_LOAD;
        case 2: return SEM_IMAGE_UNLOAD;
        case 3: return SEM_IMAGE_DCSTART;
        case 4: return SEM_IMAGE_DCEND;
        default: return SEM_IMAGE_OTHER;
        }
    case ETW_GROUP_FILEIO:
      switch (opcode)
        {
        case 0: return SEM_FILE_NAME;
        case 32: return SEM_FILE_NAMECREATE;
        case 35: return SEM_FILE_NAMEDELETE;
        case 36: return SEM_FILE_RUNDOWN;
        case 37: return SEM_FILE_MAP;
        case 38: return SEM_FILE_UNMAP;
        case 39: case 40: return SEM_FILE_MAPRUNDOWN;
        case 64: return SEM_FILE_CREATE;
        case 65: return SEM_FILE_CLEANUP;
        case 66: return SEM_FILE_CLOSE;
        case 67: return SEM_FILE_READ;
        case 68: return SEM_FILE_WRITE;
        case 69: return SEM_FILE_SETINFO;
        case 70: return SEM_FILE_DELETE;
        case 71: return SEM_FILE_RENAME;
        case 72: return SEM_FILE_DIRENUM;
        case 73: return SEM_FILE_FLUSH;
        case 74: return SEM_FILE_QUERYINFO;
        case 75: return SEM_FILE_FSCTL;
        case 76: return SEM_FILE_OPEND;
        case 77: return SEM_FILE_DIRNOTIFY;
        case 79: return SEM_FILE_DELETEPATH;
        case 80: return SEM_FILE_RENAMEPATH;
        case 81: return SEM_FILE_SETLINKPATH;
        default: return SEM_NONE;
        }
    case ETW_GROUP_DISKIO:
      switch (opcode)
        {
        case 10: case 55: return SEM_DISK_READ;
        case 11: case 56: return SEM_DISK_WRITE;
        case 14: case 57: return SEM_DISK_FLUSH;
        case 12: case 13: case 15: case 58: case 59: case 60: return SEM_DISK_INIT;
        default: return SEM_NONE;
        }
    case ETW_GROUP_REGISTRY:
      switch (opcode)
        {
        case 10: return SEM_REG_CREATE;
        case 11: return SEM_REG_OPEN;
        case 12: return SEM_REG_DELETE;
        case 13: return SEM_REG_QUERY;
        case 14: return SEM_REG_SETVALUE;
        case 15: return SEM_REG_DELETEVALUE;
        case 16: return SEM_REG_QUERYVALUE;
        case 17: return SEM_REG_ENUMKEY;
        case 18: return SEM_REG_ENUMVALUE;
        case 19: return SEM_REG_QUERYMULTI;
        case 20: return SEM_REG_SETINFO;
        case 21: return SEM_REG_FLUSH;
        case 22: return SEM_REG_KCBCREATE;
        case 23: return SEM_REG_KCBDELETE;
        case 24: case 25: return SEM_REG_KCBRUNDOWN;
        case 26: return SEM_REG_VIRTUALIZE;
        case 27: return SEM_REG_CLOSE;
        case 28: return SEM_REG_SETSECURITY;
        case 29: return SEM_REG_QUERYSECURITY;
        default: return SEM_REG_OTHER;
        }
    case ETW_GROUP_TCPIP:
      switch (opcode)
        {
        case 10: case 26: return SEM_TCP_SEND;
        case 11: case 27: return SEM_TCP_RECV;
        case 12: case 28: return SEM_TCP_CONNECT;
        case 13: case 29: return SEM_TCP_DISCONNECT;
        case 14: case 30: return SEM_TCP_RETRANSMIT;
        case 15: case 31: return SEM_TCP_ACCEPT;
        case 16: case 32: return SEM_TCP_RECONNECT;
        case 17: return SEM_TCP_FAIL;
        case 18: case 34: return SEM_TCP_COPY;
        default: return SEM_TCP_OTHER;
        }
    case ETW_GROUP_UDPIP:
      switch (opcode)
        {
        case 10: case 26: return SEM_UDP_SEND;
        case 11: case 27: return SEM_UDP_RECV;
        case 17: return SEM_UDP_FAIL;
        default: return SEM_NONE;
        }
    case ETW_GROUP_PERFINFO:
      return opcode == 46 || opcode == 47 ? SEM_PROFILE : SEM_NONE;
    case ETW_GROUP_STACKWALK:
      return SEM_STACK;
    case ETW_GROUP_EVENTTRACE:
      return opcode == 0 ? SEM_TRACE_HEADER : SEM_NONE;
    default:
      return SEM_NONE;
    }
}

void
etw_decode_kernel (EtwDecCtx *c,
                   int        group)
{
  const EtwEvent *ev = c->ev;
  const EtwFieldDef *layout;

  if (group == ETW_GROUP_PROCESS && ev->opcode == 10)
    group = ETW_GROUP_IMAGE;
  if (group == ETW_GROUP_PROCESS && ev->version == 0 &&
      (ev->opcode >= 1 && ev->opcode <= 4))
    {
      decode_process_v0 (c);
      return;
    }
  layout = etw_kernel_layout (group, ev->opcode, ev->version, c->ps);
  if (layout == NULL)
    {
      etw_field_payload (c);
      return;
    }
  etw_run_layout (c, layout, 0);
}
