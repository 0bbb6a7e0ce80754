/* test-live-smoke.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live backend's error paths against Wine's ETW stubs: StartTraceW and
 * EnableTraceEx2 "succeed", TraceSetInformation is not implemented and
 * OpenTraceW is denied (etw-reference.md §5). Every configuration must
 * then fail with a clear permission error, quickly, with every session it
 * started stopped, no thread left, no memory and no handle leaked. Also:
 * configuration errors, the console driver, the "runas" relaunch and
 * Windows' own .etl reader, as far as Wine lets them run.
 *
 * The ETW-dependent parts are skipped (and say so) outside Wine: on a real
 * elevated Windows the captures would simply start.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw-guid.h"
#include "etw-live-win.h"
#include "etw-providers.h"
#include "tap.h"

static bool
clean (void)
{
  int64_t allocations, sessions, threads;

  etw_live_win_debug_counts (&allocations, &sessions, &threads);
  if (allocations != 0 || sessions != 0 || threads != 0)
    tap_diag ("left behind: %lld allocations, %lld sessions, %lld threads", (long long) allocations,
              (long long) sessions, (long long) threads);
  return allocations == 0 && sessions == 0 && threads == 0;
}

static void
config_errors (void)
{
  EtwWinConfig cfg;
  EtwWinProvider p;
  EtwLiveWin *live = (EtwLiveWin *) 1;
  char msg[1024];

  etw_win_config_init (&cfg);
  cfg.kernel = 0;
  tap_check (etw_live_win_start (&cfg, &live, msg, sizeof msg) == ETW_WIN_ERR_INVALID && live == NULL &&
             strstr (msg, "Nothing to capture") != NULL,
             "no kernel group and no provider: \"%s\"", msg);
  etw_win_config_init (&cfg);
  cfg.level = 9;
  tap_check (etw_live_win_start (&cfg, &live, msg, sizeof msg) == ETW_WIN_ERR_INVALID, "level 9 is refused: \"%s\"", msg);

  etw_win_config_init (&cfg);
  etw_win_parse_provider ("No-Such-Provider-Anywhere:4", &p, msg, sizeof msg);
  cfg.providers = &p;
  cfg.n_providers = 1;
  tap_check (etw_live_win_start (&cfg, &live, msg, sizeof msg) == ETW_WIN_ERR_INVALID &&
             strstr (msg, "No-Such-Provider-Anywhere") != NULL && strstr (msg, "GUID") != NULL,
             "an unknown provider name is named in the error: \"%s\"", msg);
  tap_check (clean (), "configuration errors leave nothing behind");
}

static void
parse_specs (void)
{
  EtwWinProvider p;
  EtwGuid g;
  char msg[256];

  tap_check (etw_win_parse_provider ("Microsoft-Windows-DNS-Client:4:0x8000000000000000:0x10:stacks", &p, msg,
                                     sizeof msg) &&
             strcmp (p.name, "Microsoft-Windows-DNS-Client") == 0 && p.level == 4 &&
             p.match_any == 0x8000000000000000ull && p.match_all == 0x10 && p.stacks &&
             etw_guid_is_zero (&p.guid),
             "NAME:level:any:all:stacks");
  etw_guid_parse ("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", &g);
  tap_check (etw_win_parse_provider ("{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}", &p, msg, sizeof msg) &&
             etw_guid_equal (&p.guid, &g) && p.name[0] == '\0' && p.level == 0 && !p.stacks,
             "{GUID} alone");
  tap_check (!etw_win_parse_provider ("X:300", &p, msg, sizeof msg) && strstr (msg, "300") != NULL,
             "level 300 is refused: \"%s\"", msg);
  tap_check (!etw_win_parse_provider ("X:1:2:3:4", &p, msg, sizeof msg), "a fourth number is refused");
  tap_check (!etw_win_parse_provider ("", &p, msg, sizeof msg), "an empty spec is refused");
  tap_check (etw_win_find_provider ("Microsoft-Windows-Kernel-Process", &g, msg, sizeof msg) == ETW_WIN_OK &&
             etw_guid_equal (&g, &ETW_GUID_KERNEL_PROCESS),
             "a well-known provider name resolves");
  tap_check (etw_win_kernel_group ("Registry") != 0 && etw_win_kernel_group ("net") == etw_win_kernel_group ("tcpip") &&
             etw_win_kernel_group ("bogus") == 0,
             "kernel group names (case-insensitive, aliases)");
}

typedef struct
{
  const char *what;
  uint32_t    build;
  uint32_t    kernel;
  int         mode;
  int         n_providers;
  bool        stacks;
  bool        separate;
  bool        record;
  bool        pids;
  int         expect;        /* EtwWinStatus */
  const char *session;       /* the session OpenTraceW names, or the text expected */
} Case;

