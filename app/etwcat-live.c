/* etwcat-live.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include "etwcat-private.h"

int
etwcat_run_live (const EtwcatOptions *options)
{
  g_printerr ("etwcat: live capture is not built yet\n");
  return ETWCAT_EXIT_DAMAGED;
}
