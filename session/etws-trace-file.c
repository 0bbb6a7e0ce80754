/* etws-trace-file.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-trace-file"

#include "config.h"

#include "etws-trace-file.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <zlib.h>

struct _EtwsTraceFile
{
  char        *path;
  GMappedFile *mapped;
  EtlFile     *etl;
  GError      *damage;
  gboolean     gzip;
};

G_DEFINE_QUARK (etws-trace-error-quark, etws_trace_error)

GError *
etws_trace_error_from_etl (const EtlError *err,
                           const char     *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_error_new (ETWS_TRACE_ERROR,
                      err->code == ETL_ERR_NOT_ETL ? ETWS_TRACE_ERROR_NOT_ETL
                                                   : ETWS_TRACE_ERROR_DAMAGED,
                      "%s: reading stopped at byte offset %" G_GUINT64_FORMAT " (0x%" G_GINT64_MODIFIER "x): %s",
                      base, err->offset, err->offset, err->message);
}

static gboolean
is_gzip (const char *path)
{
  guint8 magic[2] = { 0 };
  FILE *fp = g_fopen (path, "rb");
  gboolean ret;

  if (fp == NULL)
    return FALSE;
  ret = fread (magic, 1, 2, fp) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  fclose (fp);
  return ret;
}

/* Inflates path into a temporary file and returns it mapped. A damaged
 * gzip stream keeps everything inflated before the damage and reports it.
 * zlib is driven directly: GZlibDecompressor drops the output of the call
 * that fails, so a bad CRC in the trailer cost the last megabyte of a
 * trace that was intact. */
static GMappedFile *
inflate_to_temp (const char    *path,
                 GCancellable  *cancellable,
                 GError       **damage,
                 GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) tmp = NULL;
  g_autoptr(GFileIOStream) tmp_io = NULL;
  g_autoptr(GFileInputStream) raw = NULL;
  g_autofree guint8 *inbuf = NULL;
  g_autofree guint8 *buf = NULL;
  g_autofree char *tmp_path = NULL;
  GOutputStream *out;
  GMappedFile *mapped = NULL;
  guint64 total = 0;
  z_stream z = { 0 };
  gboolean eof = FALSE;

  raw = g_file_read (file, cancellable, error);
  if (raw == NULL)
    return NULL;

  tmp = g_file_new_tmp ("etwscope-XXXXXX.etl", &tmp_io, error);
  if (tmp == NULL)
    return NULL;
  tmp_path = g_file_get_path (tmp);
  out = g_io_stream_get_output_stream (G_IO_STREAM (tmp_io));

  /* 16 + MAX_WBITS: a gzip wrapper, checked (CRC and size). */
  if (inflateInit2 (&z, 16 + MAX_WBITS) != Z_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot set up zlib to inflate %s", path);
      goto out;
    }
  inbuf = g_malloc (1 << 16);
  buf = g_malloc (1 << 20);
  for (;;)
    {
      if (z.avail_in == 0 && !eof)
        {
          gssize r = g_input_stream_read (G_INPUT_STREAM (raw), inbuf, 1 << 16, cancellable, error);
          if (r < 0)
            goto out;
          eof = r == 0;
          z.next_in = inbuf;
          z.avail_in = (uInt) r;
        }
      z.next_out = buf;
      z.avail_out = 1 << 20;
      int zr = inflate (&z, Z_NO_FLUSH);
      gsize n = (1 << 20) - z.avail_out;

      /* Whatever was inflated before an error is good: keep it. */
      if (n > 0 && !g_output_stream_write_all (out, buf, n, NULL, cancellable, error))
        {
          g_prefix_error (error, "Cannot write the inflated trace to %s: ", tmp_path);
          goto out;
        }
      total += n;
      if (zr == Z_STREAM_END)
        break;
      if (zr == Z_OK || (zr == Z_BUF_ERROR && !eof))
        continue;
      g_set_error (damage, ETWS_TRACE_ERROR, ETWS_TRACE_ERROR_DAMAGED,
                   "%s: the gzip stream is damaged; reading stopped at byte offset %"
                   G_GUINT64_FORMAT " of the inflated trace: %s",
                   path, total,
                   zr == Z_BUF_ERROR ? "the file ends before the stream"
                                     : z.msg != NULL ? z.msg : "invalid compressed data");
      break;
    }
  if (!g_io_stream_close (G_IO_STREAM (tmp_io), cancellable, error))
    goto out;

  mapped = g_mapped_file_new (tmp_path, FALSE, error);

out:
  inflateEnd (&z);
  /* The mapping keeps the data alive; the name is not needed any more.
   * (Windows refuses to delete a mapped file; it stays in %TEMP% there.) */
  g_file_delete (tmp, NULL, NULL);
  return mapped;
}

EtwsTraceFile *
etws_trace_file_open (const char    *path,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) damage = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  EtwsTraceFile *self;
  EtlError err;
  EtlFile *etl;
  gboolean gz;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s is a directory", path);
      return NULL;
    }
  gz = is_gzip (path);
  if (gz)
    mapped = inflate_to_temp (path, cancellable, &damage, error);
  else
    mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;

  etl = etl_file_open ((const guint8 *) g_mapped_file_get_contents (mapped),
                       g_mapped_file_get_length (mapped), &err);
  if (etl == NULL)
    {
      if (damage != NULL)
        g_propagate_error (error, g_steal_pointer (&damage));
      else
        g_propagate_error (error, etws_trace_error_from_etl (&err, path));
      return NULL;
    }

  self = g_atomic_rc_box_new0 (EtwsTraceFile);
  self->path = g_strdup (path);
  self->mapped = g_steal_pointer (&mapped);
  self->etl = etl;
  self->gzip = gz;
  if (damage != NULL)
    self->damage = g_steal_pointer (&damage);
  else if (etl_file_error (etl)->code != ETL_OK)
    self->damage = etws_trace_error_from_etl (etl_file_error (etl), path);
  return self;
}

EtwsTraceFile *
etws_trace_file_ref (EtwsTraceFile *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
trace_file_clear (gpointer data)
{
  EtwsTraceFile *self = data;

  etl_file_free (self->etl);
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_clear_error (&self->damage);
  g_free (self->path);
}

void
etws_trace_file_unref (EtwsTraceFile *self)
{
  g_atomic_rc_box_release_full (self, trace_file_clear);
}

const EtlFile *
etws_trace_file_get_etl (EtwsTraceFile *self)
{
  return self->etl;
}

const char *
etws_trace_file_get_path (EtwsTraceFile *self)
{
  return self->path;
}

gboolean
etws_trace_file_is_gzip (EtwsTraceFile *self)
{
  return self->gzip;
}

guint64
etws_trace_file_get_size (EtwsTraceFile *self)
{
  return g_mapped_file_get_length (self->mapped);
}

GError *
etws_trace_file_dup_damage (EtwsTraceFile *self)
{
  return self->damage != NULL ? g_error_copy (self->damage) : NULL;
}
