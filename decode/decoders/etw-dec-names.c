/* etw-dec-names.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The naming state of an EtwDecoder: process names by pid and time,
 * thread → process, file objects and keys → paths, registry KCBs and key
 * objects → key names, module maps for stacks, provider names. Plain C,
 * hash tables with open addressing, strings interned in an arena so that
 * a name seen a million times is stored once.
 */
#include "etw-dec-private.h"

#include "etw-guid.h"
#include "etw-providers.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Arena                                                                */

struct EtwArenaBlock
{
  EtwArenaBlock *next;
  size_t         used;
  size_t         cap;
  char           data[];
};

#define ARENA_BLOCK (64 * 1024)

char *
etw_arena_alloc (EtwArena *arena,
                 size_t    n)
{
  EtwArenaBlock *b = arena->head;

  if (b == NULL || b->cap - b->used < n)
    {
      size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
      EtwArenaBlock *nb = malloc (sizeof *nb + cap);

      if (nb == NULL)
        return NULL;
      nb->used = 0;
      nb->cap = cap;
      /* A block made for one big string goes behind the current one, so
       * the current block keeps filling. */
      if (b != NULL && n > ARENA_BLOCK)
        {
          nb->next = b->next;
          b->next = nb;
        }
      else
        {
          nb->next = b;
          arena->head = nb;
        }
      b = nb;
    }
  b->used += n;
  return b->data + b->used - n;
}

void
etw_arena_clear (EtwArena *arena)
{
  EtwArenaBlock *b = arena->head;

  while (b != NULL)
    {
      EtwArenaBlock *next = b->next;
      free (b);
      b = next;
    }
  arena->head = NULL;
}

/* ------------------------------------------------------------------ */
/* u64 → u64 map                                                        */

static inline size_t
hash_u64 (uint64_t key)
{
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return (size_t) key;
}

bool
etw_u64map_get (const EtwU64Map *m,
                uint64_t         key,
                uint64_t        *val)
{
  size_t mask, i;

  if (m->cap == 0)
    return false;
  mask = m->cap - 1;
  for (i = hash_u64 (key) & mask; m->used[i]; i = (i + 1) & mask)
    if (m->keys[i] == key)
      {
        *val = m->vals[i];
        return true;
      }
  return false;
}

static bool
u64map_grow (EtwU64Map *m)
{
  size_t cap = m->cap ? m->cap * 2 : 256;
  uint64_t *keys = malloc (cap * sizeof *keys);
  uint64_t *vals = malloc (cap * sizeof *vals);
  uint8_t *used = calloc (cap, 1);

  if (keys == NULL || vals == NULL || used == NULL)
    {
      free (keys);
      free (vals);
      free (used);
      return false;
    }
  for (size_t j = 0; j < m->cap; j++)
    {
      size_t i;
      if (!m->used[j])
        continue;
      for (i = hash_u64 (m->keys[j]) & (cap - 1); used[i]; i = (i + 1) & (cap - 1))
        ;
      used[i] = 1;
      keys[i] = m->keys[j];
      vals[i] = m->vals[j];
    }
  free (m->keys);
  free (m->vals);
  free (m->used);
  m->keys = keys;
  m->vals = vals;
  m->used = used;
  m->cap = cap;
  return true;
}

void
etw_u64map_put (EtwU64Map *m,
                uint64_t   key,
                uint64_t   val)
{
  size_t mask, i;

  if ((m->n + 1) * 10 > m->cap * 7 && !u64map_grow (m))
    return;
  mask = m->cap - 1;
  for (i = hash_u64 (key) & mask; m->used[i]; i = (i + 1) & mask)
    if (m->keys[i] == key)
      {
        m->vals[i] = val;
        return;
      }
  m->used[i] = 1;
  m->keys[i] = key;
  m->vals[i] = val;
  m->n++;
}

void
etw_u64map_clear (EtwU64Map *m)
{
  free (m->keys);
  free (m->vals);
  free (m->used);
  memset (m, 0, sizeof *m);
}

/* ------------------------------------------------------------------ */
/* String pool                                                          */

static uint32_t
hash_str (const char *s,
          size_t      len)
{
  uint32_t h = 2166136261u;

  for (size_t i = 0; i < len; i++)
    h = (h ^ (uint8_t) s[i]) * 16777619u;
  return h;
}

