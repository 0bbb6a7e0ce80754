/* etw-dec-private.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the payload decoders share. Plain C11, no GLib.
 *
 * A decoder turns a payload into two things at once: typed fields (only
 * when the caller asks for them) and "roles", a small fixed set of values
 * the summary needs (the process id, the file object, the key name, …).
 * Classic MOF layouts, manifest templates, TraceLogging schemas and
 * pre-parsed field lists all fill the same roles, so one summarizer per
 * event meaning ("sem") serves all of them.
 */
#pragma once

#include "etw-decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Roles                                                               */

enum
{
  R_NONE = 0,
  R_PID,          /* the process the event is about */
  R_PPID,
  R_TID,          /* the thread the event is about */
  R_TTID,         /* issuing thread (FileIo TTID, DiskIo IssuingThreadId) */
  R_SESSION,
  R_EXIT,         /* exit status / code */
  R_IMAGE,        /* process image name (short name or NT path) */
  R_CMDLINE,
  R_PATH,         /* file name, open path, image file name */
  R_FILEOBJ,
  R_FILEKEY,
  R_IRP,
  R_STATUS,
  R_IMGBASE,
  R_IMGSIZE,
  R_OFFSET,
  R_IOSIZE,
  R_INFOCLASS,
  R_EXTRA,
  R_CREATEOPTS,
  R_KCB,          /* registry KeyHandle (KCB) or KeyObject */
  R_KEYNAME,
  R_VALUENAME,
  R_BASEOBJ,
  R_BASENAME,
  R_RELNAME,
  R_SADDR,
  R_DADDR,
  R_SPORT,
  R_DPORT,
  R_SIZE,
  R_PROTO,
  R_FAILCODE,
  R_DISK,
  R_IP,           /* instruction pointer */
  R_THREADNAME,
  R_VIEWBASE,
  R_VIEWSIZE,
  R_TIMESTAMP,    /* a raw clock value inside the payload */
  R_COUNT
};

/* How a role value is held. */
enum
{
  RV_NUM = 0,
  RV_WSTR,        /* UTF-16LE, ptr + byte length (no terminator) */
  RV_ASTR,        /* 8-bit string, ptr + length */
  RV_UTF8,        /* UTF-8 (field lists), ptr + length */
  RV_IP4,         /* ptr to 4 bytes, network order */
  RV_IP6,         /* ptr to 16 bytes */
  RV_BIN,
};

typedef struct
{
  uint64_t       num;
  const uint8_t *ptr;
  uint32_t       len;
  uint8_t        kind;
} EtwRoleVal;

/* ------------------------------------------------------------------ */
/* Semantic operations: what an event means, whatever its encoding      */

