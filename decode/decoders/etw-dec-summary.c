/* etw-dec-summary.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From roles to Process Monitor's columns (operation, path, result,
 * detail), and the naming state updates that etw_decoder_observe() makes.
 * Operation names are Process Monitor's where it has one, so that users'
 * filters carry over.
 */
#include "etw-dec-private.h"

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-guid.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  uint8_t     cls;
  const char *operation;
} SemInfo;

static const SemInfo sem_info[SEM_LAST] = {
  [SEM_NONE] = { CLS_NONE, NULL },

  [SEM_PROC_START] = { CLS_PROCESS, "Process Start" },
  [SEM_PROC_END] = { CLS_PROCESS, "Process Exit" },
  [SEM_PROC_DCSTART] = { CLS_PROCESS, "Process Rundown" },
  [SEM_PROC_DCEND] = { CLS_PROCESS, "Process Rundown" },
  [SEM_PROC_DEFUNCT] = { CLS_PROCESS, "Process Defunct" },
  [SEM_PROC_TERMINATE] = { CLS_PROCESS, "Process Terminate" },
  [SEM_PROC_EXEC] = { CLS_PROCESS, "Process Exec" },
  [SEM_PROC_OTHER] = { CLS_PROCESS, NULL },

  [SEM_THREAD_START] = { CLS_THREAD, "Thread Create" },
  [SEM_THREAD_END] = { CLS_THREAD, "Thread Exit" },
  [SEM_THREAD_DCSTART] = { CLS_THREAD, "Thread Rundown" },
  [SEM_THREAD_DCEND] = { CLS_THREAD, "Thread Rundown" },
  [SEM_THREAD_CSWITCH] = { CLS_THREAD, NULL },
  [SEM_THREAD_SETNAME] = { CLS_THREAD, "Thread Name" },
  [SEM_THREAD_OTHER] = { CLS_THREAD, NULL },

  [SEM_IMAGE_LOAD] = { CLS_IMAGE, "Load Image" },
  [SEM_IMAGE_UNLOAD] = { CLS_IMAGE, "Unload Image" },
  [SEM_IMAGE_DCSTART] = { CLS_IMAGE, "Image Rundown" },
  [SEM_IMAGE_DCEND] = { CLS_IMAGE, "Image Rundown" },
  [SEM_IMAGE_OTHER] = { CLS_IMAGE, NULL },

  /* Name events only feed the FileObject → path map. */
  [SEM_FILE_NAME] = { CLS_FILE, NULL },
  [SEM_FILE_NAMECREATE] = { CLS_FILE, NULL },
  [SEM_FILE_NAMEDELETE] = { CLS_FILE, NULL },
  [SEM_FILE_RUNDOWN] = { CLS_FILE, NULL },
  [SEM_FILE_CREATE] = { CLS_FILE, "CreateFile" },
  [SEM_FILE_CREATENEW] = { CLS_FILE, "CreateFile" },
  [SEM_FILE_CLEANUP] = { CLS_FILE, "CloseFile" },
  [SEM_FILE_CLOSE] = { CLS_FILE, "IRP_MJ_CLOSE" },
  [SEM_FILE_READ] = { CLS_FILE, "ReadFile" },
  [SEM_FILE_WRITE] = { CLS_FILE, "WriteFile" },
  [SEM_FILE_SETINFO] = { CLS_FILE, "SetInformationFile" },
  [SEM_FILE_DELETE] = { CLS_FILE, "SetDispositionInformationFile" },
  [SEM_FILE_RENAME] = { CLS_FILE, "SetRenameInformationFile" },
  [SEM_FILE_DIRENUM] = { CLS_FILE, "QueryDirectory" },
  [SEM_FILE_FLUSH] = { CLS_FILE, "FlushBuffersFile" },
  [SEM_FILE_QUERYINFO] = { CLS_FILE, "QueryInformationFile" },
  [SEM_FILE_FSCTL] = { CLS_FILE, "FileSystemControl" },
  [SEM_FILE_OPEND] = { CLS_FILE, NULL },
  [SEM_FILE_DIRNOTIFY] = { CLS_FILE, "NotifyChangeDirectory" },
  [SEM_FILE_DELETEPATH] = { CLS_FILE, "SetDispositionInformationFile" },
  [SEM_FILE_RENAMEPATH] = { CLS_FILE, "SetRenameInformationFile" },
  [SEM_FILE_SETLINKPATH] = { CLS_FILE, "SetLinkInformationFile" },
  [SEM_FILE_SETSECURITY] = { CLS_FILE, "SetSecurityFile" },
  [SEM_FILE_QUERYSECURITY] = { CLS_FILE, "QuerySecurityFile" },
  [SEM_FILE_SETEA] = { CLS_FILE, "SetEAFile" },
  [SEM_FILE_QUERYEA] = { CLS_FILE, "QueryEAFile" },
  [SEM_FILE_MAP] = { CLS_FILE, "CreateFileMapping" },
  [SEM_FILE_UNMAP] = { CLS_FILE, "UnmapViewOfFile" },
  [SEM_FILE_MAPRUNDOWN] = { CLS_FILE, NULL },

  [SEM_DISK_READ] = { CLS_DISK, "DiskRead" },
  [SEM_DISK_WRITE] = { CLS_DISK, "DiskWrite" },
  [SEM_DISK_FLUSH] = { CLS_DISK, "DiskFlush" },
  [SEM_DISK_INIT] = { CLS_DISK, NULL },

  [SEM_REG_CREATE] = { CLS_REGISTRY, "RegCreateKey" },
  [SEM_REG_OPEN] = { CLS_REGISTRY, "RegOpenKey" },
  [SEM_REG_DELETE] = { CLS_REGISTRY, "RegDeleteKey" },
  [SEM_REG_QUERY] = { CLS_REGISTRY, "RegQueryKey" },
  [SEM_REG_SETVALUE] = { CLS_REGISTRY, "RegSetValue" },
  [SEM_REG_DELETEVALUE] = { CLS_REGISTRY, "RegDeleteValue" },
  [SEM_REG_QUERYVALUE] = { CLS_REGISTRY, "RegQueryValue" },
  [SEM_REG_ENUMKEY] = { CLS_REGISTRY, "RegEnumKey" },
  [SEM_REG_ENUMVALUE] = { CLS_REGISTRY, "RegEnumValue" },
  [SEM_REG_QUERYMULTI] = { CLS_REGISTRY, "RegQueryMultipleValueKey" },
  [SEM_REG_SETINFO] = { CLS_REGISTRY, "RegSetInfoKey" },
  [SEM_REG_FLUSH] = { CLS_REGISTRY, "RegFlushKey" },
  [SEM_REG_KCBCREATE] = { CLS_REGISTRY, NULL },
  [SEM_REG_KCBDELETE] = { CLS_REGISTRY, NULL },
  [SEM_REG_KCBRUNDOWN] = { CLS_REGISTRY, NULL },
  [SEM_REG_VIRTUALIZE] = { CLS_REGISTRY, "RegVirtualize" },
  [SEM_REG_CLOSE] = { CLS_REGISTRY, "RegCloseKey" },
  [SEM_REG_SETSECURITY] = { CLS_REGISTRY, "RegSetKeySecurity" },
  [SEM_REG_QUERYSECURITY] = { CLS_REGISTRY, "RegQueryKeySecurity" },
  [SEM_REG_OTHER] = { CLS_REGISTRY, NULL },

  [SEM_TCP_SEND] = { CLS_NET, "TCP Send" },
  [SEM_TCP_RECV] = { CLS_NET, "TCP Receive" },
  [SEM_TCP_CONNECT] = { CLS_NET, "TCP Connect" },
  [SEM_TCP_DISCONNECT] = { CLS_NET, "TCP Disconnect" },
  [SEM_TCP_RETRANSMIT] = { CLS_NET, "TCP Retransmit" },
  [SEM_TCP_ACCEPT] = { CLS_NET, "TCP Accept" },
  [SEM_TCP_RECONNECT] = { CLS_NET, "TCP Reconnect" },
  [SEM_TCP_FAIL] = { CLS_NET, "TCP Fail" },
  [SEM_TCP_COPY] = { CLS_NET, "TCP Copy" },
  [SEM_TCP_OTHER] = { CLS_NET, NULL },
  [SEM_UDP_SEND] = { CLS_NET, "UDP Send" },
  [SEM_UDP_RECV] = { CLS_NET, "UDP Receive" },
  [SEM_UDP_FAIL] = { CLS_NET, "UDP Fail" },

  [SEM_PROFILE] = { CLS_OTHER, NULL },
  [SEM_TRACE_HEADER] = { CLS_OTHER, NULL },
  [SEM_LOST] = { CLS_OTHER, NULL },
  [SEM_STACK] = { CLS_OTHER, NULL },
};

