/* etws-perf-augment.bpf.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The path augmenter. Syscall tracepoints only carry user pointers, so
 * these programs copy the strings (paths, argv) and hand them to perf
 * through a BPF_OUTPUT event in the same per-CPU ring as the tracepoints,
 * where they arrive in time order with the rest.
 *
 * Paths: the enter program keeps the arguments per thread; the exit
 * program copies the strings and writes one record with the result. At
 * the exit the kernel has read the strings itself, so their pages are
 * present: a copy at the enter fails for a string in a page the process
 * never touched (.rodata right after fork or exec). Returning 0 from
 * these programs tells perf not to emit its own sample for the same
 * tracepoint: the record written here replaces it.
 *
 * Command lines: at sched_process_exec the new program's argument area
 * (mm->arg_start … arg_end) was just written by the kernel; read it there.
 */
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
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

#define BUF_SIZE (2 * ETWS_AUG_PATH_MAX)

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

/* A syscall between its enter and exit, by thread. */
struct inflight
{
  __u32 syscall;
  __u32 pad;
  __u64 args[6];
};

struct
{
  __uint (type, BPF_MAP_TYPE_HASH);
  __uint (max_entries, 16384);
  __type (key, __u64);
  __type (value, struct inflight);
} inflight_map SEC (".maps");

/* The syscall tracepoint records: common header, __syscall_nr, then the
 * six arguments or the return value (events/syscalls/ * /format). */
struct sys_enter
{
  __u64 common;
  __s64 nr;
  __u64 args[6];
};

struct sys_exit
{
  __u64 common;
  __s64 nr;
  __s64 ret;
};

/* Only the members read here; CO-RE relocates them against the running
 * kernel's BTF. */
struct mm_struct
{
  unsigned long arg_start;
  unsigned long arg_end;
} __attribute__ ((preserve_access_index));

struct task_struct
{
  struct mm_struct *mm;
} __attribute__ ((preserve_access_index));

static __always_inline int
is_self (void)
{
  return (bpf_get_current_pid_tgid () >> 32) == self_tgid;
}

/* Reads only the n arguments the syscall has: the kernel refuses to
 * attach a program that reads past the end of the tracepoint's record. */
static __always_inline int
enter (struct sys_enter *ctx,
       __u32             syscall,
       int               n)
{
  struct inflight in = { .syscall = syscall };
  __u64 id = bpf_get_current_pid_tgid ();

  if ((id >> 32) == self_tgid)
    return 0;
  for (int i = 0; i < n && i < 6; i++)
    in.args[i] = ctx->args[i];
  bpf_map_update_elem (&inflight_map, &id, &in, BPF_ANY);
  return 0;
}

static __always_inline struct scratch *
begin (__u32 kind,
       __u32 syscall,
       __s64 ret)
{
  __u32 zero = 0;
  struct scratch *s = bpf_map_lookup_elem (&scratch_map, &zero);

  if (s == 0)
    return 0;
  s->hdr.kind = kind;
  s->hdr.syscall = syscall;
  s->hdr.arg[0] = s->hdr.arg[1] = s->hdr.arg[2] = 0;
  s->hdr.ret = ret;
  s->hdr.len[0] = s->hdr.len[1] = 0;
  s->hdr.truncated = 0;
  return s;
}

/* Copies a user string to buf[0…]; returns its length with the NUL. */
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

