/* test-live.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Live capture against the real kernel (root). Workloads run in
 * live-helper (the capture never reports its own process) with unique
 * tokens, and the events are read back from the store the way the viewer
 * reads them: record → field list. Set ETWS_LIVE_DUMP=1 to print every
 * event of the captures.
 */
#define G_LOG_DOMAIN "test-live"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "etw-fields.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etws-format.h"
#include "etws-live.h"
#include "etws-store.h"
#include "etws-trace.h"
#include "etws-worker.h"

#define FILETIME_1970 G_GINT64_CONSTANT (116444736000000000)

/* Opcodes of docs/linux-providers.md */
enum
{
  OP_START = 1, OP_END = 2, OP_DC_START = 3, OP_LOAD = 10, OP_EXEC = 64,
  OP_CREATE = 64, OP_CLOSE = 66, OP_READ = 67, OP_WRITE = 68, OP_DELETE = 70, OP_RENAME = 71,
  OP_SEND = 10, OP_RECV = 11, OP_CONNECT = 12, OP_DISCONNECT = 13, OP_ACCEPT = 15,
};

typedef struct
{
  EtwGuid     provider;
  guint8      opcode;
  guint32     pid;
  guint32     tid;
  guint32     cpu;
  gint64      time;
  GHashTable *fields;   /* name → value as text */
  GPtrArray  *frames;   /* symbol, or "0x…" */
} Ev;

typedef struct
{
  EtwsSource *source;
  EtwsWorker *worker;
  EtwsStore  *store;
  GPtrArray  *events;
  GPtrArray  *notices;
  GError     *error;
  gint64      start_ft;
  gint64      end_ft;
  guint64     lost;
  guint64     dropped;
} Capture;

static const char *helper_path;

static gint64
now_filetime (void)
{
  return g_get_real_time () * 10 + FILETIME_1970;
}

static void
ev_free (gpointer data)
{
  Ev *ev = data;

  g_hash_table_unref (ev->fields);
  g_ptr_array_unref (ev->frames);
  g_free (ev);
}

static const char *
ev_field (const Ev   *ev,
          const char *name)
{
  return g_hash_table_lookup (ev->fields, name);
}

static guint64
ev_uint (const Ev   *ev,
         const char *name)
{
  const char *v = ev_field (ev, name);
  return v != NULL ? g_ascii_strtoull (v, NULL, 0) : G_MAXUINT64;
}

static void
notice_cb (EtwsWorker *worker,
           const char *notice,
           Capture    *c)
{
  g_ptr_array_add (c->notices, g_strdup (notice));
}

static void
finished_cb (EtwsWorker   *worker,
             const GError *error,
             Capture      *c)
{
  if (error != NULL)
    c->error = g_error_copy (error);
}

