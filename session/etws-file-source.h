/* etws-file-source.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "etws-source.h"

G_BEGIN_DECLS

#define ETWS_TYPE_FILE_SOURCE (etws_file_source_get_type ())

G_DECLARE_FINAL_TYPE (EtwsFileSource, etws_file_source, ETWS, FILE_SOURCE, EtwsSource)

/* Reads an .etl or .etl.gz file in time order. */
EtwsSource *etws_file_source_new      (const char     *path);
const char *etws_file_source_get_path (EtwsFileSource *self);

G_END_DECLS
