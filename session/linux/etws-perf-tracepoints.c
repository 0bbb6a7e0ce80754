/* etws-perf-tracepoints.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tracepoints behind each provider, and their formats, read from
 * tracefs with libtracefs and parsed with libtraceevent: ids and field
 * offsets come from the running kernel, never from assumptions.
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include "etw-providers.h"
#include "etws-live-private.h"
#include "etws-perf-augment-abi.h"
#include "etws-perf-private.h"

#define P(x) ETWS_PERF_BIT (ETWS_PERF_##x)

#define ENTER(sc, name, prov, aug) \
  [ETWS_TP_ENTER_##sc] = { "syscalls", "sys_enter_" name, prov, ETWS_SC_##sc, 1, aug, 0, NULL, { NULL } }
#define EXIT(sc, name, prov, aug) \
  [ETWS_TP_EXIT_##sc] = { "syscalls", "sys_exit_" name, prov, ETWS_SC_##sc, 0, aug, 0, NULL, { "ret", NULL } }

static const EtwsPerfTpInfo tp_info[ETWS_TP_N] = {
  /* Process and thread. Fork, exec and exit are always on: they keep the
   * per-process state, and their Process events name the processes of
   * the other providers' rows when the Process provider is off. */
  [ETWS_TP_TASK_NEWTASK] = { "task", "task_newtask", P (PROCESS) | P (THREAD), 0, 0, 0, 1, NULL,
                             { "pid", "comm", "clone_flags", NULL } },
  [ETWS_TP_PROCESS_EXEC] = { "sched", "sched_process_exec", P (PROCESS), 0, 0, 0, 1, NULL,
                             { "filename", "pid", "old_pid", NULL } },
  [ETWS_TP_PROCESS_EXIT] = { "sched", "sched_process_exit", P (PROCESS) | P (THREAD), 0, 0, 0, 1, NULL,
                             { "comm", "pid", "group_dead", NULL } },

  /* Files. Tracepoints carry only user pointers for paths: the augmenter
   * replaces both halves of the calls that take a path. */
  ENTER (OPEN, "open", P (FILE), 1),
  EXIT (OPEN, "open", P (FILE), 1),
  ENTER (OPENAT, "openat", P (FILE), 1),
  EXIT (OPENAT, "openat", P (FILE), 1),
  ENTER (OPENAT2, "openat2", P (FILE), 1),
  EXIT (OPENAT2, "openat2", P (FILE), 1),
  ENTER (CREAT, "creat", P (FILE), 1),
  EXIT (CREAT, "creat", P (FILE), 1),
  ENTER (READ, "read", P (FILE), 0),
  EXIT (READ, "read", P (FILE), 0),
  ENTER (PREAD64, "pread64", P (FILE), 0),
  EXIT (PREAD64, "pread64", P (FILE), 0),
  ENTER (READV, "readv", P (FILE), 0),
  EXIT (READV, "readv", P (FILE), 0),
  ENTER (WRITE, "write", P (FILE), 0),
  EXIT (WRITE, "write", P (FILE), 0),
  ENTER (PWRITE64, "pwrite64", P (FILE), 0),
  EXIT (PWRITE64, "pwrite64", P (FILE), 0),
  ENTER (WRITEV, "writev", P (FILE), 0),
  EXIT (WRITEV, "writev", P (FILE), 0),
  ENTER (CLOSE, "close", P (FILE), 0),
  ENTER (CLOSE_RANGE, "close_range", P (FILE), 0),
  ENTER (DUP2, "dup2", P (FILE), 0),
  ENTER (DUP3, "dup3", P (FILE), 0),
  ENTER (UNLINK, "unlink", P (FILE), 1),
  EXIT (UNLINK, "unlink", P (FILE), 1),
  ENTER (UNLINKAT, "unlinkat", P (FILE), 1),
  EXIT (UNLINKAT, "unlinkat", P (FILE), 1),
  ENTER (RMDIR, "rmdir", P (FILE), 1),
  EXIT (RMDIR, "rmdir", P (FILE), 1),
  ENTER (RENAME, "rename", P (FILE), 1),
  EXIT (RENAME, "rename", P (FILE), 1),
  ENTER (RENAMEAT, "renameat", P (FILE), 1),
  EXIT (RENAMEAT, "renameat", P (FILE), 1),
  ENTER (RENAMEAT2, "renameat2", P (FILE), 1),
  EXIT (RENAMEAT2, "renameat2", P (FILE), 1),
  /* The working directory, for relative paths. */
  EXIT (CHDIR, "chdir", P (FILE), 1),
  ENTER (FCHDIR, "fchdir", P (FILE), 0),
  EXIT (FCHDIR, "fchdir", P (FILE), 0),

  /* Network: TCP state machine, resets, retransmits, and the sizes of
   * sends and receives (TCP only, failures left out in the kernel). */
  [ETWS_TP_INET_SOCK_SET_STATE] = { "sock", "inet_sock_set_state", P (NETWORK), 0, 0, 0, 0, "protocol == 6",
                                    { "skaddr", "oldstate", "newstate", "sport", "dport", "family",
                                      "saddr", "daddr", "saddr_v6", "daddr_v6", NULL } },
  [ETWS_TP_TCP_RETRANSMIT_SKB] = { "tcp", "tcp_retransmit_skb", P (NETWORK), 0, 0, 0, 0, NULL,
                                   { "skaddr", "sport", "dport", "family", "saddr", "daddr",
                                     "saddr_v6", "daddr_v6", "state", NULL } },
  [ETWS_TP_TCP_SEND_RESET] = { "tcp", "tcp_send_reset", P (NETWORK), 0, 0, 0, 0, NULL,
                               { "skaddr", "saddr", "daddr", "state", NULL } },
  [ETWS_TP_TCP_RECEIVE_RESET] = { "tcp", "tcp_receive_reset", P (NETWORK), 0, 0, 0, 0, NULL,
                                  { "skaddr", "sport", "dport", "family", "saddr", "daddr",
                                    "saddr_v6", "daddr_v6", NULL } },
  [ETWS_TP_TCP_DESTROY_SOCK] = { "tcp", "tcp_destroy_sock", P (NETWORK), 0, 0, 0, 0, NULL,
                                 { "skaddr", "sport", "dport", "family", "saddr", "daddr",
                                   "saddr_v6", "daddr_v6", NULL } },
  [ETWS_TP_SOCK_SEND_LENGTH] = { "sock", "sock_send_length", P (NETWORK), 0, 0, 0, 0, "protocol == 6 && ret > 0",
                                 { "sk", "family", "ret", NULL } },
  [ETWS_TP_SOCK_RECV_LENGTH] = { "sock", "sock_recv_length", P (NETWORK), 0, 0, 0, 0, "protocol == 6 && ret > 0",
                                 { "sk", "family", "ret", NULL } },
};