static const Case cases[] = {
  { "Windows 7: NT Kernel Logger", 7601, ETW_WIN_KERNEL_DEFAULT, ETW_WIN_SESSION_AUTO, 0, false, false, false, false,
    ETW_WIN_ERR_PERMISSION, "\"NT Kernel Logger\"" },
  { "Windows 7: kernel + providers in two sessions, stacks, record, pid filter", 7601, ETW_WIN_KERNEL_DEFAULT,
    ETW_WIN_SESSION_AUTO, 2, true, false, true, true, ETW_WIN_ERR_PERMISSION, "\"NT Kernel Logger\"" },
  { "Windows 10: one system-logger session for kernel + providers", 19045, ETW_WIN_KERNEL_DEFAULT | ETW_WIN_KERNEL_DISK,
    ETW_WIN_SESSION_AUTO, 2, true, false, true, false, ETW_WIN_ERR_PERMISSION, "\"etwscope-smoke\"" },
  { "Windows 10: providers in a separate session on request", 19045, ETW_WIN_KERNEL_PROCESS,
    ETW_WIN_SESSION_AUTO, 1, false, true, false, false, ETW_WIN_ERR_PERMISSION, "\"etwscope-smoke\"" },
  { "Windows 10: NT Kernel Logger forced", 19045, ETW_WIN_KERNEL_FILE, ETW_WIN_SESSION_NT_KERNEL_LOGGER, 0, false,
    false, false, false, ETW_WIN_ERR_PERMISSION, "\"NT Kernel Logger\"" },
  { "Windows 11: system providers", 22631, ETW_WIN_KERNEL_DEFAULT | ETW_WIN_KERNEL_CSWITCH, ETW_WIN_SESSION_AUTO, 1,
    true, false, true, true, ETW_WIN_ERR_PERMISSION, "\"etwscope-smoke\"" },
  { "providers only: one user session", 19045, 0, ETW_WIN_SESSION_AUTO, 2, true, false, true, false,
    ETW_WIN_ERR_PERMISSION, "\"etwscope-smoke\"" },
  { "Windows 10: system providers forced", 19045, ETW_WIN_KERNEL_PROCESS, ETW_WIN_SESSION_SYSTEM_PROVIDERS, 0, false,
    false, false, false, ETW_WIN_ERR_UNSUPPORTED, "Windows 11" },
  { "Windows 7: system logger forced", 7601, ETW_WIN_KERNEL_PROCESS, ETW_WIN_SESSION_SYSTEM_LOGGER, 0, false, false,
    false, false, ETW_WIN_ERR_UNSUPPORTED, "Windows 8" },
};

static EtwWinStatus
run_case (const Case *c,
          char       *msg,
          size_t      size,
          EtwLiveWin **live)
{
  EtwWinConfig cfg;
  EtwWinProvider providers[2];
  uint32_t pids[2] = { 4, 1234 };
  char path[MAX_PATH + 32];

  memset (providers, 0, sizeof providers);
  etw_guid_parse ("1c95126e-7eea-49a9-a3fe-a378b03ddb4d", &providers[0].guid);
  providers[0].level = 4;
  etw_win_parse_provider ("Microsoft-Windows-Kernel-Process:5:0x10", &providers[1], msg, size);
  GetTempPathA (MAX_PATH, path);
  strcat (path, "etwscope-smoke.etl");

  etw_win_config_init (&cfg);
  cfg.session_name = "etwscope-smoke";
  cfg.kernel = c->kernel;
  cfg.session_mode = (EtwWinSessionMode) c->mode;
  cfg.providers = providers;
  cfg.n_providers = (size_t) c->n_providers;
  cfg.stacks = c->stacks;
  cfg.separate_sessions = c->separate;
  cfg.record_path = c->record ? path : NULL;
  cfg.pids = c->pids ? pids : NULL;
  cfg.n_pids = c->pids ? 2 : 0;
  cfg.include_children = c->pids;
  cfg.buffer_kb = 256;
  cfg.min_buffers = 8;
  cfg.max_buffers = 64;
  cfg.flush_seconds = 2;
  cfg.level = 4;
  cfg.queue_bytes = 4u << 20;
  etw_live_win_debug_set_build (c->build);
  return etw_live_win_start (&cfg, live, msg, size);
}

