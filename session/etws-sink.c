/* etws-sink.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ingest: EtwEvent → 48-byte row. Runs on the worker thread.
 */
#define G_LOG_DOMAIN "etws-sink"

#include "config.h"

#include "etws-sink-private.h"

#include "etw-bytes.h"
#include "etw-decode.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etws-event-type.h"
#include "etws-trace.h"

#include <string.h>

/* Recent events by (thread, raw timestamp), to find the event a StackWalk
 * record belongs to. It arrives right after its event (§8 of the format
 * notes), so a direct-mapped table of recent events is enough. */
#define RECENT_BITS 17
/* PERFINFO events (sampled profile, hard faults, …) have no thread in
 * their header; they are also remembered under this thread, so that a
 * stack matches them by timestamp alone. */
#define ANY_THREAD 0xFFFFFFFFu

typedef struct
{
  guint64 row;       /* global row number + 1; 0 = empty */
  gint64  raw_time;
  guint32 tid;
  guint32 pid;
  guint32 stack;     /* stack attached so far */
} Recent;

/* A cached-stack reference (StackWalk opcodes 37/38) waiting for the end of
 * the trace, where every key definition is known. */
typedef struct
{
  guint64 row;       /* global row number */
  guint64 key;
  gint64  raw_time;
  guint32 pid;
  guint8  user;      /* 0 kernel part, 1 user part */
} KeyRef;

typedef struct
{
  gint64  raw_time;  /* when the definition was logged */
  guint   n;
  guint64 frames[];
} KeyDef;

/* Event types repeat: a small cache keyed on the header fields and the
 * names saves the provider and string lookups of event_type_for(). */
#define ETYPE_CACHE 256

typedef struct
{
  EtwGuid provider;
  guint16 id;
  guint16 task;
  guint8  version;
  guint8  opcode;
  guint8  level;
  gboolean valid;
  guint16 etype;
  char    name[64];
  char    operation[64];
} EtypeCacheEntry;

struct _EtwsSink
{
  EtwsTrace           *trace;
  gboolean             live;
  EtwsSinkFuncs        funcs;
  gpointer             user_data;
  GCancellable        *cancellable;
  gint                 stopping;

  EtwDecoder          *decoder;
  EtwDecoder          *name_fallback;
  EtwDecoded          *dec;
  EtwsBatch           *batch;
  gint64               batch_started;
  guint64              records_mark;  /* live: the arena's end when the batch began */
  guint                push_count;

  guint64              next_row;    /* global number of the next row */
  guint64              events_seen;
  guint64              stack_walks;
  guint64              lost;
  guint64              dropped;
  guint64              progress_done;
  guint64              progress_total;

  Recent              *recent;
  GArray              *key_refs;    /* KeyRef */
  GHashTable          *key_defs;    /* key -> GPtrArray of KeyDef*, in time order */
  EtwsFrame           *frame_buf;
  guint                frame_cap;
  EtypeCacheEntry     *etype_cache;
};

static void
key_defs_free (gpointer data)
{
  g_ptr_array_unref (data);
}

EtwsSink *
_etws_sink_new (EtwsTrace           *trace,
                gboolean             live,
                const EtwsSinkFuncs *funcs,
                gpointer             user_data,
                GCancellable        *cancellable)
{
  EtwsSink *sink = g_new0 (EtwsSink, 1);

  sink->trace = g_object_ref (trace);
  sink->live = live;
  sink->funcs = *funcs;
  sink->user_data = user_data;
  sink->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  sink->decoder = etw_decoder_new ();
  sink->dec = g_new0 (EtwDecoded, 1);
  sink->recent = g_new0 (Recent, 1u << RECENT_BITS);
  sink->key_refs = g_array_new (FALSE, FALSE, sizeof (KeyRef));
  sink->key_defs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, key_defs_free);
  sink->frame_cap = 2048;
  sink->frame_buf = g_new (EtwsFrame, sink->frame_cap);
  sink->etype_cache = g_new0 (EtypeCacheEntry, ETYPE_CACHE);
  return sink;
}

void
_etws_sink_free (EtwsSink *sink)
{
  if (sink == NULL)
    return;
  if (sink->batch != NULL)
    etws_batch_free (sink->batch);
  etw_decoder_free (sink->decoder);
  etw_decoder_free (sink->name_fallback);
  g_free (sink->dec);
  g_free (sink->recent);
  g_free (sink->frame_buf);
  g_free (sink->etype_cache);
  g_array_unref (sink->key_refs);
  g_hash_table_unref (sink->key_defs);
  g_clear_object (&sink->cancellable);
  g_clear_object (&sink->trace);
  g_free (sink);
}