EtwSemClass
etw_sem_class (EtwSem sem)
{
  return sem < SEM_LAST ? (EtwSemClass) sem_info[sem].cls : CLS_NONE;
}

const char *
etw_sem_operation (EtwSem sem)
{
  return sem < SEM_LAST ? sem_info[sem].operation : NULL;
}

static bool
sem_is_file_name (uint16_t sem)
{
  return sem == SEM_FILE_NAME || sem == SEM_FILE_NAMECREATE || sem == SEM_FILE_NAMEDELETE ||
         sem == SEM_FILE_RUNDOWN;
}

static bool
sem_is_reg_value (uint16_t sem)
{
  return sem == SEM_REG_SETVALUE || sem == SEM_REG_DELETEVALUE || sem == SEM_REG_QUERYVALUE ||
         sem == SEM_REG_ENUMVALUE || sem == SEM_REG_QUERYMULTI;
}

static bool
sem_is_reg_keyname (uint16_t sem)
{
  return sem == SEM_REG_CREATE || sem == SEM_REG_OPEN || sem == SEM_REG_DELETE ||
         sem == SEM_REG_ENUMKEY;
}

/* ------------------------------------------------------------------ */
/* The subject process                                                  */

static uint32_t
subject_pid (EtwDecCtx *c)
{
  uint32_t pid;

  if (etw_ctx_has (c, R_PID) && c->role[R_PID].kind == RV_NUM)
    return (uint32_t) c->role[R_PID].num;
  if (etw_ctx_has (c, R_TTID) && c->role[R_TTID].kind == RV_NUM &&
      etw_names_thread_pid (c->dec, (uint32_t) c->role[R_TTID].num, &pid))
    return pid;
  if (c->ev->pid == 0xFFFFFFFFu && etw_ctx_has (c, R_TID) && c->role[R_TID].kind == RV_NUM &&
      etw_names_thread_pid (c->dec, (uint32_t) c->role[R_TID].num, &pid))
    return pid;
  return c->ev->pid;
}

