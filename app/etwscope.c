/* etwscope.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The viewer. Usage: etwscope [FILE…] | etwscope --live [--providers LIST]
 */
#define G_LOG_DOMAIN "etwscope"

#include "config.h"

#include "etws-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EtwsApplication) app = etws_application_new ();

  g_set_application_name ("etwscope");
  return g_application_run (G_APPLICATION (app), argc, argv);
}
