/* test-filter-common.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers shared by the filter and export tests: fixtures loaded into a
 * store the way the viewer loads them, and the same fixture as parsed
 * `etwcat --format jsonl` output, the independent view the tests compare
 * against.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "etws-store.h"

G_BEGIN_DECLS

/* Set from the command line (the etwcat binary to run). */
extern const char *tf_etwcat;

char      *tf_fixture_path   (const char  *name);
/* Loads a fixture through file source → worker → store. */
EtwsStore *tf_load_store     (const char  *name);
/* Runs etwcat with args (NULL-terminated, the fixture path last) and
 * returns its stdout; asserts the exit status. */
char      *tf_run_etwcat     (int          expected_status,
                              char       **stderr_out,
                              const char  *first_arg,
                              ...) G_GNUC_NULL_TERMINATED;
/* `etwcat --format jsonl FIXTURE`, one JsonObject per line (owned). */
GPtrArray *tf_jsonl_objects  (const char  *name);
/* "…T09:03:47.7445800Z" → FILETIME. */
gint64     tf_parse_time     (const char  *iso);

G_END_DECLS