void
_etws_sink_stop (EtwsSink *sink)
{
  g_atomic_int_set (&sink->stopping, 1);
}

EtwsTrace *
etws_sink_get_trace (EtwsSink *sink)
{
  return sink->trace;
}

gboolean
etws_sink_is_stopping (EtwsSink *sink)
{
  return g_atomic_int_get (&sink->stopping) ||
         g_cancellable_is_cancelled (sink->cancellable);
}

static void
stamp_batch (EtwsSink  *sink,
             EtwsBatch *batch)
{
  batch->events_seen = sink->events_seen;
  batch->stack_walks = sink->stack_walks;
  batch->lost = sink->lost;
  batch->dropped = sink->dropped;
  batch->progress_done = sink->progress_done;
  batch->progress_total = sink->progress_total;
}

static void
deliver (EtwsSink *sink)
{
  EtwsBatch *batch = sink->batch;
  guint n_rows;

  if (batch == NULL)
    return;
  sink->batch = NULL;
  n_rows = batch->n_rows;
  stamp_batch (sink, batch);
  /* The batch belongs to the worker from here on, dropped or not. */
  if (!sink->funcs.deliver (batch, sink->user_data))
    {
      /* Dropped: its rows never existed, nor do their records. */
      sink->dropped += n_rows;
      sink->next_row -= n_rows;
      if (sink->live)
        etws_trace_records_rewind (sink->trace, sink->records_mark);
    }
}

static EtwsBatch *
current_batch (EtwsSink *sink)
{
  if (sink->batch == NULL)
    {
      sink->batch = sink->funcs.acquire (sink->user_data);
      sink->batch->first_row = sink->next_row;
      sink->batch_started = g_get_monotonic_time ();
      if (sink->live)
        sink->records_mark = etws_trace_records_mark (sink->trace);
    }
  return sink->batch;
}

void
etws_sink_flush (EtwsSink *sink)
{
  if (sink->batch != NULL && (sink->batch->n_rows > 0 || sink->batch->n_fixups > 0))
    deliver (sink);
  else if (sink->batch == NULL)
    {
      /* Nothing batched: still send the counters (lost, progress). */
      current_batch (sink);
      deliver (sink);
    }
}

void
etws_sink_add_lost (EtwsSink *sink,
                    guint64   n)
{
  sink->lost += n;
}

void
etws_sink_set_progress (EtwsSink *sink,
                        guint64   done,
                        guint64   total)
{
  sink->progress_done = done;
  sink->progress_total = total;
}

void
etws_sink_set_notice (EtwsSink   *sink,
                      const char *notice)
{
  if (sink->funcs.notice != NULL)
    sink->funcs.notice (notice, sink->user_data);
}

void
etws_sink_report_damage (EtwsSink     *sink,
                         const GError *error)
{
  if (sink->funcs.damage != NULL)
    sink->funcs.damage (error, sink->user_data);
}

static guint
recent_slot (guint32 tid,
             gint64  raw_time)
{
  guint64 h = ((guint64) raw_time * 0x9E3779B97F4A7C15ull) ^ ((guint64) tid * 0xC2B2AE3D27D4EB4Full);
  return (guint) (h >> (64 - RECENT_BITS));
}

/* Sets the stack of a row, wherever the row is now. */
static void
set_row_stack (EtwsSink *sink,
               guint64   row,
               guint32   stack)
{
  EtwsBatch *batch = current_batch (sink);

  if (row >= batch->first_row && row < batch->first_row + batch->n_rows)
    {
      batch->rows[row - batch->first_row].stack = stack;
      return;
    }
  if (batch->n_fixups == batch->cap_fixups)
    {
      batch->cap_fixups = MAX (64, batch->cap_fixups * 2);
      batch->fixups = g_renew (EtwsStackFixup, batch->fixups, batch->cap_fixups);
    }
  batch->fixups[batch->n_fixups].row = row;
  batch->fixups[batch->n_fixups].stack = stack;
  batch->n_fixups++;
}

static EtwsFrame *
frames_reserve (EtwsSink *sink,
                guint     n)
{
  if (n > sink->frame_cap)
    {
      sink->frame_cap = n;
      sink->frame_buf = g_renew (EtwsFrame, sink->frame_buf, n);
    }
  return sink->frame_buf;
}

static guint32
symbolize (EtwsSink *sink,
           guint32   pid,
           guint64   address)
{
  char buf[512];

  if (!etw_decoder_symbolize (sink->decoder, pid, address, buf, sizeof buf))
    return 0;
  return etws_trace_intern (sink->trace, buf);
}

