/* etwlive-cli.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwlive: a console driver of the Windows ETW backend, in plain C (no
 * GLib), so that the mingw-w64 cross build can build and Wine can run it.
 * It starts a capture, prints each event through decode/, and stops on
 * Ctrl+C, --duration or --max-events. `--etl FILE` reads a file through
 * Windows' own OpenTraceW with the same conversion instead.
 *
 * Exit status: 0 success, 1 the capture failed, 2 usage, 3 permission
 * (not elevated), 4 not supported on this Windows.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-decode.h"
#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-live-win.h"
#include "etw-win-tdh.h"

#define MAX_PROVIDERS 64
#define MAX_PIDS      64

typedef struct
{
  EtwDecoder *decoder;
  EtwDecoded *out;
  bool        fields;
  uint64_t    count;
  uint64_t    max_events;
} Printer;

static EtwLiveWin *volatile current_live;

static void
usage (FILE *f)
{
  fputs ("Usage: etwlive [OPTIONS]\n"
         "Live ETW capture (Windows), printed one event per line.\n"
         "\n"
         "  -k, --kernel LIST      kernel events: process,thread,image,file,registry,net,disk,cswitch\n"
         "                         or none (default: process,thread,image,file,registry,net)\n"
         "  -p, --provider SPEC    user provider NAME|{GUID}[:level[:match_any[:match_all]]][:stacks]\n"
         "                         (repeatable; by name through TdhEnumerateProviders)\n"
         "  -l, --level N          trace level for providers, 1-5 (default 5, verbose)\n"
         "      --mode MODE        auto|nt|system|providers: NT Kernel Logger, Win8+ system logger,\n"
         "                         Win11 system providers (default auto)\n"
         "      --separate         user providers in their own session even on Windows 8+\n"
         "      --buffer-kb N      buffer size in KiB (default 64)\n"
         "      --min-buffers N    minimum buffers (default: ETW's choice)\n"
         "      --max-buffers N    maximum buffers (default: ETW's choice)\n"
         "      --flush S          flush interval in seconds (default 1)\n"
         "  -s, --stacks           kernel stack walks and user-provider stacks\n"
         "      --pid N            keep only this process (repeatable)\n"
         "      --children         and the processes they start\n"
         "  -o, --record FILE      also write the capture to an .etl file\n"
         "      --queue-mb N       bounded queue size (default 64); overflow is dropped and counted\n"
         "      --tdh MODE         auto|all|none: TDH fields for providers decode/ lacks, all, none\n"
         "  -d, --duration S       stop after S seconds (default: Ctrl+C)\n"
         "  -n, --max-events N     stop after N events\n"
         "      --fields           print every event's fields\n"
         "      --etl FILE         read FILE with Windows' OpenTraceW instead of capturing\n"
         "      --list-providers   list registered providers\n"
         "      --check            say whether this process is elevated\n"
         "      --elevate          restart elevated (UAC) with the same arguments if needed\n"
         "  -h, --help\n", f);
}

static bool
parse_uint (const char *s,
            uint64_t    max,
            uint64_t   *out)
{
  char *end = NULL;
  unsigned long long v;

  if (s == NULL || *s == '\0')
    return false;
  v = strtoull (s, &end, 0);
  if (*end != '\0' || v > max)
    return false;
  *out = v;
  return true;
}

static void
print_event (Printer        *p,
             const EtwEvent *ev)
{
  char when[ETW_FILETIME_TEXT_SIZE];
  EtwDecoded *d = p->out;

  etw_decoder_observe (p->decoder, ev);
  etw_decode (p->decoder, ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | (p->fields ? ETW_DECODE_FIELDS : 0), d);
  etw_filetime_format (ev->time, when);
  printf ("%s cpu%-3u %6u %6u %s/%s", when, ev->cpu, d->pid, ev->tid,
          d->provider_name != NULL ? d->provider_name : "?",
          d->event_name != NULL ? d->event_name : "?");
  if (d->operation != NULL)
    printf ("  %s", d->operation);
  if (d->path != NULL)
    printf ("  %s", d->path);
  if (d->result != NULL)
    printf ("  %s", d->result);
  if (d->detail != NULL)
    printf ("  %s", d->detail);
  putchar ('\n');
  for (uint32_t i = 0; p->fields && i < d->n_fields; i++)
    {
      const EtwField *f = &d->fields[i];
      printf ("    %*s%s", 2 * f->depth, "", f->name != NULL ? f->name : "");
      switch (f->type)
        {
        case ETW_VAL_INT: printf (" = %lld\n", (long long) f->v.i); break;
        case ETW_VAL_UINT: case ETW_VAL_BOOL: printf (" = %llu\n", (unsigned long long) f->v.u); break;
        case ETW_VAL_HEX: case ETW_VAL_POINTER: case ETW_VAL_STATUS:
          printf (" = 0x%llx\n", (unsigned long long) f->v.u);
          break;
        case ETW_VAL_STRING: case ETW_VAL_SID: printf (" = %s\n", f->v.s); break;
        default: printf (" (type %u)\n", f->type); break;
        }
    }
  for (uint32_t i = 0; i < ev->n_frames && i < 64; i++)
    {
      uint64_t a = ev->frame_size == 8 ? *(const uint64_t *) (const void *) (ev->stack + 8 * i)
                                       : *(const uint32_t *) (const void *) (ev->stack + 4 * i);
      char sym[256];
      if (etw_decoder_symbolize (p->decoder, d->pid, a, sym, sizeof sym))
        printf ("      at %s\n", sym);
      else
        printf ("      at 0x%llx\n", (unsigned long long) a);
    }
  p->count++;
}

static bool
on_file_event (const EtwEvent *ev,
               void           *user_data)
{
  Printer *p = user_data;

  print_event (p, ev);
  return p->max_events == 0 || p->count < p->max_events;
}

static bool
on_provider (const EtwGuid *guid,
             const char    *name,
             void          *user_data)
{
  char g[ETW_GUID_STRING_LEN + 1];

  etw_guid_format (guid, g);
  printf ("{%s}  %s\n", g, name);
  return true;
}

static BOOL WINAPI
on_ctrl (DWORD type)
{
  EtwLiveWin *live = current_live;

  if (live != NULL)
    etw_live_win_stop (live);
  return TRUE;
}

static int
exit_code (EtwWinStatus st)
{
  switch (st)
    {
    case ETW_WIN_OK: return 0;
    case ETW_WIN_ERR_PERMISSION: return 3;
    case ETW_WIN_ERR_UNSUPPORTED: return 4;
    case ETW_WIN_ERR_INVALID: return 2;
    case ETW_WIN_ERR_FAILED:
    default: return 1;
    }
}

/* The arguments after argv[0], quoted again for ShellExecuteEx. */
static char *
requote (int    argc,
         char **argv)
{
  size_t size = 1;
  char *s, *o;

  for (int i = 1; i < argc; i++)
    size += 2 * strlen (argv[i]) + 3;
  s = o = calloc (1, size);
  if (s == NULL)
    return NULL;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--elevate") == 0)
        continue;
      if (o != s)
        *o++ = ' ';
      *o++ = '"';
      for (const char *c = argv[i]; *c; c++)
        {
          if (*c == '"' || *c == '\\')
            *o++ = '\\';
          *o++ = *c;
        }
      *o++ = '"';
    }
  *o = '\0';
  return s;
}