/* Copies a second string right after the first. */
static __always_inline void
copy_str1 (struct scratch *s,
           __u32           off,
           __u64           ptr)
{
  long n;

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

static __always_inline void
submit (void           *ctx,
        struct scratch *s)
{
  __u64 size = sizeof s->hdr + (__u64) s->hdr.len[0] + (__u64) s->hdr.len[1];

  if (size > sizeof *s)
    size = sizeof *s;
  bpf_perf_event_output (ctx, &events, BPF_F_CURRENT_CPU, s, size & 0x3fff);
}

static __always_inline int
leave (struct sys_exit *ctx)
{
  __u64 id = bpf_get_current_pid_tgid ();
  struct inflight *in = bpf_map_lookup_elem (&inflight_map, &id);
  struct scratch *s;
  __u64 a0, a1, a2, a3, a4;
  __u32 syscall, n;

  if (in == 0)
    return 0;
  syscall = in->syscall;
  a0 = in->args[0];
  a1 = in->args[1];
  a2 = in->args[2];
  a3 = in->args[3];
  a4 = in->args[4];
  bpf_map_delete_elem (&inflight_map, &id);

  switch (syscall)
    {
    case ETWS_SC_OPENAT:
      if ((s = begin (ETWS_AUG_OPEN, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = (__s64) a0;
      s->hdr.arg[1] = (__s64) a2;
      s->hdr.arg[2] = (__s64) a3;
      copy_str0 (s, a1);
      break;
    case ETWS_SC_OPEN:
      if ((s = begin (ETWS_AUG_OPEN, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = -100;
      s->hdr.arg[1] = (__s64) a1;
      s->hdr.arg[2] = (__s64) a2;
      copy_str0 (s, a0);
      break;
    case ETWS_SC_CREAT:
      /* creat() is open(O_CREAT | O_WRONLY | O_TRUNC). */
      if ((s = begin (ETWS_AUG_OPEN, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = -100;
      s->hdr.arg[1] = 01 | 0100 | 01000;
      s->hdr.arg[2] = (__s64) a1;
      copy_str0 (s, a0);
      break;
    case ETWS_SC_OPENAT2:
      {
        __u64 how[2] = { 0, 0 };  /* struct open_how: flags, mode, resolve */

        if ((s = begin (ETWS_AUG_OPEN, syscall, ctx->ret)) == 0)
          return 0;
        bpf_probe_read_user (how, sizeof how, (const void *) a2);
        s->hdr.arg[0] = (__s64) a0;
        s->hdr.arg[1] = (__s64) how[0];
        s->hdr.arg[2] = (__s64) how[1];
        copy_str0 (s, a1);
      }
      break;
    case ETWS_SC_UNLINKAT:
      if ((s = begin (ETWS_AUG_UNLINK, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = (__s64) a0;
      s->hdr.arg[1] = (__s64) a2;
      copy_str0 (s, a1);
      break;
    case ETWS_SC_UNLINK:
    case ETWS_SC_RMDIR:
      if ((s = begin (ETWS_AUG_UNLINK, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = -100;
      s->hdr.arg[1] = syscall == ETWS_SC_RMDIR ? 0x200 : 0;  /* AT_REMOVEDIR */
      copy_str0 (s, a0);
      break;
    case ETWS_SC_RENAME:
      if ((s = begin (ETWS_AUG_RENAME, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = -100;
      s->hdr.arg[1] = -100;
      n = copy_str0 (s, a0);
      copy_str1 (s, n, a1);
      break;
    case ETWS_SC_RENAMEAT:
    case ETWS_SC_RENAMEAT2:
      if ((s = begin (ETWS_AUG_RENAME, syscall, ctx->ret)) == 0)
        return 0;
      s->hdr.arg[0] = (__s64) a0;
      s->hdr.arg[1] = (__s64) a2;
      s->hdr.arg[2] = syscall == ETWS_SC_RENAMEAT2 ? (__s64) a4 : 0;
      n = copy_str0 (s, a1);
      copy_str1 (s, n, a3);
      break;
    case ETWS_SC_CHDIR:
      if ((s = begin (ETWS_AUG_CHDIR, syscall, ctx->ret)) == 0)
        return 0;
      copy_str0 (s, a0);
      break;
    default:
      return 0;
    }
  submit (ctx, s);
  return 0;
}

#define AUGMENT(name, sc, n_args) \
  SEC ("tracepoint/syscalls/sys_enter_" #name) \
  int etws_enter_##name (struct sys_enter *ctx) { return enter (ctx, sc, n_args); } \
  SEC ("tracepoint/syscalls/sys_exit_" #name) \
  int etws_exit_##name (struct sys_exit *ctx) { return leave (ctx); }

AUGMENT (open, ETWS_SC_OPEN, 3)
AUGMENT (openat, ETWS_SC_OPENAT, 4)
AUGMENT (openat2, ETWS_SC_OPENAT2, 4)
AUGMENT (creat, ETWS_SC_CREAT, 2)
AUGMENT (unlink, ETWS_SC_UNLINK, 1)
AUGMENT (unlinkat, ETWS_SC_UNLINKAT, 3)
AUGMENT (rmdir, ETWS_SC_RMDIR, 1)
AUGMENT (rename, ETWS_SC_RENAME, 2)
AUGMENT (renameat, ETWS_SC_RENAMEAT, 4)
AUGMENT (renameat2, ETWS_SC_RENAMEAT2, 5)
AUGMENT (chdir, ETWS_SC_CHDIR, 1)

SEC ("tracepoint/sched/sched_process_exec")
int
etws_exec (void *ctx)
{
  struct task_struct *task = (struct task_struct *) bpf_get_current_task ();
  __u64 uid_gid = bpf_get_current_uid_gid ();
  unsigned long start, end, len;
  struct scratch *s;

  if (is_self ())
    return 1;
  s = begin (ETWS_AUG_EXEC, ETWS_SC_EXECVE, 0);
  if (s == 0)
    return 1;
  s->hdr.arg[0] = (__u32) uid_gid;
  s->hdr.arg[1] = (__u32) (uid_gid >> 32);
  start = BPF_CORE_READ (task, mm, arg_start);
  end = BPF_CORE_READ (task, mm, arg_end);
  len = end > start ? end - start : 0;
  if (len > ETWS_AUG_ARGS_MAX)
    {
      len = ETWS_AUG_ARGS_MAX;
      s->hdr.truncated = 1;
    }
  if (len > 0 && bpf_probe_read_user (s->buf, len & (BUF_SIZE - 1), (const void *) start) != 0)
    len = 0;
  s->hdr.len[1] = (__u16) len;
  submit (ctx, s);
  /* Not 0: our own perf sample of this tracepoint must still be emitted. */
  return 1;
}
