/* etw-xpress.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-xpress.h"

#include "etw-bytes.h"

#include <string.h>

long
etw_xpress_decompress (const uint8_t *src,
                       size_t         src_len,
                       uint8_t       *dst,
                       size_t         dst_len)
{
  size_t consumed;

  return etw_xpress_decompress_n (src, src_len, dst, dst_len, &consumed);
}

long
etw_xpress_decompress_n (const uint8_t *src,
                         size_t         src_len,
                         uint8_t       *dst,
                         size_t         dst_len,
                         size_t        *consumed)
{
  size_t in = 0, out = 0;
  size_t nibble_pos = 0;
  int have_nibble = 0;
  uint32_t flags = 0;
  int flag_bits = 0;

  while (out < dst_len)
    {
      if (flag_bits == 0)
        {
          if (src_len - in < 4)
            break;
          flags = etw_rd_u32 (src + in);
          in += 4;
          flag_bits = 32;
        }

      /* Fast path: a run of literals. */
      if ((flags & 0x80000000u) == 0)
        {
          if (in >= src_len)
            break;
          dst[out++] = src[in++];
          flags <<= 1;
          flag_bits--;
          continue;
        }
      flags <<= 1;
      flag_bits--;

      if (src_len - in < 2)
        break;
      uint32_t token = etw_rd_u16 (src + in);
      in += 2;
      size_t offset = (token >> 3) + 1;
      size_t length = token & 7;

      if (length == 7)
        {
          if (!have_nibble)
            {
              if (in >= src_len)
                goto corrupt;
              nibble_pos = in++;
              length = src[nibble_pos] & 0x0f;
              have_nibble = 1;
            }
          else
            {
              length = src[nibble_pos] >> 4;
              have_nibble = 0;
            }
          if (length == 15)
            {
              if (in >= src_len)
                goto corrupt;
              length = src[in++];
              if (length == 255)
                {
                  if (src_len - in < 2)
                    goto corrupt;
                  length = etw_rd_u16 (src + in);
                  in += 2;
                  if (length == 0)
                    {
                      if (src_len - in < 4)
                        goto corrupt;
                      length = etw_rd_u32 (src + in);
                      in += 4;
                    }
                  if (length < 15 + 7)
                    goto corrupt;
                  length -= 15 + 7;
                }
              length += 15;
            }
          length += 7;
        }
      length += 3;

      if (offset > out)
        goto corrupt;
      if (length > dst_len - out)
        length = dst_len - out;

      uint8_t *d = dst + out;
      const uint8_t *s = d - offset;
      if (offset >= length)
        memcpy (d, s, length);
      else if (offset >= 8)
        {
          size_t i = 0;
          for (; i + 8 <= length; i += 8)
            memcpy (d + i, s + i, 8);
          for (; i < length; i++)
            d[i] = s[i];
        }
      else
        {
          for (size_t i = 0; i < length; i++)
            d[i] = s[i];
        }
      out += length;
    }

  *consumed = in;
  return (long) out;

corrupt:
  *consumed = in;
  return -1;
}