typedef enum
{
  SEM_NONE = 0,

  SEM_PROC_START, SEM_PROC_END, SEM_PROC_DCSTART, SEM_PROC_DCEND,
  SEM_PROC_DEFUNCT, SEM_PROC_TERMINATE, SEM_PROC_EXEC, SEM_PROC_OTHER,

  SEM_THREAD_START, SEM_THREAD_END, SEM_THREAD_DCSTART, SEM_THREAD_DCEND,
  SEM_THREAD_CSWITCH, SEM_THREAD_SETNAME, SEM_THREAD_OTHER,

  SEM_IMAGE_LOAD, SEM_IMAGE_UNLOAD, SEM_IMAGE_DCSTART, SEM_IMAGE_DCEND,
  SEM_IMAGE_OTHER,

  SEM_FILE_NAME, SEM_FILE_NAMECREATE, SEM_FILE_NAMEDELETE, SEM_FILE_RUNDOWN,
  SEM_FILE_CREATE, SEM_FILE_CREATENEW, SEM_FILE_CLEANUP, SEM_FILE_CLOSE,
  SEM_FILE_READ, SEM_FILE_WRITE, SEM_FILE_SETINFO, SEM_FILE_DELETE,
  SEM_FILE_RENAME, SEM_FILE_DIRENUM, SEM_FILE_FLUSH, SEM_FILE_QUERYINFO,
  SEM_FILE_FSCTL, SEM_FILE_OPEND, SEM_FILE_DIRNOTIFY, SEM_FILE_DELETEPATH,
  SEM_FILE_RENAMEPATH, SEM_FILE_SETLINKPATH, SEM_FILE_SETSECURITY,
  SEM_FILE_QUERYSECURITY, SEM_FILE_SETEA, SEM_FILE_QUERYEA,
  SEM_FILE_MAP, SEM_FILE_UNMAP, SEM_FILE_MAPRUNDOWN,

  SEM_DISK_READ, SEM_DISK_WRITE, SEM_DISK_FLUSH, SEM_DISK_INIT,

  SEM_REG_CREATE, SEM_REG_OPEN, SEM_REG_DELETE, SEM_REG_QUERY,
  SEM_REG_SETVALUE, SEM_REG_DELETEVALUE, SEM_REG_QUERYVALUE,
  SEM_REG_ENUMKEY, SEM_REG_ENUMVALUE, SEM_REG_QUERYMULTI,
  SEM_REG_SETINFO, SEM_REG_FLUSH, SEM_REG_KCBCREATE, SEM_REG_KCBDELETE,
  SEM_REG_KCBRUNDOWN, SEM_REG_VIRTUALIZE, SEM_REG_CLOSE,
  SEM_REG_SETSECURITY, SEM_REG_QUERYSECURITY, SEM_REG_OTHER,

  SEM_TCP_SEND, SEM_TCP_RECV, SEM_TCP_CONNECT, SEM_TCP_DISCONNECT,
  SEM_TCP_RETRANSMIT, SEM_TCP_ACCEPT, SEM_TCP_RECONNECT, SEM_TCP_FAIL,
  SEM_TCP_COPY, SEM_TCP_OTHER,
  SEM_UDP_SEND, SEM_UDP_RECV, SEM_UDP_FAIL,

  SEM_PROFILE,
  SEM_TRACE_HEADER,
  SEM_LOST,
  SEM_STACK,

  SEM_LAST
} EtwSem;

/* Classes of meaning, for the summarizers. */
typedef enum
{
  CLS_NONE = 0,
  CLS_PROCESS,
  CLS_THREAD,
  CLS_IMAGE,
  CLS_FILE,
  CLS_DISK,
  CLS_REGISTRY,
  CLS_NET,
  CLS_OTHER,
} EtwSemClass;

EtwSemClass  etw_sem_class     (EtwSem sem);
const char  *etw_sem_operation (EtwSem sem);

/* ------------------------------------------------------------------ */
/* Layouts: a payload as a list of typed, named fields                  */

typedef enum
{
  FT_END = 0,
  FT_U8, FT_I8, FT_U16, FT_I16, FT_U32, FT_I32, FT_U64, FT_I64,
  FT_X8, FT_X16, FT_X32, FT_X64,   /* unsigned, shown in hex */
  FT_PTR,        /* pointer-sized address: POINTER */
  FT_PTRU,       /* pointer-sized number (SIZE_T, ids in pointer slots): UINT */
  FT_PTRX,       /* pointer-sized number shown in hex (Affinity) */
  FT_ST32,       /* NTSTATUS in a u32: STATUS */
  FT_STPTR,      /* NTSTATUS in a pointer-sized slot */
  FT_BOOL8,
  FT_BOOL32,
  FT_PORT,       /* u16 stored big-endian: UINT */
  FT_IP4,
  FT_IP6,
  FT_ASZ,        /* NUL-terminated 8-bit string */
  FT_WSZ,        /* NUL-terminated UTF-16LE string */
  FT_WCHARS,     /* UTF-16LE in a fixed number of bytes (aux) */
  FT_WSID,       /* the WBEM SID blob of classic kernel events */
  FT_SID,        /* a plain, self-sized SID */
  FT_GUID,
  FT_FILETIME,
  FT_SYSTEMTIME,
  FT_BIN,        /* aux bytes */
  FT_BINREF,     /* as many bytes as the value of field #aux */
  FT_BINREST,    /* the rest of the payload */
  FT_FRAMES,     /* the rest of the payload as code addresses (array) */
  FT_U64REF,     /* array of u64, count = value of field #aux */
  FT_ALIGN8,     /* skip to the next multiple of 8 within the payload */
  FT_SKIP,       /* skip aux bytes, no field */
  FT_OPT,        /* the fields after this one may be missing (older builds) */
  FT_STRUCT,     /* a named group of the following fields ... */
  FT_STRUCTEND,  /* ... up to here */
} EtwFieldType;

