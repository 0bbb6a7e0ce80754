/* test-capture-ui.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Capture menu under a real X server (xvfb-run):
 *  - the provider chooser shows Registry disabled with the reason the
 *    session layer gives, and keeps the choices in GSettings;
 *  - without root, Capture explains how to start one (the exact command)
 *    and the window still opens files: as root, this part runs again as
 *    user nobody (setpriv), without capabilities;
 *  - as root, a capture started from the menu shows rows of a file this
 *    test makes; Pause stops following while the rows keep counting;
 *    Clear restarts it with counts that match the rows; Stop ends it;
 *  - the history depth stops a capture with a notice.
 * Screenshots of the menu and of a running and a paused capture are saved
 * as test artifacts (capture-*.png).
 */
#define G_LOG_DOMAIN "test-capture-ui"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "etws-capture-controller.h"
#include "etws-capture-popover.h"
#include "etws-ui.h"
#include "etws-window.h"
#include "ui-test-common.h"

#define FILETIME_1970 G_GINT64_CONSTANT (116444736000000000)
#define CHILD_ENV     "ETWS_CAPTURE_UI_AS_NOBODY"

static gint64
now_filetime (void)
{
  return g_get_real_time () * 10 + FILETIME_1970;
}

/* The first widget of `type` under `root` (popovers are their parents'
 * children, so the Capture menu is found too). */
static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first button of `type` under `root` whose action is `action`. */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    GType       type,
                    const char *action)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, type, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static EtwsWindow *
