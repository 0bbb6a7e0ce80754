/* etws-format.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One event as text: the readable line of etwcat, a JSON Lines object, and
 * the value formatting the viewer and the exporters share.
 */
#pragma once

#include <glib.h>

#include "etw-decode.h"

G_BEGIN_DECLS

typedef struct
{
  guint64     address;
  const char *symbol;  /* "module+0xoffset" or a symbol name; NULL if unresolved */
} EtwsStackFrame;

/* Appends s to out as a JSON string literal, quotes included. */
void etws_json_append_string  (GString          *out,
                               const char       *s);
/* Appends a field value as text (the detail pane's "Value" column). */
void etws_format_field_value  (GString          *out,
                               const EtwField   *field);
/* Appends a field value as JSON: integers as numbers, pointers and hex
 * values as "0x…" strings, addresses in their usual text form. */
void etws_format_field_json   (GString          *out,
                               const EtwField   *field);
/* Appends the fields (nested structs and arrays included) as one JSON object. */
void etws_format_fields_json  (GString          *out,
                               const EtwField   *fields,
                               guint             n_fields);
/* One JSON Lines record, without the trailing newline. */
void etws_format_jsonl        (GString              *out,
                               const EtwEvent       *ev,
                               const EtwDecoded     *dec,
                               const EtwsStackFrame *frames,
                               guint                 n_frames);
/* One readable line: time, cpu, pid, tid, provider, id/opcode, event name,
 * and the summary when there is one. No trailing newline. */
void etws_format_text_line    (GString              *out,
                               const EtwEvent       *ev,
                               const EtwDecoded     *dec);
/* "2020-02-28T09:03:47.7445800Z" */
void etws_format_time_utc     (GString          *out,
                               gint64            filetime);
/* Process Monitor's "Time of Day" in local time: "9:03:47.7445800 AM". */
void etws_format_time_of_day  (GString          *out,
                               gint64            filetime);

/* CSV (RFC 4180, UTF-8). Every cell is quoted; a cell that begins with
 * = + - @ (or a tab or carriage return) gets a leading ' so that
 * spreadsheets show it as text instead of running it as a formula. */
void etws_csv_append_cell     (GString          *out,
                               const char       *value);
/* All the viewer's columns: header line and one row (no trailing newline).
 * row is the global row number ("#"). */
void etws_format_csv_header   (GString          *out);
void etws_format_csv_row      (GString          *out,
                               guint64           row,
                               const EtwEvent   *ev,
                               const EtwDecoded *dec);
/* Process Monitor's CSV columns, so that scripts written for its exports
 * keep working: Time of Day, Process Name, PID, Operation, Path, Result,
 * Detail. */
void etws_format_procmon_csv_header (GString          *out);
void etws_format_procmon_csv_row    (GString          *out,
                                     const EtwEvent   *ev,
                                     const EtwDecoded *dec);
/* The summary columns as tab-separated text (etwcat --format columns):
 * time (UTC), process, pid, operation, path, result, detail. Tabs and line
 * breaks inside values become spaces. */
void etws_format_columns_header (GString          *out);
void etws_format_columns_line   (GString          *out,
                                 const EtwEvent   *ev,
                                 const EtwDecoded *dec);

G_END_DECLS