/* ------------------------------------------------------------------ */
/* Paths                                                                */

static const char *
file_path (EtwDecCtx *c)
{
  const char *p = NULL;

  if (etw_ctx_has (c, R_FILEKEY))
    p = etw_names_file (c->dec, c->role[R_FILEKEY].num);
  if (p == NULL && etw_ctx_has (c, R_FILEOBJ))
    p = etw_names_file (c->dec, c->role[R_FILEOBJ].num);
  return p;
}

/* A role string's UTF-8 text, or NULL when absent or empty. */
static const char *
role_text_nonempty (EtwDecCtx *c,
                    unsigned   r)
{
  const char *s;

  if (!etw_ctx_has (c, r) || c->role[r].kind == RV_NUM || c->role[r].len == 0)
    return NULL;
  s = etw_text_role (c, r);
  return s != NULL && s[0] != '\0' ? s : NULL;
}

/* "\REGISTRY\MACHINE\x" → "HKLM\x", as Process Monitor shows keys. */
static void
tb_add_key (EtwTextBuf *tb,
            const char *key)
{
  static const struct
  {
    const char *nt;
    const char *hive;
  } hives[] = {
    { "\\REGISTRY\\MACHINE", "HKLM" },
    { "\\REGISTRY\\USER", "HKU" },
  };

  for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++)
    {
      size_t n = strlen (hives[i].nt);
      bool match = strlen (key) >= n && (key[n] == '\0' || key[n] == '\\');

      for (size_t k = 0; match && k < n; k++)
        {
          char a = key[k], b = hives[i].nt[k];
          if (a >= 'a' && a <= 'z')
            a = (char) (a - 'a' + 'A');
          match = a == b;
        }
      if (match)
        {
          etw_tb_add (tb, hives[i].hive, strlen (hives[i].hive));
          etw_tb_add (tb, key + n, strlen (key + n));
          return;
        }
    }
  etw_tb_add (tb, key, strlen (key));
}