static bool
strpool_grow (EtwStrPool *pool)
{
  size_t cap = pool->cap ? pool->cap * 2 : 1024;
  const char **slots = calloc (cap, sizeof *slots);
  uint32_t *hashes = malloc (cap * sizeof *hashes);

  if (slots == NULL || hashes == NULL)
    {
      free (slots);
      free (hashes);
      return false;
    }
  for (size_t j = 0; j < pool->cap; j++)
    {
      size_t i;
      if (pool->slots[j] == NULL)
        continue;
      for (i = pool->hashes[j] & (cap - 1); slots[i] != NULL; i = (i + 1) & (cap - 1))
        ;
      slots[i] = pool->slots[j];
      hashes[i] = pool->hashes[j];
    }
  free (pool->slots);
  free (pool->hashes);
  pool->slots = slots;
  pool->hashes = hashes;
  pool->cap = cap;
  return true;
}

const char *
etw_strpool_intern (EtwStrPool *pool,
                    const char *s,
                    size_t      len)
{
  uint32_t h = hash_str (s, len);
  size_t i, mask;
  char *copy;

  if ((pool->n + 1) * 10 > pool->cap * 7 && !strpool_grow (pool))
    return NULL;
  mask = pool->cap - 1;
  for (i = h & mask; pool->slots[i] != NULL; i = (i + 1) & mask)
    if (pool->hashes[i] == h && strncmp (pool->slots[i], s, len) == 0 && pool->slots[i][len] == '\0')
      return pool->slots[i];
  copy = etw_arena_alloc (&pool->arena, len + 1);
  if (copy == NULL)
    return NULL;
  memcpy (copy, s, len);
  copy[len] = '\0';
  pool->slots[i] = copy;
  pool->hashes[i] = h;
  pool->n++;
  return copy;
}

void
etw_strpool_clear (EtwStrPool *pool)
{
  free (pool->slots);
  free (pool->hashes);
  etw_arena_clear (&pool->arena);
  memset (pool, 0, sizeof *pool);
}

const char *
etw_names_intern (EtwDecoder *dec,
                  const char *s,
                  size_t      len)
{
  return etw_strpool_intern (&dec->strings, s, len);
}

/* ------------------------------------------------------------------ */

void
etw_names_init (EtwDecoder *dec)
{
  dec->irps = calloc (ETW_IRP_SLOTS, sizeof *dec->irps);
}

static void
mod_list_free (EtwModList *l)
{
  free (l->v);
  memset (l, 0, sizeof *l);
}

void
etw_names_free (EtwDecoder *dec)
{
  etw_strpool_clear (&dec->strings);
  etw_u64map_clear (&dec->procs);
  free (dec->proc_entries);
  etw_u64map_clear (&dec->threads);
  etw_u64map_clear (&dec->files);
  etw_u64map_clear (&dec->dynamic);
  etw_u64map_clear (&dec->kcbs);
  etw_u64map_clear (&dec->key_objects);
  etw_u64map_clear (&dec->mod_index);
  for (uint32_t i = 0; i < dec->n_mod_lists; i++)
    mod_list_free (&dec->mod_lists[i]);
  free (dec->mod_lists);
  mod_list_free (&dec->kernel_mods);
  free (dec->irps);
  free (dec->prov);
}

/* ------------------------------------------------------------------ */
/* Processes                                                            */

void
etw_names_set_process (EtwDecoder *dec,
                       uint32_t    pid,
                       int64_t     time,
                       const char *name,
                       size_t      len,
                       bool        is_end)
{
  const char *interned;
  uint64_t head = 0;
  EtwProcEntry *e;

  if (len == 0 || pid == 0xFFFFFFFFu)
    return;
  etw_u64map_get (&dec->procs, pid, &head);
  /* An end event never renames: its short name may be cut (14 chars). */
  if (head != 0 && is_end)
    return;
  interned = etw_names_intern (dec, name, len);
  if (interned == NULL)
    return;
  if (head != 0 && dec->proc_entries[head - 1].name == interned)
    return;
  if (dec->n_proc_entries == dec->cap_proc_entries)
    {
      uint32_t cap = dec->cap_proc_entries ? dec->cap_proc_entries * 2 : 256;
      EtwProcEntry *v = realloc (dec->proc_entries, cap * sizeof *v);
      if (v == NULL)
        return;
      dec->proc_entries = v;
      dec->cap_proc_entries = cap;
    }
  e = &dec->proc_entries[dec->n_proc_entries++];
  e->time = time;
  e->name = interned;
  e->len = (uint32_t) len;
  e->next = (uint32_t) head;
  etw_u64map_put (&dec->procs, pid, dec->n_proc_entries);
}

