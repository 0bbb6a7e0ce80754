/* test-damage.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Damaged copies of every .etl fixture (truncations and byte flips, fixed
 * seed) through the .etl reader: no crash, no hang, an error with a byte
 * offset when the walk changes, every earlier record kept. The .etl.gz
 * fixture needs an inflater; test-damage-gz.c covers it through GLib.
 * Plain C, so it also runs as a Windows program under Wine.
 */
#include "test-damage.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Damaged images that once failed, replayed exactly (the random mutants
 * may move when the generator or the fixtures change). */
static const struct
{
  const char *fixture;
  size_t      trunc;      /* bytes kept; (size_t) -1: the whole file */
  size_t      flip_at;
  uint8_t     xor_val;
  const char *why;
} regressions[] = {
  { "airbus_lxcore_kernel.etl", 1488, 0, 0,
    "a file cut inside its first buffer opens and keeps the records before the cut" },
  { "tx_WsRm01.etl", 8939, 0, 0,
    "a buffer cut short keeps the records before the cut" },
  { "tx_WsRm01.etl", 8192, 0, 0,
    "a file cut between two buffers reports the missing buffers" },
  { "perfview_net.4.5.2.x64.etl", (size_t) -1, 1993993, 0x20,
    "a compressed buffer that fills up before its stream ends is reported" },
  { "perfview_net.4.5.2.x64.etl", (size_t) -1, 2220134, 0xaa,
    "a record that grew over the next one keeps every record before it" },
};
static uint8_t *
read_file (const char *path,
           size_t     *len)
{
  FILE *fp = fopen (path, "rb");
  uint8_t *buf = NULL;
  long n;

  if (fp == NULL)
    return NULL;
  if (fseek (fp, 0, SEEK_END) == 0 && (n = ftell (fp)) > 0 && fseek (fp, 0, SEEK_SET) == 0)
    {
      buf = malloc ((size_t) n);
      if (buf != NULL && fread (buf, 1, (size_t) n, fp) != (size_t) n)
        {
          free (buf);
          buf = NULL;
        }
      *len = (size_t) n;
    }
  fclose (fp);
  return buf;
}

static int
cmp_str (const void *a,
         const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
ends_with (const char *s,
           const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

static char *
copy_str (const char *s)
{
  size_t n = strlen (s) + 1;
  char *c = malloc (n);
  if (c != NULL)
    memcpy (c, s, n);
  return c;
}

static unsigned
env_uint (const char *name,
          unsigned    fallback)
{
  const char *v = getenv (name);
  return v != NULL && *v != '\0' ? (unsigned) strtoul (v, NULL, 10) : fallback;
}

int
main (int    argc,
      char **argv)
{
  const char *dir = getenv ("ETWSCOPE_FIXTURES");
  char *names[256];
  unsigned n_names = 0;
  DamageOptions opt = {
    .n_truncations = 64,
    .n_flips = 1000,
    .seed = 0x5EEDE7150001ull,
    .max_seconds = 2.0,
  };

  /* Fewer mutants only for quick local runs; the suite uses the defaults. */
  opt.n_flips = env_uint ("ETWSCOPE_DAMAGE_FLIPS", opt.n_flips);
  opt.n_truncations = env_uint ("ETWSCOPE_DAMAGE_TRUNCATIONS", opt.n_truncations);

  if (dir == NULL)
    {
      printf ("Bail out! ETWSCOPE_FIXTURES is not set\n");
      return 1;
    }
  /* --shard=I/N: this test runs the I-th of N parts of each fixture's
   * mutants (meson splits the biggest fixture so). */
  for (int i = 1; i < argc; i++)
    if (strncmp (argv[i], "--shard=", 8) == 0 &&
        sscanf (argv[i] + 8, "%u/%u", &opt.shard, &opt.n_shards) != 2)
      {
        printf ("Bail out! bad %s\n", argv[i]);
        return 1;
      }
  /* meson runs one fixture per test, so they run in parallel. */
  for (int i = 1; i < argc && n_names < 256; i++)
    if (strncmp (argv[i], "--", 2) != 0)
      names[n_names++] = copy_str (argv[i]);
  if (n_names == 0)
    {
      DIR *d = opendir (dir);
      struct dirent *de;

      if (d == NULL)
        {
          printf ("Bail out! fixtures folder %s not found\n", dir);
          return 1;
        }
      while ((de = readdir (d)) != NULL && n_names < 256)
        if (ends_with (de->d_name, ".etl"))
          names[n_names++] = copy_str (de->d_name);
      closedir (d);
      qsort (names, n_names, sizeof *names, cmp_str);
      dmg_tap_check (n_names >= 12, "%u .etl fixtures found in %s", n_names, dir);
    }

  for (unsigned i = 0; i < n_names; i++)
    {
      char path[4096];
      size_t len = 0;
      uint8_t *data;
      double t0 = dmg_now ();

      snprintf (path, sizeof path, "%s/%s", dir, names[i]);
      data = read_file (path, &len);
      if (data == NULL)
        {
          dmg_tap_check (false, "%s: cannot be read", names[i]);
          continue;
        }
      dmg_run_image (names[i], data, len, &opt);
      dmg_tap_diag ("%s: %.1f s", names[i], dmg_now () - t0);

      for (size_t r = 0; r < sizeof regressions / sizeof regressions[0] && opt.shard == 0; r++)
        {
          if (regressions[r].fixture == NULL || strcmp (regressions[r].fixture, names[i]) != 0)
            continue;
          size_t t = regressions[r].trunc == (size_t) -1 ? len : regressions[r].trunc;
          dmg_tap_check (dmg_check_one (names[i], data, len, t, regressions[r].flip_at,
                                        regressions[r].xor_val),
                         "%s regression: %s", names[i], regressions[r].why);
        }
      free (data);
      free (names[i]);
    }
  return dmg_tap_done ();
}
