/* etl-reader.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A portable reader for .etl files. It works on bytes in memory (a mapped
 * file), never on the host's structs, so it gives the same result on any
 * OS, pointer size or endianness.
 *
 * EtlFile is immutable once opened: any number of iterators (file order or
 * time order) and random-access readers may use it, from any thread, one
 * thread per iterator/accessor.
 */
#pragma once

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  ETL_OK = 0,
  ETL_ERR_NOT_ETL,        /* no log-file header where one must be */
  ETL_ERR_TRUNCATED,      /* a buffer runs past the end of the file */
  ETL_ERR_BAD_BUFFER,     /* a buffer header that cannot be right */
  ETL_ERR_BAD_RECORD,     /* a record header or size that cannot be right */
  ETL_ERR_DECOMPRESS,     /* a compressed buffer that does not inflate */
  ETL_ERR_NO_MEMORY,
} EtlErrorCode;

typedef struct
{
  EtlErrorCode code;
  uint64_t     offset;      /* absolute file offset where reading stopped */
  uint32_t     buffer;      /* index of the buffer concerned */
  char         message[200];
} EtlError;

/* Clock types (TRACE_LOGFILE_HEADER.ReservedFlags). */
enum
{
  ETL_CLOCK_RAW    = 0,
  ETL_CLOCK_QPC    = 1,
  ETL_CLOCK_SYSTEM = 2,
  ETL_CLOCK_CYCLE  = 3,
};

/* The log-file header (TRACE_LOGFILE_HEADER), read from the first record. */
typedef struct
{
  uint32_t buffer_size;
  uint8_t  os_major;
  uint8_t  os_minor;
  uint8_t  layout_major;       /* 1.5 ordinary, 2.0 relogged+compressed */
  uint8_t  layout_minor;
  uint32_t os_build;
  uint32_t n_cpus;
  int64_t  end_time;           /* FILETIME */
  uint32_t timer_resolution;   /* 100 ns units */
  uint32_t max_file_size;      /* MB */
  uint32_t log_file_mode;
  uint32_t buffers_written;
  uint32_t start_buffers;
  uint32_t pointer_size;
  uint32_t events_lost;
  uint32_t cpu_mhz;
  int32_t  tz_bias;            /* minutes, UTC = local + bias */
  int64_t  boot_time;          /* FILETIME */
  int64_t  perf_freq;
  int64_t  start_time;         /* FILETIME */
  uint32_t clock_type;         /* ETL_CLOCK_* */
  uint32_t buffers_lost;
  int64_t  header_raw_time;    /* raw timestamp of the header record */
  uint8_t  header_type;        /* SYSTEM32 (1) or SYSTEM64 (2) */
  char     logger_name[256];   /* UTF-8 */
  char     log_file_name[512]; /* UTF-8 */
} EtlLogInfo;

/* Buffer flags (WMI_BUFFER_HEADER.BufferFlag). */
enum
{
  ETL_BUFFER_FLUSH_MARKER = 0x0001,
  ETL_BUFFER_EVENTS_LOST  = 0x0002,
  ETL_BUFFER_BUFFER_LOST  = 0x0004,
  ETL_BUFFER_PROC_INDEX   = 0x0020,
  ETL_BUFFER_COMPRESSED   = 0x0040,
};

typedef struct
{
  uint64_t file_offset;
  uint32_t size;       /* bytes on disk, header included */
  uint32_t used;       /* Offset: bytes used (uncompressed), header included */
  uint16_t flags;
  uint16_t type;
  uint16_t cpu;
} EtlBuffer;

typedef struct EtlFile EtlFile;

/* Opens an .etl image in memory. `data` must outlive the EtlFile. Returns
 * NULL only when not even the log-file header can be read (err says why).
 * A file damaged later opens; etl_file_error() then describes the damage
 * found by the buffer walk and the buffers before it stay readable. */
EtlFile          *etl_file_open        (const uint8_t *data,
                                        uint64_t       len,
                                        EtlError      *err);
void              etl_file_free        (EtlFile       *file);
const EtlLogInfo *etl_file_info        (const EtlFile *file);
uint32_t          etl_file_n_buffers   (const EtlFile *file);
const EtlBuffer  *etl_file_buffer      (const EtlFile *file,
                                        uint32_t       index);