typedef struct
{
  const char *name;
  uint8_t     type;   /* EtwFieldType */
  uint8_t     role;
  uint16_t    aux;
} EtwFieldDef;

#define ETW_LAYOUT_MAX_DEFS 64

/* ------------------------------------------------------------------ */
/* Decoder state                                                        */

typedef struct EtwArenaBlock EtwArenaBlock;

typedef struct
{
  EtwArenaBlock *head;
} EtwArena;

char       *etw_arena_alloc (EtwArena *arena, size_t n);
void        etw_arena_clear (EtwArena *arena);

/* Map of u64 keys to u64 values (pids, file objects, KCBs, pointers). */
typedef struct
{
  uint64_t *keys;
  uint64_t *vals;
  uint8_t  *used;
  size_t    cap;
  size_t    n;
} EtwU64Map;

bool  etw_u64map_get (const EtwU64Map *m, uint64_t key, uint64_t *val);
void  etw_u64map_put (EtwU64Map *m, uint64_t key, uint64_t val);
void  etw_u64map_clear (EtwU64Map *m);

/* Interned, immutable strings that live as long as the decoder. */
typedef struct
{
  const char **slots;
  uint32_t    *hashes;
  size_t       cap;
  size_t       n;
  EtwArena     arena;
} EtwStrPool;

const char *etw_strpool_intern (EtwStrPool *pool, const char *s, size_t len);
void        etw_strpool_clear  (EtwStrPool *pool);

typedef struct
{
  int64_t     time;
  const char *name;
  uint32_t    next;   /* index + 1 of the older entry, 0 = none */
  uint32_t    len;
} EtwProcEntry;

typedef struct
{
  uint64_t    base;
  uint64_t    end;
  const char *name;
} EtwModule;

typedef struct
{
  EtwModule *v;
  uint32_t   n;
  uint32_t   cap;
} EtwModList;

typedef struct
{
  uint64_t    irp;
  const char *path;
  uint16_t    sem;
} EtwIrpSlot;

#define ETW_IRP_SLOTS 4096

/* A layout prepared for summary decoding at one pointer size: the roles
 * that sit at fixed offsets are read directly; the interpreter resumes at
 * `resume` (a def index) only if a later def carries a role. */
typedef struct
{
  const EtwFieldDef *defs;
  uint8_t            ps;
  uint8_t            n_fixed;
  uint8_t            resume;      /* first def not at a fixed offset */
  uint8_t            last_role;   /* index of the last def with a role + 1 */
  bool               optional;    /* an optional marker comes before `resume` */
  uint16_t           resume_off;  /* its offset */
  struct
  {
    uint8_t  role;
    uint8_t  type;
    uint16_t off;
  } fixed[24];
} EtwCompiledLayout;

#define ETW_COMPILED_SLOTS 256

/* Provider families: how an event's payload is laid out. */
enum
{
  FAM_OTHER = 0,
  FAM_CLASSIC,       /* a classic kernel class GUID (MOF layouts) */
  FAM_KPROC,         /* Microsoft-Windows-Kernel-Process */
  FAM_KFILE,
  FAM_KNET,
  FAM_KREG,
  FAM_LINUX,         /* Linux-Kernel-*: field lists named like a classic class */
  FAM_LOST,          /* Lost_Event */
};

typedef struct
{
  EtwGuid     guid;
  const char *name;     /* static, or interned */
  int16_t     group;    /* classic kernel group it is named after, or -1 */
  uint8_t     family;
  uint8_t     used;
  uint8_t     tl_named; /* name came from TraceLogging provider traits */
} EtwProvInfo;

#define ETW_PROV_CACHE_MAX 4096
#define ETW_PROV_FAST      16

struct EtwDecoder
{
  EtwStrPool     strings;

  EtwU64Map      procs;      /* pid -> index + 1 into proc_entries (newest) */
  EtwProcEntry  *proc_entries;
  uint32_t       n_proc_entries;
  uint32_t       cap_proc_entries;
  /* The last answer: kernel events come in runs from one process. Valid
   * while no name was added (n_proc_entries unchanged). */
  uint32_t       pn_pid;
  uint32_t       pn_entries;   /* n_proc_entries when cached, 0 = empty */
  uint32_t       pn_index;     /* entry answered + 1 */
  int64_t        pn_from;      /* the answer holds for times >= pn_from ... */
  int64_t        pn_until;     /* ... and < pn_until */

