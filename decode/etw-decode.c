/* etw-decode.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Entry point of the payload decoders: names the event, sends its payload
 * to the decoder of its family (classic kernel layouts, manifest kernel
 * templates, TraceLogging, field lists, raw bytes) and builds the summary.
 * The decoders themselves live in decoders/.
 */
#include "etw-decode.h"

#include "decoders/etw-dec-private.h"
#include "etw-bytes.h"
#include "etw-guid.h"
#include "etw-providers.h"

#include <stdlib.h>
#include <string.h>

#define N_GROUPS 32

typedef struct
{
  EtwProvInfo *prov;
  const char  *provider_name;
  int          group;
  uint8_t      family;
} Ident;

EtwDecoder *
etw_decoder_new (void)
{
  EtwDecoder *dec = calloc (1, sizeof (EtwDecoder));

  if (dec == NULL)
    return NULL;
  etw_names_init (dec);
  dec->scratch = malloc (sizeof (EtwDecoded));
  dec->compiled = calloc (ETW_COMPILED_SLOTS, sizeof *dec->compiled);
  if (dec->scratch == NULL || dec->irps == NULL || dec->compiled == NULL)
    {
      etw_decoder_free (dec);
      return NULL;
    }
  return dec;
}

EtwDecoder *
etw_decoder_new_names_pass (void)
{
  EtwDecoder *dec = etw_decoder_new ();

  if (dec != NULL)
    dec->names_pass = true;
  return dec;
}

void
etw_decoder_set_fallback (EtwDecoder *decoder,
                          EtwDecoder *fallback)
{
  decoder->fallback = fallback;
}

bool
etw_event_names_handles (const EtwEvent *ev)
{
  if (etw_guid_equal (&ev->provider, &ETW_GUID_FILEIO))
    return ev->opcode == 0 || ev->opcode == 32 || ev->opcode == 35 || ev->opcode == 36 ||
           ev->opcode == 64;
  if (etw_guid_equal (&ev->provider, &ETW_GUID_REGISTRY))
    return ev->opcode >= 22 && ev->opcode <= 25;
  return etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_FILE) ||
         etw_guid_equal (&ev->provider, &ETW_GUID_KERNEL_REGISTRY);
}

void
etw_decoder_free (EtwDecoder *decoder)
{
  if (decoder == NULL)
    return;
  etw_names_free (decoder);
  free (decoder->scratch);
  free (decoder->compiled);
  free (decoder->event_names);
  free (decoder);
}

static inline bool
guid_same (const EtwGuid *a,
           const EtwGuid *b)
{
  return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
         memcmp (a->data4, b->data4, 8) == 0;
}

static void
identify (EtwDecoder     *dec,
          const EtwEvent *ev,
          Ident          *id)
{
  id->prov = etw_names_provider (dec, &ev->provider);
  id->provider_name = id->prov->name;
  id->group = id->prov->group;
  id->family = id->prov->family;
}

static EtwSem
sem_of (const Ident    *id,
        const EtwEvent *ev)
{
  switch (id->family)
    {
    case FAM_LINUX:
      /* Linux only: an exec renames the process from then on. */
      if (id->group == ETW_GROUP_PROCESS && ev->opcode == 64)
        return SEM_PROC_EXEC;
      return etw_kernel_sem (id->group, ev->opcode);
    case FAM_CLASSIC:
      return etw_kernel_sem (id->group, ev->opcode);
    case FAM_KPROC:
    case FAM_KFILE:
    case FAM_KNET:
    case FAM_KREG:
      return etw_manifest_sem (id->family, ev->id);
    case FAM_LOST:
      return SEM_LOST;
    default:
      return SEM_NONE;
    }
}

/* "Process/Start" for a classic kernel group and opcode, built once per
 * decoder and kept, so that the hot path never formats it. */
static const char *
kernel_event_name (EtwDecoder *dec,
                   int         group,
                   uint8_t     opcode,
                   bool        linux_names)
{
  const char **slot;
  EtwGuid guid;
  uint8_t dummy;
  const char *klass, *op;
  char buf[96];
  size_t n;

  if (group < 0 || group >= N_GROUPS)
    return NULL;
  if (dec->event_names == NULL)
    {
      /* Windows names, then the Linux providers' (a few opcodes differ). */
      dec->event_names = calloc (2 * N_GROUPS * 256, sizeof *dec->event_names);
      if (dec->event_names == NULL)
        return NULL;
    }
  slot = &dec->event_names[((linux_names ? N_GROUPS : 0) + group) * 256 + opcode];
  if (*slot != NULL)
    return *slot;
  if (!etw_kernel_hook_provider ((uint16_t) (group << 8), &guid, &dummy))
    return NULL;
  klass = etw_kernel_class_name (&guid);
  op = linux_names ? etw_linux_opcode_name (group, opcode) : NULL;
  if (op == NULL)
    op = etw_kernel_opcode_name (&guid, opcode);
  if (klass == NULL)
    return NULL;
  n = strlen (klass);
  if (n > 40)
    n = 40;
  memcpy (buf, klass, n);
  buf[n++] = '/';
  if (op != NULL)
    {
      size_t k = strlen (op);
      if (k > 40)
        k = 40;
      memcpy (buf + n, op, k);
      n += k;
    }
  else
    n += etw_fmt_u64 (buf + n, opcode);
  *slot = etw_names_intern (dec, buf, n);
  return *slot;
}

