/* etws-trace.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-trace"

#include "config.h"

#include "etws-trace.h"

#include "etl-reader.h"
#include "etw-guid.h"
#include "etw-record.h"
#include "etws-chunked.h"
#include "etws-event-type.h"

#include <string.h>

#define ARENA_CHUNK (4u << 20)
#define ARENA_MAX_CHUNKS (1u << 16)
#define MAX_STRING (64u * 1024u)

/* Append-only byte arena in fixed chunks; an item never straddles two. */
typedef struct
{
  guint8 **chunks;
  gint     n_chunks;    /* written by the appending thread, read anywhere */
  gint     n_alloc;     /* chunks allocated; those past n_chunks are spares
                         * left by a rewind, reused before allocating */
  guint32  first;       /* oldest chunk still held */
  guint32  used;        /* bytes used in the last chunk */
  gsize    bytes;       /* allocated, by the appending thread */
  gsize    freed;       /* released, by the thread dropping old records */
} Arena;

typedef struct
{
  guint32 hash;
  guint32 id;       /* 0 = empty */
} StrSlot;

typedef struct
{
  guint64 first_frame;
  guint32 n_frames;
  guint32 pid;
} StackEntry;

struct _EtwsTrace
{
  GObject        parent_instance;

  EtwsTraceFile *file;
  char          *description;
  gboolean       live;

  Arena          strings;
  EtwsChunked    string_ptrs;   /* const char * by id */
  StrSlot       *string_ids;    /* (worker) open-addressed: hash, id */
  guint32        string_ids_cap;

  EtwsChunked    providers;     /* EtwsProvider */
  GHashTable    *provider_ids;  /* (worker) EtwGuid* -> index + 1 */

  EtwsChunked    frames;        /* EtwsFrame */
  EtwsChunked    stacks;        /* StackEntry by id */
  GHashTable    *stack_ids;     /* (worker) id -> id, hashed on content */

  EtwsChunked    event_types;   /* EtwsEventType */
  GHashTable    *event_type_ids; /* (worker) EtwsEventType* -> index + 1 */

  Arena          records;       /* live records */
};

G_DEFINE_FINAL_TYPE (EtwsTrace, etws_trace, G_TYPE_OBJECT)

static void
arena_init (Arena *a)
{
  a->chunks = g_new0 (guint8 *, ARENA_MAX_CHUNKS);
  a->n_chunks = 0;
  a->used = ARENA_CHUNK;
}

static void
arena_clear (Arena *a)
{
  if (a->chunks == NULL)
    return;
  for (gint i = 0; i < a->n_alloc; i++)
    g_free (a->chunks[i]);
  g_clear_pointer (&a->chunks, g_free);
}

/* Reserves `size` bytes; returns NULL when the arena is full or the item
 * is larger than a chunk. */
static guint8 *
arena_alloc (Arena   *a,
             gsize    size,
             guint64 *locator)
{
  if (size > ARENA_CHUNK)
    return NULL;
  if (a->used + size > ARENA_CHUNK)
    {
      if ((guint) a->n_chunks >= ARENA_MAX_CHUNKS)
        return NULL;
      if (a->n_chunks >= a->n_alloc)
        {
          a->chunks[a->n_chunks] = g_malloc (ARENA_CHUNK);
          a->n_alloc = a->n_chunks + 1;
          g_atomic_pointer_add (&a->bytes, ARENA_CHUNK);
        }
      g_atomic_int_set (&a->n_chunks, a->n_chunks + 1);
      a->used = 0;
    }
  guint8 *p = a->chunks[a->n_chunks - 1] + a->used;
  if (locator != NULL)
    *locator = ((guint64) (a->n_chunks - 1) << 32) | a->used;
  a->used += (guint32) size;
  return p;
}

static guint
guid_hash (gconstpointer p)
{
  return etw_guid_hash (p);
}

static gboolean
guid_equal (gconstpointer a,
            gconstpointer b)
{
  return etw_guid_equal (a, b);
}

