/* etws-perf-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the parts of the perf backend share. The pipeline has three
 * threads:
 *
 *   reader     (etws-perf-capture.c)  copies records out of the per-CPU
 *                                      rings, nothing else;
 *   converter  (etws-perf-convert.c)  merges the CPU streams by time, keeps
 *                                      the process/file/socket state and
 *                                      turns records into events;
 *   run        (etws-perf-source.c)   symbolizes the frames
 *                                      (etws-perf-symbols.c) and pushes the
 *                                      events into the sink.
 */
#pragma once

#include <glib.h>
#include <linux/perf_event.h>

#include "etw-event.h"
#include "etws-live.h"

G_BEGIN_DECLS

/* Providers, in the order of etws_live_list_providers(). */
typedef enum
{
  ETWS_PERF_PROCESS,
  ETWS_PERF_THREAD,
  ETWS_PERF_IMAGE,
  ETWS_PERF_FILE,
  ETWS_PERF_NETWORK,
  ETWS_PERF_N_PROVIDERS
} EtwsPerfProvider;

#define ETWS_PERF_BIT(p) (1u << (p))
#define ETWS_PERF_ALL    ((1u << ETWS_PERF_N_PROVIDERS) - 1)

/* Opcodes. Where the meaning matches they are the ETW kernel class's;
 * the others are Linux-only and documented in docs/linux-providers.md. */
enum
{
  ETWS_OP_START        = 1,   /* Process, Thread */
  ETWS_OP_END          = 2,
  ETWS_OP_DC_START     = 3,   /* already running when the capture began */
  ETWS_OP_IMAGE_LOAD   = 10,
  ETWS_OP_SET_NAME     = 72,  /* Thread */
  ETWS_OP_EXEC         = 64,  /* Process, Linux-only: execve replaced the image */

  ETWS_OP_FILE_CREATE  = 64,
  ETWS_OP_FILE_CLOSE   = 66,
  ETWS_OP_FILE_READ    = 67,
  ETWS_OP_FILE_WRITE   = 68,
  ETWS_OP_FILE_DELETE  = 70,
  ETWS_OP_FILE_RENAME  = 71,

  ETWS_OP_TCP_SEND       = 10,  /* IPv6: + 16 */
  ETWS_OP_TCP_RECV       = 11,
  ETWS_OP_TCP_CONNECT    = 12,
  ETWS_OP_TCP_DISCONNECT = 13,
  ETWS_OP_TCP_RETRANSMIT = 14,
  ETWS_OP_TCP_ACCEPT     = 15,
  ETWS_OP_TCP_STATE      = 64,  /* Linux-only: any other state change */
  ETWS_OP_TCP_SEND_RESET = 65,  /* Linux-only */
  ETWS_OP_TCP_RECV_RESET = 66,  /* Linux-only */
  ETWS_OP_TCP_CLOSE      = 67,  /* Linux-only: the socket was destroyed */
};

const EtwGuid      *_etws_perf_provider_guid   (EtwsPerfProvider    provider);
const char *const  *_etws_perf_provider_names  (void);
/* names NULL = every provider. */
gboolean            _etws_perf_parse_providers (char              **names,
                                                guint              *mask,
                                                GError            **error);

/* ---- Tracepoints (etws-perf-tracepoints.c) ---- */