const EtwsPerfTpInfo *
_etws_perf_tp_info (EtwsPerfTp tp)
{
  g_return_val_if_fail (tp < ETWS_TP_N, NULL);
  return &tp_info[tp];
}

static const char *const provider_names[] = {
  [ETWS_PERF_PROCESS] = "process",
  [ETWS_PERF_THREAD] = "thread",
  [ETWS_PERF_IMAGE] = "image",
  [ETWS_PERF_FILE] = "file",
  [ETWS_PERF_NETWORK] = "net",
  NULL
};

const char *const *
_etws_perf_provider_names (void)
{
  return provider_names;
}

/* The live backend's hook (etws-live-private.h): the providers Windows
 * has and Linux cannot offer. */
const char *
_etws_live_backend_provider_unavailable_reason (const char *provider)
{
  if (g_ascii_strcasecmp (provider, "registry") == 0)
    return "The Registry provider is not available on Linux: Linux has no "
           "registry (configuration lives in files; watch them with the "
           "“file” provider)";
  return NULL;
}

const EtwGuid *
_etws_perf_provider_guid (EtwsPerfProvider provider)
{
  switch (provider)
    {
    case ETWS_PERF_PROCESS: return &ETW_GUID_LINUX_PROCESS;
    case ETWS_PERF_THREAD: return &ETW_GUID_LINUX_THREAD;
    case ETWS_PERF_IMAGE: return &ETW_GUID_LINUX_IMAGE;
    case ETWS_PERF_FILE: return &ETW_GUID_LINUX_FILE;
    case ETWS_PERF_NETWORK: return &ETW_GUID_LINUX_NETWORK;
    case ETWS_PERF_N_PROVIDERS:
    default:
      g_return_val_if_reached (&ETW_GUID_LINUX_PROCESS);
    }
}

gboolean
_etws_perf_parse_providers (char   **names,
                            guint   *mask,
                            GError **error)
{
  *mask = 0;
  if (names == NULL || names[0] == NULL)
    {
      *mask = ETWS_PERF_ALL;
      return TRUE;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];
      gboolean found = FALSE;

      if (*name == '\0')
        continue;
      /* Accept the names users know from ETW too. */
      if (g_ascii_strcasecmp (name, "network") == 0 || g_ascii_strcasecmp (name, "tcpip") == 0 ||
          g_ascii_strcasecmp (name, "tcp") == 0)
        name = "net";
      else if (g_ascii_strcasecmp (name, "fileio") == 0 || g_ascii_strcasecmp (name, "files") == 0)
        name = "file";
      else if (g_ascii_strcasecmp (name, "all") == 0)
        {
          *mask |= ETWS_PERF_ALL;
          continue;
        }
      if (_etws_live_backend_provider_unavailable_reason (name) != NULL)
        {
          g_set_error_literal (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED,
                               _etws_live_backend_provider_unavailable_reason (name));
          return FALSE;
        }
      for (guint p = 0; p < ETWS_PERF_N_PROVIDERS; p++)
        if (g_ascii_strcasecmp (name, provider_names[p]) == 0)
          {
            *mask |= ETWS_PERF_BIT (p);
            found = TRUE;
          }
      if (!found)
        {
          g_autofree char *known = g_strjoinv (", ", (char **) provider_names);
          g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                       "Unknown provider “%s” (known: %s)", names[i], known);
          return FALSE;
        }
    }
  if (*mask == 0)
    *mask = ETWS_PERF_ALL;
  return TRUE;
}

