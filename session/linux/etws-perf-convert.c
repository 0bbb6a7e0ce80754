/* etws-perf-convert.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The converter thread: merges the per-CPU record streams by time, keeps
 * the state that naming needs (processes and their mappings, open file
 * descriptors, TCP sockets and their owners, system calls in flight) and
 * turns records into ETW-shaped events with an etw-fields payload.
 *
 * Merge: each ring is in time order. A record stamped before
 * (round start − SLACK) is in its ring by the time the round read it, so
 * everything up to that point can be merged across CPUs safely.
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "etw-fields.h"
#include "etws-perf-augment-abi.h"
#include "etws-perf-private.h"

#define SLACK_NS          (2 * G_GINT64_CONSTANT (1000000))
#define BATCH_EVENTS      4096
#define BATCH_BYTES       (4u << 20)
#define PAYLOAD_MAX       (20 * 1024)
#define MAX_FRAMES        128
#define MAX_TABLE         (1u << 20)   /* entries in any state table */
#define SAMPLE_ID_SIZE    40           /* pid/tid, time, stream id, cpu, identifier */

#define AT_FDCWD_VALUE    (-100)
#define CLONE_THREAD_FLAG 0x00010000
#define CLONE_PARENT_FLAG 0x00008000

/* Descriptors that are not files (pipes, sockets, …): remembered so they
 * are not looked up again, never reported. */
static char not_a_file[] = "";

typedef struct
{
  guint64      start;
  guint64      end;
  guint64      pgoff;
  EtwsPerfDso *dso;
} Map;

typedef struct
{
  guint32     pid;
  guint32     ppid;
  guint32     uid;
  char        comm[17];
  char       *exe;        /* full path of the image */
  char       *cmdline;
  char       *cwd;        /* cached; NULL = read /proc again */
  GArray     *maps;       /* Map, sorted by start */
  GHashTable *fds;        /* fd → path, or not_a_file */
  guint8      allowed;
  guint8      dead;
  guint8      awaiting_exe;
} Proc;

/* A system call between its enter and exit records, per thread. */
typedef struct
{
  guint8   sc;
  gint64   args[6];

  /* The new program's arguments (augmenter), until our own
   * sched_process_exec sample that follows them. */
  gboolean exec_valid;
  gboolean exec_truncated;
  guint32  exec_uid;
  GString *exec_args;
} Pending;

typedef struct
{
  guint32        pid;      /* owner, 0 = unknown */
  guint32        tid;
  guint16        family;
  guint16        sport;
  guint16        dport;
  guint8         saddr[16];
  guint8         daddr[16];
  EtwsPerfFrame *frames;   /* stack of the connect() */
  guint          n_frames;
} Sock;

typedef struct
{
  GQueue         chunks;    /* EtwsPerfChunk* */
  gsize          pos;       /* in the head chunk */
  gint64         last_time;
} Stream;

typedef struct
{
  const EtwsPerfTag *tag;
  guint32            pid;
  guint32            tid;
  guint32            cpu;
  gint64             time;
  const guint64     *ips;
  guint              n_ips;
  const guint8      *raw;
  guint32            raw_size;
} Sample;

struct _EtwsPerfConverter
{
  EtwsPerfConfig    config;
  int              *pids;
  EtwsPerfCapture  *cap;
  void            (*deliver) (EtwsPerfBatch *batch, gpointer user_data);
  gpointer          user_data;

  guint             n_cpus;
  Stream           *streams;

  GHashTable       *procs;      /* pid → Proc */
  GHashTable       *pending;    /* tid → Pending */
  GHashTable       *dsos;       /* key → EtwsPerfDso (owned, freed at the end) */
  GHashTable       *socks;      /* skaddr → Sock */
  GHashTable       *listeners;  /* port → owner (pid << 32 | tid) */

  EtwsPerfBatch    *batch;
  guint64           n_records;   /* atomic: read by the benchmark */
  guint64           lost;
  char             *notice;
  guint8            payload[PAYLOAD_MAX];
  EtwFieldWriter    fw;
  EtwsPerfFrame     frames[MAX_FRAMES];
};

/* ---- small helpers ---- */