static const char *
registry_path (EtwDecCtx *c)
{
  const char *base = NULL, *name, *value = NULL;
  EtwTextBuf tb;
  bool kreg = c->family == FAM_KREG;

  if (etw_ctx_has (c, R_KCB))
    base = kreg ? etw_names_key_object (c->dec, c->role[R_KCB].num)
                : etw_names_kcb (c->dec, c->role[R_KCB].num);
  name = role_text_nonempty (c, R_KEYNAME);

  if (kreg && (c->sem == SEM_REG_CREATE || c->sem == SEM_REG_OPEN))
    {
      base = role_text_nonempty (c, R_BASENAME);
      name = role_text_nonempty (c, R_RELNAME);
    }
  if (c->sem == SEM_REG_KCBCREATE || c->sem == SEM_REG_KCBDELETE || c->sem == SEM_REG_KCBRUNDOWN)
    base = NULL;

  /* Classic Query (13) carries a value name too (PerfView, reference §3.6). */
  if (sem_is_reg_value (c->sem) || (c->sem == SEM_REG_QUERY && c->family == FAM_CLASSIC))
    {
      /* Classic events put the value name in KeyName; field lists and the
       * manifest provider have a ValueName of their own. */
      if (etw_ctx_has (c, R_VALUENAME))
        {
          value = role_text_nonempty (c, R_VALUENAME);
          if (base == NULL)
            base = name;
        }
      else
        value = name;
      name = NULL;
    }
  else if (!sem_is_reg_keyname (c->sem) && !(kreg && (c->sem == SEM_REG_CREATE || c->sem == SEM_REG_OPEN)) &&
           base != NULL)
    name = NULL;  /* the key is the KCB's; KeyName is informational */

  if (base == NULL && name == NULL && value == NULL)
    return NULL;
  etw_tb_begin (&tb, c->out, 4096);
  if (base != NULL && (name == NULL || name[0] != '\\'))
    tb_add_key (&tb, base);
  if (name != NULL)
    {
      if (base != NULL && name[0] != '\\')
        etw_tb_add (&tb, "\\", 1);
      tb_add_key (&tb, name);
    }
  if (value != NULL)
    {
      etw_tb_add (&tb, "\\", 1);
      etw_tb_add (&tb, value, strlen (value));
    }
  return etw_tb_end (&tb);
}

static const char *
net_path (EtwDecCtx *c)
{
  EtwTextBuf tb;

  if (!etw_ctx_has (c, R_SADDR) && !etw_ctx_has (c, R_DADDR))
    return NULL;
  etw_tb_begin (&tb, c->out, 256);
  etw_tb_add_role (&tb, c, R_SADDR);
  etw_tb_add (&tb, ":", 1);
  etw_tb_add_role (&tb, c, R_SPORT);
  etw_tb_add (&tb, " \xe2\x86\x92 ", 5);
  etw_tb_add_role (&tb, c, R_DADDR);
  etw_tb_add (&tb, ":", 1);
  etw_tb_add_role (&tb, c, R_DPORT);
  return etw_tb_end (&tb);
}

/* ------------------------------------------------------------------ */
/* Detail                                                               */

typedef struct
{
  char   buf[1024];
  size_t len;
} Detail;

