/* test-ground-truth-tl-gz.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TraceLogging decoding on etwanalyzer_TraceLoggingTester.etl.gz (a .NET
 * EventSource writing TraceLogging). GLib only inflates the fixture; the
 * decoding is decode/'s. Expected values were read off the payload bytes
 * of the first record of each event (see the comments).
 */
#define G_LOG_DOMAIN "test-ground-truth-tl-gz"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "etl-reader.h"
#include "etw-decode.h"

static GBytes *
inflate_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("ETWSCOPE_FIXTURES"), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autoptr(GZlibDecompressor) z = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (raw, G_CONVERTER (z));
  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static const EtwField *
field (const EtwDecoded *d,
       const char       *name)
{
  for (guint i = 0; i < d->n_fields; i++)
    if (d->fields[i].name != NULL && d->fields[i].depth == 0 && strcmp (d->fields[i].name, name) == 0)
      return &d->fields[i];
  return NULL;
}

static void
assert_field_u (const EtwDecoded *d,
                const char       *name,
                guint8            type,
                guint64           v)
{
  const EtwField *f = field (d, name);

  g_assert_nonnull (f);
  g_assert_cmpuint (f->type, ==, type);
  g_assert_cmpuint (f->v.u, ==, v);
}

static void
assert_field_s (const EtwDecoded *d,
                const char       *name,
                const char       *v)
{
  const EtwField *f = field (d, name);

  g_assert_nonnull (f);
  g_assert_cmpuint (f->type, ==, ETW_VAL_STRING);
  g_assert_cmpstr (f->v.s, ==, v);
}

/* Checks the first record of each event id (9..15); returns the id's bit. */
static guint
check_first (const EtwEvent   *ev,
             const EtwDecoded *d)
{
  const EtwField *f;

  switch (ev->id)
    {
    case 9:  /* 48 00 65 00 … 21 00 00 00 */
      g_assert_cmpstr (d->event_name, ==, "MarkString");
      assert_field_s (d, "input", "Hello, ETW!");
      break;
    case 10:  /* "Hello, ETW with number" | 2a 00 00 00 */
      g_assert_cmpstr (d->event_name, ==, "MarkStringInteger");
      assert_field_s (d, "input", "Hello, ETW with number");
      assert_field_u (d, "number1", ETW_VAL_INT, 42);
      break;
    case 11:  /* 01 | 00 | 4100 | 1f85eb51b81e0940 | 0080 | ffffff7f | ff…7f | 80 | ffff | ffffffff | ff×8 */
      g_assert_cmpstr (d->event_name, ==, "MarkBoolByteCharDoubleInt16Int32Int64SByteUInt16UInt32UInt64");
      assert_field_u (d, "boolean", ETW_VAL_BOOL, 1);   /* UInt8, out-type Boolean */
      assert_field_u (d, "b", ETW_VAL_UINT, 0);
      assert_field_s (d, "c", "A");                     /* UInt16, out-type String */
      f = field (d, "d");
      g_assert_nonnull (f);
      g_assert_cmpuint (f->type, ==, ETW_VAL_DOUBLE);
      g_assert_cmpfloat (f->v.d, ==, 3.14);
      assert_field_u (d, "i16", ETW_VAL_INT, (guint64) G_MININT16);
      assert_field_u (d, "i32", ETW_VAL_INT, G_MAXINT32);
      assert_field_u (d, "i64", ETW_VAL_INT, G_MAXINT64);
      assert_field_u (d, "sb", ETW_VAL_INT, (guint64) (gint64) -128);
      assert_field_u (d, "u16", ETW_VAL_UINT, G_MAXUINT16);
      assert_field_u (d, "u32", ETW_VAL_UINT, G_MAXUINT32);
      assert_field_u (d, "u64", ETW_VAL_UINT, G_MAXUINT64);
      break;
    case 12:  /* in-type 0x47: Int32, variable count: 0400 | 0 | 2 | 3 | 4 */
      g_assert_cmpstr (d->event_name, ==, "WriteIntList");
      f = field (d, "numbers");
      g_assert_nonnull (f);
      g_assert_cmpuint (f->type, ==, ETW_VAL_ARRAY_BEGIN);
      g_assert_cmpuint (f->len, ==, 4);
      g_assert_cmpint (f[1].v.i, ==, 0);
      g_assert_cmpint (f[2].v.i, ==, 2);
      g_assert_cmpint (f[3].v.i, ==, 3);
      g_assert_cmpint (f[4].v.i, ==, 4);
      g_assert_cmpuint (f[5].type, ==, ETW_VAL_ARRAY_END);
      break;
    case 13:  /* FILETIME 00406d25eb53bf01: 2000-01-01 00:00 UTC */
      g_assert_cmpstr (d->event_name, ==, "WriteDateTime");
      assert_field_u (d, "dateTime", ETW_VAL_FILETIME, 0x01bf53eb256d4000ull);
      break;
    case 14:  /* Int64 00b1081900000000 */
      g_assert_cmpstr (d->event_name, ==, "WriteTimeSpan");
      assert_field_u (d, "timeSpan", ETW_VAL_INT, 420000000);
      break;
    case 15:  /* GUID 00…00 01 */
      g_assert_cmpstr (d->event_name, ==, "WriteGuid");
      f = field (d, "guid");
      g_assert_nonnull (f);
      g_assert_cmpuint (f->type, ==, ETW_VAL_GUID);
      g_assert_cmpuint (f->v.g.data1, ==, 0);
      g_assert_cmpuint (f->v.g.data4[7], ==, 1);
      break;
    default:
      g_assert_not_reached ();
    }
  return 1u << (ev->id - 9);
}

static void
test_tracelogging_tester (void)
{
  g_autoptr(GBytes) bytes = inflate_fixture ("etwanalyzer_TraceLoggingTester.etl.gz");
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  EtlError err;
  EtlFile *f = etl_file_open (data, len, &err);
  EtlIter *it;
  EtwDecoder *dec = etw_decoder_new ();
  g_autofree EtwDecoded *d = g_new0 (EtwDecoded, 1);
  EtwEvent ev;
  guint n = 0, seen = 0;

  g_assert_nonnull (f);
  it = etl_iter_new (f, ETL_ORDER_FILE);
  while (etl_iter_next (it, &ev))
    {
      etw_decoder_observe (dec, &ev);
      if (!(ev.xflags & ETW_XFLAG_TRACELOGGING))
        continue;
      etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_FIELDS, d);
      g_assert_cmpstr (d->provider_name, ==, "CSharpTraceLoggingEventSource");
      g_assert_false (d->malformed);
      g_assert_cmpuint (ev.id, >=, 9);
      g_assert_cmpuint (ev.id, <=, 15);
      if ((seen & (1u << (ev.id - 9))) == 0)
        seen |= check_first (&ev, d);
      n++;
    }
  g_assert_cmpuint (n, ==, 70);
  g_assert_cmpuint (seen, ==, 0x7f);
  etw_decoder_free (dec);
  etl_iter_free (it);
  etl_file_free (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ground-truth/tracelogging-tester", test_tracelogging_tester);
  return g_test_run ();
}
