/* test-xpress.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The LZ77 inflater on hand-built streams for every length encoding of
 * MS-XCA 2.4, on a corrupt stream, and on the real compressed buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-bytes.h"
#include "etw-xpress.h"
#include "mini-json.h"
#include "tap.h"

static void
put32 (uint8_t *p, uint32_t v)
{
  etw_wr_u32 (p, v);
}

/* One literal 'a', then a match of `length` at offset 1: a run of 'a'. */
static long
run_of_a (size_t   length,
          uint8_t *out,
          size_t   out_len)
{
  uint8_t s[32];
  size_t n = 0;
  size_t l = length - 3;

  /* flags: literal (0), match (1), then literals. */
  put32 (s, 0x40000000u);
  n = 4;
  s[n++] = 'a';
  if (l < 7)
    {
      etw_wr_u16 (s + n, (uint16_t) l);  /* offset-1 = 0 */
      n += 2;
    }
  else
    {
      etw_wr_u16 (s + n, 7);
      n += 2;
      l -= 7;
      if (l < 15)
        s[n++] = (uint8_t) l;  /* low nibble */
      else
        {
          s[n++] = 15;
          l -= 15;
          if (l < 255)
            s[n++] = (uint8_t) l;
          else
            {
              s[n++] = 255;
              if (length - 3 < 65536)
                {
                  etw_wr_u16 (s + n, (uint16_t) (length - 3));
                  n += 2;
                }
              else
                {
                  etw_wr_u16 (s + n, 0);
                  n += 2;
                  put32 (s + n, (uint32_t) (length - 3));
                  n += 4;
                }
            }
        }
    }
  return etw_xpress_decompress (s, n, out, out_len);
}

static bool
all_a (const uint8_t *p,
       size_t         n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] != 'a')
      return false;
  return true;
}

int
main (void)
{
  uint8_t out[200000];
  uint8_t s[64];
  const char *dir = getenv ("ETWSCOPE_FIXTURES");

  /* Literals only. */
  put32 (s, 0);
  memcpy (s + 4, "hello", 5);
  tap_check (etw_xpress_decompress (s, 9, out, sizeof out) == 5 && memcmp (out, "hello", 5) == 0,
             "literals");

  /* "ab" then a match of 6 at offset 2 overlapping its own output. */
  put32 (s, 0x20000000u);
  s[4] = 'a';
  s[5] = 'b';
  etw_wr_u16 (s + 6, (1 << 3) | 3);
  tap_check (etw_xpress_decompress (s, 8, out, 8) == 8 && memcmp (out, "abababab", 8) == 0,
             "overlapping short match");

  size_t lengths[] = { 3, 9, 10, 24, 25, 40, 279, 280, 300, 65000, 70000, 150000 };
  for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
    {
      long n = run_of_a (lengths[i], out, 1 + lengths[i]);
      tap_check (n == (long) (1 + lengths[i]) && all_a (out, (size_t) n),
                 "match length %zu (%ld bytes out)", lengths[i], n);
    }

  /* Output bound respected: the match is cut, nothing written past it. */
  memset (out, 'z', 64);
  tap_check (run_of_a (40, out, 16) == 16 && all_a (out, 16) && out[16] == 'z',
             "output is cut at dst_len");

  /* A match reaching before the start of the output is corrupt. */
  put32 (s, 0x40000000u);
  s[4] = 'x';
  etw_wr_u16 (s + 5, (4 << 3) | 0);
  tap_check (etw_xpress_decompress (s, 7, out, 10) == -1, "match before output start is an error");

  /* A truncated extended length is an error, not a read past the input. */
  put32 (s, 0x40000000u);
  s[4] = 'x';
  etw_wr_u16 (s + 5, 7);
  tap_check (etw_xpress_decompress (s, 7, out, 100) == -1, "truncated length nibble is an error");

  /* Real data: every compressed buffer of the merged trace inflates to
   * exactly Offset - 0x48 (the reader reports any other length). */
  if (dir != NULL)
    {
      char path[4096];
      size_t len;
      char *data;
      EtlError err;

      snprintf (path, sizeof path, "%s/perfview_net.4.5.2.x64.etl", dir);
      data = mj_read_file (path, &len);
      if (data != NULL)
        {
          EtlFile *f = etl_file_open ((const uint8_t *) data, len, &err);
          EtlIter *it = etl_iter_new (f, ETL_ORDER_FILE);
          EtwEvent ev;
          unsigned compressed = 0;
          uint64_t n = 0;
          for (uint32_t b = 0; b < etl_file_n_buffers (f); b++)
            if (etl_file_buffer (f, b)->flags & ETL_BUFFER_COMPRESSED)
              compressed++;
          while (etl_iter_next (it, &ev))
            n++;
          tap_check (compressed == 359 && etl_iter_n_errors (it) == 0 && n == 179474,
                     "359 compressed buffers of perfview_net inflate exactly (%llu records)",
                     (unsigned long long) n);
          etl_iter_free (it);
          etl_file_free (f);
          free (data);
        }
      else
        tap_check (false, "read %s", path);
    }
  return tap_done ();
}