static void
wait_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static Capture *
capture_start (const EtwsLiveOptions *options)
{
  g_autoptr(GError) error = NULL;
  Capture *c = g_new0 (Capture, 1);
  gint64 deadline;

  c->events = g_ptr_array_new_with_free_func (ev_free);
  c->notices = g_ptr_array_new_with_free_func (g_free);
  c->source = etws_live_source_new (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c->source);
  g_assert_true (etws_source_is_live (c->source));
  c->worker = etws_worker_new (c->source);
  /* This thread blocks while the helpers run; its queue must hold what
   * arrives meanwhile (the viewer drains it continuously). */
  etws_worker_set_max_queued (c->worker, 100000);
  c->store = etws_store_new ();
  etws_store_attach (c->store, c->worker);
  g_signal_connect (c->worker, "notice", G_CALLBACK (notice_cb), c);
  g_signal_connect (c->worker, "finished", G_CALLBACK (finished_cb), c);
  c->start_ft = now_filetime ();
  etws_worker_start (c->worker);

  /* The rundown rows come right before the rings are enabled. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (etws_store_get_n_rows (c->store) == 0 && etws_worker_is_running (c->worker) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  g_assert_no_error (c->error);
  g_assert_true (etws_worker_is_running (c->worker));
  wait_ms (300);
  return c;
}

static void
collect (Capture *c)
{
  g_autoptr(EtwsRecordReader) reader = etws_record_reader_new (etws_store_get_trace (c->store));
  EtwsTrace *trace = etws_store_get_trace (c->store);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean dump = g_getenv ("ETWS_LIVE_DUMP") != NULL;
  guint64 n = etws_store_get_n_rows (c->store);

  for (guint64 i = 0; i < n; i++)
    {
      EtwEvent event;
      EtwFieldReader fr;
      EtwField f;
      Ev *ev;
      guint n_frames = 0;
      const EtwsFrame *frames;

      g_assert_true (etws_store_read_event (c->store, reader, i, &event));
      g_assert_cmpuint (event.origin, ==, ETW_ORIGIN_PERF);
      g_assert_cmpuint (event.kind, ==, ETW_HDR_LIVE);
      g_assert_true (event.xflags & ETW_XFLAG_FIELD_LIST);
      ev = g_new0 (Ev, 1);
      ev->provider = event.provider;
      ev->opcode = event.opcode;
      ev->pid = event.pid;
      ev->tid = event.tid;
      ev->cpu = event.cpu;
      ev->time = event.time;
      ev->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      ev->frames = g_ptr_array_new_with_free_func (g_free);
      etw_fr_init (&fr, event.payload, event.payload_len);
      while (etw_fr_next (&fr, &f))
        {
          g_string_truncate (text, 0);
          etws_format_field_value (text, &f);
          g_hash_table_replace (ev->fields, g_strdup (f.name), g_strdup (text->str));
        }
      g_assert_false (fr.error);
      frames = etws_trace_stack (trace, etws_store_get_stack (c->store, i), &n_frames);
      for (guint k = 0; k < n_frames; k++)
        g_ptr_array_add (ev->frames, frames[k].symbol != 0
                                       ? g_strdup (etws_trace_string (trace, frames[k].symbol))
                                       : g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", frames[k].address));
      if (dump)
        {
          GHashTableIter iter;
          gpointer key, value;
          char guid[ETW_GUID_STRING_LEN + 1];

          etw_guid_format (&ev->provider, guid);
          g_printerr ("%s op=%u pid=%u tid=%u cpu=%u", etw_guid_known_name (&ev->provider) ? etw_guid_known_name (&ev->provider) : guid,
                      ev->opcode, ev->pid, ev->tid, ev->cpu);
          g_hash_table_iter_init (&iter, ev->fields);
          while (g_hash_table_iter_next (&iter, &key, &value))
            g_printerr (" %s=%s", (char *) key, (char *) value);
          g_printerr ("\n");
          for (guint k = 0; k < ev->frames->len; k++)
            g_printerr ("      %s\n", (char *) g_ptr_array_index (ev->frames, k));
        }
      g_ptr_array_add (c->events, ev);
    }
}

static void
capture_stop (Capture *c)
{
  gint64 deadline;

  /* Gracefully: what is still in the rings is delivered. */
  wait_ms (300);
  etws_source_stop (c->source);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (etws_worker_is_running (c->worker) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  g_assert_false (etws_worker_is_running (c->worker));
  g_assert_no_error (c->error);
  c->end_ft = now_filetime ();
  c->lost = etws_store_get_lost (c->store);
  c->dropped = etws_store_get_dropped (c->store);
  collect (c);
}

static void
capture_free (Capture *c)
{
  g_clear_object (&c->store);
  g_clear_object (&c->worker);
  g_clear_object (&c->source);
  g_ptr_array_unref (c->events);
  g_ptr_array_unref (c->notices);
  g_clear_error (&c->error);
  g_free (c);
}

/* Events of a provider and opcode whose field `name` equals `value`
 * (NULL: any); pid 0 = any pid. */
static GPtrArray *
find_all (Capture       *c,
          const EtwGuid *provider,
          guint8         opcode,
          guint32        pid,
          const char    *name,
          const char    *value)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < c->events->len; i++)
    {
      Ev *ev = g_ptr_array_index (c->events, i);
      if (!etw_guid_equal (&ev->provider, provider) || ev->opcode != opcode)
        continue;
      if (pid != 0 && ev->pid != pid)
        continue;
      if (name != NULL && g_strcmp0 (ev_field (ev, name), value) != 0)
        continue;
      g_ptr_array_add (found, ev);
    }
  return found;
}

static Ev *
find_one (Capture       *c,
          const EtwGuid *provider,
          guint8         opcode,
          guint32        pid,
          const char    *name,
          const char    *value)
{
  g_autoptr(GPtrArray) all = find_all (c, provider, opcode, pid, name, value);

  if (all->len == 0)
    {
      g_test_message ("no event op=%u pid=%u %s=%s", opcode, pid, name ? name : "", value ? value : "");
      return NULL;
    }
  return g_ptr_array_index (all, 0);
}

