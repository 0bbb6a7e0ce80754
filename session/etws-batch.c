/* etws-batch.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-batch"

#include "config.h"

#include "etws-batch.h"

EtwsBatch *
etws_batch_new (EtwsTrace *trace)
{
  EtwsBatch *batch = g_new0 (EtwsBatch, 1);

  batch->trace = g_object_ref (trace);
  return batch;
}

void
etws_batch_reset (EtwsBatch *batch)
{
  batch->n_rows = 0;
  batch->n_fixups = 0;
  batch->first_row = 0;
}

void
etws_batch_free (EtwsBatch *batch)
{
  if (batch == NULL)
    return;
  g_clear_object (&batch->trace);
  g_free (batch->rows);
  g_free (batch->fixups);
  g_free (batch);
}
