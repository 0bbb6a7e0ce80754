/* etws-application.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The etwscope application: opens the files it is given (one window each),
 * or a live capture with --live [--providers LIST].
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ETWS_TYPE_APPLICATION (etws_application_get_type ())

G_DECLARE_FINAL_TYPE (EtwsApplication, etws_application, ETWS, APPLICATION, GtkApplication)

EtwsApplication *etws_application_new (void);

G_END_DECLS
