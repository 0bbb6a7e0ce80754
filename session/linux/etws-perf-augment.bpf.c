/* etws-perf-augment.bpf.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The path augmenter. Syscall tracepoints only carry user pointers, so
 * these programs copy the strings (paths, argv) and hand them to perf
 * through a BPF_OUTPUT event in the same per-CPU ring as the tracepoints,
 * where they arrive in time order with the rest. Returning 0 tells perf
 * not to emit its own sample for the same enter tracepoint: the record
 * written here replaces it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "etws-perf-augment-abi.h"

char LICENSE[] SEC ("license") = "GPL";

/* The capturing process: its own opens would feed back into the capture. */
const volatile __u32 self_tgid = 0;

struct
{
  __uint (type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint (key_size, sizeof (__u32));
  __uint (value_size, sizeof (__u32));
} events SEC (".maps");

#define BUF_SIZE (2 * ETWS_AUG_PATH_MAX + ETWS_AUG_ARG_MAX)

struct scratch
{
  struct etws_aug_hdr hdr;
  char                buf[BUF_SIZE];
};

struct
{
  __uint (type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint (max_entries, 1);
  __type (key, __u32);
  __type (value, struct scratch);
} scratch_map SEC (".maps");

/* The syscall enter tracepoint record: common header, __syscall_nr, then
 * the six arguments as u64 (see events/syscalls/sys_enter_* /format). */
struct sys_enter
{
  __u64 common;
  __s64 nr;
  __u64 args[6];
};

static __always_inline struct scratch *
begin (__u32 kind,
       __u32 syscall)
{
  __u32 zero = 0;
  struct scratch *s;

  if ((bpf_get_current_pid_tgid () >> 32) == self_tgid)
    return 0;
  s = bpf_map_lookup_elem (&scratch_map, &zero);
  if (s == 0)
    return 0;
  s->hdr.kind = kind;
  s->hdr.syscall = syscall;
  s->hdr.arg[0] = s->hdr.arg[1] = s->hdr.arg[2] = 0;
  s->hdr.len[0] = s->hdr.len[1] = 0;
  s->hdr.truncated = 0;
  return s;
}

/* Copies a user string to buf[0…], returns its length with the NUL. */
static __always_inline __u32
copy_str0 (struct scratch *s,
           __u64           ptr)
{
  long n = bpf_probe_read_user_str (s->buf, ETWS_AUG_PATH_MAX, (const void *) ptr);

  if (n <= 0)
    {
      s->buf[0] = 0;
      n = 1;
    }
  if (n >= ETWS_AUG_PATH_MAX)
    s->hdr.truncated = 1;
  s->hdr.len[0] = (__u16) n;
  return (__u32) n;
}

/* Copies a second string right after the first (at most PATH_MAX bytes). */
static __always_inline void
copy_str1 (struct scratch *s,
           __u32           off,
           __u64           ptr)
{
  long n;

  off &= (ETWS_AUG_PATH_MAX * 2 - 1);
  if (off > ETWS_AUG_PATH_MAX)
    return;
  n = bpf_probe_read_user_str (s->buf + off, ETWS_AUG_PATH_MAX, (const void *) ptr);
  if (n <= 0)
    {
      s->buf[off] = 0;
      n = 1;
    }
  if (n >= ETWS_AUG_PATH_MAX)
    s->hdr.truncated = 1;
  s->hdr.len[1] = (__u16) n;
}

static __always_inline int
submit (void           *ctx,
        struct scratch *s)
{
  __u64 size = sizeof s->hdr + (__u64) s->hdr.len[0] + (__u64) s->hdr.len[1];

