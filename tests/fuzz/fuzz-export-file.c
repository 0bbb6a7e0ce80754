/* fuzz-export-file.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The exporters fed decoded events: the input is an .etl image, loaded
 * the way etwcat loads a file (so its strings reach the writers through
 * the decoders and the store), then written in every format. JSON Lines
 * must parse line by line; CSV rows must have the header's column count;
 * every format must be valid UTF-8.
 */
#define G_LOG_DOMAIN "fuzz-export-file"

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-data-common.h"
#include "fuzz-output-check.h"

#include "etws-export.h"

static char *tmp_path;

static void
remove_tmp (void)
{
  if (tmp_path != NULL)
    g_unlink (tmp_path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const EtwsExportFormat formats[] = {
    ETWS_EXPORT_TEXT, ETWS_EXPORT_JSONL, ETWS_EXPORT_CSV, ETWS_EXPORT_PROCMON_CSV,
    ETWS_EXPORT_COLUMNS,
  };
  g_autoptr(GError) error = NULL;

  if (tmp_path == NULL)
    {
      int fd = g_file_open_tmp ("fuzz-export-XXXXXX.etl", &tmp_path, &error);
      FUZZ_CHECK (fd >= 0);
      g_close (fd, NULL);
      atexit (remove_tmp);
    }
  /* Not g_file_set_contents: it syncs to disk, 100 times slower. */
  FILE *fp = fopen (tmp_path, "wb");
  FUZZ_CHECK (fp != NULL);
  FUZZ_CHECK (fwrite (data, 1, size, fp) == size || size == 0);
  fclose (fp);

  g_autoptr(EtwsStore) store = fuzz_load_store (tmp_path);
  EtwsTrace *trace = etws_store_get_trace (store);
  if (trace == NULL)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) werror = NULL;
      gboolean ok = etws_export_write (store, trace, NULL, formats[i], ETWS_EXPORT_FLAGS_NONE,
                                       out, NULL, NULL, NULL, &werror);
      FUZZ_CHECK (ok);
      FUZZ_CHECK (g_output_stream_close (out, NULL, NULL));
      GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (out);
      check_output (formats[i], g_memory_output_stream_get_data (mem),
                    g_memory_output_stream_get_data_size (mem));
    }
  return 0;
}
