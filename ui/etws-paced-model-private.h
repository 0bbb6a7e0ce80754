/* etws-paced-model-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pass-through GListModel that lets the first rows of a fresh list in a
 * few at a time, a step every few frames. GTK 4.8's list views build widgets
 * for up to about 200 rows around their anchor at once, synchronously in
 * items-changed; with eleven columns that is over 2,000 cells in one frame.
 * Growing the first rows by a step per frame shows the first rows at once
 * and spreads the rest over the next frames. A change that replaces every
 * row (a filter's new view, a sort result) starts over the same way. Past
 * the first rows, and for any other change, it passes everything through
 * at once.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ETWS_TYPE_PACED_MODEL (etws_paced_model_get_type ())

G_DECLARE_FINAL_TYPE (EtwsPacedModel, etws_paced_model, ETWS, PACED_MODEL, GObject)

/* Pacing applies while `clock_widget` (the list) exists. */
EtwsPacedModel *etws_paced_model_new       (GListModel     *model,
                                            GtkWidget      *clock_widget);
GListModel     *etws_paced_model_get_model (EtwsPacedModel *self);
/* Shows every row of the model now. */
void            etws_paced_model_flush     (EtwsPacedModel *self);

G_END_DECLS
