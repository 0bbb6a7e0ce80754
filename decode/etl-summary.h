/* etl-summary.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whole-file statistics: what `etwcat --summary` prints.
 */
#pragma once

#include "etl-reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  EtwGuid  guid;
  uint64_t count;
} EtlProviderCount;

typedef struct
{
  uint32_t          buffers;
  uint64_t          events;
  uint32_t          lost_events;
  uint32_t          pointer_size;
  uint32_t          cpus;
  uint64_t          header_types[ETW_HDR_LIVE + 1];  /* by EtwHeaderKind */
  uint64_t         *kernel_hooks;                   /* 65536 counters by HookId */
  EtlProviderCount *providers;                      /* open-addressed table */
  uint32_t          providers_cap;
  uint32_t          n_providers;
  bool              have_time;
  int64_t           first_time;                     /* FILETIME, log header excluded */
  int64_t           last_time;
  uint64_t          bytes_scanned;
  uint32_t          n_errors;
  EtlError          error;                          /* first damage, ETL_OK if none */
} EtlSummary;

/* Scans every record in file order. Returns false only when out of memory;
 * damage is reported in summary->error and the counts cover everything
 * that could be read. */
bool etl_summary_compute (const EtlFile *file,
                          EtlSummary    *summary);
void etl_summary_clear   (EtlSummary    *summary);
/* Providers sorted by GUID text, for stable output. Caller frees. */
EtlProviderCount *etl_summary_sorted_providers (const EtlSummary *summary,
                                                uint32_t         *n);

#ifdef __cplusplus
}
#endif
