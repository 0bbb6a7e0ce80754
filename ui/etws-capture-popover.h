/* etws-capture-popover.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Capture menu of the header bar: Capture (Ctrl+E), Pause and Clear
 * (the capture.* actions of EtwsCaptureController), the provider chooser
 * (a provider this platform cannot capture is shown disabled, with the
 * reason), and the options of the next capture: stacks, detailed fields,
 * a PID filter with its children, the ring size and the history depth.
 * The choices are kept in GSettings when there are settings.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-live.h"
#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_TYPE_CAPTURE_POPOVER (etws_capture_popover_get_type ())

G_DECLARE_FINAL_TYPE (EtwsCapturePopover, etws_capture_popover, ETWS, CAPTURE_POPOVER, GtkPopover)

/* Process Monitor's history depth: the most rows a capture keeps, and
 * what happens when there are more. */
typedef struct
{
  guint64         max_rows;
  EtwsLimitPolicy policy;
} EtwsCaptureLimit;

GtkWidget      *etws_capture_popover_new                 (void);
/* Loads the choices from settings and keeps them there (nullable). */
void            etws_capture_popover_set_settings        (EtwsCapturePopover *self,
                                                          GSettings          *settings);
/* The options as chosen. FALSE + G_IO_ERROR_INVALID_ARGUMENT when the PID
 * list does not parse or no provider is chosen; options is then left
 * cleared. Free with etws_live_options_clear(). */
gboolean        etws_capture_popover_get_options         (EtwsCapturePopover *self,
                                                          EtwsLiveOptions    *options,
                                                          EtwsCaptureLimit   *limit,
                                                          GError            **error);
/* The check button of a provider ("registry", …), or NULL when the
 * chooser does not show it. An unavailable provider's button is
 * insensitive and followed by a label with the reason. */
GtkCheckButton *etws_capture_popover_get_provider_check  (EtwsCapturePopover *self,
                                                          const char         *provider);
/* The line above the providers, or NULL when hidden (e.g. why a capture
 * cannot start here, with the command to run). */
const char     *etws_capture_popover_get_hint            (EtwsCapturePopover *self);

G_END_DECLS