static void
failing_starts (void)
{
  char msg[2048];

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const Case *c = &cases[i];
      EtwLiveWin *live = (EtwLiveWin *) 1;
      ULONGLONG t0 = GetTickCount64 ();
      EtwWinStatus st = run_case (c, msg, sizeof msg, &live);
      ULONGLONG ms = GetTickCount64 () - t0;

      tap_diag ("%s: %llu ms: %s", c->what, (unsigned long long) ms, msg);
      if (c->expect == ETW_WIN_ERR_PERMISSION)
        tap_check (st == ETW_WIN_ERR_PERMISSION && live == NULL && strstr (msg, "OpenTraceW") != NULL &&
                   strstr (msg, c->session) != NULL && strstr (msg, "elevated") != NULL,
                   "%s: OpenTraceW(%s) denied is a permission error that says what to do", c->what, c->session);
      else
        tap_check (st == (EtwWinStatus) c->expect && live == NULL && strstr (msg, c->session) != NULL,
                   "%s: refused as unsupported", c->what);
      tap_check (clean (), "%s: sessions stopped, no thread, no memory left", c->what);
    }
  etw_live_win_debug_set_build (0);
}

/* Open handles of this process. Wine's GetProcessHandleCount answers 0,
 * so the handle values are probed (they are multiples of 4). */
static DWORD
handle_count (void)
{
  DWORD n = 0, flags;

  if (GetProcessHandleCount (GetCurrentProcess (), &n) && n > 0)
    return n;
  for (uintptr_t v = 4; v < (1u << 18); v += 4)
    if (GetHandleInformation ((HANDLE) v, &flags))
      n++;
  return n;
}

static void
handles_stable (void)
{
  DWORD before = 0, after = 0;
  char msg[2048];
  bool all_denied = true;

  /* One run first: Wine and the CRT open a few handles lazily. */
  {
    EtwLiveWin *live;
    run_case (&cases[2], msg, sizeof msg, &live);
  }
  before = handle_count ();
  for (int i = 0; i < 40; i++)
    {
      EtwLiveWin *live = NULL;
      all_denied &= run_case (&cases[(size_t) i % 7], msg, sizeof msg, &live) == ETW_WIN_ERR_PERMISSION;
    }
  after = handle_count ();
  etw_live_win_debug_set_build (0);
  tap_check (all_denied && before > 0 && after == before && clean (),
             "40 failed starts: handle count %lu before, %lu after; nothing left", (unsigned long) before,
             (unsigned long) after);
}

static void
read_etl (void)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  char path[4096], msg[1024];
  int calls = 0;
  EtwWinStatus st;

  if (dir == NULL)
    {
      tap_skip ("ETWSCOPE_FIXTURES is not set");
      return;
    }
  snprintf (path, sizeof path, "%s/tx_WsRm01.etl", dir);
  st = etw_win_read_etl (path, 0, NULL, &calls, msg, sizeof msg);
  tap_diag ("OpenTraceW on a file: %s", st == ETW_WIN_OK ? "read" : msg);
  tap_check (st != ETW_WIN_OK && calls == 0 && strstr (msg, "OpenTraceW") != NULL && strstr (msg, "tx_WsRm01.etl") != NULL,
             "Windows' own reader under Wine: a clear error naming the file");
  tap_check (clean (), "the failed read leaves nothing behind");
}

