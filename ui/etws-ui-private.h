/* etws-ui-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small helpers shared by the widgets.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A count with its digits grouped by commas ("1,234,567"), the way the
 * status bar, the dialogs and the quick filters show counts. */
void  etws_ui_append_count (GString *out,
                            guint64  n);
char *etws_ui_format_count (guint64  n);

G_END_DECLS