static gboolean
has_frame (const Ev   *ev,
           const char *prefix,
           const char *contains)
{
  for (guint i = 0; i < ev->frames->len; i++)
    {
      const char *s = g_ptr_array_index (ev->frames, i);
      if ((prefix == NULL || g_str_has_prefix (s, prefix)) && (contains == NULL || strstr (s, contains) != NULL))
        return TRUE;
    }
  return FALSE;
}

static GSubprocess *
spawn_helper (GSubprocessFlags   flags,
              const char        *first,
              ...) G_GNUC_NULL_TERMINATED;

static GSubprocess *
spawn_helper (GSubprocessFlags  flags,
              const char       *first,
              ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;
  va_list args;

  g_ptr_array_add (argv, (char *) helper_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, flags, &error);
  g_assert_no_error (error);
  return proc;
}

static char *
read_line (GSubprocess *proc)
{
  /* One buffered reader per process: it may read ahead past a line. */
  GDataInputStream *data = g_object_get_data (G_OBJECT (proc), "reader");
  g_autoptr(GError) error = NULL;
  char *line;

  if (data == NULL)
    {
      data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
      g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
      g_object_set_data_full (G_OBJECT (proc), "reader", data, g_object_unref);
    }
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* The helper's first line: its pid. */
static guint32
read_pid (GSubprocess *proc)
{
  g_autofree char *line = read_line (proc);
  guint64 pid = g_ascii_strtoull (line, NULL, 10);

  g_assert_cmpuint (pid, >, 0);
  return (guint32) pid;
}

static void
wait_ok (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
}

static char *
unique_token (const char *what)
{
  return g_strdup_printf ("etwscope-%s-%d-%" G_GINT64_FORMAT, what, (int) getpid (), g_get_real_time ());
}

/* Every event: CPU in range, a time inside the capture, never our pid. */
static void
check_common (Capture *c)
{
  long n_cpus = sysconf (_SC_NPROCESSORS_CONF);
  guint inversions = 0;

  g_assert_cmpuint (c->events->len, >, 0);
  for (guint i = 0; i < c->events->len; i++)
    {
      Ev *ev = g_ptr_array_index (c->events, i);
      g_assert_cmpuint (ev->cpu, <, (guint) n_cpus);
      g_assert_cmpint (ev->time, >=, c->start_ft - 10000000);
      g_assert_cmpint (ev->time, <=, c->end_ft + 10000000);
      g_assert_cmpuint (ev->pid, !=, (guint) getpid ());
      g_assert_cmpint (etw_linux_provider_group (&ev->provider), >=, 0);
      if (i > 0 && ev->time < ((Ev *) g_ptr_array_index (c->events, i - 1))->time)
        inversions++;
    }
  /* The CPU streams are merged by time. A record that an interrupt
   * overtook inside one ring can come out of order; nothing else may. */
  g_test_message ("%u events, %u out of time order", c->events->len, inversions);
  g_assert_cmpuint (inversions * 1000, <=, c->events->len);
}

static void
test_registry_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  EtwsLiveOptions options;
  char *providers[] = { (char *) "registry", NULL };
  EtwsSource *source;
  const char *const *names = etws_live_list_providers ();

  g_assert_true (g_strv_contains (names, "process"));
  g_assert_true (g_strv_contains (names, "net"));
  g_assert_false (g_strv_contains (names, "registry"));
  etws_live_options_init (&options);
  options.providers = providers;
  source = etws_live_source_new (&options, &error);
  g_assert_null (source);
  g_assert_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "not available on Linux"));
  /* The same reason, for a UI that shows it without trying. */
  g_assert_cmpstr (etws_live_provider_unavailable_reason ("registry"), ==, error->message);
  g_assert_cmpstr (etws_live_provider_unavailable_reason ("Registry"), ==, error->message);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_null (etws_live_provider_unavailable_reason (names[i]));
  g_assert_null (etws_live_provider_unavailable_reason ("no-such-provider"));
}

