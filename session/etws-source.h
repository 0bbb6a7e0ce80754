/* etws-source.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A source of events: an .etl file, a Linux perf capture, a Windows ETW
 * session. EtwsWorker runs it on its own thread; the source only turns
 * what it reads into EtwEvents and pushes them into the sink.
 */
#pragma once

#include <gio/gio.h>

#include "etws-sink.h"
#include "etws-trace.h"

G_BEGIN_DECLS

#define ETWS_TYPE_SOURCE (etws_source_get_type ())

G_DECLARE_DERIVABLE_TYPE (EtwsSource, etws_source, ETWS, SOURCE, GObject)

struct _EtwsSourceClass
{
  GObjectClass parent_class;

  /* Worker thread. Opens the input and returns the trace the events will
   * belong to (a file trace or a live one). */
  EtwsTrace *(*open)  (EtwsSource    *self,
                       GCancellable  *cancellable,
                       GError       **error);
  /* Worker thread. Pushes every event into the sink until the input ends,
   * stop() is called or the cancellable fires. Damage that still lets the
   * events before it through is reported with etws_sink_report_damage();
   * FALSE + error is for a source that could not run at all. */
  gboolean   (*run)   (EtwsSource    *self,
                       EtwsSink      *sink,
                       GCancellable  *cancellable,
                       GError       **error);
  /* Any thread. Asks a live source to end its run soon. */
  void       (*stop)  (EtwsSource    *self);

  gpointer padding[8];
};

gboolean   etws_source_is_live (EtwsSource    *self);
EtwsTrace *etws_source_open    (EtwsSource    *self,
                                GCancellable  *cancellable,
                                GError       **error);
gboolean   etws_source_run     (EtwsSource    *self,
                                EtwsSink      *sink,
                                GCancellable  *cancellable,
                                GError       **error);
void       etws_source_stop    (EtwsSource    *self);

G_END_DECLS
