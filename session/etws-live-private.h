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
 * ordinary busy processes, far from real time. */
#define ETWS_LIVE_THREAD_NICE (-5)

const char *const *_etws_live_backend_list_providers (void);
/* NULL when the provider is offered or unknown (etws-live.h). */
const char        *_etws_live_backend_provider_unavailable_reason (const char *provider);
gboolean           _etws_live_backend_check          (GError                **error);
EtwsSource        *_etws_live_backend_new            (const EtwsLiveOptions  *options,
                                                      GError                **error);

G_END_DECLS
