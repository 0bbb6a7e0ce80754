/* ui-test-common.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers every UI test uses: where fixtures and artifacts are, and
 * waiting for and closing a window.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-window.h"

static inline char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");

  return g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR, name, NULL);
}

static inline char *
artifact_path (const char *name)
{
  const char *dir = g_getenv ("ETWSCOPE_ARTIFACTS");

  return g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), name, NULL);
}

static inline void
wait_loaded (EtwsWindow *window)
{
  while (etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
}

static inline void
destroy_window (EtwsWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Nothing keeps the window, its store or its model alive. */
  g_assert_null (weak);
}
