/* etws-find-bar.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Find (Ctrl+F): the next or previous row of the filtered view, in the
 * order the list shows, that contains a text (in the process, path,
 * event, provider, operation, result or detail, or equal to a PID/TID)
 * or matches an expression. The hit is selected and scrolled to.
 *
 * The search walks the view from the current row on the main thread in
 * slices of a few milliseconds, so the window stays responsive on a long
 * search; a new search or Escape stops it.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-window.h"

G_BEGIN_DECLS

typedef enum
{
  ETWS_FIND_TEXT,
  ETWS_FIND_EXPRESSION,
} EtwsFindMode;

#define ETWS_TYPE_FIND_BAR (etws_find_bar_get_type ())

G_DECLARE_FINAL_TYPE (EtwsFindBar, etws_find_bar, ETWS, FIND_BAR, GtkWidget)

GtkWidget    *etws_find_bar_new        (void);
void          etws_find_bar_set_window (EtwsFindBar  *self,
                                        EtwsWindow   *window);
/* Focuses the entry with its text selected. */
void          etws_find_bar_focus      (EtwsFindBar  *self);
void          etws_find_bar_set_mode   (EtwsFindBar  *self,
                                        EtwsFindMode  mode);
EtwsFindMode  etws_find_bar_get_mode   (EtwsFindBar  *self);
/* Sets the text without searching. */
void          etws_find_bar_set_text   (EtwsFindBar  *self,
                                        const char   *text);
/* Starts a search from the current row; "done" tells the outcome. */
void          etws_find_bar_find       (EtwsFindBar  *self,
                                        gboolean      backwards);
gboolean      etws_find_bar_is_busy    (EtwsFindBar  *self);
/* The status line ("No match", the problem with an expression, …). */
const char   *etws_find_bar_get_status (EtwsFindBar  *self);
/* The expression a text search tests (for tests and the tooltip). */
char         *etws_find_text_expression (const char  *text);

G_END_DECLS
