/* etws-file-source.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-file-source"

#include "config.h"

#include "etws-file-source.h"

#include "etw-decode.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etws-trace-file.h"
#include "etws-trace.h"

struct _EtwsFileSource
{
  EtwsSource     parent_instance;
  char          *path;
  EtwsTraceFile *file;
};

G_DEFINE_FINAL_TYPE (EtwsFileSource, etws_file_source, ETWS_TYPE_SOURCE)

static EtwsTrace *
etws_file_source_open (EtwsSource    *source,
                       GCancellable  *cancellable,
                       GError       **error)
{
  EtwsFileSource *self = ETWS_FILE_SOURCE (source);

  g_clear_pointer (&self->file, etws_trace_file_unref);
  self->file = etws_trace_file_open (self->path, cancellable, error);
  if (self->file == NULL)
    return NULL;
  return etws_trace_new_for_file (self->file);
}

/* Above this size only the tail of the file is read for names (the
 * rundowns are written when the session stops), so that a huge file's
 * first rows are not held back. */
#define NAMES_PASS_FULL_BYTES (512u << 20)
#define NAMES_PASS_TAIL_BYTES (256u << 20)

/* Keeps the records that can name handles: the kernel's FileIo (group 4)
 * and Registry (group 9) events, and the Kernel-File and Kernel-Registry
 * providers'. The names pass then parses only those. */
static bool
maybe_names_handles (const uint8_t *r,
                     uint32_t       size,
                     void          *data)
{
  uint8_t ht = r[2];

  switch (ht)
    {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x10: case 0x11:
      return r[7] == 0x04 || r[7] == 0x09;  /* hook group: high byte of +6 */
    case 0x12: case 0x13:
      {
        EtwGuid g;
        if (size < 0x28)
          return false;
        etw_guid_read (&g, r + 0x18);
        return etw_guid_equal (&g, &ETW_GUID_KERNEL_FILE) ||
               etw_guid_equal (&g, &ETW_GUID_KERNEL_REGISTRY);
      }
    default:
      return false;
    }
}

/* Reads the naming events (file-name and KCB rundowns) of the file before
 * its events go to the sink: events before the rundown then get paths. */
static void
names_pass (EtwsFileSource *self,
            EtwsSink       *sink,
            GCancellable   *cancellable)
{
  const EtlFile *etl = etws_trace_file_get_etl (self->file);
  uint32_t n = etl_file_n_buffers (etl), first = 0;
  guint64 total = 0, seen = 0;
  EtwDecoder *names;
  EtlIter *iter;
  EtwEvent ev;
  guint count = 0;

  for (uint32_t i = 0; i < n; i++)
    total += etl_file_buffer (etl, i)->used;
  if (total > NAMES_PASS_FULL_BYTES)
    for (first = n; first > 0 && seen < NAMES_PASS_TAIL_BYTES; first--)
      seen += etl_file_buffer (etl, first - 1)->used;

  names = etw_decoder_new_names_pass ();
  iter = etl_iter_new_range (etl, first, n);
  if (iter != NULL)
    etl_iter_set_prefilter (iter, maybe_names_handles, NULL);
  if (names == NULL || iter == NULL)
    {
      etw_decoder_free (names);
      etl_iter_free (iter);
      return;
    }
  while (etl_iter_next (iter, &ev))
    {
      if (etw_event_names_handles (&ev))
        {
          etw_decoder_observe (names, &ev);
          count++;
        }
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  etl_iter_free (iter);
  g_debug ("names pass over buffers %u..%u: %u naming events", first, n, count);
  etws_sink_set_name_fallback (sink, names);
}

static gboolean
etws_file_source_run (EtwsSource    *source,
                      EtwsSink      *sink,
                      GCancellable  *cancellable,
                      GError       **error)
{
  EtwsFileSource *self = ETWS_FILE_SOURCE (source);
  const EtlFile *etl = etws_trace_file_get_etl (self->file);
  g_autoptr(GError) damage = etws_trace_file_dup_damage (self->file);
  guint64 total = etws_trace_file_get_size (self->file);
  EtlIter *iter = etl_iter_new (etl, ETL_ORDER_TIME);
  EtwEvent ev;
  guint n = 0;

  if (iter == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Out of memory reading %s", self->path);
      return FALSE;
    }

  /* The file header's count is all an .etl file says about loss. */
  etws_sink_add_lost (sink, etl_file_info (etl)->events_lost);
  names_pass (self, sink, cancellable);

  while (etl_iter_next (iter, &ev))
    {
      if (!etws_sink_push (sink, &ev))
        break;
      if ((++n & 4095) == 0)
        {
          if (g_cancellable_is_cancelled (cancellable))
            break;
          etws_sink_set_progress (sink, etl_iter_position (iter), total);
        }
    }
  etws_sink_set_progress (sink, total, total);

  if (etl_iter_error (iter)->code != ETL_OK)
    {
      g_autoptr(GError) iter_error = etws_trace_error_from_etl (etl_iter_error (iter), self->path);
      etws_sink_report_damage (sink, iter_error);
    }
  else if (damage != NULL)
    etws_sink_report_damage (sink, damage);

  etl_iter_free (iter);
  return TRUE;
}

static void
etws_file_source_finalize (GObject *object)
{
  EtwsFileSource *self = ETWS_FILE_SOURCE (object);

  g_clear_pointer (&self->file, etws_trace_file_unref);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (etws_file_source_parent_class)->finalize (object);
}

static void
etws_file_source_class_init (EtwsFileSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EtwsSourceClass *source_class = ETWS_SOURCE_CLASS (klass);

  object_class->finalize = etws_file_source_finalize;
  source_class->open = etws_file_source_open;
  source_class->run = etws_file_source_run;
}

static void
etws_file_source_init (EtwsFileSource *self)
{
}

EtwsSource *
etws_file_source_new (const char *path)
{
  EtwsFileSource *self = g_object_new (ETWS_TYPE_FILE_SOURCE, "live", FALSE, NULL);

  self->path = g_strdup (path);
  return ETWS_SOURCE (self);
}

const char *
etws_file_source_get_path (EtwsFileSource *self)
{
  return self->path;
}