/* Adds frames to a recent event's stack (kernel part first, then user). */
static void
attach_frames (EtwsSink      *sink,
               Recent        *target,
               const guint8  *addrs,
               guint          n,
               guint          ptr_size)
{
  guint have = 0;
  const EtwsFrame *old = etws_trace_stack (sink->trace, target->stack, &have);
  EtwsFrame *frames;

  if (n > 1024)
    n = 1024;
  frames = frames_reserve (sink, have + n);
  if (have > 0)
    memcpy (frames, old, have * sizeof *frames);
  for (guint i = 0; i < n; i++)
    {
      guint64 a = etw_rd_ptr (addrs + i * ptr_size, ptr_size);
      frames[have + i].address = a;
      frames[have + i].symbol = symbolize (sink, target->pid, a);
      frames[have + i].reserved = 0;
    }
  target->stack = etws_trace_add_stack (sink->trace, target->pid, frames, have + n);
  set_row_stack (sink, target->row - 1, target->stack);
}

static Recent *
find_recent_exact (EtwsSink *sink,
                   guint32   tid,
                   gint64    raw_time)
{
  Recent *r = &sink->recent[recent_slot (tid, raw_time)];

  if (r->row == 0 || r->tid != tid || r->raw_time != raw_time || r->row > sink->next_row)
    return NULL;
  return r;
}

static Recent *
find_recent (EtwsSink *sink,
             guint32   tid,
             gint64    raw_time)
{
  Recent *r = find_recent_exact (sink, tid, raw_time);

  return r != NULL ? r : find_recent_exact (sink, ANY_THREAD, raw_time);
}

static void
remember (EtwsSink *sink,
          guint32   tid,
          gint64    raw_time,
          guint32   pid,
          guint32   stack)
{
  Recent *r = &sink->recent[recent_slot (tid, raw_time)];

  r->row = sink->next_row + 1;
  r->raw_time = raw_time;
  r->tid = tid;
  r->pid = pid;
  r->stack = stack;
}

static void
handle_stack_walk (EtwsSink       *sink,
                   const EtwEvent *ev)
{
  const guint8 *p = ev->payload;
  guint ps = ev->pointer_size;

  sink->stack_walks++;
  switch (ev->opcode)
    {
    case 32: /* Stack: ts, pid, tid, frames */
      if (ev->payload_len >= 16)
        {
          Recent *target = find_recent (sink, etw_rd_u32 (p + 12), etw_rd_i64 (p));
          if (target != NULL)
            attach_frames (sink, target, p + 16, (ev->payload_len - 16) / ps, ps);
        }
      break;

    case 37: /* StackKeyKernel / StackKeyUser: ts, pid, tid, key */
    case 38:
      if (ev->payload_len >= 16 + ps)
        {
          Recent *target = find_recent (sink, etw_rd_u32 (p + 12), etw_rd_i64 (p));
          if (target != NULL)
            {
              KeyRef ref = {
                .row = target->row - 1,
                .key = etw_rd_ptr (p + 16, ps),
                .raw_time = ev->raw_time,
                .pid = target->pid,
                .user = ev->opcode == 38,
              };
              g_array_append_val (sink->key_refs, ref);
            }
        }
      break;

    case 34: /* key create / delete (eviction) / rundown: key, frames */
    case 35:
    case 36:
      if (ev->payload_len >= ps)
        {
          guint n = MIN ((ev->payload_len - ps) / ps, 1024);
          KeyDef *def = g_malloc (sizeof *def + n * sizeof (guint64));
          guint64 key = etw_rd_ptr (p, ps);
          GPtrArray *defs = g_hash_table_lookup (sink->key_defs, &key);

          def->raw_time = ev->raw_time;
          def->n = n;
          for (guint i = 0; i < n; i++)
            def->frames[i] = etw_rd_ptr (p + ps + i * ps, ps);
          if (defs == NULL)
            {
              defs = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (sink->key_defs, g_memdup2 (&key, sizeof key), defs);
            }
          g_ptr_array_add (defs, def);
        }
      break;

    default:
      break;
    }
}

/* A key is defined when its cache entry is evicted or at rundown, so a
 * reference belongs to the first definition logged after it. */
