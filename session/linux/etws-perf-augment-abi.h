/* etws-perf-augment-abi.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records the BPF augmenter writes into the perf rings (as the RAW
 * part of a PERF_COUNT_SW_BPF_OUTPUT sample). Shared by the BPF program and
 * the converter, so it uses only fixed-size kernel types.
 */
#pragma once

#include <linux/types.h>

/* Longest path copied; PATH_MAX on Linux. */
#define ETWS_AUG_PATH_MAX  4096
/* execve: the argument strings, cut at this many bytes. */
#define ETWS_AUG_ARGS_MAX  4096

enum
{
  ETWS_AUG_OPEN   = 1,  /* str0 = path; arg0 dfd, arg1 flags, arg2 mode */
  ETWS_AUG_UNLINK = 2,  /* str0 = path; arg0 dfd, arg1 flags */
  ETWS_AUG_RENAME = 3,  /* str0 = old, str1 = new; arg0 olddfd, arg1 newdfd, arg2 flags */
  ETWS_AUG_EXEC   = 4,  /* str1 = argv (NUL-separated); arg0 uid, arg1 gid */
  ETWS_AUG_CHDIR  = 5,  /* str0 = path */
};

/* Which system call produced the record. */
enum
{
  ETWS_SC_OPEN = 1,
  ETWS_SC_OPENAT,
  ETWS_SC_OPENAT2,
  ETWS_SC_CREAT,
  ETWS_SC_UNLINK,
  ETWS_SC_UNLINKAT,
  ETWS_SC_RMDIR,
  ETWS_SC_RENAME,
  ETWS_SC_RENAMEAT,
  ETWS_SC_RENAMEAT2,
  ETWS_SC_EXECVE,
  ETWS_SC_EXECVEAT,
  ETWS_SC_CHDIR,
};

/* The record: written at the syscall's exit, when the kernel has read the
 * strings itself (so their pages are present and the copy cannot fail
 * on a page that was never touched), with the result. */
struct etws_aug_hdr
{
  __u32 kind;       /* ETWS_AUG_* */
  __u32 syscall;    /* ETWS_SC_* */
  __s64 arg[3];
  __s64 ret;        /* the syscall's return value */
  __u16 len[2];     /* bytes of str0 and str1 that follow, NULs included */
  __u32 truncated;  /* 1 when a string or the argument list was cut */
};
