/* etws-live.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared part of the live factory. A platform backend defines
 * ETWS_HAVE_LIVE_BACKEND and provides the _etws_live_backend_* functions.
 */
#define G_LOG_DOMAIN "etws-live"

#include "config.h"

#include "etws-live.h"
#include "etws-live-private.h"

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

G_DEFINE_QUARK (etws-live-error-quark, etws_live_error)

void
etws_live_options_init (EtwsLiveOptions *options)
{
  memset (options, 0, sizeof *options);
  options->fields = TRUE;
}

void
etws_live_options_clear (EtwsLiveOptions *options)
{
  g_clear_pointer (&options->providers, g_strfreev);
  g_clear_pointer (&options->pids, g_free);
}

#ifndef ETWS_HAVE_LIVE_BACKEND
static const char *const no_providers[] = { NULL };

const char *const *
_etws_live_backend_list_providers (void)
{
  return no_providers;
}

const char *
_etws_live_backend_provider_unavailable_reason (const char *provider)
{
  return "Live capture is not available in this build";
}

gboolean
_etws_live_backend_check (GError **error)
{
  g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED,
               "Live capture is not available in this build");
  return FALSE;
}

EtwsSource *
_etws_live_backend_new (const EtwsLiveOptions  *options,
                        GError                **error)
{
  _etws_live_backend_check (error);
  return NULL;
}
#endif

const char *const *
etws_live_list_providers (void)
{
  return _etws_live_backend_list_providers ();
}

const char *
etws_live_provider_unavailable_reason (const char *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return _etws_live_backend_provider_unavailable_reason (provider);
}

gboolean
etws_live_check (GError **error)
{
  return _etws_live_backend_check (error);
}

gboolean
_etws_live_set_thread_nice (int nice)
{
#ifdef __linux__
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), nice) == 0)
    return TRUE;
  g_debug ("cannot set this thread's nice value to %d: %s", nice, g_strerror (errno));
#endif
  return FALSE;
}

int
etws_live_raise_thread_priority (void)
{
#ifdef __linux__
  int old;

  errno = 0;
  old = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  if (errno == 0 && old > ETWS_LIVE_THREAD_NICE && _etws_live_set_thread_nice (ETWS_LIVE_THREAD_NICE))
    return old;
#endif
  /* Windows raises the foreground window's thread by itself. */
  return ETWS_LIVE_NO_PRIORITY;
}

void
etws_live_restore_thread_priority (int token)
{
  if (token != ETWS_LIVE_NO_PRIORITY)
    _etws_live_set_thread_nice (token);
}

EtwsSource *
etws_live_source_new (const EtwsLiveOptions  *options,
                      GError                **error)
{
  EtwsLiveOptions defaults;

  if (options == NULL)
    {
      etws_live_options_init (&defaults);
      options = &defaults;
    }
  return _etws_live_backend_new (options, error);
}
