/* test-damage-gz.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The .etl.gz fixture, which the plain-C damage test cannot inflate:
 *  - its inflated image gets the same truncations and byte flips;
 *  - the .gz file itself is cut and flipped, then opened through
 *    EtwsTraceFile: the damage is reported, what was inflated before it is
 *    the intact trace's prefix, and the reader keeps the records in it.
 */
#define G_LOG_DOMAIN "test-damage-gz"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "etws-trace-file.h"
#include "test-damage.h"

#define GZ_NAME "etwanalyzer_TraceLoggingTester.etl.gz"

static char *
write_temp (const char   *tmpdir,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, (gssize) len, &error))
    {
      dmg_tap_diag ("cannot write %s: %s", path, error->message);
      g_clear_pointer (&path, g_free);
    }
  return path;
}

/* Opens one damaged .gz and checks what comes out of it. */
static void
check_gz (const char   *tmpdir,
          const char   *what,
          const guint8 *gz,
          gsize         gz_len,
          const guint8 *intact,
          gsize         len,
          gboolean      must_report,
          gboolean      whole,
          guint        *failures,
          GString      *notes)
{
  g_autofree char *path = write_temp (tmpdir, "damaged.etl.gz", gz, gz_len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) damage = NULL;
  g_autoptr(EtwsTraceFile) tf = NULL;
  double t0 = dmg_cpu_now ();

  if (path == NULL)
    {
      (*failures)++;
      return;
    }
  tf = etws_trace_file_open (path, NULL, &error);
  if (tf == NULL)
    {
      /* Refused outright: the message must say why. */
      if (error == NULL || error->message[0] == '\0')
        {
          (*failures)++;
          dmg_tap_diag ("%s: refused without an error", what);
        }
      g_string_append_printf (notes, "%s: refused (%s)\n", what, error ? error->message : "");
    }
  else
    {
      uint64_t dlen = 0;
      const guint8 *data = etl_file_data (etws_trace_file_get_etl (tf), &dlen);
      uint64_t d = 0;
      DamageStats st;

      damage = etws_trace_file_dup_damage (tf);
      while (d < dlen && d < len && data[d] == intact[d])
        d++;
      gboolean differs = d < dlen || dlen != len;
      if (differs && damage == NULL)
        {
          (*failures)++;
          dmg_tap_diag ("%s: the inflated trace differs from byte %" G_GUINT64_FORMAT
                        " on, and no damage is reported", what, d);
        }
      if (must_report && damage == NULL)
        {
          (*failures)++;
          dmg_tap_diag ("%s: no damage reported", what);
        }
      /* A cut gzip stream still inflates to a correct prefix. */
      if (must_report && differs && d < dlen && strstr (what, "cut") != NULL)
        {
          (*failures)++;
          dmg_tap_diag ("%s: the inflated bytes from %" G_GUINT64_FORMAT " on are not the trace's",
                        what, d);
        }
      /* Damage in the trailer (CRC, size) comes after every inflated byte:
       * all of them must be there. */
      if (whole && (dlen != len || d != len))
        {
          (*failures)++;
          dmg_tap_diag ("%s: only %" G_GUINT64_FORMAT " of the %" G_GSIZE_FORMAT
                        " bytes before the gzip trailer were kept", what, MIN (d, dlen), len);
        }
      if (!dmg_check_damaged (what, intact, len, data, (size_t) dlen, d, d >= dlen, &st))
        (*failures)++;
      g_string_append_printf (notes, "%s: %" G_GUINT64_FORMAT " bytes inflated, intact up to %"
                              G_GUINT64_FORMAT ", %llu earlier records kept%s%s\n",
                              what, dlen, d, (unsigned long long) st.kept_checked,
                              damage != NULL ? "; " : "", damage != NULL ? damage->message : "");
    }
  if (dmg_cpu_now () - t0 > 10.0)
    {
      /* Inflating 43 MB and writing it out is not the reader's time; this
       * bound (CPU time) only catches a hang in the gzip path. */
      (*failures)++;
      dmg_tap_diag ("%s: took %.1f s of CPU time", what, dmg_cpu_now () - t0);
    }
  g_unlink (path);
}

