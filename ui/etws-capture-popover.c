/* etws-capture-popover.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-capture-popover"

#include "config.h"

#include "etws-capture-popover.h"
#include "etws-ui-private.h"

#include <string.h>

/* The chooser's order and words; a backend name not listed here is shown
 * as it is, after these. */
static const struct
{
  const char *name;
  const char *label;
  const char *tooltip;
} known_providers[] = {
  { "process",  "_Process",  "Process starts (fork, exec) and exits, with image and command line" },
  { "thread",   "_Thread",   "Thread starts and ends" },
  { "image",    "_Image",    "Executables and libraries mapped by processes, with build-ids" },
  { "file",     "_File",     "Opens, reads, writes, closes, renames and deletes, with paths" },
  { "registry", "_Registry", "Registry keys and values" },
  { "net",      "_Network",  "TCP connects, accepts, sends, receives, resets and disconnects" },
  { "disk",     "_Disk",     "Disk reads and writes" },
  { "cswitch",  "C_ontext switches", "Thread switches on each CPU" },
};

/* Ring sizes offered, KiB per CPU (the backend rounds to pages). */
static const guint ring_kb[] = { 256, 1024, 4096, 16384, 65536 };

#define DEFAULT_RING_INDEX 2

struct _EtwsCapturePopover
{
  GtkPopover      parent_instance;

  GtkLabel       *hint_label;
  GtkBox         *providers_box;
  GtkCheckButton *stacks_check;
  GtkCheckButton *fields_check;
  GtkEntry       *pid_entry;
  GtkCheckButton *children_check;
  GtkDropDown    *ring_dropdown;
  GtkSpinButton  *depth_spin;
  GtkDropDown    *policy_dropdown;

  GHashTable     *checks;       /* provider name → GtkCheckButton (unowned) */
  GSettings      *settings;
  gulong          providers_changed_id;
  gboolean        syncing;
};

G_DEFINE_FINAL_TYPE (EtwsCapturePopover, etws_capture_popover, GTK_TYPE_POPOVER)

/* ---- providers ---- */

static gboolean
offered (const char *name)
{
  const char *const *names = etws_live_list_providers ();

  return g_strv_contains (names, name);
}

static void
write_providers (EtwsCapturePopover *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  const char *const *offered_names = etws_live_list_providers ();

  if (self->settings == NULL || self->syncing)
    return;
  for (guint i = 0; offered_names[i] != NULL; i++)
    {
      GtkCheckButton *check = g_hash_table_lookup (self->checks, offered_names[i]);
      if (check != NULL && gtk_check_button_get_active (check))
        g_strv_builder_add (builder, offered_names[i]);
    }
  names = g_strv_builder_end (builder);
  g_signal_handler_block (self->settings, self->providers_changed_id);
  g_settings_set_strv (self->settings, "capture-providers", (const char * const *) names);
  g_signal_handler_unblock (self->settings, self->providers_changed_id);
}

static void
read_providers (EtwsCapturePopover *self)
{
  g_auto(GStrv) names = g_settings_get_strv (self->settings, "capture-providers");
  GHashTableIter iter;
  gpointer key, value;

  self->syncing = TRUE;
  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (gtk_widget_get_sensitive (value))
      gtk_check_button_set_active (value, g_strv_contains ((const char * const *) names, key));
  self->syncing = FALSE;
}

static void
provider_toggled_cb (GtkCheckButton     *check,
                     EtwsCapturePopover *self)
{
  write_providers (self);
}

static void
providers_changed_cb (GSettings          *settings,
                      const char         *key,
                      EtwsCapturePopover *self)
{
  read_providers (self);
}

static void
add_provider (EtwsCapturePopover *self,
              const char         *name,
              const char         *label,
              const char         *tooltip)
{
  const char *reason = NULL;
  GtkWidget *row, *check;

  if (!offered (name) && (reason = etws_live_provider_unavailable_reason (name)) == NULL)
    return;  /* neither offered nor explained: not this platform's business */

  row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  check = gtk_check_button_new_with_mnemonic (label);
  gtk_box_append (GTK_BOX (row), check);
  if (reason != NULL)
    {
      GtkWidget *note = gtk_label_new (reason);

      /* Shown, not hidden: a Windows user looks for it and should learn
       * why it is not there. */
      gtk_widget_set_sensitive (check, FALSE);
      gtk_widget_set_tooltip_text (check, reason);
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (note), 44);
      gtk_widget_set_margin_start (note, 28);  /* under the check's label */
      gtk_widget_add_css_class (note, "dim-label");
      gtk_widget_add_css_class (note, "caption");
      gtk_widget_add_css_class (note, "provider-reason");
      gtk_box_append (GTK_BOX (row), note);
    }
  else
    {
      gtk_widget_set_tooltip_text (check, tooltip);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      g_signal_connect (check, "toggled", G_CALLBACK (provider_toggled_cb), self);
    }
  gtk_box_append (self->providers_box, row);
  g_hash_table_insert (self->checks, g_strdup (name), check);
}

