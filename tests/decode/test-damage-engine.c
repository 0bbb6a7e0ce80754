/* test-damage-engine.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See test-damage.h. What "the records before the damage" means: a record
 * of an uncompressed buffer lies wholly before offset D when its last byte
 * is before D; a record of a compressed buffer only when the whole buffer
 * is, since its bytes exist only once the buffer is inflated.
 */
#ifndef _WIN32
#define _DEFAULT_SOURCE  /* setitimer, CLOCK_THREAD_CPUTIME_ID */
#endif

#include "test-damage.h"

#include "etl-reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#endif

/* %zu is not in every C runtime this runs on (msvcrt under Wine). */
#define ULL(x) ((unsigned long long) (x))

/* ------------------------------------------------------------------ TAP */

static int tap_count;
static int tap_failed;

void
dmg_tap_check (bool        cond,
               const char *fmt,
               ...)
{
  va_list args;

  tap_count++;
  if (!cond)
    tap_failed++;
  printf ("%s %d - ", cond ? "ok" : "not ok", tap_count);
  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

void
dmg_tap_diag (const char *fmt,
              ...)
{
  va_list args;

  printf ("# ");
  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

int
dmg_tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed > 0 ? 1 : 0;
}

double
dmg_now (void)
{
#ifdef _WIN32
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency (&f);
  QueryPerformanceCounter (&c);
  return (double) c.QuadPart / (double) f.QuadPart;
#else
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
#endif
}

/* CPU time of this thread: the reader's own work on an image. Unlike the
 * elapsed time it does not grow when other processes load the machine,
 * and a reader stuck in a loop still runs it up. */
double
dmg_cpu_now (void)
{
#ifdef _WIN32
  FILETIME created, exited, kernel, user;
  GetThreadTimes (GetCurrentThread (), &created, &exited, &kernel, &user);
  return ((double) kernel.dwLowDateTime + (double) user.dwLowDateTime +
          4294967296.0 * ((double) kernel.dwHighDateTime + (double) user.dwHighDateTime)) * 1e-7;
#else
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
#endif
}

/* A reader stuck in a loop never returns to the 2 s check; the watchdog
 * (20 s of CPU time) names the damaged image instead of leaving only
 * meson's timeout. */
#ifndef _WIN32
static char watchdog_what[256];

static void
watchdog_fired (int sig)
{
  static const char head[] = "Bail out! no result within 20 s of CPU time (hang) on ";
  (void) sig;
  (void) !write (STDOUT_FILENO, head, sizeof head - 1);
  (void) !write (STDOUT_FILENO, watchdog_what, strlen (watchdog_what));
  (void) !write (STDOUT_FILENO, "\n", 1);
  _exit (1);
}
#endif

static void
watchdog_arm (const char *what)
{
#ifndef _WIN32
  struct itimerval t = { { 0, 0 }, { 20, 0 } };

  snprintf (watchdog_what, sizeof watchdog_what, "%s", what);
  signal (SIGVTALRM, watchdog_fired);
  setitimer (ITIMER_VIRTUAL, &t, NULL);
#else
  (void) what;
#endif
}

static void
watchdog_disarm (void)
{
#ifndef _WIN32
  struct itimerval t = { { 0, 0 }, { 0, 0 } };
  setitimer (ITIMER_VIRTUAL, &t, NULL);
#endif
}

/* ---------------------------------------------------------- fingerprints */

typedef struct
{
  uint64_t end;     /* file offset the record's bytes end at (see top) */
  uint64_t hash;    /* record bytes and every decoded header field */
  uint64_t bhash;   /* record bytes only */
  uint32_t buffer;
  uint32_t offset;
  uint32_t len;
  uint8_t  header_type;
} Rec;

static uint64_t
mix (uint64_t h,
     uint64_t v)
{
  h ^= v;
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

static uint64_t
hash_bytes (const uint8_t *p,
            size_t         n)
{
  uint64_t h = 0xCBF29CE484222325ull ^ n;
  size_t i = 0;

  for (; i + 8 <= n; i += 8)
    {
      uint64_t v;
      memcpy (&v, p + i, 8);
      h = mix (h, v);
    }
  for (; i < n; i++)
    h = mix (h, p[i]);
  return h;
}

static void
position (const EtwEvent *ev,
          Rec            *r)
{
  r->hash = r->bhash = 0;
  r->buffer = ev->buffer_index;
  r->offset = ev->buffer_offset;
  r->len = ev->record_len;
  r->header_type = ev->header_type;
}

static void
fingerprint (const EtwEvent *ev,
             Rec            *r)
{
  uint64_t h = hash_bytes (ev->record, ev->record_len);

  r->bhash = h;
  h = mix (h, (uint64_t) ev->raw_time);
  h = mix (h, (uint64_t) ev->time);
  h = mix (h, ev->provider.data1 | (uint64_t) ev->provider.data2 << 32 |
              (uint64_t) ev->provider.data3 << 48);
  h = mix (h, hash_bytes (ev->provider.data4, 8));
  h = mix (h, ev->keyword);
  h = mix (h, ev->pid | (uint64_t) ev->tid << 32);
  h = mix (h, ev->cpu | (uint64_t) ev->kernel_time << 32);
  h = mix (h, ev->user_time | (uint64_t) ev->id << 32 | (uint64_t) ev->task << 48);
  h = mix (h, ev->hook_id | (uint64_t) ev->flags << 16 | (uint64_t) ev->xflags << 32 |
              (uint64_t) ev->event_property << 48);
  h = mix (h, ev->version | (uint64_t) ev->channel << 8 | (uint64_t) ev->level << 16 |
              (uint64_t) ev->opcode << 24 | (uint64_t) ev->header_type << 32 |
              (uint64_t) ev->kind << 40 | (uint64_t) ev->pointer_size << 48 |
              (uint64_t) ev->origin << 56);
  h = mix (h, (uint64_t) (ev->payload - ev->record) | (uint64_t) ev->payload_len << 32);
  h = mix (h, ev->n_ext | (uint64_t) ev->n_frames << 32 | (uint64_t) ev->frame_size << 48);
  for (uint32_t i = 0; i < ev->n_ext && i < ETW_MAX_EXT_ITEMS; i++)
    h = mix (h, ev->ext[i].type | (uint64_t) ev->ext[i].size << 16 |
                (uint64_t) (ev->ext[i].data - ev->record) << 32);
  if (ev->stack != NULL)
    h = mix (h, (uint64_t) (ev->stack - ev->record));
  r->hash = h;
  r->buffer = ev->buffer_index;
  r->offset = ev->buffer_offset;
  r->len = ev->record_len;
  r->header_type = ev->header_type;
}

/* ------------------------------------------------------------ the engine */

typedef struct
{
  const char    *name;
  const uint8_t *intact;
  size_t         len;

  Rec           *recs;        /* intact records in file order */
  size_t         n_recs;
  uint64_t      *buf_start;   /* intact buffer layout */
  uint32_t      *buf_size;
  bool          *buf_compressed;
  uint32_t       n_bufs;
  bool           any_compressed;
  bool           circular;    /* EVENT_TRACE_FILE_MODE_CIRCULAR */

  Rec           *got;
  size_t         got_cap;

  DamageStats    st;
  unsigned       diag_left;
  double         max_seconds;
  bool           slow;        /* the last image took longer than the bound */
  double         last_seconds;
} Ctx;

static void
fail (Ctx        *c,
      const char *what,
      const char *fmt,
      ...) __attribute__ ((format (printf, 3, 4)));

static void
fail (Ctx        *c,
      const char *what,
      const char *fmt,
      ...)
{
  va_list args;
  char msg[400];

  c->st.failures++;
  if (c->diag_left == 0)
    return;
  c->diag_left--;
  va_start (args, fmt);
  vsnprintf (msg, sizeof msg, fmt, args);
  va_end (args);
  dmg_tap_diag ("%s, %s: %s", c->name, what, msg);
}

static bool
push_got (Ctx      *c,
          size_t    n,
          const Rec *r)
{
  if (n == c->got_cap)
    {
      size_t cap = c->got_cap ? c->got_cap * 2 : 1024;
      Rec *g = realloc (c->got, cap * sizeof *g);
      if (g == NULL)
        return false;
      c->got = g;
      c->got_cap = cap;
    }
  c->got[n] = *r;
  return true;
}

/* Records of the intact file that lie wholly before offset d. `end` never
 * decreases in file order, so this is a binary search. */
static size_t
kept_count (const Ctx *c,
            uint64_t   d)
{
  size_t lo = 0, hi = c->n_recs;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (c->recs[mid].end <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Start of the intact buffer holding offset d. */
static uint64_t
buffer_start_of (const Ctx *c,
                 uint64_t   d)
{
  uint64_t start = 0;

  for (uint32_t i = 0; i < c->n_bufs && c->buf_start[i] <= d; i++)
    start = c->buf_start[i];
  return start;
}

static bool
error_set (const EtlError *e)
{
  return e != NULL && e->code != ETL_OK;
}

/* Whether the damaged walk (c->got, n records) only lost records that
 * the record before them swallowed: every record it delivers starts where
 * an intact one does, and each run of skipped intact records follows a
 * record that grew over them. */
static bool
swallowed (const Ctx *c,
           size_t     n)
{
  size_t j = 0;

  for (size_t i = 0; i < n; i++, j++)
    {
      const Rec *g = &c->got[i];
      size_t j0 = j;
      while (j < c->n_recs &&
             (c->recs[j].buffer < g->buffer ||
              (c->recs[j].buffer == g->buffer && c->recs[j].offset < g->offset)))
        j++;
      if (j >= c->n_recs || c->recs[j].buffer != g->buffer || c->recs[j].offset != g->offset)
        return false;
      if (j > j0)
        {
          /* Records j0..j-1 were skipped: the previous delivered record
           * must sit at j0 - 1 and reach over them. */
          if (i == 0 || j0 == 0)
            return false;
          const Rec *p = &c->got[i - 1], *q = &c->recs[j0 - 1];
          if (p->buffer != q->buffer || p->offset != q->offset || p->len <= q->len ||
              p->offset + p->len <= c->recs[j - 1].offset || p->offset + p->len > g->offset)
            return false;
        }
    }
  return true;
}

/* The checks on one damaged image. `d` is where the damage starts. */
static void
check_image (Ctx           *c,
             const uint8_t *data,
             size_t         dlen,
             uint64_t       d,
             bool           truncation,
             const char    *what)
{
  double t0 = dmg_now (), c0 = dmg_cpu_now ();
  size_t k = kept_count (c, d);
  EtlError oerr;
  EtlFile *f;
  bool changed = false, reported = false;

  watchdog_arm (what);
  c->st.mutants++;
  f = etl_file_open (data, dlen, &oerr);
  if (f == NULL)
    {
      c->st.open_failed++;
      changed = c->n_recs > 0;
      reported = true;
      if (oerr.code == ETL_OK || oerr.message[0] == '\0')
        fail (c, what, "etl_file_open failed without an error");
      if (oerr.offset > dlen)
        fail (c, what, "open error offset %llu is past the end (%llu)",
              ULL (oerr.offset), ULL (dlen));
      if (k > 0)
        fail (c, what, "etl_file_open refused the file (%s) but %llu records precede the damage",
              oerr.message, ULL (k));
      goto done;
    }

  /* File order: the reference walk. */
  EtlIter *it = etl_iter_new (f, ETL_ORDER_FILE);
  EtwEvent ev;
  size_t n = 0;
  bool oom = false;

  if (it == NULL)
    {
      fail (c, what, "etl_iter_new failed");
      etl_file_free (f);
      goto done;
    }
  while (etl_iter_next (it, &ev))
    {
      Rec r;
      /* Hashing every record of a big file for every mutant would cost
       * more than reading it; the records compared by content get it. */
      if (truncation || n <= k + 64 || n % 97 == 0)
        fingerprint (&ev, &r);
      else
        position (&ev, &r);
      if (!push_got (c, n, &r))
        {
          oom = true;
          break;
        }
      n++;
    }
  const EtlError *e = etl_iter_error (it);
  uint32_t n_errors = etl_iter_n_errors (it);
  reported = error_set (e) || error_set (etl_file_error (f));
  if (oom)
    fail (c, what, "test ran out of memory");

  for (size_t i = 0; i < k; i++)
    {
      if (i >= n)
        {
          fail (c, what, "only %llu of the %llu records before the damage delivered",
                ULL (n), ULL (k));
          break;
        }
      const Rec *a = &c->recs[i], *b = &c->got[i];
      if (a->hash != b->hash || a->buffer != b->buffer || a->offset != b->offset)
        {
          fail (c, what, "record %llu (buffer %u +0x%x) before the damage came out as buffer %u +0x%x%s",
                ULL (i), a->buffer, a->offset, b->buffer, b->offset,
                a->hash != b->hash ? ", changed" : "");
          break;
        }
    }
  c->st.kept_checked += k;

  if (n != c->n_recs)
    changed = true;
  for (size_t i = 0; i < n && i < c->n_recs && !changed; i++)
    {
      const Rec *a = &c->recs[i], *b = &c->got[i];
      if (a->buffer != b->buffer || a->offset != b->offset)
        changed = true;
    }

  /* A cut copy holds nothing the intact file does not: whatever it
   * delivers is a prefix of the intact walk. */
  if (truncation)
    {
      for (size_t i = 0; i < n; i++)
        if (i >= c->n_recs || c->got[i].hash != c->recs[i].hash)
          {
            fail (c, what, "record %llu (buffer %u +0x%x) is not the intact file's", ULL (i),
                  c->got[i].buffer, c->got[i].offset);
            break;
          }
      if (n > k)
        c->st.recovered += n - k;
    }

  /* A circular file's header does not count the buffers it holds, so a
   * cut exactly between two buffers cannot be told from a shorter file. */
  if (changed && !reported && truncation && c->circular && buffer_start_of (c, d) == d)
    {
      c->st.undetectable++;
      changed = false;
    }
  /* A size field that grew by exactly the records after it: those become
   * the grown record's payload, and every record still starts where one
   * did. Nothing in the format tells this apart from a real record. */
  if (changed && !reported && !truncation && swallowed (c, n))
    {
      c->st.swallowed++;
      changed = false;
    }
  if (changed && !reported)
    fail (c, what, "%llu of %llu records delivered, walk changed, no error reported",
          ULL (n), ULL (c->n_recs));
  if (reported)
    {
      const EtlError *first = error_set (e) ? e : etl_file_error (f);
      uint64_t lo = buffer_start_of (c, d);
      if (first->message[0] == '\0')
        fail (c, what, "error without a message");
      if (first->offset > dlen || first->offset < lo)
        fail (c, what, "error offset %llu is outside [%llu, %llu]: %s",
              ULL (first->offset), ULL (lo), ULL (dlen),
              first->message);
    }
  etl_iter_free (it);

  /* Time order delivers the same records, merged. It walks the whole
   * file again (and inflates every compressed buffer again), so flips get
   * it one mutant in four (eight for compressed files); cuts always. */
  if (!truncation && c->st.mutants % (c->any_compressed ? 8 : 4) != 0)
    it = NULL;
  else if ((it = etl_iter_new (f, ETL_ORDER_TIME)) == NULL)
    fail (c, what, "etl_iter_new (time) failed");
  else
    {
      size_t nt = 0;
      while (etl_iter_next (it, &ev))
        nt++;
      if (nt != n)
        fail (c, what, "time order delivers %llu records, file order %llu",
              ULL (nt), ULL (n));
      if (etl_iter_n_errors (it) != n_errors)
        fail (c, what, "time order meets %u errors, file order %u",
              (unsigned) etl_iter_n_errors (it), (unsigned) n_errors);
      etl_iter_free (it);
    }

  /* Random access re-reads what the walk delivered: a sample everywhere,
   * every record around the damage. */
  EtlAccess *acc = etl_access_new (f);
  if (acc == NULL)
    fail (c, what, "etl_access_new failed");
  for (size_t i = 0; acc != NULL && i < n; i++)
    {
      if (i % 97 != 0 && (i + 64 < k || i > k + 64))
        continue;
      const Rec *r = &c->got[i];
      Rec a;
      if (!etl_access_read (acc, r->buffer, r->offset, &ev))
        {
          fail (c, what, "random access cannot re-read record %llu (buffer %u +0x%x)",
                ULL (i), r->buffer, r->offset);
          break;
        }
      fingerprint (&ev, &a);
      if (a.bhash != r->bhash || a.len != r->len)
        {
          fail (c, what, "random access reads record %llu (buffer %u +0x%x) differently",
                ULL (i), r->buffer, r->offset);
          break;
        }
    }
  /* Out-of-range requests are refused, not read. */
  if (acc != NULL && etl_access_read (acc, etl_file_n_buffers (f), 0x48, &ev))
    fail (c, what, "random access read a buffer that does not exist");
  if (acc != NULL && n > 0 &&
      (etl_access_read (acc, c->got[n - 1].buffer, 0xFFFFFFFCu, &ev) ||
       etl_access_read (acc, c->got[n - 1].buffer, 0xFFFFFFFFu, &ev)))
    fail (c, what, "random access read past the end of a buffer");
  etl_access_free (acc);
  etl_file_free (f);

done:
  watchdog_disarm ();
  if (changed)
    c->st.walk_changed++;
  if (reported)
    c->st.errors++;
  double dc = dmg_cpu_now () - c0, dt = dmg_now () - t0;
  if (dc > c->st.slowest)
    {
      c->st.slowest = dc;
      c->st.slowest_offset = d;
    }
  if (dt > c->st.slowest_wall)
    c->st.slowest_wall = dt;
  c->last_seconds = dc;
  if (dc > c->max_seconds)
    c->slow = true;
}

/* The 2 s bound (CPU time, see dmg_cpu_now) is for hangs and runaway
 * work; a slow image is timed once more, as a cache-cold or preempted
 * first run can still cost some CPU time. */
static void
check_image_timed (Ctx           *c,
                   const uint8_t *data,
                   size_t         dlen,
                   uint64_t       d,
                   bool           truncation,
                   const char    *what)
{
  c->slow = false;
  check_image (c, data, dlen, d, truncation, what);
  if (!c->slow)
    return;
  double first = c->last_seconds;
  c->st.mutants--;
  c->slow = false;
  check_image (c, data, dlen, d, truncation, what);
  if (c->slow)
    fail (c, what, "took %.2f s and %.2f s (bound %.1f s)", first, c->last_seconds,
          c->max_seconds);
}

static bool
ctx_init (Ctx           *c,
          const char    *name,
          const uint8_t *data,
          size_t         len)
{
  EtlError err;
  EtlFile *f;
  EtlIter *it;
  EtwEvent ev;
  size_t cap = 1024;

  memset (c, 0, sizeof *c);
  c->name = name;
  c->intact = data;
  c->len = len;
  c->diag_left = 12;
  c->max_seconds = 2.0;

  f = etl_file_open (data, len, &err);
  if (f == NULL)
    {
      dmg_tap_diag ("%s: the intact file does not open: %s", name, err.message);
      return false;
    }
  c->n_bufs = etl_file_n_buffers (f);
  c->circular = (etl_file_info (f)->log_file_mode & 0x2) != 0;
  c->buf_start = calloc (c->n_bufs + 1, sizeof *c->buf_start);
  c->buf_size = calloc (c->n_bufs + 1, sizeof *c->buf_size);
  c->buf_compressed = calloc (c->n_bufs + 1, sizeof *c->buf_compressed);
  c->recs = malloc (cap * sizeof *c->recs);
  it = etl_iter_new (f, ETL_ORDER_FILE);
  if (c->buf_start == NULL || c->buf_size == NULL || c->buf_compressed == NULL ||
      c->recs == NULL || it == NULL)
    {
      etl_iter_free (it);
      etl_file_free (f);
      return false;
    }
  for (uint32_t i = 0; i < c->n_bufs; i++)
    {
      const EtlBuffer *b = etl_file_buffer (f, i);
      c->buf_start[i] = b->file_offset;
      c->buf_size[i] = b->size;
      c->buf_compressed[i] = (b->flags & ETL_BUFFER_COMPRESSED) != 0;
      c->any_compressed |= c->buf_compressed[i];
    }
  while (etl_iter_next (it, &ev))
    {
      Rec *r;
      if (c->n_recs == cap)
        {
          cap *= 2;
          r = realloc (c->recs, cap * sizeof *r);
          if (r == NULL)
            break;
          c->recs = r;
        }
      r = &c->recs[c->n_recs++];
      fingerprint (&ev, r);
      if (c->buf_compressed[r->buffer])
        r->end = c->buf_start[r->buffer] + c->buf_size[r->buffer];
      else
        r->end = c->buf_start[r->buffer] + r->offset + r->len;
    }
  bool clean = !error_set (etl_iter_error (it)) && !error_set (etl_file_error (f));
  if (!clean)
    dmg_tap_diag ("%s: the intact file reports damage: %s", name,
                  etl_iter_error (it)->message);
  etl_iter_free (it);
  etl_file_free (f);
  return clean && c->n_recs > 0;
}

static void
ctx_clear (Ctx *c)
{
  free (c->recs);
  free (c->buf_start);
  free (c->buf_size);
  free (c->buf_compressed);
  free (c->got);
}

/* splitmix64: small, fixed, the same on every platform. */
static uint64_t
rnd (uint64_t *s)
{
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t
rnd_below (uint64_t *s,
           uint64_t  n)
{
  return n == 0 ? 0 : rnd (s) % n;
}

static int
cmp_u64 (const void *a,
         const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* Truncation points: inside the first buffer header, inside the log-file
 * header record, at and around buffer boundaries, mid-buffer, mid-record,
 * just before EOF, then random ones up to the count asked for. */
static size_t
truncation_points (const Ctx *c,
                   unsigned   want,
                   uint64_t  *seed,
                   uint64_t **out)
{
  size_t cap = want + 128, n = 0;
  uint64_t *p = malloc (cap * sizeof *p);
  const Rec *hdr = &c->recs[0];

  if (p == NULL)
    return 0;
#define ADD(v) do { uint64_t v_ = (v); if (v_ < c->len && n < cap) p[n++] = v_; } while (0)
  ADD (0); ADD (1); ADD (4); ADD (0x30); ADD (0x47);
  ADD (0x48); ADD (0x4C); ADD (0x50); ADD (0x67);
  /* The log-file header payload: sizes, clock fields, names. */
  ADD (0x68 + 0x10); ADD (0x68 + 0x50); ADD (0x68 + 0xF8); ADD (0x68 + 0x110);
  ADD (0x68 + 0x118); ADD (0x68 + 0x130);
  ADD (hdr->end - 1); ADD (hdr->end); ADD (hdr->end + 1);
  for (uint32_t i = 0; i < 8 && c->n_bufs > 1; i++)
    {
      uint32_t b = 1 + (uint32_t) ((uint64_t) i * (c->n_bufs - 1) / 8);
      ADD (c->buf_start[b]);
      ADD (c->buf_start[b] + 1);
      ADD (c->buf_start[b] + 0x47);
      ADD (c->buf_start[b] + 0x48);
      ADD (c->buf_start[b] + c->buf_size[b] / 2);
      ADD (c->buf_start[b] + c->buf_size[b] - 1);
    }
  for (unsigned i = 0; i < 12; i++)
    {
      const Rec *r = &c->recs[rnd_below (seed, c->n_recs)];
      if (c->buf_compressed[r->buffer])
        continue;
      uint64_t at = c->buf_start[r->buffer] + r->offset;
      ADD (at + 3);
      ADD (at + r->len / 2);
      ADD (at + r->len - 1);
    }
  ADD (c->len - 1); ADD (c->len - 2); ADD (c->len - 8); ADD (c->len - 0x48);
  ADD (c->len - 0x100);
#undef ADD

  for (;;)
    {
      size_t u = 0;
      qsort (p, n, sizeof *p, cmp_u64);
      for (size_t i = 0; i < n; i++)
        if (u == 0 || p[i] != p[u - 1])
          p[u++] = p[i];
      n = u;
      if (n >= want || n >= c->len || n >= cap)
        break;
      while (n < cap && n < want + 16)
        p[n++] = rnd_below (seed, c->len);
    }
  *out = p;
  return n;
}

/* Where to flip: anywhere, in a buffer header, in a record header (or the
 * compressed body holding it), in the log-file header. */
static uint64_t
flip_point (const Ctx *c,
            uint64_t  *seed)
{
  unsigned kind = (unsigned) rnd_below (seed, 100);

  if (kind < 25)
    return rnd_below (seed, c->len);
  if (kind < 50)
    {
      uint32_t b = (uint32_t) rnd_below (seed, c->n_bufs);
      return c->buf_start[b] + rnd_below (seed, 0x48);
    }
  if (kind < 85)
    {
      const Rec *r = &c->recs[rnd_below (seed, c->n_recs)];
      uint32_t b = r->buffer;
      if (c->buf_compressed[b])
        return c->buf_start[b] + 0x48 + rnd_below (seed, c->buf_size[b] - 0x48);
      return c->buf_start[b] + r->offset + rnd_below (seed, r->len < 0x60 ? r->len : 0x60);
    }
  return rnd_below (seed, c->recs[0].end + 0x40 < c->len ? c->recs[0].end + 0x40 : c->len);
}

static void
report (Ctx        *c,
        const char *kind,
        unsigned    before_failures)
{
  unsigned failures = c->st.failures - before_failures;

  dmg_tap_check (failures == 0,
                 "%s: %u %s: no crash or hang, damage reported, earlier records kept",
                 c->name, c->st.mutants, kind);
  dmg_tap_diag ("%s %s: %u refused at open, %u changed the walk, %u reported an error, "
                "%u undetectable (circular file cut between buffers), "
                "%u undetectable (a record grew over whole records), "
                "%llu earlier records checked, %llu recovered after the damage, "
                "slowest %.3f s of CPU (damage at %llu), %.3f s elapsed at most",
                c->name, kind, c->st.open_failed, c->st.walk_changed, c->st.errors,
                c->st.undetectable, c->st.swallowed,
                (unsigned long long) c->st.kept_checked, (unsigned long long) c->st.recovered,
                c->st.slowest, (unsigned long long) c->st.slowest_offset, c->st.slowest_wall);
}

static void
reset_stats (Ctx *c)
{
  unsigned failures = c->st.failures;

  memset (&c->st, 0, sizeof c->st);
  c->st.failures = failures;
}

bool
dmg_run_image (const char          *name,
               const uint8_t       *data,
               size_t               len,
               const DamageOptions *opt)
{
  Ctx c;
  uint64_t seed = opt->seed;
  uint64_t *points = NULL;
  uint8_t *work;
  char what[300];
  unsigned before;

  for (const char *p = name; *p; p++)
    seed = mix (seed, (uint8_t) *p);

  bool ok = ctx_init (&c, name, data, len);
  dmg_tap_check (ok, "%s: the intact file reads cleanly (%llu records, %u buffers%s)",
                 name, ULL (c.n_recs), c.n_bufs, c.any_compressed ? ", compressed" : "");
  if (!ok)
    {
      ctx_clear (&c);
      return false;
    }
  if (opt->max_seconds > 0)
    c.max_seconds = opt->max_seconds;

  /* Truncations: each copy is an allocation of exactly the kept bytes, so
   * that a read past the end is a sanitizer error, not a lucky read. */
  size_t n_points = truncation_points (&c, opt->n_truncations, &seed, &points);
  before = c.st.failures;
  for (size_t i = 0; i < n_points; i++)
    {
      if (opt->n_shards > 1 && i % opt->n_shards != opt->shard)
        continue;
      size_t t = (size_t) points[i];
      uint8_t *copy = malloc (t > 0 ? t : 1);
      if (copy == NULL)
        break;
      memcpy (copy, data, t);
      snprintf (what, sizeof what, "cut at %llu", ULL (t));
      check_image_timed (&c, copy, t, t, true, what);
      free (copy);
    }
  free (points);
  report (&c, "truncations", before);

  reset_stats (&c);
  before = c.st.failures;
  work = malloc (len);
  if (work == NULL)
    {
      ctx_clear (&c);
      return false;
    }
  memcpy (work, data, len);
  for (unsigned i = 0; i < opt->n_flips; i++)
    {
      uint64_t at = flip_point (&c, &seed);
      uint8_t x = (uint8_t) (rnd_below (&seed, 3) == 0 ? 1u << rnd_below (&seed, 8)
                                                        : 1 + rnd_below (&seed, 255));
      if (opt->n_shards > 1 && i % opt->n_shards != opt->shard)
        continue;
      snprintf (what, sizeof what, "byte %llu ^= 0x%02x", (unsigned long long) at, x);
      work[at] ^= x;
      check_image_timed (&c, work, len, at, false, what);
      work[at] ^= x;
    }
  free (work);
  report (&c, "byte flips", before);

  ok = c.st.failures == 0;
  ctx_clear (&c);
  return ok;
}

bool
dmg_check_one (const char    *name,
               const uint8_t *data,
               size_t         len,
               size_t         trunc,
               size_t         flip_at,
               uint8_t        xor_val)
{
  Ctx c;
  char what[300];
  bool ok;

  if (!ctx_init (&c, name, data, len))
    {
      ctx_clear (&c);
      return false;
    }
  if (trunc > len)
    trunc = len;
  uint8_t *copy = malloc (trunc > 0 ? trunc : 1);
  if (copy == NULL)
    {
      ctx_clear (&c);
      return false;
    }
  memcpy (copy, data, trunc);
  if (xor_val != 0 && flip_at < trunc)
    copy[flip_at] ^= xor_val;
  snprintf (what, sizeof what, "cut at %llu, byte %llu ^= 0x%02x", ULL (trunc), ULL (flip_at),
            xor_val);
  check_image_timed (&c, copy, trunc,
               xor_val != 0 && flip_at < trunc ? flip_at : trunc,
               xor_val == 0, what);
  free (copy);
  ok = c.st.failures == 0;
  ctx_clear (&c);
  return ok;
}

bool
dmg_check_damaged (const char    *name,
                   const uint8_t *intact,
                   size_t         len,
                   const uint8_t *damaged,
                   size_t         dlen,
                   uint64_t       d,
                   bool           prefix,
                   DamageStats   *stats)
{
  Ctx c;
  char what[300];
  bool ok;

  if (!ctx_init (&c, name, intact, len))
    {
      ctx_clear (&c);
      return false;
    }
  snprintf (what, sizeof what, "%llu-byte image damaged from %llu", ULL (dlen), ULL (d));
  check_image_timed (&c, damaged, dlen, d, prefix, what);
  ok = c.st.failures == 0;
  if (stats != NULL)
    *stats = c.st;
  ctx_clear (&c);
  return ok;
}
