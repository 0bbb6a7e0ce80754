/* fuzz-common.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the libFuzzer harnesses (built with clang and
 * -fsanitize=fuzzer) and by their replay programs (any compiler, run as
 * normal tests over the kept inputs).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw-event.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A property of the code under test does not hold: a finding, like a
 * crash (abort() is what libFuzzer and the replay both report). */
#define FUZZ_CHECK(cond)                                                   \
  do                                                                       \
    {                                                                      \
      if (!(cond))                                                         \
        {                                                                  \
          fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                 \
          abort ();                                                        \
        }                                                                  \
    }                                                                      \
  while (0)

/* Takes bytes off the front of the input. Past the end it gives zeros, so
 * a harness never needs to check the length of its own header. */
typedef struct
{
  const uint8_t *p;
  size_t         left;
} FuzzIn;

static inline uint8_t
fuzz_u8 (FuzzIn *in)
{
  if (in->left == 0)
    return 0;
  in->left--;
  return *in->p++;
}

static inline uint16_t
fuzz_u16 (FuzzIn *in)
{
  uint16_t lo = fuzz_u8 (in);
  return (uint16_t) (lo | (fuzz_u8 (in) << 8));
}

static inline uint32_t
fuzz_u32 (FuzzIn *in)
{
  uint32_t lo = fuzz_u16 (in);
  return lo | ((uint32_t) fuzz_u16 (in) << 16);
}

/* Up to n bytes, as a fresh allocation of exactly that size so that the
 * sanitizer sees any read past its end. */
static inline uint8_t *
fuzz_take (FuzzIn *in,
           size_t  n,
           size_t *got)
{
  uint8_t *b;

  if (n > in->left)
    n = in->left;
  b = malloc (n > 0 ? n : 1);
  if (b == NULL)
    abort ();
  if (n > 0)
    memcpy (b, in->p, n);
  in->p += n;
  in->left -= n;
  *got = n;
  return b;
}

/* Reads every byte an event points at, so that a pointer or length the
 * code under test got wrong is a sanitizer report here. */
static inline unsigned
fuzz_touch_event (const EtwEvent *ev)
{
  volatile unsigned sum = 0;

  if (ev->payload_len > 0)
    sum += ev->payload[0] + ev->payload[ev->payload_len - 1];
  if (ev->record != NULL && ev->record_len > 0)
    sum += ev->record[0] + ev->record[ev->record_len - 1];
  FUZZ_CHECK (ev->n_ext <= ETW_MAX_EXT_ITEMS);
  for (uint32_t i = 0; i < ev->n_ext; i++)
    if (ev->ext[i].size > 0)
      sum += ev->ext[i].data[0] + ev->ext[i].data[ev->ext[i].size - 1];
  if (ev->n_frames > 0)
    {
      FUZZ_CHECK (ev->frame_size == 4 || ev->frame_size == 8);
      sum += ev->stack[0] + ev->stack[(size_t) ev->n_frames * ev->frame_size - 1];
    }
  return sum;
}
