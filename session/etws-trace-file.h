/* etws-trace-file.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "etl-reader.h"

G_BEGIN_DECLS

#define ETWS_TRACE_ERROR (etws_trace_error_quark ())

typedef enum
{
  ETWS_TRACE_ERROR_NOT_ETL,
  ETWS_TRACE_ERROR_DAMAGED,
} EtwsTraceError;

typedef struct _EtwsTraceFile EtwsTraceFile;

GQuark         etws_trace_error_quark        (void);
/* Maps an .etl file, or inflates an .etl.gz (detected by its magic, not
 * its name) into an unlinked temporary file first, then opens it with the
 * portable reader. Fails only if not even the log-file header is readable;
 * damage further in is reported by etws_trace_file_dup_damage(). */
EtwsTraceFile *etws_trace_file_open          (const char     *path,
                                              GCancellable   *cancellable,
                                              GError        **error);
EtwsTraceFile *etws_trace_file_ref           (EtwsTraceFile  *self);
void           etws_trace_file_unref         (EtwsTraceFile  *self);
const EtlFile *etws_trace_file_get_etl       (EtwsTraceFile  *self);
const char    *etws_trace_file_get_path      (EtwsTraceFile  *self);
gboolean       etws_trace_file_is_gzip       (EtwsTraceFile  *self);
/* Size of the .etl image (inflated size for .etl.gz). */
guint64        etws_trace_file_get_size      (EtwsTraceFile  *self);
/* Damage found while opening (truncated gzip stream, broken buffer walk),
 * or NULL. The message names the byte offset where reading stopped. */
GError        *etws_trace_file_dup_damage    (EtwsTraceFile  *self);
/* Turns a reader error into a GError whose message says where. */
GError        *etws_trace_error_from_etl     (const EtlError *err,
                                              const char     *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtwsTraceFile, etws_trace_file_unref)

G_END_DECLS
