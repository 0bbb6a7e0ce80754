/* etws-detail-pane.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything about one event: its properties (times, provider, ids, pid,
 * tid, CPU, header), the decoded fields, the attached stack and a hex dump
 * of the payload. The row is re-read from the trace and decoded when it is
 * shown; nothing is kept per event.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-store.h"

G_BEGIN_DECLS

#define ETWS_TYPE_DETAIL_ROW  (etws_detail_row_get_type ())
#define ETWS_TYPE_DETAIL_PANE (etws_detail_pane_get_type ())

G_DECLARE_FINAL_TYPE (EtwsDetailRow, etws_detail_row, ETWS, DETAIL_ROW, GObject)
G_DECLARE_FINAL_TYPE (EtwsDetailPane, etws_detail_pane, ETWS, DETAIL_PANE, GtkWidget)

/* One line of the Fields list (name, type, value) or of the Stack list
 * (index, frame, address). */
const char *etws_detail_row_get_text          (EtwsDetailRow  *self,
                                               guint           column);
guint       etws_detail_row_get_depth         (EtwsDetailRow  *self);

GtkWidget  *etws_detail_pane_new              (void);
/* Decodes and shows a store row; G_MAXUINT64 (or a NULL store) clears. */
void        etws_detail_pane_show_row         (EtwsDetailPane *self,
                                               EtwsStore      *store,
                                               guint64         index);
guint64     etws_detail_pane_get_index        (EtwsDetailPane *self);
/* The text shown for a property ("CPU", "PID", "Provider GUID", …), or
 * NULL for a name the pane does not show. */
const char *etws_detail_pane_get_property_value (EtwsDetailPane *self,
                                                 const char     *name);
/* Lists of EtwsDetailRow. */
GListModel *etws_detail_pane_get_fields       (EtwsDetailPane *self);
GListModel *etws_detail_pane_get_stack        (EtwsDetailPane *self);
/* The hex dump as shown. */
char       *etws_detail_pane_dup_hex          (EtwsDetailPane *self);
/* What Copy puts on the clipboard for a page: "properties", "fields",
 * "stack" or "payload". Tab-separated lines. */
char       *etws_detail_pane_dup_page_text    (EtwsDetailPane *self,
                                               const char     *page);

G_END_DECLS