const char *
etw_names_process (EtwDecoder *dec,
                   uint32_t    pid,
                   int64_t     time,
                   uint32_t   *len)
{
  uint64_t idx = 0;
  uint32_t oldest = 0;
  int64_t until = INT64_MAX;

  if (dec->pn_entries != 0 && dec->pn_entries == dec->n_proc_entries && dec->pn_pid == pid &&
      time >= dec->pn_from && time < dec->pn_until)
    {
      const EtwProcEntry *e = &dec->proc_entries[dec->pn_index - 1];
      *len = e->len;
      return e->name;
    }
  if (!etw_u64map_get (&dec->procs, pid, &idx))
    {
      const char *fixed = pid == 0 ? "Idle" : pid == 4 ? "System" : NULL;
      *len = fixed != NULL ? (uint32_t) strlen (fixed) : 0;
      return fixed;
    }
  /* Newest first: the name of the latest start at or before `time`; an
   * event older than every start (rundown seen late) gets the oldest. */
  while (idx != 0)
    {
      const EtwProcEntry *e = &dec->proc_entries[idx - 1];
      if (e->time <= time)
        {
          dec->pn_pid = pid;
          dec->pn_entries = dec->n_proc_entries;
          dec->pn_index = (uint32_t) idx;
          dec->pn_from = e->time;
          dec->pn_until = until;
          *len = e->len;
          return e->name;
        }
      until = e->time;
      oldest = (uint32_t) idx;
      idx = e->next;
    }
  *len = dec->proc_entries[oldest - 1].len;
  return dec->proc_entries[oldest - 1].name;
}

/* ------------------------------------------------------------------ */

void
etw_names_set_thread (EtwDecoder *dec,
                      uint32_t    tid,
                      uint32_t    pid)
{
  uint64_t old;

  if (tid == 0xFFFFFFFFu || pid == 0xFFFFFFFFu)
    return;
  if (etw_u64map_get (&dec->threads, tid, &old) && old == pid)
    return;
  etw_u64map_put (&dec->threads, tid, pid);
}

bool
etw_names_thread_pid (EtwDecoder *dec,
                      uint32_t    tid,
                      uint32_t   *pid)
{
  uint64_t v;

  if (!etw_u64map_get (&dec->threads, tid, &v))
    return false;
  *pid = (uint32_t) v;
  return true;
}

static void
set_name (EtwDecoder *dec,
          EtwU64Map  *map,
          uint64_t    key,
          const char *name,
          size_t      len)
{
  const char *interned;

  if (key == 0 || len == 0)
    return;
  interned = etw_names_intern (dec, name, len);
  if (interned != NULL)
    etw_u64map_put (map, key, (uint64_t) (uintptr_t) interned);
}

static const char *
get_name (EtwU64Map *map,
          uint64_t   key)
{
  uint64_t v;

  if (key == 0 || !etw_u64map_get (map, key, &v))
    return NULL;
  return (const char *) (uintptr_t) v;
}

void
etw_names_set_file (EtwDecoder *dec, uint64_t key, const char *path, size_t len)
{
  set_name (dec, &dec->files, key, path, len);
}

void
etw_names_pass_note (EtwDecoder *dec, uint64_t key, bool rundown, bool kcb, const char *name,
                     size_t len)
{
  /* Keys live in one map for files and KCBs; KCBs are tagged in bit 0 of a
   * second word so that the two kinds never collide. */
  uint64_t tag = kcb ? (key ^ 0xA5A5A5A5A5A5A5A5ull) : key;
  uint64_t v;

  if (key == 0)
    return;
  if (!rundown)
    {
      etw_u64map_put (&dec->dynamic, tag, 1);
      return;
    }
  if (etw_u64map_get (&dec->dynamic, tag, &v))
    return;
  set_name (dec, kcb ? &dec->kcbs : &dec->files, key, name, len);
}

