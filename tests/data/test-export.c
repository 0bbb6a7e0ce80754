/* test-export.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exports on real fixtures: the selected rows come back with the same
 * fields (compared with `etwcat --format jsonl` output of the whole file),
 * CSV and Process Monitor CSV parse back to the store's values, and failing
 * writes (/dev/full, a read-only directory, a directory as target, a
 * cancel) leave any existing file as it was with no temporary file behind.
 */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etws-export.h"
#include "etws-filter.h"
#include "etws-format.h"
#include "test-filter-common.h"

/* Helpers ---------------------------------------------------------------- */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("etwscope-export-XXXXXX", &error);

  g_assert_no_error (error);
  /* Reachable by an unprivileged user (the read-only directory test). */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  return dir;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  g_chmod (dir, 0755);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static int
cmp_names (gconstpointer a,
           gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The sorted names in dir, joined by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
assert_dir (const char *dir,
            const char *expected)
{
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, expected);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* Splits text into lines (without their ending). */
static GPtrArray *
split_lines (const char *text,
             const char *eol)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *p = text, *nl;

  while ((nl = strstr (p, eol)) != NULL)
    {
      g_ptr_array_add (lines, g_strndup (p, nl - p));
      p = nl + strlen (eol);
    }
  g_assert_cmpstr (p, ==, "");
  return lines;
}

/* RFC 4180 records: a GPtrArray of GStrv. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *p = text;

  while (*p != '\0')
    {
      g_autoptr(GPtrArray) cells = g_ptr_array_new ();
      for (;;)
        {
          GString *cell = g_string_new (NULL);

          g_assert_cmpint (*p, ==, '"');  /* every cell is quoted */
          p++;
          for (;;)
            {
              g_assert_cmpint (*p, !=, '\0');
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (cell, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (cell, *p++);
            }
          g_ptr_array_add (cells, g_string_free (cell, FALSE));
          if (*p == ',')
            {
              p++;
              continue;
            }
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          break;
        }
      g_ptr_array_add (cells, NULL);
      g_ptr_array_add (records, g_ptr_array_steal (cells, NULL));
    }
  return records;
}

static const char *
obj_str (JsonObject *o,
         const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return json_node_get_string (n);
}

/* What a CSV cell holds for a text value. */
static char *
csv_text (const char *v)
{
  if (v == NULL)
    return g_strdup ("");
  if (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')
    return g_strconcat ("'", v, NULL);
  return g_strdup (v);
}

static GArray *
rows_for (EtwsStore  *store,
          const char *expr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsFilter) f = etws_filter_new (expr, &error);

  g_assert_no_error (error);
  return etws_filter_evaluate_rows (f, store, NULL);
}

/* Tests ---------------------------------------------------------------- */

static void
test_csv_cells (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain", "\"plain\"" },
    { "", "\"\"" },
    { "=1+1", "\"'=1+1\"" },
    { "+SUM(A1)", "\"'+SUM(A1)\"" },
    { "-2", "\"'-2\"" },
    { "@cmd", "\"'@cmd\"" },
    { "\tx", "\"'\tx\"" },
    { "a=b", "\"a=b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\r\nlines, comma", "\"two\r\nlines, comma\"" },
    { "C:\\Windows\\é", "\"C:\\Windows\\é\"" },
    { "bad \xff byte", "\"bad \xef\xbf\xbd byte\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      etws_csv_append_cell (out, cases[i].in);
      g_assert_cmpstr (out->str, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out->str, -1, NULL));
    }
  {
    g_autoptr(GString) out = g_string_new (NULL);
    etws_csv_append_cell (out, NULL);
    g_assert_cmpstr (out->str, ==, "\"\"");
  }
}

/* The selected rows of a JSON Lines export are exactly etwcat's lines for
 * those rows: same fields, decoded fields and stacks. */
