/* etwcat.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwcat: the headless face of etwscope, like tshark beside wireshark.
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "etl-summary.h"
#include "etw-decode.h"
#include "etw-guid.h"
#include "etws-format.h"
#include "etws-trace-file.h"

enum
{
  EXIT_OK = 0,
  EXIT_DAMAGED = 1,
  EXIT_USAGE = 2,
};

static gboolean opt_summary;
static gboolean opt_version;
static char *opt_format;
static char **opt_files;

static const GOptionEntry entries[] = {
  { "summary", 's', 0, G_OPTION_ARG_NONE, &opt_summary,
    "Print one JSON object describing the whole file", NULL },
  { "format", 'F', 0, G_OPTION_ARG_STRING, &opt_format,
    "Output format for events: text (default) or jsonl", "FORMAT" },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_files, NULL, "FILE…" },
  { NULL }
};

static void
add_int (JsonBuilder *b,
         const char  *key,
         gint64       v)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, v);
}

static void
print_summary (const EtlSummary *s)
{
  static const struct
  {
    const char *name;
    EtwHeaderKind kind[2];
  } kinds[] = {
    /* Sorted by name, as the keys of the expected files. */
    { "classic", { ETW_HDR_CLASSIC, ETW_HDR_INSTANCE } },
    { "compact", { ETW_HDR_COMPACT, ETW_HDR_UNKNOWN } },
    { "event", { ETW_HDR_EVENT, ETW_HDR_UNKNOWN } },
    { "message", { ETW_HDR_MESSAGE, ETW_HDR_UNKNOWN } },
    { "perfinfo", { ETW_HDR_PERFINFO, ETW_HDR_UNKNOWN } },
    { "system", { ETW_HDR_SYSTEM, ETW_HDR_UNKNOWN } },
  };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree EtlProviderCount *providers = NULL;
  g_autofree char *text = NULL;
  char buf[ETW_FILETIME_TEXT_SIZE];
  guint32 n_providers;

  json_builder_begin_object (b);
  add_int (b, "buffers", s->buffers);
  add_int (b, "cpus", s->cpus);
  add_int (b, "events", (gint64) s->events);

  json_builder_set_member_name (b, "first_timestamp");
  if (s->have_time)
    {
      etw_filetime_format (s->first_time, buf);
      json_builder_add_string_value (b, buf);
    }
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "header_types");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      guint64 n = s->header_types[kinds[i].kind[0]];
      if (kinds[i].kind[1] != ETW_HDR_UNKNOWN)
        n += s->header_types[kinds[i].kind[1]];
      if (n > 0)
        add_int (b, kinds[i].name, (gint64) n);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "kernel_hooks");
  json_builder_begin_object (b);
  for (guint hook = 0; hook < 65536; hook++)
    if (s->kernel_hooks[hook] > 0)
      {
        g_snprintf (buf, sizeof buf, "0x%04x", hook);
        add_int (b, buf, (gint64) s->kernel_hooks[hook]);
      }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "last_timestamp");
  if (s->have_time)
    {
      etw_filetime_format (s->last_time, buf);
      json_builder_add_string_value (b, buf);
    }
  else
    json_builder_add_null_value (b);

  add_int (b, "lost_events", s->lost_events);
  add_int (b, "pointer_size", s->pointer_size);

  json_builder_set_member_name (b, "providers");
  json_builder_begin_object (b);
  providers = etl_summary_sorted_providers (s, &n_providers);
  for (guint32 i = 0; i < n_providers; i++)
    {
      etw_guid_format (&providers[i].guid, buf);
      add_int (b, buf, (gint64) providers[i].count);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, NULL);
  puts (text);
}

static int
run_summary (EtwsTraceFile *trace)
{
  EtlSummary s;

  if (!etl_summary_compute (etws_trace_file_get_etl (trace), &s))
    {
      g_printerr ("etwcat: out of memory\n");
      return EXIT_DAMAGED;
    }
  print_summary (&s);
  fflush (stdout);
  if (s.error.code != ETL_OK)
    {
      g_autoptr(GError) error = etws_trace_error_from_etl (&s.error, etws_trace_file_get_path (trace));
      g_printerr ("etwcat: %s\n", error->message);
      if (s.n_errors > 1)
        g_printerr ("etwcat: %u damaged places in all\n", s.n_errors);
      etl_summary_clear (&s);
      return EXIT_DAMAGED;
    }
  etl_summary_clear (&s);
  return EXIT_OK;
}