new_window (GSettings *settings)
{
  EtwsWindow *window = etws_window_new (NULL);

  etws_window_set_settings (window, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static GSettings *
fresh_settings (void)
{
  GSettings *settings = etws_ui_settings_new ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_assert_nonnull (settings);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  return settings;
}

static EtwsCapturePopover *
window_popover (EtwsWindow *window)
{
  GtkWidget *popover = find_widget (GTK_WIDGET (window), ETWS_TYPE_CAPTURE_POPOVER);

  g_assert_nonnull (popover);
  return ETWS_CAPTURE_POPOVER (popover);
}

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autofree char *png = artifact_path (name);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  g_assert_cmpint (w, >, 0);
  /* A widget in the middle of a relayout gives no node: a frame later. */
  for (int i = 0; i < 20 && node == NULL; i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gtk_test_widget_wait_for_draw (widget);
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("screenshot: %s", png);
}

/* "Rows: 1,234" in the status bar → 1234. */
static guint64
status_count (EtwsWindow *window,
              const char *label)
{
  const char *text = etws_window_get_status_text (window);
  g_autofree char *key = g_strconcat (label, ": ", NULL);
  const char *p = strstr (text, key);
  guint64 n = 0;

  g_assert_nonnull (p);
  for (p += strlen (key); *p != '\0' && (g_ascii_isdigit (*p) || *p == ','); p++)
    if (*p != ',')
      n = n * 10 + (guint64) (*p - '0');
  return n;
}

/* Runs `sh -c script` and waits for it: activity the capture sees (it
 * never reports its own process). */
static void
run_shell (const char *script)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* The index of the first row at or after `from` whose path is `path`, or
 * G_MAXUINT64. */
static guint64
find_path_row (EtwsStore  *store,
               guint64     from,
               const char *path)
{
  guint64 n = etws_store_get_n_rows (store);

  for (guint64 i = from; i < n; i++)
    if (g_strcmp0 (etws_store_get_string (store, etws_store_get_path (store, i)), path) == 0)
      return i;
  return G_MAXUINT64;
}

/* A capture is on once its rundown rows arrive (the rings are enabled
 * just before): the menu's button only starts opening it. */
static void
wait_capture_on (EtwsWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (etws_store_get_n_rows (etws_window_get_store (window)) == 0 && etws_window_is_loading (window) &&
         g_get_monotonic_time () < deadline)
    spin (10);
  g_assert_cmpuint (etws_store_get_n_rows (etws_window_get_store (window)), >, 0);
  spin (200);
}

/* Makes `path` (create, write, close) from a shell, running the main loop
 * until its row arrives or ten seconds pass. */
static guint64
make_file_and_wait (EtwsWindow *window,
                    const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *script = g_strdup_printf ("echo etwscope > %s", quoted);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint64 row = G_MAXUINT64;

  run_shell (script);
  while (row == G_MAXUINT64 && g_get_monotonic_time () < deadline)
    {
      spin (20);
      row = find_path_row (etws_window_get_store (window), 0, path);
    }
  if (row == G_MAXUINT64)
    {
      EtwsStore *store = etws_window_get_store (window);
      g_autofree char *base = g_path_get_basename (path);
      guint64 n = etws_store_get_n_rows (store);

      g_test_message ("no row of %s among %" G_GUINT64_FORMAT "; %s", path, n,
                      etws_window_get_status_text (window));
      for (guint64 i = 0; i < n; i++)
        {
          const char *p = etws_store_get_string (store, etws_store_get_path (store, i));
          if (p != NULL && strstr (p, base) != NULL)
            g_test_message ("  row %" G_GUINT64_FORMAT ": %s", i, p);
        }
    }
  return row;
}

/* ---- the menu, any user ---- */

static void
test_menu (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  const char *reason = etws_live_provider_unavailable_reason ("registry");
  const char *const *offered = etws_live_list_providers ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) saved = NULL;
  EtwsWindow *window = new_window (settings);
  EtwsCapturePopover *popover = window_popover (window);
  GtkCheckButton *check;
  GtkWidget *note;
  EtwsLiveOptions options;
  EtwsCaptureLimit limit;

  /* Registry: shown, disabled, with the session layer's reason. */
  check = etws_capture_popover_get_provider_check (popover, "registry");
  if (g_strv_contains (offered, "registry"))
    g_assert_null (reason);  /* Windows: offered like the others */
  else
    {
      g_assert_nonnull (reason);
      g_assert_nonnull (check);
      g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (check)));
      g_assert_false (gtk_check_button_get_active (check));
      note = gtk_widget_get_next_sibling (GTK_WIDGET (check));
      g_assert_true (GTK_IS_LABEL (note));
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==, reason);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (check)), ==, reason);
      g_test_message ("registry: %s", reason);
    }
  /* Every offered provider can be chosen, and is by default. */
  for (guint i = 0; offered[i] != NULL; i++)
    {
      check = etws_capture_popover_get_provider_check (popover, offered[i]);
      g_assert_nonnull (check);
      g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (check)));
      g_assert_true (gtk_check_button_get_active (check));
    }

  /* Choices go to GSettings, and come back in a new window. */
  check = etws_capture_popover_get_provider_check (popover, "thread");
  if (check != NULL)
    {
      gtk_check_button_set_active (check, FALSE);
      saved = g_settings_get_strv (settings, "capture-providers");
      g_assert_false (g_strv_contains ((const char * const *) saved, "thread"));
      g_assert_true (g_strv_contains ((const char * const *) saved, "file"));
    }
  g_settings_set_string (settings, "capture-pids", "1, 22 333");
  g_settings_set_boolean (settings, "capture-include-children", TRUE);
  g_settings_set_boolean (settings, "capture-stacks", FALSE);
  g_settings_set_uint (settings, "capture-ring-kb", 16384);
  g_settings_set_uint64 (settings, "capture-history-depth", 2000);
  g_settings_set_string (settings, "capture-history-policy", "stop");
  destroy_window (window);

  window = new_window (settings);
  popover = window_popover (window);
  g_assert_true (etws_capture_popover_get_options (popover, &options, &limit, &error));
  g_assert_no_error (error);
  g_assert_false (g_strv_contains ((const char * const *) options.providers, "thread"));
  g_assert_true (g_strv_contains ((const char * const *) options.providers, "file"));
  g_assert_false (g_strv_contains ((const char * const *) options.providers, "registry"));
  g_assert_nonnull (options.pids);
  g_assert_cmpint (options.pids[0], ==, 1);
  g_assert_cmpint (options.pids[1], ==, 22);
  g_assert_cmpint (options.pids[2], ==, 333);
  g_assert_cmpint (options.pids[3], ==, 0);
  g_assert_true (options.include_children);
  g_assert_false (options.stacks);
  g_assert_true (options.fields);
  g_assert_cmpuint (options.ring_kb, ==, 16384);
  g_assert_cmpuint (limit.max_rows, ==, 2000);
  g_assert_cmpint (limit.policy, ==, ETWS_LIMIT_STOP);
  etws_live_options_clear (&options);

  /* A PID list that does not parse: a clear error, nothing starts. */
  g_settings_set_string (settings, "capture-pids", "12, abc");
  g_assert_false (etws_capture_popover_get_options (popover, &options, &limit, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "abc"));
  g_assert_false (etws_capture_controller_start (etws_window_get_capture (window), NULL));
  g_assert_nonnull (strstr (etws_window_get_banner_text (window), "“abc”"));
  g_assert_true (etws_window_is_empty (window));
  destroy_window (window);
}

