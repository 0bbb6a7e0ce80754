/* etws-chunked.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An append-only array of fixed-size elements stored in chunks that never
 * move. Lookups are O(1) (shift and mask), appends never copy what is
 * already stored, and the oldest chunks can be released. One thread
 * appends; other threads may read any element whose index was published to
 * them (through a queue or a lock), without further locking, because the
 * chunk directory has a fixed size and is never reallocated.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ETWS_CHUNK_SHIFT 16                 /* 65,536 elements per chunk */
#define ETWS_CHUNK_LEN   (1u << ETWS_CHUNK_SHIFT)
#define ETWS_CHUNK_MAX   (1u << 16)         /* 2^32 elements at most */

typedef struct
{
  gsize    elem_size;
  guint64  len;          /* elements appended so far */
  guint64  first;        /* index of the oldest element still stored */
  guint8 **chunks;       /* ETWS_CHUNK_MAX entries */
} EtwsChunked;

void     etws_chunked_init      (EtwsChunked *self,
                                 gsize        elem_size);
void     etws_chunked_clear     (EtwsChunked *self);
/* Returns a pointer to a new zeroed element at index self->len, or NULL if
 * the array is full. */
gpointer etws_chunked_append    (EtwsChunked *self);
/* Appends up to n zeroed elements that are contiguous in memory (they stop
 * at the end of a chunk). Returns the first, and the count in *got (0 and
 * NULL when full). */
gpointer etws_chunked_append_span (EtwsChunked *self,
                                   guint        n,
                                   guint       *got);
/* Frees whole chunks below `index` (elements below it must not be read
 * afterwards). */
void     etws_chunked_drop_head (EtwsChunked *self,
                                 guint64      index);
/* Bytes allocated, for memory accounting. */
gsize    etws_chunked_bytes     (const EtwsChunked *self);

static inline gpointer
etws_chunked_get (const EtwsChunked *self,
                  guint64            index)
{
  return self->chunks[index >> ETWS_CHUNK_SHIFT] +
         (index & (ETWS_CHUNK_LEN - 1)) * self->elem_size;
}

G_END_DECLS
