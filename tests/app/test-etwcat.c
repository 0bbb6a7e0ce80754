/* test-etwcat.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * etwcat as a user runs it: `--summary` equals the ground truth of every
 * fixture on every key the expected files have (the .etl.gz one
 * included), the readable and JSON Lines outputs carry one line per
 * event, and damaged input exits 1 with the offset and the output before
 * the damage.
 */
#define G_LOG_DOMAIN "test-etwcat"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static const char *fixtures_dir;
static const char *etwcat;

static const char *names[] = {
  "airbus_AMSITrace.etl", "airbus_ShutdownPerfDiagLogger.etl", "airbus_lxcore_kernel.etl",
  "etwanalyzer_TraceLoggingTester.etl.gz", "krabsetw_powershell.etl",
  "perfview_diaghub.user_injected.1.etl", "perfview_gcevents_PerfViewData.etl",
  "perfview_net.4.5.2.x64.etl", "perfview_primitive-types.etl", "perfview_smallEtlFile.etl",
  "tx_HTTP_Server.etl", "tx_Process.etl", "tx_WsRm01.etl",
};

static int
run (const char *const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static gint64
parse_time (const char *s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (s, NULL);
  const char *dot = strchr (s, '.');
  gint64 frac = 0;

  g_assert_nonnull (dt);
  g_assert_nonnull (dot);
  /* GDateTime keeps microseconds; the 7th digit matters for 1 µs checks. */
  for (int i = 1; i <= 7 && g_ascii_isdigit (dot[i]); i++)
    frac = frac * 10 + (dot[i] - '0');
  return g_date_time_to_unix (dt) * 10000000 + frac;
}

static void
test_summary (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixtures_dir, names[i], NULL);
      g_autofree char *base = g_str_has_suffix (names[i], ".gz")
                                ? g_strndup (names[i], strlen (names[i]) - 3)
                                : g_strdup (names[i]);
      g_autofree char *exp_name = g_strconcat (base, ".summary.json", NULL);
      g_autofree char *exp_path = g_build_filename (fixtures_dir, "expected", exp_name, NULL);
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) got_parser = json_parser_new ();
      g_autoptr(JsonParser) exp_parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      const char *argv[] = { etwcat, "--summary", path, NULL };
      JsonObject *got, *exp;
      g_autoptr(GList) members = NULL;

      g_assert_cmpint (run (argv, &out, &err), ==, 0);
      json_parser_load_from_data (got_parser, out, -1, &error);
      g_assert_no_error (error);
      json_parser_load_from_file (exp_parser, exp_path, &error);
      g_assert_no_error (error);
      got = json_node_get_object (json_parser_get_root (got_parser));
      exp = json_node_get_object (json_parser_get_root (exp_parser));

      /* Exactly the schema, without file/oracle/notes. */
      g_assert_false (json_object_has_member (got, "file"));
      g_assert_false (json_object_has_member (got, "notes"));
      g_assert_false (json_object_has_member (got, "oracle"));
      g_assert_cmpuint (json_object_get_size (got), ==, json_object_get_size (exp) - 3);

      members = json_object_get_members (exp);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *key = l->data;
          JsonNode *e = json_object_get_member (exp, key);

          if (g_str_equal (key, "file") || g_str_equal (key, "oracle") || g_str_equal (key, "notes"))
            continue;
          g_assert_true (json_object_has_member (got, key));
          if (g_str_has_suffix (key, "_timestamp"))
            {
              gint64 a = parse_time (json_object_get_string_member (got, key));
              gint64 b = parse_time (json_node_get_string (e));
              g_assert_cmpint (ABS (a - b), <=, 10);  /* within 1 µs */
            }
          else if (!json_node_equal (e, json_object_get_member (got, key)))
            {
              g_autofree char *a = json_to_string (e, FALSE);
              g_autofree char *b = json_to_string (json_object_get_member (got, key), FALSE);
              g_error ("%s: %s differs:\nexpected %s\ngot      %s", names[i], key, a, b);
            }
        }
      g_test_message ("%s: %s events", names[i],
                      json_to_string (json_object_get_member (got, "events"), FALSE));
    }
}