static const KeyDef *
lookup_key (EtwsSink *sink,
            guint64   key,
            gint64    raw_time)
{
  GPtrArray *defs = g_hash_table_lookup (sink->key_defs, &key);

  if (defs == NULL || defs->len == 0)
    return NULL;
  for (guint i = 0; i < defs->len; i++)
    {
      const KeyDef *d = g_ptr_array_index (defs, i);
      if (d->raw_time >= raw_time)
        return d;
    }
  return g_ptr_array_index (defs, defs->len - 1);
}

static int
cmp_key_ref (gconstpointer a,
             gconstpointer b)
{
  const KeyRef *ra = a, *rb = b;

  if (ra->row != rb->row)
    return ra->row < rb->row ? -1 : 1;
  return (int) ra->user - (int) rb->user;
}

static void
resolve_key_refs (EtwsSink *sink)
{
  KeyRef *refs = (KeyRef *) sink->key_refs->data;
  guint n = sink->key_refs->len;

  /* Kernel part before user part for each row. */
  g_array_sort (sink->key_refs, cmp_key_ref);
  for (guint i = 0; i < n;)
    {
      guint j = i, total = 0;
      EtwsFrame *frames;

      while (j < n && refs[j].row == refs[i].row)
        {
          const KeyDef *d = lookup_key (sink, refs[j].key, refs[j].raw_time);
          total += d != NULL ? d->n : 0;
          j++;
        }
      if (total > 0 && refs[i].row < sink->next_row)
        {
          guint k = 0;
          frames = frames_reserve (sink, total);
          for (guint r = i; r < j; r++)
            {
              const KeyDef *d = lookup_key (sink, refs[r].key, refs[r].raw_time);
              for (guint f = 0; d != NULL && f < d->n; f++, k++)
                {
                  frames[k].address = d->frames[f];
                  frames[k].symbol = symbolize (sink, refs[i].pid, d->frames[f]);
                  frames[k].reserved = 0;
                }
            }
          set_row_stack (sink, refs[i].row, etws_trace_add_stack (sink->trace, refs[i].pid, frames, total));
        }
      i = j;
    }
  g_array_set_size (sink->key_refs, 0);
}

void
_etws_sink_finish (EtwsSink *sink)
{
  resolve_key_refs (sink);
  etws_sink_flush (sink);
  /* The last word is an empty batch, which is never dropped, so the final
   * counters (dropped, lost) always arrive. */
  current_batch (sink);
  deliver (sink);
}

static gboolean
same_name (const char *cached,
           const char *name)
{
  return strcmp (cached, name != NULL ? name : "") == 0;
}

static guint16
event_type_for (EtwsSink         *sink,
                const EtwEvent   *ev,
                const EtwDecoded *dec)
{
  EtwsEventType type = { 0 };
  guint h = (etw_guid_hash (&ev->provider) ^ ((guint) ev->id * 31u) ^ ((guint) ev->opcode << 8) ^
             ((guint) ev->version << 16) ^ ev->task) % ETYPE_CACHE;
  EtypeCacheEntry *c = &sink->etype_cache[h];
  gboolean cacheable = (dec->event_name == NULL || strlen (dec->event_name) < sizeof c->name) &&
                       (dec->operation == NULL || strlen (dec->operation) < sizeof c->operation);

  if (c->valid && c->id == ev->id && c->opcode == ev->opcode && c->version == ev->version &&
      c->level == ev->level && c->task == ev->task && etw_guid_equal (&c->provider, &ev->provider) &&
      same_name (c->name, dec->event_name) && same_name (c->operation, dec->operation))
    return c->etype;

  type.provider = etws_trace_provider_index (sink->trace, &ev->provider, dec->provider_name);
  type.id = ev->id;
  type.task = ev->task;
  type.version = ev->version;
  type.opcode = ev->opcode;
  type.level = ev->level;
  type.name = etws_trace_intern (sink->trace, dec->event_name);
  type.operation = etws_trace_intern (sink->trace, dec->operation);
  if (!cacheable)
    return etws_trace_event_type_index (sink->trace, &type);

  c->valid = TRUE;
  c->provider = ev->provider;
  c->id = ev->id;
  c->task = ev->task;
  c->version = ev->version;
  c->opcode = ev->opcode;
  c->level = ev->level;
  g_strlcpy (c->name, dec->event_name != NULL ? dec->event_name : "", sizeof c->name);
  g_strlcpy (c->operation, dec->operation != NULL ? dec->operation : "", sizeof c->operation);
  c->etype = etws_trace_event_type_index (sink->trace, &type);
  return c->etype;
}

