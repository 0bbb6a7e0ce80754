/* etws-trace.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EtwsTrace holds what one capture or one file shares between the worker
 * that fills it and the threads that read it: interned strings, providers,
 * stacks, and the record bytes (the mapped file, or an arena for live
 * events).
 *
 * Threading: only the worker thread calls the functions marked (worker).
 * Any thread may read an id or locator once it was handed over through the
 * worker's queue; storage never moves, so reads take no lock.
 */
#pragma once

#include <gio/gio.h>

#include "etw-event.h"
#include "etws-trace-file.h"

G_BEGIN_DECLS

#define ETWS_TYPE_TRACE (etws_trace_get_type ())

G_DECLARE_FINAL_TYPE (EtwsTrace, etws_trace, ETWS, TRACE, GObject)

typedef struct
{
  EtwGuid     guid;
  const char *name;  /* known name, TraceLogging name or GUID text */
} EtwsProvider;

typedef struct
{
  guint64 address;
  guint32 symbol;    /* string id of "module+0xoffset" / symbol, 0 if unresolved */
  guint32 reserved;
} EtwsFrame;

typedef struct _EtwsRecordReader EtwsRecordReader;

/* A trace over an opened .etl file; record locators are (buffer << 32 | offset). */
EtwsTrace        *etws_trace_new_for_file      (EtwsTraceFile    *file);
/* A trace for a live capture; records are copied into an arena. */
EtwsTrace        *etws_trace_new_live          (const char       *description);

EtwsTraceFile    *etws_trace_get_file          (EtwsTrace        *self);
gboolean          etws_trace_is_live           (EtwsTrace        *self);
const char       *etws_trace_get_description   (EtwsTrace        *self);

/* Strings. Id 0 is the empty string. */
guint32           etws_trace_intern            (EtwsTrace        *self,
                                                const char       *str);   /* (worker) */
guint32           etws_trace_intern_len        (EtwsTrace        *self,
                                                const char       *str,
                                                gsize             len);   /* (worker) */
const char       *etws_trace_string            (EtwsTrace        *self,
                                                guint32           id);
guint32           etws_trace_n_strings         (EtwsTrace        *self);

/* Providers, by index (0 … n-1). */
guint16           etws_trace_provider_index    (EtwsTrace        *self,
                                                const EtwGuid    *guid,
                                                const char       *name);  /* (worker) */
const EtwsProvider *etws_trace_provider        (EtwsTrace        *self,
                                                guint16           index);
guint             etws_trace_n_providers       (EtwsTrace        *self);

/* Stacks. Id 0 means no stack. Identical stacks of a process share an id. */
guint32           etws_trace_add_stack         (EtwsTrace        *self,
                                                guint32           pid,
                                                const EtwsFrame  *frames,
                                                guint             n_frames); /* (worker) */
/* Returns the frames of a stack and their count (0 for id 0). */
const EtwsFrame  *etws_trace_stack             (EtwsTrace        *self,
                                                guint32           id,
                                                guint            *n_frames);

/* Records of live traces. Returns the locator, or G_MAXUINT64 if it could
 * not be stored. (worker) */
guint64           etws_trace_store_record      (EtwsTrace        *self,
                                                const EtwEvent   *ev);
/* The arena's end, and going back to it: records stored since the mark
 * belong to rows that were never delivered (a batch the viewer dropped),
 * so their bytes are reused. (worker) */
guint64           etws_trace_records_mark      (EtwsTrace        *self);
void              etws_trace_records_rewind    (EtwsTrace        *self,
                                                guint64           mark);
/* Drops live records below `locator` (memory cap: oldest events go). */
void              etws_trace_drop_records_before (EtwsTrace      *self,
                                                  guint64         locator);
/* Bytes held for records, strings and stacks. */
gsize             etws_trace_get_memory        (EtwsTrace        *self);
/* Of those, the live records' chunks (spares included). */
gsize             etws_trace_get_record_memory (EtwsTrace        *self);

/* One per reading thread: re-reads a record by its locator. The event's
 * pointers stay valid until the next read with the same reader. */
EtwsRecordReader *etws_record_reader_new       (EtwsTrace        *trace);
void              etws_record_reader_free      (EtwsRecordReader *reader);
gboolean          etws_record_reader_read      (EtwsRecordReader *reader,
                                                guint64           locator,
                                                EtwEvent         *ev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsRecordReader, etws_record_reader_free)

G_END_DECLS
