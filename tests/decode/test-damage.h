/* test-damage.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The damaged-file checks of the .etl reader, shared by the plain-C test
 * (test-damage.c, every .etl fixture) and the GLib one (test-damage-gz.c,
 * the .etl.gz fixture inflated through EtwsTraceFile). Plain C, no GLib.
 *
 * For one intact image the engine makes truncated copies and byte-flip
 * mutants and checks, for each: no crash, no run longer than 2 s, every
 * record of the intact file that lies wholly before the damage delivered
 * unchanged, an error with a byte offset whenever the walk changed, and
 * the same records in file order, time order and by random access.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  unsigned n_truncations;   /* at least 64 */
  unsigned n_flips;         /* at least 1000 */
  uint64_t seed;            /* fixed: the mutants are reproducible */
  double   max_seconds;     /* CPU time per damaged image */
  /* Only the mutants i with i % n_shards == shard (0 or 1 shards: all),
   * so that a big fixture's mutants can run as several tests. The mutants
   * are the same whatever the sharding. */
  unsigned shard;
  unsigned n_shards;
} DamageOptions;

typedef struct
{
  unsigned mutants;
  unsigned failures;
  unsigned open_failed;     /* etl_file_open refused the image */
  unsigned walk_changed;    /* structure differs from the intact file */
  unsigned errors;          /* an error was reported */
  unsigned undetectable;    /* circular file cut between two buffers */
  unsigned swallowed;       /* a record grew over whole records */
  uint64_t kept_checked;    /* intact records before the damage, all found */
  uint64_t recovered;       /* records of a damaged buffer recovered */
  double   slowest;         /* seconds of CPU time */
  double   slowest_wall;    /* seconds elapsed */
  uint64_t slowest_offset;
} DamageStats;

/* Small TAP writer (meson reads it with protocol: 'tap'). */
void dmg_tap_check  (bool        cond,
                     const char *fmt,
                     ...) __attribute__ ((format (printf, 2, 3)));
void dmg_tap_diag   (const char *fmt,
                     ...) __attribute__ ((format (printf, 1, 2)));
int  dmg_tap_done   (void);

double dmg_now      (void);
double dmg_cpu_now  (void);

/* Runs every check on `data`, an intact image of `len` bytes (the engine
 * copies it; the caller keeps ownership). Prints TAP results named after
 * `name`. Returns false if any check failed. */
bool dmg_run_image  (const char          *name,
                     const uint8_t       *data,
                     size_t               len,
                     const DamageOptions *opt);

/* One damaged image, described as the intact image with `trunc` bytes
 * kept (trunc == len: none cut) and byte `flip_at` xored with `xor_val`
 * (xor_val == 0: none). Used to replay kept regression inputs. Prints a
 * diagnostic for each failed check; returns false if any failed. */
bool dmg_check_one  (const char          *name,
                     const uint8_t       *data,
                     size_t               len,
                     size_t               trunc,
                     size_t               flip_at,
                     uint8_t              xor_val);

/* A damaged image made elsewhere (e.g. by inflating a damaged .etl.gz),
 * checked against the intact one. `d` is where the damage starts in the
 * image; `prefix` says the image holds nothing but intact bytes before a
 * cut (then whatever it delivers must be the intact walk's prefix). */
bool dmg_check_damaged (const char    *name,
                        const uint8_t *intact,
                        size_t         len,
                        const uint8_t *damaged,
                        size_t         dlen,
                        uint64_t       d,
                        bool           prefix,
                        DamageStats   *stats);

#ifdef __cplusplus
}
#endif
