/* etws-live-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a platform's live backend implements (session/linux, session/windows).
 * Its meson.build adds -DETWS_HAVE_LIVE_BACKEND to the session library.
 */
#pragma once

#include <string.h>

#include "etws-live.h"

G_BEGIN_DECLS

/* The nice value of the threads that drain the kernel's buffers: ahead of
 * ordinary busy processes, far from real time, so that a saturated machine
 * does not starve the capture into losing events. */
#define ETWS_LIVE_THREAD_NICE (-5)

/* Sets the calling thread's nice value; FALSE (and a debug message) where
 * that is not permitted or not done. */
gboolean           _etws_live_set_thread_nice        (int                     nice);

const char *const *_etws_live_backend_list_providers (void);
/* NULL when the provider is offered or unknown (etws-live.h). */
const char        *_etws_live_backend_provider_unavailable_reason (const char *provider);
gboolean           _etws_live_backend_check          (GError                **error);
EtwsSource        *_etws_live_backend_new            (const EtwsLiveOptions  *options,
                                                      GError                **error);

G_END_DECLS