gboolean
_etws_perf_tracefs_ready (const char **dir,
                          GError     **error)
{
  /* The path libtracefs hands back is allocated on every call; keep the
   * first one found. */
  static const char *path;
  G_LOCK_DEFINE_STATIC (path);
  int saved = 0;

  G_LOCK (path);
  /* libtracefs mounts tracefs itself when asked to (root only). */
  if (path == NULL && tracefs_tracing_dir_is_mounted (true, &path) < 0)
    {
      saved = errno;
      path = NULL;
    }
  G_UNLOCK (path);
  if (path != NULL)
    {
      g_autofree char *events = g_build_filename (path, "events", NULL);
      if (access (events, R_OK | X_OK) == 0)
        {
          if (dir != NULL)
            *dir = path;
          return TRUE;
        }
      saved = errno;  /* mounted, but not for us (root only by default) */
    }
  g_set_error (error, ETWS_LIVE_ERROR,
               saved == EPERM || saved == EACCES ? ETWS_LIVE_ERROR_PERMISSION : ETWS_LIVE_ERROR_FAILED,
               "Cannot read tracefs (/sys/kernel/tracing): %s",
               saved != 0 ? g_strerror (saved) : "not mounted");
  return FALSE;
}

static void
fill_field (struct tep_format_field *f,
            EtwsPerfField           *out)
{
  if (f == NULL)
    {
      out->offset = -1;
      out->size = 0;
      out->dynamic = FALSE;
      return;
    }
  out->offset = (gint16) f->offset;
  out->size = (gint16) f->size;
  out->dynamic = (f->flags & TEP_FIELD_IS_DYNAMIC) != 0;
}

gboolean
_etws_perf_tp_load (guint64            mask,
                    EtwsPerfTpFormat  *formats,
                    GError           **error)
{
  struct tep_handle *tep;
  guint n_present = 0;

  if (!_etws_perf_tracefs_ready (NULL, error))
    return FALSE;

  tep = tep_alloc ();
  memset (formats, 0, sizeof (EtwsPerfTpFormat) * ETWS_TP_N);
  for (guint tp = 0; tp < ETWS_TP_N; tp++)
    {
      const EtwsPerfTpInfo *info = &tp_info[tp];
      EtwsPerfTpFormat *fmt = &formats[tp];
      struct tep_event *event = NULL;
      char *buf;
      int size = 0;

      for (guint i = 0; i < ETWS_TP_MAX_FIELDS; i++)
        fmt->fields[i].offset = -1;
      if ((mask & (G_GUINT64_CONSTANT (1) << tp)) == 0)
        continue;

      buf = tracefs_event_file_read (NULL, info->system, info->name, "format", &size);
      if (buf == NULL || size <= 0)
        {
          free (buf);
          g_debug ("tracepoint %s:%s is not available", info->system, info->name);
          continue;
        }
      if (tep_parse_format (tep, &event, buf, (unsigned long) size, info->system) != 0 || event == NULL)
        {
          free (buf);
          g_debug ("cannot parse the format of %s:%s", info->system, info->name);
          continue;
        }
      free (buf);

      fmt->present = TRUE;
      fmt->id = (guint) event->id;
      for (guint i = 0; i < ETWS_TP_MAX_FIELDS && info->fields[i] != NULL; i++)
        fill_field (tep_find_field (event, info->fields[i]), &fmt->fields[i]);
      if (info->enter)
        {
          /* The syscall arguments in order, after __syscall_nr. */
          for (struct tep_format_field *f = event->format.fields; f != NULL && fmt->n_args < 6; f = f->next)
            if (strcmp (f->name, "__syscall_nr") != 0)
              fill_field (f, &fmt->args[fmt->n_args++]);
        }
      n_present++;
    }
  tep_free (tep);

  if (n_present == 0 && mask != 0)
    {
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                   "None of the kernel tracepoints this capture needs exist "
                   "(is CONFIG_FTRACE_SYSCALLS / CONFIG_TRACEPOINTS enabled?)");
      return FALSE;
    }
  return TRUE;
}