  if (size > sizeof *s)
    size = sizeof *s;
  bpf_perf_event_output (ctx, &events, BPF_F_CURRENT_CPU, s, size & 0x7fff);
  return 0;
}

static __always_inline int
do_open (void  *ctx,
         __u32  syscall,
         __s64  dfd,
         __u64  path,
         __s64  flags,
         __s64  mode)
{
  struct scratch *s = begin (ETWS_AUG_OPEN, syscall);

  if (s == 0)
    return 0;
  s->hdr.arg[0] = dfd;
  s->hdr.arg[1] = flags;
  s->hdr.arg[2] = mode;
  copy_str0 (s, path);
  return submit (ctx, s);
}

SEC ("tracepoint/syscalls/sys_enter_openat")
int
etws_openat (struct sys_enter *ctx)
{
  return do_open (ctx, ETWS_SC_OPENAT, (__s64) ctx->args[0], ctx->args[1], (__s64) ctx->args[2], (__s64) ctx->args[3]);
}

SEC ("tracepoint/syscalls/sys_enter_open")
int
etws_open (struct sys_enter *ctx)
{
  return do_open (ctx, ETWS_SC_OPEN, -100, ctx->args[0], (__s64) ctx->args[1], (__s64) ctx->args[2]);
}

SEC ("tracepoint/syscalls/sys_enter_creat")
int
etws_creat (struct sys_enter *ctx)
{
  /* creat() is open(O_CREAT | O_WRONLY | O_TRUNC). */
  return do_open (ctx, ETWS_SC_CREAT, -100, ctx->args[0], 01 | 0100 | 01000, (__s64) ctx->args[1]);
}

SEC ("tracepoint/syscalls/sys_enter_openat2")
int
etws_openat2 (struct sys_enter *ctx)
{
  __u64 how[2] = { 0, 0 };  /* struct open_how: flags, mode, resolve */

  bpf_probe_read_user (how, sizeof how, (const void *) ctx->args[2]);
  return do_open (ctx, ETWS_SC_OPENAT2, (__s64) ctx->args[0], ctx->args[1], (__s64) how[0], (__s64) how[1]);
}

static __always_inline int
do_unlink (void  *ctx,
           __u32  syscall,
           __s64  dfd,
           __u64  path,
           __s64  flags)
{
  struct scratch *s = begin (ETWS_AUG_UNLINK, syscall);

  if (s == 0)
    return 0;
  s->hdr.arg[0] = dfd;
  s->hdr.arg[1] = flags;
  copy_str0 (s, path);
  return submit (ctx, s);
}

SEC ("tracepoint/syscalls/sys_enter_unlinkat")
int
etws_unlinkat (struct sys_enter *ctx)
{
  return do_unlink (ctx, ETWS_SC_UNLINKAT, (__s64) ctx->args[0], ctx->args[1], (__s64) ctx->args[2]);
}

SEC ("tracepoint/syscalls/sys_enter_unlink")
int
etws_unlink (struct sys_enter *ctx)
{
  return do_unlink (ctx, ETWS_SC_UNLINK, -100, ctx->args[0], 0);
}

SEC ("tracepoint/syscalls/sys_enter_rmdir")
int
etws_rmdir (struct sys_enter *ctx)
{
  /* AT_REMOVEDIR */
  return do_unlink (ctx, ETWS_SC_RMDIR, -100, ctx->args[0], 0x200);
}

static __always_inline int
do_rename (void  *ctx,
           __u32  syscall,
           __s64  olddfd,
           __u64  oldpath,
           __s64  newdfd,
           __u64  newpath,
           __s64  flags)
{
  struct scratch *s = begin (ETWS_AUG_RENAME, syscall);
  __u32 n;

  if (s == 0)
    return 0;
  s->hdr.arg[0] = olddfd;
  s->hdr.arg[1] = newdfd;
  s->hdr.arg[2] = flags;
  n = copy_str0 (s, oldpath);
  copy_str1 (s, n, newpath);
  return submit (ctx, s);
}

SEC ("tracepoint/syscalls/sys_enter_renameat2")
int
etws_renameat2 (struct sys_enter *ctx)
{
  return do_rename (ctx, ETWS_SC_RENAMEAT2, (__s64) ctx->args[0], ctx->args[1],
                    (__s64) ctx->args[2], ctx->args[3], (__s64) ctx->args[4]);
}

SEC ("tracepoint/syscalls/sys_enter_renameat")
int
etws_renameat (struct sys_enter *ctx)
{
  return do_rename (ctx, ETWS_SC_RENAMEAT, (__s64) ctx->args[0], ctx->args[1],
                    (__s64) ctx->args[2], ctx->args[3], 0);
}

SEC ("tracepoint/syscalls/sys_enter_rename")
int
etws_rename (struct sys_enter *ctx)
{
  return do_rename (ctx, ETWS_SC_RENAME, -100, ctx->args[0], -100, ctx->args[1], 0);
}

static __always_inline int
do_exec (void  *ctx,
         __u32  syscall,
         __u64  filename,
         __u64  argv)
{
  struct scratch *s = begin (ETWS_AUG_EXEC, syscall);
  __u64 uid_gid = bpf_get_current_uid_gid ();
  __u32 off, total = 0;
  int i;

  if (s == 0)
    return 0;
  s->hdr.arg[0] = (__u32) uid_gid;
  s->hdr.arg[1] = (__u32) (uid_gid >> 32);
  off = copy_str0 (s, filename);

  /* The arguments go after the filename, NUL-separated, each cut at
   * ARG_MAX and all of them at ARGS_MAX. The masks keep every offset
   * provably inside the buffer for the verifier. */
  for (i = 0; i < ETWS_AUG_ARGC_MAX; i++)
    {
      __u64 p = 0;
      long n;
      __u32 at;

      if (bpf_probe_read_user (&p, sizeof p, (const void *) (argv + i * sizeof p)) != 0 || p == 0)
        break;
      if (total >= ETWS_AUG_ARGS_MAX)
        {
          s->hdr.truncated = 1;
          break;
        }
      at = (off + total) & (ETWS_AUG_PATH_MAX * 2 - 1);
      n = bpf_probe_read_user_str (s->buf + at, ETWS_AUG_ARG_MAX, (const void *) p);
      if (n <= 0)
        break;
      if (n >= ETWS_AUG_ARG_MAX)
        s->hdr.truncated = 1;
      total += (__u32) n;
      s->hdr.arg[2] = i + 1;
    }
  if (i == ETWS_AUG_ARGC_MAX)
    s->hdr.truncated = 1;
  if (total > ETWS_AUG_ARGS_MAX + ETWS_AUG_ARG_MAX)
    total = ETWS_AUG_ARGS_MAX + ETWS_AUG_ARG_MAX;
  s->hdr.len[1] = (__u16) total;
  return submit (ctx, s);
}

SEC ("tracepoint/syscalls/sys_enter_execve")
int
etws_execve (struct sys_enter *ctx)
{
  return do_exec (ctx, ETWS_SC_EXECVE, ctx->args[0], ctx->args[1]);
}

SEC ("tracepoint/syscalls/sys_enter_execveat")
int
etws_execveat (struct sys_enter *ctx)
{
  return do_exec (ctx, ETWS_SC_EXECVEAT, ctx->args[1], ctx->args[2]);
}
