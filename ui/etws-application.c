/* etws-application.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-application"

#include "config.h"

#include "etws-application.h"

#include "etws-capture-controller.h"
#include "etws-live.h"
#include "etws-ui.h"
#include "etws-window.h"

struct _EtwsApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  gboolean        live;
  char           *providers;
};

G_DEFINE_FINAL_TYPE (EtwsApplication, etws_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "live", 'l', 0, G_OPTION_ARG_NONE, NULL,
    "Start a live capture of kernel events (needs root on Linux)", NULL },
  { "providers", 'p', 0, G_OPTION_ARG_STRING, NULL,
    "Providers to capture live, comma-separated (e.g. process,file)", "LIST" },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version and exit", NULL },
  { NULL }
};

static EtwsWindow *
new_window (EtwsApplication *self)
{
  EtwsWindow *window = etws_window_new (GTK_APPLICATION (self));

  etws_window_set_settings (window, self->settings);
  return window;
}

/* The active window if it shows nothing yet, else a new one. */
static EtwsWindow *
empty_window (EtwsApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (ETWS_IS_WINDOW (active) && etws_window_is_empty (ETWS_WINDOW (active)))
    return ETWS_WINDOW (active);
  return new_window (self);
}

/* --live: the Capture menu's options, with --providers for this capture
 * only; when it cannot start, the window's banner says why and how. */
static void
start_live (EtwsApplication *self,
            EtwsWindow      *window)
{
  g_auto(GStrv) providers = NULL;

  if (self->providers != NULL && *self->providers != '\0')
    providers = g_strsplit (self->providers, ",", -1);
  etws_capture_controller_start (etws_window_get_capture (window), (const char * const *) providers);
}

static int
etws_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  EtwsApplication *self = ETWS_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("etwscope %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->live = g_variant_dict_contains (options, "live");
  g_variant_dict_lookup (options, "providers", "s", &self->providers);
  return -1;
}

static void
etws_application_activate (GApplication *app)
{
  EtwsApplication *self = ETWS_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (self->live)
    {
      self->live = FALSE;
      window = GTK_WINDOW (empty_window (self));
      start_live (self, ETWS_WINDOW (window));
    }
  else if (window == NULL)
    window = GTK_WINDOW (new_window (self));
  gtk_window_present (window);
}

static void
etws_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  EtwsApplication *self = ETWS_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      EtwsWindow *window = empty_window (self);

      etws_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (data)));

  /* Closing (not destroying) lets each window save its size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       data)
{
  static const char *authors[] = { "etwscope authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));

  gtk_show_about_dialog (parent,
                         "program-name", "etwscope",
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", "A fast viewer for kernel events: Windows ETW traces on any "
                                     "OS, and live capture on Linux and Windows.",
                         "authors", authors,
                         "copyright", "© 2026 etwscope authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
etws_application_startup (GApplication *app)
{
  EtwsApplication *self = ETWS_APPLICATION (app);
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *find_accels[] = { "<Control>f", NULL };
  static const char *capture_accels[] = { "<Control>e", NULL };
  static const char *help_accels[] = { "F1", "<Control>question", NULL };

  G_APPLICATION_CLASS (etws_application_parent_class)->startup (app);

  etws_ui_init ();
  self->settings = etws_ui_settings_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.find", find_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "capture.capture", capture_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);
}

static void
etws_application_finalize (GObject *object)
{
  EtwsApplication *self = ETWS_APPLICATION (object);

  g_clear_object (&self->settings);
  g_free (self->providers);
  G_OBJECT_CLASS (etws_application_parent_class)->finalize (object);
}

static void
etws_application_class_init (EtwsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = etws_application_finalize;
  app_class->handle_local_options = etws_application_handle_local_options;
  app_class->startup = etws_application_startup;
  app_class->activate = etws_application_activate;
  app_class->open = etws_application_open;
}

static void
etws_application_init (EtwsApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[FILE…]");
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "View Windows ETW traces (.etl, .etl.gz) and live "
                                            "kernel events.");
}

EtwsApplication *
etws_application_new (void)
{
  return g_object_new (ETWS_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
