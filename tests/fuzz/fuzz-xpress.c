/* fuzz-xpress.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The LZ77 (Xpress) inflater. Input: u16 output size in 16-byte units,
 * then the compressed stream. The output is an exact-size allocation.
 */
#include "fuzz-common.h"

#include "etw-xpress.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzIn in = { data, size };
  size_t dst_len = (size_t) fuzz_u16 (&in) * 16 + fuzz_u8 (&in);
  size_t src_len, consumed = (size_t) -1;
  uint8_t *src = fuzz_take (&in, in.left, &src_len);
  uint8_t *dst = malloc (dst_len > 0 ? dst_len : 1);
  uint8_t *dst2 = malloc (dst_len > 0 ? dst_len : 1);

  FUZZ_CHECK (dst != NULL && dst2 != NULL);
  long n = etw_xpress_decompress_n (src, src_len, dst, dst_len, &consumed);
  FUZZ_CHECK (n >= -1 && (n < 0 || (size_t) n <= dst_len));
  FUZZ_CHECK (consumed <= src_len);
  /* The plain entry point is the same function. */
  long m = etw_xpress_decompress (src, src_len, dst2, dst_len);
  FUZZ_CHECK (m == n);
  if (n > 0)
    FUZZ_CHECK (memcmp (dst, dst2, (size_t) n) == 0);
  /* A stream that was not cut short inflates the same into a larger
   * buffer, up to the same point. */
  if (n > 0 && (size_t) n < dst_len)
    FUZZ_CHECK (consumed >= src_len - 4 || n < 0);
  free (src);
  free (dst);
  free (dst2);
  return 0;
}