static guint
event_type_hash (gconstpointer p)
{
  const guint8 *b = p;
  guint h = 2166136261u;

  for (gsize i = 0; i < sizeof (EtwsEventType); i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

static gboolean
event_type_equal (gconstpointer a,
                  gconstpointer b)
{
  return memcmp (a, b, sizeof (EtwsEventType)) == 0;
}

static void
etws_trace_finalize (GObject *object)
{
  EtwsTrace *self = ETWS_TRACE (object);

  g_clear_pointer (&self->file, etws_trace_file_unref);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->string_ids, g_free);
  g_clear_pointer (&self->provider_ids, g_hash_table_unref);
  g_clear_pointer (&self->stack_ids, g_hash_table_unref);
  arena_clear (&self->strings);
  arena_clear (&self->records);
  etws_chunked_clear (&self->string_ptrs);
  etws_chunked_clear (&self->providers);
  etws_chunked_clear (&self->frames);
  etws_chunked_clear (&self->stacks);
  etws_chunked_clear (&self->event_types);
  g_clear_pointer (&self->event_type_ids, g_hash_table_unref);

  G_OBJECT_CLASS (etws_trace_parent_class)->finalize (object);
}

static void
etws_trace_class_init (EtwsTraceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = etws_trace_finalize;
}

static void
etws_trace_init (EtwsTrace *self)
{
  const char **empty;
  StackEntry *none;

  arena_init (&self->strings);
  arena_init (&self->records);
  etws_chunked_init (&self->string_ptrs, sizeof (const char *));
  etws_chunked_init (&self->providers, sizeof (EtwsProvider));
  etws_chunked_init (&self->frames, sizeof (EtwsFrame));
  etws_chunked_init (&self->stacks, sizeof (StackEntry));
  etws_chunked_init (&self->event_types, sizeof (EtwsEventType));
  self->event_type_ids = g_hash_table_new (event_type_hash, event_type_equal);
  self->string_ids_cap = 1024;
  self->string_ids = g_new0 (StrSlot, self->string_ids_cap);
  self->provider_ids = g_hash_table_new (guid_hash, guid_equal);
  self->stack_ids = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_slist_free);

  empty = etws_chunked_append (&self->string_ptrs);
  *empty = "";
  none = etws_chunked_append (&self->stacks);
  none->n_frames = 0;
}

EtwsTrace *
etws_trace_new_for_file (EtwsTraceFile *file)
{
  EtwsTrace *self = g_object_new (ETWS_TYPE_TRACE, NULL);

  self->file = etws_trace_file_ref (file);
  self->description = g_path_get_basename (etws_trace_file_get_path (file));
  return self;
}

EtwsTrace *
etws_trace_new_live (const char *description)
{
  EtwsTrace *self = g_object_new (ETWS_TYPE_TRACE, NULL);

  self->live = TRUE;
  self->description = g_strdup (description);
  return self;
}

EtwsTraceFile *
etws_trace_get_file (EtwsTrace *self)
{
  return self->file;
}

gboolean
etws_trace_is_live (EtwsTrace *self)
{
  return self->live;
}

const char *
etws_trace_get_description (EtwsTrace *self)
{
  return self->description;
}

/* Interning runs for several strings of every event loaded, so the table
 * hashes eight bytes at a time and keeps each hash beside its id. */
static guint32
hash_bytes (const char *s,
            gsize       len)
{
  guint64 h = 0x9E3779B97F4A7C15ull ^ len;
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;
      memcpy (&w, s + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 29;
    }
  if (i < len)
    {
      guint64 w = 0;
      memcpy (&w, s + i, len - i);
      h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    }
  h ^= h >> 32;
  return (guint32) h;
}

static void
string_ids_grow (EtwsTrace *self)
{
  guint32 cap = self->string_ids_cap * 2;
  StrSlot *t = g_new0 (StrSlot, cap);

  for (guint32 i = 0; i < self->string_ids_cap; i++)
    if (self->string_ids[i].id != 0)
      {
        guint32 j = self->string_ids[i].hash & (cap - 1);
        while (t[j].id != 0)
          j = (j + 1) & (cap - 1);
        t[j] = self->string_ids[i];
      }
  g_free (self->string_ids);
  self->string_ids = t;
  self->string_ids_cap = cap;
}

