/* etw-guid.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETW_GUID_STRING_LEN 36  /* 8-4-4-4-12, without braces or NUL */

void        etw_guid_read        (EtwGuid *guid, const uint8_t *p);
void        etw_guid_write       (const EtwGuid *guid, uint8_t *p);
bool        etw_guid_equal       (const EtwGuid *a, const EtwGuid *b);
bool        etw_guid_is_zero     (const EtwGuid *guid);
uint32_t    etw_guid_hash        (const EtwGuid *guid);
/* Writes 36 lowercase characters and a NUL into buf (37 bytes). */
void        etw_guid_format      (const EtwGuid *guid, char *buf);
/* Accepts "8-4-4-4-12", optionally inside braces. */
bool        etw_guid_parse       (const char *str, EtwGuid *guid);
/* Name of a well-known provider or kernel event class, or NULL. */
const char *etw_guid_known_name  (const EtwGuid *guid);
/* Reverse lookup of etw_guid_known_name (case-insensitive), for filters. */
bool        etw_guid_from_known_name (const char *name, EtwGuid *guid);

#ifdef __cplusplus
}
#endif
