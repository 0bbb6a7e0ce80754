/* etws-quick-filters.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Quick filters: three buttons whose popovers list the providers, the
 * process names and the PIDs of the trace with the number of rows of each
 * (counted on a thread when a list opens). Checking values makes a clause
 * `provider in {…}`, `process in {…}`, `pid in {…}`; the filter bar ANDs
 * them with the expression and shows each as a chip.
 */
#pragma once

#include <gtk/gtk.h>

#include "etws-store.h"

G_BEGIN_DECLS

typedef enum
{
  ETWS_QUICK_PROVIDER,
  ETWS_QUICK_PROCESS,
  ETWS_QUICK_PID,
  ETWS_QUICK_N_KINDS
} EtwsQuickKind;

#define ETWS_TYPE_QUICK_FILTERS (etws_quick_filters_get_type ())

G_DECLARE_FINAL_TYPE (EtwsQuickFilters, etws_quick_filters, ETWS, QUICK_FILTERS, GtkWidget)

GtkWidget   *etws_quick_filters_new          (void);
/* The store whose values are listed (nullable). Checked values stay. */
void         etws_quick_filters_set_store    (EtwsQuickFilters   *self,
                                              EtwsStore          *store);
/* The checked values of a kind (provider names, process names, PIDs as
 * decimal text), in the order they were checked. */
const char * const *etws_quick_filters_get_values (EtwsQuickFilters *self,
                                                   EtwsQuickKind     kind);
/* Replaces the checked values; emits "changed" if they differ. */
void         etws_quick_filters_set_values   (EtwsQuickFilters   *self,
                                              EtwsQuickKind       kind,
                                              const char * const *values);
void         etws_quick_filters_clear        (EtwsQuickFilters   *self,
                                              EtwsQuickKind       kind);
/* The clause of a kind's checked values, or NULL when none is checked. */
char        *etws_quick_filters_dup_clause   (EtwsQuickFilters   *self,
                                              EtwsQuickKind       kind);
/* "Process: notepad.exe", "PID: 4, 1234", "Provider: 3 providers". */
char        *etws_quick_filters_dup_label    (EtwsQuickFilters   *self,
                                              EtwsQuickKind       kind);
/* Counts the store's rows per value and fills the lists (what opening a
 * list does); the lists are ready once "counted" is emitted. */
void         etws_quick_filters_count        (EtwsQuickFilters   *self);
/* The count shown for a value after "counted", or 0. */
guint64      etws_quick_filters_get_count    (EtwsQuickFilters   *self,
                                              EtwsQuickKind       kind,
                                              const char         *value);

G_END_DECLS
