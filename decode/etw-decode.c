/* etw-decode.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Entry point of the payload decoders. This first version names events;
 * the typed decoders hang off it.
 */
#include "etw-decode.h"

#include "etw-guid.h"
#include "etw-providers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct EtwDecoder
{
  int unused;
};

EtwDecoder *
etw_decoder_new (void)
{
  return calloc (1, sizeof (EtwDecoder));
}

void
etw_decoder_free (EtwDecoder *decoder)
{
  free (decoder);
}

void
etw_decoder_observe (EtwDecoder     *decoder,
                     const EtwEvent *ev)
{
  (void) decoder;
  (void) ev;
}

bool
etw_decoder_symbolize (EtwDecoder *decoder,
                       uint32_t    pid,
                       uint64_t    address,
                       char       *buf,
                       size_t      size)
{
  (void) decoder;
  (void) pid;
  (void) address;
  if (size > 0)
    buf[0] = '\0';
  return false;
}

static const char *
text_printf (EtwDecoded *out,
             const char *fmt,
             ...) __attribute__ ((format (printf, 2, 3)));

static const char *
text_printf (EtwDecoded *out,
             const char *fmt,
             ...)
{
  va_list args;
  size_t room = sizeof out->text - out->text_used;
  char *p = out->text + out->text_used;
  int n;

  if (room < 2)
    {
      out->truncated = true;
      return "";
    }
  va_start (args, fmt);
  n = vsnprintf (p, room, fmt, args);
  va_end (args);
  if (n < 0)
    return "";
  if ((size_t) n >= room)
    {
      out->truncated = true;
      n = (int) room - 1;
    }
  out->text_used += (uint32_t) n + 1;
  return p;
}

void
etw_decode (EtwDecoder     *decoder,
            const EtwEvent *ev,
            unsigned        flags,
            EtwDecoded     *out)
{
  const char *klass, *op;

  (void) decoder;
  (void) flags;
  out->n_fields = 0;
  out->text_used = 0;
  out->truncated = false;
  out->operation = out->path = out->result = out->detail = NULL;
  out->process_name = NULL;
  out->event_name = NULL;
  out->pid = ev->pid;

  out->provider_name = etw_guid_known_name (&ev->provider);
  if (out->provider_name == NULL)
    {
      char guid[ETW_GUID_STRING_LEN + 1];
      etw_guid_format (&ev->provider, guid);
      out->provider_name = text_printf (out, "%s", guid);
    }

  klass = etw_kernel_class_name (&ev->provider);
  if (klass != NULL)
    {
      op = etw_kernel_opcode_name (&ev->provider, ev->opcode);
      out->event_name = op != NULL ? text_printf (out, "%s/%s", klass, op)
                                   : text_printf (out, "%s/%u", klass, ev->opcode);
    }
}
