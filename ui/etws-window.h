/* etws-window.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: one trace (a file or a live capture) shown as an event
 * list over a detail pane, with a banner for errors and a status bar.
 *
 * For the widgets of later issues (filter bar, quick filters, find bar):
 * etws_window_get_filter_slot() is an empty vertical GtkBox above the
 * list, and etws_window_get_find_slot() an empty one inside the revealer
 * that Ctrl+F (win.find) opens. "session-changed" is emitted whenever a new
 * trace gets its own store and model, so a filter can attach to them.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-detail-pane.h"
#include "etws-event-model.h"
#include "etws-event-view.h"
#include "etws-live.h"
#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_TYPE_WINDOW (etws_window_get_type ())

G_DECLARE_FINAL_TYPE (EtwsWindow, etws_window, ETWS, WINDOW, GtkApplicationWindow)

/* etws-capture-controller.h */
typedef struct _EtwsCaptureController EtwsCaptureController;

EtwsWindow         *etws_window_new                (GtkApplication        *application);
/* Keeps window size, pane position, time mode and visible columns in
 * settings (nullable). */
void                etws_window_set_settings       (EtwsWindow            *self,
                                                    GSettings             *settings);
/* Loads an .etl or .etl.gz, replacing what the window showed. */
void                etws_window_open               (EtwsWindow            *self,
                                                    GFile                 *file);
/* Shows the events of any source (a replay, a future source type), titled
 * `title`; a live source turns follow-newest on. */
void                etws_window_open_source        (EtwsWindow            *self,
                                                    EtwsSource            *source,
                                                    const char            *title);
/* Starts the platform's live capture. FALSE + error (e.g.
 * ETWS_LIVE_ERROR_UNSUPPORTED / _PERMISSION) leaves the window as it was;
 * the caller decides how to tell the user (see etws_window_show_banner()). */
gboolean            etws_window_start_live         (EtwsWindow            *self,
                                                    const EtwsLiveOptions *options,
                                                    GError               **error);
/* Stops loading, or ends a live capture. The rows so far stay. */
void                etws_window_stop               (EtwsWindow            *self);
/* TRUE until a trace was opened. */
gboolean            etws_window_is_empty           (EtwsWindow            *self);
/* TRUE while the source still delivers events. */
gboolean            etws_window_is_loading         (EtwsWindow            *self);

EtwsStore          *etws_window_get_store          (EtwsWindow            *self);
EtwsEventModel     *etws_window_get_model          (EtwsWindow            *self);
EtwsWorker         *etws_window_get_worker         (EtwsWindow            *self);
GtkSelectionModel  *etws_window_get_selection      (EtwsWindow            *self);
EtwsEventView      *etws_window_get_event_view     (EtwsWindow            *self);
EtwsDetailPane     *etws_window_get_detail_pane    (EtwsWindow            *self);
/* The Capture menu's actions and state (capture.*). */
EtwsCaptureController *etws_window_get_capture     (EtwsWindow            *self);
GtkBox             *etws_window_get_filter_slot    (EtwsWindow            *self);
GtkBox             *etws_window_get_find_slot      (EtwsWindow            *self);

/* The banner above the list (GTK_MESSAGE_ERROR, _WARNING, _INFO). */
void                etws_window_show_banner        (EtwsWindow            *self,
                                                    GtkMessageType         type,
                                                    const char            *text);
/* The banner's text while it is shown, else NULL. */
const char         *etws_window_get_banner_text    (EtwsWindow            *self);
/* The status bar's text. */
const char         *etws_window_get_status_text    (EtwsWindow            *self);

G_END_DECLS
