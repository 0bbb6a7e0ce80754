/* etwcat-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwcat is split by mode so that each part stays small: the option parser
 * and dispatch (etwcat.c), file summaries (etwcat-summary.c), event output
 * with filters and exports (etwcat-events.c) and live capture
 * (etwcat-live.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

enum
{
  ETWCAT_EXIT_OK = 0,
  ETWCAT_EXIT_DAMAGED = 1,   /* damaged input, or a live capture that failed */
  ETWCAT_EXIT_USAGE = 2,
};

typedef struct
{
  char    **files;
  char     *format;       /* text, jsonl, csv, procmon-csv, columns */
  char     *filter;       /* expression, or NULL */
  char     *output;       /* -o FILE, or NULL for stdout */

  /* --live */
  gboolean  live;
  char     *providers;    /* comma-separated, NULL = default set */
  int      *pids;         /* --pid N (repeatable), 0-terminated */
  guint     n_pids;
  gboolean  children;     /* include children of --pid */
  double    duration;     /* seconds, 0 = until interrupted */
  gboolean  stacks;
  gboolean  no_fields;
  guint     ring_kb;      /* per-CPU ring size, 0 = default */
  guint64   max_events;   /* 0 = none */
} EtwcatOptions;

int etwcat_run_summary (const EtwcatOptions *options);
int etwcat_run_events  (const EtwcatOptions *options);
int etwcat_run_live    (const EtwcatOptions *options);

G_END_DECLS