static const char *
lost_event_name (uint8_t opcode)
{
  switch (opcode)
    {
    case 32: return "Lost_Event/RTLostEvent";
    case 33: return "Lost_Event/RTLostBuffer";
    case 34: return "Lost_Event/RTLostFile";
    default: return NULL;
    }
}

/* Sems whose payload feeds the naming state. */
static bool
sem_names_things (EtwSem sem)
{
  switch (sem)
    {
    case SEM_PROC_START: case SEM_PROC_END: case SEM_PROC_DCSTART: case SEM_PROC_DCEND:
    case SEM_PROC_DEFUNCT: case SEM_PROC_EXEC:
    case SEM_THREAD_START: case SEM_THREAD_END: case SEM_THREAD_DCSTART: case SEM_THREAD_DCEND:
    case SEM_THREAD_SETNAME:
    case SEM_IMAGE_LOAD: case SEM_IMAGE_DCSTART: case SEM_IMAGE_DCEND:
    case SEM_FILE_NAME: case SEM_FILE_NAMECREATE: case SEM_FILE_RUNDOWN:
    case SEM_REG_KCBCREATE: case SEM_REG_KCBRUNDOWN: case SEM_REG_CREATE: case SEM_REG_OPEN:
      return true;
    default:
      /* File requests remember their IRP for the completion. */
      return etw_sem_class (sem) == CLS_FILE && sem != SEM_FILE_OPEND &&
             sem != SEM_FILE_NAMEDELETE && etw_sem_operation (sem) != NULL;
    }
}

static void
ctx_init (EtwDecCtx      *c,
          EtwDecoder     *dec,
          const EtwEvent *ev,
          EtwDecoded     *out,
          bool            want_fields)
{
  c->dec = dec;
  c->ev = ev;
  c->out = out;
  c->ps = ev->pointer_size == 4 ? 4 : 8;
  c->want_fields = want_fields;
  c->malformed = false;
  c->raw = false;
  c->family = FAM_OTHER;
  c->depth = 0;
  c->open = 0;
  c->skip_ends = 0;
  c->sem = SEM_NONE;
  c->have = 0;
}

/* Decodes the payload into roles (and fields when asked). */
static void
decode_payload (EtwDecCtx   *c,
                const Ident *id,
                const char **event_name)
{
  const EtwEvent *ev = c->ev;

  if (ev->xflags & ETW_XFLAG_FIELD_LIST)
    {
      etw_decode_field_list (c);
      /* Pre-parsed FileIo/FileCreate (32) that carries an IRP and create
       * options is a create operation (the seed's live path delivered
       * creates this way): summarize it as one. */
      if (c->sem == SEM_FILE_NAMECREATE && etw_ctx_has (c, R_IRP) && etw_ctx_has (c, R_CREATEOPTS))
        c->sem = SEM_FILE_CREATE;
      return;
    }

  switch (id->family)
    {
    case FAM_CLASSIC:
      /* Summary only: events that name nothing and show no path need no
       * payload at all. */
      if (!c->want_fields && etw_sem_class ((EtwSem) c->sem) == CLS_OTHER &&
          c->sem != SEM_PROFILE && c->sem != SEM_STACK)
        return;
      if (!c->want_fields && c->sem == SEM_NONE)
        return;
      etw_decode_kernel (c, id->group);
      return;

    case FAM_KPROC:
    case FAM_KFILE:
    case FAM_KNET:
    case FAM_KREG:
      if (!etw_decode_manifest_kernel (c, id->family, event_name))
        etw_field_payload (c);
      return;

    case FAM_LOST:
      return;

    default:
      break;
    }

  if (ev->xflags & ETW_XFLAG_TRACELOGGING)
    {
      etw_decode_tracelogging (c);
      return;
    }
  if (!c->want_fields)
    {
      c->raw = !(ev->flags & ETW_FLAG_STRING_ONLY);
      return;
    }
  if (ev->flags & ETW_FLAG_STRING_ONLY)
    {
      bool found;
      size_t n = etw_wcs_bytes (ev->payload, ev->payload_len, &found);
      EtwField *f = etw_field_add (c, "Message", ETW_VAL_STRING);
      if (f != NULL)
        {
          f->v.s = etw_text_utf16 (c->out, ev->payload, n);
          f->len = (uint32_t) strlen (f->v.s);
        }
      return;
    }
  /* No schema off Windows: the bytes as they are, never guessed fields. */
  etw_field_payload (c);
}