static void
test_capture (void)
{
  EtwsLiveOptions options;
  g_autofree char *token = unique_token ("tree");
  g_autofree char *child_token = g_strconcat (token, "-child", NULL);
  g_autofree char *file = NULL;
  g_autofree char *file_renamed = NULL;
  g_autofree char *file_missing = NULL;
  g_autofree char *file_rel = NULL;
  g_autofree char *child_line = NULL, *server_line = NULL, *client_line = NULL, *load_line = NULL;
  g_autoptr(GSubprocess) tree = NULL, files = NULL, server = NULL, client = NULL, load = NULL;
  g_autofree char *self_pid = g_strdup_printf ("%d", (int) getpid ());
  guint32 tree_pid, child_pid, files_pid, server_pid, client_pid, load_pid;
  int server_port, client_port;
  g_autofree char *server_port_s = NULL, *client_port_s = NULL;
  Capture *c;
  Ev *ev;

  {
    g_autofree char *name = unique_token ("file");
    file = g_build_filename (g_get_tmp_dir (), name, NULL);
    file_renamed = g_strconcat (file, ".renamed", NULL);
    file_missing = g_strconcat (file, ".missing", NULL);
    file_rel = g_strconcat (file, ".rel", NULL);
  }

  etws_live_options_init (&options);
  options.stacks = TRUE;
  c = capture_start (&options);

  tree = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "tree", token, NULL);
  tree_pid = read_pid (tree);
  child_line = read_line (tree);
  child_pid = (guint32) g_ascii_strtoull (child_line, NULL, 10);
  wait_ok (tree);

  files = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "files", file, NULL);
  files_pid = read_pid (files);
  wait_ok (files);

  server = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "server", NULL);
  server_pid = read_pid (server);
  server_line = read_line (server);
  server_port = atoi (server_line);
  client = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "client", server_line, NULL);
  client_pid = read_pid (client);
  client_line = read_line (client);
  client_port = atoi (client_line);
  wait_ok (client);
  wait_ok (server);

  /* A modest load: 20,000 opens in a second. */
  load = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "load", "20000", "1", NULL);
  load_pid = read_pid (load);
  load_line = read_line (load);
  wait_ok (load);

  capture_stop (c);
  check_common (c);
  g_assert_cmpuint (c->lost, ==, 0);
  g_assert_cmpuint (c->dropped, ==, 0);
  /* The augmenter loads here (root, BPF, tracepoints): no fallback notice. */
  for (guint i = 0; i < c->notices->len; i++)
    g_test_message ("notice: %s", (char *) g_ptr_array_index (c->notices, i));
  g_assert_cmpuint (c->notices->len, ==, 0);

  /* Processes: fork (Start) and exec, with parent, image and command line. */
  {
    g_autofree char *tree_pid_s = g_strdup_printf ("%u", tree_pid);
    ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_START, tree_pid, "ProcessId", tree_pid_s);
  }
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "ParentId"), ==, self_pid);
  ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_EXEC, tree_pid, NULL, NULL);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "ParentId"), ==, self_pid);
  g_assert_cmpstr (ev_field (ev, "ImageFileName"), ==, "live-helper");
  g_assert_cmpstr (ev_field (ev, "ImagePath"), ==, helper_path);
  g_assert_nonnull (strstr (ev_field (ev, "CommandLine"), token));
  {
    g_autofree char *cmd = g_strdup_printf ("%s tree %s", helper_path, token);
    g_assert_cmpstr (ev_field (ev, "CommandLine"), ==, cmd);
  }
  g_assert_cmpuint (ev_uint (ev, "uid"), ==, (guint64) getuid ());
  g_assert_cmpuint (ev->frames->len, >, 0);

  ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_START, child_pid, NULL, NULL);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev_uint (ev, "ParentId"), ==, tree_pid);
  /* A fork starts as a copy of its parent. */
  g_assert_cmpstr (ev_field (ev, "ImageFileName"), ==, "live-helper");
  /* Kernel frames, symbolized, with the tracing plumbing cut off. */
  g_assert_true (has_frame (ev, "vmlinux!", NULL));
  g_assert_false (g_str_has_prefix (g_ptr_array_index (ev->frames, 0), "vmlinux!perf_"));
  g_assert_false (g_str_has_prefix (g_ptr_array_index (ev->frames, 0), "vmlinux!__traceiter"));

  ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_EXEC, child_pid, NULL, NULL);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev_uint (ev, "ParentId"), ==, tree_pid);
  g_assert_cmpstr (ev_field (ev, "ImageFileName"), ==, "live-helper");
  {
    g_autofree char *cmd = g_strdup_printf ("%s idle %s", helper_path, child_token);
    g_assert_cmpstr (ev_field (ev, "CommandLine"), ==, cmd);
  }
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_PROCESS, OP_END, child_pid, NULL, NULL));
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_PROCESS, OP_END, tree_pid, NULL, NULL));
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_THREAD, OP_START, child_pid, NULL, NULL));
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_THREAD, OP_END, child_pid, NULL, NULL));
  /* Processes running before the capture: rundown. */
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_PROCESS, OP_DC_START, 1, "ProcessId", "1"));

  /* Images: the program and libc, with build-ids. */
  ev = find_one (c, &ETW_GUID_LINUX_IMAGE, OP_LOAD, child_pid, "FileName", helper_path);
  g_assert_nonnull (ev);
  g_assert_cmpuint (strlen (ev_field (ev, "BuildId")), >=, 16);
  g_assert_cmpuint (ev_uint (ev, "ImageBase"), >, 0);
  g_assert_cmpuint (ev_uint (ev, "ImageSize"), >, 0);
  {
    g_autoptr(GPtrArray) loads = find_all (c, &ETW_GUID_LINUX_IMAGE, OP_LOAD, child_pid, NULL, NULL);
    gboolean libc = FALSE;
    for (guint i = 0; i < loads->len; i++)
      libc |= g_str_has_suffix (ev_field (g_ptr_array_index (loads, i), "FileName"), "/libc.so.6");
    g_assert_true (libc);
  }

  /* Files, with paths and results. */
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_CREATE, files_pid, "FileName", file);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "Status"), ==, "0x0");
  g_assert_cmpint (g_ascii_strtoll (ev_field (ev, "fd"), NULL, 10), >=, 0);
  /* The user frame of open(): libc's wrapper. */
  g_assert_true (has_frame (ev, "libc.so.6!", NULL));
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_WRITE, files_pid, "FileName", file);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev_uint (ev, "IoSize"), ==, 4096);
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_FILE, OP_CLOSE, files_pid, "FileName", file));
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_RENAME, files_pid, "FileName", file);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "NewFileName"), ==, file_renamed);
  g_assert_cmpstr (ev_field (ev, "Status"), ==, "0x0");
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_READ, files_pid, "FileName", file_renamed);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev_uint (ev, "IoSize"), ==, 4096);
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_DELETE, files_pid, "FileName", file_renamed);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "Status"), ==, "0x0");
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_CREATE, files_pid, "FileName", file_missing);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "Status"), ==, "0xc0000034");  /* NAME NOT FOUND */
  g_assert_cmpstr (ev_field (ev, "errno"), ==, "ENOENT");
  /* A relative open, resolved against the working directory. */
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_FILE, OP_CREATE, files_pid, "FileName", file_rel));

  /* TCP on loopback: connect, accept, sizes, ports and owners. */
  server_port_s = g_strdup_printf ("%d", server_port);
  client_port_s = g_strdup_printf ("%d", client_port);
  ev = find_one (c, &ETW_GUID_LINUX_NETWORK, OP_CONNECT, client_pid, "dport", server_port_s);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "sport"), ==, client_port_s);
  g_assert_cmpstr (ev_field (ev, "daddr"), ==, "127.0.0.1");
  g_assert_cmpstr (ev_field (ev, "saddr"), ==, "127.0.0.1");
  g_assert_cmpuint (ev_uint (ev, "PID"), ==, client_pid);
  g_assert_true (has_frame (ev, "vmlinux!", "tcp_v4_connect"));
  ev = find_one (c, &ETW_GUID_LINUX_NETWORK, OP_ACCEPT, server_pid, "sport", server_port_s);
  g_assert_nonnull (ev);
  g_assert_cmpstr (ev_field (ev, "dport"), ==, client_port_s);
  g_assert_cmpuint (ev_uint (ev, "PID"), ==, server_pid);
  ev = find_one (c, &ETW_GUID_LINUX_NETWORK, OP_SEND, client_pid, "dport", server_port_s);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev_uint (ev, "size"), ==, 1000);
  {
    g_autoptr(GPtrArray) recvs = find_all (c, &ETW_GUID_LINUX_NETWORK, OP_RECV, server_pid, "sport", server_port_s);
    guint64 total = 0;
    for (guint i = 0; i < recvs->len; i++)
      total += ev_uint (g_ptr_array_index (recvs, i), "size");
    g_assert_cmpuint (total, ==, 1000);
  }
  g_assert_nonnull (find_one (c, &ETW_GUID_LINUX_NETWORK, OP_DISCONNECT, client_pid, "dport", server_port_s));

  /* Everything the load did arrived: one Create and one Close of
   * /dev/null per open it counted (a busy machine may slow its pace). */
  {
    g_autoptr(GPtrArray) opens = find_all (c, &ETW_GUID_LINUX_FILE, OP_CREATE, load_pid, "FileName", "/dev/null");
    g_autoptr(GPtrArray) closes = find_all (c, &ETW_GUID_LINUX_FILE, OP_CLOSE, load_pid, "FileName", "/dev/null");
    Ev *exec = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_EXEC, load_pid, NULL, NULL);
    guint n_opens = 0, n_closes = 0;

    /* Before its exec the process was GLib's spawn child, which opens
     * /dev/null too. */
    g_assert_nonnull (exec);
    for (guint i = 0; i < opens->len; i++)
      n_opens += ((Ev *) g_ptr_array_index (opens, i))->time > exec->time;
    for (guint i = 0; i < closes->len; i++)
      n_closes += ((Ev *) g_ptr_array_index (closes, i))->time > exec->time;
    g_assert_cmpint (atoi (load_line), >=, 1000);
    g_assert_cmpuint (n_opens, ==, (guint) atoi (load_line));
    g_assert_cmpuint (n_closes, ==, (guint) atoi (load_line));
  }

  capture_free (c);
}