static void detail_add (Detail *d, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
detail_add (Detail     *d,
            const char *fmt,
            ...)
{
  va_list args;
  int n;

  if (d->len >= sizeof d->buf - 1)
    return;
  if (d->len > 0)
    {
      d->buf[d->len++] = ',';
      d->buf[d->len++] = ' ';
      if (d->len >= sizeof d->buf - 1)
        return;
    }
  va_start (args, fmt);
  n = vsnprintf (d->buf + d->len, sizeof d->buf - d->len, fmt, args);
  va_end (args);
  if (n > 0)
    d->len += (size_t) n < sizeof d->buf - d->len ? (size_t) n : sizeof d->buf - d->len - 1;
}

/* One field value as text, for the generic detail. */
static void
format_value (char           *buf,
              size_t          size,
              const EtwField *f)
{
  char tmp[64];

  switch ((EtwValueType) f->type)
    {
    case ETW_VAL_INT:
      snprintf (buf, size, "%" PRId64, f->v.i);
      break;
    case ETW_VAL_UINT:
      snprintf (buf, size, "%" PRIu64, f->v.u);
      break;
    case ETW_VAL_HEX:
    case ETW_VAL_POINTER:
    case ETW_VAL_STATUS:
      snprintf (buf, size, "0x%" PRIx64, f->v.u);
      break;
    case ETW_VAL_BOOL:
      snprintf (buf, size, "%s", f->v.u ? "true" : "false");
      break;
    case ETW_VAL_DOUBLE:
      snprintf (buf, size, "%g", f->v.d);
      break;
    case ETW_VAL_STRING:
    case ETW_VAL_SID:
      snprintf (buf, size, "%.200s", f->v.s != NULL ? f->v.s : "");
      break;
    case ETW_VAL_GUID:
      etw_guid_format (&f->v.g, tmp);
      snprintf (buf, size, "%s", tmp);
      break;
    case ETW_VAL_IPV4:
      etw_fmt_ip4 (tmp, f->v.ip);
      snprintf (buf, size, "%s", tmp);
      break;
    case ETW_VAL_IPV6:
      etw_fmt_ip6 (tmp, f->v.ip);
      snprintf (buf, size, "%s", tmp);
      break;
    case ETW_VAL_FILETIME:
      {
        char t[ETW_FILETIME_TEXT_SIZE];
        etw_filetime_format (f->v.i, t);
        snprintf (buf, size, "%s", t);
        break;
      }
    case ETW_VAL_SYSTEMTIME:
      snprintf (buf, size, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", etw_rd_u16 (f->v.ip), etw_rd_u16 (f->v.ip + 2),
                etw_rd_u16 (f->v.ip + 6), etw_rd_u16 (f->v.ip + 8), etw_rd_u16 (f->v.ip + 10),
                etw_rd_u16 (f->v.ip + 12), etw_rd_u16 (f->v.ip + 14));
      break;
    case ETW_VAL_BINARY:
      snprintf (buf, size, "%u bytes", f->len);
      break;
    case ETW_VAL_ARRAY_BEGIN:
      snprintf (buf, size, "[%u]", f->len);
      break;
    case ETW_VAL_STRUCT_BEGIN:
      snprintf (buf, size, "{…}");
      break;
    default:
      buf[0] = '\0';
      break;
    }
}

static void
detail_generic (EtwDecCtx *c,
                Detail    *d)
{
  const EtwDecoded *out = c->out;

  for (uint32_t i = 0; i < out->n_fields && d->len < 400; i++)
    {
      const EtwField *f = &out->fields[i];
      char val[256];

      if (f->depth != 0 || f->name == NULL || f->type == ETW_VAL_STRUCT_END ||
          f->type == ETW_VAL_ARRAY_END)
        continue;
      format_value (val, sizeof val, f);
      detail_add (d, "%s: %s", f->name, val);
    }
}

static const char *
disposition_name (uint32_t d)
{
  static const char *const names[] = {
    "Supersede", "Open", "Create", "OpenIf", "Overwrite", "OverwriteIf",
  };

  return d < sizeof names / sizeof names[0] ? names[d] : NULL;
}

static void
detail_build (EtwDecCtx   *c,
              EtwSemClass  cls,
              uint32_t     pid)
{
  Detail d = { .len = 0 };
  const char *s;
  const EtwEvent *ev = c->ev;

  if (c->raw)
    {
      /* No schema: the header facts and the size, never guessed fields. */
      if (ev->kind == ETW_HDR_EVENT || ev->kind == ETW_HDR_LIVE)
        detail_add (&d, "Event ID %u, version %u, opcode %u, level %u, keywords 0x%" PRIx64 ", %u bytes",
                    ev->id, ev->version, ev->opcode, ev->level, ev->keyword, ev->payload_len);
      else
        detail_add (&d, "Version %u, opcode %u, %u bytes", ev->version, ev->opcode, ev->payload_len);
      c->out->detail = etw_text_copy (c->out, d.buf, d.len);
      return;
    }

  switch (cls)
    {
    case CLS_PROCESS:
      if (c->sem == SEM_PROC_START || c->sem == SEM_PROC_DCSTART || c->sem == SEM_PROC_EXEC)
        {
          detail_add (&d, "PID: %u", pid);
          if (etw_ctx_has (c, R_PPID))
            detail_add (&d, "Parent PID: %" PRIu64, c->role[R_PPID].num);
          if (etw_ctx_has (c, R_SESSION))
            detail_add (&d, "Session ID: %" PRIu64, c->role[R_SESSION].num);
          if ((s = role_text_nonempty (c, R_CMDLINE)) != NULL)
            detail_add (&d, "Command line: %.600s", s);
        }
      else if (etw_ctx_has (c, R_EXIT))
        detail_add (&d, "Exit Status: %" PRId64, (int64_t) c->role[R_EXIT].num);
      else
        detail_generic (c, &d);
      break;

    case CLS_THREAD:
      if (c->sem == SEM_THREAD_CSWITCH || c->sem == SEM_THREAD_OTHER)
        detail_generic (c, &d);
      else if (etw_ctx_has (c, R_TID))
        detail_add (&d, "Thread ID: %" PRIu64, c->role[R_TID].num);
      break;

    case CLS_IMAGE:
      if (etw_ctx_has (c, R_IMGBASE))
        detail_add (&d, "Image Base: 0x%" PRIx64, c->role[R_IMGBASE].num);
      if (etw_ctx_has (c, R_IMGSIZE))
        detail_add (&d, "Image Size: 0x%" PRIx64, c->role[R_IMGSIZE].num);
      break;

    case CLS_FILE:
      if (c->sem == SEM_FILE_READ || c->sem == SEM_FILE_WRITE)
        {
          detail_add (&d, "Offset: %" PRIu64, etw_ctx_num (c, R_OFFSET, 0));
          detail_add (&d, "Length: %" PRIu64, etw_ctx_num (c, R_IOSIZE, 0));
        }
      else if (c->sem == SEM_FILE_CREATE || c->sem == SEM_FILE_CREATENEW)
        {
          uint32_t opts = (uint32_t) etw_ctx_num (c, R_CREATEOPTS, 0);
          const char *disp = disposition_name (opts >> 24);
          if (disp != NULL)
            detail_add (&d, "Disposition: %s", disp);
          detail_add (&d, "Options: 0x%x", opts & 0xFFFFFF);
        }
      else if (c->sem == SEM_FILE_DIRENUM || c->sem == SEM_FILE_DIRNOTIFY)
        {
          if ((s = role_text_nonempty (c, R_RELNAME)) != NULL)
            detail_add (&d, "Filter: %.300s", s);
          if (etw_ctx_has (c, R_INFOCLASS))
            detail_add (&d, "Information class: %" PRIu64, c->role[R_INFOCLASS].num);
        }
      else if (c->sem == SEM_FILE_OPEND)
        detail_add (&d, "Information: %" PRIu64, etw_ctx_num (c, R_EXTRA, 0));
      else if (etw_ctx_has (c, R_INFOCLASS))
        detail_add (&d, "Information class: %" PRIu64, c->role[R_INFOCLASS].num);
      else if (c->sem == SEM_FILE_MAP || c->sem == SEM_FILE_UNMAP || c->sem == SEM_FILE_MAPRUNDOWN)
        detail_add (&d, "View: 0x%" PRIx64 ", Size: %" PRIu64, etw_ctx_num (c, R_VIEWBASE, 0),
                    etw_ctx_num (c, R_VIEWSIZE, 0));
      break;

    case CLS_DISK:
      if (etw_ctx_has (c, R_DISK))
        detail_add (&d, "Disk: %" PRIu64, c->role[R_DISK].num);
      if (etw_ctx_has (c, R_OFFSET))
        detail_add (&d, "Offset: %" PRIu64, c->role[R_OFFSET].num);
      if (etw_ctx_has (c, R_IOSIZE))
        detail_add (&d, "Length: %" PRIu64, c->role[R_IOSIZE].num);
      if (etw_ctx_has (c, R_IRP))
        detail_add (&d, "IRP: 0x%" PRIx64, c->role[R_IRP].num);
      break;

    case CLS_REGISTRY:
      detail_generic (c, &d);
      break;

    case CLS_NET:
      if (etw_ctx_has (c, R_SIZE))
        detail_add (&d, "Length: %" PRIu64, c->role[R_SIZE].num);
      if (etw_ctx_has (c, R_PROTO))
        detail_add (&d, "Protocol: %" PRIu64, c->role[R_PROTO].num);
      if (etw_ctx_has (c, R_FAILCODE))
        detail_add (&d, "Failure code: %" PRIu64, c->role[R_FAILCODE].num);
      break;

    default:
      if (c->sem == SEM_PROFILE && etw_ctx_has (c, R_IP))
        {
          char sym[512];
          if (etw_decoder_symbolize (c->dec, pid, c->role[R_IP].num, sym, sizeof sym))
            detail_add (&d, "IP: %s", sym);
          else
            detail_add (&d, "IP: 0x%" PRIx64, c->role[R_IP].num);
          if (etw_ctx_has (c, R_TID))
            detail_add (&d, "Thread ID: %" PRIu64, c->role[R_TID].num);
        }
      else
        detail_generic (c, &d);
      break;
    }
  if (c->malformed)
    detail_add (&d, "(payload %u bytes, shorter than its layout)", c->ev->payload_len);
  if (d.len > 0)
    c->out->detail = etw_text_copy (c->out, d.buf, d.len);
}

/* ------------------------------------------------------------------ */

void
etw_summarize (EtwDecCtx *c,
               unsigned   flags)
{
  EtwDecoded *out = c->out;
  EtwSemClass cls = etw_sem_class ((EtwSem) c->sem);
  const char *name;
  uint32_t pid = subject_pid (c), name_len;

  out->pid = pid;
  name = etw_names_process (c->dec, pid, c->ev->time, &name_len);
  if (name != NULL)
    {
      char *copy = etw_text_alloc (out, name_len + 1);
      if (copy != NULL)
        {
          memcpy (copy, name, name_len + 1);
          out->process_name = copy;
        }
    }
  out->operation = etw_sem_operation ((EtwSem) c->sem);

  switch (cls)
    {
    case CLS_PROCESS:
      out->path = role_text_nonempty (c, R_IMAGE);
      if (c->sem == SEM_PROC_END && etw_ctx_has (c, R_EXIT))
        out->result = "SUCCESS";
      break;

    case CLS_THREAD:
      out->path = role_text_nonempty (c, R_THREADNAME);
      break;

    case CLS_IMAGE:
      out->path = role_text_nonempty (c, R_PATH);
      if (out->path == NULL)
        out->path = role_text_nonempty (c, R_IMAGE);
      break;

    case CLS_FILE:
      if (c->sem == SEM_FILE_OPEND)
        {
          const char *p = NULL;
          uint16_t sem = 0;
          if (etw_ctx_has (c, R_IRP) && etw_names_irp_end (c->dec, c->role[R_IRP].num, &p, &sem))
            {
              /* The completion row reads like its request. */
              out->operation = etw_sem_operation ((EtwSem) sem);
              if (p != NULL)
                out->path = etw_text_dup (out, p);
            }
        }
      else if (sem_is_file_name (c->sem) || c->sem == SEM_FILE_CREATE ||
               c->sem == SEM_FILE_CREATENEW || c->sem == SEM_FILE_DELETEPATH ||
               c->sem == SEM_FILE_RENAMEPATH || c->sem == SEM_FILE_SETLINKPATH)
        {
          out->path = role_text_nonempty (c, R_PATH);
          if (out->path == NULL && (name = file_path (c)) != NULL)
            out->path = etw_text_dup (out, name);
        }
      else
        {
          if ((name = file_path (c)) != NULL)
            out->path = etw_text_dup (out, name);
          else
            out->path = role_text_nonempty (c, R_PATH);
        }
      break;

    case CLS_DISK:
      if ((name = file_path (c)) != NULL)
        out->path = etw_text_dup (out, name);
      break;

    case CLS_REGISTRY:
      out->path = registry_path (c);
      break;

    case CLS_NET:
      out->path = net_path (c);
      break;

    default:
      break;
    }

  if (etw_ctx_has (c, R_STATUS) && c->role[R_STATUS].kind == RV_NUM)
    out->result = etw_status_text (out, (uint32_t) c->role[R_STATUS].num);
  else if (etw_ctx_has (c, R_FAILCODE))
    {
      char buf[24];
      out->result = etw_text_copy (out, buf, etw_fmt_hex (buf, c->role[R_FAILCODE].num));
    }

  if (flags & ETW_DECODE_DETAIL)
    detail_build (c, cls, pid);
}

/* ------------------------------------------------------------------ */
/* Naming updates                                                       */

void
etw_observe_roles (EtwDecCtx *c)
{
  EtwDecoder *dec = c->dec;
  const EtwEvent *ev = c->ev;
  const char *s;

  switch (c->sem)
    {
    case SEM_PROC_START:
    case SEM_PROC_DCSTART:
    case SEM_PROC_EXEC:
    case SEM_PROC_END:
    case SEM_PROC_DCEND:
    case SEM_PROC_DEFUNCT:
      if (etw_ctx_has (c, R_PID) && (s = etw_text_role_basename (c, R_IMAGE)) != NULL)
        etw_names_set_process (dec, (uint32_t) c->role[R_PID].num, ev->time, s, strlen (s),
                               !(c->sem == SEM_PROC_START || c->sem == SEM_PROC_DCSTART ||
                                 c->sem == SEM_PROC_EXEC));
      break;

    case SEM_THREAD_START:
    case SEM_THREAD_DCSTART:
    case SEM_THREAD_END:
    case SEM_THREAD_DCEND:
    case SEM_THREAD_SETNAME:
      if (etw_ctx_has (c, R_TID) && etw_ctx_has (c, R_PID))
        etw_names_set_thread (dec, (uint32_t) c->role[R_TID].num, (uint32_t) c->role[R_PID].num);
      break;

    case SEM_IMAGE_LOAD:
    case SEM_IMAGE_DCSTART:
    case SEM_IMAGE_DCEND:
      if (etw_ctx_has (c, R_IMGBASE) && etw_ctx_has (c, R_IMGSIZE))
        {
          uint32_t pid = etw_ctx_has (c, R_PID) ? (uint32_t) c->role[R_PID].num : ev->pid;
          uint64_t base = c->role[R_IMGBASE].num, size = c->role[R_IMGSIZE].num;

          if (etw_names_has_module (dec, pid, base, size))
            break;
          s = etw_text_role_basename (c, R_PATH);
          if (s == NULL)
            s = etw_text_role_basename (c, R_IMAGE);
          if (s != NULL)
            etw_names_add_module (dec, pid, base, size, s, strlen (s));
        }
      break;

    case SEM_FILE_NAME:
    case SEM_FILE_NAMECREATE:
    case SEM_FILE_RUNDOWN:
      if ((s = role_text_nonempty (c, R_PATH)) != NULL)
        {
          uint64_t key = etw_ctx_has (c, R_FILEKEY) ? c->role[R_FILEKEY].num : etw_ctx_num (c, R_FILEOBJ, 0);
          if (dec->names_pass)
            etw_names_pass_note (dec, key, c->sem == SEM_FILE_RUNDOWN, false, s, strlen (s));
          else
            etw_names_set_file (dec, key, s, strlen (s));
        }
      break;

    case SEM_FILE_CREATE:
    case SEM_FILE_CREATENEW:
      if (dec->names_pass)
        {
          etw_names_pass_note (dec, etw_ctx_num (c, R_FILEOBJ, 0), false, false, NULL, 0);
          break;
        }
      if ((s = role_text_nonempty (c, R_PATH)) != NULL)
        {
          etw_names_set_file (dec, etw_ctx_num (c, R_FILEOBJ, 0), s, strlen (s));
          if (etw_ctx_has (c, R_IRP))
            etw_names_irp_start (dec, c->role[R_IRP].num, etw_names_file (dec, etw_ctx_num (c, R_FILEOBJ, 0)),
                                 c->sem);
        }
      break;

    case SEM_REG_KCBCREATE:
    case SEM_REG_KCBRUNDOWN:
      if (etw_ctx_has (c, R_KCB) && (s = role_text_nonempty (c, R_KEYNAME)) != NULL)
        {
          if (dec->names_pass)
            etw_names_pass_note (dec, c->role[R_KCB].num, c->sem == SEM_REG_KCBRUNDOWN, true, s,
                                 strlen (s));
          else
            etw_names_set_kcb (dec, c->role[R_KCB].num, s, strlen (s));
        }
      break;

    case SEM_REG_CREATE:
    case SEM_REG_OPEN:
      if (c->family == FAM_KREG && etw_ctx_num (c, R_STATUS, 1) == 0 && etw_ctx_has (c, R_KCB))
        {
          const char *base = role_text_nonempty (c, R_BASENAME);
          const char *rel = role_text_nonempty (c, R_RELNAME);
          EtwTextBuf tb;
          const char *full;

          if (base == NULL && rel == NULL)
            break;
          etw_tb_begin (&tb, c->out, 4096);
          if (base != NULL && (rel == NULL || rel[0] != '\\'))
            etw_tb_add (&tb, base, strlen (base));
          if (rel != NULL)
            {
              if (base != NULL && rel[0] != '\\')
                etw_tb_add (&tb, "\\", 1);
              etw_tb_add (&tb, rel, strlen (rel));
            }
          full = etw_tb_end (&tb);
          etw_names_set_key_object (dec, c->role[R_KCB].num, full, strlen (full));
        }
      break;

    default:
      /* Requests: remember the IRP, so its OpEnd reads like it. */
      if (etw_sem_class ((EtwSem) c->sem) == CLS_FILE && etw_ctx_has (c, R_IRP) &&
          c->sem != SEM_FILE_OPEND && etw_sem_operation ((EtwSem) c->sem) != NULL)
        etw_names_irp_start (dec, c->role[R_IRP].num, file_path (c), c->sem);
      break;
    }
}