static guint64
rd64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static guint32
rd32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static guint16
rd16 (const guint8 *p)
{
  guint16 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static const char *
basename_of (const char *path)
{
  const char *slash;

  if (path == NULL)
    return NULL;
  slash = strrchr (path, '/');
  return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static char *
read_link (const char *path)
{
  char buf[4096];
  ssize_t n = readlink (path, buf, sizeof buf - 1);

  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  return g_strdup (buf);
}

/* errno → the NTSTATUS Process Monitor users know, and errno's name. */
static const struct
{
  int         err;
  guint32     status;
  const char *name;
} errno_map[] = {
  { EPERM, 0xC0000022, "EPERM" },
  { ENOENT, 0xC0000034, "ENOENT" },
  { EINTR, 0xC0000120, "EINTR" },
  { EIO, 0xC0000185, "EIO" },
  { EBADF, 0xC0000008, "EBADF" },
  { EAGAIN, 0xC00000D8, "EAGAIN" },
  { ENOMEM, 0xC0000017, "ENOMEM" },
  { EACCES, 0xC0000022, "EACCES" },
  { EFAULT, 0xC0000005, "EFAULT" },
  { EBUSY, 0xC0000043, "EBUSY" },
  { EEXIST, 0xC0000035, "EEXIST" },
  { EXDEV, 0xC00000D4, "EXDEV" },
  { ENOTDIR, 0xC0000103, "ENOTDIR" },
  { EISDIR, 0xC00000BA, "EISDIR" },
  { EINVAL, 0xC000000D, "EINVAL" },
  { EMFILE, 0xC000011F, "EMFILE" },
  { ENOSPC, 0xC000007F, "ENOSPC" },
  { EROFS, 0xC00000A2, "EROFS" },
  { ENAMETOOLONG, 0xC0000106, "ENAMETOOLONG" },
  { ENOTEMPTY, 0xC0000101, "ENOTEMPTY" },
  { ELOOP, 0xC0000280, "ELOOP" },
  { ETXTBSY, 0xC0000043, "ETXTBSY" },
};

static guint32
status_of (gint64   ret,
           const char **name)
{
  *name = NULL;
  if (ret >= 0)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (errno_map); i++)
    if (errno_map[i].err == (int) -ret)
      {
        *name = errno_map[i].name;
        return errno_map[i].status;
      }
  return 0xC0000001;  /* STATUS_UNSUCCESSFUL */
}

static void
write_status (EtwsPerfConverter *conv,
              gint64             ret)
{
  const char *name;
  guint32 status = status_of (ret, &name);

  etw_fw_status (&conv->fw, "Status", status);
  if (ret < 0)
    {
      char text[24];
      if (name == NULL)
        {
          g_snprintf (text, sizeof text, "E%d", (int) -ret);
          name = text;
        }
      etw_fw_string (&conv->fw, "errno", name);
    }
}

/* ---- processes ---- */

static void
proc_free (gpointer data)
{
  Proc *proc = data;

  g_free (proc->exe);
  g_free (proc->cmdline);
  g_free (proc->cwd);
  g_array_unref (proc->maps);
  g_clear_pointer (&proc->fds, g_hash_table_unref);
  g_free (proc);
}

static void
fd_value_free (gpointer data)
{
  if (data != not_a_file)
    g_free (data);
}

static Proc *
proc_new (guint32 pid)
{
  Proc *proc = g_new0 (Proc, 1);

  proc->pid = pid;
  proc->maps = g_array_new (FALSE, FALSE, sizeof (Map));
  return proc;
}

static gboolean
pid_listed (EtwsPerfConverter *conv,
            guint32            pid)
{
  for (int *p = conv->pids; p != NULL && *p != 0; p++)
    if ((guint32) *p == pid)
      return TRUE;
  return FALSE;
}

static EtwsPerfDso *
dso_get (EtwsPerfConverter *conv,
         const char        *path,
         const guint8      *build_id,
         guint              build_id_len,
         const char        *identity)
{
  g_autofree char *key = NULL;
  EtwsPerfDso *dso;

  if (build_id_len > 0)
    {
      g_autofree char *hex = g_malloc (build_id_len * 2 + 1);
      for (guint i = 0; i < build_id_len; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", build_id[i]);
      key = g_strconcat (path, "|", hex, NULL);
    }
  else
    key = g_strconcat (path, "|", identity != NULL ? identity : "", NULL);

  dso = g_hash_table_lookup (conv->dsos, key);
  if (dso != NULL)
    return dso;
  dso = g_new0 (EtwsPerfDso, 1);
  dso->path = g_strdup (path);
  dso->basename = basename_of (dso->path);
  dso->build_id_len = (guint8) MIN (build_id_len, sizeof dso->build_id);
  if (dso->build_id_len > 0)
    memcpy (dso->build_id, build_id, dso->build_id_len);
  g_hash_table_insert (conv->dsos, g_steal_pointer (&key), dso);
  return dso;
}

static void
dso_free (gpointer data)
{
  EtwsPerfDso *dso = data;

  /* The symbol table belongs to the symbolizer, which is gone by now. */
  g_free (dso->path);
  g_free (dso);
}

static const Map *
map_find (const Proc *proc,
          guint64     address)
{
  guint lo = 0, hi = proc->maps->len;
  const Map *maps = (const Map *) (gpointer) proc->maps->data;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (address < maps[mid].start)
        hi = mid;
      else if (address >= maps[mid].end)
        lo = mid + 1;
      else
        return &maps[mid];
    }
  return NULL;
}

static void
map_add (Proc        *proc,
         guint64      start,
         guint64      len,
         guint64      pgoff,
         EtwsPerfDso *dso)
{
  Map map = { start, start + len, pgoff, dso };
  guint i = 0;

  if (len == 0 || map.end < start)
    return;
  /* A new mapping replaces whatever it overlaps. */
  while (i < proc->maps->len)
    {
      Map *m = &g_array_index (proc->maps, Map, i);
      if (m->end > map.start && m->start < map.end)
        g_array_remove_index (proc->maps, i);
      else
        i++;
    }
  for (i = 0; i < proc->maps->len; i++)
    if (g_array_index (proc->maps, Map, i).start > start)
      break;
  g_array_insert_val (proc->maps, i, map);
}

static void
proc_read_maps (EtwsPerfConverter *conv,
                Proc              *proc)
{
  char path[64];
  FILE *f;
  char line[4608];

  g_snprintf (path, sizeof path, "/proc/%u/maps", proc->pid);
  f = fopen (path, "re");
  if (f == NULL)
    return;
  while (fgets (line, sizeof line, f) != NULL)
    {
      unsigned long long start, end, off, inode;
      char perms[8], dev[16];
      int name_at = 0;
      char *name;

      if (sscanf (line, "%llx-%llx %7s %llx %15s %llu %n", &start, &end, perms, &off, dev, &inode, &name_at) < 6)
        continue;
      if (perms[2] != 'x' || name_at <= 0)
        continue;
      name = g_strstrip (line + name_at);
      if (name[0] != '/')
        continue;
      {
        char identity[48];
        g_snprintf (identity, sizeof identity, "%s:%llu", dev, inode);
        map_add (proc, start, end - start, off, dso_get (conv, name, NULL, 0, identity));
      }
    }
  fclose (f);
}

static char *
read_cmdline (guint32 pid)
{
  char path[64];
  g_autofree char *data = NULL;
  gsize len = 0;

  g_snprintf (path, sizeof path, "/proc/%u/cmdline", pid);
  if (!g_file_get_contents (path, &data, &len, NULL) || len == 0)
    return NULL;
  /* As long as the augmenter's copy at most. */
  if (len > ETWS_AUG_ARGS_MAX)
    {
      len = ETWS_AUG_ARGS_MAX;
      data[len - 1] = '\0';
    }
  for (gsize i = 0; i + 1 < len; i++)
    if (data[i] == '\0')
      data[i] = ' ';
  data[len - 1] = '\0';
  return g_steal_pointer (&data);
}

/* What /proc says about a process: for those already running at the
 * start, and for any that the capture meets without having seen it. */
static Proc *
proc_from_procfs (EtwsPerfConverter *conv,
                  guint32            pid)
{
  char path[64];
  g_autofree char *stat = NULL;
  g_autofree char *status = NULL;
  Proc *proc;

  g_snprintf (path, sizeof path, "/proc/%u/stat", pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return NULL;
  proc = proc_new (pid);
  {
    /* "pid (comm) state ppid …": comm may hold spaces and parentheses. */
    char *open = strchr (stat, '('), *close = strrchr (stat, ')');
    if (open != NULL && close != NULL && close > open)
      {
        gsize n = MIN ((gsize) (close - open - 1), sizeof proc->comm - 1);
        memcpy (proc->comm, open + 1, n);
        proc->comm[n] = '\0';
        if (close[1] == ' ' && close[2] != '\0' && close[3] == ' ')
          proc->ppid = (guint32) g_ascii_strtoull (close + 4, NULL, 10);
      }
  }
  g_snprintf (path, sizeof path, "/proc/%u/status", pid);
  if (g_file_get_contents (path, &status, NULL, NULL))
    {
      const char *uid = strstr (status, "\nUid:");
      if (uid != NULL)
        proc->uid = (guint32) g_ascii_strtoull (uid + 5, NULL, 10);
    }
  g_snprintf (path, sizeof path, "/proc/%u/exe", pid);
  proc->exe = read_link (path);
  proc->cmdline = read_cmdline (pid);
  proc_read_maps (conv, proc);
  return proc;
}

static Proc *
proc_lookup (EtwsPerfConverter *conv,
             guint32            pid,
             gboolean           create)
{
  Proc *proc = g_hash_table_lookup (conv->procs, GUINT_TO_POINTER (pid));

  if (proc != NULL || !create || pid == 0)
    return proc;
  if (g_hash_table_size (conv->procs) >= MAX_TABLE)
    g_hash_table_remove_all (conv->procs);
  proc = proc_from_procfs (conv, pid);
  if (proc == NULL)
    proc = proc_new (pid);
  proc->allowed = pid_listed (conv, pid);
  g_hash_table_insert (conv->procs, GUINT_TO_POINTER (pid), proc);
  return proc;
}

/* Whether events about pid are reported. */
static gboolean
allowed (EtwsPerfConverter *conv,
         guint32            pid)
{
  Proc *proc;

  if (pid == conv->config.self_pid)
    return FALSE;
  if (conv->pids == NULL)
    return TRUE;
  proc = proc_lookup (conv, pid, TRUE);
  return proc != NULL && proc->allowed;
}

static const char *
proc_image_name (Proc *proc)
{
  if (proc == NULL)
    return "";
  if (proc->exe != NULL)
    return basename_of (proc->exe);
  return proc->comm;
}

/* ---- file descriptors ---- */

static const char *
fd_path (EtwsPerfConverter *conv,
         Proc              *proc,
         gint64             fd,
         gboolean           look)
{
  const char *known;
  char link[64];
  char *target;

  if (proc == NULL || fd < 0 || fd > G_MAXINT)
    return NULL;
  if (proc->fds != NULL &&
      g_hash_table_lookup_extended (proc->fds, GINT_TO_POINTER ((int) fd), NULL, (gpointer *) &known))
    return known;
  if (!look)
    return NULL;
  /* Opened before the capture, inherited, or made by a call we do not
   * trace (pipe, socket, dup): ask /proc once. */
  g_snprintf (link, sizeof link, "/proc/%u/fd/%d", proc->pid, (int) fd);
  target = read_link (link);
  if (target == NULL)
    return NULL;
  if (proc->fds == NULL)
    proc->fds = g_hash_table_new_full (NULL, NULL, NULL, fd_value_free);
  if (target[0] != '/')
    {
      g_free (target);
      target = not_a_file;
    }
  g_hash_table_replace (proc->fds, GINT_TO_POINTER ((int) fd), target);
  return target;
}

static void
fd_remember (Proc       *proc,
        gint64      fd,
        const char *path)
{
  if (proc == NULL || fd < 0 || fd > G_MAXINT)
    return;
  if (proc->fds == NULL)
    proc->fds = g_hash_table_new_full (NULL, NULL, NULL, fd_value_free);
  if (path == NULL)
    g_hash_table_remove (proc->fds, GINT_TO_POINTER ((int) fd));
  else
    g_hash_table_replace (proc->fds, GINT_TO_POINTER ((int) fd),
                          path == not_a_file ? not_a_file : g_strdup (path));
}

static const char *
proc_cwd (Proc *proc)
{
  if (proc == NULL)
    return NULL;
  if (proc->cwd == NULL)
    {
      char link[64];
      g_snprintf (link, sizeof link, "/proc/%u/cwd", proc->pid);
      proc->cwd = read_link (link);
    }
  return proc->cwd;
}

/* Folds "." and ".." out of an absolute path made by joining. */
static char *
normalize_path (char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  GString *out;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (kept->len > 0)
            g_ptr_array_remove_index (kept, kept->len - 1);
          continue;
        }
      g_ptr_array_add (kept, parts[i]);
    }
  out = g_string_sized_new (strlen (path));
  for (guint i = 0; i < kept->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (kept, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  g_free (path);
  return g_string_free (out, FALSE);
}

/* An absolute path for what a process passed to a *at() call. */
static char *
resolve_path (EtwsPerfConverter *conv,
              Proc              *proc,
              gint64             dfd,
              const char        *path)
{
  const char *base;

  if (path == NULL)
    return NULL;
  if (path[0] == '/')
    return g_strdup (path);
  base = (int) dfd == AT_FDCWD_VALUE ? proc_cwd (proc) : fd_path (conv, proc, dfd, TRUE);
  if (base == NULL || base == not_a_file || base[0] != '/')
    return g_strdup (path);
  if (path[0] == '\0')
    return g_strdup (base);  /* AT_EMPTY_PATH: the descriptor itself */
  return normalize_path (g_strconcat (base, "/", path, NULL));
}

/* ---- pending system calls ---- */

static void
pending_free (gpointer data)
{
  Pending *p = data;

  if (p->exec_args != NULL)
    g_string_free (p->exec_args, TRUE);
  g_free (p);
}

static Pending *
pending_get (EtwsPerfConverter *conv,
             guint32            tid)
{
  Pending *p = g_hash_table_lookup (conv->pending, GUINT_TO_POINTER (tid));

  if (p == NULL)
    {
      if (g_hash_table_size (conv->pending) >= MAX_TABLE)
        g_hash_table_remove_all (conv->pending);
      p = g_new0 (Pending, 1);
      g_hash_table_insert (conv->pending, GUINT_TO_POINTER (tid), p);
    }
  return p;
}

/* The enter half of sc on thread tid, or NULL. */
static Pending *
pending_take (EtwsPerfConverter *conv,
              guint32            tid,
              guint8             sc)
{
  Pending *p = g_hash_table_lookup (conv->pending, GUINT_TO_POINTER (tid));

  if (p == NULL || p->sc != sc)
    return NULL;
  p->sc = ETWS_SC_NONE;
  return p;
}

/* ---- output ---- */

static EtwFieldWriter *
out_begin (EtwsPerfConverter *conv)
{
  etw_fw_init (&conv->fw, conv->payload, sizeof conv->payload);
  return &conv->fw;
}

static void
batch_reserve (EtwsPerfBatch *batch,
               gsize          need)
{
  if (batch->len + need <= batch->cap)
    return;
  batch->cap = MAX (batch->cap * 2, batch->len + need);
  batch->cap = MAX (batch->cap, 64 * 1024);
  batch->data = g_realloc (batch->data, batch->cap);
}

static void
deliver_batch (EtwsPerfConverter *conv,
               gboolean           last)
{
  EtwsPerfBatch *batch = conv->batch;

  if (batch == NULL)
    batch = g_new0 (EtwsPerfBatch, 1);
  conv->batch = NULL;
  batch->lost = conv->lost;
  batch->notice = g_steal_pointer (&conv->notice);
  batch->last = last;
  conv->lost = 0;
  conv->deliver (batch, conv->user_data);
}

static gboolean
want (EtwsPerfConverter *conv,
      EtwsPerfProvider   provider)
{
  return (conv->config.providers & ETWS_PERF_BIT (provider)) != 0;
}

/* Process events still go out when the Process provider is off, to the
 * naming state only, so that the other providers' rows keep their
 * process names. */
static gboolean
observe_only (EtwsPerfConverter *conv,
              EtwsPerfProvider   provider)
{
  return provider == ETWS_PERF_PROCESS && !want (conv, provider);
}

static void
out_commit (EtwsPerfConverter   *conv,
            EtwsPerfProvider     provider,
            guint8               opcode,
            guint32              pid,
            guint32              tid,
            guint32              cpu,
            gint64               time,
            const EtwsPerfFrame *frames,
            guint                n_frames)
{
  gsize payload = (conv->fw.len + 7u) & ~(gsize) 7u;
  gsize size;
  EtwsPerfOut *out;
  EtwsPerfBatch *batch;
  gboolean observe = observe_only (conv, provider);

  if (!want (conv, provider) && !observe)
    return;
  if (!conv->config.stacks || observe)
    n_frames = 0;
  n_frames = MIN (n_frames, MAX_FRAMES);
  size = sizeof *out + payload + n_frames * sizeof (EtwsPerfFrame);

  if (conv->batch == NULL)
    conv->batch = g_new0 (EtwsPerfBatch, 1);
  batch = conv->batch;
  batch_reserve (batch, size);
  out = (EtwsPerfOut *) (gpointer) (batch->data + batch->len);
  memset (out, 0, sizeof *out);
  out->size = (guint32) size;
  out->provider = (guint8) provider | (observe ? ETWS_PERF_OUT_OBSERVE : 0);
  out->opcode = opcode;
  out->n_frames = (guint16) n_frames;
  out->pid = pid;
  out->tid = tid;
  out->cpu = cpu;
  out->payload_len = (guint32) conv->fw.len;
  out->raw_time = time;
  memcpy ((guint8 *) (out + 1), conv->payload, conv->fw.len);
  memset ((guint8 *) (out + 1) + conv->fw.len, 0, payload - conv->fw.len);
  if (n_frames > 0)
    memcpy ((guint8 *) (out + 1) + payload, frames, n_frames * sizeof (EtwsPerfFrame));
  batch->len += size;
  batch->n_events++;
  if (batch->n_events >= BATCH_EVENTS || batch->len >= BATCH_BYTES)
    deliver_batch (conv, FALSE);
}

/* The frames of a sample's callchain: kernel part, then the user part
 * while it stays inside executable mappings (Debian builds without frame
 * pointers, so past the first user frame perf often walks garbage). */
static guint
sample_frames (EtwsPerfConverter *conv,
               const Sample      *s,
               EtwsPerfFrame     *out)
{
  enum { CTX_NONE, CTX_KERNEL, CTX_USER } ctx = CTX_NONE;
  gboolean user_first = TRUE;
  Proc *proc = NULL;
  guint n = 0;

  if (!conv->config.stacks || s->ips == NULL)
    return 0;
  for (guint i = 0; i < s->n_ips && n < MAX_FRAMES; i++)
    {
      guint64 ip = s->ips[i];

      if (ip >= (guint64) PERF_CONTEXT_MAX)
        {
          if (ip == (guint64) PERF_CONTEXT_KERNEL)
            ctx = CTX_KERNEL;
          else if (ip == (guint64) PERF_CONTEXT_USER)
            {
              ctx = CTX_USER;
              user_first = TRUE;
            }
          else
            ctx = CTX_NONE;
          continue;
        }
      if (ctx == CTX_KERNEL && s->tag->kind == ETWS_PERF_TAG_BPF)
        continue;  /* the augmenter's own path through the syscall exit */
      if (ctx == CTX_KERNEL)
        {
          out[n].address = ip;
          out[n].dso = ETWS_PERF_DSO_KERNEL;
          out[n].offset = 0;
          n++;
        }
      else if (ctx == CTX_USER)
        {
          const Map *m;

          if (proc == NULL)
            proc = proc_lookup (conv, s->pid, TRUE);
          m = proc != NULL ? map_find (proc, ip) : NULL;
          if (m == NULL)
            {
              /* The exact IP is real even outside known mappings (JIT). */
              if (user_first)
                {
                  out[n].address = ip;
                  out[n].dso = NULL;
                  out[n].offset = 0;
                  n++;
                }
              ctx = CTX_NONE;
              continue;
            }
          out[n].address = ip;
          out[n].dso = m->dso;
          out[n].offset = ip - m->start + m->pgoff;
          n++;
          user_first = FALSE;
        }
    }
  return n;
}

static void
commit_sample (EtwsPerfConverter *conv,
               EtwsPerfProvider   provider,
               guint8             opcode,
               guint32            pid,
               guint32            tid,
               const Sample      *s)
{
  guint n = 0;

  if (observe_only (conv, provider))
    {
      out_commit (conv, provider, opcode, pid, tid, s->cpu, s->time, NULL, 0);
      return;
    }
  if (!want (conv, provider))
    return;
  n = sample_frames (conv, s, conv->frames);
  out_commit (conv, provider, opcode, pid, tid, s->cpu, s->time, conv->frames, n);
}

/* ---- tracepoint fields ---- */

static const EtwsPerfField *
field (EtwsPerfConverter *conv,
       const Sample      *s,
       guint              i)
{
  return &conv->config.formats[s->tag->tp].fields[i];
}

static gboolean
fld_in (const Sample        *s,
        const EtwsPerfField *f)
{
  return f->offset >= 0 && (guint32) f->offset + (guint32) f->size <= s->raw_size;
}

static guint64
fld_u (const Sample        *s,
       const EtwsPerfField *f)
{
  if (!fld_in (s, f))
    return 0;
  switch (f->size)
    {
    case 1: return s->raw[f->offset];
    case 2: return rd16 (s->raw + f->offset);
    case 4: return rd32 (s->raw + f->offset);
    case 8: return rd64 (s->raw + f->offset);
    default: return 0;
    }
}

static gint64
fld_i (const Sample        *s,
       const EtwsPerfField *f)
{
  if (!fld_in (s, f))
    return 0;
  switch (f->size)
    {
    case 1: return (gint8) s->raw[f->offset];
    case 2: return (gint16) rd16 (s->raw + f->offset);
    case 4: return (gint32) rd32 (s->raw + f->offset);
    case 8: return (gint64) rd64 (s->raw + f->offset);
    default: return 0;
    }
}

/* A string field (__data_loc or char[N]), copied NUL-terminated into buf. */
static const char *
fld_str (const Sample        *s,
         const EtwsPerfField *f,
         char                *buf,
         gsize                size)
{
  const guint8 *p;
  gsize len;

  buf[0] = '\0';
  if (!fld_in (s, f))
    return buf;
  if (f->dynamic)
    {
      guint32 loc = rd32 (s->raw + f->offset);
      guint32 off = loc & 0xffff, n = loc >> 16;
      if (off + n > s->raw_size)
        return buf;
      p = s->raw + off;
      len = n;
    }
  else
    {
      p = s->raw + f->offset;
      len = (gsize) f->size;
    }
  len = strnlen ((const char *) p, MIN (len, size - 1));
  memcpy (buf, p, len);
  buf[len] = '\0';
  return buf;
}

static const guint8 *
fld_bytes (const Sample        *s,
           const EtwsPerfField *f,
           gsize                want_size)
{
  if (!fld_in (s, f) || (gsize) f->size < want_size)
    return NULL;
  return s->raw + f->offset;
}

static gint64
arg (EtwsPerfConverter *conv,
     const Sample      *s,
     guint              i)
{
  const EtwsPerfTpFormat *fmt = &conv->config.formats[s->tag->tp];

  if (i >= fmt->n_args)
    return 0;
  return fld_i (s, &fmt->args[i]);
}

static gint64
exit_ret (EtwsPerfConverter *conv,
          const Sample      *s)
{
  return fld_i (s, field (conv, s, 0));
}

/* In an interrupt (softirq, hardirq, NMI), the current task is whoever
 * happened to run: attribute to the socket's owner instead. */
static gboolean
in_interrupt (const Sample *s)
{
  return s->raw_size >= 3 && (s->raw[2] & (0x08 | 0x10 | 0x40)) != 0;
}

/* ---- process and thread ---- */

static void
write_process_fields (EtwsPerfConverter *conv,
                      Proc              *proc,
                      guint32            pid,
                      guint32            ppid,
                      gboolean           cmdline)
{
  EtwFieldWriter *w = &conv->fw;

  etw_fw_uint (w, "ProcessId", pid);
  etw_fw_uint (w, "ParentId", ppid);
  etw_fw_string (w, "ImageFileName", proc_image_name (proc));
  if (cmdline || conv->config.fields)
    etw_fw_string (w, "CommandLine", proc != NULL && proc->cmdline != NULL ? proc->cmdline : "");
  if (conv->config.fields)
    {
      etw_fw_uint (w, "uid", proc != NULL ? proc->uid : 0);
      etw_fw_string (w, "ImagePath", proc != NULL && proc->exe != NULL ? proc->exe : "");
    }
}

static void
handle_newtask (EtwsPerfConverter *conv,
                const Sample      *s)
{
  guint32 child = (guint32) fld_u (s, field (conv, s, 0));
  guint64 flags = fld_u (s, field (conv, s, 2));
  Proc *parent = proc_lookup (conv, s->pid, TRUE);
  char comm[17];

  fld_str (s, field (conv, s, 1), comm, sizeof comm);
  if (flags & CLONE_THREAD_FLAG)
    {
      if (!allowed (conv, s->pid))
        return;
      out_begin (conv);
      etw_fw_uint (&conv->fw, "ProcessId", s->pid);
      etw_fw_uint (&conv->fw, "ThreadId", child);
      if (conv->config.fields)
        {
          etw_fw_uint (&conv->fw, "ParentThreadId", s->tid);
          etw_fw_string (&conv->fw, "ThreadName", comm);
          etw_fw_hex (&conv->fw, "CloneFlags", flags);
        }
      commit_sample (conv, ETWS_PERF_THREAD, ETWS_OP_START, s->pid, child, s);
      return;
    }

  {
    guint32 ppid = (flags & CLONE_PARENT_FLAG) && parent != NULL ? parent->ppid : s->pid;
    Proc *child_proc;

    gboolean child_allowed = conv->pids == NULL || pid_listed (conv, child) ||
                             (conv->config.include_children && parent != NULL && parent->allowed);

    if (child == conv->config.self_pid || !child_allowed)
      return;
    /* The child's state is made from the FORK record that follows;
     * remember now that a --pid filter takes it in. */
    if (conv->pids != NULL)
      {
        child_proc = proc_lookup (conv, child, FALSE);
        if (child_proc == NULL)
          {
            child_proc = proc_new (child);
            g_hash_table_insert (conv->procs, GUINT_TO_POINTER (child), child_proc);
          }
        child_proc->allowed = TRUE;
      }
    /* It starts as a copy of its parent: same image, same command line. */
    out_begin (conv);
    write_process_fields (conv, parent, child, ppid, TRUE);
    if (conv->config.fields)
      {
        etw_fw_uint (&conv->fw, "ParentThreadId", s->tid);
        etw_fw_hex (&conv->fw, "CloneFlags", flags);
      }
    commit_sample (conv, ETWS_PERF_PROCESS, ETWS_OP_START, child, child, s);

    out_begin (conv);
    etw_fw_uint (&conv->fw, "ProcessId", child);
    etw_fw_uint (&conv->fw, "ThreadId", child);
    if (conv->config.fields)
      {
        etw_fw_uint (&conv->fw, "ParentThreadId", s->tid);
        etw_fw_string (&conv->fw, "ThreadName", comm);
        etw_fw_hex (&conv->fw, "CloneFlags", flags);
      }
    commit_sample (conv, ETWS_PERF_THREAD, ETWS_OP_START, child, child, s);
  }
}

static void
handle_exec (EtwsPerfConverter *conv,
             const Sample      *s)
{
  char filename[4096];
  guint32 old_tid = (guint32) fld_u (s, field (conv, s, 2));
  Proc *proc = proc_lookup (conv, s->pid, TRUE);
  gboolean truncated = FALSE;
  Pending *p;

  fld_str (s, field (conv, s, 0), filename, sizeof filename);
  if (proc == NULL)
    return;

  /* The image: the main binary's first mapping when the kernel reported
   * one since the exec, else the name as passed to execve. */
  if (proc->awaiting_exe || proc->exe == NULL)
    {
      char *resolved = resolve_path (conv, proc, AT_FDCWD_VALUE, filename);
      g_free (proc->exe);
      proc->exe = resolved;
    }
  proc->awaiting_exe = FALSE;

  p = g_hash_table_lookup (conv->pending, GUINT_TO_POINTER (s->tid));
  g_clear_pointer (&proc->cmdline, g_free);
  if (p != NULL && p->exec_valid)
    {
      GString *args = p->exec_args;
      char *line = g_malloc (args != NULL ? args->len + 1 : 1);
      gsize n = args != NULL ? args->len : 0;

      /* NUL-separated argv → one line, like /proc/PID/cmdline shown. */
      if (n > 0)
        memcpy (line, args->str, n);
      while (n > 0 && line[n - 1] == '\0')
        n--;
      for (gsize i = 0; i < n; i++)
        if (line[i] == '\0')
          line[i] = ' ';
      line[n] = '\0';
      proc->cmdline = line;
      proc->uid = p->exec_uid;
      p->exec_valid = FALSE;
      truncated = p->exec_truncated;
    }
  else if ((conv->config.augmented & ETWS_PERF_BIT (ETWS_PERF_PROCESS)) == 0)
    /* Without the augmenter: racy, the process may be gone already. */
    proc->cmdline = read_cmdline (s->pid);

  if (!allowed (conv, s->pid))
    return;
  out_begin (conv);
  write_process_fields (conv, proc, s->pid, proc->ppid, TRUE);
  if (conv->config.fields)
    {
      etw_fw_string (&conv->fw, "ExecFileName", filename);
      if (old_tid != 0 && old_tid != s->pid)
        etw_fw_uint (&conv->fw, "OldThreadId", old_tid);
    }
  if (truncated)
    etw_fw_bool (&conv->fw, "CommandLineTruncated", TRUE);
  commit_sample (conv, ETWS_PERF_PROCESS, ETWS_OP_EXEC, s->pid, s->tid, s);
}

static void
handle_exit (EtwsPerfConverter *conv,
             const Sample      *s)
{
  char comm[17];
  gboolean group_dead = fld_u (s, field (conv, s, 2)) != 0;
  Proc *proc = proc_lookup (conv, s->pid, TRUE);

  fld_str (s, field (conv, s, 0), comm, sizeof comm);
  if (allowed (conv, s->pid))
    {
      out_begin (conv);
      etw_fw_uint (&conv->fw, "ProcessId", s->pid);
      etw_fw_uint (&conv->fw, "ThreadId", s->tid);
      if (conv->config.fields)
        etw_fw_string (&conv->fw, "ThreadName", comm);
      commit_sample (conv, ETWS_PERF_THREAD, ETWS_OP_END, s->pid, s->tid, s);

      if (group_dead)
        {
          out_begin (conv);
          write_process_fields (conv, proc, s->pid, proc != NULL ? proc->ppid : 0, FALSE);
          commit_sample (conv, ETWS_PERF_PROCESS, ETWS_OP_END, s->pid, s->tid, s);
        }
    }
  /* The state goes with the EXIT record that follows. */
  if (group_dead && proc != NULL)
    proc->dead = TRUE;
}

/* ---- files ---- */

static void
file_event (EtwsPerfConverter *conv,
            const Sample      *s,
            guint8             opcode,
            const char        *path,
            gint64             fd,
            gint64             ret,
            gboolean           io)
{
  out_begin (conv);
  if (path != NULL)
    etw_fw_string (&conv->fw, "FileName", path);
  if (fd >= 0)
    etw_fw_int (&conv->fw, "fd", fd);
  if (io)
    etw_fw_uint (&conv->fw, "IoSize", ret > 0 ? (guint64) ret : 0);
  if (opcode != ETWS_OP_FILE_CLOSE)
    write_status (conv, ret);
}

/* Create: what an open/openat/openat2/creat did, from the augmenter's
 * record (path as passed) or from the enter/exit pair (path from /proc). */
static void
emit_open (EtwsPerfConverter *conv,
           const Sample      *s,
           gint64             dfd,
           const char        *as_passed,
           gint64             flags,
           gint64             mode,
           gint64             ret,
           gboolean           truncated)
{
  Proc *proc = proc_lookup (conv, s->pid, TRUE);
  g_autofree char *path = NULL;

  if (as_passed != NULL)
    path = resolve_path (conv, proc, dfd, as_passed);
  else if (ret >= 0 && proc != NULL)
    {
      /* No augmenter: ask /proc what the new descriptor is (racy). */
      char link[64];
      g_snprintf (link, sizeof link, "/proc/%u/fd/%d", s->pid, (int) ret);
      path = read_link (link);
    }
  if (ret >= 0)
    fd_remember (proc, ret, path != NULL && path[0] == '/' ? path : not_a_file);
  if (!allowed (conv, s->pid))
    return;

  file_event (conv, s, ETWS_OP_FILE_CREATE, path != NULL ? path : "", ret >= 0 ? ret : -1, ret, FALSE);
  if (conv->config.fields)
    {
      etw_fw_hex (&conv->fw, "Flags", (guint64) flags);
      etw_fw_hex (&conv->fw, "Mode", (guint64) mode);
      if (as_passed != NULL && g_strcmp0 (as_passed, path) != 0)
        etw_fw_string (&conv->fw, "OpenPath", as_passed);
    }
  if (truncated)
    etw_fw_bool (&conv->fw, "PathTruncated", TRUE);
  commit_sample (conv, ETWS_PERF_FILE, ETWS_OP_FILE_CREATE, s->pid, s->tid, s);
}

static void
handle_open_exit (EtwsPerfConverter *conv,
                  const Sample      *s,
                  guint8             sc)
{
  Pending *p = pending_take (conv, s->tid, sc);

  if (p != NULL)
    emit_open (conv, s, p->args[0], NULL, p->args[1], p->args[2], exit_ret (conv, s), FALSE);
}

static void
handle_rw_exit (EtwsPerfConverter *conv,
                const Sample      *s,
                guint8             sc,
                guint8             opcode)
{
  Pending *p = pending_take (conv, s->tid, sc);
  gint64 ret = exit_ret (conv, s);
  Proc *proc;
  const char *path;

  if (p == NULL || !allowed (conv, s->pid))
    return;
  proc = proc_lookup (conv, s->pid, TRUE);
  path = fd_path (conv, proc, p->args[0], TRUE);
  /* Pipes, sockets and descriptors nobody can name are not file I/O. */
  if (path == NULL || path == not_a_file)
    return;
  file_event (conv, s, opcode, path, p->args[0], ret, TRUE);
  if (conv->config.fields && (sc == ETWS_SC_PREAD64 || sc == ETWS_SC_PWRITE64))
    etw_fw_uint (&conv->fw, "Offset", (guint64) p->args[3]);
  commit_sample (conv, ETWS_PERF_FILE, opcode, s->pid, s->tid, s);
}

static void
handle_close (EtwsPerfConverter *conv,
              const Sample      *s)
{
  gint64 fd = arg (conv, s, 0);
  Proc *proc = proc_lookup (conv, s->pid, FALSE);
  const char *path = fd_path (conv, proc, fd, FALSE);

  if (path != NULL && path != not_a_file && allowed (conv, s->pid))
    {
      file_event (conv, s, ETWS_OP_FILE_CLOSE, path, fd, 0, FALSE);
      commit_sample (conv, ETWS_PERF_FILE, ETWS_OP_FILE_CLOSE, s->pid, s->tid, s);
    }
  if (proc != NULL && proc->fds != NULL)
    g_hash_table_remove (proc->fds, GINT_TO_POINTER ((int) fd));
}

static void
handle_fd_upkeep (EtwsPerfConverter *conv,
                  const Sample      *s,
                  guint8             sc)
{
  Proc *proc = proc_lookup (conv, s->pid, FALSE);

  if (proc == NULL || proc->fds == NULL)
    return;
  if (sc == ETWS_SC_CLOSE_RANGE)
    {
      guint64 first = (guint64) arg (conv, s, 0), last = (guint64) arg (conv, s, 1);
      guint64 flags = (guint64) arg (conv, s, 2);
      GHashTableIter iter;
      gpointer key;

      if (flags & 4)  /* CLOSE_RANGE_CLOEXEC only marks them */
        return;
      g_hash_table_iter_init (&iter, proc->fds);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if ((guint64) GPOINTER_TO_INT (key) >= first && (guint64) GPOINTER_TO_INT (key) <= last)
          g_hash_table_iter_remove (&iter);
    }
  else
    {
      /* dup2/dup3: the new descriptor is now the old one's file. */
      gint64 oldfd = arg (conv, s, 0), newfd = arg (conv, s, 1);
      const char *path = fd_path (conv, proc, oldfd, FALSE);
      fd_remember (proc, newfd, path);
    }
}

/* Delete and Rename: paths from the augmenter, or only the user
 * pointers when it is not loaded. */
static void
emit_path_op (EtwsPerfConverter *conv,
              const Sample      *s,
              gboolean           rename,
              gint64             dfd,
              const char        *path_passed,
              gint64             new_dfd,
              const char        *new_passed,
              gint64             flags,
              gint64             ret,
              const gint64      *pointers,
              gboolean           truncated)
{
  Proc *proc;
  g_autofree char *path = NULL;
  g_autofree char *new_path = NULL;

  if (!allowed (conv, s->pid))
    return;
  proc = proc_lookup (conv, s->pid, TRUE);
  if (path_passed != NULL)
    path = resolve_path (conv, proc, dfd, path_passed);
  if (rename && new_passed != NULL)
    new_path = resolve_path (conv, proc, new_dfd, new_passed);
  out_begin (conv);
  if (path != NULL)
    etw_fw_string (&conv->fw, "FileName", path);
  if (new_path != NULL)
    etw_fw_string (&conv->fw, "NewFileName", new_path);
  write_status (conv, ret);
  if (pointers != NULL)
    {
      etw_fw_pointer (&conv->fw, "PathPointer", (guint64) pointers[0]);
      if (rename)
        etw_fw_pointer (&conv->fw, "NewPathPointer", (guint64) pointers[1]);
    }
  if (conv->config.fields)
    etw_fw_hex (&conv->fw, "Flags", (guint64) flags);
  if (truncated)
    etw_fw_bool (&conv->fw, "PathTruncated", TRUE);
  commit_sample (conv, ETWS_PERF_FILE, rename ? ETWS_OP_FILE_RENAME : ETWS_OP_FILE_DELETE, s->pid, s->tid, s);
}

static void
handle_path_exit (EtwsPerfConverter *conv,
                  const Sample      *s,
                  guint8             sc)
{
  Pending *p = pending_take (conv, s->tid, sc);
  gboolean rename = sc == ETWS_SC_RENAME || sc == ETWS_SC_RENAMEAT || sc == ETWS_SC_RENAMEAT2;

  if (p != NULL)
    emit_path_op (conv, s, rename, p->args[0], NULL, p->args[1], NULL, p->args[rename ? 2 : 1],
                  exit_ret (conv, s), &p->args[3], FALSE);
}

/* A sys_enter_* without the augmenter: keep the arguments for the exit. */
static void
handle_enter (EtwsPerfConverter *conv,
              const Sample      *s,
              guint8             sc)
{
  Pending *p = pending_get (conv, s->tid);
  const EtwsPerfTpFormat *fmt = &conv->config.formats[s->tag->tp];

  p->sc = sc;
  memset (p->args, 0, sizeof p->args);
  for (guint i = 0; i < fmt->n_args; i++)
    p->args[i] = fld_i (s, &fmt->args[i]);

  /* Lay the arguments out as the augmenter does: args[0] dfd, args[1]
   * flags (args[2] mode for opens); the user pointers of paths go to
   * args[3] and args[4]. */
  switch (sc)
    {
    case ETWS_SC_OPEN:       /* filename, flags, mode */
      p->args[3] = p->args[0];
      p->args[0] = AT_FDCWD_VALUE;
      break;
    case ETWS_SC_CREAT:      /* filename, mode */
      p->args[3] = p->args[0];
      p->args[2] = p->args[1];
      p->args[1] = 01 | 0100 | 01000;
      p->args[0] = AT_FDCWD_VALUE;
      break;
    case ETWS_SC_OPENAT:     /* dfd, filename, flags, mode */
      {
        gint64 filename = p->args[1], flags = p->args[2], mode = p->args[3];
        p->args[1] = flags;
        p->args[2] = mode;
        p->args[3] = filename;
      }
      break;
    case ETWS_SC_UNLINK:     /* pathname */
    case ETWS_SC_RMDIR:
      p->args[3] = p->args[0];
      p->args[1] = sc == ETWS_SC_RMDIR ? 0x200 : 0;
      p->args[0] = AT_FDCWD_VALUE;
      break;
    case ETWS_SC_UNLINKAT:   /* dfd, pathname, flag */
      p->args[3] = p->args[1];
      p->args[1] = p->args[2];
      break;
    case ETWS_SC_RENAME:     /* oldname, newname */
      p->args[3] = p->args[0];
      p->args[4] = p->args[1];
      p->args[0] = p->args[1] = AT_FDCWD_VALUE;
      p->args[2] = 0;
      break;
    case ETWS_SC_RENAMEAT:   /* olddfd, oldname, newdfd, newname[, flags] */
    case ETWS_SC_RENAMEAT2:
      {
        gint64 oldname = p->args[1], newdfd = p->args[2], newname = p->args[3];
        p->args[1] = newdfd;
        p->args[2] = sc == ETWS_SC_RENAMEAT2 ? p->args[4] : 0;
        p->args[3] = oldname;
        p->args[4] = newname;
      }
      break;
    default:
      break;
    }
}

static void
handle_chdir (EtwsPerfConverter *conv,
              const Sample      *s,
              guint8             sc)
{
  Proc *proc = proc_lookup (conv, s->pid, FALSE);
  Pending *p = sc == ETWS_SC_FCHDIR ? pending_take (conv, s->tid, sc) : NULL;
  const char *dir;

  if (proc == NULL || exit_ret (conv, s) != 0)
    return;
  g_clear_pointer (&proc->cwd, g_free);
  /* fchdir: the directory is a descriptor we may know; otherwise /proc
   * is asked when a relative path needs it. */
  if (p != NULL && (dir = fd_path (conv, proc, p->args[0], FALSE)) != NULL && dir != not_a_file)
    proc->cwd = g_strdup (dir);
}

static void
handle_augment (EtwsPerfConverter *conv,
                const Sample      *s)
{
  struct etws_aug_hdr hdr;
  g_autofree char *str0 = NULL;
  g_autofree char *str1 = NULL;
  const char *raw0, *raw1;

  if (s->raw_size < sizeof hdr)
    return;
  memcpy (&hdr, s->raw, sizeof hdr);
  if (sizeof hdr + (gsize) hdr.len[0] + (gsize) hdr.len[1] > s->raw_size)
    return;
  raw0 = (const char *) s->raw + sizeof hdr;
  raw1 = raw0 + hdr.len[0];

  if (hdr.kind == ETWS_AUG_EXEC)
    {
      Pending *p = pending_get (conv, s->tid);

      p->exec_valid = TRUE;
      p->exec_truncated = hdr.truncated != 0;
      p->exec_uid = (guint32) hdr.arg[0];
      if (p->exec_args == NULL)
        p->exec_args = g_string_sized_new (hdr.len[1] + 1);
      g_string_truncate (p->exec_args, 0);
      g_string_append_len (p->exec_args, raw1, hdr.len[1]);
      return;
    }
  str0 = g_strndup (raw0, hdr.len[0]);
  str1 = g_strndup (raw1, hdr.len[1]);
  switch (hdr.kind)
    {
    case ETWS_AUG_OPEN:
      emit_open (conv, s, hdr.arg[0], str0, hdr.arg[1], hdr.arg[2], hdr.ret, hdr.truncated != 0);
      break;
    case ETWS_AUG_UNLINK:
      emit_path_op (conv, s, FALSE, hdr.arg[0], str0, 0, NULL, hdr.arg[1], hdr.ret, NULL, hdr.truncated != 0);
      break;
    case ETWS_AUG_RENAME:
      emit_path_op (conv, s, TRUE, hdr.arg[0], str0, hdr.arg[1], str1, hdr.arg[2], hdr.ret, NULL,
                    hdr.truncated != 0);
      break;
    case ETWS_AUG_CHDIR:
      if (hdr.ret == 0)
        {
          Proc *proc = proc_lookup (conv, s->pid, TRUE);
          if (proc != NULL)
            {
              char *dir = resolve_path (conv, proc, AT_FDCWD_VALUE, str0);
              g_free (proc->cwd);
              proc->cwd = dir;
            }
        }
      break;
    default:
      break;
    }
}

/* ---- network ---- */

static const char *
tcp_state_name (int state)
{
  static const char *const names[] = {
    "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
  };
  return state >= 0 && state < (int) G_N_ELEMENTS (names) ? names[state] : "UNKNOWN";
}

enum
{
  TCP_ESTABLISHED = 1,
  TCP_SYN_SENT,
  TCP_SYN_RECV,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_TIME_WAIT,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_LAST_ACK,
  TCP_LISTEN,
};

#define AF_INET_VALUE  2
#define AF_INET6_VALUE 10

static void
sock_free (gpointer data)
{
  Sock *sock = data;

  g_free (sock->frames);
  g_free (sock);
}

static Sock *
sock_get (EtwsPerfConverter *conv,
          guint64            skaddr,
          gboolean           create)
{
  Sock *sock = g_hash_table_lookup (conv->socks, GSIZE_TO_POINTER ((gsize) skaddr));

  if (sock == NULL && create && skaddr != 0)
    {
      if (g_hash_table_size (conv->socks) >= MAX_TABLE)
        g_hash_table_remove_all (conv->socks);
      sock = g_new0 (Sock, 1);
      g_hash_table_insert (conv->socks, GSIZE_TO_POINTER ((gsize) skaddr), sock);
    }
  return sock;
}

/* Reads the tuple fields (sport, dport, family, saddr, daddr, saddr_v6,
 * daddr_v6 at field indexes base…base+6) into sock. */
static void
read_tuple (EtwsPerfConverter *conv,
            const Sample      *s,
            guint              base,
            Sock              *sock)
{
  const guint8 *a;

  sock->sport = (guint16) fld_u (s, field (conv, s, base));
  sock->dport = (guint16) fld_u (s, field (conv, s, base + 1));
  sock->family = (guint16) fld_u (s, field (conv, s, base + 2));
  memset (sock->saddr, 0, sizeof sock->saddr);
  memset (sock->daddr, 0, sizeof sock->daddr);
  if (sock->family == AF_INET6_VALUE)
    {
      if ((a = fld_bytes (s, field (conv, s, base + 5), 16)) != NULL)
        memcpy (sock->saddr, a, 16);
      if ((a = fld_bytes (s, field (conv, s, base + 6), 16)) != NULL)
        memcpy (sock->daddr, a, 16);
    }
  else
    {
      if ((a = fld_bytes (s, field (conv, s, base + 3), 4)) != NULL)
        memcpy (sock->saddr, a, 4);
      if ((a = fld_bytes (s, field (conv, s, base + 4), 4)) != NULL)
        memcpy (sock->daddr, a, 4);
    }
}

/* A sockaddr_in / sockaddr_in6 as tcp_send_reset records it. */
static void
read_sockaddr (const guint8 *p,
               guint16      *family,
               guint16      *port,
               guint8        addr[16])
{
  memset (addr, 0, 16);
  *family = 0;
  *port = 0;
  if (p == NULL)
    return;
  *family = rd16 (p);
  *port = GUINT16_FROM_BE (rd16 (p + 2));
  if (*family == AF_INET6_VALUE)
    memcpy (addr, p + 8, 16);
  else if (*family == AF_INET_VALUE)
    memcpy (addr, p + 4, 4);
}

/* TcpIp fields in the order of the ETW TypeGroups. */
static void
write_tcp_fields (EtwsPerfConverter *conv,
                  guint32            pid,
                  guint64            size,
                  const Sock        *sock,
                  guint64            skaddr)
{
  EtwFieldWriter *w = &conv->fw;

  etw_fw_uint (w, "PID", pid);
  etw_fw_uint (w, "size", size);
  if (sock != NULL && sock->family == AF_INET6_VALUE)
    {
      etw_fw_ipv6 (w, "daddr", sock->daddr);
      etw_fw_ipv6 (w, "saddr", sock->saddr);
    }
  else if (sock != NULL && sock->family == AF_INET_VALUE)
    {
      etw_fw_ipv4 (w, "daddr", sock->daddr);
      etw_fw_ipv4 (w, "saddr", sock->saddr);
    }
  if (sock != NULL && sock->family != 0)
    {
      etw_fw_uint (w, "dport", sock->dport);
      etw_fw_uint (w, "sport", sock->sport);
    }
  if (conv->config.fields)
    etw_fw_pointer (w, "connid", skaddr);
}

static guint8
tcp_opcode (guint8      v4_opcode,
            const Sock *sock)
{
  /* ETW's IPv6 variants are the IPv4 opcode + 16. */
  if (sock != NULL && sock->family == AF_INET6_VALUE && v4_opcode <= ETWS_OP_TCP_ACCEPT)
    return v4_opcode + 16;
  return v4_opcode;
}

/* The process a socket event is about, and the thread. */
static void
tcp_subject (const Sample *s,
             const Sock   *sock,
             guint32      *pid,
             guint32      *tid)
{
  if (sock != NULL && sock->pid != 0)
    {
      *pid = sock->pid;
      *tid = sock->tid;
    }
  else
    {
      *pid = s->pid;
      *tid = s->tid;
    }
}

static void
tcp_commit (EtwsPerfConverter   *conv,
            const Sample        *s,
            guint8               opcode,
            guint32              pid,
            guint32              tid,
            const EtwsPerfFrame *frames,
            guint                n_frames)
{
  if (frames == NULL)
    n_frames = sample_frames (conv, s, conv->frames), frames = conv->frames;
  out_commit (conv, ETWS_PERF_NETWORK, opcode, pid, tid, s->cpu, s->time, frames, n_frames);
}

static void
handle_set_state (EtwsPerfConverter *conv,
                  const Sample      *s)
{
  guint64 skaddr = fld_u (s, field (conv, s, 0));
  int oldstate = (int) fld_i (s, field (conv, s, 1));
  int newstate = (int) fld_i (s, field (conv, s, 2));
  Sock *sock = sock_get (conv, skaddr, TRUE);
  guint32 pid, tid;
  guint8 opcode = ETWS_OP_TCP_STATE;
  const EtwsPerfFrame *frames = NULL;
  guint n_frames = 0;

  if (sock == NULL)
    return;
  read_tuple (conv, s, 3, sock);
  if (!in_interrupt (s) && s->pid != 0)
    {
      sock->pid = s->pid;
      sock->tid = s->tid;
    }

  if (oldstate == TCP_CLOSE && newstate == TCP_LISTEN)
    g_hash_table_replace (conv->listeners, GUINT_TO_POINTER ((guint) sock->sport),
                          GSIZE_TO_POINTER ((gsize) sock->pid << 32 | sock->tid));
  else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE)
    g_hash_table_remove (conv->listeners, GUINT_TO_POINTER ((guint) sock->sport));
  else if (newstate == TCP_SYN_SENT && conv->config.stacks)
    {
      /* connect(): its stack is the interesting one, kept for Connect. */
      g_free (sock->frames);
      sock->n_frames = sample_frames (conv, s, conv->frames);
      sock->frames = g_memdup2 (conv->frames, sock->n_frames * sizeof (EtwsPerfFrame));
    }
  else if ((oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) ||
           (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED))
    {
      /* A connection to a listener: it belongs to the listener (these run
       * in softirq context, in whichever task was interrupted). */
      gpointer owner = g_hash_table_lookup (conv->listeners, GUINT_TO_POINTER ((guint) sock->sport));
      if (owner != NULL)
        {
          sock->pid = (guint32) (GPOINTER_TO_SIZE (owner) >> 32);
          sock->tid = (guint32) GPOINTER_TO_SIZE (owner);
        }
    }

  if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED)
    {
      opcode = ETWS_OP_TCP_CONNECT;
      frames = sock->frames;
      n_frames = sock->n_frames;
    }
  else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
    opcode = ETWS_OP_TCP_ACCEPT;
  else if (oldstate == TCP_ESTABLISHED)
    opcode = ETWS_OP_TCP_DISCONNECT;

  tcp_subject (s, sock, &pid, &tid);
  if (!want (conv, ETWS_PERF_NETWORK) || !allowed (conv, pid))
    return;
  out_begin (conv);
  write_tcp_fields (conv, pid, 0, sock, skaddr);
  if (opcode == ETWS_OP_TCP_STATE || conv->config.fields)
    {
      etw_fw_string (&conv->fw, "OldState", tcp_state_name (oldstate));
      etw_fw_string (&conv->fw, "NewState", tcp_state_name (newstate));
    }
  tcp_commit (conv, s, tcp_opcode (opcode, sock), pid, tid, frames, frames != NULL ? n_frames : 0);
  if (opcode == ETWS_OP_TCP_CONNECT)
    {
      g_clear_pointer (&sock->frames, g_free);
      sock->n_frames = 0;
    }
}