static void
build_providers (EtwsCapturePopover *self)
{
  const char *const *names = etws_live_list_providers ();

  for (guint i = 0; i < G_N_ELEMENTS (known_providers); i++)
    add_provider (self, known_providers[i].name, known_providers[i].label, known_providers[i].tooltip);
  for (guint i = 0; names[i] != NULL; i++)
    if (!g_hash_table_contains (self->checks, names[i]))
      add_provider (self, names[i], names[i], NULL);
}

/* ---- history depth: a spin button that groups digits ---- */

static gboolean
depth_output_cb (GtkSpinButton *spin,
                 gpointer       data)
{
  g_autofree char *text = etws_ui_format_count ((guint64) gtk_spin_button_get_value (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
depth_input_cb (GtkSpinButton *spin,
                double        *value,
                gpointer       data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  guint64 n = 0;
  gboolean any = FALSE;

  /* "10,000,000", "10 000 000", "10000000". */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (n > G_MAXUINT64 / 10 - 10)
            return GTK_INPUT_ERROR;
          n = n * 10 + (guint64) (*p - '0');
          any = TRUE;
        }
      else if (*p != ',' && *p != '.' && *p != ' ' && *p != '\'' && (guchar) *p < 0x80)
        return GTK_INPUT_ERROR;
    }
  if (!any)
    return GTK_INPUT_ERROR;
  *value = (double) n;
  return TRUE;
}

/* ---- settings ---- */

static gboolean
ring_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  data)
{
  guint kb = g_variant_get_uint32 (variant);
  guint best = DEFAULT_RING_INDEX;

  for (guint i = 0; i < G_N_ELEMENTS (ring_kb); i++)
    if (ring_kb[i] <= kb)
      best = i;
  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
ring_set_mapping (const GValue       *value,
                  const GVariantType *type,
                  gpointer            data)
{
  guint i = g_value_get_uint (value);

  return g_variant_new_uint32 (ring_kb[i < G_N_ELEMENTS (ring_kb) ? i : DEFAULT_RING_INDEX]);
}

static gboolean
depth_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  data)
{
  g_value_set_double (value, (double) g_variant_get_uint64 (variant));
  return TRUE;
}

static GVariant *
depth_set_mapping (const GValue       *value,
                   const GVariantType *type,
                   gpointer            data)
{
  return g_variant_new_uint64 ((guint64) g_value_get_double (value));
}

static gboolean
policy_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  data)
{
  g_value_set_uint (value, g_strcmp0 (g_variant_get_string (variant, NULL), "stop") == 0 ? 1 : 0);
  return TRUE;
}

static GVariant *
policy_set_mapping (const GValue       *value,
                    const GVariantType *type,
                    gpointer            data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "stop" : "drop-oldest");
}

void
etws_capture_popover_set_settings (EtwsCapturePopover *self,
                                   GSettings          *settings)
{
  g_return_if_fail (ETWS_IS_CAPTURE_POPOVER (self));

  if (self->settings == settings)
    return;
  if (self->settings != NULL)
    {
      g_clear_signal_handler (&self->providers_changed_id, self->settings);
      g_settings_unbind (self->stacks_check, "active");
      g_settings_unbind (self->fields_check, "active");
      g_settings_unbind (self->pid_entry, "text");
      g_settings_unbind (self->children_check, "active");
      g_settings_unbind (self->ring_dropdown, "selected");
      g_settings_unbind (self->depth_spin, "value");
      g_settings_unbind (self->policy_dropdown, "selected");
    }
  g_set_object (&self->settings, settings);
  if (settings == NULL)
    return;

  g_settings_bind (settings, "capture-stacks", self->stacks_check, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "capture-fields", self->fields_check, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "capture-pids", self->pid_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "capture-include-children", self->children_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "capture-ring-kb", self->ring_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, ring_get_mapping, ring_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (settings, "capture-history-depth", self->depth_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, depth_get_mapping, depth_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (settings, "capture-history-policy", self->policy_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, policy_get_mapping, policy_set_mapping, NULL, NULL);
  self->providers_changed_id = g_signal_connect (settings, "changed::capture-providers",
                                                 G_CALLBACK (providers_changed_cb), self);
  read_providers (self);
}

/* ---- options ---- */

static gboolean
parse_pids (const char  *text,
            GArray      *pids,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ", \t;", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 pid = 0;
      int value;

      if (parts[i][0] == '\0')
        continue;
      /* Process ids are positive and fit an int (pid_max ≤ 2^22). */
      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, G_MAXINT, &pid, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” in the PID filter is not a process id", parts[i]);
          return FALSE;
        }
      value = (int) pid;
      g_array_append_val (pids, value);
    }
  return TRUE;
}

