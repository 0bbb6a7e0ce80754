/* mini-json.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Just enough JSON for the plain-C tests (which also run under Wine, where
 * there is no GLib): objects, arrays, strings, integers, true/false/null.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum
{
  MJ_NULL,
  MJ_BOOL,
  MJ_INT,
  MJ_STRING,
  MJ_ARRAY,
  MJ_OBJECT,
} MjType;

typedef struct MjValue MjValue;

struct MjValue
{
  MjType    type;
  int64_t   i;        /* MJ_INT, MJ_BOOL */
  char     *s;        /* MJ_STRING */
  char    **keys;     /* MJ_OBJECT */
  MjValue **items;    /* MJ_OBJECT values, MJ_ARRAY elements */
  size_t    n;
};

MjValue       *mj_parse      (const char *text);
MjValue       *mj_parse_file (const char *path);
void           mj_free       (MjValue *v);
const MjValue *mj_get        (const MjValue *obj,
                              const char    *key);
char          *mj_read_file  (const char *path,
                              size_t     *len);