static void
handle_tcp_simple (EtwsPerfConverter *conv,
                   const Sample      *s,
                   guint8             opcode)
{
  guint64 skaddr = fld_u (s, field (conv, s, 0));
  Sock *known = sock_get (conv, skaddr, FALSE);
  Sock tuple = { 0 };
  guint32 pid, tid;

  if (known != NULL)
    {
      tuple.pid = known->pid;
      tuple.tid = known->tid;
    }
  read_tuple (conv, s, 1, &tuple);
  tcp_subject (s, &tuple, &pid, &tid);
  if (want (conv, ETWS_PERF_NETWORK) && allowed (conv, pid))
    {
      out_begin (conv);
      write_tcp_fields (conv, pid, 0, &tuple, skaddr);
      tcp_commit (conv, s, tcp_opcode (opcode, &tuple), pid, tid, NULL, 0);
    }
  if (opcode == ETWS_OP_TCP_CLOSE)
    g_hash_table_remove (conv->socks, GSIZE_TO_POINTER ((gsize) skaddr));
}

static void
handle_send_reset (EtwsPerfConverter *conv,
                   const Sample      *s)
{
  guint64 skaddr = fld_u (s, field (conv, s, 0));
  Sock *known = sock_get (conv, skaddr, FALSE);
  Sock tuple = { 0 };
  guint16 dfamily;
  guint32 pid, tid;

  if (known != NULL)
    {
      tuple.pid = known->pid;
      tuple.tid = known->tid;
    }
  read_sockaddr (fld_bytes (s, field (conv, s, 1), 28), &tuple.family, &tuple.sport, tuple.saddr);
  read_sockaddr (fld_bytes (s, field (conv, s, 2), 28), &dfamily, &tuple.dport, tuple.daddr);
  tcp_subject (s, &tuple, &pid, &tid);
  if (!want (conv, ETWS_PERF_NETWORK) || !allowed (conv, pid))
    return;
  out_begin (conv);
  write_tcp_fields (conv, pid, 0, &tuple, skaddr);
  if (conv->config.fields)
    etw_fw_string (&conv->fw, "State", tcp_state_name ((int) fld_i (s, field (conv, s, 3))));
  tcp_commit (conv, s, ETWS_OP_TCP_SEND_RESET, pid, tid, NULL, 0);
}