/* ---- without root ---- */

static void
not_root_here (void)
{
  g_autofree char *path = fixture_path ("tx_WsRm01.etl");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  EtwsWindow *window = new_window (NULL);
  EtwsCapturePopover *popover = window_popover (window);
  GtkWidget *button = find_action_button (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, "capture.capture");
  const char *banner;
  GVariant *state;

  g_assert_false (etws_live_check (&error));
  g_test_message ("check: %s", error->message);

  /* The header's record button, as a user would press it. */
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (50);
  banner = etws_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_test_message ("banner: %s", banner);
  {
    /* The check's explanation, as one paragraph. */
    g_autofree char *first = g_strndup (error->message, strcspn (error->message, "\n"));
    g_assert_nonnull (strstr (banner, first));
  }
  if (g_error_matches (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION))
    {
      /* The exact command, quoted whole so that it can be copied. */
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *command = g_strdup_printf ("“sudo %s --live”", exe);
      g_assert_nonnull (strstr (banner, command));
    }
  g_assert_nonnull (strstr (banner, "opened from files"));
  g_assert_true (etws_window_is_empty (window));
  g_assert_false (etws_capture_controller_is_capturing (etws_window_get_capture (window)));
  state = g_action_group_get_action_state (etws_capture_controller_get_actions (etws_window_get_capture (window)),
                                           "capture");
  g_assert_false (g_variant_get_boolean (state));
  g_variant_unref (state);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));

  /* The menu says it too when it opens. */
  gtk_popover_popup (GTK_POPOVER (popover));
  spin (50);
  g_assert_cmpstr (etws_capture_popover_get_hint (popover), ==, error->message);
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* Files still open. */
  etws_window_open (window, file);
  while (etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (etws_store_get_n_rows (etws_window_get_store (window)), ==, 71);
  destroy_window (window);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

/* As root, the same test again as nobody without capabilities, with a
 * copy of the X cookie it may read. */
static void
test_not_root (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *dbus_run = g_find_program_in_path ("dbus-run-session");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *out = NULL;
  const char *xauth = g_getenv ("XAUTHORITY");

  if (geteuid () != 0)
    {
      not_root_here ();
      return;
    }
  if (setpriv == NULL || dbus_run == NULL)
    {
      /* GTK wants a session bus; root's is not nobody's. */
      g_test_skip ("setpriv (util-linux) or dbus-run-session (dbus) is not installed: "
                   "cannot run the window as nobody here");
      return;
    }
  dir = g_dir_make_tmp ("etwscope-nobody-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_no_errno (chown (dir, 65534, 65534));
  if (xauth != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      cookie = g_build_filename (dir, "Xauthority", NULL);
      g_file_get_contents (xauth, &contents, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (cookie, contents, (gssize) len, &error);
      g_assert_no_error (error);
      g_assert_no_errno (chown (cookie, 65534, 65534));
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, CHILD_ENV, "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  if (cookie != NULL)
    g_subprocess_launcher_setenv (launcher, "XAUTHORITY", cookie, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, setpriv, "--reuid=65534", "--regid=65534",
                                       "--clear-groups", "--inh-caps=-all", dbus_run, "--", exe,
                                       "-p", "/capture-ui/not-root", "--verbose", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("as nobody:\n%s", out);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  g_assert_nonnull (strstr (out, "ok 1 /capture-ui/not-root"));
  g_assert_null (strstr (out, "# SKIP"));

  remove_tree (dir);
}

/* ---- as root: a capture from the menu ---- */

static gboolean
live_possible (void)
{
  g_autoptr(GError) error = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("live capture needs root (CI runs these as root)");
      return FALSE;
    }
  if (!etws_live_check (&error))
    {
      g_autofree char *why = g_strdup_printf ("kernel tracing is not possible here: %s", error->message);
      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

static void
test_live (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *path2 = NULL;
  g_autofree char *path3 = NULL;
  EtwsWindow *window;
  EtwsCapturePopover *popover;
  EtwsCaptureController *capture;
  EtwsEventView *view;
  GtkWidget *capture_toggle, *pause_toggle, *clear_button;
  GtkMenuButton *menu_button;
  GtkAdjustment *adj;
  EtwsStore *store, *old_store;
  guint64 row, rows_before, events_before;
  double value_before, upper_before;
  gint64 cleared_at;

  if (!live_possible ())
    return;
  token = g_strdup_printf ("etwscope-capture-ui-%d-%" G_GINT64_FORMAT, (int) getpid (), g_get_real_time ());
  path = g_build_filename (g_get_tmp_dir (), token, NULL);
  path2 = g_strconcat (path, ".paused", NULL);
  path3 = g_strconcat (path, ".cleared", NULL);

  settings = fresh_settings ();
  window = new_window (settings);
  popover = window_popover (window);
  capture = etws_window_get_capture (window);
  view = etws_window_get_event_view (window);
  menu_button = GTK_MENU_BUTTON (gtk_widget_get_parent (GTK_WIDGET (popover)));
  g_assert_true (GTK_IS_MENU_BUTTON (menu_button));

  /* The menu, as the user opens it: Registry disabled with its reason. */
  gtk_menu_button_popup (menu_button);
  for (int i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (popover));
  g_assert_null (etws_capture_popover_get_hint (popover));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (etws_capture_popover_get_provider_check (popover, "registry"))));
  save_png (GTK_WIDGET (popover), "capture-menu.png");
  /* Thread and image rows would only crowd this test. */
  gtk_check_button_set_active (etws_capture_popover_get_provider_check (popover, "thread"), FALSE);
  gtk_check_button_set_active (etws_capture_popover_get_provider_check (popover, "image"), FALSE);

  capture_toggle = find_action_button (GTK_WIDGET (popover), GTK_TYPE_TOGGLE_BUTTON, "capture.capture");
  pause_toggle = find_action_button (GTK_WIDGET (popover), GTK_TYPE_TOGGLE_BUTTON, "capture.pause");
  clear_button = find_action_button (GTK_WIDGET (popover), GTK_TYPE_BUTTON, "capture.clear");
  g_assert_nonnull (capture_toggle);
  g_assert_nonnull (pause_toggle);
  g_assert_nonnull (clear_button);
  g_assert_false (gtk_widget_is_sensitive (pause_toggle));
  g_assert_false (gtk_widget_is_sensitive (clear_button));

  /* Start, from the menu's button. */
  g_signal_emit_by_name (capture_toggle, "clicked");
  g_assert_true (etws_capture_controller_is_capturing (capture));
  g_assert_false (etws_window_is_empty (window));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (capture_toggle)));
  g_assert_true (gtk_widget_is_sensitive (pause_toggle));
  g_assert_true (gtk_widget_is_sensitive (clear_button));
  g_assert_true (etws_event_view_get_follow (view));
  gtk_popover_popdown (GTK_POPOVER (popover));

  wait_capture_on (window);
  row = make_file_and_wait (window, path);
  g_assert_cmpuint (row, !=, G_MAXUINT64);
  store = etws_window_get_store (window);
  {
    const EtwsEventType *type = etws_store_get_event_type (store, row);
    const char *process = etws_store_get_string (store, etws_store_get_process (store, row));

    g_test_message ("row %" G_GUINT64_FORMAT ": %s by %s, pid %u, cpu %u", row,
                    etws_store_get_string (store, type->name), process,
                    etws_store_get_pid (store, row), etws_store_get_cpu (store, row));
    g_assert_cmpuint (etws_store_get_cpu (store, row), <, (guint) sysconf (_SC_NPROCESSORS_CONF));
    g_assert_cmpuint (etws_store_get_pid (store, row), !=, (guint) getpid ());
    g_assert_nonnull (process);
    g_assert_cmpstr (process, !=, "");
    g_assert_cmpuint (etws_store_get_stack (store, row), !=, 0);  /* stacks are on by default */
  }
  spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (etws_window_get_model (window))), ==,
                    etws_store_get_n_rows (store));
  /* Loss depends on what else the machine does (none when it is quiet;
   * thousands beside a busy test under ASan): the status bar shows the
   * store's count, at most one refresh behind it. */
  g_assert_cmpuint (status_count (window, "Lost"), <=, etws_store_get_lost (store));
  save_png (GTK_WIDGET (window), "capture-running.png");

  /* Pause: the list holds still, the capture goes on and the status bar
   * keeps counting. */
  g_signal_emit_by_name (pause_toggle, "clicked");
  g_assert_true (etws_capture_controller_get_paused (capture));
  g_assert_false (etws_event_view_get_follow (view));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (pause_toggle)));
  g_assert_cmpstr (gtk_menu_button_get_label (menu_button), ==, "Paused");
  g_assert_true (etws_capture_controller_is_capturing (capture));
  spin (300);
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (etws_event_view_get_column_view (view)));
  value_before = gtk_adjustment_get_value (adj);
  upper_before = gtk_adjustment_get_upper (adj);
  rows_before = status_count (window, "Rows");
  events_before = etws_store_get_n_rows (store);
  g_assert_cmpuint (make_file_and_wait (window, path2), !=, G_MAXUINT64);
  spin (400);
  g_test_message ("paused: rows %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT ", scroll %g → %g, upper %g → %g",
                  rows_before, status_count (window, "Rows"), value_before, gtk_adjustment_get_value (adj),
                  upper_before, gtk_adjustment_get_upper (adj));
  g_assert_cmpuint (etws_store_get_n_rows (store), >, events_before);
  g_assert_cmpuint (status_count (window, "Rows"), >, rows_before);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, upper_before);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, value_before);
  save_png (GTK_WIDGET (window), "capture-paused.png");

  /* Resume: following again. */
  g_signal_emit_by_name (pause_toggle, "clicked");
  g_assert_false (etws_capture_controller_get_paused (capture));
  g_assert_true (etws_event_view_get_follow (view));
  g_assert_cmpstr (gtk_menu_button_get_label (menu_button), ==, "Capture");

  /* Clear: a fresh capture with the same options; nothing from before. */
  old_store = g_object_ref (store);
  cleared_at = now_filetime ();
  g_signal_emit_by_name (clear_button, "clicked");
  store = etws_window_get_store (window);
  g_assert_true (store != old_store);
  g_object_unref (old_store);
  g_assert_true (etws_capture_controller_is_capturing (capture));
  g_assert_cmpuint (etws_store_get_n_rows (store), ==, 0);
  wait_capture_on (window);
  row = make_file_and_wait (window, path3);
  g_assert_cmpuint (row, !=, G_MAXUINT64);
  g_assert_cmpuint (find_path_row (store, 0, path), ==, G_MAXUINT64);
  g_assert_cmpuint (find_path_row (store, 0, path2), ==, G_MAXUINT64);
  spin (300);

  /* Stop (Ctrl+E's action): the rows stay. */
  gtk_widget_activate_action (GTK_WIDGET (window), "capture.capture", NULL);
  while (etws_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (etws_capture_controller_is_capturing (capture));
  /* The counts are the capture's since Clear: every event is a row (perf
   * has no StackWalk records), numbered from the first, none older. */
  g_test_message ("after Clear and Stop: %s", etws_window_get_status_text (window));
  for (guint64 i = 0; i < etws_store_get_n_rows (store); i++)
    g_assert_cmpint (etws_store_get_time (store, i), >=, cleared_at);
  g_assert_cmpuint (etws_store_get_first_row (store), ==, 0);
  g_assert_cmpuint (status_count (window, "Events"), ==, status_count (window, "Rows"));
  g_assert_cmpuint (status_count (window, "Rows"), ==, etws_store_get_n_rows (store));
  g_assert_cmpuint (status_count (window, "Lost"), ==, etws_store_get_lost (store));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (capture_toggle)));
  g_assert_false (gtk_widget_is_sensitive (pause_toggle));
  g_assert_cmpuint (find_path_row (store, 0, path3), !=, G_MAXUINT64);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (etws_window_get_model (window))), ==,
                    etws_store_get_n_rows (store));

  g_unlink (path);
  g_unlink (path2);
  g_unlink (path3);
  destroy_window (window);
}