guint32
etws_trace_intern_len (EtwsTrace  *self,
                       const char *str,
                       gsize       len)
{
  const char *nul;
  guint32 h, mask, i, id;
  const char **slot;
  char *copy;

  if (len == 0)
    return 0;
  if (len > MAX_STRING)
    len = MAX_STRING;
  /* A string stops at its first NUL, as a C string would. */
  nul = memchr (str, 0, len);
  if (nul != NULL)
    len = (gsize) (nul - str);
  if (len == 0)
    return 0;

  h = hash_bytes (str, len);
  mask = self->string_ids_cap - 1;
  for (i = h & mask; self->string_ids[i].id != 0; i = (i + 1) & mask)
    if (self->string_ids[i].hash == h)
      {
        const char *known = etws_trace_string (self, self->string_ids[i].id);
        if (memcmp (known, str, len) == 0 && known[len] == '\0')
          return self->string_ids[i].id;
      }

  copy = (char *) arena_alloc (&self->strings, len + 1, NULL);
  if (copy == NULL || (slot = etws_chunked_append (&self->string_ptrs)) == NULL)
    return 0;
  memcpy (copy, str, len);
  copy[len] = '\0';
  id = (guint32) (self->string_ptrs.len - 1);
  *slot = copy;
  self->string_ids[i].hash = h;
  self->string_ids[i].id = id;
  if (self->string_ptrs.len * 2 > self->string_ids_cap)
    string_ids_grow (self);
  return id;
}

guint32
etws_trace_intern (EtwsTrace  *self,
                   const char *str)
{
  if (str == NULL)
    return 0;
  return etws_trace_intern_len (self, str, strlen (str));
}

const char *
etws_trace_string (EtwsTrace *self,
                   guint32    id)
{
  if (id >= self->string_ptrs.len)
    return "";
  return *(const char **) etws_chunked_get (&self->string_ptrs, id);
}

guint32
etws_trace_n_strings (EtwsTrace *self)
{
  return (guint32) self->string_ptrs.len;
}

guint16
etws_trace_provider_index (EtwsTrace     *self,
                           const EtwGuid *guid,
                           const char    *name)
{
  gpointer found = g_hash_table_lookup (self->provider_ids, guid);
  EtwsProvider *p;
  char text[ETW_GUID_STRING_LEN + 1];

  if (found != NULL)
    {
      p = etws_chunked_get (&self->providers, GPOINTER_TO_UINT (found) - 1);
      /* A name learnt later (TraceLogging traits) replaces the GUID text.
       * Readers see either pointer; both stay valid. */
      if (name != NULL && name[0] != '\0' && strcmp (p->name, name) != 0 &&
          p->name[0] != '\0' && etw_guid_parse (p->name, &(EtwGuid) { 0 }))
        p->name = etws_trace_string (self, etws_trace_intern (self, name));
      return (guint16) (GPOINTER_TO_UINT (found) - 1);
    }
  if (self->providers.len >= G_MAXUINT16)
    return G_MAXUINT16 - 1;
  p = etws_chunked_append (&self->providers);
  p->guid = *guid;
  if (name == NULL || name[0] == '\0')
    {
      etw_guid_format (guid, text);
      name = text;
    }
  p->name = etws_trace_string (self, etws_trace_intern (self, name));
  g_hash_table_insert (self->provider_ids, &p->guid, GUINT_TO_POINTER (self->providers.len));
  return (guint16) (self->providers.len - 1);
}

const EtwsProvider *
etws_trace_provider (EtwsTrace *self,
                     guint16    index)
{
  if (index >= self->providers.len)
    return NULL;
  return etws_chunked_get (&self->providers, index);
}

guint
etws_trace_n_providers (EtwsTrace *self)
{
  return (guint) self->providers.len;
}

/* Stacks are deduplicated by content: stack_ids maps a content hash to the
 * list of stack ids with that hash. */
static guint32
hash_frames (guint32          pid,
             const EtwsFrame *frames,
             guint            n)
{
  guint64 h = 1469598103934665603ull ^ pid;

  for (guint i = 0; i < n; i++)
    h = (h ^ frames[i].address) * 1099511628211ull;
  h ^= n;
  return (guint32) (h ^ (h >> 32)) | 1u;
}

