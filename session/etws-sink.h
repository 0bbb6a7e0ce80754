/* etws-sink.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sink is what a source pushes events into, on the worker thread. It
 * decodes the summary columns, interns strings, joins stacks to their
 * events, and hands rows to the main loop in batches (4,096 events or
 * 16 ms, whichever comes first) through a bounded queue. When the queue is
 * full a file source waits, and a live source's events are dropped and
 * counted.
 */
#pragma once

#include <gio/gio.h>

#include "etw-decode.h"
#include "etw-event.h"

G_BEGIN_DECLS

typedef struct _EtwsSink EtwsSink;
typedef struct _EtwsTrace EtwsTrace;

EtwsTrace *etws_sink_get_trace         (EtwsSink       *sink);
/* Hands one event over; the event's memory may be reused on return.
 * Returns FALSE when the session is stopping (the source should return). */
gboolean   etws_sink_push              (EtwsSink       *sink,
                                        const EtwEvent *ev);
/* As etws_sink_push, for sources that symbolize frames themselves:
 * frame_symbols[i] names ev's frame i ("libc.so.6!__open+0x1b"), or NULL. */
gboolean   etws_sink_push_symbolized   (EtwsSink           *sink,
                                        const EtwEvent     *ev,
                                        const char * const *frame_symbols);
/* Feeds an event to the naming state only (process names, file objects,
 * modules) without making a row: for example a live source's process
 * events when the user did not ask for the Process provider, so that other
 * rows still get their process names. */
void       etws_sink_observe           (EtwsSink       *sink,
                                        const EtwEvent *ev);
/* Takes a decoder that observed the naming events of the whole input
 * beforehand (etw_decoder_new_names_pass), so that events met before their
 * handles are named (file-name and KCB rundowns come at the end of a
 * trace) still get paths. */
void       etws_sink_set_name_fallback (EtwsSink       *sink,
                                        EtwDecoder     *fallback);
/* Sends what is batched now (a live source calls this when idle). */
void       etws_sink_flush             (EtwsSink       *sink);
/* Events the producer lost (PERF_RECORD_LOST, ETW EventsLost, the file
 * header's EventsLost). Added to the total shown to the user. */
void       etws_sink_add_lost          (EtwsSink       *sink,
                                        guint64         n);
void       etws_sink_set_progress      (EtwsSink       *sink,
                                        guint64         done,
                                        guint64         total);
/* A notice for the user about the capture (e.g. a fallback in use). */
void       etws_sink_set_notice        (EtwsSink       *sink,
                                        const char     *notice);
/* Damage that ended part of the input; the events before it are kept. */
void       etws_sink_report_damage     (EtwsSink       *sink,
                                        const GError   *error);
gboolean   etws_sink_is_stopping       (EtwsSink       *sink);

G_END_DECLS