static guint
count_lines (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    if (*s == '\n')
      n++;
  return n;
}

static void
test_text_and_jsonl (void)
{
  g_autofree char *path = g_build_filename (fixtures_dir, "tx_WsRm01.etl", NULL);
  g_autofree char *text = NULL, *jsonl = NULL, *err = NULL, *err2 = NULL;
  const char *argv1[] = { etwcat, path, NULL };
  const char *argv2[] = { etwcat, "--format", "jsonl", path, NULL };
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run (argv1, &text, &err), ==, 0);
  g_assert_cmpint (run (argv2, &jsonl, &err2), ==, 0);
  g_assert_cmpuint (count_lines (text), ==, 71);
  g_assert_cmpuint (count_lines (jsonl), ==, 71);

  lines = g_strsplit (jsonl, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *o;
      const char *keys[] = { "time", "cpu", "pid", "tid", "provider", "provider_guid", "id",
                             "version", "opcode", "level", "event", "fields" };

      json_parser_load_from_data (p, lines[i], -1, &error);
      g_assert_no_error (error);
      o = json_node_get_object (json_parser_get_root (p));
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        g_assert_true (json_object_has_member (o, keys[k]));
      g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z$",
                                           json_object_get_string_member (o, "time"), 0, 0));
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (o, "provider"), ==,
                         "Microsoft-Windows-WinRM");
    }
  /* The header record comes first and is named. */
  g_assert_nonnull (strstr (lines[0], "\"event\":\"EventTrace/Header\""));
}

static void
test_damaged (void)
{
  g_autofree char *path = g_build_filename (fixtures_dir, "tx_Process.etl", NULL);
  g_autofree char *data = NULL, *tmp = NULL, *out = NULL, *err = NULL, *full = NULL, *err2 = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  int fd;
  const char *argv[] = { etwcat, NULL, NULL };
  const char *argv_full[] = { etwcat, path, NULL };

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  fd = g_file_open_tmp ("etwcat-test-XXXXXX.etl", &tmp, &error);
  g_assert_no_error (error);
  close (fd);
  /* Cut 100 bytes into buffer 90 (8 KiB buffers). */
  g_file_set_contents (tmp, data, 90 * 8192 + 100, &error);
  g_assert_no_error (error);
  argv[1] = tmp;

  g_assert_cmpint (run (argv, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "offset 737280"));
  g_assert_cmpint (run (argv_full, &full, &err2), ==, 0);
  /* Output before the damage is printed: many lines, fewer than intact. */
  g_assert_cmpuint (count_lines (out), >, 4000);
  g_assert_cmpuint (count_lines (out), <, count_lines (full));
  g_unlink (tmp);

  /* Not an .etl file at all (this test's own source): exit 1, clear message. */
  {
    g_autofree char *out2 = NULL, *err3 = NULL;
    g_autofree char *self = g_test_build_filename (G_TEST_DIST, "app", "test-etwcat.c", NULL);
    const char *argv2[] = { etwcat, "--summary", self, NULL };

    g_assert_true (g_file_test (self, G_FILE_TEST_EXISTS));
    g_assert_cmpint (run (argv2, &out2, &err3), ==, 1);
    g_assert_nonnull (strstr (err3, "test-etwcat.c: reading stopped at byte offset 0"));
    g_assert_nonnull (strstr (err3, "no .etl header buffer"));
  }
}

static void
test_usage (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { etwcat, "--format", "xml", "x.etl", NULL };
  const char *argv2[] = { etwcat, NULL };
  const char *argv3[] = { etwcat, "--version", NULL };

  g_assert_cmpint (run (argv, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (argv2, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (argv3, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "etwcat "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fixtures_dir = g_getenv ("ETWSCOPE_FIXTURES");
  etwcat = g_getenv ("ETWCAT");
  g_assert_nonnull (fixtures_dir);
  g_assert_nonnull (etwcat);

  g_test_add_func ("/etwcat/summary", test_summary);
  g_test_add_func ("/etwcat/text-and-jsonl", test_text_and_jsonl);
  g_test_add_func ("/etwcat/damaged", test_damaged);
  g_test_add_func ("/etwcat/usage", test_usage);
  return g_test_run ();
}
