/* etw-xpress.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Microsoft "Plain LZ77" (LZXpress, MS-XCA 2.3/2.4): the compression of
 * relogged .etl buffers.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Inflates src into dst, producing at most dst_len bytes. Returns the
 * number of bytes produced, or -1 when the stream is corrupt (a match
 * reaching before the start of the output, or a truncated token). Stops
 * without error when either the input or the output is used up. */
long etw_xpress_decompress (const uint8_t *src,
                            size_t         src_len,
                            uint8_t       *dst,
                            size_t         dst_len);
/* The same, and stores in *consumed the bytes of src it read: a stream
 * that fills dst long before its end has been damaged. */
long etw_xpress_decompress_n (const uint8_t *src,
                              size_t         src_len,
                              uint8_t       *dst,
                              size_t         dst_len,
                              size_t        *consumed);

#ifdef __cplusplus
}
#endif