int
main (int    argc,
      char **argv)
{
  EtwWinConfig cfg;
  EtwWinProvider providers[MAX_PROVIDERS];
  uint32_t pids[MAX_PIDS];
  const char *etl = NULL;
  uint64_t duration = 0, v;
  bool list = false, check = false, elevate = false;
  Printer printer = { 0 };
  char msg[2048];
  EtwWinStatus st;
  EtwLiveWin *live = NULL;
  EtwWinStats stats;
  int rc = 0;

  etw_win_config_init (&cfg);
  cfg.providers = providers;
  cfg.pids = pids;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *val = i + 1 < argc ? argv[i + 1] : NULL;
      bool used = true;

      if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0)
        {
          usage (stdout);
          return 0;
        }
      else if (strcmp (a, "--list-providers") == 0)
        {
          list = true;
          used = false;
        }
      else if (strcmp (a, "--check") == 0)
        {
          check = true;
          used = false;
        }
      else if (strcmp (a, "--elevate") == 0)
        {
          elevate = true;
          used = false;
        }
      else if (strcmp (a, "--separate") == 0)
        {
          cfg.separate_sessions = true;
          used = false;
        }
      else if (strcmp (a, "-s") == 0 || strcmp (a, "--stacks") == 0)
        {
          cfg.stacks = true;
          used = false;
        }
      else if (strcmp (a, "--fields") == 0)
        {
          printer.fields = true;
          used = false;
        }
      else if (strcmp (a, "--children") == 0)
        {
          cfg.include_children = true;
          used = false;
        }
      else if (val == NULL)
        {
          fprintf (stderr, "etwlive: unknown option or missing value: %s\n", a);
          usage (stderr);
          return 2;
        }
      else if (strcmp (a, "-k") == 0 || strcmp (a, "--kernel") == 0)
        {
          char buf[256], *save = NULL;
          cfg.kernel = 0;
          snprintf (buf, sizeof buf, "%s", val);
          for (char *t = strtok_r (buf, ",", &save); t != NULL; t = strtok_r (NULL, ",", &save))
            {
              uint32_t g = etw_win_kernel_group (t);
              if (g == 0 && _stricmp (t, "none") != 0)
                {
                  fprintf (stderr, "etwlive: unknown kernel group '%s'\n", t);
                  return 2;
                }
              cfg.kernel |= g;
            }
        }
      else if (strcmp (a, "-p") == 0 || strcmp (a, "--provider") == 0)
        {
          if (cfg.n_providers == MAX_PROVIDERS ||
              !etw_win_parse_provider (val, &providers[cfg.n_providers], msg, sizeof msg))
            {
              fprintf (stderr, "etwlive: %s\n", cfg.n_providers == MAX_PROVIDERS ? "too many providers" : msg);
              return 2;
            }
          cfg.n_providers++;
        }
      else if ((strcmp (a, "-l") == 0 || strcmp (a, "--level") == 0) && parse_uint (val, 5, &v) && v > 0)
        cfg.level = (uint8_t) v;
      else if (strcmp (a, "--mode") == 0)
        {
          if (strcmp (val, "auto") == 0)
            cfg.session_mode = ETW_WIN_SESSION_AUTO;
          else if (strcmp (val, "nt") == 0)
            cfg.session_mode = ETW_WIN_SESSION_NT_KERNEL_LOGGER;
          else if (strcmp (val, "system") == 0)
            cfg.session_mode = ETW_WIN_SESSION_SYSTEM_LOGGER;
          else if (strcmp (val, "providers") == 0)
            cfg.session_mode = ETW_WIN_SESSION_SYSTEM_PROVIDERS;
          else
            {
              fprintf (stderr, "etwlive: --mode is auto, nt, system or providers\n");
              return 2;
            }
        }
      else if (strcmp (a, "--buffer-kb") == 0 && parse_uint (val, 1024, &v))
        cfg.buffer_kb = (uint32_t) v;
      else if (strcmp (a, "--min-buffers") == 0 && parse_uint (val, 100000, &v))
        cfg.min_buffers = (uint32_t) v;
      else if (strcmp (a, "--max-buffers") == 0 && parse_uint (val, 100000, &v))
        cfg.max_buffers = (uint32_t) v;
      else if (strcmp (a, "--flush") == 0 && parse_uint (val, 3600, &v))
        cfg.flush_seconds = (uint32_t) v;
      else if (strcmp (a, "--pid") == 0 && parse_uint (val, UINT32_MAX, &v) && cfg.n_pids < MAX_PIDS)
        pids[cfg.n_pids++] = (uint32_t) v;
      else if (strcmp (a, "-o") == 0 || strcmp (a, "--record") == 0)
        cfg.record_path = val;
      else if (strcmp (a, "--queue-mb") == 0 && parse_uint (val, 1024, &v) && v > 0)
        cfg.queue_bytes = (size_t) v << 20;
      else if (strcmp (a, "--tdh") == 0)
        {
          if (strcmp (val, "auto") == 0)
            cfg.tdh_mode = ETW_TDH_AUTO;
          else if (strcmp (val, "all") == 0)
            cfg.tdh_mode = ETW_TDH_ALL;
          else if (strcmp (val, "none") == 0)
            cfg.tdh_mode = ETW_TDH_NONE;
          else
            {
              fprintf (stderr, "etwlive: --tdh is auto, all or none\n");
              return 2;
            }
        }
      else if ((strcmp (a, "-d") == 0 || strcmp (a, "--duration") == 0) && parse_uint (val, 86400 * 7, &v))
        duration = v;
      else if ((strcmp (a, "-n") == 0 || strcmp (a, "--max-events") == 0) && parse_uint (val, UINT64_MAX, &v))
        printer.max_events = v;
      else if (strcmp (a, "--etl") == 0)
        etl = val;
      else
        {
          fprintf (stderr, "etwlive: bad option or value: %s %s\n", a, val);
          return 2;
        }
      if (used)
        i++;
    }

  if (check)
    {
      bool e = etw_win_is_elevated ();
      printf ("elevated: %s%s\n", e ? "yes" : "no", etw_win_under_wine () ? " (Wine)" : "");
      return e ? 0 : 3;
    }
  if (list)
    {
      st = etw_win_list_providers (on_provider, NULL, msg, sizeof msg);
      if (st != ETW_WIN_OK)
        fprintf (stderr, "etwlive: %s\n", msg);
      return exit_code (st);
    }

  printer.decoder = etw_decoder_new ();
  printer.out = malloc (sizeof *printer.out);
  if (printer.decoder == NULL || printer.out == NULL)
    {
      fprintf (stderr, "etwlive: out of memory\n");
      return 1;
    }

  if (etl != NULL)
    {
      st = etw_win_read_etl (etl, cfg.tdh_mode, on_file_event, &printer, msg, sizeof msg);
      if (st != ETW_WIN_OK)
        fprintf (stderr, "etwlive: %s\n", msg);
      fprintf (stderr, "etwlive: %llu events\n", (unsigned long long) printer.count);
      rc = exit_code (st);
      goto out;
    }

  if (elevate && !etw_win_is_elevated ())
    {
      char *args = requote (argc, argv);
      st = etw_win_relaunch_elevated (args, msg, sizeof msg);
      free (args);
      if (st == ETW_WIN_OK)
        {
          fprintf (stderr, "etwlive: continuing in an elevated window\n");
          goto out;
        }
      fprintf (stderr, "etwlive: %s\n", msg);
      rc = exit_code (st);
      goto out;
    }

  st = etw_live_win_start (&cfg, &live, msg, sizeof msg);
  if (st != ETW_WIN_OK)
    {
      fprintf (stderr, "etwlive: %s\n", msg);
      if (st == ETW_WIN_ERR_PERMISSION && !etw_win_is_elevated ())
        fprintf (stderr, "etwlive: this process is not elevated; --elevate restarts it as administrator\n");
      rc = exit_code (st);
      goto out;
    }
  fprintf (stderr, "etwlive: capturing from %s\n", etw_live_win_describe (live));
  if (etw_live_win_notices (live)[0] != '\0')
    fprintf (stderr, "etwlive: %s\n", etw_live_win_notices (live));
  current_live = live;
  SetConsoleCtrlHandler (on_ctrl, TRUE);
  {
    ULONGLONG deadline = duration > 0 ? GetTickCount64 () + duration * 1000 : 0;
    EtwEvent ev;
    int r;

    while ((r = etw_live_win_next (live, &ev, 200)) >= 0)
      {
        if (r == 1)
          {
            print_event (&printer, &ev);
            if (printer.max_events > 0 && printer.count >= printer.max_events)
              etw_live_win_stop (live);
          }
        else
          fflush (stdout);
        if (deadline != 0 && GetTickCount64 () >= deadline)
          etw_live_win_stop (live);
      }
  }
  SetConsoleCtrlHandler (on_ctrl, FALSE);
  current_live = NULL;
  etw_live_win_query (live, &stats);
  fprintf (stderr,
           "etwlive: %llu events printed; %llu delivered, %llu filtered, %llu dropped (queue full); "
           "ETW lost %llu events, %llu buffers; %llu lost-event records\n",
           (unsigned long long) printer.count, (unsigned long long) stats.delivered,
           (unsigned long long) stats.filtered, (unsigned long long) stats.dropped,
           (unsigned long long) stats.events_lost, (unsigned long long) stats.buffers_lost,
           (unsigned long long) stats.lost_records);
  if (etw_live_win_error (live) != NULL)
    {
      fprintf (stderr, "etwlive: %s\n", etw_live_win_error (live));
      rc = 1;
    }
  etw_live_win_free (live);

out:
  etw_decoder_free (printer.decoder);
  free (printer.out);
  return rc;
}
