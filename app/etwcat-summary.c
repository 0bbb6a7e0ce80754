/* etwcat-summary.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etwcat"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "etl-summary.h"
#include "etw-guid.h"
#include "etwcat-private.h"
#include "etws-trace-file.h"

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
summarize (EtwsTraceFile *trace)
{
  EtlSummary s;

  if (!etl_summary_compute (etws_trace_file_get_etl (trace), &s))
    {
      g_printerr ("etwcat: out of memory\n");
      return ETWCAT_EXIT_DAMAGED;
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
      return ETWCAT_EXIT_DAMAGED;
    }
  etl_summary_clear (&s);
  return ETWCAT_EXIT_OK;
}

int
etwcat_run_summary (const EtwcatOptions *options)
{
  int ret = ETWCAT_EXIT_OK;

  for (guint i = 0; options->files[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EtwsTraceFile) trace = etws_trace_file_open (options->files[i], NULL, &error);
      g_autoptr(GError) damage = NULL;
      int r;

      if (trace == NULL)
        {
          g_printerr ("etwcat: %s\n", error->message);
          ret = ETWCAT_EXIT_DAMAGED;
          continue;
        }
      r = summarize (trace);
      /* A damaged gzip stream is only known to the file, not the walk. */
      damage = etws_trace_file_dup_damage (trace);
      if (damage != NULL && r == ETWCAT_EXIT_OK && etws_trace_file_is_gzip (trace))
        {
          g_printerr ("etwcat: %s\n", damage->message);
          r = ETWCAT_EXIT_DAMAGED;
        }
      if (r != ETWCAT_EXIT_OK)
        ret = r;
    }
  return ret;
}
