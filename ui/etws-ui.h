/* etws-ui.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every program or test that shows etwscope widgets calls first.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ETWS_SCHEMA_ID "io.github.etwscope.Etwscope"

/* Registers the widgets' resources (templates, CSS, shortcuts window) and
 * types. Safe to call more than once; needs gtk_init() before. */
void       etws_ui_init          (void);
/* The application settings, or NULL when the schema is installed nowhere
 * (the viewer then runs with its defaults). Looks in the installed schemas,
 * then in $ETWSCOPE_SCHEMA_DIR, then in the build tree. */
GSettings *etws_ui_settings_new  (void);

G_END_DECLS