/* --pid N, with and without its children. */
static void
run_pid_filter (gboolean children)
{
  EtwsLiveOptions options;
  g_autofree char *token = unique_token ("pid");
  g_autofree char *other_file = NULL;
  g_autoptr(GSubprocess) tree = NULL, other = NULL;
  g_autofree char *child_line = NULL;
  int pids[2];
  guint32 tree_pid, child_pid;
  gboolean saw_tree = FALSE, saw_child = FALSE;
  Capture *c;

  {
    g_autofree char *name = unique_token ("other");
    other_file = g_build_filename (g_get_tmp_dir (), name, NULL);
  }
  tree = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, "tree-wait", token, NULL);
  tree_pid = read_pid (tree);

  etws_live_options_init (&options);
  pids[0] = (int) tree_pid;
  pids[1] = 0;
  options.pids = g_memdup2 (pids, sizeof pids);
  options.include_children = children;
  c = capture_start (&options);
  g_free (options.pids);

  /* Not in the tree: must not show. */
  other = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "files", other_file, NULL);
  wait_ok (other);
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (tree), "go\n", 3, NULL, NULL, NULL));
  child_line = read_line (tree);
  child_pid = (guint32) g_ascii_strtoull (child_line, NULL, 10);
  wait_ok (tree);

  capture_stop (c);
  check_common (c);
  {
    /* The tree: N, and with --children every descendant that its Process
     * Start events name (sanitizer builds fork helpers of their own). */
    g_autoptr(GHashTable) tree_pids = g_hash_table_new (NULL, NULL);

    g_hash_table_add (tree_pids, GUINT_TO_POINTER (tree_pid));
    for (guint i = 0; i < c->events->len && children; i++)
      {
        Ev *ev = g_ptr_array_index (c->events, i);
        if (etw_guid_equal (&ev->provider, &ETW_GUID_LINUX_PROCESS) && ev->opcode == OP_START &&
            g_hash_table_contains (tree_pids, GUINT_TO_POINTER ((guint) ev_uint (ev, "ParentId"))))
          g_hash_table_add (tree_pids, GUINT_TO_POINTER ((guint) ev_uint (ev, "ProcessId")));
      }
    for (guint i = 0; i < c->events->len; i++)
      {
        Ev *ev = g_ptr_array_index (c->events, i);
        if (!g_hash_table_contains (tree_pids, GUINT_TO_POINTER (ev->pid)))
          g_test_message ("unexpected pid %u (op %u, tree %u, child %u)", ev->pid, ev->opcode, tree_pid, child_pid);
        g_assert_true (g_hash_table_contains (tree_pids, GUINT_TO_POINTER (ev->pid)));
        saw_tree |= ev->pid == tree_pid;
        saw_child |= ev->pid == child_pid;
      }
  }
  g_assert_true (saw_tree);
  g_assert_true (saw_child == children);
  if (children)
    {
      Ev *ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_EXEC, child_pid, NULL, NULL);
      g_assert_nonnull (ev);
      g_assert_nonnull (strstr (ev_field (ev, "CommandLine"), token));
    }
  capture_free (c);
}