static gboolean
push (EtwsSink           *sink,
      const EtwEvent     *ev,
      const char * const *frame_symbols)
{
  EtwsBatch *batch;
  EtwsRow *row;
  EtwDecoded *dec = sink->dec;
  guint32 tid = ev->tid;

  if ((++sink->push_count & 63) == 0 && etws_sink_is_stopping (sink))
    return FALSE;

  sink->events_seen++;
  etw_decoder_observe (sink->decoder, ev);

  if (ev->xflags & ETW_XFLAG_STACK_WALK)
    {
      handle_stack_walk (sink, ev);
      return TRUE;
    }

  etw_decode (sink->decoder, ev, ETW_DECODE_SUMMARY, dec);

  batch = current_batch (sink);
  if (batch->n_rows == batch->cap_rows)
    {
      batch->cap_rows = MAX (ETWS_BATCH_ROWS, batch->cap_rows * 2);
      batch->rows = g_renew (EtwsRow, batch->rows, batch->cap_rows);
    }
  row = &batch->rows[batch->n_rows++];
  memset (row, 0, sizeof *row);
  row->time = ev->time;
  row->pid = dec->pid;
  row->tid = ev->tid;
  row->cpu = (guint16) MIN (ev->cpu, G_MAXUINT16);
  row->kind = ev->kind;
  row->etype = event_type_for (sink, ev, dec);
  row->path = etws_trace_intern (sink->trace, dec->path);
  row->process = etws_trace_intern (sink->trace, dec->process_name);
  row->result = etws_trace_intern (sink->trace, dec->result);
  if (ev->flags & ETW_FLAG_CLASSIC_HEADER)
    row->flags |= ETWS_ROW_CLASSIC;
  if (ev->xflags & ETW_XFLAG_LOG_HEADER)
    row->flags |= ETWS_ROW_LOG_HEADER;
  if (sink->live)
    row->locator = etws_trace_store_record (sink->trace, ev);
  else
    row->locator = (guint64) ev->buffer_index << 32 | ev->buffer_offset;

  /* Stacks carried by the event itself (extended item, perf callchain). */
  if (ev->n_frames > 0 && ev->stack != NULL)
    {
      guint n = MIN (ev->n_frames, 1024);
      EtwsFrame *frames = frames_reserve (sink, n);

      for (guint i = 0; i < n; i++)
        {
          frames[i].address = ev->frame_size == 8 ? etw_rd_u64 (ev->stack + 8 * i)
                                                  : etw_rd_u32 (ev->stack + 4 * i);
          if (frame_symbols != NULL)
            frames[i].symbol = frame_symbols[i] != NULL ? etws_trace_intern (sink->trace, frame_symbols[i]) : 0;
          else
            frames[i].symbol = symbolize (sink, ev->pid, frames[i].address);
          frames[i].reserved = 0;
        }
      row->stack = etws_trace_add_stack (sink->trace, ev->pid, frames, n);
    }

  /* Remember it for StackWalk records. SampledProfile (a PERFINFO event,
   * no thread in its header) carries its thread after the IP. */
  if (ev->kind == ETW_HDR_PERFINFO && ev->hook_id == 0x0F2E &&
      ev->payload_len >= ev->pointer_size + 4u)
    tid = etw_rd_u32 (ev->payload + ev->pointer_size);
  if (!sink->live || ev->origin == ETW_ORIGIN_ETW_LIVE)
    {
      remember (sink, tid, ev->raw_time, dec->pid, row->stack);
      if (ev->kind == ETW_HDR_PERFINFO && tid != ANY_THREAD)
        remember (sink, ANY_THREAD, ev->raw_time, dec->pid, row->stack);
    }
  sink->next_row++;

  if (batch->n_rows >= ETWS_BATCH_ROWS ||
      ((sink->push_count & 63) == 0 &&
       g_get_monotonic_time () - sink->batch_started >= ETWS_BATCH_USEC))
    deliver (sink);
  return TRUE;
}

void
etws_sink_set_name_fallback (EtwsSink   *sink,
                             EtwDecoder *fallback)
{
  etw_decoder_set_fallback (sink->decoder, fallback);
  etw_decoder_free (sink->name_fallback);
  sink->name_fallback = fallback;
}

void
etws_sink_observe (EtwsSink       *sink,
                   const EtwEvent *ev)
{
  etw_decoder_observe (sink->decoder, ev);
}

gboolean
etws_sink_push (EtwsSink       *sink,
                const EtwEvent *ev)
{
  return push (sink, ev, NULL);
}

gboolean
etws_sink_push_symbolized (EtwsSink           *sink,
                           const EtwEvent     *ev,
                           const char * const *frame_symbols)
{
  return push (sink, ev, frame_symbols);
}