gboolean
etws_capture_popover_get_options (EtwsCapturePopover  *self,
                                  EtwsLiveOptions     *options,
                                  EtwsCaptureLimit    *limit,
                                  GError             **error)
{
  const char *const *names = etws_live_list_providers ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GArray) pids = g_array_new (TRUE, TRUE, sizeof (int));
  guint ring = gtk_drop_down_get_selected (self->ring_dropdown);
  guint n = 0;

  g_return_val_if_fail (ETWS_IS_CAPTURE_POPOVER (self), FALSE);

  etws_live_options_init (options);
  if (!parse_pids (gtk_editable_get_text (GTK_EDITABLE (self->pid_entry)), pids, error))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkCheckButton *check = g_hash_table_lookup (self->checks, names[i]);
      if (check != NULL && gtk_check_button_get_active (check))
        {
          g_strv_builder_add (builder, names[i]);
          n++;
        }
    }
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "No provider is chosen: tick at least one under Capture › Providers");
      return FALSE;
    }

  options->providers = g_strv_builder_end (builder);
  if (pids->len > 0)
    {
      options->pids = (int *) (gpointer) g_array_free (g_steal_pointer (&pids), FALSE);
      options->include_children = gtk_check_button_get_active (self->children_check);
    }
  options->stacks = gtk_check_button_get_active (self->stacks_check);
  options->fields = gtk_check_button_get_active (self->fields_check);
  options->ring_kb = ring_kb[ring < G_N_ELEMENTS (ring_kb) ? ring : DEFAULT_RING_INDEX];
  limit->max_rows = (guint64) gtk_spin_button_get_value (self->depth_spin);
  limit->policy = gtk_drop_down_get_selected (self->policy_dropdown) == 1 ? ETWS_LIMIT_STOP
                                                                          : ETWS_LIMIT_DROP_OLDEST;
  return TRUE;
}

GtkCheckButton *
etws_capture_popover_get_provider_check (EtwsCapturePopover *self,
                                         const char         *provider)
{
  g_return_val_if_fail (ETWS_IS_CAPTURE_POPOVER (self), NULL);
  return g_hash_table_lookup (self->checks, provider);
}

const char *
etws_capture_popover_get_hint (EtwsCapturePopover *self)
{
  g_return_val_if_fail (ETWS_IS_CAPTURE_POPOVER (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->hint_label)) ? gtk_label_get_text (self->hint_label)
                                                                 : NULL;
}

/* Whether a capture can start is asked each time the menu opens: a user
 * may fix the privileges meanwhile (setcap, a tracefs mount). */
static void
update_hint (EtwsCapturePopover *self)
{
  g_autoptr(GError) error = NULL;

  if (etws_live_check (&error))
    gtk_widget_set_visible (GTK_WIDGET (self->hint_label), FALSE);
  else
    {
      gtk_label_set_text (self->hint_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
    }
}

static void
pid_changed_cb (GtkEditable        *entry,
                EtwsCapturePopover *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->children_check),
                            gtk_editable_get_text (entry)[0] != '\0');
}

static void
etws_capture_popover_show (GtkWidget *widget)
{
  update_hint (ETWS_CAPTURE_POPOVER (widget));
  GTK_WIDGET_CLASS (etws_capture_popover_parent_class)->show (widget);
}

/* ---- GObject ---- */

static void
etws_capture_popover_dispose (GObject *object)
{
  EtwsCapturePopover *self = ETWS_CAPTURE_POPOVER (object);

  etws_capture_popover_set_settings (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_CAPTURE_POPOVER);
  G_OBJECT_CLASS (etws_capture_popover_parent_class)->dispose (object);
}

static void
etws_capture_popover_finalize (GObject *object)
{
  EtwsCapturePopover *self = ETWS_CAPTURE_POPOVER (object);

  g_hash_table_unref (self->checks);
  G_OBJECT_CLASS (etws_capture_popover_parent_class)->finalize (object);
}

static void
etws_capture_popover_class_init (EtwsCapturePopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_capture_popover_dispose;
  object_class->finalize = etws_capture_popover_finalize;
  widget_class->show = etws_capture_popover_show;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-capture-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, hint_label);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, providers_box);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, stacks_check);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, fields_check);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, pid_entry);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, children_check);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, ring_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, depth_spin);
  gtk_widget_class_bind_template_child (widget_class, EtwsCapturePopover, policy_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, depth_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, depth_input_cb);
}

static void
etws_capture_popover_init (EtwsCapturePopover *self)
{
  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  build_providers (self);
  g_signal_connect (self->pid_entry, "changed", G_CALLBACK (pid_changed_cb), self);
  pid_changed_cb (GTK_EDITABLE (self->pid_entry), self);
}

GtkWidget *
etws_capture_popover_new (void)
{
  return g_object_new (ETWS_TYPE_CAPTURE_POPOVER, NULL);
}
