/* etws-live.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The platform's live capture, whatever it is (perf on Linux, ETW on
 * Windows), behind one factory so that the viewer and etwcat need no
 * platform code.
 */
#pragma once

#include "etws-source.h"

G_BEGIN_DECLS

#define ETWS_LIVE_ERROR (etws_live_error_quark ())

typedef enum
{
  ETWS_LIVE_ERROR_UNSUPPORTED,    /* no live backend on this platform/build */
  ETWS_LIVE_ERROR_PERMISSION,     /* needs root / administrator */
  ETWS_LIVE_ERROR_FAILED,
} EtwsLiveError;

typedef struct
{
  char     **providers;      /* NULL-terminated names ("process", "file", …); NULL = default */
  int       *pids;           /* capture-time PID filter, 0-terminated; NULL = all */
  gboolean   include_children;
  gboolean   stacks;
  gboolean   fields;         /* detailed fields (default TRUE) */
  guint      ring_kb;        /* per-CPU ring / buffer size in KiB, 0 = default */
  guint64    max_events;     /* stop after this many, 0 = no cap */
} EtwsLiveOptions;

GQuark      etws_live_error_quark   (void);
/* Default options (all providers, fields on, stacks off). */
void        etws_live_options_init  (EtwsLiveOptions        *options);
void        etws_live_options_clear (EtwsLiveOptions        *options);
/* Names of the providers this platform offers, NULL-terminated, static. */
const char *const *etws_live_list_providers (void);
/* Why `provider` (a name as in etws_live_list_providers(), e.g.
 * "registry") cannot be captured on this platform, as a sentence for the
 * user; NULL when it is offered, or when the name is unknown. In a build
 * without live capture every name has that reason. Static. */
const char *etws_live_provider_unavailable_reason (const char *provider);
/* Whether a capture could start now; if not, error says why and how
 * (e.g. the exact command to run as root). */
gboolean    etws_live_check         (GError                **error);
/* Puts the calling thread (the viewer's main thread) at the capture
 * threads' priority while a capture runs, so that under a flood of events
 * the capture's own threads do not starve the window; where that is not
 * permitted or not done, nothing changes. Returns what to hand to
 * etws_live_restore_thread_priority() when the capture ends. */
#define ETWS_LIVE_NO_PRIORITY G_MININT  /* a token that restores nothing */
int         etws_live_raise_thread_priority   (void);
void        etws_live_restore_thread_priority (int                     token);

/* A new live source, or NULL with ETWS_LIVE_ERROR_UNSUPPORTED. */
EtwsSource *etws_live_source_new    (const EtwsLiveOptions  *options,
                                     GError                **error);

G_END_DECLS