static void
test_pid_filter (void)
{
  run_pid_filter (FALSE);
}

static void
test_pid_filter_children (void)
{
  run_pid_filter (TRUE);
}

/* Stacks off, detailed fields off: no frames, a smaller payload. */
static void
test_compact (void)
{
  EtwsLiveOptions options;
  char *providers[] = { (char *) "file", (char *) "process", NULL };
  g_autofree char *name = unique_token ("compact");
  g_autofree char *file = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr(GSubprocess) files = NULL;
  guint32 files_pid;
  Capture *c;
  Ev *ev;

  etws_live_options_init (&options);
  options.providers = providers;
  options.fields = FALSE;
  c = capture_start (&options);
  files = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "files", file, NULL);
  files_pid = read_pid (files);
  wait_ok (files);
  capture_stop (c);
  check_common (c);

  for (guint i = 0; i < c->events->len; i++)
    {
      Ev *e = g_ptr_array_index (c->events, i);
      g_assert_cmpuint (e->frames->len, ==, 0);
      g_assert_true (etw_guid_equal (&e->provider, &ETW_GUID_LINUX_FILE) ||
                     etw_guid_equal (&e->provider, &ETW_GUID_LINUX_PROCESS));
    }
  ev = find_one (c, &ETW_GUID_LINUX_FILE, OP_CREATE, files_pid, "FileName", file);
  g_assert_nonnull (ev);
  g_assert_null (ev_field (ev, "Flags"));
  g_assert_nonnull (ev_field (ev, "Status"));
  ev = find_one (c, &ETW_GUID_LINUX_PROCESS, OP_EXEC, files_pid, NULL, NULL);
  g_assert_nonnull (ev);
  g_assert_nonnull (ev_field (ev, "CommandLine"));
  g_assert_null (ev_field (ev, "ImagePath"));
  capture_free (c);
}

