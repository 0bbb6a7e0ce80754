/* etws-perf-capture.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The perf rings and their reader. One ring per CPU is owned by a dummy
 * software event that also produces the sideband records (MMAP2 with
 * build-ids, COMM, FORK, EXIT); every tracepoint and the BPF output event
 * of that CPU is redirected into it with PERF_EVENT_IOC_SET_OUTPUT. All of
 * them stamp CLOCK_MONOTONIC, carry the same sample_id trailer and start
 * with PERF_SAMPLE_IDENTIFIER, so one parser tells every record's origin.
 *
 * The reader thread only copies whole records out and advances the tails:
 * decoding happens elsewhere, so the rings drain at memcpy speed.
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "etws-live-private.h"
#include "etws-perf-private.h"
#include "etws-perf-source.h"

#define POLL_TIMEOUT_MS  10

#define SAMPLE_ID_BITS (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
                        PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU)

typedef struct
{
  guint64     id;
  EtwsPerfTag tag;
} TagSlot;

struct _EtwsPerfCapture
{
  guint        n_cpus;        /* highest CPU number + 1 */
  gboolean    *online;
  int         *leader;        /* per CPU, -1 offline */
  guint8     **ring;          /* per CPU mmap, NULL offline */
  gsize        mmap_len;
  gsize        data_size;
  GArray      *fds;           /* every event fd */

  TagSlot     *tags;          /* open addressing by id */
  guint        tag_mask;
  guint        n_tags;

  GThread     *thread;
  GAsyncQueue *rounds;
  int          wake_fd;
  gint         stopping;
  gint         started;
  gint64       backlog;       /* bytes posted, not yet released */

  GMutex       stats_lock;
  EtwsPerfCaptureStats stats;
};

static int
perf_event_open (struct perf_event_attr *attr,
                 pid_t                   pid,
                 int                     cpu,
                 int                     group_fd,
                 unsigned long           flags)
{
  return (int) syscall (SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static void
set_open_error (GError     **error,
                int          saved,
                const char  *what)
{
  int code = (saved == EACCES || saved == EPERM) ? ETWS_LIVE_ERROR_PERMISSION : ETWS_LIVE_ERROR_FAILED;

  g_set_error (error, ETWS_LIVE_ERROR, code, "perf_event_open (%s) failed: %s", what, g_strerror (saved));
}

static guint64
now_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

static void
parse_online (EtwsPerfCapture *cap)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/sys/devices/system/cpu/online", &text, NULL, NULL))
    {
      for (guint c = 0; c < cap->n_cpus; c++)
        cap->online[c] = TRUE;
      return;
    }
  /* "0-3,5,7-8" */
  for (char *p = text; *p != '\0' && *p != '\n';)
    {
      char *end;
      guint64 lo = g_ascii_strtoull (p, &end, 10), hi = lo;

      if (end == p)
        break;
      p = end;
      if (*p == '-')
        {
          hi = g_ascii_strtoull (p + 1, &end, 10);
          p = end;
        }
      for (guint64 c = lo; c <= hi && c < cap->n_cpus; c++)
        cap->online[c] = TRUE;
      if (*p == ',')
        p++;
    }
}

static void
base_attr (struct perf_event_attr *attr)
{
  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->sample_type = SAMPLE_ID_BITS;
  attr->sample_id_all = 1;
  attr->use_clockid = 1;
  attr->clockid = CLOCK_MONOTONIC;
  attr->disabled = 1;
}

static void
add_tag (EtwsPerfCapture   *cap,
         guint64            id,
         const EtwsPerfTag *tag)
{
  if ((cap->n_tags + 1) * 2 > cap->tag_mask + 1)
    {
      TagSlot *old = cap->tags;
      guint old_size = cap->tag_mask + 1;

      cap->tag_mask = old_size * 2 - 1;
      cap->tags = g_new0 (TagSlot, cap->tag_mask + 1);
      cap->n_tags = 0;
      for (guint i = 0; i < old_size; i++)
        if (old[i].tag.kind != ETWS_PERF_TAG_NONE)
          add_tag (cap, old[i].id, &old[i].tag);
      g_free (old);
    }
  for (guint i = (guint) (id * 0x9E3779B97F4A7C15ull >> 40) & cap->tag_mask;; i = (i + 1) & cap->tag_mask)
    if (cap->tags[i].tag.kind == ETWS_PERF_TAG_NONE || cap->tags[i].id == id)
      {
        if (cap->tags[i].tag.kind == ETWS_PERF_TAG_NONE)
          cap->n_tags++;
        cap->tags[i].id = id;
        cap->tags[i].tag = *tag;
        return;
      }
}

const EtwsPerfTag *
_etws_perf_capture_lookup (EtwsPerfCapture *cap,
                           guint64          id)
{
  for (guint i = (guint) (id * 0x9E3779B97F4A7C15ull >> 40) & cap->tag_mask;; i = (i + 1) & cap->tag_mask)
    {
      if (cap->tags[i].tag.kind == ETWS_PERF_TAG_NONE)
        return NULL;
      if (cap->tags[i].id == id)
        return &cap->tags[i].tag;
    }
}

/* Redirects fd into cpu's ring and remembers its id. */
static gboolean
attach_to_ring (EtwsPerfCapture   *cap,
                int                fd,
                guint              cpu,
                const EtwsPerfTag *tag,
                GError           **error)
{
  guint64 id = 0;

  g_array_append_val (cap->fds, fd);
  if (ioctl (fd, PERF_EVENT_IOC_SET_OUTPUT, cap->leader[cpu]) != 0)
    {
      int saved = errno;
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                   "Cannot redirect an event into the ring of CPU %u: %s", cpu, g_strerror (saved));
      return FALSE;
    }
  if (ioctl (fd, PERF_EVENT_IOC_ID, &id) != 0)
    {
      int saved = errno;
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                   "Cannot read a perf event id: %s", g_strerror (saved));
      return FALSE;
    }
  add_tag (cap, id, tag);
  return TRUE;
}