const char *
etw_names_file (EtwDecoder *dec, uint64_t key)
{
  const char *p = get_name (&dec->files, key);

  if (p == NULL && dec->fallback != NULL)
    p = get_name (&dec->fallback->files, key);
  return p;
}

void
etw_names_set_kcb (EtwDecoder *dec, uint64_t kcb, const char *name, size_t len)
{
  set_name (dec, &dec->kcbs, kcb, name, len);
}

const char *
etw_names_kcb (EtwDecoder *dec, uint64_t kcb)
{
  const char *p = get_name (&dec->kcbs, kcb);

  if (p == NULL && dec->fallback != NULL)
    p = get_name (&dec->fallback->kcbs, kcb);
  return p;
}

void
etw_names_set_key_object (EtwDecoder *dec, uint64_t obj, const char *name, size_t len)
{
  set_name (dec, &dec->key_objects, obj, name, len);
}

const char *
etw_names_key_object (EtwDecoder *dec, uint64_t obj)
{
  return get_name (&dec->key_objects, obj);
}

/* ------------------------------------------------------------------ */
/* Modules                                                              */

static bool
is_kernel_address (uint64_t a)
{
  return a >= 0xFFFF000000000000ull || (a >= 0x80000000ull && a <= 0xFFFFFFFFull);
}

static EtwModList *
mod_list_for (EtwDecoder *dec,
              uint32_t    pid,
              bool        create)
{
  uint64_t idx;

  if (dec->ml_index != 0 && dec->ml_pid == pid)
    return &dec->mod_lists[dec->ml_index - 1];
  if (etw_u64map_get (&dec->mod_index, pid, &idx))
    {
      dec->ml_pid = pid;
      dec->ml_index = (uint32_t) idx;
      return &dec->mod_lists[idx - 1];
    }
  if (!create)
    return NULL;
  if (dec->n_mod_lists == dec->cap_mod_lists)
    {
      uint32_t cap = dec->cap_mod_lists ? dec->cap_mod_lists * 2 : 64;
      EtwModList *v = realloc (dec->mod_lists, cap * sizeof *v);
      if (v == NULL)
        return NULL;
      dec->mod_lists = v;
      dec->cap_mod_lists = cap;
    }
  memset (&dec->mod_lists[dec->n_mod_lists], 0, sizeof (EtwModList));
  dec->n_mod_lists++;
  etw_u64map_put (&dec->mod_index, pid, dec->n_mod_lists);
  return &dec->mod_lists[dec->n_mod_lists - 1];
}