/* Without the Process provider, file rows still carry process names: the
 * capture shows its process events to the naming state only. A forked
 * child (no exec) is named after its parent's image from its fork. */
static void
test_names_without_process (void)
{
  EtwsLiveOptions options;
  char *providers[] = { (char *) "file", NULL };
  g_autofree char *name = unique_token ("names");
  g_autofree char *file = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr(GSubprocess) forker = NULL;
  g_autofree char *child_line = NULL;
  guint32 forker_pid, child_pid;
  guint n_child = 0, n_forker = 0, n_named = 0;
  gboolean saw_file = FALSE;
  const char *last_forker_name = NULL;
  Capture *c;

  etws_live_options_init (&options);
  options.providers = providers;
  c = capture_start (&options);
  forker = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "fork-files", file, NULL);
  forker_pid = read_pid (forker);
  child_line = read_line (forker);
  child_pid = (guint32) g_ascii_strtoull (child_line, NULL, 10);
  wait_ok (forker);
  capture_stop (c);
  check_common (c);

  for (guint64 i = 0; i < etws_store_get_n_rows (c->store); i++)
    {
      Ev *ev = g_ptr_array_index (c->events, i);
      const char *process = etws_store_get_string (c->store, etws_store_get_process (c->store, i));

      /* Only file rows: the process events made none. */
      g_assert_true (etw_guid_equal (&ev->provider, &ETW_GUID_LINUX_FILE));
      n_named += process != NULL && *process != '\0';
      if (ev->pid == child_pid)
        {
          g_assert_cmpstr (process, ==, "live-helper");
          saw_file |= g_strcmp0 (ev_field (ev, "FileName"), file) == 0;
          n_child++;
        }
      else if (ev->pid == forker_pid)
        {
          /* Its name comes from its fork by this test, or from its exec. */
          g_assert_nonnull (process);
          g_assert_cmpstr (process, !=, "");
          if (n_forker++ == 0)
            g_test_message ("the exec'd helper's first row is named “%s”", process);
          last_forker_name = process;
        }
    }
  g_test_message ("%u file rows, %u named; %u of the forked child, %u of the helper",
                  c->events->len, n_named, n_child, n_forker);
  g_assert_true (saw_file);
  g_assert_cmpuint (n_child, >=, 6);
  g_assert_cmpuint (n_forker, >=, 1);
  /* Forked from this test, then exec'd: named after the new image from
   * its exec on (it was named after this test before). */
  g_assert_cmpstr (last_forker_name, ==, "live-helper");
  /* Every process is named from the rundown or its fork; one that exits
   * while /proc is read at the start may not be. */
  g_assert_cmpuint (n_named * 100, >=, c->events->len * 99);
  capture_free (c);
}