EtwsPerfCapture *
_etws_perf_capture_new (gsize    ring_bytes,
                        GError **error)
{
  EtwsPerfCapture *cap = g_new0 (EtwsPerfCapture, 1);
  long page = sysconf (_SC_PAGESIZE);
  long n_conf = sysconf (_SC_NPROCESSORS_CONF);
  struct rlimit rl;
  gsize pages = 8;
  EtwsPerfTag sideband = { .kind = ETWS_PERF_TAG_SIDEBAND };

  g_mutex_init (&cap->stats_lock);
  cap->n_cpus = n_conf > 0 ? (guint) n_conf : 1;
  cap->online = g_new0 (gboolean, cap->n_cpus);
  cap->leader = g_new (int, cap->n_cpus);
  cap->ring = g_new0 (guint8 *, cap->n_cpus);
  cap->fds = g_array_new (FALSE, FALSE, sizeof (int));
  cap->tag_mask = 255;
  cap->tags = g_new0 (TagSlot, cap->tag_mask + 1);
  cap->rounds = g_async_queue_new ();
  cap->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  for (guint c = 0; c < cap->n_cpus; c++)
    cap->leader[c] = -1;
  parse_online (cap);

  /* One event per CPU per tracepoint: more descriptors than the usual
   * soft limit on big machines. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  /* The data area is a power of two pages. */
  while (pages * (gsize) page < ring_bytes && pages < (1u << 20))
    pages *= 2;
  cap->data_size = pages * (gsize) page;
  cap->mmap_len = cap->data_size + (gsize) page;

  for (guint c = 0; c < cap->n_cpus; c++)
    {
      struct perf_event_attr attr;
      void *map;
      int fd;

      if (!cap->online[c])
        continue;
      base_attr (&attr);
      attr.type = PERF_TYPE_SOFTWARE;
      attr.config = PERF_COUNT_SW_DUMMY;
      attr.mmap = 1;
      attr.mmap2 = 1;
      attr.build_id = 1;
      attr.comm = 1;
      attr.comm_exec = 1;
      attr.task = 1;
      attr.watermark = 1;
      attr.wakeup_watermark = (guint32) (cap->data_size / 4);
      fd = perf_event_open (&attr, -1, (int) c, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0)
        {
          set_open_error (error, errno, "sideband");
          _etws_perf_capture_free (cap);
          return NULL;
        }
      cap->leader[c] = fd;
      g_array_append_val (cap->fds, fd);
      /* Mapped before anything is redirected into it: SET_OUTPUT into an
       * unmapped event fails with EINVAL. */
      map = mmap (NULL, cap->mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (map == MAP_FAILED)
        {
          int saved = errno;
          g_set_error (error, ETWS_LIVE_ERROR,
                       saved == EPERM ? ETWS_LIVE_ERROR_PERMISSION : ETWS_LIVE_ERROR_FAILED,
                       "Cannot map a %zu KiB perf ring: %s%s", cap->data_size / 1024, g_strerror (saved),
                       saved == EPERM ? " (raise /proc/sys/kernel/perf_event_mlock_kb or use a smaller --ring-size)" : "");
          _etws_perf_capture_free (cap);
          return NULL;
        }
      cap->ring[c] = map;
      {
        guint64 id = 0;
        if (ioctl (fd, PERF_EVENT_IOC_ID, &id) == 0)
          add_tag (cap, id, &sideband);
      }
    }
  return cap;
}

guint
_etws_perf_capture_n_cpus (EtwsPerfCapture *cap)
{
  return cap->n_cpus;
}

gboolean
_etws_perf_capture_add_tracepoint (EtwsPerfCapture  *cap,
                                   EtwsPerfTp        tp,
                                   guint             config,
                                   gboolean          callchain,
                                   const char       *filter,
                                   GError          **error)
{
  EtwsPerfTag tag = { .kind = ETWS_PERF_TAG_TRACEPOINT, .callchain = callchain, .tp = tp };
  const EtwsPerfTpInfo *info = _etws_perf_tp_info (tp);

  for (guint c = 0; c < cap->n_cpus; c++)
    {
      struct perf_event_attr attr;
      int fd;

      if (!cap->online[c])
        continue;
      base_attr (&attr);
      attr.type = PERF_TYPE_TRACEPOINT;
      attr.config = config;
      attr.sample_period = 1;
      attr.sample_type |= PERF_SAMPLE_RAW;
      if (callchain)
        {
          attr.sample_type |= PERF_SAMPLE_CALLCHAIN;
          attr.sample_max_stack = 64;
        }
      fd = perf_event_open (&attr, -1, (int) c, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0)
        {
          g_autofree char *what = g_strdup_printf ("%s:%s", info->system, info->name);
          set_open_error (error, errno, what);
          return FALSE;
        }
      if (!attach_to_ring (cap, fd, c, &tag, error))
        return FALSE;
      /* A filter the kernel refuses only costs volume, not correctness. */
      if (filter != NULL && ioctl (fd, PERF_EVENT_IOC_SET_FILTER, filter) != 0)
        g_debug ("filter “%s” refused on %s:%s: %s", filter, info->system, info->name, g_strerror (errno));
    }
  return TRUE;
}

gboolean
_etws_perf_capture_add_bpf_output (EtwsPerfCapture  *cap,
                                   gboolean          callchain,
                                   int              *fds,
                                   GError          **error)
{
  EtwsPerfTag tag = { .kind = ETWS_PERF_TAG_BPF, .callchain = callchain };

  for (guint c = 0; c < cap->n_cpus; c++)
    {
      struct perf_event_attr attr;
      int fd;

      fds[c] = -1;
      if (!cap->online[c])
        continue;
      base_attr (&attr);
      attr.type = PERF_TYPE_SOFTWARE;
      attr.config = PERF_COUNT_SW_BPF_OUTPUT;
      attr.sample_period = 1;
      attr.sample_type |= PERF_SAMPLE_RAW;
      if (callchain)
        {
          /* The augmented syscall's stack: the user frame that made it. */
          attr.sample_type |= PERF_SAMPLE_CALLCHAIN;
          attr.sample_max_stack = 64;
        }
      fd = perf_event_open (&attr, -1, (int) c, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0)
        {
          set_open_error (error, errno, "BPF output");
          return FALSE;
        }
      if (!attach_to_ring (cap, fd, c, &tag, error))
        return FALSE;
      fds[c] = fd;
    }
  return TRUE;
}

/* Copies what the ring of cpu holds since the last round. */
static EtwsPerfChunk *
drain_ring (EtwsPerfCapture *cap,
            guint            cpu)
{
  struct perf_event_mmap_page *pg = (struct perf_event_mmap_page *) cap->ring[cpu];
  const guint8 *data = cap->ring[cpu] + (pg->data_offset != 0 ? pg->data_offset : (guint64) sysconf (_SC_PAGESIZE));
  gsize size = pg->data_size != 0 ? pg->data_size : cap->data_size;
  guint64 head = __atomic_load_n (&pg->data_head, __ATOMIC_ACQUIRE);
  guint64 tail = pg->data_tail;
  gsize len = (gsize) (head - tail);
  gsize start, first;
  EtwsPerfChunk *chunk;

  if (len == 0)
    return NULL;
  if (len > size)
    len = size;  /* cannot happen in non-overwrite mode; stay inside the map */
  chunk = g_malloc (sizeof *chunk + len);
  chunk->len = len;
  start = (gsize) (tail & (size - 1));
  first = MIN (len, size - start);
  memcpy (chunk->data, data + start, first);
  if (first < len)
    memcpy (chunk->data + first, data, len - first);
  /* Give the space back to the kernel. */
  __atomic_store_n (&pg->data_tail, head, __ATOMIC_RELEASE);
  return chunk;
}

static void
read_round (EtwsPerfCapture *cap,
            gboolean         last)
{
  EtwsPerfRound *round = g_new0 (EtwsPerfRound, 1);
  gsize bytes = 0;
  gboolean stalled = FALSE;

  /* Taken before the heads are read: every record stamped well before
   * t_round is in the rings by now. */
  round->t_round = (gint64) now_ns (CLOCK_MONOTONIC);
  round->last = last;
  round->n_cpus = cap->n_cpus;
  round->chunks = g_new0 (EtwsPerfChunk *, cap->n_cpus);
  for (guint c = 0; c < cap->n_cpus; c++)
    {
      if (cap->ring[c] == NULL)
        continue;
      if (!last && __atomic_load_n (&cap->backlog, __ATOMIC_RELAXED) + (gint64) bytes > (gint64) ETWS_PERF_MAX_BACKLOG)
        {
          /* Leave it in the ring: the kernel reports what overflows. */
          stalled = TRUE;
          continue;
        }
      round->chunks[c] = drain_ring (cap, c);
      if (round->chunks[c] != NULL)
        bytes += round->chunks[c]->len;
    }

  {
    gint64 backlog = __atomic_add_fetch (&cap->backlog, (gint64) bytes, __ATOMIC_SEQ_CST);
    guint64 cpu = now_ns (CLOCK_THREAD_CPUTIME_ID);

    g_mutex_lock (&cap->stats_lock);
    cap->stats.rounds++;
    cap->stats.bytes += bytes;
    cap->stats.reader_cpu_ns = cpu;
    if ((guint64) backlog > cap->stats.backlog_max)
      cap->stats.backlog_max = (guint64) backlog;
    if (stalled)
      cap->stats.stalled_rounds++;
    g_mutex_unlock (&cap->stats_lock);
  }
  g_async_queue_push (cap->rounds, round);
}

static gpointer
reader_thread (gpointer data)
{
  EtwsPerfCapture *cap = data;
  g_autofree struct pollfd *pfds = g_new0 (struct pollfd, cap->n_cpus + 1);
  guint n = 0;

  _etws_live_set_thread_nice (ETWS_LIVE_THREAD_NICE);

  for (guint c = 0; c < cap->n_cpus; c++)
    if (cap->leader[c] >= 0)
      {
        pfds[n].fd = cap->leader[c];
        pfds[n].events = POLLIN;
        n++;
      }
  pfds[n].fd = cap->wake_fd;
  pfds[n].events = POLLIN;

  while (!g_atomic_int_get (&cap->stopping))
    {
      /* Woken when a ring is a quarter full, or every 10 ms so rows
       * appear promptly when little happens. */
      if (poll (pfds, n + 1, POLL_TIMEOUT_MS) < 0 && errno != EINTR)
        break;
      if (g_atomic_int_get (&cap->stopping))
        break;
      read_round (cap, FALSE);
    }
  /* The events are disabled by now; give in-flight writes a moment. */
  g_usleep (1000);
  read_round (cap, TRUE);
  return NULL;
}

gboolean
_etws_perf_capture_start (EtwsPerfCapture  *cap,
                          GError          **error)
{
  for (guint i = 0; i < cap->fds->len; i++)
    if (ioctl (g_array_index (cap->fds, int, i), PERF_EVENT_IOC_ENABLE, 0) != 0)
      {
        int saved = errno;
        g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                     "Cannot enable a perf event: %s", g_strerror (saved));
        return FALSE;
      }
  g_atomic_int_set (&cap->started, 1);
  cap->thread = g_thread_new ("etws-perf-read", reader_thread, cap);
  return TRUE;
}

