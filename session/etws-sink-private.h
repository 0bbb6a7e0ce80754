/* etws-sink-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "etws-batch.h"
#include "etws-sink.h"

G_BEGIN_DECLS

#define ETWS_BATCH_ROWS     4096
#define ETWS_BATCH_USEC     16000

typedef struct
{
  /* Takes the batch. Returns FALSE if it was dropped (live, queue full);
   * the sink then forgets its rows. */
  gboolean   (*deliver)  (EtwsBatch  *batch,
                          gpointer    user_data);
  /* Returns an empty batch for the trace. */
  EtwsBatch *(*acquire)  (gpointer    user_data);
  void       (*notice)   (const char *notice,
                          gpointer    user_data);
  void       (*damage)   (const GError *error,
                          gpointer    user_data);
} EtwsSinkFuncs;

EtwsSink *_etws_sink_new    (EtwsTrace           *trace,
                             gboolean             live,
                             const EtwsSinkFuncs *funcs,
                             gpointer             user_data,
                             GCancellable        *cancellable);
/* End of input: resolves stack keys defined after their use, then sends
 * what is left. */
void      _etws_sink_finish (EtwsSink            *sink);
void      _etws_sink_free   (EtwsSink            *sink);
/* Ask the sink to stop accepting events (any thread). */
void      _etws_sink_stop   (EtwsSink            *sink);

G_END_DECLS
