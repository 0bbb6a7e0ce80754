/* etl-summary.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etl-summary.h"

#include "etw-guid.h"

#include <stdlib.h>
#include <string.h>

static bool
provider_add (EtlSummary    *s,
              const EtwGuid *guid)
{
  if ((s->n_providers + 1) * 2 > s->providers_cap)
    {
      uint32_t cap = s->providers_cap ? s->providers_cap * 2 : 64;
      EtlProviderCount *t = calloc (cap, sizeof *t);
      if (t == NULL)
        return false;
      for (uint32_t i = 0; i < s->providers_cap; i++)
        if (s->providers[i].count > 0)
          {
            uint32_t h = etw_guid_hash (&s->providers[i].guid) & (cap - 1);
            while (t[h].count > 0)
              h = (h + 1) & (cap - 1);
            t[h] = s->providers[i];
          }
      free (s->providers);
      s->providers = t;
      s->providers_cap = cap;
    }
  uint32_t h = etw_guid_hash (guid) & (s->providers_cap - 1);
  while (s->providers[h].count > 0 && !etw_guid_equal (&s->providers[h].guid, guid))
    h = (h + 1) & (s->providers_cap - 1);
  if (s->providers[h].count == 0)
    {
      s->providers[h].guid = *guid;
      s->n_providers++;
    }
  s->providers[h].count++;
  return true;
}

bool
etl_summary_compute (const EtlFile *file,
                     EtlSummary    *s)
{
  const EtlLogInfo *info = etl_file_info (file);
  EtlIter *iter;
  EtwEvent ev;

  memset (s, 0, sizeof *s);
  s->kernel_hooks = calloc (65536, sizeof *s->kernel_hooks);
  iter = etl_iter_new (file, ETL_ORDER_FILE);
  if (s->kernel_hooks == NULL || iter == NULL)
    {
      etl_iter_free (iter);
      etl_summary_clear (s);
      return false;
    }

  s->buffers = etl_file_n_buffers (file);
  s->lost_events = info->events_lost;
  s->pointer_size = info->pointer_size;
  s->cpus = info->n_cpus;

  while (etl_iter_next (iter, &ev))
    {
      s->events++;
      s->header_types[ev.kind]++;
      switch (ev.kind)
        {
        case ETW_HDR_SYSTEM:
        case ETW_HDR_COMPACT:
        case ETW_HDR_PERFINFO:
          s->kernel_hooks[ev.hook_id]++;
          break;
        case ETW_HDR_EVENT:
        case ETW_HDR_CLASSIC:
        case ETW_HDR_INSTANCE:
          if (!provider_add (s, &ev.provider))
            {
              etl_iter_free (iter);
              etl_summary_clear (s);
              return false;
            }
          break;
        default:
          break;
        }
      if (ev.xflags & ETW_XFLAG_LOG_HEADER)
        continue;
      if (!s->have_time || ev.time < s->first_time)
        s->first_time = ev.time;
      if (!s->have_time || ev.time > s->last_time)
        s->last_time = ev.time;
      s->have_time = true;
    }

  s->n_errors = etl_iter_n_errors (iter);
  s->error = *etl_iter_error (iter);
  s->bytes_scanned = etl_iter_position (iter);
  etl_iter_free (iter);
  return true;
}

void
etl_summary_clear (EtlSummary *s)
{
  free (s->kernel_hooks);
  free (s->providers);
  s->kernel_hooks = NULL;
  s->providers = NULL;
  s->providers_cap = s->n_providers = 0;
}

static int
cmp_provider (const void *a,
              const void *b)
{
  char sa[ETW_GUID_STRING_LEN + 1], sb[ETW_GUID_STRING_LEN + 1];

  etw_guid_format (&((const EtlProviderCount *) a)->guid, sa);
  etw_guid_format (&((const EtlProviderCount *) b)->guid, sb);
  return strcmp (sa, sb);
}

EtlProviderCount *
etl_summary_sorted_providers (const EtlSummary *s,
                              uint32_t         *n)
{
  EtlProviderCount *out = malloc ((s->n_providers + 1) * sizeof *out);
  uint32_t k = 0;

  if (out == NULL)
    {
      *n = 0;
      return NULL;
    }
  for (uint32_t i = 0; i < s->providers_cap; i++)
    if (s->providers[i].count > 0)
      out[k++] = s->providers[i];
  qsort (out, k, sizeof *out, cmp_provider);
  *n = k;
  return out;
}