void
_etws_perf_capture_stop (EtwsPerfCapture *cap)
{
  guint64 one = 1;

  if (g_atomic_int_get (&cap->stopping))
    return;
  for (guint i = 0; i < cap->fds->len; i++)
    ioctl (g_array_index (cap->fds, int, i), PERF_EVENT_IOC_DISABLE, 0);
  g_atomic_int_set (&cap->stopping, 1);
  if (write (cap->wake_fd, &one, sizeof one) < 0)
    g_debug ("cannot wake the reader: %s", g_strerror (errno));
}

EtwsPerfRound *
_etws_perf_capture_pop (EtwsPerfCapture *cap,
                        gint64           timeout_us)
{
  return g_async_queue_timeout_pop (cap->rounds, (guint64) MAX (timeout_us, 0));
}

void
_etws_perf_capture_release (EtwsPerfCapture *cap,
                            EtwsPerfRound   *round)
{
  gint64 bytes = 0;

  if (round == NULL)
    return;
  for (guint c = 0; c < round->n_cpus; c++)
    if (round->chunks[c] != NULL)
      {
        bytes += (gint64) round->chunks[c]->len;
        g_free (round->chunks[c]);
      }
  __atomic_sub_fetch (&cap->backlog, bytes, __ATOMIC_SEQ_CST);
  g_free (round->chunks);
  g_free (round);
}