/* Index of the first module whose base is > a. */
static uint32_t
mod_upper (const EtwModList *l,
           uint64_t          a)
{
  uint32_t lo = 0, hi = l->n;

  while (lo < hi)
    {
      uint32_t mid = lo + (hi - lo) / 2;
      if (l->v[mid].base <= a)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
mod_insert (EtwModList  *l,
            uint64_t     base,
            uint64_t     end,
            const char  *name)
{
  uint32_t at, first, last;

  /* A newer module replaces every older one it overlaps: the address
   * range was reused. Unloads are not applied, so that stacks resolved
   * after the whole pass (cached stack keys) still find their modules. */
  at = mod_upper (l, base);
  first = at;
  if (first > 0 && l->v[first - 1].end > base)
    first--;
  last = at;
  while (last < l->n && l->v[last].base < end)
    last++;
  if (last - first == 1 && l->v[first].base == base && l->v[first].end == end)
    {
      l->v[first].name = name;
      return;
    }
  if (last > first)
    {
      memmove (&l->v[first], &l->v[last], (l->n - last) * sizeof *l->v);
      l->n -= last - first;
    }
  if (l->n == l->cap)
    {
      uint32_t cap = l->cap ? l->cap * 2 : 16;
      EtwModule *v = realloc (l->v, cap * sizeof *v);
      if (v == NULL)
        return;
      l->v = v;
      l->cap = cap;
    }
  memmove (&l->v[first + 1], &l->v[first], (l->n - first) * sizeof *l->v);
  l->v[first].base = base;
  l->v[first].end = end;
  l->v[first].name = name;
  l->n++;
}

void
etw_names_add_module (EtwDecoder *dec,
                      uint32_t    pid,
                      uint64_t    base,
                      uint64_t    size,
                      const char *path,
                      size_t      len)
{
  size_t start = 0;
  const char *name;
  EtwModList *l;
  uint64_t end;
  uint32_t at;

  if (size == 0 || len == 0)
    return;
  end = base + size < base ? UINT64_MAX : base + size;
  if ((pid == 0 || pid == 4) && is_kernel_address (base))
    l = &dec->kernel_mods;
  else
    l = mod_list_for (dec, pid, true);
  if (l == NULL)
    return;
  /* Rundowns repeat what loads said: nothing to do for the same range. */
  at = mod_upper (l, base);
  if (at > 0 && l->v[at - 1].base == base && l->v[at - 1].end == end)
    return;
  for (size_t i = 0; i < len; i++)
    if (path[i] == '\\' || path[i] == '/')
      start = i + 1;
  if (start == len)
    return;
  name = etw_names_intern (dec, path + start, len - start);
  if (name != NULL)
    mod_insert (l, base, end, name);
}

bool
etw_names_has_module (EtwDecoder *dec,
                      uint32_t    pid,
                      uint64_t    base,
                      uint64_t    size)
{
  const EtwModList *l = (pid == 0 || pid == 4) && is_kernel_address (base) ? &dec->kernel_mods
                                                                          : mod_list_for (dec, pid, false);
  uint64_t end = base + size < base ? UINT64_MAX : base + size;
  uint32_t at;

  if (l == NULL)
    return false;
  at = mod_upper (l, base);
  return at > 0 && l->v[at - 1].base == base && l->v[at - 1].end == end;
}

static const EtwModule *
mod_find (const EtwModList *l,
          uint64_t          a)
{
  uint32_t i;

  if (l == NULL || l->n == 0)
    return NULL;
  i = mod_upper (l, a);
  if (i == 0)
    return NULL;
  return a < l->v[i - 1].end ? &l->v[i - 1] : NULL;
}

const EtwModule *
etw_names_module (EtwDecoder *dec,
                  uint32_t    pid,
                  uint64_t    address)
{
  const EtwModule *m = mod_find (mod_list_for (dec, pid, false), address);

  if (m == NULL && is_kernel_address (address))
    m = mod_find (&dec->kernel_mods, address);
  return m;
}

/* ------------------------------------------------------------------ */
/* IRPs in flight (FileIo request → OpEnd)                              */

static EtwIrpSlot *
irp_slot (EtwDecoder *dec,
          uint64_t    irp)
{
  return dec->irps != NULL ? &dec->irps[hash_u64 (irp) & (ETW_IRP_SLOTS - 1)] : NULL;
}

void
etw_names_irp_start (EtwDecoder *dec,
                     uint64_t    irp,
                     const char *path,
                     uint16_t    sem)
{
  EtwIrpSlot *s = irp_slot (dec, irp);

  if (s == NULL || irp == 0)
    return;
  s->irp = irp;
  s->path = path;
  s->sem = sem;
}

bool
etw_names_irp_end (EtwDecoder  *dec,
                   uint64_t     irp,
                   const char **path,
                   uint16_t    *sem)
{
  EtwIrpSlot *s = irp_slot (dec, irp);

  if (s == NULL || irp == 0 || s->irp != irp)
    return false;
  *path = s->path;
  *sem = s->sem;
  return true;
}

/* ------------------------------------------------------------------ */
/* Providers                                                            */

/* Runs per event: inline, no library call. */
static inline bool
guid_eq (const EtwGuid *a,
         const EtwGuid *b)
{
  return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
         memcmp (a->data4, b->data4, 8) == 0;
}

static inline unsigned
guid_slot (const EtwGuid *g)
{
  return (g->data1 ^ (g->data1 >> 8) ^ g->data2 ^ g->data3) & (ETW_PROV_FAST - 1);
}

static void
prov_fill (EtwDecoder  *dec,
           EtwProvInfo *p,
           const EtwGuid *guid)
{
  int group = etw_kernel_group_of (guid);

  p->guid = *guid;
  p->used = 1;
  p->tl_named = 0;
  p->group = (int16_t) group;
  p->family = group >= 0 ? FAM_CLASSIC : FAM_OTHER;
  p->name = etw_guid_known_name (guid);
  if (group < 0)
    {
      int lg = etw_linux_provider_group (guid);
      if (lg >= 0)
        {
          p->family = FAM_LINUX;
          p->group = (int16_t) lg;
        }
      else if (etw_guid_equal (guid, &ETW_GUID_KERNEL_PROCESS))
        p->family = FAM_KPROC;
      else if (etw_guid_equal (guid, &ETW_GUID_KERNEL_FILE))
        p->family = FAM_KFILE;
      else if (etw_guid_equal (guid, &ETW_GUID_KERNEL_NETWORK))
        p->family = FAM_KNET;
      else if (etw_guid_equal (guid, &ETW_GUID_KERNEL_REGISTRY))
        p->family = FAM_KREG;
      else if (etw_guid_equal (guid, &ETW_GUID_LOST_EVENT))
        p->family = FAM_LOST;
    }
  if (p->name == NULL)
    {
      char text[ETW_GUID_STRING_LEN + 1];
      etw_guid_format (guid, text);
      p->name = etw_names_intern (dec, text, ETW_GUID_STRING_LEN);
      if (p->name == NULL)
        p->name = "unknown";
    }
}

static bool
prov_grow (EtwDecoder *dec)
{
  size_t cap = dec->prov_cap ? dec->prov_cap * 2 : 64;
  EtwProvInfo *v;

  if (cap > ETW_PROV_CACHE_MAX)
    return false;
  v = calloc (cap, sizeof *v);
  if (v == NULL)
    return false;
  for (size_t j = 0; j < dec->prov_cap; j++)
    {
      size_t i;
      if (!dec->prov[j].used)
        continue;
      for (i = etw_guid_hash (&dec->prov[j].guid) & (cap - 1); v[i].used; i = (i + 1) & (cap - 1))
        ;
      v[i] = dec->prov[j];
    }
  free (dec->prov);
  dec->prov = v;
  dec->prov_cap = cap;
  memset (dec->prov_fast, 0, sizeof dec->prov_fast);
  /* The event observe saw last points into the old table. */
  dec->last.seen = false;
  dec->last.valid = false;
  return true;
}

EtwProvInfo *
etw_names_provider (EtwDecoder    *dec,
                    const EtwGuid *guid)
{
  size_t i, mask;
  unsigned slot = guid_slot (guid);
  int fast = dec->prov_fast[slot] - 1;

  /* A direct-mapped cache in front of the table: kernel traces switch
   * between a handful of providers on every event. */
  if (fast >= 0 && (size_t) fast < dec->prov_cap && guid_eq (&dec->prov[fast].guid, guid))
    return &dec->prov[fast];
  if ((dec->prov_n + 1) * 2 > dec->prov_cap)
    prov_grow (dec);  /* fails only at the cap; lookups still work */
  if (dec->prov_cap > 0)
    {
      mask = dec->prov_cap - 1;
      for (i = etw_guid_hash (guid) & mask; dec->prov[i].used; i = (i + 1) & mask)
        if (guid_eq (&dec->prov[i].guid, guid))
          {
            dec->prov_fast[slot] = (int) i + 1;
            return &dec->prov[i];
          }
      if ((dec->prov_n + 1) * 2 <= dec->prov_cap)
        {
          prov_fill (dec, &dec->prov[i], guid);
          dec->prov_n++;
          dec->prov_fast[slot] = (int) i + 1;
          return &dec->prov[i];
        }
    }
  /* A file with thousands of providers: answer without caching. */
  prov_fill (dec, &dec->prov_scratch, guid);
  return &dec->prov_scratch;
}

void
etw_names_set_provider_name (EtwDecoder    *dec,
                             const EtwGuid *guid,
                             const char    *name,
                             size_t         len)
{
  EtwProvInfo *p = etw_names_provider (dec, guid);
  const char *interned;

  if (p == NULL || p->tl_named || len == 0)
    return;
  interned = etw_names_intern (dec, name, len);
  if (interned != NULL)
    {
      p->name = interned;
      p->tl_named = 1;
    }
}