void
etw_decoder_observe (EtwDecoder     *decoder,
                     const EtwEvent *ev)
{
  Ident id;
  EtwDecCtx c;
  EtwSem sem;
  const char *unused = NULL;

  identify (decoder, ev, &id);
  decoder->last.seen = true;
  decoder->last.valid = false;
  decoder->last.prov = id.prov;
  decoder->last.payload = ev->payload;
  decoder->last.payload_len = ev->payload_len;
  decoder->last.raw_time = ev->raw_time;
  decoder->last.id = ev->id;
  decoder->last.opcode = ev->opcode;
  decoder->last.version = ev->version;

  /* User-mode providers log from the thread they describe. */
  if ((ev->kind == ETW_HDR_EVENT || ev->kind == ETW_HDR_LIVE) && id.family == FAM_OTHER)
    etw_names_set_thread (decoder, ev->tid, ev->pid);

  if (ev->xflags & ETW_XFLAG_TRACELOGGING)
    {
      const uint8_t *name;
      size_t len;
      if (!id.prov->tl_named && etw_tl_provider_name (ev, &name, &len))
        etw_names_set_provider_name (decoder, &ev->provider, (const char *) name, len);
      return;
    }

  sem = sem_of (&id, ev);
  if (!sem_names_things (sem))
    return;

  decoder->scratch->text_used = 0;
  decoder->scratch->n_fields = 0;
  decoder->scratch->truncated = false;
  ctx_init (&c, decoder, ev, decoder->scratch, false);
  c.role = decoder->last.role;
  c.family = id.family;
  c.sem = (uint16_t) sem;
  decode_payload (&c, &id, &unused);
  c.sem = (uint16_t) sem;

  decoder->last.valid = true;
  decoder->last.malformed = c.malformed;
  decoder->last.raw = c.raw;
  decoder->last.have = c.have;
  decoder->last.sem = (uint16_t) sem;

  etw_observe_roles (&c);
}

/* Whether the event observe saw last is this one. */
static bool
same_as_observed (const EtwDecoder *dec,
                  const EtwEvent   *ev)
{
  return dec->last.seen && dec->last.payload == ev->payload && dec->last.payload_len == ev->payload_len &&
         dec->last.raw_time == ev->raw_time && dec->last.id == ev->id && dec->last.opcode == ev->opcode &&
         dec->last.version == ev->version && guid_same (&dec->last.prov->guid, &ev->provider);
}

bool
etw_decoder_symbolize (EtwDecoder *decoder,
                       uint32_t    pid,
                       uint64_t    address,
                       char       *buf,
                       size_t      size)
{
  const EtwModule *m = etw_names_module (decoder, pid, address);
  char hex[24];
  size_t n, h;

  if (size > 0)
    buf[0] = '\0';
  if (m == NULL)
    return false;
  n = strlen (m->name);
  h = etw_fmt_hex (hex, address - m->base);
  if (n + 1 + h + 1 > size)
    return false;
  memcpy (buf, m->name, n);
  buf[n] = '+';
  memcpy (buf + n + 1, hex, h + 1);
  return true;
}

void
etw_decode (EtwDecoder     *decoder,
            const EtwEvent *ev,
            unsigned        flags,
            EtwDecoded     *out)
{
  Ident id;
  EtwDecCtx c;
  EtwRoleVal roles[R_COUNT];
  const char *event_name = NULL;
  bool same;

  out->n_fields = 0;
  out->text_used = 0;
  out->truncated = false;
  out->malformed = false;
  out->operation = out->path = out->result = out->detail = NULL;
  out->process_name = NULL;
  out->event_name = NULL;
  out->pid = ev->pid;

  same = same_as_observed (decoder, ev);
  if (same)
    {
      id.prov = decoder->last.prov;
      id.provider_name = id.prov->name;
      id.group = id.prov->group;
      id.family = id.prov->family;
    }
  else
    identify (decoder, ev, &id);
  out->provider_name = id.provider_name;

  /* The detail is built from the fields where it has no better source. */
  ctx_init (&c, decoder, ev, out, (flags & (ETW_DECODE_FIELDS | ETW_DECODE_DETAIL)) != 0);
  c.role = roles;
  c.family = id.family;

  switch (id.family)
    {
    case FAM_CLASSIC:
    case FAM_LINUX:
      event_name = kernel_event_name (decoder, id.group, ev->opcode, id.family == FAM_LINUX);
      break;
    case FAM_LOST:
      event_name = lost_event_name (ev->opcode);
      break;
    default:
      if (ev->xflags & ETW_XFLAG_TRACELOGGING)
        {
          const uint8_t *name;
          size_t len;
          if (etw_tl_event_name (ev, &name, &len))
            event_name = etw_text_8bit (out, name, len);
        }
      break;
    }

  if (!c.want_fields && same && decoder->last.valid)
    {
      /* The roles observe decoded a moment ago, where they are. */
      c.role = decoder->last.role;
      c.have = decoder->last.have;
      c.malformed = decoder->last.malformed;
      c.raw = decoder->last.raw;
      c.sem = decoder->last.sem;
    }
  else
    {
      c.sem = (uint16_t) sem_of (&id, ev);
      decode_payload (&c, &id, &event_name);
    }
  if (event_name == NULL && id.family >= FAM_KPROC && id.family <= FAM_KREG)
    {
      /* A field list from a manifest kernel provider: name it by its id. */
      event_name = etw_manifest_event_name (id.family, ev->id);
    }
  out->event_name = event_name;
  out->malformed = c.malformed;
  etw_summarize (&c, flags);
}