static void
test_jsonl_round_trip (void)
{
  const char *name = "perfview_net.4.5.2.x64.etl";
  g_autoptr(EtwsStore) store = tf_load_store (name);
  g_autofree char *fixture = tf_fixture_path (name);
  g_autofree char *full = tf_run_etwcat (0, NULL, "--format", "jsonl", fixture, NULL);
  g_autoptr(GPtrArray) full_lines = split_lines (full, "\n");
  g_autoptr(GArray) filtered = rows_for (store, "(cpu == 1 || cpu == 3) && !(id == 0 && opcode == 46)");
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "sel.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint with_stack = 0;

  g_assert_cmpuint (full_lines->len, ==, etws_store_get_n_rows (store));
  /* A selection is any set of rows: every third filtered row. */
  for (guint i = 0; i < filtered->len; i += 3)
    g_array_append_val (rows, g_array_index (filtered, guint32, i));
  g_assert_cmpuint (rows->len, >, 100);
  g_assert_cmpuint (rows->len, <, full_lines->len / 2);

  g_assert_true (etws_export_to_file (store, rows, ETWS_EXPORT_JSONL, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  text = read_file (path);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  lines = split_lines (text, "\n");
  g_assert_cmpuint (lines->len, ==, rows->len);
  for (guint k = 0; k < rows->len; k++)
    {
      guint r = g_array_index (rows, guint32, k);
      const char *line = g_ptr_array_index (lines, k);

      g_assert_cmpstr (line, ==, g_ptr_array_index (full_lines, r));
      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "cpu") % 2, ==, 1);
      with_stack += strstr (line, "\"stack\":[") != NULL;
    }
  g_test_message ("%u rows exported, %u with stacks", rows->len, with_stack);
  g_assert_cmpuint (with_stack, >, 0);
  assert_dir (dir, "sel.jsonl");
  remove_tree (dir);
}

