/* etws-filter-decode.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Full decoding of stored rows, for `detail` / `field.*` filters and for
 * exports. One per thread.
 *
 * The decoder that names things (process names, file objects, registry
 * keys) learns from every event in order. The ingest's decoder is gone once
 * a file is loaded, so this one replays: asked for a later row, it first
 * observes the rows in between. Scans in store order thus decode exactly
 * as the ingest did; a jump backwards decodes with the names known so far.
 * The summary columns (process, path, result, operation, pid) always come
 * from the store, which the ingest filled with the complete state.
 */
#pragma once

#include <glib.h>

#include "etw-decode.h"
#include "etws-format.h"
#include "etws-store.h"

G_BEGIN_DECLS

typedef struct _EtwsRowDecoder EtwsRowDecoder;

/* trace: the store's trace, read on the main thread (NULL for an empty
 * store). */
EtwsRowDecoder       *etws_row_decoder_new    (EtwsStore      *store,
                                               EtwsTrace      *trace);
void                  etws_row_decoder_free   (EtwsRowDecoder *self);
/* Off: decode rows on their own, without observing the rows before (for
 * one-off decodes far into a trace). On by default. */
void                  etws_row_decoder_set_replay (EtwsRowDecoder *self,
                                                   gboolean        replay);
/* Decodes store row `index` (one that exists: it is not checked) with
 * ETW_DECODE_* flags. NULL when the record cannot be read. The results (and *event) stay valid until the next call. */
const EtwDecoded     *etws_row_decoder_decode (EtwsRowDecoder  *self,
                                               guint64          index,
                                               unsigned         flags,
                                               const EtwEvent **event);
/* The stack the ingest joined to row `index`, with symbols. Valid until the
 * next call. */
const EtwsStackFrame *etws_row_decoder_stack  (EtwsRowDecoder  *self,
                                               guint64          index,
                                               guint           *n_frames);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsRowDecoder, etws_row_decoder_free)

G_END_DECLS