typedef enum
{
  ETWS_TP_TASK_NEWTASK,
  ETWS_TP_PROCESS_EXEC,
  ETWS_TP_PROCESS_EXIT,

  ETWS_TP_ENTER_OPEN,
  ETWS_TP_EXIT_OPEN,
  ETWS_TP_ENTER_OPENAT,
  ETWS_TP_EXIT_OPENAT,
  ETWS_TP_ENTER_OPENAT2,
  ETWS_TP_EXIT_OPENAT2,
  ETWS_TP_ENTER_CREAT,
  ETWS_TP_EXIT_CREAT,
  ETWS_TP_ENTER_READ,
  ETWS_TP_EXIT_READ,
  ETWS_TP_ENTER_PREAD64,
  ETWS_TP_EXIT_PREAD64,
  ETWS_TP_ENTER_READV,
  ETWS_TP_EXIT_READV,
  ETWS_TP_ENTER_WRITE,
  ETWS_TP_EXIT_WRITE,
  ETWS_TP_ENTER_PWRITE64,
  ETWS_TP_EXIT_PWRITE64,
  ETWS_TP_ENTER_WRITEV,
  ETWS_TP_EXIT_WRITEV,
  ETWS_TP_ENTER_CLOSE,
  ETWS_TP_ENTER_CLOSE_RANGE,
  ETWS_TP_ENTER_DUP2,
  ETWS_TP_ENTER_DUP3,
  ETWS_TP_ENTER_UNLINK,
  ETWS_TP_EXIT_UNLINK,
  ETWS_TP_ENTER_UNLINKAT,
  ETWS_TP_EXIT_UNLINKAT,
  ETWS_TP_ENTER_RMDIR,
  ETWS_TP_EXIT_RMDIR,
  ETWS_TP_ENTER_RENAME,
  ETWS_TP_EXIT_RENAME,
  ETWS_TP_ENTER_RENAMEAT,
  ETWS_TP_EXIT_RENAMEAT,
  ETWS_TP_ENTER_RENAMEAT2,
  ETWS_TP_EXIT_RENAMEAT2,
  ETWS_TP_EXIT_CHDIR,
  ETWS_TP_ENTER_FCHDIR,
  ETWS_TP_EXIT_FCHDIR,

  ETWS_TP_INET_SOCK_SET_STATE,
  ETWS_TP_TCP_RETRANSMIT_SKB,
  ETWS_TP_TCP_SEND_RESET,
  ETWS_TP_TCP_RECEIVE_RESET,
  ETWS_TP_TCP_DESTROY_SOCK,
  ETWS_TP_SOCK_SEND_LENGTH,
  ETWS_TP_SOCK_RECV_LENGTH,

  ETWS_TP_N
} EtwsPerfTp;

/* System calls we pair (enter, exit) per thread. The values up to
 * ETWS_SC_EXECVEAT are the augmenter's (etws-perf-augment-abi.h). */
enum
{
  ETWS_SC_NONE = 0,
  /* 1 … 13: ETWS_SC_OPEN … ETWS_SC_CHDIR */
  ETWS_SC_READ = 32,
  ETWS_SC_PREAD64,
  ETWS_SC_READV,
  ETWS_SC_WRITE,
  ETWS_SC_PWRITE64,
  ETWS_SC_WRITEV,
  ETWS_SC_CLOSE,
  ETWS_SC_CLOSE_RANGE,
  ETWS_SC_DUP2,
  ETWS_SC_DUP3,
  ETWS_SC_FCHDIR,
};

#define ETWS_TP_MAX_FIELDS 12

typedef struct
{
  gint16 offset;   /* -1: the field is missing */
  gint16 size;
  gboolean dynamic; /* __data_loc */
} EtwsPerfField;

typedef struct
{
  const char   *system;
  const char   *name;
  guint         providers;   /* ETWS_PERF_BIT mask of the providers that need it */
  guint8        syscall;     /* ETWS_SC_* or 0 */
  guint8        enter;       /* a sys_enter_* tracepoint */
  guint8        augmented;   /* the BPF augmenter replaces it when it is loaded */
  guint8        always;      /* needed for the state even if no provider asks */
  const char   *filter;      /* ftrace filter, or NULL */
  const char   *fields[ETWS_TP_MAX_FIELDS];  /* NULL-terminated; enter: none (args) */
} EtwsPerfTpInfo;

typedef struct
{
  gboolean      present;
  guint         id;          /* tracefs event id: perf's config */
  EtwsPerfField fields[ETWS_TP_MAX_FIELDS];
  guint         n_args;      /* sys_enter_*: the arguments, in order */
  EtwsPerfField args[6];
} EtwsPerfTpFormat;

const EtwsPerfTpInfo *_etws_perf_tp_info        (EtwsPerfTp          tp);
/* Mounts tracefs when it is not mounted. */
gboolean              _etws_perf_tracefs_ready  (const char        **dir,
                                                 GError            **error);
/* Reads the formats of the tracepoints in mask (bit per EtwsPerfTp, as a
 * guint64) with libtracefs/libtraceevent. Missing tracepoints are left
 * !present; an error only when tracefs cannot be read at all. */
gboolean              _etws_perf_tp_load        (guint64             mask,
                                                 EtwsPerfTpFormat   *formats,
                                                 GError            **error);

/* ---- The rings and the reader thread (etws-perf-capture.c) ---- */

typedef struct _EtwsPerfCapture EtwsPerfCapture;

typedef struct
{
  gsize  len;
  guint8 data[];   /* whole records, as they were in the ring */
} EtwsPerfChunk;

typedef struct
{
  gint64          t_round;   /* CLOCK_MONOTONIC ns taken before reading the rings */
  gboolean        last;      /* the capture ended: nothing follows */
  guint           n_cpus;
  EtwsPerfChunk **chunks;    /* per CPU, NULL when empty */
} EtwsPerfRound;

