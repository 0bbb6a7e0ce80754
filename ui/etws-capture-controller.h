/* etws-capture-controller.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the Capture menu does in a window, as the actions of the
 * "capture" group (the window inserts it):
 *
 *   capture.capture (b)  start or stop a live capture (Ctrl+E)
 *   capture.pause   (b)  stop following the newest row so that the user
 *                        can read; the capture goes on, and the status bar
 *                        keeps counting
 *   capture.clear        empty the list: the capture restarts with the
 *                        same options, so that Events, Rows, Lost and
 *                        Dropped all count exactly the rows shown
 *
 * A capture takes its options from the EtwsCapturePopover, and keeps at
 * most its history depth of rows (dropping the oldest, or stopping with
 * a notice). When a capture cannot start, the window's banner says why
 * and how (the exact command to run); the window keeps working for files.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-capture-popover.h"
#include "etws-window.h"

G_BEGIN_DECLS

#define ETWS_TYPE_CAPTURE_CONTROLLER (etws_capture_controller_get_type ())

G_DECLARE_FINAL_TYPE (EtwsCaptureController, etws_capture_controller, ETWS, CAPTURE_CONTROLLER, GObject)

/* window owns the controller; button is the header's Capture menu button
 * (its label says Paused while paused). */
EtwsCaptureController *etws_capture_controller_new            (EtwsWindow            *window,
                                                               EtwsCapturePopover    *popover,
                                                               GtkMenuButton         *button);
GActionGroup          *etws_capture_controller_get_actions    (EtwsCaptureController *self);
/* Starts a capture with the menu's options; providers (nullable,
 * NULL-terminated) replaces the chosen providers for this capture only
 * (etwscope --live --providers). FALSE when it could not start: the
 * banner says why. Does nothing while a capture runs. */
gboolean               etws_capture_controller_start          (EtwsCaptureController *self,
                                                               const char * const    *providers);
void                   etws_capture_controller_stop           (EtwsCaptureController *self);
/* Restarts the running capture with the same options (Clear). */
gboolean               etws_capture_controller_clear          (EtwsCaptureController *self);
void                   etws_capture_controller_set_paused     (EtwsCaptureController *self,
                                                               gboolean               paused);
gboolean               etws_capture_controller_get_paused     (EtwsCaptureController *self);
/* TRUE while the window shows a live capture that still runs. */
gboolean               etws_capture_controller_is_capturing   (EtwsCaptureController *self);

G_END_DECLS
