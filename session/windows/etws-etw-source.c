/* etws-etw-source.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-etw-source"

#include "config.h"

#include "etws-etw-source.h"

#include "etws-live-private.h"
#include "etws-sink.h"
#include "etws-trace.h"

/* How long run() waits for an event before flushing what is batched, and
 * how often ETW's loss counters are asked for. */
#define WAIT_MS        50
#define QUERY_USEC     G_USEC_PER_SEC

struct _EtwsEtwSource
{
  EtwsSource      parent_instance;

  EtwWinConfig    config;
  EtwWinProvider *providers;
  guint32        *pids;
  char           *session_name;
  char           *record_path;
  guint64         max_events;

  GMutex          lock;      /* live and stop_requested, against stop() */
  EtwLiveWin     *live;
  gboolean        stop_requested;
};

G_DEFINE_FINAL_TYPE (EtwsEtwSource, etws_etw_source, ETWS_TYPE_SOURCE)

static int
error_code (EtwWinStatus status)
{
  switch (status)
    {
    case ETW_WIN_ERR_PERMISSION: return ETWS_LIVE_ERROR_PERMISSION;
    case ETW_WIN_ERR_UNSUPPORTED: return ETWS_LIVE_ERROR_UNSUPPORTED;
    case ETW_WIN_OK:
    case ETW_WIN_ERR_INVALID:
    case ETW_WIN_ERR_FAILED:
    default: return ETWS_LIVE_ERROR_FAILED;
    }
}

static EtwsTrace *
etws_etw_source_open (EtwsSource    *source,
                      GCancellable  *cancellable,
                      GError       **error)
{
  EtwsEtwSource *self = ETWS_ETW_SOURCE (source);
  EtwLiveWin *live = NULL;
  EtwWinStatus status;
  char message[2048];
  g_autofree char *description = NULL;

  status = etw_live_win_start (&self->config, &live, message, sizeof message);
  if (status != ETW_WIN_OK)
    {
      g_set_error (error, ETWS_LIVE_ERROR, error_code (status), "%s", message);
      return NULL;
    }
  g_mutex_lock (&self->lock);
  self->live = live;
  if (self->stop_requested)
    etw_live_win_stop (live);
  g_mutex_unlock (&self->lock);

  description = g_strdup_printf ("Live ETW: %s", etw_live_win_describe (live));
  return etws_trace_new_live (description);
}

/* ETW's losses and our queue's drops, as one running total for the sink. */
static guint64
lost_so_far (EtwLiveWin *live)
{
  EtwWinStats stats;

  etw_live_win_query (live, &stats);
  return stats.events_lost + stats.dropped;
}

static gboolean
etws_etw_source_run (EtwsSource    *source,
                     EtwsSink      *sink,
                     GCancellable  *cancellable,
                     GError       **error)
{
  EtwsEtwSource *self = ETWS_ETW_SOURCE (source);
  EtwLiveWin *live = self->live;
  const char *notices, *failure;
  gint64 last_query = g_get_monotonic_time ();
  guint64 reported = 0, lost, n = 0;
  gboolean stopping = FALSE;
  EtwEvent ev;
  int r;

  g_return_val_if_fail (live != NULL, FALSE);

  notices = etw_live_win_notices (live);
  if (notices != NULL && notices[0] != '\0')
    etws_sink_set_notice (sink, notices);

  while ((r = etw_live_win_next (live, &ev, WAIT_MS)) >= 0)
    {
      if (r == 1)
        {
          n++;
          if (!etws_sink_push (sink, &ev) || (self->max_events != 0 && n >= self->max_events))
            stopping = TRUE;
        }
      else
        etws_sink_flush (sink);

      if (!stopping && g_cancellable_is_cancelled (cancellable))
        stopping = TRUE;
      if (stopping)
        {
          /* The rest still flows until ETW has delivered its buffers. */
          etw_live_win_stop (live);
          if (etws_sink_is_stopping (sink))
            break;
        }
      if (g_get_monotonic_time () - last_query >= QUERY_USEC)
        {
          last_query = g_get_monotonic_time ();
          lost = lost_so_far (live);
          if (lost > reported)
            etws_sink_add_lost (sink, lost - reported);
          reported = MAX (reported, lost);
        }
    }

  lost = lost_so_far (live);
  if (lost > reported)
    etws_sink_add_lost (sink, lost - reported);

  failure = etw_live_win_error (live);
  if (failure != NULL)
    {
      /* The session ended by itself: what arrived is kept. */
      g_autoptr(GError) damage = g_error_new (ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED, "%s", failure);
      etws_sink_report_damage (sink, damage);
    }
  etws_sink_flush (sink);
  return TRUE;
}

static void
etws_etw_source_stop (EtwsSource *source)
{
  EtwsEtwSource *self = ETWS_ETW_SOURCE (source);

  g_mutex_lock (&self->lock);
  self->stop_requested = TRUE;
  if (self->live != NULL)
    etw_live_win_stop (self->live);
  g_mutex_unlock (&self->lock);
}

