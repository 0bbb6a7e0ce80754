/* etws-ui.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-ui"

#include "config.h"

#include "etws-ui.h"
#include "etws-ui-private.h"

#include "etws-detail-pane.h"
#include "etws-event-view.h"
#include "etws-resources.h"
#include "etws-window.h"

void
etws_ui_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      GdkDisplay *display = gdk_display_get_default ();

      /* Registered by hand: a static library's resource constructor would
       * be dropped by the linker. */
      etws_register_resource ();
      if (display != NULL)
        {
          g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
          gtk_css_provider_load_from_resource (css, "/io/github/etwscope/Etwscope/style.css");
          gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
          /* The app icon, also when running uninstalled. */
          gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                            "/io/github/etwscope/Etwscope/icons");
        }
      g_type_ensure (ETWS_TYPE_EVENT_VIEW);
      g_type_ensure (ETWS_TYPE_DETAIL_PANE);
      g_type_ensure (ETWS_TYPE_WINDOW);
      g_once_init_leave (&done, 1);
    }
}

static GSettings *
settings_from_dir (const char *dir)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  source = g_settings_schema_source_new_from_directory (dir, g_settings_schema_source_get_default (),
                                                        FALSE, NULL);
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, ETWS_SCHEMA_ID, FALSE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

GSettings *
etws_ui_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettings *settings;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, ETWS_SCHEMA_ID, TRUE);
  if (schema != NULL)
    return g_settings_new_full (schema, NULL, NULL);
  /* Run from the build tree (./scripts/run.sh) without installing. */
  if ((settings = settings_from_dir (g_getenv ("ETWSCOPE_SCHEMA_DIR"))) != NULL)
    return settings;
#ifdef ETWS_BUILD_SCHEMA_DIR
  if ((settings = settings_from_dir (ETWS_BUILD_SCHEMA_DIR)) != NULL)
    return settings;
#endif
  g_debug ("Schema %s not found; settings are not kept", ETWS_SCHEMA_ID);
  return NULL;
}

void
etws_ui_append_count (GString *out,
                      guint64  n)
{
  char digits[32];
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
}

char *
etws_ui_format_count (guint64 n)
{
  GString *out = g_string_new (NULL);

  etws_ui_append_count (out, n);
  return g_string_free (out, FALSE);
}