/* etwcat --live: events as JSON Lines while they happen, the lost count
 * on stderr; and without root, exit 1 with the command to run. */
static void
test_etwcat (void)
{
  const char *etwcat = g_getenv ("ETWS_ETWCAT");
  g_autofree char *token = unique_token ("etwcat");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cat = NULL, idle = NULL;
  g_autoptr(GBytes) out = NULL, err = NULL;
  g_autofree char *idle_pid_match = NULL;
  const char *text;

  g_assert_nonnull (etwcat);
  cat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          etwcat, "--live", "--providers", "process,file", "--duration", "2.5",
                          "--format", "jsonl", "--stacks", NULL);
  g_assert_no_error (error);
  g_usleep (1200 * 1000);
  idle = spawn_helper (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "idle", token, NULL);
  idle_pid_match = g_strdup_printf ("\"pid\":%u,", read_pid (idle));
  wait_ok (idle);
  g_assert_true (g_subprocess_communicate (cat, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (cat));
  g_assert_cmpint (g_subprocess_get_exit_status (cat), ==, 0);
  text = g_bytes_get_data (out, NULL);
  g_assert_nonnull (text);
  /* The exec of the helper, as a Linux-Kernel-Process line of its pid. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    gboolean found = FALSE;
    for (guint i = 0; lines[i] != NULL && !found; i++)
      found = strstr (lines[i], idle_pid_match) != NULL && strstr (lines[i], "\"opcode\":64") != NULL &&
              strstr (lines[i], "Linux-Kernel-Process") != NULL && strstr (lines[i], "\"stack\"") != NULL;
    g_assert_true (found);
  }
  text = g_bytes_get_data (err, NULL);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, " 0 lost by the kernel"));
}

static void
test_etwcat_not_root (void)
{
  const char *etwcat = g_getenv ("ETWS_ETWCAT");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cat = NULL;
  g_autoptr(GBytes) out = NULL, err = NULL;
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  const char *text;

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is not installed");
      return;
    }
  /* The same binary as an unprivileged user, without capabilities. */
  cat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                          etwcat, "--live", "--duration", "1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (cat, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (cat));
  g_assert_cmpint (g_subprocess_get_exit_status (cat), ==, 1);
  text = g_bytes_get_data (err, NULL);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "needs root"));
  g_assert_nonnull (strstr (text, "sudo "));
  g_assert_nonnull (strstr (text, "--live"));
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  helper_path = g_getenv ("ETWS_LIVE_HELPER");
  if (geteuid () != 0)
    {
      g_print ("SKIP: live capture tests need root (CI runs them as root)\n");
      return 77;
    }
  if (!etws_live_check (&error))
    {
      if (g_error_matches (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED))
        {
          g_print ("SKIP: no live backend in this build: %s\n", error->message);
          return 77;
        }
      /* Root, and still no tracing: perf or tracefs is missing here. */
      g_print ("SKIP: kernel tracing is not possible here: %s\n", error->message);
      return 77;
    }
  g_assert_nonnull (helper_path);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/live/registry-unavailable", test_registry_unavailable);
  g_test_add_func ("/live/capture", test_capture);
  g_test_add_func ("/live/pid-filter", test_pid_filter);
  g_test_add_func ("/live/pid-filter-children", test_pid_filter_children);
  g_test_add_func ("/live/compact", test_compact);
  g_test_add_func ("/live/names-without-process", test_names_without_process);
  g_test_add_func ("/live/etwcat", test_etwcat);
  g_test_add_func ("/live/etwcat-not-root", test_etwcat_not_root);
  return g_test_run ();
}