/* Which event produced a record (looked up by its sample id). */
typedef struct
{
  guint8  kind;       /* ETWS_PERF_TAG_* */
  guint8  callchain;  /* the sample carries PERF_SAMPLE_CALLCHAIN */
  guint16 tp;         /* EtwsPerfTp for tracepoints */
} EtwsPerfTag;

enum
{
  ETWS_PERF_TAG_NONE,
  ETWS_PERF_TAG_SIDEBAND,
  ETWS_PERF_TAG_TRACEPOINT,
  ETWS_PERF_TAG_BPF,
};

typedef struct
{
  guint64 rounds;
  guint64 bytes;           /* copied out of the rings */
  guint64 reader_cpu_ns;   /* CPU time of the reader thread */
  guint64 backlog_max;     /* most bytes waiting for the converter */
  guint64 stalled_rounds;  /* rounds that left a ring unread (backlog full) */
} EtwsPerfCaptureStats;

EtwsPerfCapture *_etws_perf_capture_new          (gsize                ring_bytes,
                                                  GError             **error);
void             _etws_perf_capture_free         (EtwsPerfCapture     *cap);
guint            _etws_perf_capture_n_cpus       (EtwsPerfCapture     *cap);
gboolean         _etws_perf_capture_add_tracepoint (EtwsPerfCapture   *cap,
                                                    EtwsPerfTp         tp,
                                                    guint              config,
                                                    gboolean           callchain,
                                                    const char        *filter,
                                                    GError           **error);
/* Opens one BPF_OUTPUT event per CPU into the rings; fds[cpu] gets its fd
 * (-1 for offline CPUs), for the BPF program's perf event array. */
gboolean         _etws_perf_capture_add_bpf_output (EtwsPerfCapture   *cap,
                                                    gboolean           callchain,
                                                    int               *fds,
                                                    GError           **error);
/* Enables the events and starts the reader thread. */
gboolean         _etws_perf_capture_start        (EtwsPerfCapture     *cap,
                                                  GError             **error);
/* Any thread: disables the events; the reader drains the rings once more
 * and posts a round with last = TRUE. */
void             _etws_perf_capture_stop         (EtwsPerfCapture     *cap);
/* Converter: the next round, or NULL after timeout_us. */
EtwsPerfRound   *_etws_perf_capture_pop          (EtwsPerfCapture     *cap,
                                                  gint64               timeout_us);
/* Frees the round and the chunks still in it (the converter steals the
 * chunks it keeps, and hands each back with _chunk_done). */
void             _etws_perf_capture_release      (EtwsPerfCapture     *cap,
                                                  EtwsPerfRound       *round);
void             _etws_perf_capture_chunk_done   (EtwsPerfCapture     *cap,
                                                  EtwsPerfChunk       *chunk);
const EtwsPerfTag *_etws_perf_capture_lookup     (EtwsPerfCapture     *cap,
                                                  guint64              id);
void             _etws_perf_capture_get_stats    (EtwsPerfCapture     *cap,
                                                  EtwsPerfCaptureStats *stats);

/* ---- Events handed from the converter to the run thread ---- */

typedef struct _EtwsPerfDso EtwsPerfDso;

/* An executable file mapped by some process. Made by the converter and
 * never freed before the capture ends; the symbolizer (run thread) owns
 * the symtab fields. */
struct _EtwsPerfDso
{
  char       *path;
  const char *basename;
  guint8      build_id[20];
  guint8      build_id_len;
  guint8      symtab_tried;
  gpointer    symtab;
};

/* frame.dso for kernel addresses */
#define ETWS_PERF_DSO_KERNEL ((EtwsPerfDso *) GSIZE_TO_POINTER (1))

typedef struct
{
  guint64      address;
  EtwsPerfDso *dso;      /* NULL when no mapping covers it */
  guint64      offset;   /* file offset inside dso */
} EtwsPerfFrame;

/* In EtwsPerfOut.provider: a Process event made only for the naming
 * state, because the Process provider is off; it never becomes a row. */
#define ETWS_PERF_OUT_OBSERVE 0x80

typedef struct
{
  guint32 size;          /* of this entry, a multiple of 8 */
  guint8  provider;      /* EtwsPerfProvider, | ETWS_PERF_OUT_OBSERVE */
  guint8  opcode;
  guint16 n_frames;
  guint32 pid;
  guint32 tid;
  guint32 cpu;
  guint32 payload_len;
  gint64  raw_time;      /* CLOCK_MONOTONIC ns */
  /* payload_len bytes (an etw-fields list), padded to 8, then n_frames
   * EtwsPerfFrame */
} EtwsPerfOut;