static void
etws_etw_source_finalize (GObject *object)
{
  EtwsEtwSource *self = ETWS_ETW_SOURCE (object);

  /* Stops the sessions and joins the consumer threads. */
  g_clear_pointer (&self->live, etw_live_win_free);
  g_clear_pointer (&self->providers, g_free);
  g_clear_pointer (&self->pids, g_free);
  g_clear_pointer (&self->session_name, g_free);
  g_clear_pointer (&self->record_path, g_free);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (etws_etw_source_parent_class)->finalize (object);
}

static void
etws_etw_source_class_init (EtwsEtwSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EtwsSourceClass *source_class = ETWS_SOURCE_CLASS (klass);

  object_class->finalize = etws_etw_source_finalize;
  source_class->open = etws_etw_source_open;
  source_class->run = etws_etw_source_run;
  source_class->stop = etws_etw_source_stop;
}

static void
etws_etw_source_init (EtwsEtwSource *self)
{
  g_mutex_init (&self->lock);
}

EtwsSource *
etws_etw_source_new (const EtwWinConfig *config,
                     guint64             max_events)
{
  EtwsEtwSource *self = g_object_new (ETWS_TYPE_ETW_SOURCE, "live", TRUE, NULL);

  self->config = *config;
  self->providers = g_memdup2 (config->providers, config->n_providers * sizeof (EtwWinProvider));
  self->pids = g_memdup2 (config->pids, config->n_pids * sizeof (guint32));
  self->session_name = g_strdup (config->session_name);
  self->record_path = g_strdup (config->record_path);
  self->config.providers = self->providers;
  self->config.pids = self->pids;
  self->config.session_name = self->session_name;
  self->config.record_path = self->record_path;
  self->max_events = max_events;
  return ETWS_SOURCE (self);
}

gboolean
etws_etw_source_config_from_options (const EtwsLiveOptions  *options,
                                     EtwWinConfig           *config,
                                     EtwWinProvider        **providers,
                                     guint32               **pids,
                                     GError                **error)
{
  g_autoptr(GArray) user = g_array_new (FALSE, TRUE, sizeof (EtwWinProvider));
  g_autoptr(GArray) filter = g_array_new (FALSE, FALSE, sizeof (guint32));

  etw_win_config_init (config);
  if (options->providers != NULL && options->providers[0] != NULL)
    {
      config->kernel = 0;
      for (guint i = 0; options->providers[i] != NULL; i++)
        {
          const char *name = options->providers[i];
          uint32_t group = etw_win_kernel_group (name);
          EtwWinProvider p;
          char message[512];

          if (group != 0)
            {
              config->kernel |= group;
              continue;
            }
          if (!etw_win_parse_provider (name, &p, message, sizeof message))
            {
              g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED, "%s", message);
              return FALSE;
            }
          g_array_append_val (user, p);
        }
    }
  for (guint i = 0; options->pids != NULL && options->pids[i] != 0; i++)
    {
      guint32 pid = (guint32) options->pids[i];
      g_array_append_val (filter, pid);
    }

  config->stacks = options->stacks;
  config->include_children = options->include_children;
  config->tdh_mode = options->fields ? ETW_TDH_AUTO : ETW_TDH_NONE;
  config->buffer_kb = MIN (options->ring_kb, 1024);
  config->n_providers = user->len;
  config->n_pids = filter->len;
  *providers = (EtwWinProvider *) (gpointer) g_array_free (g_steal_pointer (&user), FALSE);
  *pids = (guint32 *) (gpointer) g_array_free (g_steal_pointer (&filter), FALSE);
  config->providers = *providers;
  config->pids = *pids;
  return TRUE;
}

gboolean
etws_etw_relaunch_elevated (const char  *arguments,
                            GError     **error)
{
  char message[512];
  EtwWinStatus status = etw_win_relaunch_elevated (arguments, message, sizeof message);

  if (status != ETW_WIN_OK)
    {
      g_set_error (error, ETWS_LIVE_ERROR, error_code (status), "%s", message);
      return FALSE;
    }
  return TRUE;
}

/* ---- the platform's live factory (etws-live-private.h) ---- */

const char *const *
_etws_live_backend_list_providers (void)
{
  static const char *const names[] = {
    "process", "thread", "image", "file", "registry", "net", "disk", "cswitch", NULL
  };

  return names;
}

const char *
_etws_live_backend_provider_unavailable_reason (const char *provider)
{
  /* Every name this platform knows is in the list above. */
  return NULL;
}

gboolean
_etws_live_backend_check (GError **error)
{
  if (!etw_win_is_elevated ())
    {
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_PERMISSION,
                   "Live capture needs etwscope to run as administrator: use "
                   "\"Restart as administrator\", or start it from an elevated prompt.");
      return FALSE;
    }
  return TRUE;
}

EtwsSource *
_etws_live_backend_new (const EtwsLiveOptions  *options,
                        GError                **error)
{
  EtwWinConfig config;
  g_autofree EtwWinProvider *providers = NULL;
  g_autofree guint32 *pids = NULL;

  if (!etws_etw_source_config_from_options (options, &config, &providers, &pids, error))
    return NULL;
  return etws_etw_source_new (&config, options->max_events);
}