static void
handle_sock_length (EtwsPerfConverter *conv,
                    const Sample      *s,
                    guint8             opcode)
{
  guint64 sk = fld_u (s, field (conv, s, 0));
  gint64 ret = fld_i (s, field (conv, s, 2));
  Sock *sock = sock_get (conv, sk, FALSE);
  Sock fallback = { 0 };

  if (ret <= 0 || !want (conv, ETWS_PERF_NETWORK) || !allowed (conv, s->pid))
    return;
  if (sock != NULL && !in_interrupt (s))
    {
      sock->pid = s->pid;
      sock->tid = s->tid;
    }
  if (sock == NULL)
    {
      /* Connected before the capture: sizes without addresses. */
      sock = &fallback;
    }
  out_begin (conv);
  write_tcp_fields (conv, s->pid, (guint64) ret, sock, sk);
  tcp_commit (conv, s, tcp_opcode (opcode, sock), s->pid, s->tid, NULL, 0);
}

/* ---- samples ---- */

static void
handle_tracepoint (EtwsPerfConverter *conv,
                   const Sample      *s)
{
  EtwsPerfTp tp = s->tag->tp;
  const EtwsPerfTpInfo *info = _etws_perf_tp_info (tp);

  if (info->syscall != ETWS_SC_NONE)
    {
      guint8 sc = info->syscall;

      if (info->enter)
        {
          switch (sc)
            {
            case ETWS_SC_CLOSE:
              handle_close (conv, s);
              break;
            case ETWS_SC_CLOSE_RANGE:
            case ETWS_SC_DUP2:
            case ETWS_SC_DUP3:
              handle_fd_upkeep (conv, s, sc);
              break;
            default:
              handle_enter (conv, s, sc);
              break;
            }
          return;
        }
      switch (sc)
        {
        case ETWS_SC_OPEN:
        case ETWS_SC_OPENAT:
        case ETWS_SC_OPENAT2:
        case ETWS_SC_CREAT:
          handle_open_exit (conv, s, sc);
          break;
        case ETWS_SC_READ:
        case ETWS_SC_PREAD64:
        case ETWS_SC_READV:
          handle_rw_exit (conv, s, sc, ETWS_OP_FILE_READ);
          break;
        case ETWS_SC_WRITE:
        case ETWS_SC_PWRITE64:
        case ETWS_SC_WRITEV:
          handle_rw_exit (conv, s, sc, ETWS_OP_FILE_WRITE);
          break;
        case ETWS_SC_UNLINK:
        case ETWS_SC_UNLINKAT:
        case ETWS_SC_RMDIR:
        case ETWS_SC_RENAME:
        case ETWS_SC_RENAMEAT:
        case ETWS_SC_RENAMEAT2:
          handle_path_exit (conv, s, sc);
          break;
        case ETWS_SC_CHDIR:
        case ETWS_SC_FCHDIR:
          handle_chdir (conv, s, sc);
          break;
        default:
          break;
        }
      return;
    }

  switch (tp)
    {
    case ETWS_TP_TASK_NEWTASK:
      handle_newtask (conv, s);
      break;
    case ETWS_TP_PROCESS_EXEC:
      handle_exec (conv, s);
      break;
    case ETWS_TP_PROCESS_EXIT:
      handle_exit (conv, s);
      break;
    case ETWS_TP_INET_SOCK_SET_STATE:
      handle_set_state (conv, s);
      break;
    case ETWS_TP_TCP_RETRANSMIT_SKB:
      handle_tcp_simple (conv, s, ETWS_OP_TCP_RETRANSMIT);
      break;
    case ETWS_TP_TCP_SEND_RESET:
      handle_send_reset (conv, s);
      break;
    case ETWS_TP_TCP_RECEIVE_RESET:
      handle_tcp_simple (conv, s, ETWS_OP_TCP_RECV_RESET);
      break;
    case ETWS_TP_TCP_DESTROY_SOCK:
      handle_tcp_simple (conv, s, ETWS_OP_TCP_CLOSE);
      break;
    case ETWS_TP_SOCK_SEND_LENGTH:
      handle_sock_length (conv, s, ETWS_OP_TCP_SEND);
      break;
    case ETWS_TP_SOCK_RECV_LENGTH:
      handle_sock_length (conv, s, ETWS_OP_TCP_RECV);
      break;
    default:
      break;
    }
}