static int
run_events (EtwsTraceFile *trace,
            gboolean       jsonl)
{
  const EtlFile *etl = etws_trace_file_get_etl (trace);
  EtlIter *iter = etl_iter_new (etl, ETL_ORDER_TIME);
  EtwDecoder *decoder = etw_decoder_new ();
  g_autofree EtwDecoded *dec = g_new0 (EtwDecoded, 1);
  g_autoptr(GString) line = g_string_sized_new (1024);
  g_autofree EtwsStackFrame *frames = g_new0 (EtwsStackFrame, 256);
  EtwEvent ev;
  int ret = EXIT_OK;

  while (etl_iter_next (iter, &ev))
    {
      guint n_frames = 0;

      etw_decoder_observe (decoder, &ev);
      etw_decode (decoder, &ev, ETW_DECODE_SUMMARY | (jsonl ? ETW_DECODE_FIELDS : 0), dec);
      g_string_truncate (line, 0);
      if (jsonl)
        {
          for (guint i = 0; i < ev.n_frames && i < 256; i++)
            {
              frames[i].address = ev.frame_size == 8 ? GUINT64_FROM_LE (((const guint64 *) ev.stack)[0] * 0 + *(const guint64 *) (ev.stack + 8 * i))
                                                     : (guint64) (ev.stack[4 * i] | ev.stack[4 * i + 1] << 8 | ev.stack[4 * i + 2] << 16 | (guint32) ev.stack[4 * i + 3] << 24);
              frames[i].symbol = NULL;
              n_frames++;
            }
          etws_format_jsonl (line, &ev, dec, frames, n_frames);
        }
      else
        etws_format_text_line (line, &ev, dec);
      g_string_append_c (line, '\n');
      fwrite (line->str, 1, line->len, stdout);
    }
  fflush (stdout);

  if (etl_iter_error (iter)->code != ETL_OK)
    {
      g_autoptr(GError) error = etws_trace_error_from_etl (etl_iter_error (iter),
                                                           etws_trace_file_get_path (trace));
      g_printerr ("etwcat: %s\n", error->message);
      ret = EXIT_DAMAGED;
    }
  etw_decoder_free (decoder);
  etl_iter_free (iter);
  return ret;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int ret = EXIT_OK;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- read .etl traces");
  g_option_context_set_summary (context,
    "Prints the events of .etl (and .etl.gz) files, one per line, or a summary.\n"
    "Exit status: 0 success, 1 damaged input (the output before the damage is\n"
    "still printed), 2 usage error.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("etwcat: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (opt_version)
    {
      g_print ("etwcat %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (opt_files == NULL || opt_files[0] == NULL)
    {
      g_printerr ("etwcat: no input file (see --help)\n");
      return EXIT_USAGE;
    }
  if (opt_format != NULL && strcmp (opt_format, "text") != 0 && strcmp (opt_format, "jsonl") != 0)
    {
      g_printerr ("etwcat: unknown format “%s” (text or jsonl)\n", opt_format);
      return EXIT_USAGE;
    }

  for (guint i = 0; opt_files[i] != NULL; i++)
    {
      g_autoptr(GError) open_error = NULL;
      g_autoptr(EtwsTraceFile) trace = etws_trace_file_open (opt_files[i], NULL, &open_error);
      g_autoptr(GError) damage = NULL;
      int r;

      if (trace == NULL)
        {
          g_printerr ("etwcat: %s\n", open_error->message);
          ret = EXIT_DAMAGED;
          continue;
        }
      damage = etws_trace_file_dup_damage (trace);
      if (opt_summary)
        r = run_summary (trace);
      else
        r = run_events (trace, opt_format != NULL && strcmp (opt_format, "jsonl") == 0);
      /* Damage found while inflating or walking buffers is reported by the
       * iteration too, except a damaged gzip stream. */
      if (damage != NULL && r == EXIT_OK)
        {
          g_printerr ("etwcat: %s\n", damage->message);
          r = EXIT_DAMAGED;
        }
      if (r != EXIT_OK)
        ret = r;
    }
  return ret;
}
