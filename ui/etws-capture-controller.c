/* etws-capture-controller.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-capture"

#include "config.h"

#include "etws-capture-controller.h"
#include "etws-ui-private.h"

#include <string.h>

struct _EtwsCaptureController
{
  GObject             parent_instance;

  EtwsWindow         *window;    /* unowned: the window owns us */
  EtwsCapturePopover *popover;   /* unowned, the window's */
  GtkMenuButton      *button;    /* unowned, the window's */
  EtwsEventView      *view;      /* unowned, the window's */
  GSimpleActionGroup *actions;

  /* The options of the running capture, for Clear. */
  EtwsLiveOptions     options;
  EtwsCaptureLimit    limit;
  gboolean            have_options;

  EtwsStore          *store;     /* the shown session's, watched for its cap */
  gulong              limit_id;
  gulong              handlers[3];
};

G_DEFINE_FINAL_TYPE (EtwsCaptureController, etws_capture_controller, G_TYPE_OBJECT)

/* A multi-line message as one paragraph for the banner: an indented line
 * is a command, quoted so that it can be copied whole; every line ends
 * as a sentence. */
static char *
sentences (const char *message)
{
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize len;

      if (*line == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (g_str_has_prefix (line, "  "))
        g_string_append_printf (out, "“%s”", g_strstrip (lines[i]));
      else
        g_string_append (out, line);
      len = out->len;
      if (len > 0 && strchr (".:!?", out->str[len - 1]) == NULL)
        g_string_append_c (out, '.');
    }
  return g_string_free (out, FALSE);
}

static void
copy_options (EtwsLiveOptions       *dst,
              const EtwsLiveOptions *src)
{
  *dst = *src;
  dst->providers = g_strdupv (src->providers);
  dst->pids = NULL;
  if (src->pids != NULL)
    {
      guint n = 0;
      while (src->pids[n] != 0)
        n++;
      dst->pids = g_memdup2 (src->pids, (n + 1) * sizeof (int));
    }
}

gboolean
etws_capture_controller_is_capturing (EtwsCaptureController *self)
{
  EtwsWorker *worker;

  g_return_val_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self), FALSE);
  if (self->window == NULL)
    return FALSE;
  worker = etws_window_get_worker (self->window);
  return worker != NULL && etws_source_is_live (etws_worker_get_source (worker)) &&
         etws_window_is_loading (self->window);
}

gboolean
etws_capture_controller_get_paused (EtwsCaptureController *self)
{
  g_return_val_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self), FALSE);
  /* Paused is "not following" while capturing: scrolling up to read
   * pauses too, and Follow Newest Event resumes. */
  return etws_capture_controller_is_capturing (self) && !etws_event_view_get_follow (self->view);
}

static void
update_state (EtwsCaptureController *self)
{
  gboolean capturing = etws_capture_controller_is_capturing (self);
  gboolean paused = etws_capture_controller_get_paused (self);
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "capture");
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (capturing));
  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "pause");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), capturing);
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (paused));
  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "clear");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), capturing);

  if (self->button != NULL)
    {
      gtk_menu_button_set_label (self->button, paused ? "Paused" : "Capture");
      if (capturing)
        gtk_widget_add_css_class (GTK_WIDGET (self->button), "capturing");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->button), "capturing");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->button),
                                   paused ? "The capture goes on; the list does not follow it"
                                   : capturing ? "Capturing: Ctrl+E stops, Pause holds the list still"
                                               : "Capture live kernel events: providers and options");
    }
}

static void
limit_reached_cb (EtwsStore             *store,
                  EtwsCaptureController *self)
{
  g_autofree char *depth = etws_ui_format_count (self->limit.max_rows);
  g_autofree char *text = g_strdup_printf ("The capture stopped at its history depth of %s events. "
                                           "The rows so far stay; Capture › History depth sets "
                                           "the limit, and whether the oldest events are dropped "
                                           "instead.", depth);

  etws_window_show_banner (self->window, GTK_MESSAGE_INFO, text);
}

static void
session_changed_cb (EtwsWindow            *window,
                    EtwsCaptureController *self)
{
  if (self->store != NULL)
    g_clear_signal_handler (&self->limit_id, self->store);
  g_clear_object (&self->store);
  if (etws_window_get_store (window) != NULL)
    {
      self->store = g_object_ref (etws_window_get_store (window));
      self->limit_id = g_signal_connect (self->store, "limit-reached", G_CALLBACK (limit_reached_cb), self);
    }
  update_state (self);
}

static void
session_finished_cb (EtwsWindow            *window,
                     EtwsCaptureController *self)
{
  update_state (self);
}

static void
follow_changed_cb (EtwsEventView         *view,
                   GParamSpec            *pspec,
                   EtwsCaptureController *self)
{
  update_state (self);
}

/* Starts a capture with these options in the window, with its cap. */
static gboolean
start_with (EtwsCaptureController  *self,
            const EtwsLiveOptions  *options,
            const EtwsCaptureLimit *limit)
{
  g_autoptr(GError) error = NULL;
  EtwsLiveOptions kept;
  EtwsCaptureLimit kept_limit = *limit;

  /* Copied first: options may be our own, which the session replaces. */
  copy_options (&kept, options);
  if (!etws_window_start_live (self->window, &kept, &error))
    {
      g_autofree char *text = NULL;
      g_autofree char *why = sentences (error->message);

      /* The message of a missing privilege is the explanation itself,
       * with the command to run. */
      if (g_error_matches (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION))
        text = g_strdup_printf ("%s Traces can still be opened from files (Ctrl+O).", why);
      else
        text = g_strdup_printf ("Live capture could not start: %s Traces can still be opened from "
                                "files (Ctrl+O).", why);
      etws_window_show_banner (self->window, GTK_MESSAGE_WARNING, text);
      etws_live_options_clear (&kept);
      update_state (self);
      return FALSE;
    }
  etws_store_set_limit (etws_window_get_store (self->window), kept_limit.max_rows, kept_limit.policy);
  etws_live_options_clear (&self->options);
  self->options = kept;
  self->limit = kept_limit;
  self->have_options = TRUE;
  g_debug ("capture started (history depth %" G_GUINT64_FORMAT ", %s)", kept_limit.max_rows,
           kept_limit.policy == ETWS_LIMIT_STOP ? "stop" : "drop oldest");
  update_state (self);
  return TRUE;
}

