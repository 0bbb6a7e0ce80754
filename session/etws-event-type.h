/* etws-event-type.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "etws-trace.h"

G_BEGIN_DECLS

/* What every event of one kind shares. Rows refer to it by index, which
 * keeps the per-row cost at 2 bytes for provider, id, opcode and names. */
typedef struct
{
  guint16 provider;   /* provider index */
  guint16 id;
  guint16 task;
  guint8  version;
  guint8  opcode;
  guint8  level;
  guint8  reserved[3];
  guint32 name;       /* string id: event name ("Process/Start", "AmsiScript") */
  guint32 operation;  /* string id: Process Monitor operation, or 0 */
} EtwsEventType;

/* (worker) */
guint16              etws_trace_event_type_index (EtwsTrace           *self,
                                                  const EtwsEventType *type);
const EtwsEventType *etws_trace_event_type       (EtwsTrace           *self,
                                                  guint16              index);
guint                etws_trace_n_event_types    (EtwsTrace           *self);

G_END_DECLS