static void
handle_sample (EtwsPerfConverter              *conv,
               const struct perf_event_header *hdr)
{
  const guint8 *p = (const guint8 *) (hdr + 1);
  const guint8 *end = (const guint8 *) hdr + hdr->size;
  Sample s = { 0 };

  /* IDENTIFIER, TID, TIME, STREAM_ID, CPU, [CALLCHAIN], RAW */
  if (end - p < 40)
    return;
  s.tag = _etws_perf_capture_lookup (conv->cap, rd64 (p));
  if (s.tag == NULL)
    return;
  s.pid = rd32 (p + 8);
  s.tid = rd32 (p + 12);
  s.time = (gint64) rd64 (p + 16);
  s.cpu = rd32 (p + 32);
  p += 40;
  if (s.tag->callchain)
    {
      guint64 nr;
      if (end - p < 8)
        return;
      nr = rd64 (p);
      p += 8;
      if (nr > (guint64) (end - p) / 8)
        return;
      s.ips = (const guint64 *) (gconstpointer) p;
      s.n_ips = (guint) nr;
      p += nr * 8;
    }
  if (end - p < 4)
    return;
  s.raw_size = rd32 (p);
  p += 4;
  if (s.raw_size > (guint64) (end - p))
    return;
  s.raw = p;

  if (s.tag->kind == ETWS_PERF_TAG_BPF)
    handle_augment (conv, &s);
  else if (s.tag->kind == ETWS_PERF_TAG_TRACEPOINT && conv->config.formats[s.tag->tp].present)
    handle_tracepoint (conv, &s);
}

