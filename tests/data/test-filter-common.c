/* test-filter-common.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-filter"

#include "config.h"

#include "test-filter-common.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <string.h>

#include "etws-file-source.h"
#include "etws-worker.h"

const char *tf_etwcat;

char *
tf_fixture_path (const char *name)
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");

  return g_build_filename (dir != NULL ? dir : ETWSCOPE_FIXTURES_DIR, name, NULL);
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             gpointer      data)
{
  g_assert_no_error (error);
}

EtwsStore *
tf_load_store (const char *name)
{
  g_autofree char *path = tf_fixture_path (name);
  g_autoptr(EtwsSource) source = etws_file_source_new (path);
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  EtwsStore *store = etws_store_new ();

  etws_store_attach (store, worker);
  g_signal_connect (worker, "finished", G_CALLBACK (finished_cb), NULL);
  etws_worker_start (worker);
  etws_worker_wait (worker);
  g_assert_nonnull (etws_store_get_trace (store));
  return store;
}

char *
tf_run_etwcat (int          expected_status,
               char       **stderr_out,
               const char  *first_arg,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL, *err = NULL;
  int status = 0;
  va_list args;

  g_assert_nonnull (tf_etwcat);
  g_ptr_array_add (argv, (char *) tf_etwcat);
  va_start (args, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != expected_status)
    g_error ("etwcat exited with %d (expected %d); stderr: %s",
             WIFEXITED (status) ? WEXITSTATUS (status) : -1, expected_status, err);
  if (stderr_out != NULL)
    *stderr_out = err;
  else
    g_free (err);
  return out;
}

GPtrArray *
tf_jsonl_objects (const char *name)
{
  g_autofree char *path = tf_fixture_path (name);
  g_autofree char *out = tf_run_etwcat (0, NULL, "--format", "jsonl", path, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  char *line = out, *nl;

  for (; *line != '\0'; line = nl + 1)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *root;

      nl = strchr (line, '\n');
      g_assert_nonnull (nl);
      *nl = '\0';
      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      g_ptr_array_add (objects, json_object_ref (json_node_get_object (root)));
    }
  return objects;
}

gint64
tf_parse_time (const char *iso)
{
  int y, mo, d, h, mi, s, frac;
  g_autoptr(GDateTime) dt = NULL;

  g_assert_cmpint (sscanf (iso, "%d-%d-%dT%d:%d:%d.%7dZ", &y, &mo, &d, &h, &mi, &s, &frac), ==, 7);
  dt = g_date_time_new_utc (y, mo, d, h, mi, s);
  return (g_date_time_to_unix (dt) + G_GINT64_CONSTANT (11644473600)) * 10000000 + frac;
}