int
main (int    argc,
      char **argv)
{
  const char *dir = g_getenv ("ETWSCOPE_FIXTURES");
  g_autofree char *gz_path = NULL;
  g_autofree guint8 *gz = NULL;
  g_autofree guint8 *intact = NULL;
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EtwsTraceFile) tf = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  gsize gz_len = 0;
  uint64_t len = 0;
  guint failures = 0;
  guint64 seed = 0x5EEDE7150002ull;
  DamageOptions opt = {
    .n_truncations = 64,
    .n_flips = 1000,
    .seed = 0x5EEDE7150001ull,
    .max_seconds = 2.0,
  };

  if (dir == NULL)
    {
      printf ("Bail out! ETWSCOPE_FIXTURES is not set\n");
      return 1;
    }
  /* --shard=I/N: the I-th of N parts of the inflated image's mutants; the
   * .gz's own cuts and flips run in part 0. */
  for (int i = 1; i < argc; i++)
    if (strncmp (argv[i], "--shard=", 8) == 0 &&
        sscanf (argv[i] + 8, "%u/%u", &opt.shard, &opt.n_shards) != 2)
      {
        printf ("Bail out! bad %s\n", argv[i]);
        return 1;
      }
  gz_path = g_build_filename (dir, GZ_NAME, NULL);
  if (!g_file_get_contents (gz_path, (char **) &gz, &gz_len, &error))
    {
      printf ("Bail out! %s\n", error->message);
      return 1;
    }
  tf = etws_trace_file_open (gz_path, NULL, &error);
  dmg_tap_check (tf != NULL && etws_trace_file_is_gzip (tf) &&
                 etws_trace_file_dup_damage (tf) == NULL,
                 "%s inflates without damage", GZ_NAME);
  if (tf == NULL)
    return dmg_tap_done ();
  const guint8 *mapped = etl_file_data (etws_trace_file_get_etl (tf), &len);
  intact = g_memdup2 (mapped, len);
  g_clear_pointer (&tf, etws_trace_file_unref);

  /* The inflated image, exactly as the plain-C test treats the others. */
  dmg_run_image ("etwanalyzer_TraceLoggingTester.etl (inflated)", intact, (size_t) len, &opt);

  if (opt.shard != 0)
    return dmg_tap_done ();

  /* The .gz file itself. */
  tmpdir = g_dir_make_tmp ("etwscope-damage-XXXXXX", &error);
  if (tmpdir == NULL)
    {
      dmg_tap_check (FALSE, "temporary folder: %s", error->message);
      return dmg_tap_done ();
    }

  /* Cuts: in the gzip header, early, across the stream, just before the
   * CRC/size trailer and inside it. */
  gsize cuts[24] = { 5, 10, 64, 4096, gz_len - 9, gz_len - 8, gz_len - 4, gz_len - 1 };
  for (guint i = 8; i < G_N_ELEMENTS (cuts); i++)
    cuts[i] = 4096 + (gz_len - 8192) / 16 * (i - 8);
  guint before = failures;
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *what = g_strdup_printf ("%s cut at %" G_GSIZE_FORMAT, GZ_NAME, cuts[i]);
      check_gz (tmpdir, what, gz, cuts[i], intact, (gsize) len, TRUE, cuts[i] >= gz_len - 8,
                &failures, notes);
    }
  dmg_tap_check (failures == before,
                 "%s: %u cuts of the .gz: damage reported, inflated prefix kept, earlier records kept",
                 GZ_NAME, (guint) G_N_ELEMENTS (cuts));

  /* Flips across the deflate stream and its trailer (a flip in the gzip
   * header's time or OS byte changes nothing and need not be reported). */
  before = failures;
  g_autofree guint8 *work = g_memdup2 (gz, gz_len);
  guint n_flips = 24;
  for (guint i = 0; i < n_flips; i++)
    {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      gsize at = i < n_flips - 4 ? 10 + (gsize) ((seed >> 16) % (gz_len - 18))
                                  : gz_len - 8 + (i - (n_flips - 4)) * 2;
      guint8 x = (guint8) (1u << ((seed >> 8) % 8));
      g_autofree char *what = g_strdup_printf ("%s byte %" G_GSIZE_FORMAT " ^= 0x%02x",
                                               GZ_NAME, at, x);
      work[at] ^= x;
      check_gz (tmpdir, what, work, gz_len, intact, (gsize) len, TRUE, at >= gz_len - 8,
                &failures, notes);
      work[at] ^= x;
    }
  dmg_tap_check (failures == before,
                 "%s: %u bit flips in the deflate stream and trailer: damage reported, "
                 "earlier records kept", GZ_NAME, n_flips);

  gchar **lines = g_strsplit (notes->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    dmg_tap_diag ("%s", lines[i]);
  g_strfreev (lines);
  g_rmdir (tmpdir);
  return dmg_tap_done ();
}
