/* etw-live-win.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * References: etw-reference.md §1 (sessions, call sequence, stacks, user
 * providers, stopping, privileges, system providers), §2 (EVENT_RECORD),
 * §5 (what mingw-w64 lacks, what Wine's ETW stubs do).
 */
#include "etw-live-win.h"

#include <windows.h>
#include <evntrace.h>
#include <evntcons.h>
#include <objbase.h>
#include <process.h>
#include <shellapi.h>
#include <tdh.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw-guid.h"
#include "etw-providers.h"
#include "etw-record.h"
#include "etw-win-convert.h"
#include "etw-win-filter.h"
#include "etw-win-queue.h"
#include "etw-win-tdh.h"

#define DEFAULT_SESSION   "etwscope"
#define DEFAULT_QUEUE     (64u << 20)
#define NAME_CHARS        1024  /* ETW's limit for session and file names */
#define PROPS_SIZE        (sizeof (EVENT_TRACE_PROPERTIES) + 2 * NAME_CHARS * sizeof (WCHAR))
#define JOIN_TIMEOUT_MS   15000
#define BUILD_SYSTEM_PROVIDERS 20348  /* Windows 11 / Server 2022 SDK */

/* Not in mingw-w64 (etw-reference.md §5). */
static const GUID system_trace_control_guid =
  { 0x9e814aad, 0x3204, 0x11d2, { 0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39 } };
static const GUID system_process_provider =
  { 0x151f55dc, 0x467d, 0x471f, { 0x83, 0xb5, 0x5f, 0x88, 0x9d, 0x46, 0xff, 0x66 } };
static const GUID system_io_provider =
  { 0x3d5c43e3, 0x0f1c, 0x4202, { 0xb8, 0x17, 0x17, 0x4c, 0x00, 0x70, 0xdc, 0x79 } };
static const GUID system_registry_provider =
  { 0x16156bd9, 0xfab4, 0x4cfa, { 0xa2, 0x32, 0x89, 0xd1, 0x09, 0x90, 0x58, 0xe3 } };
static const GUID system_scheduler_provider =
  { 0x599a2a76, 0x4d91, 0x4910, { 0x9a, 0xc7, 0x7d, 0x33, 0xf2, 0xe9, 0x7a, 0x6c } };

/* ---- bookkeeping for the leak checks of the tests ---- */

static volatile LONG64 debug_allocations;
static volatile LONG64 debug_sessions;
static volatile LONG64 debug_threads;

static void *
wl_calloc (size_t n,
           size_t size)
{
  void *p = calloc (n, size);

  if (p != NULL)
    InterlockedIncrement64 (&debug_allocations);
  return p;
}

static void
wl_free (void *p)
{
  if (p == NULL)
    return;
  InterlockedDecrement64 (&debug_allocations);
  free (p);
}

static volatile LONG debug_build;

void
etw_live_win_debug_set_build (uint32_t build)
{
  InterlockedExchange (&debug_build, (LONG) build);
}

void
etw_live_win_debug_counts (int64_t *allocations,
                           int64_t *sessions,
                           int64_t *threads)
{
  *allocations = InterlockedCompareExchange64 (&debug_allocations, 0, 0);
  *sessions = InterlockedCompareExchange64 (&debug_sessions, 0, 0);
  *threads = InterlockedCompareExchange64 (&debug_threads, 0, 0);
}

/* ---- messages ---- */

