/* etw-bytes.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Little-endian loads that do not depend on the host's endianness or on
 * alignment. Every multi-byte value in an .etl file goes through these.
 */
#pragma once

#include <stdint.h>
#include <string.h>

static inline uint16_t
etw_rd_u16 (const uint8_t *p)
{
  return (uint16_t) (p[0] | (p[1] << 8));
}

static inline uint32_t
etw_rd_u32 (const uint8_t *p)
{
  return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
         ((uint32_t) p[3] << 24);
}

static inline uint64_t
etw_rd_u64 (const uint8_t *p)
{
  return (uint64_t) etw_rd_u32 (p) | ((uint64_t) etw_rd_u32 (p + 4) << 32);
}

static inline int64_t
etw_rd_i64 (const uint8_t *p)
{
  return (int64_t) etw_rd_u64 (p);
}

/* Pointer-sized field: 4 or 8 bytes, chosen per event, never by the host. */
static inline uint64_t
etw_rd_ptr (const uint8_t *p, unsigned ptr_size)
{
  return ptr_size == 8 ? etw_rd_u64 (p) : etw_rd_u32 (p);
}

static inline uint16_t
etw_rd_be16 (const uint8_t *p)
{
  return (uint16_t) ((p[0] << 8) | p[1]);
}

static inline void
etw_wr_u16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
}

static inline void
etw_wr_u32 (uint8_t *p, uint32_t v)
{
  etw_wr_u16 (p, (uint16_t) v);
  etw_wr_u16 (p + 2, (uint16_t) (v >> 16));
}

static inline void
etw_wr_u64 (uint8_t *p, uint64_t v)
{
  etw_wr_u32 (p, (uint32_t) v);
  etw_wr_u32 (p + 4, (uint32_t) (v >> 32));
}

static inline uint32_t
etw_align8 (uint32_t v)
{
  return (v + 7u) & ~7u;
}