static gboolean
stack_equal (EtwsTrace       *self,
             guint32          id,
             guint32          pid,
             const EtwsFrame *frames,
             guint            n)
{
  const StackEntry *e = etws_chunked_get (&self->stacks, id);

  if (e->n_frames != n || e->pid != pid)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const EtwsFrame *f = etws_chunked_get (&self->frames, e->first_frame + i);
      if (f->address != frames[i].address || f->symbol != frames[i].symbol)
        return FALSE;
    }
  return TRUE;
}

guint32
etws_trace_add_stack (EtwsTrace       *self,
                      guint32          pid,
                      const EtwsFrame *frames,
                      guint            n_frames)
{
  guint32 h;
  GSList *chain;
  StackEntry *e;

  if (n_frames == 0)
    return 0;
  h = hash_frames (pid, frames, n_frames);
  chain = g_hash_table_lookup (self->stack_ids, GUINT_TO_POINTER (h));
  for (GSList *l = chain; l != NULL; l = l->next)
    if (stack_equal (self, GPOINTER_TO_UINT (l->data), pid, frames, n_frames))
      return GPOINTER_TO_UINT (l->data);

  if (n_frames > ETWS_CHUNK_LEN)
    n_frames = ETWS_CHUNK_LEN;
  /* A stack's frames must be contiguous, so it never crosses a chunk end:
   * pad up to the next chunk when it would. */
  if ((self->frames.len >> ETWS_CHUNK_SHIFT) !=
      ((self->frames.len + n_frames - 1) >> ETWS_CHUNK_SHIFT))
    while ((self->frames.len & (ETWS_CHUNK_LEN - 1)) != 0)
      if (etws_chunked_append (&self->frames) == NULL)
        return 0;

  e = etws_chunked_append (&self->stacks);
  if (e == NULL)
    return 0;
  e->first_frame = self->frames.len;
  e->n_frames = 0;
  e->pid = pid;
  for (guint i = 0; i < n_frames; i++)
    {
      EtwsFrame *f = etws_chunked_append (&self->frames);
      if (f == NULL)
        break;
      *f = frames[i];
      e->n_frames++;
    }
  guint32 id = (guint32) (self->stacks.len - 1);
  /* Steal the old list so that replacing does not free it. */
  g_hash_table_steal (self->stack_ids, GUINT_TO_POINTER (h));
  chain = g_slist_prepend (chain, GUINT_TO_POINTER (id));
  g_hash_table_insert (self->stack_ids, GUINT_TO_POINTER (h), chain);
  return id;
}

const EtwsFrame *
etws_trace_stack (EtwsTrace *self,
                  guint32    id,
                  guint     *n_frames)
{
  const StackEntry *e;

  if (id == 0 || id >= self->stacks.len)
    {
      *n_frames = 0;
      return NULL;
    }
  e = etws_chunked_get (&self->stacks, id);
  *n_frames = e->n_frames;
  return e->n_frames > 0 ? etws_chunked_get (&self->frames, e->first_frame) : NULL;
}

guint64
etws_trace_store_record (EtwsTrace      *self,
                         const EtwEvent *ev)
{
  gsize need = etw_record_size (ev);
  guint64 locator;
  guint8 *p;

  if (need > ETW_RECORD_MAX + 8)
    need = ETW_RECORD_MAX + 8;
  p = arena_alloc (&self->records, need, &locator);
  if (p == NULL)
    return G_MAXUINT64;
  gsize n = etw_record_write (ev, p, need);
  /* Give back what the record did not use (it is the arena's tail). */
  self->records.used -= (guint32) (need - n);
  if (n == 0)
    return G_MAXUINT64;
  return locator;
}

guint64
etws_trace_records_mark (EtwsTrace *self)
{
  return (guint64) self->records.n_chunks << 32 | self->records.used;
}

void
etws_trace_records_rewind (EtwsTrace *self,
                           guint64    mark)
{
  gint n_chunks = (gint) (mark >> 32);

  g_return_if_fail (n_chunks <= self->records.n_chunks);
  /* Chunks past the mark stay allocated as spares: the next records fill
   * them again, so a drop costs no free/malloc churn. */
  g_atomic_int_set (&self->records.n_chunks, n_chunks);
  self->records.used = (guint32) mark;
}