static void set_message (char *msg, size_t size, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
set_message (char       *msg,
             size_t      size,
             const char *fmt,
             ...)
{
  va_list args;

  if (msg == NULL || size == 0)
    return;
  va_start (args, fmt);
  vsnprintf (msg, size, fmt, args);
  va_end (args);
}

static void append_line (char *buf, size_t size, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
append_line (char       *buf,
             size_t      size,
             const char *fmt,
             ...)
{
  size_t used = strlen (buf);
  va_list args;

  if (used + 2 >= size)
    return;
  if (used > 0)
    buf[used++] = '\n';
  va_start (args, fmt);
  vsnprintf (buf + used, size - used, fmt, args);
  va_end (args);
}

/* "Access is denied. (error 5)" */
static const char *
win_error (ULONG  code,
           char  *buf,
           size_t size)
{
  char text[256] = "";
  DWORD n = FormatMessageA (FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                            0, text, sizeof text, NULL);

  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
    text[--n] = '\0';
  if (n == 0)
    snprintf (buf, size, "error %lu", (unsigned long) code);
  else
    snprintf (buf, size, "%s (error %lu)", text, (unsigned long) code);
  return buf;
}

static bool
utf8_to_wide (const char *s,
              WCHAR      *out,
              int         chars)
{
  return MultiByteToWideChar (CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, chars) > 0;
}

static void
wide_to_utf8 (const WCHAR *s,
              char        *out,
              int          size)
{
  if (WideCharToMultiByte (CP_UTF8, 0, s, -1, out, size, NULL, NULL) <= 0 && size > 0)
    out[0] = '\0';
}

static GUID
to_win_guid (const EtwGuid *g)
{
  GUID w;

  w.Data1 = g->data1;
  w.Data2 = g->data2;
  w.Data3 = g->data3;
  memcpy (w.Data4, g->data4, 8);
  return w;
}

static EtwGuid
from_win_guid (const GUID *w)
{
  EtwGuid g;

  g.data1 = w->Data1;
  g.data2 = w->Data2;
  g.data3 = w->Data3;
  memcpy (g.data4, w->Data4, 8);
  return g;
}

/* ---- small public helpers ---- */

void
etw_win_config_init (EtwWinConfig *config)
{
  memset (config, 0, sizeof *config);
  config->kernel = ETW_WIN_KERNEL_DEFAULT;
}

bool
etw_win_under_wine (void)
{
  HMODULE ntdll = GetModuleHandleA ("ntdll.dll");

  return ntdll != NULL && GetProcAddress (ntdll, "wine_get_version") != NULL;
}

static const struct
{
  const char *name;
  uint32_t    group;
} kernel_names[] = {
  { "process", ETW_WIN_KERNEL_PROCESS },
  { "thread", ETW_WIN_KERNEL_THREAD },
  { "image", ETW_WIN_KERNEL_IMAGE },
  { "file", ETW_WIN_KERNEL_FILE },
  { "registry", ETW_WIN_KERNEL_REGISTRY },
  { "net", ETW_WIN_KERNEL_NETWORK },
  { "disk", ETW_WIN_KERNEL_DISK },
  { "cswitch", ETW_WIN_KERNEL_CSWITCH },
  /* aliases */
  { "network", ETW_WIN_KERNEL_NETWORK },
  { "tcpip", ETW_WIN_KERNEL_NETWORK },
  { "fileio", ETW_WIN_KERNEL_FILE },
  { "imageload", ETW_WIN_KERNEL_IMAGE },
};

uint32_t
etw_win_kernel_group (const char *name)
{
  for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
    if (_stricmp (name, kernel_names[i].name) == 0)
      return kernel_names[i].group;
  return 0;
}

const char *
etw_win_kernel_group_name (uint32_t group)
{
  for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
    if (kernel_names[i].group == group)
      return kernel_names[i].name;
  return NULL;
}

bool
etw_win_parse_provider (const char     *spec,
                        EtwWinProvider *provider,
                        char           *message,
                        size_t          message_size)
{
  char buf[512];
  char *save = NULL, *tok;
  int field = 0;

  memset (provider, 0, sizeof *provider);
  if (spec == NULL || spec[0] == '\0' || strlen (spec) >= sizeof buf)
    {
      set_message (message, message_size, "empty or overlong provider specification");
      return false;
    }
  strcpy (buf, spec);
  tok = strtok_r (buf, ":", &save);
  if (tok == NULL)
    {
      set_message (message, message_size, "no provider name in '%s'", spec);
      return false;
    }
  if (!etw_guid_parse (tok, &provider->guid))
    {
      if (strlen (tok) >= sizeof provider->name)
        {
          set_message (message, message_size, "provider name too long: '%s'", tok);
          return false;
        }
      strcpy (provider->name, tok);
    }
  while ((tok = strtok_r (NULL, ":", &save)) != NULL)
    {
      char *end = NULL;
      unsigned long long v;

      if (_stricmp (tok, "stacks") == 0)
        {
          provider->stacks = true;
          continue;
        }
      v = strtoull (tok, &end, 0);
      if (end == tok || *end != '\0' || field > 2 || (field == 0 && v > 255))
        {
          set_message (message, message_size,
                       "bad provider option '%s' in '%s' (expected NAME|{GUID}[:level[:any[:all]]][:stacks])",
                       tok, spec);
          return false;
        }
      if (field == 0)
        provider->level = (uint8_t) v;
      else if (field == 1)
        provider->match_any = v;
      else
        provider->match_all = v;
      field++;
    }
  return true;
}

/* ---- elevation ---- */

bool
etw_win_is_elevated (void)
{
  HANDLE token = NULL;
  TOKEN_ELEVATION elevation = { 0 };
  DWORD size = 0;
  bool elevated = false;

  if (!OpenProcessToken (GetCurrentProcess (), TOKEN_QUERY, &token))
    return false;
  if (GetTokenInformation (token, TokenElevation, &elevation, sizeof elevation, &size))
    elevated = elevation.TokenIsElevated != 0;
  CloseHandle (token);
  return elevated;
}

bool
etw_win_enable_privilege (const char *name)
{
  HANDLE token = NULL;
  TOKEN_PRIVILEGES tp;
  WCHAR wname[64];
  bool ok = false;

  if (!utf8_to_wide (name, wname, 64) ||
      !OpenProcessToken (GetCurrentProcess (), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
    return false;
  memset (&tp, 0, sizeof tp);
  tp.PrivilegeCount = 1;
  tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
  if (LookupPrivilegeValueW (NULL, wname, &tp.Privileges[0].Luid) &&
      AdjustTokenPrivileges (token, FALSE, &tp, sizeof tp, NULL, NULL))
    /* Success with ERROR_NOT_ALL_ASSIGNED: the token does not hold it. */
    ok = GetLastError () == ERROR_SUCCESS;
  CloseHandle (token);
  return ok;
}

EtwWinStatus
etw_win_relaunch_elevated (const char *arguments,
                           char       *message,
                           size_t      message_size)
{
  WCHAR path[MAX_PATH * 2];
  WCHAR *args = NULL;
  SHELLEXECUTEINFOW info;
  char err[300];
  DWORD n;
  EtwWinStatus status = ETW_WIN_OK;

  n = GetModuleFileNameW (NULL, path, MAX_PATH * 2);
  if (n == 0 || n >= MAX_PATH * 2)
    {
      set_message (message, message_size, "Cannot find this program's path: %s",
                   win_error (GetLastError (), err, sizeof err));
      return ETW_WIN_ERR_FAILED;
    }
  if (arguments != NULL && arguments[0] != '\0')
    {
      size_t len = strlen (arguments) + 1;
      if (len > 32767 || (args = wl_calloc (len, sizeof (WCHAR))) == NULL ||
          !utf8_to_wide (arguments, args, (int) len))
        {
          wl_free (args);
          set_message (message, message_size, "The command line cannot be passed on");
          return ETW_WIN_ERR_INVALID;
        }
    }
  memset (&info, 0, sizeof info);
  info.cbSize = sizeof info;
  info.fMask = SEE_MASK_NOCLOSEPROCESS;
  info.lpVerb = L"runas";
  info.lpFile = path;
  info.lpParameters = args;
  info.nShow = SW_SHOWNORMAL;
  if (!ShellExecuteExW (&info))
    {
      DWORD e = GetLastError ();
      if (e == ERROR_CANCELLED)
        {
          set_message (message, message_size, "Elevation was declined at the UAC prompt");
          status = ETW_WIN_ERR_PERMISSION;
        }
      else
        {
          set_message (message, message_size, "Restarting as administrator failed: %s",
                       win_error (e, err, sizeof err));
          status = ETW_WIN_ERR_FAILED;
        }
    }
  else if (info.hProcess != NULL)
    CloseHandle (info.hProcess);
  wl_free (args);
  return status;
}

/* ---- provider names ---- */

/* TdhEnumerateProviders' list (NULL under Wine, whose tdh.dll lacks it). */
static PROVIDER_ENUMERATION_INFO *
enumerate_providers (ULONG *size,
                     ULONG *status)
{
  PROVIDER_ENUMERATION_INFO *buf = NULL;
  ULONG n = 0;

  *status = ERROR_CALL_NOT_IMPLEMENTED;
  if (etw_win_under_wine ())
    return NULL;
  *status = TdhEnumerateProviders (NULL, &n);
  for (int attempt = 0; attempt < 4 && *status == ERROR_INSUFFICIENT_BUFFER; attempt++)
    {
      if (n > (64u << 20))
        return NULL;
      wl_free (buf);
      buf = wl_calloc (1, n);
      if (buf == NULL)
        return NULL;
      *status = TdhEnumerateProviders (buf, &n);
    }
  if (*status != ERROR_SUCCESS)
    {
      wl_free (buf);
      return NULL;
    }
  *size = n;
  return buf;
}

static const WCHAR *
provider_name_at (const PROVIDER_ENUMERATION_INFO *info,
                  ULONG                            size,
                  ULONG                            i)
{
  size_t end = offsetof (PROVIDER_ENUMERATION_INFO, TraceProviderInfoArray) + ((size_t) i + 1) * sizeof (TRACE_PROVIDER_INFO);
  const TRACE_PROVIDER_INFO *a = (const TRACE_PROVIDER_INFO *) ((const BYTE *) info + offsetof (PROVIDER_ENUMERATION_INFO, TraceProviderInfoArray));
  ULONG off;

  if (end > size)
    return NULL;
  off = a[i].ProviderNameOffset;
  if (off == 0 || off >= size)
    return NULL;
  return (const WCHAR *) ((const BYTE *) info + off);
}

EtwWinStatus
etw_win_find_provider (const char *name,
                       EtwGuid    *guid,
                       char       *message,
                       size_t      message_size)
{
  PROVIDER_ENUMERATION_INFO *info;
  WCHAR wname[256];
  ULONG size = 0, status;
  char err[300];

  if (etw_guid_parse (name, guid))
    return ETW_WIN_OK;
  if (!utf8_to_wide (name, wname, 256))
    {
      set_message (message, message_size, "Provider name '%s' is not valid UTF-8 or too long", name);
      return ETW_WIN_ERR_INVALID;
    }
  info = enumerate_providers (&size, &status);
  if (info != NULL)
    {
      const TRACE_PROVIDER_INFO *a = (const TRACE_PROVIDER_INFO *) ((const BYTE *) info + offsetof (PROVIDER_ENUMERATION_INFO, TraceProviderInfoArray));
      for (ULONG i = 0; i < info->NumberOfProviders; i++)
        {
          const WCHAR *pn = provider_name_at (info, size, i);
          /* Names are bounded by the buffer; compare at most what is left. */
          if (pn != NULL && _wcsnicmp (pn, wname, ((const WCHAR *) ((const BYTE *) info + size) - pn)) == 0 &&
              wcsnlen (pn, ((const WCHAR *) ((const BYTE *) info + size) - pn)) == wcslen (wname))
            {
              *guid = from_win_guid (&a[i].ProviderGuid);
              wl_free (info);
              return ETW_WIN_OK;
            }
        }
      wl_free (info);
    }
  /* Well-known names work even where TDH cannot enumerate (Wine). */
  if (etw_guid_from_known_name (name, guid))
    return ETW_WIN_OK;
  if (status == ERROR_SUCCESS)
    set_message (message, message_size,
                 "No provider named '%s' is registered on this machine; give its GUID instead", name);
  else
    set_message (message, message_size,
                 "Provider '%s' cannot be looked up by name (TdhEnumerateProviders: %s); give its GUID instead",
                 name, etw_win_under_wine () ? "not implemented by Wine" : win_error (status, err, sizeof err));
  return ETW_WIN_ERR_INVALID;
}

EtwWinStatus
etw_win_list_providers (EtwWinProviderFunc func,
                        void              *user_data,
                        char              *message,
                        size_t             message_size)
{
  PROVIDER_ENUMERATION_INFO *info;
  ULONG size = 0, status;
  char err[300], name[512];

  info = enumerate_providers (&size, &status);
  if (info == NULL)
    {
      set_message (message, message_size, "TdhEnumerateProviders: %s",
                   etw_win_under_wine () ? "not implemented by Wine" : win_error (status, err, sizeof err));
      return ETW_WIN_ERR_UNSUPPORTED;
    }
  const TRACE_PROVIDER_INFO *a = (const TRACE_PROVIDER_INFO *) ((const BYTE *) info + offsetof (PROVIDER_ENUMERATION_INFO, TraceProviderInfoArray));
  for (ULONG i = 0; i < info->NumberOfProviders; i++)
    {
      const WCHAR *pn = provider_name_at (info, size, i);
      EtwGuid g;

      if (pn == NULL)
        continue;
      wide_to_utf8 (pn, name, sizeof name);
      g = from_win_guid (&a[i].ProviderGuid);
      if (!func (&g, name, user_data))
        break;
    }
  wl_free (info);
  return ETW_WIN_OK;
}

/* ---- the live capture ---- */

typedef struct
{
  EtwLiveWin             *owner;
  WCHAR                   name[NAME_CHARS];
  char                    name_utf8[256];
  WCHAR                   file[NAME_CHARS];     /* "" = real time only */
  GUID                    guid;
  EVENT_TRACE_PROPERTIES *props;
  TRACEHANDLE             handle;
  bool                    started;
  bool                    kernel;
  bool                    system_logger;
  uint32_t                enable_flags;
  TRACEHANDLE             consumer;
  bool                    opened;
  HANDLE                  thread;
  ULONG                   process_status;
  EtwWinClock             clock;
  EtwTdhCache            *tdh;
  uint64_t                final_events_lost;
  uint64_t                final_buffers_lost;
} Session;

struct EtwLiveWin
{
  EtwWinConfig       config;
  EtwWinProvider    *providers;
  Session            sessions[2];
  unsigned           n_sessions;
  EtwWinSessionMode  mode;
  unsigned           n_enabled;

  EtwWinQueue        queue;
  bool               queue_ready;
  EtwWinPidFilter    filter;
  bool               filter_ready;
  SRWLOCK            error_lock;
  volatile LONG      stopping;  /* stop asked: sessions stopped, the rest still flows */
  volatile LONG      abandon;   /* being freed: the rest is not wanted */
  SRWLOCK            control;   /* session starts/stops against queries */

  volatile LONG64    filtered, lost_records, tdh_decoded;

  char               error[512];
  char               notices[2048];
  char               describe[512];
};

static void
init_props (Session  *s,
            uint32_t  enable_flags,
            bool      with_file)
{
  const EtwWinConfig *cfg = &s->owner->config;
  EVENT_TRACE_PROPERTIES *p = s->props;

  memset (p, 0, PROPS_SIZE);
  p->Wnode.BufferSize = PROPS_SIZE;
  p->Wnode.Flags = WNODE_FLAG_TRACED_GUID;
  p->Wnode.ClientContext = 1;  /* QPC, compared raw with payload timestamps */
  p->Wnode.Guid = s->guid;
  p->BufferSize = cfg->buffer_kb != 0 ? cfg->buffer_kb : 64;
  p->MinimumBuffers = cfg->min_buffers;
  p->MaximumBuffers = cfg->max_buffers;
  p->FlushTimer = cfg->flush_seconds != 0 ? cfg->flush_seconds : 1;
  p->LogFileMode = EVENT_TRACE_REAL_TIME_MODE;
  if (s->system_logger)
    p->LogFileMode |= EVENT_TRACE_SYSTEM_LOGGER_MODE;
  p->EnableFlags = enable_flags;
  p->LoggerNameOffset = sizeof (EVENT_TRACE_PROPERTIES);
  if (with_file && s->file[0] != 0)
    {
      p->LogFileMode |= EVENT_TRACE_FILE_MODE_SEQUENTIAL;
      p->LogFileNameOffset = sizeof (EVENT_TRACE_PROPERTIES) + NAME_CHARS * sizeof (WCHAR);
      wcscpy ((WCHAR *) ((BYTE *) p + p->LogFileNameOffset), s->file);
    }
}

/* A control block for ControlTrace: room for both names, so that ETW can
 * write them back without overrunning anything. */
static void
init_control_props (EVENT_TRACE_PROPERTIES *p)
{
  memset (p, 0, PROPS_SIZE);
  p->Wnode.BufferSize = PROPS_SIZE;
  p->LoggerNameOffset = sizeof (EVENT_TRACE_PROPERTIES);
  p->LogFileNameOffset = sizeof (EVENT_TRACE_PROPERTIES) + NAME_CHARS * sizeof (WCHAR);
}

static void
stop_by_name (const WCHAR *name)
{
  EVENT_TRACE_PROPERTIES *p = wl_calloc (1, PROPS_SIZE);

  if (p == NULL)
    return;
  init_control_props (p);
  /* ERROR_WMI_INSTANCE_NOT_FOUND (nothing to stop) is fine too. */
  ControlTraceW (0, name, p, EVENT_TRACE_CONTROL_STOP);
  wl_free (p);
}

static void
stop_session (Session *s)
{
  if (!s->started)
    return;
  init_control_props (s->props);
  if (ControlTraceW (s->handle, NULL, s->props, EVENT_TRACE_CONTROL_STOP) == ERROR_SUCCESS)
    {
      s->final_events_lost = s->props->EventsLost;
      s->final_buffers_lost = (uint64_t) s->props->RealTimeBuffersLost + s->props->LogBuffersLost;
    }
  s->started = false;
  InterlockedDecrement64 (&debug_sessions);
}

static uint32_t
kernel_flags (uint32_t groups,
              bool     stacks)
{
  uint32_t f = 0;

  if (groups == 0)
    return 0;
  /* Always process and thread events: many kernel events carry no
   * reliable pid/tid and are attributed through them (as PerfView does);
   * image loads too when stacks are to be symbolized. */
  f |= EVENT_TRACE_FLAG_PROCESS | EVENT_TRACE_FLAG_THREAD;
  if ((groups & ETW_WIN_KERNEL_IMAGE) || stacks)
    f |= EVENT_TRACE_FLAG_IMAGE_LOAD;
  if (groups & ETW_WIN_KERNEL_FILE)
    /* Name events need DISK_FILE_IO, which needs DISK_IO. */
    f |= EVENT_TRACE_FLAG_FILE_IO | EVENT_TRACE_FLAG_FILE_IO_INIT | EVENT_TRACE_FLAG_DISK_FILE_IO |
         EVENT_TRACE_FLAG_DISK_IO;
  if (groups & ETW_WIN_KERNEL_REGISTRY)
    f |= EVENT_TRACE_FLAG_REGISTRY;
  if (groups & ETW_WIN_KERNEL_NETWORK)
    f |= EVENT_TRACE_FLAG_NETWORK_TCPIP;
  if (groups & ETW_WIN_KERNEL_DISK)
    f |= EVENT_TRACE_FLAG_DISK_IO | EVENT_TRACE_FLAG_DISK_IO_INIT;
  if (groups & ETW_WIN_KERNEL_CSWITCH)
    f |= EVENT_TRACE_FLAG_CSWITCH;
  return f;
}

static const char *
mode_name (EtwWinSessionMode mode)
{
  switch (mode)
    {
    case ETW_WIN_SESSION_NT_KERNEL_LOGGER: return "NT Kernel Logger";
    case ETW_WIN_SESSION_SYSTEM_LOGGER: return "system logger session";
    case ETW_WIN_SESSION_SYSTEM_PROVIDERS: return "system-provider session";
    case ETW_WIN_SESSION_AUTO:
    default: return "session";
    }
}

static EtwWinStatus
start_session (EtwLiveWin *lw,
               Session    *s,
               char       *msg,
               size_t      size)
{
  ULONG st = ERROR_SUCCESS;
  char err[300];

  for (int attempt = 0; attempt < 2; attempt++)
    {
      init_props (s, s->enable_flags, true);
      s->handle = 0;
      st = StartTraceW (&s->handle, s->name, s->props);
      if (st == ERROR_SUCCESS)
        {
          s->started = true;
          InterlockedIncrement64 (&debug_sessions);
          return ETW_WIN_OK;
        }
      if (st != ERROR_ALREADY_EXISTS || attempt > 0)
        break;
      /* A session of that name outlived its owner (a crashed viewer, or
       * another tool holds the NT Kernel Logger): stop it and retry. */
      stop_by_name (s->name);
      append_line (lw->notices, sizeof lw->notices, "Stopped a stale session '%s' and restarted it",
                   s->name_utf8);
      Sleep (100);
    }
  if (st == ERROR_ACCESS_DENIED)
    {
      set_message (msg, size,
                   "StartTraceW(\"%s\"): %s. Capturing ETW events needs an elevated process "
                   "(Administrators; Performance Log Users for user-mode providers): use "
                   "\"Restart as administrator\" or run from an elevated prompt.",
                   s->name_utf8, win_error (st, err, sizeof err));
      return ETW_WIN_ERR_PERMISSION;
    }
  set_message (msg, size, "StartTraceW(\"%s\") failed: %s%s", s->name_utf8, win_error (st, err, sizeof err),
               st == ERROR_NO_SYSTEM_RESOURCES ? ". Too many ETW sessions are running (see `logman query -ets`)." : "");
  return st == ERROR_NOT_SUPPORTED || st == ERROR_INVALID_PARAMETER ? ETW_WIN_ERR_UNSUPPORTED : ETW_WIN_ERR_FAILED;
}

/* Windows 11 system providers: the same events as the flags, enabled per
 * provider with keywords (etw-reference.md §1.9). */
static ULONG
enable_system_providers (EtwLiveWin *lw,
                         Session    *s)
{
  uint32_t g = lw->config.kernel;
  uint64_t process = 0x1 | 0x800, io = 0, registry = 0, scheduler = 0;
  ULONG st;

  if ((g & ETW_WIN_KERNEL_IMAGE) || lw->config.stacks)
    process |= 0x1000;                        /* LOADER */
  if (g & ETW_WIN_KERNEL_FILE)
    io |= 0x1 | 0x4 | 0x10 | 0x400;           /* DISK, FILENAME, FILE, FILE_INIT */
  if (g & ETW_WIN_KERNEL_NETWORK)
    io |= 0x200;                              /* NETWORK */
  if (g & ETW_WIN_KERNEL_DISK)
    io |= 0x1 | 0x2;                          /* DISK, DISK_INIT */
  if (g & ETW_WIN_KERNEL_REGISTRY)
    registry |= 0x1;                          /* GENERAL */
  if (g & ETW_WIN_KERNEL_CSWITCH)
    scheduler |= 0x200;                       /* CONTEXT_SWITCH */

  st = EnableTraceEx2 (s->handle, &system_process_provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
                       TRACE_LEVEL_VERBOSE, process, 0, 0, NULL);
  if (st == ERROR_SUCCESS && io != 0)
    st = EnableTraceEx2 (s->handle, &system_io_provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
                         TRACE_LEVEL_VERBOSE, io, 0, 0, NULL);
  if (st == ERROR_SUCCESS && registry != 0)
    st = EnableTraceEx2 (s->handle, &system_registry_provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
                         TRACE_LEVEL_VERBOSE, registry, 0, 0, NULL);
  if (st == ERROR_SUCCESS && scheduler != 0)
    st = EnableTraceEx2 (s->handle, &system_scheduler_provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
                         TRACE_LEVEL_VERBOSE, scheduler, 0, 0, NULL);
  return st;
}

static void
add_stack_ids (CLASSIC_EVENT_ID *ids,
               unsigned         *n,
               const EtwGuid    *klass,
               const uint8_t    *types,
               unsigned          n_types)
{
  for (unsigned i = 0; i < n_types && *n < 256; i++)
    {
      memset (&ids[*n], 0, sizeof ids[*n]);
      ids[*n].EventGuid = to_win_guid (klass);
      ids[*n].Type = types[i];
      (*n)++;
    }
}

/* Stack walks for the chosen kernel events (§1.5): they arrive as separate
 * StackWalk events, joined to their event by the ingest. */
static void
set_kernel_stacks (EtwLiveWin *lw,
                   Session    *s)
{
  static const uint8_t process[] = { 1, 11 }, thread[] = { 1 }, image[] = { 10 }, cswitch[] = { 36 };
  static const uint8_t file[] = { 64, 65, 66, 67, 68, 69, 70, 71, 72, 74, 75, 77 };
  static const uint8_t registry[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 26 };
  static const uint8_t disk[] = { 12, 13, 15 };
  CLASSIC_EVENT_ID ids[64];
  uint32_t g = lw->config.kernel;
  unsigned n = 0;
  ULONG st;
  char err[300];

  add_stack_ids (ids, &n, &ETW_GUID_PROCESS, process, sizeof process);
  add_stack_ids (ids, &n, &ETW_GUID_THREAD, thread, sizeof thread);
  /* Image loads are listed under the Process class GUID. */
  add_stack_ids (ids, &n, &ETW_GUID_PROCESS, image, sizeof image);
  if (g & ETW_WIN_KERNEL_FILE)
    add_stack_ids (ids, &n, &ETW_GUID_FILEIO, file, sizeof file);
  if (g & ETW_WIN_KERNEL_REGISTRY)
    add_stack_ids (ids, &n, &ETW_GUID_REGISTRY, registry, sizeof registry);
  if (g & ETW_WIN_KERNEL_DISK)
    add_stack_ids (ids, &n, &ETW_GUID_DISKIO, disk, sizeof disk);
  if (g & ETW_WIN_KERNEL_CSWITCH)
    add_stack_ids (ids, &n, &ETW_GUID_THREAD, cswitch, sizeof cswitch);
  st = TraceSetInformation (s->handle, TraceStackTracingInfo, ids, n * sizeof ids[0]);
  if (st != ERROR_SUCCESS)
    append_line (lw->notices, sizeof lw->notices, "Kernel stacks are not available: TraceSetInformation: %s",
                 win_error (st, err, sizeof err));
}

static ULONG
enable_provider (EtwLiveWin           *lw,
                 Session              *s,
                 const EtwWinProvider *p)
{
  ENABLE_TRACE_PARAMETERS params;
  GUID guid = to_win_guid (&p->guid);
  UCHAR level = p->level != 0 ? p->level : lw->config.level != 0 ? lw->config.level : TRACE_LEVEL_VERBOSE;

  memset (&params, 0, sizeof params);
  params.Version = ENABLE_TRACE_PARAMETERS_VERSION_2;
  if (p->stacks || lw->config.stacks)
    params.EnableProperty = EVENT_ENABLE_PROPERTY_STACK_TRACE;
  return EnableTraceEx2 (s->handle, &guid, EVENT_CONTROL_CODE_ENABLE_PROVIDER, level, p->match_any,
                         p->match_all, 0, &params);
}

static void
provider_label (const EtwWinProvider *p,
                char                 *buf,
                size_t                size)
{
  char g[ETW_GUID_STRING_LEN + 1];

  etw_guid_format (&p->guid, g);
  if (p->name[0] != '\0')
    snprintf (buf, size, "%s {%s}", p->name, g);
  else
    snprintf (buf, size, "{%s}", g);
}

static Session *
add_session (EtwLiveWin *lw,
             const char *name)
{
  Session *s = &lw->sessions[lw->n_sessions];

  s->owner = lw;
  s->props = wl_calloc (1, PROPS_SIZE);
  if (s->props == NULL)
    return NULL;
  lw->n_sessions++;
  snprintf (s->name_utf8, sizeof s->name_utf8, "%s", name);
  utf8_to_wide (s->name_utf8, s->name, NAME_CHARS);
  return s;
}

/* The .etl path of a session: the configured one for the first session,
 * "<name>.user.etl" beside it for a second one. */
static bool
set_record_file (EtwLiveWin *lw,
                 Session    *s,
                 bool        second,
                 char       *msg,
                 size_t      size)
{
  char path[NAME_CHARS];
  WCHAR wide[NAME_CHARS];
  const char *rp = lw->config.record_path;
  size_t len;

  if (rp == NULL || rp[0] == '\0')
    return true;
  len = strlen (rp);
  if (len + 16 >= sizeof path)
    {
      set_message (msg, size, "The .etl path is too long: %s", rp);
      return false;
    }
  strcpy (path, rp);
  if (second)
    {
      if (len > 4 && _stricmp (path + len - 4, ".etl") == 0)
        path[len - 4] = '\0';
      strcat (path, ".user.etl");
    }
  if (!utf8_to_wide (path, wide, NAME_CHARS) || GetFullPathNameW (wide, NAME_CHARS, s->file, NULL) == 0)
    {
      set_message (msg, size, "The .etl path is not valid: %s", path);
      return false;
    }
  return true;
}

static bool
os_version (DWORD *major,
            DWORD *minor,
            DWORD *build)
{
  typedef LONG (WINAPI *RtlGetVersionFn) (OSVERSIONINFOW *);
  HMODULE ntdll = GetModuleHandleA ("ntdll.dll");
  RtlGetVersionFn fn;
  OSVERSIONINFOW v;

  /* GetVersionEx lies to programs without a manifest; RtlGetVersion does not. */
  fn = ntdll != NULL ? (RtlGetVersionFn) (void (*) (void)) GetProcAddress (ntdll, "RtlGetVersion") : NULL;
  memset (&v, 0, sizeof v);
  v.dwOSVersionInfoSize = sizeof v;
  if (debug_build != 0)
    {
      *major = debug_build >= 10240 ? 10 : 6;
      *minor = debug_build >= 10240 ? 0 : debug_build >= 9600 ? 3 : debug_build >= 9200 ? 2 : 1;
      *build = (DWORD) debug_build;
      return true;
    }
  if (fn == NULL || fn (&v) != 0)
    return false;
  *major = v.dwMajorVersion;
  *minor = v.dwMinorVersion;
  *build = v.dwBuildNumber;
  return true;
}

static EtwWinStatus
start_sessions (EtwLiveWin *lw,
                char       *msg,
                size_t      size)
{
  const EtwWinConfig *cfg = &lw->config;
  const char *base = cfg->session_name != NULL && cfg->session_name[0] != '\0' ? cfg->session_name : DEFAULT_SESSION;
  DWORD major = 6, minor = 1, build = 7601;
  bool win8, combined;
  Session *kernel = NULL, *user = NULL;
  EtwWinStatus status;
  char err[300], label[200];

  os_version (&major, &minor, &build);
  win8 = major > 6 || (major == 6 && minor >= 2);
  lw->mode = cfg->session_mode;
  if (cfg->kernel != 0)
    {
      if (lw->mode == ETW_WIN_SESSION_AUTO)
        lw->mode = build >= BUILD_SYSTEM_PROVIDERS ? ETW_WIN_SESSION_SYSTEM_PROVIDERS
                   : win8 ? ETW_WIN_SESSION_SYSTEM_LOGGER : ETW_WIN_SESSION_NT_KERNEL_LOGGER;
      if (lw->mode == ETW_WIN_SESSION_SYSTEM_PROVIDERS && build < BUILD_SYSTEM_PROVIDERS)
        {
          set_message (msg, size, "System providers need Windows 11 or Server 2022 (this is Windows %lu.%lu build %lu)",
                       (unsigned long) major, (unsigned long) minor, (unsigned long) build);
          return ETW_WIN_ERR_UNSUPPORTED;
        }
      if (lw->mode == ETW_WIN_SESSION_SYSTEM_LOGGER && !win8)
        {
          set_message (msg, size, "Private kernel sessions need Windows 8 or later (this is Windows %lu.%lu)",
                       (unsigned long) major, (unsigned long) minor);
          return ETW_WIN_ERR_UNSUPPORTED;
        }
      /* Needed for stack walks; harmless otherwise. */
      if (!etw_win_enable_privilege ("SeSystemProfilePrivilege") && cfg->stacks)
        append_line (lw->notices, sizeof lw->notices,
                     "SeSystemProfilePrivilege could not be enabled: kernel stacks may be missing");

      kernel = add_session (lw, lw->mode == ETW_WIN_SESSION_NT_KERNEL_LOGGER ? "NT Kernel Logger" : base);
      if (kernel == NULL)
        goto oom;
      kernel->kernel = true;
      if (lw->mode == ETW_WIN_SESSION_NT_KERNEL_LOGGER)
        kernel->guid = system_trace_control_guid;
      else
        {
          /* A system logger needs its own GUID, never SystemTraceControlGuid. */
          kernel->system_logger = true;
          CoCreateGuid (&kernel->guid);
        }
      kernel->enable_flags = lw->mode == ETW_WIN_SESSION_SYSTEM_PROVIDERS ? 0 : kernel_flags (cfg->kernel, cfg->stacks);
      if (!set_record_file (lw, kernel, false, msg, size))
        return ETW_WIN_ERR_INVALID;
      status = start_session (lw, kernel, msg, size);
      if (status != ETW_WIN_OK)
        return status;

      if (lw->mode == ETW_WIN_SESSION_SYSTEM_PROVIDERS)
        {
          ULONG st = enable_system_providers (lw, kernel);
          if (st == ERROR_ACCESS_DENIED)
            {
              set_message (msg, size, "EnableTraceEx2 (system providers): %s. Run elevated.",
                           win_error (st, err, sizeof err));
              return ETW_WIN_ERR_PERMISSION;
            }
          if (st != ERROR_SUCCESS)
            {
              /* Fall back to the kernel flags on the same kind of session. */
              append_line (lw->notices, sizeof lw->notices,
                           "System providers refused (%s): using kernel flags instead",
                           win_error (st, err, sizeof err));
              stop_session (kernel);
              lw->mode = ETW_WIN_SESSION_SYSTEM_LOGGER;
              kernel->enable_flags = kernel_flags (cfg->kernel, cfg->stacks);
              status = start_session (lw, kernel, msg, size);
              if (status != ETW_WIN_OK)
                return status;
            }
        }
      if (cfg->stacks)
        set_kernel_stacks (lw, kernel);
    }

  if (cfg->n_providers == 0)
    return ETW_WIN_OK;

  /* From Windows 8 a system logger also takes ordinary providers: one
   * session, one ordered stream, one file. */
  combined = kernel != NULL && lw->mode != ETW_WIN_SESSION_NT_KERNEL_LOGGER && !cfg->separate_sessions;
  for (size_t i = 0; i < cfg->n_providers; i++)
    {
      const EtwWinProvider *p = &lw->providers[i];
      Session *target;
      ULONG st;

      if (combined)
        target = kernel;
      else
        {
          if (user == NULL)
            {
              char name[300];
              snprintf (name, sizeof name, kernel != NULL ? "%s-user" : "%s", base);
              user = add_session (lw, name);
              if (user == NULL)
                goto oom;
              if (!set_record_file (lw, user, kernel != NULL, msg, size))
                return ETW_WIN_ERR_INVALID;
              status = start_session (lw, user, msg, size);
              if (status != ETW_WIN_OK)
                return status;
            }
          target = user;
        }
      st = enable_provider (lw, target, p);
      provider_label (p, label, sizeof label);
      if (st == ERROR_SUCCESS)
        {
          lw->n_enabled++;
          continue;
        }
      if (st == ERROR_ACCESS_DENIED)
        {
          set_message (msg, size, "EnableTraceEx2(%s): %s. Run elevated, or as a member of Performance Log Users.",
                       label, win_error (st, err, sizeof err));
          return ETW_WIN_ERR_PERMISSION;
        }
      if (combined && (st == ERROR_INVALID_PARAMETER || st == ERROR_NOT_SUPPORTED))
        {
          /* This system logger does not take it: go on in a second session. */
          append_line (lw->notices, sizeof lw->notices,
                       "%s cannot join the kernel session (%s): user providers get their own session",
                       label, win_error (st, err, sizeof err));
          combined = false;
          i--;
          continue;
        }
      append_line (lw->notices, sizeof lw->notices, "Provider %s not enabled: %s", label,
                   win_error (st, err, sizeof err));
    }
  if (kernel == NULL && lw->n_enabled == 0)
    {
      set_message (msg, size, "No provider could be enabled:\n%s", lw->notices);
      return ETW_WIN_ERR_FAILED;
    }
  return ETW_WIN_OK;

oom:
  set_message (msg, size, "Out of memory");
  return ETW_WIN_ERR_FAILED;
}

int
etw_live_win_next (EtwLiveWin *live,
                   EtwEvent   *ev,
                   uint32_t    timeout_ms)
{
  return etw_win_queue_next (&live->queue, ev, timeout_ms);
}

/* ---- the consumer ---- */

/* Called serially by ProcessTrace; everything rec points to dies when this
 * returns, so the event is copied into the queue right here. */
static VOID WINAPI
on_event (PEVENT_RECORD rec)
{
  Session *s = rec->UserContext;
  EtwLiveWin *lw = s->owner;
  EtwEvent ev;

  if (lw->abandon || !etw_win_convert (rec, &s->clock, &ev))
    return;
  if (etw_guid_equal (&ev.provider, &ETW_GUID_LOST_EVENT))
    InterlockedIncrement64 (&lw->lost_records);
  if (!etw_win_pid_filter_passes (&lw->filter, &ev))
    {
      InterlockedIncrement64 (&lw->filtered);
      return;
    }
  if (s->tdh != NULL && etw_tdh_wanted ((EtwTdhMode) lw->config.tdh_mode, &ev) &&
      etw_tdh_apply (s->tdh, rec, &ev))
    InterlockedIncrement64 (&lw->tdh_decoded);
  etw_win_queue_push (&lw->queue, &ev);
}

static ULONG WINAPI
on_buffer (PEVENT_TRACE_LOGFILEW logfile)
{
  Session *s = logfile->Context;

  /* FALSE ends ProcessTrace at once; after a plain stop it ends by
   * itself once ETW has delivered the last buffers. */
  return s->owner->abandon ? FALSE : TRUE;
}

static unsigned __stdcall
consume (void *data)
{
  Session *s = data;
  EtwLiveWin *lw = s->owner;
  ULONG st = ProcessTrace (&s->consumer, 1, NULL, NULL);
  char err[300];

  AcquireSRWLockExclusive (&lw->error_lock);
  s->process_status = st;
  if (!lw->stopping && st != ERROR_SUCCESS && st != ERROR_CANCELLED && lw->error[0] == '\0')
    snprintf (lw->error, sizeof lw->error, "ProcessTrace(\"%s\") ended: %s", s->name_utf8,
              win_error (st, err, sizeof err));
  else if (!lw->stopping && lw->error[0] == '\0')
    snprintf (lw->error, sizeof lw->error, "Session \"%s\" was stopped from outside (another tool?)",
              s->name_utf8);
  ReleaseSRWLockExclusive (&lw->error_lock);
  etw_win_queue_producer_done (&lw->queue);
  return 0;
}

static EtwWinStatus
open_consumer (EtwLiveWin *lw,
               Session    *s,
               char       *msg,
               size_t      size)
{
  EVENT_TRACE_LOGFILEW lf;
  TRACEHANDLE h;
  char err[300];

  memset (&lf, 0, sizeof lf);
  lf.LoggerName = s->name;
  lf.ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD |
                        PROCESS_TRACE_MODE_RAW_TIMESTAMP;
  lf.EventRecordCallback = on_event;
  lf.BufferCallback = on_buffer;
  lf.Context = s;
  /* A real-time LogfileHeader has no usable start time: sample the clocks
   * now (before any event can arrive). */
  etw_win_clock_init_live (&s->clock);
  h = OpenTraceW (&lf);
  if (h == INVALID_PROCESSTRACE_HANDLE)
    {
      DWORD e = GetLastError ();
      set_message (msg, size, "OpenTraceW(\"%s\") failed: %s.%s", s->name_utf8, win_error (e, err, sizeof err),
                   e == ERROR_ACCESS_DENIED
                   ? " Reading a live session needs an elevated process (or Performance Log Users): use "
                     "\"Restart as administrator\" or run from an elevated prompt."
                   : "");
      return e == ERROR_ACCESS_DENIED ? ETW_WIN_ERR_PERMISSION : ETW_WIN_ERR_FAILED;
    }
  s->consumer = h;
  s->opened = true;
  return ETW_WIN_OK;
}

/* Stops everything that runs and waits for the consumer threads; true when
 * they all ended. */
static bool
teardown (EtwLiveWin *lw)
{
  bool joined = true;

  InterlockedExchange (&lw->stopping, 1);
  InterlockedExchange (&lw->abandon, 1);
  AcquireSRWLockExclusive (&lw->control);
  for (unsigned i = 0; i < lw->n_sessions; i++)
    stop_session (&lw->sessions[i]);
  ReleaseSRWLockExclusive (&lw->control);
  for (unsigned i = 0; i < lw->n_sessions; i++)
    {
      Session *s = &lw->sessions[i];
      if (s->opened)
        {
          /* ERROR_CTX_CLOSE_PENDING while ProcessTrace still runs: it then
           * returns after what is buffered. */
          CloseTrace (s->consumer);
          s->opened = false;
        }
    }
  if (lw->queue_ready)
    etw_win_queue_wake (&lw->queue);
  for (unsigned i = 0; i < lw->n_sessions; i++)
    {
      Session *s = &lw->sessions[i];
      if (s->thread == NULL)
        continue;
      /* ProcessTrace may take seconds to return after a stop (§1.4). */
      if (WaitForSingleObject (s->thread, JOIN_TIMEOUT_MS) != WAIT_OBJECT_0)
        {
          joined = false;
          continue;
        }
      CloseHandle (s->thread);
      s->thread = NULL;
      InterlockedDecrement64 (&debug_threads);
    }
  return joined;
}

static void
free_all (EtwLiveWin *lw)
{
  for (unsigned i = 0; i < lw->n_sessions; i++)
    {
      wl_free (lw->sessions[i].props);
      if (lw->sessions[i].tdh != NULL)
        {
          etw_tdh_cache_free (lw->sessions[i].tdh);
          InterlockedDecrement64 (&debug_allocations);
        }
    }
  wl_free (lw->providers);
  if (lw->filter_ready)
    {
      etw_win_pid_filter_clear (&lw->filter);
      InterlockedDecrement64 (&debug_allocations);
    }
  if (lw->queue_ready)
    {
      etw_win_queue_clear (&lw->queue);
      InterlockedDecrement64 (&debug_allocations);
    }
  wl_free (lw);
}

static void
describe (EtwLiveWin *lw)
{
  char *d = lw->describe;
  size_t size = sizeof lw->describe, n;
  bool first = true;

  n = (size_t) snprintf (d, size, "%s", "");
  for (unsigned i = 0; i < lw->n_sessions && n < size; i++)
    {
      Session *s = &lw->sessions[i];
      n += (size_t) snprintf (d + n, size - n, "%s%s '%s'", i > 0 ? " + " : "",
                              s->kernel ? mode_name (lw->mode) : "session", s->name_utf8);
      if (s->kernel && n < size)
        {
          n += (size_t) snprintf (d + n, size - n, " (");
          for (uint32_t g = 1; g <= ETW_WIN_KERNEL_CSWITCH && n < size; g <<= 1)
            if (lw->config.kernel & g)
              {
                n += (size_t) snprintf (d + n, size - n, "%s%s", first ? "" : ", ", etw_win_kernel_group_name (g));
                first = false;
              }
          if (n < size)
            n += (size_t) snprintf (d + n, size - n, ")");
        }
    }
  if (lw->n_enabled > 0 && n < size)
    snprintf (d + n, size - n, ", %u provider%s", lw->n_enabled, lw->n_enabled == 1 ? "" : "s");
}

EtwWinStatus
etw_live_win_start (const EtwWinConfig *config,
                    EtwLiveWin        **out,
                    char               *message,
                    size_t              message_size)
{
  EtwLiveWin *lw;
  EtwWinStatus status;

  *out = NULL;
  set_message (message, message_size, "%s", "");
  if (config->kernel == 0 && config->n_providers == 0)
    {
      set_message (message, message_size, "Nothing to capture: choose kernel events or providers");
      return ETW_WIN_ERR_INVALID;
    }
  if (config->level > 5 && config->level != 0xFF)
    {
      set_message (message, message_size, "Trace level %u is not 1–5", config->level);
      return ETW_WIN_ERR_INVALID;
    }
  lw = wl_calloc (1, sizeof *lw);
  if (lw == NULL)
    {
      set_message (message, message_size, "Out of memory");
      return ETW_WIN_ERR_FAILED;
    }
  lw->config = *config;
  InitializeSRWLock (&lw->error_lock);
  InitializeSRWLock (&lw->control);

  if (config->n_providers > 0)
    {
      if (config->n_providers > 256 ||
          (lw->providers = wl_calloc (config->n_providers, sizeof (EtwWinProvider))) == NULL)
        {
          set_message (message, message_size, "Too many providers");
          free_all (lw);
          return ETW_WIN_ERR_INVALID;
        }
      memcpy (lw->providers, config->providers, config->n_providers * sizeof (EtwWinProvider));
      for (size_t i = 0; i < config->n_providers; i++)
        if (etw_guid_is_zero (&lw->providers[i].guid))
          {
            status = etw_win_find_provider (lw->providers[i].name, &lw->providers[i].guid, message, message_size);
            if (status != ETW_WIN_OK)
              {
                free_all (lw);
                return status;
              }
          }
    }
  lw->config.providers = lw->providers;
  if (!etw_win_pid_filter_init (&lw->filter, config->pids, config->n_pids, config->include_children))
    {
      set_message (message, message_size, "Too many pids in the filter (at most %d)", ETW_WIN_FILTER_MAX_PIDS);
      free_all (lw);
      return ETW_WIN_ERR_INVALID;
    }
  lw->filter_ready = true;
  InterlockedIncrement64 (&debug_allocations);
  lw->config.pids = NULL;
  lw->config.record_path = NULL;  /* used only while starting, from config */

  if (!etw_win_queue_init (&lw->queue, config->queue_bytes != 0 ? config->queue_bytes : DEFAULT_QUEUE))
    {
      set_message (message, message_size, "Out of memory for the event queue");
      free_all (lw);
      return ETW_WIN_ERR_FAILED;
    }
  lw->queue_ready = true;
  InterlockedIncrement64 (&debug_allocations);

  lw->config.record_path = config->record_path;
  status = start_sessions (lw, message, message_size);
  lw->config.record_path = NULL;
  for (unsigned i = 0; status == ETW_WIN_OK && i < lw->n_sessions; i++)
    status = open_consumer (lw, &lw->sessions[i], message, message_size);
  for (unsigned i = 0; status == ETW_WIN_OK && i < lw->n_sessions; i++)
    if (lw->config.tdh_mode != ETW_TDH_NONE)
      {
        lw->sessions[i].tdh = etw_tdh_cache_new ();
        if (lw->sessions[i].tdh != NULL)
          InterlockedIncrement64 (&debug_allocations);
      }
  if (status != ETW_WIN_OK)
    {
      teardown (lw);
      free_all (lw);
      return status;
    }

  etw_win_queue_set_producers (&lw->queue, (int) lw->n_sessions);
  for (unsigned i = 0; i < lw->n_sessions; i++)
    {
      Session *s = &lw->sessions[i];
      uintptr_t t = _beginthreadex (NULL, 0, consume, s, 0, NULL);
      if (t == 0)
        {
          set_message (message, message_size, "Cannot start the consumer thread");
          for (unsigned k = i; k < lw->n_sessions; k++)
            etw_win_queue_producer_done (&lw->queue);
          teardown (lw);
          free_all (lw);
          return ETW_WIN_ERR_FAILED;
        }
      s->thread = (HANDLE) t;
      InterlockedIncrement64 (&debug_threads);
    }
  describe (lw);
  *out = lw;
  return ETW_WIN_OK;
}

void
etw_live_win_stop (EtwLiveWin *live)
{
  if (live == NULL || InterlockedExchange (&live->stopping, 1) != 0)
    return;
  /* STOP flushes the sessions to their consumers; CloseTrace then lets
   * ProcessTrace return once that is delivered (ERROR_CTX_CLOSE_PENDING). */
  AcquireSRWLockExclusive (&live->control);
  for (unsigned i = 0; i < live->n_sessions; i++)
    stop_session (&live->sessions[i]);
  for (unsigned i = 0; i < live->n_sessions; i++)
    if (live->sessions[i].opened)
      {
        CloseTrace (live->sessions[i].consumer);
        live->sessions[i].opened = false;
      }
  ReleaseSRWLockExclusive (&live->control);
  etw_win_queue_wake (&live->queue);
}

void
etw_live_win_query (EtwLiveWin  *live,
                    EtwWinStats *stats)
{
  EVENT_TRACE_PROPERTIES *p = wl_calloc (1, PROPS_SIZE);

  memset (stats, 0, sizeof *stats);
  {
    size_t used;
    etw_win_queue_counts (&live->queue, &stats->delivered, &stats->dropped, &used);
  }
  stats->filtered = (uint64_t) InterlockedCompareExchange64 (&live->filtered, 0, 0);
  stats->lost_records = (uint64_t) InterlockedCompareExchange64 (&live->lost_records, 0, 0);
  stats->tdh_decoded = (uint64_t) InterlockedCompareExchange64 (&live->tdh_decoded, 0, 0);
  stats->sessions = live->n_sessions;
  AcquireSRWLockShared (&live->control);
  for (unsigned i = 0; i < live->n_sessions; i++)
    {
      Session *s = &live->sessions[i];
      if (s->started && p != NULL)
        {
          init_control_props (p);
          if (ControlTraceW (s->handle, NULL, p, EVENT_TRACE_CONTROL_QUERY) == ERROR_SUCCESS)
            {
              stats->events_lost += p->EventsLost;
              stats->buffers_lost += (uint64_t) p->RealTimeBuffersLost + p->LogBuffersLost;
            }
        }
      else
        {
          stats->events_lost += s->final_events_lost;
          stats->buffers_lost += s->final_buffers_lost;
        }
    }
  ReleaseSRWLockShared (&live->control);
  wl_free (p);
}

const char *
etw_live_win_error (EtwLiveWin *live)
{
  const char *e;

  AcquireSRWLockShared (&live->error_lock);
  e = live->error[0] != '\0' ? live->error : NULL;
  ReleaseSRWLockShared (&live->error_lock);
  return e;
}

const char *
etw_live_win_notices (EtwLiveWin *live)
{
  return live->notices;
}

const char *
etw_live_win_describe (EtwLiveWin *live)
{
  return live->describe;
}

void
etw_live_win_free (EtwLiveWin *live)
{
  if (live == NULL)
    return;
  etw_live_win_stop (live);
  if (!teardown (live))
    /* A consumer thread still runs inside ProcessTrace and may touch
     * this block: leaking it is the only safe choice. */
    return;
  free_all (live);
}

/* ---- .etl files through Windows' own reader ---- */

typedef struct
{
  EtwWinEventFunc       func;
  void                 *user_data;
  EVENT_TRACE_LOGFILEW *lf;
  EtwWinClock           clock;
  bool                  clock_set;
  bool                  stop;
  EtwTdhCache          *tdh;
  int                   tdh_mode;
} EtlRead;

static VOID WINAPI
on_file_event (PEVENT_RECORD rec)
{
  EtlRead *r = rec->UserContext;
  EtwEvent ev;

  if (r->stop)
    return;
  if (!r->clock_set)
    {
      /* The first event is the log-file header, at the raw time that
       * StartTime names (§2.3, §2.5). */
      const TRACE_LOGFILE_HEADER *h = &r->lf->LogfileHeader;
      int64_t freq = h->ReservedFlags == 2 ? 10000000
                     : h->ReservedFlags == 3 ? (int64_t) h->CpuSpeedInMHz * 1000000
                     : h->PerfFreq.QuadPart;
      etw_win_clock_init (&r->clock, freq > 0 ? freq : 10000000, rec->EventHeader.TimeStamp.QuadPart,
                          h->StartTime.QuadPart);
      r->clock.pointer_size = h->PointerSize == 4 ? 4 : 8;
      r->clock_set = true;
    }
  if (!etw_win_convert (rec, &r->clock, &ev))
    return;
  if (r->tdh != NULL && etw_tdh_wanted ((EtwTdhMode) r->tdh_mode, &ev))
    etw_tdh_apply (r->tdh, rec, &ev);
  if (!r->func (&ev, r->user_data))
    r->stop = true;
}

static ULONG WINAPI
on_file_buffer (PEVENT_TRACE_LOGFILEW logfile)
{
  EtlRead *r = logfile->Context;

  return r->stop ? FALSE : TRUE;
}

EtwWinStatus
etw_win_read_etl (const char      *path,
                  int              tdh_mode,
                  EtwWinEventFunc  func,
                  void            *user_data,
                  char            *message,
                  size_t           message_size)
{
  EVENT_TRACE_LOGFILEW *lf = wl_calloc (1, sizeof *lf);
  WCHAR *wpath = wl_calloc (NAME_CHARS, sizeof (WCHAR));
  EtlRead r;
  TRACEHANDLE h;
  ULONG st;
  char err[300];
  EtwWinStatus status = ETW_WIN_OK;

  memset (&r, 0, sizeof r);
  if (lf == NULL || wpath == NULL || !utf8_to_wide (path, wpath, NAME_CHARS))
    {
      set_message (message, message_size, "Cannot use the path %s", path);
      wl_free (lf);
      wl_free (wpath);
      return ETW_WIN_ERR_INVALID;
    }
  r.func = func;
  r.user_data = user_data;
  r.lf = lf;
  r.tdh_mode = tdh_mode;
  lf->LogFileName = wpath;
  lf->ProcessTraceMode = PROCESS_TRACE_MODE_EVENT_RECORD | PROCESS_TRACE_MODE_RAW_TIMESTAMP;
  lf->EventRecordCallback = on_file_event;
  lf->BufferCallback = on_file_buffer;
  lf->Context = &r;
  h = OpenTraceW (lf);
  if (h == INVALID_PROCESSTRACE_HANDLE)
    {
      DWORD e = GetLastError ();
      set_message (message, message_size, "OpenTraceW(%s) failed: %s", path, win_error (e, err, sizeof err));
      wl_free (lf);
      wl_free (wpath);
      return e == ERROR_ACCESS_DENIED ? ETW_WIN_ERR_PERMISSION : ETW_WIN_ERR_FAILED;
    }
  if (tdh_mode != ETW_TDH_NONE)
    r.tdh = etw_tdh_cache_new ();
  /* For a file, ProcessTrace returns at its end; CloseTrace only after. */
  st = ProcessTrace (&h, 1, NULL, NULL);
  CloseTrace (h);
  if (st != ERROR_SUCCESS && st != ERROR_CANCELLED)
    {
      set_message (message, message_size, "ProcessTrace(%s): %s", path, win_error (st, err, sizeof err));
      status = ETW_WIN_ERR_FAILED;
    }
  etw_tdh_cache_free (r.tdh);
  wl_free (lf);
  wl_free (wpath);
  return status;
}