/* ---- sideband ---- */

typedef struct
{
  guint32 pid;
  guint32 tid;
  gint64  time;
  guint32 cpu;
} SampleId;

static gboolean
sample_id (const struct perf_event_header *hdr,
           SampleId                       *id)
{
  const guint8 *t;

  if (hdr->size < sizeof *hdr + SAMPLE_ID_SIZE)
    return FALSE;
  t = (const guint8 *) hdr + hdr->size - SAMPLE_ID_SIZE;
  id->pid = rd32 (t);
  id->tid = rd32 (t + 4);
  id->time = (gint64) rd64 (t + 8);
  id->cpu = rd32 (t + 24);
  return TRUE;
}

static void
handle_mmap2 (EtwsPerfConverter              *conv,
              const struct perf_event_header *hdr)
{
  const guint8 *p = (const guint8 *) (hdr + 1);
  gsize body = hdr->size - sizeof *hdr;
  SampleId id;
  guint32 pid, tid;
  guint64 addr, len, pgoff;
  guint8 build_id_len = 0;
  const guint8 *build_id = NULL;
  char identity[64] = "";
  const char *filename;
  gsize name_max;
  Proc *proc;
  EtwsPerfDso *dso;

  /* pid tid addr len pgoff (maj min ino ino_gen | bid_size pad bid[20])
   * prot flags filename[] sample_id */
  if (body < 72 + SAMPLE_ID_SIZE || !sample_id (hdr, &id))
    return;
  pid = rd32 (p);
  tid = rd32 (p + 4);
  addr = rd64 (p + 8);
  len = rd64 (p + 16);
  pgoff = rd64 (p + 24);
  if (hdr->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
    {
      build_id_len = MIN (p[32], 20);
      build_id = p + 36;
    }
  else
    g_snprintf (identity, sizeof identity, "%x:%x:%" G_GUINT64_FORMAT,
                rd32 (p + 32), rd32 (p + 36), rd64 (p + 40));
  filename = (const char *) p + 64;
  name_max = body - 64 - SAMPLE_ID_SIZE;
  if (strnlen (filename, name_max) >= name_max)
    return;
  if (filename[0] != '/' || filename[1] == '/')
    return;  /* [vdso], //anon (JIT), … : not images */

  proc = proc_lookup (conv, pid, TRUE);
  if (proc == NULL)
    return;
  dso = dso_get (conv, filename, build_id, build_id_len, identity);
  map_add (proc, addr, len, pgoff, dso);
  if (proc->awaiting_exe)
    {
      /* The first mapping after an exec is the program itself. */
      g_free (proc->exe);
      proc->exe = g_strdup (filename);
      proc->awaiting_exe = FALSE;
    }

  if (!want (conv, ETWS_PERF_IMAGE) || !allowed (conv, pid))
    return;
  out_begin (conv);
  etw_fw_pointer (&conv->fw, "ImageBase", addr);
  etw_fw_hex (&conv->fw, "ImageSize", len);
  etw_fw_uint (&conv->fw, "ProcessId", pid);
  etw_fw_string (&conv->fw, "FileName", filename);
  if (build_id_len > 0)
    {
      char hex[41];
      for (guint i = 0; i < build_id_len; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", build_id[i]);
      etw_fw_string (&conv->fw, "BuildId", hex);
    }
  if (conv->config.fields)
    etw_fw_hex (&conv->fw, "FileOffset", pgoff);
  out_commit (conv, ETWS_PERF_IMAGE, ETWS_OP_IMAGE_LOAD, pid, tid, id.cpu, id.time, NULL, 0);
}

static void
handle_comm (EtwsPerfConverter              *conv,
             const struct perf_event_header *hdr)
{
  const guint8 *p = (const guint8 *) (hdr + 1);
  gsize body = hdr->size - sizeof *hdr;
  SampleId id;
  guint32 pid, tid;
  char comm[17];
  Proc *proc;

  if (body < 8 + SAMPLE_ID_SIZE || !sample_id (hdr, &id))
    return;
  pid = rd32 (p);
  tid = rd32 (p + 4);
  g_strlcpy (comm, (const char *) p + 8, MIN (sizeof comm, body - 8 - SAMPLE_ID_SIZE + 1));
  proc = proc_lookup (conv, pid, TRUE);

  if (hdr->misc & PERF_RECORD_MISC_COMM_EXEC)
    {
      if (proc != NULL)
        {
          /* A new program: mappings and descriptors (CLOEXEC) start over. */
          g_array_set_size (proc->maps, 0);
          g_clear_pointer (&proc->fds, g_hash_table_unref);
          g_strlcpy (proc->comm, comm, sizeof proc->comm);
          proc->awaiting_exe = TRUE;
        }
      return;
    }
  if (proc != NULL && pid == tid)
    g_strlcpy (proc->comm, comm, sizeof proc->comm);
  if (!want (conv, ETWS_PERF_THREAD) || !allowed (conv, pid))
    return;
  out_begin (conv);
  etw_fw_uint (&conv->fw, "ProcessId", pid);
  etw_fw_uint (&conv->fw, "ThreadId", tid);
  etw_fw_string (&conv->fw, "ThreadName", comm);
  out_commit (conv, ETWS_PERF_THREAD, ETWS_OP_SET_NAME, pid, tid, id.cpu, id.time, NULL, 0);
}

static void
handle_fork (EtwsPerfConverter              *conv,
             const struct perf_event_header *hdr)
{
  const guint8 *p = (const guint8 *) (hdr + 1);
  guint32 pid, ppid;
  Proc *parent, *child;
  gboolean child_allowed;

  if (hdr->size < sizeof *hdr + 24)
    return;
  pid = rd32 (p);
  ppid = rd32 (p + 4);
  if (pid == ppid)
    return;  /* a thread */
  parent = proc_lookup (conv, ppid, TRUE);
  child = proc_lookup (conv, pid, FALSE);
  child_allowed = (child != NULL && child->allowed) || pid_listed (conv, pid) ||
                  (conv->config.include_children && parent != NULL && parent->allowed);
  if (g_hash_table_size (conv->procs) >= MAX_TABLE)
    g_hash_table_remove_all (conv->procs);
  child = proc_new (pid);
  child->ppid = ppid;
  child->allowed = child_allowed;
  if (parent != NULL)
    {
      g_strlcpy (child->comm, parent->comm, sizeof child->comm);
      child->uid = parent->uid;
      child->exe = g_strdup (parent->exe);
      child->cmdline = g_strdup (parent->cmdline);
      child->cwd = g_strdup (parent->cwd);
      g_array_append_vals (child->maps, parent->maps->data, parent->maps->len);
    }
  g_hash_table_replace (conv->procs, GUINT_TO_POINTER (pid), child);
}

static void
handle_task_exit (EtwsPerfConverter              *conv,
                  const struct perf_event_header *hdr)
{
  const guint8 *p = (const guint8 *) (hdr + 1);
  guint32 pid, tid;
  Proc *proc;

  if (hdr->size < sizeof *hdr + 24)
    return;
  pid = rd32 (p);
  tid = rd32 (p + 8);
  g_hash_table_remove (conv->pending, GUINT_TO_POINTER (tid));
  proc = proc_lookup (conv, pid, FALSE);
  if (proc != NULL && (proc->dead || (pid == tid && !conv->config.formats[ETWS_TP_PROCESS_EXIT].present)))
    g_hash_table_remove (conv->procs, GUINT_TO_POINTER (pid));
}

static void
handle_record (EtwsPerfConverter              *conv,
               const struct perf_event_header *hdr)
{
  switch (hdr->type)
    {
    case PERF_RECORD_SAMPLE:
      handle_sample (conv, hdr);
      break;
    case PERF_RECORD_MMAP2:
      handle_mmap2 (conv, hdr);
      break;
    case PERF_RECORD_COMM:
      handle_comm (conv, hdr);
      break;
    case PERF_RECORD_FORK:
      handle_fork (conv, hdr);
      break;
    case PERF_RECORD_EXIT:
      handle_task_exit (conv, hdr);
      break;
    case PERF_RECORD_LOST:
      if (hdr->size >= sizeof *hdr + 16)
        conv->lost += rd64 ((const guint8 *) (hdr + 1) + 8);
      break;
    default:
      break;
    }
}

/* ---- merge ---- */

/* The head record of a stream and its time; FALSE when it is empty. */
static gboolean
stream_peek (EtwsPerfConverter                *conv,
             Stream                           *st,
             const struct perf_event_header  **rec,
             gint64                           *time)
{
  for (;;)
    {
      EtwsPerfChunk *chunk = g_queue_peek_head (&st->chunks);
      const struct perf_event_header *hdr;

      if (chunk == NULL)
        return FALSE;
      if (chunk->len - st->pos < sizeof *hdr)
        {
          g_queue_pop_head (&st->chunks);
          _etws_perf_capture_chunk_done (conv->cap, chunk);
          st->pos = 0;
          continue;
        }
      hdr = (const struct perf_event_header *) (gconstpointer) (chunk->data + st->pos);
      if (hdr->size < sizeof *hdr || hdr->size > chunk->len - st->pos)
        {
          /* Cannot happen with whole records; drop the rest of the chunk
           * rather than read past it. */
          st->pos = chunk->len;
          continue;
        }
      *rec = hdr;
      if (hdr->type == PERF_RECORD_SAMPLE)
        *time = hdr->size >= sizeof *hdr + 24 ? (gint64) rd64 ((const guint8 *) hdr + sizeof *hdr + 16) : st->last_time;
      else
        {
          SampleId id;
          *time = sample_id (hdr, &id) ? id.time : st->last_time;
        }
      return TRUE;
    }
}

static void
stream_advance (Stream                         *st,
                const struct perf_event_header *rec,
                gint64                          time)
{
  st->pos += rec->size;
  st->last_time = time;
}

gboolean
_etws_perf_converter_feed (EtwsPerfConverter *conv,
                           EtwsPerfRound     *round)
{
  gint64 limit;

  for (guint c = 0; c < round->n_cpus && c < conv->n_cpus; c++)
    if (round->chunks[c] != NULL)
      {
        g_queue_push_tail (&conv->streams[c].chunks, round->chunks[c]);
        round->chunks[c] = NULL;
      }
  limit = round->last ? G_MAXINT64 : round->t_round - SLACK_NS;

  for (;;)
    {
      const struct perf_event_header *best_rec = NULL;
      gint64 best_time = G_MAXINT64;
      Stream *best = NULL;

      for (guint c = 0; c < conv->n_cpus; c++)
        {
          const struct perf_event_header *rec;
          gint64 time;

          if (stream_peek (conv, &conv->streams[c], &rec, &time) && (best == NULL || time < best_time))
            {
              best = &conv->streams[c];
              best_rec = rec;
              best_time = time;
            }
        }
      if (best == NULL || best_time > limit)
        break;
      __atomic_add_fetch (&conv->n_records, 1, __ATOMIC_RELAXED);
      handle_record (conv, best_rec);
      stream_advance (best, best_rec, best_time);
    }

  if (round->last)
    {
      _etws_perf_converter_flush (conv, TRUE);
      return FALSE;
    }
  if (conv->batch != NULL || conv->lost != 0 || conv->notice != NULL)
    deliver_batch (conv, FALSE);
  return TRUE;
}

void
_etws_perf_converter_flush (EtwsPerfConverter *conv,
                            gboolean           last)
{
  deliver_batch (conv, last);
}

guint64
_etws_perf_converter_n_records (EtwsPerfConverter *conv)
{
  return __atomic_load_n (&conv->n_records, __ATOMIC_RELAXED);
}

void
_etws_perf_converter_notice (EtwsPerfConverter *conv,
                             const char        *notice)
{
  if (conv->notice != NULL)
    {
      char *both = g_strconcat (conv->notice, "\n", notice, NULL);
      g_free (conv->notice);
      conv->notice = both;
    }
  else
    conv->notice = g_strdup (notice);
}

/* ---- the processes already running ---- */

static gint
cmp_pid (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

void
_etws_perf_converter_scan_proc (EtwsPerfConverter *conv,
                                gint64             now)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint32));
  DIR *dir;
  struct dirent *de;
  gboolean changed;

  dir = opendir ("/proc");
  if (dir == NULL)
    return;
  while ((de = readdir (dir)) != NULL)
    {
      char *end;
      guint64 pid = g_ascii_strtoull (de->d_name, &end, 10);
      if (*end == '\0' && pid > 0 && pid <= G_MAXUINT32)
        {
          guint32 v = (guint32) pid;
          g_array_append_val (pids, v);
        }
    }
  closedir (dir);
  g_array_sort (pids, cmp_pid);

  for (guint i = 0; i < pids->len; i++)
    {
      guint32 pid = g_array_index (pids, guint32, i);
      Proc *proc = proc_from_procfs (conv, pid);
      if (proc == NULL)
        continue;
      proc->allowed = pid_listed (conv, pid);
      g_hash_table_replace (conv->procs, GUINT_TO_POINTER (pid), proc);
    }

  /* --pid N --children: N's descendants that already exist. */
  do
    {
      GHashTableIter iter;
      Proc *proc;

      changed = FALSE;
      if (conv->pids == NULL || !conv->config.include_children)
        break;
      g_hash_table_iter_init (&iter, conv->procs);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &proc))
        {
          Proc *parent = proc->allowed ? NULL : g_hash_table_lookup (conv->procs, GUINT_TO_POINTER (proc->ppid));
          if (parent != NULL && parent->allowed)
            proc->allowed = changed = TRUE;
        }
    }
  while (changed);

  /* Rundown, as ETW does at the start of a session. */
  for (guint i = 0; i < pids->len; i++)
    {
      guint32 pid = g_array_index (pids, guint32, i);
      Proc *proc = g_hash_table_lookup (conv->procs, GUINT_TO_POINTER (pid));
      if (proc == NULL || !allowed (conv, pid))
        continue;

      out_begin (conv);
      write_process_fields (conv, proc, pid, proc->ppid, TRUE);
      out_commit (conv, ETWS_PERF_PROCESS, ETWS_OP_DC_START, pid, pid, 0, now, NULL, 0);

      if (want (conv, ETWS_PERF_THREAD))
        {
          char path[64];
          GDir *tasks;
          const char *name;

          g_snprintf (path, sizeof path, "/proc/%u/task", pid);
          tasks = g_dir_open (path, 0, NULL);
          while (tasks != NULL && (name = g_dir_read_name (tasks)) != NULL)
            {
              guint32 tid = (guint32) g_ascii_strtoull (name, NULL, 10);
              out_begin (conv);
              etw_fw_uint (&conv->fw, "ProcessId", pid);
              etw_fw_uint (&conv->fw, "ThreadId", tid);
              out_commit (conv, ETWS_PERF_THREAD, ETWS_OP_DC_START, pid, tid, 0, now, NULL, 0);
            }
          if (tasks != NULL)
            g_dir_close (tasks);
        }

      if (want (conv, ETWS_PERF_IMAGE))
        for (guint m = 0; m < proc->maps->len; m++)
          {
            const Map *map = &g_array_index (proc->maps, Map, m);
            out_begin (conv);
            etw_fw_pointer (&conv->fw, "ImageBase", map->start);
            etw_fw_hex (&conv->fw, "ImageSize", map->end - map->start);
            etw_fw_uint (&conv->fw, "ProcessId", pid);
            etw_fw_string (&conv->fw, "FileName", map->dso->path);
            if (conv->config.fields)
              etw_fw_hex (&conv->fw, "FileOffset", map->pgoff);
            out_commit (conv, ETWS_PERF_IMAGE, ETWS_OP_DC_START, pid, pid, 0, now, NULL, 0);
          }
    }
  if (conv->batch != NULL)
    deliver_batch (conv, FALSE);
}

