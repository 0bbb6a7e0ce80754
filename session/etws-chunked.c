/* etws-chunked.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-chunked"

#include "config.h"

#include "etws-chunked.h"

void
etws_chunked_init (EtwsChunked *self,
                   gsize        elem_size)
{
  self->elem_size = elem_size;
  self->len = 0;
  self->first = 0;
  self->chunks = g_new0 (guint8 *, ETWS_CHUNK_MAX);
}

void
etws_chunked_clear (EtwsChunked *self)
{
  guint64 used;

  if (self->chunks == NULL)
    return;
  /* Only chunks up to the one holding the last element were allocated. */
  used = MIN ((self->len + ETWS_CHUNK_LEN - 1) >> ETWS_CHUNK_SHIFT, ETWS_CHUNK_MAX);
  for (guint64 i = 0; i < used; i++)
    g_free (self->chunks[i]);
  g_clear_pointer (&self->chunks, g_free);
  self->len = self->first = 0;
}

gpointer
etws_chunked_append (EtwsChunked *self)
{
  guint64 c = self->len >> ETWS_CHUNK_SHIFT;

  if (c >= ETWS_CHUNK_MAX)
    return NULL;
  if (self->chunks[c] == NULL)
    self->chunks[c] = g_malloc0 (ETWS_CHUNK_LEN * self->elem_size);
  return etws_chunked_get (self, self->len++);
}

gpointer
etws_chunked_append_span (EtwsChunked *self,
                          guint        n,
                          guint       *got)
{
  guint64 c = self->len >> ETWS_CHUNK_SHIFT;
  guint room = ETWS_CHUNK_LEN - (guint) (self->len & (ETWS_CHUNK_LEN - 1));
  gpointer p;

  *got = 0;
  if (c >= ETWS_CHUNK_MAX || n == 0)
    return NULL;
  if (self->chunks[c] == NULL)
    self->chunks[c] = g_malloc0 (ETWS_CHUNK_LEN * self->elem_size);
  *got = MIN (n, room);
  p = etws_chunked_get (self, self->len);
  self->len += *got;
  return p;
}

void
etws_chunked_drop_head (EtwsChunked *self,
                        guint64      index)
{
  guint64 from = self->first >> ETWS_CHUNK_SHIFT;
  guint64 to = MIN (index, self->len) >> ETWS_CHUNK_SHIFT;

  for (guint64 c = from; c < to; c++)
    g_clear_pointer (&self->chunks[c], g_free);
  if (index > self->first)
    self->first = MIN (index, self->len);
}

gsize
etws_chunked_bytes (const EtwsChunked *self)
{
  gsize n = 0;

  if (self->chunks == NULL)
    return 0;
  for (guint64 c = self->first >> ETWS_CHUNK_SHIFT;
       c <= (self->len >> ETWS_CHUNK_SHIFT) && c < ETWS_CHUNK_MAX; c++)
    if (self->chunks[c] != NULL)
      n += ETWS_CHUNK_LEN * self->elem_size;
  return n;
}