  EtwU64Map      threads;    /* tid -> pid */
  EtwU64Map      files;      /* FileObject / FileKey -> interned path */
  /* Names learnt from a pass over the whole input before decoding (the
   * file-name rundown sits at the end of a trace): asked when `files` and
   * `kcbs` do not know a key yet. Not owned. */
  struct EtwDecoder *fallback;
  /* Set on a decoder made for that pass: it keeps a rundown name only for
   * keys the trace never created or named before (an address reused by a
   * new object would otherwise name the old one wrongly). */
  bool           names_pass;
  EtwU64Map      dynamic;    /* (names pass) keys created/named in the trace */
  EtwU64Map      kcbs;       /* KCB -> interned key name */
  EtwU64Map      key_objects;/* Kernel-Registry KeyObject -> key name */
  EtwU64Map      mod_index;  /* pid -> index + 1 into mod_lists */
  EtwModList    *mod_lists;
  uint32_t       n_mod_lists;
  uint32_t       cap_mod_lists;
  EtwModList     kernel_mods;
  uint32_t       ml_pid;     /* the last pid → module list lookup */
  uint32_t       ml_index;   /* its index + 1, 0 = none */

  EtwIrpSlot    *irps;       /* direct-mapped: an IRP that never completes is overwritten */

  EtwProvInfo   *prov;       /* open addressing, power-of-two capacity */
  size_t         prov_cap;
  size_t         prov_n;
  int            prov_fast[ETW_PROV_FAST]; /* index + 1 by a GUID hash, 0 = none */
  EtwProvInfo    prov_scratch;

  EtwDecoded    *scratch;    /* text room for etw_decoder_observe() */
  EtwCompiledLayout *compiled; /* direct-mapped by (layout, pointer size) */

  /* The roles etw_decoder_observe() decoded, for the summary-only
   * etw_decode() of the same event that follows (the ingest's pattern):
   * decoding them once saves a third of the hot path. */
  struct
  {
    bool           seen;      /* the event key and provider below are set */
    bool           valid;     /* ... and so are the roles */
    EtwProvInfo   *prov;
    bool           malformed;
    bool           raw;
    const uint8_t *payload;
    uint32_t       payload_len;
    int64_t        raw_time;
    uint16_t       id;
    uint8_t        opcode;
    uint8_t        version;
    uint64_t       have;
    uint16_t       sem;
    EtwRoleVal     role[R_COUNT];  /* observe decodes into these directly */
  } last;
  const char   **event_names;/* "Class/Op" by group * 256 + opcode, built lazily */
};

/* ------------------------------------------------------------------ */
/* Decoding context                                                     */

typedef struct
{
  EtwDecoder     *dec;
  const EtwEvent *ev;
  EtwDecoded     *out;
  unsigned        ps;           /* pointer size of this event */
  bool            want_fields;
  bool            malformed;    /* payload shorter than its layout */
  uint8_t         family;       /* FAM_* of the provider */
  bool            raw;          /* no layout: the payload is shown as bytes */
  uint8_t         depth;        /* nesting of the fields being added */
  uint16_t        open;         /* struct/array begins added and not yet ended */
  uint16_t        skip_ends;    /* begins refused (list full): their ends are dropped */
  uint16_t        sem;
  uint64_t        have;         /* bit per role present */
  EtwRoleVal     *role;         /* R_COUNT values; only the `have` ones are set */
} EtwDecCtx;

static inline bool
etw_ctx_has (const EtwDecCtx *c,
             unsigned         r)
{
  return (c->have >> r) & 1u;
}

static inline uint64_t
etw_ctx_num (const EtwDecCtx *c,
             unsigned         r,
             uint64_t         fallback)
{
  return etw_ctx_has (c, r) && c->role[r].kind == RV_NUM ? c->role[r].num : fallback;
}

static inline void
etw_ctx_set_num (EtwDecCtx *c,
                 unsigned   r,
                 uint64_t   v)
{
  c->role[r].kind = RV_NUM;
  c->role[r].num = v;
  c->have |= (uint64_t) 1 << r;
}

static inline void
etw_ctx_set_ref (EtwDecCtx     *c,
                 unsigned       r,
                 uint8_t        kind,
                 const uint8_t *ptr,
                 uint32_t       len)
{
  c->role[r].kind = kind;
  c->role[r].ptr = ptr;
  c->role[r].len = len;
  c->have |= (uint64_t) 1 << r;
}

