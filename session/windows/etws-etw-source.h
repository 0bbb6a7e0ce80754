/* etws-etw-source.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EtwsEtwSource: live ETW capture on Windows as an EtwsSource. A thin GLib
 * adapter over the plain-C backend (etw-live-win.h): open() starts the
 * sessions, run() moves events from the backend's queue into the sink and
 * reports ETW's loss counts, stop() stops the sessions. Compiled only in
 * native Windows builds (MSYS2); elsewhere it is only syntax-checked.
 */
#pragma once

#include "etws-live.h"
#include "etws-source.h"

#include "etw-live-win.h"

G_BEGIN_DECLS

#define ETWS_TYPE_ETW_SOURCE (etws_etw_source_get_type ())

G_DECLARE_FINAL_TYPE (EtwsEtwSource, etws_etw_source, ETWS, ETW_SOURCE, EtwsSource)

/* A live source for config (deep-copied); max_events 0 = no cap. */
EtwsSource *etws_etw_source_new                 (const EtwWinConfig     *config,
                                                 guint64                 max_events);
/* Turns the platform-neutral options into a backend configuration:
 * provider names are kernel groups ("process", "file", …) or user
 * providers (NAME|{GUID}[:level[:any[:all]]][:stacks]). *providers and
 * *pids belong to the caller (g_free). */
gboolean    etws_etw_source_config_from_options (const EtwsLiveOptions  *options,
                                                 EtwWinConfig           *config,
                                                 EtwWinProvider        **providers,
                                                 guint32               **pids,
                                                 GError                **error);
/* "Restart as administrator": on TRUE the caller quits. */
gboolean    etws_etw_relaunch_elevated          (const char             *arguments,
                                                 GError                **error);

G_END_DECLS
