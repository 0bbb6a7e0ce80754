/* etws-filter-bitset.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-filter"

#include "config.h"

#include "etws-filter-bitset.h"

#include <string.h>

static guint64
n_words (guint64 n_bits)
{
  return (n_bits + 63) / 64;
}

EtwsBitset *
etws_bitset_new (guint64 n_bits)
{
  EtwsBitset *self = g_new0 (EtwsBitset, 1);

  self->n_bits = n_bits;
  self->words = g_new0 (guint64, MAX (n_words (n_bits), 1));
  return self;
}

void
etws_bitset_free (EtwsBitset *self)
{
  if (self == NULL)
    return;
  g_free (self->words);
  g_free (self);
}

void
etws_bitset_resize (EtwsBitset *self,
                    guint64     n_bits)
{
  guint64 old_words = n_words (self->n_bits), new_words = n_words (n_bits);

  if (new_words != old_words)
    {
      self->words = g_renew (guint64, self->words, MAX (new_words, 1));
      if (new_words > old_words)
        memset (self->words + old_words, 0, (new_words - old_words) * sizeof (guint64));
    }
  /* Bits past the end stay clear, so counts need no masking. */
  if (n_bits < self->n_bits && (n_bits & 63) != 0)
    self->words[n_bits >> 6] &= (G_GUINT64_CONSTANT (1) << (n_bits & 63)) - 1;
  self->n_bits = n_bits;
}

guint64
etws_bitset_count_range (const EtwsBitset *self,
                         guint64           start,
                         guint64           end)
{
  guint64 n = 0;

  end = MIN (end, self->n_bits);
  if (start >= end)
    return 0;
  /* Head and tail words partly, whole words in between. */
  while (start < end && (start & 63) != 0)
    n += etws_bitset_get (self, start++);
  for (; start + 64 <= end; start += 64)
    n += (guint64) __builtin_popcountll (self->words[start >> 6]);
  while (start < end)
    n += etws_bitset_get (self, start++);
  return n;
}

guint64
etws_bitset_count (const EtwsBitset *self)
{
  return etws_bitset_count_range (self, 0, self->n_bits);
}

void
etws_bitset_append_rows (const EtwsBitset *self,
                         guint64           start,
                         guint64           end,
                         GArray           *rows)
{
  guint64 count = etws_bitset_count_range (self, start, end);
  guint old_len = rows->len;
  guint32 *out;
  guint k = 0;

  end = MIN (end, self->n_bits);
  if (count == 0)
    return;
  g_array_set_size (rows, old_len + (guint) count);
  out = &g_array_index (rows, guint32, old_len);
  for (guint64 w = start >> 6; w <= (end - 1) >> 6; w++)
    {
      guint64 bits = self->words[w];
      guint64 base = w << 6;

      if (base < start)
        bits &= ~G_GUINT64_CONSTANT (0) << (start - base);
      if (end - base < 64)
        bits &= (G_GUINT64_CONSTANT (1) << (end - base)) - 1;
      while (bits != 0)
        {
          out[k++] = (guint32) (base + (guint64) __builtin_ctzll (bits));
          bits &= bits - 1;
        }
    }
  g_assert (k == count);
}