void
_etws_perf_capture_chunk_done (EtwsPerfCapture *cap,
                               EtwsPerfChunk   *chunk)
{
  if (chunk == NULL)
    return;
  __atomic_sub_fetch (&cap->backlog, (gint64) chunk->len, __ATOMIC_SEQ_CST);
  g_free (chunk);
}

void
_etws_perf_capture_get_stats (EtwsPerfCapture      *cap,
                              EtwsPerfCaptureStats *stats)
{
  g_mutex_lock (&cap->stats_lock);
  *stats = cap->stats;
  g_mutex_unlock (&cap->stats_lock);
}

void
_etws_perf_capture_free (EtwsPerfCapture *cap)
{
  EtwsPerfRound *round;

  if (cap == NULL)
    return;
  if (cap->thread != NULL)
    {
      _etws_perf_capture_stop (cap);
      g_thread_join (cap->thread);
    }
  while ((round = g_async_queue_try_pop (cap->rounds)) != NULL)
    _etws_perf_capture_release (cap, round);
  g_async_queue_unref (cap->rounds);
  for (guint c = 0; c < cap->n_cpus; c++)
    if (cap->ring[c] != NULL)
      munmap (cap->ring[c], cap->mmap_len);
  for (guint i = 0; i < cap->fds->len; i++)
    close (g_array_index (cap->fds, int, i));
  g_array_unref (cap->fds);
  if (cap->wake_fd >= 0)
    close (cap->wake_fd);
  g_free (cap->online);
  g_free (cap->leader);
  g_free (cap->ring);
  g_free (cap->tags);
  g_mutex_clear (&cap->stats_lock);
  g_free (cap);
}
