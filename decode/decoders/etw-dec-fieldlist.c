/* etw-dec-fieldlist.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events whose payload is an etwscope field list (etw-fields.h): decoded
 * by TDH on Windows, by libtraceevent on Linux, or built by tests. Their
 * fields are shown as given. The summary comes from the well-known
 * Windows property names among the top-level fields, so a TDH-decoded
 * FileIo/Create and a perf-built Linux-Kernel-File/Create summarize alike.
 */
#include "etw-dec-private.h"

#include "etw-fields.h"

#include <string.h>

typedef struct
{
  const char *name;
  uint8_t     role;
} NameRole;

/* Sorted by name (strcmp order) for a binary search. */
static const NameRole name_roles[] = {
  { "BaseAddress", R_IMGBASE },
  { "BaseName", R_BASENAME },
  { "BaseObject", R_BASEOBJ },
  { "ByteOffset", R_OFFSET },
  { "CommandLine", R_CMDLINE },
  { "CreateOptions", R_CREATEOPTS },
  { "DiskNumber", R_DISK },
  { "ExitCode", R_EXIT },
  { "ExitStatus", R_EXIT },
  { "ExtraInfo", R_EXTRA },
  { "ExtraInformation", R_EXTRA },
  { "FailureCode", R_FAILCODE },
  { "FileKey", R_FILEKEY },
  { "FileName", R_PATH },
  { "FileObject", R_FILEOBJ },
  { "FilePath", R_PATH },
  { "IOSize", R_IOSIZE },
  { "ImageBase", R_IMGBASE },
  { "ImageFileName", R_IMAGE },
  { "ImageName", R_IMAGE },
  { "ImageSize", R_IMGSIZE },
  { "InfoClass", R_INFOCLASS },
  { "InstructionPointer", R_IP },
  { "IoSize", R_IOSIZE },
  { "Irp", R_IRP },
  { "IrpPtr", R_IRP },
  { "IssuingThreadId", R_TTID },
  { "KeyHandle", R_KCB },
  { "KeyName", R_KEYNAME },
  { "KeyObject", R_KCB },
  { "ModuleSize", R_IMGSIZE },
  { "NtStatus", R_STATUS },
  { "Offset", R_OFFSET },
  { "OpenPath", R_PATH },
  { "PID", R_PID },
  { "ParentId", R_PPID },
  { "ParentProcessID", R_PPID },
  { "ParentProcessId", R_PPID },
  { "ProcessID", R_PID },
  { "ProcessId", R_PID },
  { "Proto", R_PROTO },
  { "RelativeName", R_RELNAME },
  { "SessionID", R_SESSION },
  { "SessionId", R_SESSION },
  { "Status", R_STATUS },
  { "TTID", R_TTID },
  { "TThreadId", R_TID },
  { "ThreadID", R_TID },
  { "ThreadId", R_TID },
  { "ThreadName", R_THREADNAME },
  { "TransferSize", R_IOSIZE },
  { "ValueName", R_VALUENAME },
  { "comm", R_IMAGE },
  { "daddr", R_DADDR },
  { "dport", R_DPORT },
  { "filename", R_PATH },
  { "pid", R_PID },
  { "ppid", R_PPID },
  { "saddr", R_SADDR },
  { "size", R_SIZE },
  { "sport", R_SPORT },
  { "tid", R_TID },
};

static uint8_t
role_of (const char *name)
{
  size_t lo = 0, hi = sizeof name_roles / sizeof name_roles[0];

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int cmp = strcmp (name_roles[mid].name, name);
      if (cmp == 0)
        return name_roles[mid].role;
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return R_NONE;
}

void
etw_decode_field_list (EtwDecCtx *c)
{
  EtwFieldReader r;
  EtwField f;
  unsigned depth = 0;
  uint8_t kinds[256];

  etw_fr_init (&r, c->ev->payload, c->ev->payload_len);
  while (etw_fr_next (&r, &f))
    {
      bool end = f.type == ETW_VAL_STRUCT_END || f.type == ETW_VAL_ARRAY_END;
      uint8_t role;

      /* Nesting comes from the begins and ends themselves, not from the
       * depth bytes a producer wrote: an end that closes nothing is
       * dropped, and whatever is left open is closed below. */
      if (end)
        {
          if (depth == 0)
            continue;
          depth--;
        }
      role = depth == 0 && !end ? role_of (f.name) : R_NONE;

      if (role != R_NONE && !etw_ctx_has (c, role))
        {
          switch ((EtwValueType) f.type)
            {
            case ETW_VAL_INT:
            case ETW_VAL_UINT:
            case ETW_VAL_HEX:
            case ETW_VAL_POINTER:
            case ETW_VAL_BOOL:
            case ETW_VAL_STATUS:
            case ETW_VAL_FILETIME:
              etw_ctx_set_num (c, role, f.v.u);
              break;
            case ETW_VAL_STRING:
            case ETW_VAL_SID:
              etw_ctx_set_ref (c, role, RV_UTF8, (const uint8_t *) f.v.s, f.len);
              break;
            case ETW_VAL_IPV4:
              /* The reader copied the bytes; point at them in the payload. */
              etw_ctx_set_ref (c, role, RV_IP4, r.p - 4, 4);
              break;
            case ETW_VAL_IPV6:
              etw_ctx_set_ref (c, role, RV_IP6, r.p - 16, 16);
              break;
            default:
              break;
            }
        }

      if (c->want_fields)
        {
          EtwField *o;

          c->depth = (uint8_t) (depth < 255 ? depth : 255);
          o = etw_field_add (c, NULL, f.type);
          if (f.type == ETW_VAL_STRUCT_BEGIN || f.type == ETW_VAL_ARRAY_BEGIN)
            {
              /* How to close it if the list ends first. */
              if (depth < sizeof kinds)
                kinds[depth] = f.type == ETW_VAL_STRUCT_BEGIN ? ETW_VAL_STRUCT_END : ETW_VAL_ARRAY_END;
              depth++;
            }
          if (o == NULL)
            continue;
          o->len = f.len;
          o->v = f.v;
          if (f.name != NULL && f.name[0] != '\0')
            o->name = etw_text_copy (c->out, f.name, strlen (f.name));
          if (f.type == ETW_VAL_STRING || f.type == ETW_VAL_SID)
            {
              o->v.s = etw_text_copy (c->out, f.v.s, f.len);
              o->len = (uint32_t) strlen (o->v.s);
            }
        }
      else if (f.type == ETW_VAL_STRUCT_BEGIN || f.type == ETW_VAL_ARRAY_BEGIN)
        depth++;
    }
  if (c->want_fields)
    while (depth > 0)
      {
        depth--;
        c->depth = (uint8_t) (depth < 255 ? depth : 255);
        etw_field_add (c, NULL, depth < sizeof kinds ? kinds[depth] : ETW_VAL_STRUCT_END);
      }
  c->depth = 0;
  if (r.error)
    c->malformed = true;
}