static void
test_csv_round_trip (void)
{
  const char *name = "tx_Process.etl";
  g_autoptr(EtwsStore) store = tf_load_store (name);
  g_autoptr(GPtrArray) objs = tf_jsonl_objects (name);
  g_autoptr(GArray) rows = rows_for (store, "id != 8");
  g_autofree char *dir = make_dir ();
  g_autofree char *csv_path = g_build_filename (dir, "all.csv", NULL);
  g_autofree char *pm_path = g_build_filename (dir, "procmon.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL, *pm = NULL;
  g_autoptr(GPtrArray) records = NULL, pm_records = NULL;
  static const char *const header[] = {
    "#", "Time", "CPU", "Process", "PID", "TID", "Provider", "Provider GUID", "Id", "Version",
    "Opcode", "Level", "Task", "Keywords", "Event", "Operation", "Path", "Result", "Detail", NULL
  };
  static const char *const pm_header[] = {
    "Time of Day", "Process Name", "PID", "Operation", "Path", "Result", "Detail", NULL
  };
  guint with_process = 0;

  g_assert_cmpuint (rows->len, >, 0);
  g_assert_cmpuint (rows->len, <, objs->len);

  g_assert_true (etws_export_to_file (store, rows, ETWS_EXPORT_CSV, csv_path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (etws_export_to_file (store, rows, ETWS_EXPORT_PROCMON_CSV, pm_path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  csv = read_file (csv_path);
  pm = read_file (pm_path);
  g_assert_true (g_utf8_validate (csv, -1, NULL));
  g_assert_true (g_utf8_validate (pm, -1, NULL));
  records = parse_csv (csv);
  pm_records = parse_csv (pm);
  g_assert_cmpuint (records->len, ==, rows->len + 1);
  g_assert_cmpuint (pm_records->len, ==, rows->len + 1);
  g_assert_cmpstrv (g_ptr_array_index (records, 0), header);
  g_assert_cmpstrv (g_ptr_array_index (pm_records, 0), pm_header);

  for (guint k = 0; k < rows->len; k++)
    {
      guint r = g_array_index (rows, guint32, k);
      JsonObject *o = g_ptr_array_index (objs, r);
      char **c = g_ptr_array_index (records, k + 1);
      char **p = g_ptr_array_index (pm_records, k + 1);
      g_autofree char *num = g_strdup_printf ("%u", r + 1);
      g_autofree char *pid = g_strdup_printf ("%u", etws_store_get_pid (store, r));
      g_autofree char *process = csv_text (obj_str (o, "process"));
      g_autofree char *path = csv_text (obj_str (o, "path"));
      g_autofree char *result = csv_text (obj_str (o, "result"));
      g_autofree char *detail = csv_text (obj_str (o, "detail"));
      g_autofree char *operation = csv_text (obj_str (o, "operation"));
      g_autofree char *pm_operation = csv_text (obj_str (o, "operation") != NULL ? obj_str (o, "operation")
                                                                            : obj_str (o, "event"));
      g_autofree char *event = csv_text (obj_str (o, "event"));
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *tod = NULL;
      gint64 ft = tf_parse_time (obj_str (o, "time"));

      g_assert_cmpuint (g_strv_length (c), ==, 19);
      g_assert_cmpstr (c[0], ==, num);
      g_assert_cmpstr (c[1], ==, obj_str (o, "time"));
      g_assert_cmpint (g_ascii_strtoll (c[2], NULL, 10), ==, json_object_get_int_member (o, "cpu"));
      g_assert_cmpstr (c[3], ==, process);
      g_assert_cmpstr (c[4], ==, pid);
      g_assert_cmpint (g_ascii_strtoll (c[5], NULL, 10), ==, json_object_get_int_member (o, "tid"));
      g_assert_cmpstr (c[6], ==, obj_str (o, "provider"));
      g_assert_cmpstr (c[7], ==, obj_str (o, "provider_guid"));
      g_assert_cmpint (g_ascii_strtoll (c[8], NULL, 10), ==, json_object_get_int_member (o, "id"));
      g_assert_cmpint (g_ascii_strtoll (c[9], NULL, 10), ==, json_object_get_int_member (o, "version"));
      g_assert_cmpint (g_ascii_strtoll (c[10], NULL, 10), ==, json_object_get_int_member (o, "opcode"));
      g_assert_cmpint (g_ascii_strtoll (c[11], NULL, 10), ==, json_object_get_int_member (o, "level"));
      g_assert_cmpint (g_ascii_strtoll (c[12], NULL, 10), ==, json_object_get_int_member (o, "task"));
      g_assert_cmpstr (c[13], ==, obj_str (o, "keywords"));
      g_assert_cmpstr (c[14], ==, event);
      g_assert_cmpstr (c[15], ==, operation);
      g_assert_cmpstr (c[16], ==, path);
      g_assert_cmpstr (c[17], ==, result);
      g_assert_cmpstr (c[18], ==, detail);

      /* Process Monitor's columns; the test runs with TZ=UTC. */
      dt = g_date_time_new_from_unix_utc (ft / 10000000 - G_GINT64_CONSTANT (11644473600));
      tod = g_strdup_printf ("%d:%02d:%02d.%07d %s",
                             g_date_time_get_hour (dt) % 12 == 0 ? 12 : g_date_time_get_hour (dt) % 12,
                             g_date_time_get_minute (dt), g_date_time_get_second (dt),
                             (int) (ft % 10000000), g_date_time_get_hour (dt) < 12 ? "AM" : "PM");
      g_assert_cmpuint (g_strv_length (p), ==, 7);
      g_assert_cmpstr (p[0], ==, tod);
      g_assert_cmpstr (p[1], ==, process);
      g_assert_cmpstr (p[2], ==, pid);
      g_assert_cmpstr (p[3], ==, pm_operation);
      g_assert_cmpstr (p[4], ==, path);
      g_assert_cmpstr (p[5], ==, result);
      g_assert_cmpstr (p[6], ==, detail);
      with_process += obj_str (o, "process") != NULL;
    }
  g_test_message ("%u CSV rows, %u with a process name", rows->len, with_process);
  assert_dir (dir, "all.csv procmon.csv");
  remove_tree (dir);
}

/* etwcat's formats and exit codes. */
static void
test_etwcat (void)
{
  g_autofree char *fixture = tf_fixture_path ("tx_Process.etl");
  g_autoptr(EtwsStore) store = tf_load_store ("tx_Process.etl");
  g_autoptr(GArray) rows = rows_for (store, "id in {1, 2} || cpu == 1 && id == 9");
  g_autofree char *dir = make_dir ();
  g_autofree char *out_path = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *cut_path = g_build_filename (dir, "cut.etl", NULL);
  g_autofree char *cut_out = g_build_filename (dir, "cut.jsonl", NULL);
  g_autofree char *full = tf_run_etwcat (0, NULL, "--format", "jsonl", fixture, NULL);
  g_autoptr(GPtrArray) full_lines = split_lines (full, "\n");
  char *err = NULL;

  g_assert_cmpuint (rows->len, >, 0);

  /* --filter with -o: exactly the engine's rows, in order, atomically. */
  {
    g_autofree char *o = tf_run_etwcat (0, NULL, "--format", "jsonl", "--filter",
                                        "id in {1, 2} || cpu == 1 && id == 9", "-o", out_path,
                                        fixture, NULL);
    g_autofree char *text = read_file (out_path);
    g_autoptr(GPtrArray) lines = split_lines (text, "\n");

    g_assert_cmpstr (o, ==, "");
    g_assert_cmpuint (lines->len, ==, rows->len);
    for (guint k = 0; k < rows->len; k++)
      g_assert_cmpstr (g_ptr_array_index (lines, k), ==,
                       g_ptr_array_index (full_lines, g_array_index (rows, guint32, k)));
  }

  /* csv, procmon-csv and columns: a header and one line per row. */
  {
    g_autofree char *csv = tf_run_etwcat (0, NULL, "--format", "csv", "-f", "id == 1", fixture, NULL);
    g_autofree char *pm = tf_run_etwcat (0, NULL, "--format", "procmon-csv", "-f", "id == 1", fixture, NULL);
    g_autofree char *cols = tf_run_etwcat (0, NULL, "--format", "columns", "-f", "id == 1", fixture, NULL);
    g_autofree char *text = tf_run_etwcat (0, NULL, "-f", "id == 1", fixture, NULL);
    g_autoptr(GArray) id1 = rows_for (store, "id == 1");
    g_autoptr(GPtrArray) cl = split_lines (cols, "\n");
    g_autoptr(GPtrArray) tl = split_lines (text, "\n");
    g_autoptr(GPtrArray) cr = parse_csv (csv);
    g_autoptr(GPtrArray) pr = parse_csv (pm);

    g_assert_cmpuint (id1->len, >, 0);
    g_assert_cmpuint (cr->len, ==, id1->len + 1);
    g_assert_cmpuint (pr->len, ==, id1->len + 1);
    g_assert_cmpuint (cl->len, ==, id1->len + 1);
    g_assert_cmpuint (tl->len, ==, id1->len);
    g_assert_cmpstr (g_ptr_array_index (cl, 0), ==, "Time\tProcess\tPID\tOperation\tPath\tResult\tDetail");
    for (guint k = 1; k < cl->len; k++)
      {
        g_auto(GStrv) cells = g_strsplit (g_ptr_array_index (cl, k), "\t", -1);
        g_autofree char *pid = g_strdup_printf ("%u", etws_store_get_pid (store, g_array_index (id1, guint32, k - 1)));
        g_assert_cmpuint (g_strv_length (cells), ==, 7);
        g_assert_cmpstr (cells[2], ==, pid);
      }
  }

  /* A bad expression is a usage error that shows where. */
  g_free (tf_run_etwcat (2, &err, "-f", "pid == 4 &&& tid == 1", fixture, NULL));
  g_assert_nonnull (strstr (err, "Column 12: use “&&” for “and”"));
  g_assert_nonnull (strstr (err, "\n  pid == 4 &&& tid == 1\n             ^\n"));
  g_clear_pointer (&err, g_free);
  g_free (tf_run_etwcat (2, &err, "--format", "xml", fixture, NULL));
  g_clear_pointer (&err, g_free);

  /* Failing outputs: exit 1 and a clear message. */
  g_free (tf_run_etwcat (1, &err, "-o", "/dev/full", fixture, NULL));
  g_assert_nonnull (strstr (err, "/dev/full"));
  g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
  g_clear_pointer (&err, g_free);
  g_free (tf_run_etwcat (1, &err, "-o", dir, fixture, NULL));
  g_assert_nonnull (strstr (err, "is a directory"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *missing = g_build_filename (dir, "no", "such", "x.txt", NULL);
    g_free (tf_run_etwcat (1, &err, "-o", missing, fixture, NULL));
    g_assert_nonnull (strstr (err, g_strerror (ENOENT)));
    g_clear_pointer (&err, g_free);
  }

  /* Damaged input: exit 1, and the rows before the damage are written. */
  {
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autofree char *o = NULL;
    g_autofree char *written = NULL;
    g_autoptr(GPtrArray) lines = NULL;

    g_assert_true (g_file_get_contents (fixture, &data, &len, NULL));
    g_assert_true (g_file_set_contents (cut_path, data, (gssize) (len * 6 / 10 + 1000), NULL));
    o = tf_run_etwcat (1, &err, "--format", "jsonl", cut_path, NULL);
    g_assert_nonnull (strstr (err, "cut.etl"));
    g_clear_pointer (&err, g_free);
    lines = split_lines (o, "\n");
    g_test_message ("cut file: %u of %u rows before the damage", lines->len, full_lines->len);
    g_assert_cmpuint (lines->len, >, full_lines->len / 3);
    g_assert_cmpuint (lines->len, <, full_lines->len);
    g_free (tf_run_etwcat (1, NULL, "--format", "jsonl", "-o", cut_out, cut_path, NULL));
    written = read_file (cut_out);
    g_assert_cmpstr (written, ==, o);
  }
  assert_dir (dir, "cut.etl cut.jsonl out.jsonl");
  remove_tree (dir);
}

static void
cancel_on_progress (guint64  done,
                    guint64  total,
                    gpointer data)
{
  g_cancellable_cancel (data);
}

static void
test_failures (void)
{
  g_autoptr(EtwsStore) store = tf_load_store ("tx_Process.etl");
  g_autoptr(GArray) rows = rows_for (store, "cpu == 1");
  g_autofree char *dir = make_dir ();
  g_autofree char *target = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *content = NULL;
  GStatBuf st;

  /* Disk full: nothing to clean up, a clear error. */
  g_assert_false (etws_export_to_file (store, rows, ETWS_EXPORT_JSONL, "/dev/full", NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "/dev/full"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* The target is a directory. */
  g_assert_cmpint (g_mkdir (target, 0755), ==, 0);
  g_assert_false (etws_export_to_file (store, rows, ETWS_EXPORT_CSV, target, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (g_file_test (target, G_FILE_TEST_IS_DIR));
  assert_dir (dir, "out.csv");
  g_rmdir (target);

  /* A cancel in the middle keeps the old file and leaves no temp file. */
  write_file (target, "old\n");
  g_assert_cmpint (g_chmod (target, 0640), ==, 0);
  g_assert_false (etws_export_to_file (store, NULL, ETWS_EXPORT_JSONL, target, cancellable,
                                       cancel_on_progress, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  content = read_file (target);
  g_assert_cmpstr (content, ==, "old\n");
  assert_dir (dir, "out.csv");
  g_clear_pointer (&content, g_free);

  /* A success replaces it, keeping its mode. */
  g_assert_true (etws_export_to_file (store, rows, ETWS_EXPORT_CSV, target, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  content = read_file (target);
  g_assert_true (g_str_has_prefix (content, "\"#\",\"Time\""));
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  assert_dir (dir, "out.csv");

  /* Rows that are not in the store. */
  {
    g_autoptr(GArray) bad = g_array_new (FALSE, FALSE, sizeof (guint32));
    guint32 r = (guint32) etws_store_get_n_rows (store);
    g_array_append_val (bad, r);
    g_assert_false (etws_export_to_file (store, bad, ETWS_EXPORT_CSV, target, NULL, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_clear_pointer (&content, g_free);
    content = read_file (target);
    g_assert_true (g_str_has_prefix (content, "\"#\",\"Time\""));
  }
  remove_tree (dir);
}

/* A read-only directory: the export fails with "permission denied", the
 * existing file keeps its content and nothing is added. As root (CI), the
 * export runs in a child process that gives up root first, since root
 * ignores directory permissions. */
static char *
ro_target (int pid)
{
  g_autofree char *name = g_strdup_printf ("etwscope-export-ro-%d", pid);
  return g_build_filename (g_get_tmp_dir (), name, "ro", "out.csv", NULL);
}

static void
test_read_only_dir (void)
{
  g_autofree char *dir = NULL, *ro = NULL, *target = NULL, *content = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(EtwsStore) store = tf_load_store ("tx_Process.etl");
      g_autoptr(GArray) rows = rows_for (store, "cpu == 0");
      g_autoptr(GError) error = NULL;
      g_autofree char *path = ro_target (getppid ());

      if (geteuid () == 0)
        {
          g_assert_cmpint (setgid (65534), ==, 0);
          g_assert_cmpint (setuid (65534), ==, 0);
        }
      g_assert_false (etws_export_to_file (store, rows, ETWS_EXPORT_PROCMON_CSV, path, NULL,
                                           NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_printerr ("%s\n", error->message);
      return;
    }

  /* The child finds the directory by its parent's pid (setenv is not
   * safe once threads run). */
  target = ro_target (getpid ());
  ro = g_path_get_dirname (target);
  dir = g_path_get_dirname (ro);
  remove_tree (dir);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (ro, 0755), ==, 0);
  write_file (target, "old\n");
  g_assert_cmpint (g_chmod (target, 0666), ==, 0);
  g_assert_cmpint (g_chmod (ro, 0555), ==, 0);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Permission denied*");

  content = read_file (target);
  g_assert_cmpstr (content, ==, "old\n");
  assert_dir (ro, "out.csv");
  remove_tree (dir);
}

/* The temporary file exists beside the target until the commit. */
static void
test_atomic_file (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *target = g_build_filename (dir, "a.txt", NULL);
  g_autoptr(GError) error = NULL;
  EtwsAtomicFile *file;
  g_autofree char *listing = NULL, *content = NULL;
  gsize n = 0;

  file = etws_atomic_file_new (target, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (etws_atomic_file_get_stream (file), "abc", 3, &n, NULL, &error));
  listing = list_dir (dir);
  g_assert_true (g_str_has_prefix (listing, ".a.txt."));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  etws_atomic_file_free (file);  /* not committed: discarded */
  g_clear_pointer (&listing, g_free);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  file = etws_atomic_file_new (target, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (etws_atomic_file_get_stream (file), "abc", 3, &n, NULL, &error));
  g_assert_true (etws_atomic_file_commit (file, &error));
  g_assert_no_error (error);
  etws_atomic_file_free (file);
  content = read_file (target);
  g_assert_cmpstr (content, ==, "abc");
  g_clear_pointer (&listing, g_free);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "a.txt");

  /* A device is written in place (never renamed over). */
  file = etws_atomic_file_new ("/dev/null", &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (etws_atomic_file_get_stream (file), "x", 1, &n, NULL, &error));
  g_assert_true (etws_atomic_file_commit (file, &error));
  etws_atomic_file_free (file);
  g_assert_true (g_file_test ("/dev/null", G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GAsyncResult **out = data;
  *out = g_object_ref (result);
}

static void
count_ticks (guint64  done,
             guint64  total,
             gpointer data)
{
  guint64 *last = data;
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, *last);
  *last = done;
}

static void
test_async (void)
{
  g_autoptr(EtwsStore) store = tf_load_store ("tx_Process.etl");
  g_autoptr(GArray) rows = rows_for (store, "id == 8");
  g_autofree char *dir = make_dir ();
  g_autofree char *target = g_build_filename (dir, "a.jsonl", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  guint64 last = 0;

  etws_export_to_file_async (store, rows, ETWS_EXPORT_JSONL, target, NULL, count_ticks, &last,
                             NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (etws_export_to_file_finish (result, &error), ==, rows->len);
  g_assert_no_error (error);
  text = read_file (target);
  lines = split_lines (text, "\n");
  g_assert_cmpuint (lines->len, ==, rows->len);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  etws_export_to_file_async (store, NULL, ETWS_EXPORT_CSV, target, cancellable, NULL, NULL, NULL,
                             async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (etws_export_to_file_finish (result, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_pointer (&text, g_free);
  text = read_file (target);
  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_true (g_str_has_prefix (text, "{\"time\""));
  assert_dir (dir, "a.jsonl");
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Process Monitor's Time of Day is local time: pin the zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  tf_etwcat = argc > 1 ? argv[1] : g_getenv ("ETWCAT");

  g_test_add_func ("/export/csv-cells", test_csv_cells);
  g_test_add_func ("/export/jsonl-round-trip", test_jsonl_round_trip);
  g_test_add_func ("/export/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/export/etwcat", test_etwcat);
  g_test_add_func ("/export/failures", test_failures);
  g_test_add_func ("/export/read-only-dir", test_read_only_dir);
  g_test_add_func ("/export/atomic-file", test_atomic_file);
  g_test_add_func ("/export/async", test_async);
  return g_test_run ();
}