/* Runs a program, returns its exit code and what it wrote to stderr. */
static DWORD
run (const char *cmdline,
     char       *err,
     size_t      size)
{
  SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
  HANDLE rd = NULL, wr = NULL;
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  char *cmd = _strdup (cmdline);
  DWORD code = 0xFFFFFFFF, n, total = 0;

  err[0] = '\0';
  if (cmd == NULL || !CreatePipe (&rd, &wr, &sa, 0))
    {
      free (cmd);
      return code;
    }
  SetHandleInformation (rd, HANDLE_FLAG_INHERIT, 0);
  memset (&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle (STD_INPUT_HANDLE);
  si.hStdOutput = wr;
  si.hStdError = wr;
  if (CreateProcessA (NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    {
      CloseHandle (wr);
      wr = NULL;
      while (total + 1 < size && ReadFile (rd, err + total, (DWORD) (size - 1 - total), &n, NULL) && n > 0)
        total += n;
      err[total] = '\0';
      if (WaitForSingleObject (pi.hProcess, 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess (pi.hProcess, &code);
      CloseHandle (pi.hProcess);
      CloseHandle (pi.hThread);
    }
  if (wr != NULL)
    CloseHandle (wr);
  CloseHandle (rd);
  free (cmd);
  return code;
}

static void
cli (void)
{
  const char *exe = getenv ("ETWLIVE_EXE");
  char cmd[4096], out[8192];
  DWORD code;

  if (exe == NULL)
    {
      tap_skip ("ETWLIVE_EXE is not set");
      return;
    }
  snprintf (cmd, sizeof cmd, "\"%s\" -n 5 -k process,file,registry -p Microsoft-Windows-DNS-Client:4 --stacks", exe);
  code = run (cmd, out, sizeof out);
  tap_check (code == 3 && strstr (out, "OpenTraceW") != NULL && strstr (out, "elevated") != NULL,
             "etwlive: exit 3 (permission) with the OpenTraceW error (exit %lu)", (unsigned long) code);
  snprintf (cmd, sizeof cmd, "\"%s\" -k bogus", exe);
  code = run (cmd, out, sizeof out);
  tap_check (code == 2 && strstr (out, "bogus") != NULL, "etwlive: unknown kernel group is a usage error (exit %lu)",
             (unsigned long) code);
  snprintf (cmd, sizeof cmd, "\"%s\" --help", exe);
  code = run (cmd, out, sizeof out);
  tap_check (code == 0 && strstr (out, "--record") != NULL, "etwlive --help");
}

static void
relaunch (void)
{
  char marker[MAX_PATH + 64], args[MAX_PATH + 128], msg[512];
  DWORD attr = INVALID_FILE_ATTRIBUTES;

  GetTempPathA (MAX_PATH, marker);
  snprintf (marker + strlen (marker), 64, "etwscope-runas-%lu.txt", (unsigned long) GetCurrentProcessId ());
  DeleteFileA (marker);
  snprintf (args, sizeof args, "--touch \"%s\"", marker);
  tap_check (etw_win_relaunch_elevated (args, msg, sizeof msg) == ETW_WIN_OK, "ShellExecuteExW(\"runas\") starts this program");
  for (int i = 0; i < 200 && attr == INVALID_FILE_ATTRIBUTES; i++)
    {
      Sleep (100);
      attr = GetFileAttributesA (marker);
    }
  tap_check (attr != INVALID_FILE_ATTRIBUTES, "the relaunched copy ran with its arguments (it created %s)", marker);
  DeleteFileA (marker);
  tap_check (clean (), "relaunch leaves nothing behind");
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--touch") == 0)
    {
      /* The relaunched copy: prove it ran. */
      HANDLE f = CreateFileA (argv[2], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
      if (f == INVALID_HANDLE_VALUE)
        return 1;
      CloseHandle (f);
      return 0;
    }

  parse_specs ();
  config_errors ();
  if (!etw_win_under_wine ())
    {
      tap_skip ("the failure paths need Wine's ETW stubs (on Windows, captures would start)");
      return tap_done ();
    }
  tap_diag ("elevated: %s", etw_win_is_elevated () ? "yes" : "no");
  failing_starts ();
  handles_stable ();
  read_etl ();
  cli ();
  relaunch ();
  return tap_done ();
}