/* ---- life cycle ---- */

EtwsPerfConverter *
_etws_perf_converter_new (const EtwsPerfConfig *config,
                          EtwsPerfCapture      *cap,
                          void                (*deliver) (EtwsPerfBatch *batch,
                                                          gpointer       user_data),
                          gpointer              user_data)
{
  EtwsPerfConverter *conv = g_new0 (EtwsPerfConverter, 1);

  conv->config = *config;
  if (config->pids != NULL && config->pids[0] != 0)
    {
      guint n = 0;
      while (config->pids[n] != 0)
        n++;
      conv->pids = g_memdup2 (config->pids, (n + 1) * sizeof (int));
    }
  conv->config.pids = conv->pids;
  conv->cap = cap;
  conv->deliver = deliver;
  conv->user_data = user_data;
  conv->n_cpus = cap != NULL ? _etws_perf_capture_n_cpus (cap) : 1;
  conv->streams = g_new0 (Stream, conv->n_cpus);
  for (guint c = 0; c < conv->n_cpus; c++)
    g_queue_init (&conv->streams[c].chunks);
  conv->procs = g_hash_table_new_full (NULL, NULL, NULL, proc_free);
  conv->pending = g_hash_table_new_full (NULL, NULL, NULL, pending_free);
  conv->dsos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, dso_free);
  conv->socks = g_hash_table_new_full (NULL, NULL, NULL, sock_free);
  conv->listeners = g_hash_table_new (NULL, NULL);
  return conv;
}

void
_etws_perf_converter_free (EtwsPerfConverter *conv)
{
  if (conv == NULL)
    return;
  for (guint c = 0; c < conv->n_cpus; c++)
    {
      EtwsPerfChunk *chunk;
      while ((chunk = g_queue_pop_head (&conv->streams[c].chunks)) != NULL)
        _etws_perf_capture_chunk_done (conv->cap, chunk);
    }
  g_free (conv->streams);
  g_hash_table_unref (conv->procs);
  g_hash_table_unref (conv->pending);
  g_hash_table_unref (conv->dsos);
  g_hash_table_unref (conv->socks);
  g_hash_table_unref (conv->listeners);
  if (conv->batch != NULL)
    _etws_perf_batch_free (conv->batch);
  g_free (conv->notice);
  g_free (conv->pids);
  g_free (conv);
}

void
_etws_perf_batch_free (EtwsPerfBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->data);
  g_free (batch->notice);
  g_free (batch);
}
