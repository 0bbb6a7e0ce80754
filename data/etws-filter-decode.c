/* etws-filter-decode.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-filter"

#include "config.h"

#include "etws-filter-decode.h"

#include "etws-event-type.h"

/* A record reader caches a few inflated buffers (compressed .etl files).
 * Rows in time order hop between the buffers of every CPU, more than one
 * reader's cache holds, so reads are spread over several readers by buffer
 * number: each buffer is inflated about once per scan. */
#define N_READERS 16

struct _EtwsRowDecoder
{
  EtwsStore        *store;
  EtwsTrace        *trace;
  EtwsRecordReader *readers[N_READERS];
  EtwDecoder       *decoder;
  EtwDecoded       *dec;
  EtwEvent          ev;
  guint64           next_observe;  /* global row number */
  gboolean          replay;
  EtwsStackFrame   *frames;
  guint             frames_cap;
};

EtwsRowDecoder *
etws_row_decoder_new (EtwsStore *store,
                      EtwsTrace *trace)
{
  EtwsRowDecoder *self = g_new0 (EtwsRowDecoder, 1);

  self->store = g_object_ref (store);
  self->trace = trace != NULL ? g_object_ref (trace) : NULL;
  self->decoder = etw_decoder_new ();
  self->dec = g_new0 (EtwDecoded, 1);
  self->replay = TRUE;
  return self;
}

void
etws_row_decoder_free (EtwsRowDecoder *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_READERS; i++)
    g_clear_pointer (&self->readers[i], etws_record_reader_free);
  etw_decoder_free (self->decoder);
  g_free (self->dec);
  g_free (self->frames);
  g_clear_object (&self->trace);
  g_clear_object (&self->store);
  g_free (self);
}

void
etws_row_decoder_set_replay (EtwsRowDecoder *self,
                             gboolean        replay)
{
  self->replay = replay;
}

static const char *
store_string (EtwsRowDecoder *self,
              guint32         id)
{
  return id != 0 ? etws_trace_string (self->trace, id) : NULL;
}

static gboolean
read_row (EtwsRowDecoder *self,
          guint64         index)
{
  guint64 locator = etws_store_get_locator (self->store, index);
  guint slot = (guint) ((locator >> 32) % N_READERS);

  if (self->readers[slot] == NULL)
    self->readers[slot] = etws_record_reader_new (self->trace);
  return etws_record_reader_read (self->readers[slot], locator, &self->ev);
}

const EtwDecoded *
etws_row_decoder_decode (EtwsRowDecoder  *self,
                         guint64          index,
                         unsigned         flags,
                         const EtwEvent **event)
{
  guint64 first = etws_store_get_first_row (self->store);
  guint64 g = first + index;
  const EtwsEventType *type;
  EtwDecoded *dec = self->dec;

  /* No row-count check: callers pass rows they know exist, and reading the
   * count from a worker thread would race with appends. */
  if (self->trace == NULL)
    return NULL;

  if (self->replay && g >= self->next_observe)
    {
      for (guint64 r = MAX (self->next_observe, first); r < g; r++)
        if (read_row (self, r - first))
          etw_decoder_observe (self->decoder, &self->ev);
    }
  if (!read_row (self, index))
    return NULL;
  if (self->replay && g >= self->next_observe)
    {
      etw_decoder_observe (self->decoder, &self->ev);
      self->next_observe = g + 1;
    }
  etw_decode (self->decoder, &self->ev, flags | ETW_DECODE_SUMMARY, dec);

  /* The store's summary was made with the ingest's complete naming state. */
  type = etws_store_get_event_type (self->store, index);
  dec->pid = etws_store_get_pid (self->store, index);
  dec->process_name = store_string (self, etws_store_get_process (self->store, index));
  dec->path = store_string (self, etws_store_get_path (self->store, index));
  dec->result = store_string (self, etws_store_get_result (self->store, index));
  dec->operation = type != NULL ? store_string (self, type->operation) : dec->operation;

  if (event != NULL)
    *event = &self->ev;
  return dec;
}

const EtwsStackFrame *
etws_row_decoder_stack (EtwsRowDecoder *self,
                        guint64         index,
                        guint          *n_frames)
{
  guint n = 0;
  const EtwsFrame *frames;

  *n_frames = 0;
  if (self->trace == NULL)
    return NULL;
  frames = etws_trace_stack (self->trace, etws_store_get_stack (self->store, index), &n);
  if (n == 0)
    return NULL;
  if (n > self->frames_cap)
    {
      self->frames_cap = n;
      self->frames = g_renew (EtwsStackFrame, self->frames, n);
    }
  for (guint i = 0; i < n; i++)
    {
      self->frames[i].address = frames[i].address;
      self->frames[i].symbol = store_string (self, frames[i].symbol);
    }
  *n_frames = n;
  return self->frames;
}
