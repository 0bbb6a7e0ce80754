/* etwcat.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwcat: the headless face of etwscope, like tshark beside wireshark.
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "etwcat-private.h"

static gboolean opt_summary;
static gboolean opt_version;
static gboolean opt_live;
static gboolean opt_children;
static gboolean opt_stacks;
static gboolean opt_no_fields;
static char *opt_format;
static char *opt_filter;
static char *opt_output;
static char *opt_providers;
static char **opt_pids;
static double opt_duration;
static int opt_ring_kb;
static gint64 opt_max_events;
static char **opt_files;

static const GOptionEntry entries[] = {
  { "summary", 's', 0, G_OPTION_ARG_NONE, &opt_summary,
    "Print one JSON object describing each whole file", NULL },
  { "format", 'F', 0, G_OPTION_ARG_STRING, &opt_format,
    "Event output: text (default), jsonl, csv, procmon-csv or columns", "FORMAT" },
  { "filter", 'f', 0, G_OPTION_ARG_STRING, &opt_filter,
    "Only events matching EXPR (see docs/filters.md)", "EXPR" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Write to FILE (atomically) instead of standard output", "FILE" },
  { "live", 'l', 0, G_OPTION_ARG_NONE, &opt_live,
    "Capture kernel events live (needs root)", NULL },
  { "providers", 'p', 0, G_OPTION_ARG_STRING, &opt_providers,
    "Live providers: process,thread,image,file,net (default: all)", "LIST" },
  { "pid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_pids,
    "Live: only this process (repeatable)", "PID" },
  { "children", 0, 0, G_OPTION_ARG_NONE, &opt_children,
    "Live: with --pid, include its children", NULL },
  { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_duration,
    "Live: stop after SECONDS", "SECONDS" },
  { "stacks", 0, 0, G_OPTION_ARG_NONE, &opt_stacks, "Live: record stacks", NULL },
  { "no-fields", 0, 0, G_OPTION_ARG_NONE, &opt_no_fields,
    "Live: skip detailed fields", NULL },
  { "ring-size", 0, 0, G_OPTION_ARG_INT, &opt_ring_kb,
    "Live: per-CPU ring size in KiB", "KIB" },
  { "max-events", 0, 0, G_OPTION_ARG_INT64, &opt_max_events,
    "Live: stop after N events", "N" },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_files, NULL, NULL },
  { NULL }
};

static const char *const formats[] = { "text", "jsonl", "csv", "procmon-csv", "columns", NULL };

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int *pids = NULL;
  EtwcatOptions options = { 0 };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("[FILE…]");
  g_option_context_set_summary (context,
    "Reads .etl and .etl.gz traces, or captures kernel events live, and prints\n"
    "them as text, JSON Lines or CSV.\n"
    "\n"
    "Exit status: 0 success; 1 damaged input (everything before the damage is\n"
    "still printed) or a failed capture; 2 usage error.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("etwcat: %s\n", error->message);
      return ETWCAT_EXIT_USAGE;
    }
  if (opt_version)
    {
      g_print ("etwcat %s\n", PACKAGE_VERSION);
      return ETWCAT_EXIT_OK;
    }
  if (opt_format != NULL && !g_strv_contains (formats, opt_format))
    {
      g_printerr ("etwcat: unknown format “%s” (text, jsonl, csv, procmon-csv, columns)\n",
                  opt_format);
      return ETWCAT_EXIT_USAGE;
    }

  options.files = opt_files;
  options.format = opt_format;
  options.filter = opt_filter;
  options.output = opt_output;
  options.live = opt_live;
  options.providers = opt_providers;
  options.children = opt_children;
  options.duration = opt_duration;
  options.stacks = opt_stacks;
  options.no_fields = opt_no_fields;
  options.ring_kb = opt_ring_kb > 0 ? (guint) opt_ring_kb : 0;
  options.max_events = opt_max_events > 0 ? (guint64) opt_max_events : 0;
  if (opt_pids != NULL)
    {
      options.n_pids = g_strv_length (opt_pids);
      pids = g_new0 (int, options.n_pids + 1);
      for (guint i = 0; i < options.n_pids; i++)
        {
          char *end = NULL;
          long v = strtol (opt_pids[i], &end, 10);
          if (end == opt_pids[i] || *end != '\0' || v <= 0)
            {
              g_printerr ("etwcat: --pid needs a process id, not “%s”\n", opt_pids[i]);
              return ETWCAT_EXIT_USAGE;
            }
          pids[i] = (int) v;
        }
      options.pids = pids;
    }

  if (opt_live)
    {
      if (opt_summary || opt_files != NULL)
        {
          g_printerr ("etwcat: --live takes no files and no --summary\n");
          return ETWCAT_EXIT_USAGE;
        }
      return etwcat_run_live (&options);
    }
  if (opt_files == NULL || opt_files[0] == NULL)
    {
      g_printerr ("etwcat: no input file (see --help)\n");
      return ETWCAT_EXIT_USAGE;
    }
  if (opt_summary)
    return etwcat_run_summary (&options);
  return etwcat_run_events (&options);
}
