/* fuzz-data-common.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading a store for the data/ harnesses: the path etwcat and the viewer
 * take (file source, worker thread, ingest, store).
 */
#pragma once

#include <gio/gio.h>

#include "fuzz-common.h"

#include "etws-file-source.h"
#include "etws-store.h"
#include "etws-worker.h"

static inline EtwsStore *
fuzz_load_store (const char *path)
{
  g_autoptr(EtwsSource) source = etws_file_source_new (path);
  g_autoptr(EtwsWorker) worker = etws_worker_new (source);
  EtwsStore *store = etws_store_new ();

  etws_store_attach (store, worker);
  etws_worker_start (worker);
  etws_worker_wait (worker);
  return store;
}