void
etws_trace_drop_records_before (EtwsTrace *self,
                                guint64    locator)
{
  guint32 chunk = (guint32) (locator >> 32);

  /* Never free the chunk still being written. */
  while (self->records.first < chunk &&
         self->records.first + 1 < (guint32) g_atomic_int_get (&self->records.n_chunks))
    {
      g_clear_pointer (&self->records.chunks[self->records.first], g_free);
      g_atomic_pointer_add (&self->records.freed, ARENA_CHUNK);
      self->records.first++;
    }
}

gsize
etws_trace_get_record_memory (EtwsTrace *self)
{
  return (gsize) g_atomic_pointer_get (&self->records.bytes) -
         (gsize) g_atomic_pointer_get (&self->records.freed);
}

gsize
etws_trace_get_memory (EtwsTrace *self)
{
  gsize records = (gsize) g_atomic_pointer_get (&self->records.bytes) -
                  (gsize) g_atomic_pointer_get (&self->records.freed);

  return records + (gsize) g_atomic_pointer_get (&self->strings.bytes) +
         etws_chunked_bytes (&self->string_ptrs) +
         etws_chunked_bytes (&self->frames) + etws_chunked_bytes (&self->stacks);
}

struct _EtwsRecordReader
{
  EtwsTrace *trace;
  EtlAccess *access;
};

EtwsRecordReader *
etws_record_reader_new (EtwsTrace *trace)
{
  EtwsRecordReader *reader = g_new0 (EtwsRecordReader, 1);

  reader->trace = g_object_ref (trace);
  if (trace->file != NULL)
    reader->access = etl_access_new (etws_trace_file_get_etl (trace->file));
  return reader;
}

void
etws_record_reader_free (EtwsRecordReader *reader)
{
  if (reader == NULL)
    return;
  etl_access_free (reader->access);
  g_object_unref (reader->trace);
  g_free (reader);
}

gboolean
etws_record_reader_read (EtwsRecordReader *reader,
                         guint64           locator,
                         EtwEvent         *ev)
{
  EtwsTrace *trace = reader->trace;
  guint32 hi = (guint32) (locator >> 32), lo = (guint32) locator;

  if (reader->access != NULL)
    return etl_access_read (reader->access, hi, lo, ev);

  if (locator == G_MAXUINT64 || hi >= (guint32) g_atomic_int_get (&trace->records.n_chunks) ||
      hi < trace->records.first ||
      trace->records.chunks[hi] == NULL || lo + 8 > ARENA_CHUNK)
    return FALSE;
  const guint8 *rec = trace->records.chunks[hi] + lo;
  guint32 size = rec[0] | rec[1] << 8;
  if (lo + size > ARENA_CHUNK)
    return FALSE;
  return etw_record_read (rec, size, ev);
}

guint16
etws_trace_event_type_index (EtwsTrace           *self,
                             const EtwsEventType *type)
{
  EtwsEventType key = *type;
  gpointer found;
  EtwsEventType *slot;

  memset (key.reserved, 0, sizeof key.reserved);
  found = g_hash_table_lookup (self->event_type_ids, &key);
  if (found != NULL)
    return (guint16) (GPOINTER_TO_UINT (found) - 1);
  /* The last index collects whatever does not fit. */
  if (self->event_types.len >= G_MAXUINT16)
    return G_MAXUINT16 - 1;
  slot = etws_chunked_append (&self->event_types);
  *slot = key;
  g_hash_table_insert (self->event_type_ids, slot, GUINT_TO_POINTER (self->event_types.len));
  return (guint16) (self->event_types.len - 1);
}

const EtwsEventType *
etws_trace_event_type (EtwsTrace *self,
                       guint16    index)
{
  if (index >= self->event_types.len)
    return NULL;
  return etws_chunked_get (&self->event_types, index);
}

guint
etws_trace_n_event_types (EtwsTrace *self)
{
  return (guint) self->event_types.len;
}