/* The history depth with "stop": the capture ends at the cap, says so,
 * and keeps its rows. */
static void
test_history_stop (void)
{
  g_autoptr(GSettings) settings = NULL;
  EtwsWindow *window;
  EtwsCaptureController *capture;
  gint64 deadline;
  const char *banner;
  guint round = 0;

  if (!live_possible ())
    return;
  settings = fresh_settings ();
  g_settings_set_uint64 (settings, "capture-history-depth", 1000);
  g_settings_set_string (settings, "capture-history-policy", "stop");
  window = new_window (settings);
  capture = etws_window_get_capture (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "capture.capture", NULL);
  g_assert_true (etws_capture_controller_is_capturing (capture));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (etws_window_is_loading (window) && g_get_monotonic_time () < deadline)
    {
      /* The rundown alone may reach the cap; if not, some activity. */
      if (round++ % 10 == 0)
        run_shell ("ls /usr/bin > /dev/null");
      spin (20);
    }
  g_assert_false (etws_window_is_loading (window));
  g_assert_false (etws_capture_controller_is_capturing (capture));
  banner = etws_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_test_message ("%s (%" G_GUINT64_FORMAT " rows)", banner, etws_store_get_n_rows (etws_window_get_store (window)));
  g_assert_nonnull (strstr (banner, "history depth of 1,000 events"));
  g_assert_cmpuint (etws_store_get_n_rows (etws_window_get_store (window)), >=, 1000);
  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("test-capture-ui: no display (run under xvfb-run); skipped\n");
      return 77;
    }
  gtk_test_init (&argc, &argv, NULL);
  etws_ui_init ();

  if (g_getenv (CHILD_ENV) != NULL)
    {
      /* The unprivileged half of /capture-ui/not-root. */
      g_test_add_func ("/capture-ui/not-root", not_root_here);
      return g_test_run ();
    }
  g_test_add_func ("/capture-ui/menu", test_menu);
  g_test_add_func ("/capture-ui/not-root", test_not_root);
  g_test_add_func ("/capture-ui/live", test_live);
  g_test_add_func ("/capture-ui/history-stop", test_history_stop);
  return g_test_run ();
}
