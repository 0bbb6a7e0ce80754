/* etws-filter-bitset.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One bit per store row: what a filter evaluation produces. 10 M rows take
 * 1.25 MB; a view turns it into its row array once.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 *words;
  guint64  n_bits;
} EtwsBitset;

EtwsBitset *etws_bitset_new       (guint64           n_bits);
void        etws_bitset_free      (EtwsBitset       *self);
/* Grows (or shrinks) to n_bits; new bits are clear. */
void        etws_bitset_resize    (EtwsBitset       *self,
                                   guint64           n_bits);
guint64     etws_bitset_count     (const EtwsBitset *self);
/* Bits set among [start, end). */
guint64     etws_bitset_count_range (const EtwsBitset *self,
                                     guint64           start,
                                     guint64           end);
/* Appends the indices of the set bits among [start, end) to rows (guint32),
 * in increasing order. */
void        etws_bitset_append_rows (const EtwsBitset *self,
                                     guint64           start,
                                     guint64           end,
                                     GArray           *rows);

static inline gboolean
etws_bitset_get (const EtwsBitset *self,
                 guint64           i)
{
  return (self->words[i >> 6] >> (i & 63)) & 1;
}

static inline void
etws_bitset_set (EtwsBitset *self,
                 guint64     i)
{
  self->words[i >> 6] |= G_GUINT64_CONSTANT (1) << (i & 63);
}

static inline void
etws_bitset_clear_bit (EtwsBitset *self,
                       guint64     i)
{
  self->words[i >> 6] &= ~(G_GUINT64_CONSTANT (1) << (i & 63));
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsBitset, etws_bitset_free)

G_END_DECLS