typedef struct
{
  guint8  *data;
  gsize    len;
  gsize    cap;
  guint    n_events;
  guint64  lost;       /* PERF_RECORD_LOST counts since the previous batch */
  char    *notice;     /* for etws_sink_set_notice, or NULL */
  gboolean last;       /* nothing follows */
} EtwsPerfBatch;

void  _etws_perf_batch_free (EtwsPerfBatch *batch);

static inline const guint8 *
_etws_perf_out_payload (const EtwsPerfOut *out)
{
  return (const guint8 *) (out + 1);
}

static inline const EtwsPerfFrame *
_etws_perf_out_frames (const EtwsPerfOut *out)
{
  return (const EtwsPerfFrame *) ((const guint8 *) (out + 1) + ((out->payload_len + 7u) & ~7u));
}

/* ---- The converter (etws-perf-convert.c) ---- */

typedef struct
{
  guint             providers;       /* ETWS_PERF_BIT mask */
  gboolean          stacks;
  gboolean          fields;
  guint             augmented;       /* ETWS_PERF_BIT: FILE paths, PROCESS command lines */
  int              *pids;            /* 0-terminated, or NULL */
  gboolean          include_children;
  guint32           self_pid;        /* never reported */
  const EtwsPerfTpFormat *formats;   /* ETWS_TP_N entries */
} EtwsPerfConfig;

typedef struct _EtwsPerfConverter EtwsPerfConverter;

/* deliver is called on the converter thread with each full batch. */
EtwsPerfConverter *_etws_perf_converter_new      (const EtwsPerfConfig *config,
                                                  EtwsPerfCapture      *cap,
                                                  void                (*deliver) (EtwsPerfBatch *batch,
                                                                                  gpointer       user_data),
                                                  gpointer              user_data);
void               _etws_perf_converter_free     (EtwsPerfConverter    *conv);
/* Reads /proc: the state of the processes already running, and their
 * DCStart events, stamped `now` (CLOCK_MONOTONIC ns: when the rings were
 * enabled, so they come before every recorded event). */
void               _etws_perf_converter_scan_proc (EtwsPerfConverter   *conv,
                                                   gint64               now);
/* Takes a round: merges by time what is safe to merge and converts it.
 * Returns FALSE after the last round. */
gboolean           _etws_perf_converter_feed     (EtwsPerfConverter    *conv,
                                                  EtwsPerfRound        *round);
/* Sends what is batched. */
void               _etws_perf_converter_flush    (EtwsPerfConverter    *conv,
                                                  gboolean              last);
void               _etws_perf_converter_notice   (EtwsPerfConverter    *conv,
                                                  const char           *notice);
/* Records merged so far (any thread). */
guint64            _etws_perf_converter_n_records (EtwsPerfConverter   *conv);

/* ---- Symbols (etws-perf-symbols.c), run thread only ---- */

typedef struct _EtwsPerfSymbols EtwsPerfSymbols;

EtwsPerfSymbols *_etws_perf_symbols_new    (void);
void             _etws_perf_symbols_free   (EtwsPerfSymbols     *syms);
/* "vmlinux!tcp_v4_connect+0x269", "libc.so.6!__open64+0x1b",
 * "libfoo.so+0x1234" (no symbol), or NULL. The string belongs to syms.
 * *plumbing is set for the tracing machinery's own kernel frames. */
const char      *_etws_perf_symbols_lookup (EtwsPerfSymbols     *syms,
                                            const EtwsPerfFrame *frame,
                                            gboolean            *plumbing);
/* For tests and benchmarks: symbols known (kernel), DSOs loaded. */
guint            _etws_perf_symbols_n_kernel (EtwsPerfSymbols   *syms);

/* ---- The BPF augmenter (etws-perf-augment.c) ---- */

typedef struct _EtwsPerfAugment EtwsPerfAugment;

/* Loads and attaches the programs whose tracepoints exist here and
 * belong to the wanted providers. fds: the per-CPU BPF_OUTPUT events.
 * *loaded: ETWS_PERF_BIT(FILE) when paths are augmented, (PROCESS) when
 * command lines are. NULL + error when BPF is unavailable. */
EtwsPerfAugment *_etws_perf_augment_new   (const EtwsPerfTpFormat *formats,
                                           guint                   providers,
                                           guint32                 self_pid,
                                           const int              *fds,
                                           guint                   n_cpus,
                                           guint                  *loaded,
                                           GError                **error);
void             _etws_perf_augment_free  (EtwsPerfAugment        *aug);

G_END_DECLS