/* Damage found while walking the buffers (code ETL_OK if none). */
const EtlError   *etl_file_error       (const EtlFile *file);
const uint8_t    *etl_file_data        (const EtlFile *file,
                                        uint64_t      *len);
/* Session clock ticks to FILETIME (UTC). */
int64_t           etl_file_raw_to_filetime (const EtlFile *file,
                                            int64_t        raw);

typedef enum
{
  ETL_ORDER_FILE,  /* buffer by buffer, as stored */
  ETL_ORDER_TIME,  /* per-CPU streams merged by timestamp */
} EtlOrder;

typedef struct EtlIter EtlIter;

EtlIter        *etl_iter_new      (const EtlFile *file,
                                   EtlOrder       order);
/* Called with a record's raw bytes (header included) before it is parsed;
 * returning false skips it cheaply. For passes that want few records. */
typedef bool (*EtlPrefilter) (const uint8_t *record,
                              uint32_t       size,
                              void          *data);

void            etl_iter_set_prefilter (EtlIter      *iter,
                                        EtlPrefilter  prefilter,
                                        void         *data);
/* File order over buffers [first, end) only. */
EtlIter        *etl_iter_new_range (const EtlFile *file,
                                    uint32_t       first,
                                    uint32_t       end);
void            etl_iter_free     (EtlIter       *iter);
/* Fills ev with the next record. Its pointers stay valid until the next
 * call. Returns false at the end. Damage inside a buffer ends that buffer
 * (the records before it are delivered) and is recorded in
 * etl_iter_error(); iteration then goes on with the next buffer. */
bool            etl_iter_next     (EtlIter       *iter,
                                   EtwEvent      *ev);
/* The first damage met by this iterator or the file walk (ETL_OK if none). */
const EtlError *etl_iter_error    (const EtlIter *iter);
uint32_t        etl_iter_n_errors (const EtlIter *iter);
/* Bytes of the file consumed so far, for progress. */
uint64_t        etl_iter_position (const EtlIter *iter);

/* Random access by (buffer, offset), e.g. to re-read a row shown in a view.
 * Keeps a small cache of inflated buffers. */
typedef struct EtlAccess EtlAccess;

EtlAccess      *etl_access_new    (const EtlFile *file);
void            etl_access_free   (EtlAccess     *access);
bool            etl_access_read   (EtlAccess     *access,
                                   uint32_t       buffer,
                                   uint32_t       offset,
                                   EtwEvent      *ev);

/* Parses one record of an event area. Exposed for fuzzing and tests.
 * `area` is the buffer from its start (offset 0 = buffer header), `used`
 * its Offset. Returns the record's aligned size, or 0 at the end of the
 * area, or -1 when the record is damaged (err filled, offset relative to
 * the area). */
long            etl_parse_record  (const EtlFile *file,
                                   const uint8_t *area,
                                   uint32_t       used,
                                   uint32_t       offset,
                                   uint32_t       cpu,
                                   EtwEvent      *ev,
                                   EtlError      *err);

/* Formats a FILETIME as "YYYY-MM-DDThh:mm:ss.fffffffZ" into a buffer of at
 * least ETW_FILETIME_TEXT_SIZE bytes. */
#define ETW_FILETIME_TEXT_SIZE 48
void            etw_filetime_format (int64_t filetime,
                                     char   *buf);
/* Converts FILETIME to and from Unix time in nanoseconds. */
int64_t         etw_filetime_to_unix_ns (int64_t filetime);
int64_t         etw_filetime_from_unix_ns (int64_t unix_ns);

/* UTF-16LE (NUL-terminated or bounded by max_bytes) to UTF-8. Returns the
 * bytes of input consumed, including the terminator if found. Writes at
 * most out_size-1 bytes and always terminates. Invalid surrogates become
 * U+FFFD. */
size_t          etw_utf16_to_utf8   (const uint8_t *src,
                                     size_t         max_bytes,
                                     char          *out,
                                     size_t         out_size);

#ifdef __cplusplus
}
#endif