/* ------------------------------------------------------------------ */
/* Text and fields (etw-dec-core.c)                                     */

/* Room in out->text; NULL (and out->truncated) when it does not fit. */
char       *etw_text_alloc   (EtwDecoded *out, size_t n);
const char *etw_text_utf16   (EtwDecoded *out, const uint8_t *p, size_t bytes);
const char *etw_text_8bit    (EtwDecoded *out, const uint8_t *p, size_t len);
const char *etw_text_copy    (EtwDecoded *out, const char *s, size_t len);
/* A string already known to be valid UTF-8 (an interned name). */
const char *etw_text_dup     (EtwDecoded *out, const char *s);
const char *etw_text_printf  (EtwDecoded *out, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* A role value as UTF-8 text (strings converted, numbers in decimal,
 * addresses in their usual form). NULL when absent. */
const char *etw_text_role    (EtwDecCtx *c, unsigned r);
/* The last path component of a string role, as UTF-8 (only that part is
 * converted). NULL when absent or empty. */
const char *etw_text_role_basename (EtwDecCtx *c, unsigned r);
/* Appends to a growing string in out->text (for joined paths). */
typedef struct
{
  EtwDecoded *out;
  char       *start;
  size_t      len;
  size_t      cap;
} EtwTextBuf;

void        etw_tb_begin     (EtwTextBuf *tb, EtwDecoded *out, size_t cap);
void        etw_tb_add       (EtwTextBuf *tb, const char *s, size_t len);
void        etw_tb_add_u64   (EtwTextBuf *tb, uint64_t v);
void        etw_tb_add_hex   (EtwTextBuf *tb, uint64_t v);
/* An address, number or short string role, as text. */
void        etw_tb_add_role  (EtwTextBuf *tb, EtwDecCtx *c, unsigned r);
const char *etw_tb_end       (EtwTextBuf *tb);

/* Bytes to the end of a NUL-terminated UTF-16/8-bit string, terminator
 * excluded; *found says whether the terminator was there. */
size_t      etw_wcs_bytes    (const uint8_t *p, size_t max, bool *found);
size_t      etw_str_bytes    (const uint8_t *p, size_t max, bool *found);

/* "S-1-5-21-…" from a binary SID; false if it is not a well-formed SID.
 * *sid_len receives its size. */
bool        etw_sid_format   (const uint8_t *p, size_t max, char *buf, size_t size,
                              size_t *sid_len);
/* Writes "0x" + lowercase hex; returns the length. buf >= 19 bytes. */
size_t      etw_fmt_hex      (char *buf, uint64_t v);
size_t      etw_fmt_u64      (char *buf, uint64_t v);
size_t      etw_fmt_ip4      (char *buf, const uint8_t *a);
/* RFC 5952 text; buf >= 48 bytes. */
size_t      etw_fmt_ip6      (char *buf, const uint8_t *a);
/* Process Monitor's words for an NTSTATUS ("SUCCESS", "NAME NOT FOUND"),
 * or NULL for codes it has none for. */
const char *etw_status_name  (uint32_t status);
/* A status as result text: the name, or "0x…" in out->text. */
const char *etw_status_text  (EtwDecoded *out, uint32_t status);

/* A new field (NULL and out->truncated when the list is full). The list
 * stays well formed: room is kept for the ends of open structs and
 * arrays, an end whose begin was refused is dropped, and so is an end with
 * nothing open. */
EtwField   *etw_field_add    (EtwDecCtx *c, const char *name, uint8_t type);
void        etw_field_num    (EtwDecCtx *c, const char *name, uint8_t type, uint64_t v);
void        etw_field_str    (EtwDecCtx *c, const char *name, const char *s);

/* Runs a layout over the payload from byte `start`. Fills roles, and the
 * fields when c->want_fields. Returns the bytes consumed; sets
 * c->malformed when a required field is cut short. */
size_t      etw_run_layout   (EtwDecCtx *c, const EtwFieldDef *defs, size_t start);
/* The same from def index `first` at payload offset `start`, stopping
 * after def `stop` (exclusive). */
size_t      etw_run_layout_range (EtwDecCtx *c, const EtwFieldDef *defs, unsigned first,
                                  unsigned stop, size_t start, bool optional);

/* The whole payload as one BINARY field named "Payload". */
void        etw_field_payload (EtwDecCtx *c);

/* ------------------------------------------------------------------ */
/* Naming state (etw-dec-names.c)                                       */

void         etw_names_init          (EtwDecoder *dec);
void         etw_names_free          (EtwDecoder *dec);
void         etw_names_set_process   (EtwDecoder *dec, uint32_t pid, int64_t time,
                                      const char *name, size_t len, bool is_end);
const char  *etw_names_process       (EtwDecoder *dec, uint32_t pid, int64_t time, uint32_t *len);
void         etw_names_set_thread    (EtwDecoder *dec, uint32_t tid, uint32_t pid);
bool         etw_names_thread_pid    (EtwDecoder *dec, uint32_t tid, uint32_t *pid);
/* Whether exactly this module range is already known for pid (rundowns
 * repeat loads; checking first saves converting the name). */
bool         etw_names_has_module    (EtwDecoder *dec, uint32_t pid, uint64_t base, uint64_t size);
void         etw_names_set_file      (EtwDecoder *dec, uint64_t key, const char *path, size_t len);
const char  *etw_names_file          (EtwDecoder *dec, uint64_t key);
/* (names pass) A key named by the trace (rundown = false) or by a rundown. */
void         etw_names_pass_note     (EtwDecoder *dec, uint64_t key, bool rundown, bool kcb,
                                      const char *name, size_t len);
void         etw_names_set_kcb       (EtwDecoder *dec, uint64_t kcb, const char *name, size_t len);
const char  *etw_names_kcb           (EtwDecoder *dec, uint64_t kcb);
void         etw_names_set_key_object (EtwDecoder *dec, uint64_t obj, const char *name, size_t len);
const char  *etw_names_key_object    (EtwDecoder *dec, uint64_t obj);
void         etw_names_add_module    (EtwDecoder *dec, uint32_t pid, uint64_t base,
                                      uint64_t size, const char *path, size_t len);
const EtwModule *etw_names_module    (EtwDecoder *dec, uint32_t pid, uint64_t address);
void         etw_names_irp_start     (EtwDecoder *dec, uint64_t irp, const char *path, uint16_t sem);
bool         etw_names_irp_end       (EtwDecoder *dec, uint64_t irp, const char **path,
                                      uint16_t *sem);
EtwProvInfo *etw_names_provider      (EtwDecoder *dec, const EtwGuid *guid);
void         etw_names_set_provider_name (EtwDecoder *dec, const EtwGuid *guid,
                                          const char *name, size_t len);
/* Interned copy of a string that lives as long as the decoder. */
const char  *etw_names_intern        (EtwDecoder *dec, const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* Per-family decoders                                                  */

/* Classic kernel events (etw-dec-kernel.c): the sem and the layout of a
 * (group, opcode, version); layout NULL when there is none. */
EtwSem             etw_kernel_sem    (int group, uint8_t opcode);
const EtwFieldDef *etw_kernel_layout (int group, uint8_t opcode, uint8_t version,
                                      unsigned pointer_size);
/* Decodes a classic kernel payload (layouts with their special cases). */
void               etw_decode_kernel (EtwDecCtx *c, int group);

/* Manifest kernel providers (etw-dec-manifest.c). Returns false when the
 * (id, version) has no template; *sem and *event_name are set anyway when
 * the id is known. */
bool etw_decode_manifest_kernel (EtwDecCtx *c, int family, const char **event_name);
EtwSem etw_manifest_sem         (int family, uint16_t id);
const char *etw_manifest_event_name (int family, uint16_t id);

/* TraceLogging (etw-dec-tracelogging.c). */
bool        etw_tl_event_name   (const EtwEvent *ev, const uint8_t **name, size_t *len);
bool        etw_tl_provider_name (const EtwEvent *ev, const uint8_t **name, size_t *len);
void        etw_decode_tracelogging (EtwDecCtx *c);

/* Pre-parsed field lists (etw-dec-fieldlist.c). */
void        etw_decode_field_list (EtwDecCtx *c);

/* Summaries and naming updates (etw-dec-summary.c). */
void        etw_summarize       (EtwDecCtx *c, unsigned flags);
void        etw_observe_roles   (EtwDecCtx *c);