gboolean
etws_capture_controller_start (EtwsCaptureController *self,
                               const char * const    *providers)
{
  g_autoptr(GError) error = NULL;
  EtwsLiveOptions options;
  EtwsCaptureLimit limit;
  gboolean ok;

  g_return_val_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self), FALSE);

  if (etws_capture_controller_is_capturing (self))
    return TRUE;
  if (!etws_capture_popover_get_options (self->popover, &options, &limit, &error))
    {
      g_autofree char *text = g_strdup_printf ("Live capture could not start: %s.", error->message);

      etws_window_show_banner (self->window, GTK_MESSAGE_WARNING, text);
      etws_live_options_clear (&options);
      update_state (self);
      return FALSE;
    }
  if (providers != NULL && providers[0] != NULL)
    {
      g_strfreev (options.providers);
      options.providers = g_strdupv ((char **) providers);
    }
  ok = start_with (self, &options, &limit);
  etws_live_options_clear (&options);
  return ok;
}

void
etws_capture_controller_stop (EtwsCaptureController *self)
{
  g_return_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self));

  if (etws_capture_controller_is_capturing (self))
    etws_window_stop (self->window);
}

gboolean
etws_capture_controller_clear (EtwsCaptureController *self)
{
  g_return_val_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self), FALSE);

  if (!etws_capture_controller_is_capturing (self) || !self->have_options)
    return FALSE;
  /* A new capture rather than an emptied store under the old one: its
   * Events, Lost and Dropped counters then start at zero with the rows,
   * and the row numbers start at 1 again. The processes running at the
   * restart arrive as rundown (DCStart) rows, as at any start. */
  return start_with (self, &self->options, &self->limit);
}

void
etws_capture_controller_set_paused (EtwsCaptureController *self,
                                    gboolean               paused)
{
  g_return_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self));

  if (etws_capture_controller_is_capturing (self))
    etws_event_view_set_follow (self->view, !paused);
  update_state (self);
}

/* ---- actions ---- */

static void
capture_change_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       data)
{
  EtwsCaptureController *self = data;

  if (g_variant_get_boolean (value))
    etws_capture_controller_start (self, NULL);
  else
    etws_capture_controller_stop (self);
  /* The state follows the window, whatever happened. */
  update_state (self);
}

static void
pause_change_state (GSimpleAction *action,
                    GVariant      *value,
                    gpointer       data)
{
  etws_capture_controller_set_paused (data, g_variant_get_boolean (value));
}

static void
clear_activate (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  etws_capture_controller_clear (data);
}

static const GActionEntry action_entries[] = {
  { "capture", NULL, NULL, "false", capture_change_state },
  { "pause", NULL, NULL, "false", pause_change_state },
  { "clear", clear_activate },
};

GActionGroup *
etws_capture_controller_get_actions (EtwsCaptureController *self)
{
  g_return_val_if_fail (ETWS_IS_CAPTURE_CONTROLLER (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

/* ---- GObject ---- */

static void
etws_capture_controller_dispose (GObject *object)
{
  EtwsCaptureController *self = ETWS_CAPTURE_CONTROLLER (object);

  if (self->store != NULL)
    g_clear_signal_handler (&self->limit_id, self->store);
  g_clear_object (&self->store);
  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->handlers[0], self->window);
      g_clear_signal_handler (&self->handlers[1], self->window);
      g_clear_signal_handler (&self->handlers[2], self->view);
      self->window = NULL;
    }
  G_OBJECT_CLASS (etws_capture_controller_parent_class)->dispose (object);
}

static void
etws_capture_controller_finalize (GObject *object)
{
  EtwsCaptureController *self = ETWS_CAPTURE_CONTROLLER (object);

  etws_live_options_clear (&self->options);
  g_clear_object (&self->actions);
  G_OBJECT_CLASS (etws_capture_controller_parent_class)->finalize (object);
}

static void
etws_capture_controller_class_init (EtwsCaptureControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_capture_controller_dispose;
  object_class->finalize = etws_capture_controller_finalize;
}

static void
etws_capture_controller_init (EtwsCaptureController *self)
{
  etws_live_options_init (&self->options);
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
}

EtwsCaptureController *
etws_capture_controller_new (EtwsWindow         *window,
                             EtwsCapturePopover *popover,
                             GtkMenuButton      *button)
{
  EtwsCaptureController *self;

  g_return_val_if_fail (ETWS_IS_WINDOW (window), NULL);
  g_return_val_if_fail (ETWS_IS_CAPTURE_POPOVER (popover), NULL);

  self = g_object_new (ETWS_TYPE_CAPTURE_CONTROLLER, NULL);
  self->window = window;
  self->popover = popover;
  self->button = button;
  self->view = etws_window_get_event_view (window);
  self->handlers[0] = g_signal_connect (window, "session-changed", G_CALLBACK (session_changed_cb), self);
  self->handlers[1] = g_signal_connect (window, "session-finished", G_CALLBACK (session_finished_cb), self);
  self->handlers[2] = g_signal_connect (self->view, "notify::follow", G_CALLBACK (follow_changed_cb), self);
  update_state (self);
  return self;
}
