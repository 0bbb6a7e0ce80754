/* tap.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TAP output for the plain-C tests (meson reads it with protocol: 'tap').
 */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count;
static int tap_failed;

static inline void
tap_check (int         cond,
           const char *fmt,
           ...)
{
  va_list args;

  tap_count++;
  if (!cond)
    tap_failed++;
  printf ("%s %d - ", cond ? "ok" : "not ok", tap_count);
  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

static inline void
tap_skip (const char *fmt,
          ...)
{
  va_list args;

  tap_count++;
  printf ("ok %d # SKIP ", tap_count);
  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  printf ("\n");
}

static inline void
tap_diag (const char *fmt,
          ...)
{
  va_list args;

  printf ("# ");
  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  printf ("\n");
}

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed > 0 ? 1 : 0;
}
