/* etw-guid.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-guid.h"

#include "etw-bytes.h"
#include "etw-providers.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void
etw_guid_read (EtwGuid       *guid,
               const uint8_t *p)
{
  guid->data1 = etw_rd_u32 (p);
  guid->data2 = etw_rd_u16 (p + 4);
  guid->data3 = etw_rd_u16 (p + 6);
  memcpy (guid->data4, p + 8, 8);
}

void
etw_guid_write (const EtwGuid *guid,
                uint8_t       *p)
{
  etw_wr_u32 (p, guid->data1);
  etw_wr_u16 (p + 4, guid->data2);
  etw_wr_u16 (p + 6, guid->data3);
  memcpy (p + 8, guid->data4, 8);
}

bool
etw_guid_equal (const EtwGuid *a,
                const EtwGuid *b)
{
  return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
         memcmp (a->data4, b->data4, 8) == 0;
}

bool
etw_guid_is_zero (const EtwGuid *guid)
{
  static const EtwGuid zero;
  return etw_guid_equal (guid, &zero);
}

uint32_t
etw_guid_hash (const EtwGuid *guid)
{
  uint32_t h = guid->data1 * 2654435761u;

  h ^= ((uint32_t) guid->data2 << 16 | guid->data3) * 40503u;
  for (unsigned i = 0; i < 8; i++)
    h = (h ^ guid->data4[i]) * 16777619u;
  return h;
}

void
etw_guid_format (const EtwGuid *guid,
                 char          *buf)
{
  snprintf (buf, ETW_GUID_STRING_LEN + 1,
            "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
            (unsigned) guid->data1, guid->data2, guid->data3,
            guid->data4[0], guid->data4[1], guid->data4[2], guid->data4[3],
            guid->data4[4], guid->data4[5], guid->data4[6], guid->data4[7]);
}

static int
hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool
etw_guid_parse (const char *str,
                EtwGuid    *guid)
{
  uint8_t bytes[16];
  unsigned nb = 0;
  bool braced = false;
  size_t i = 0;

  if (str == NULL)
    return false;
  if (str[0] == '{')
    {
      braced = true;
      i = 1;
    }
  /* Positions of the dashes in the 36-character form. */
  for (unsigned pos = 0; pos < 36; pos++, i++)
    {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
        {
          if (str[i] != '-')
            return false;
          continue;
        }
      int hi = hexval ((unsigned char) str[i]);
      if (hi < 0)
        return false;
      int lo = hexval ((unsigned char) str[++i]);
      if (lo < 0)
        return false;
      pos++;
      bytes[nb++] = (uint8_t) (hi << 4 | lo);
    }
  if (braced)
    {
      if (str[i] != '}')
        return false;
      i++;
    }
  if (str[i] != '\0')
    return false;

  guid->data1 = (uint32_t) bytes[0] << 24 | (uint32_t) bytes[1] << 16 |
                (uint32_t) bytes[2] << 8 | bytes[3];
  guid->data2 = (uint16_t) (bytes[4] << 8 | bytes[5]);
  guid->data3 = (uint16_t) (bytes[6] << 8 | bytes[7]);
  memcpy (guid->data4, bytes + 8, 8);
  return true;
}

const char *
etw_guid_known_name (const EtwGuid *guid)
{
  for (size_t i = 0; i < etw_known_providers_count; i++)
    if (etw_known_providers[i].guid.data1 == guid->data1 &&
        etw_guid_equal (&etw_known_providers[i].guid, guid))
      return etw_known_providers[i].name;
  return NULL;
}

static bool
str_equal_nocase (const char *a,
                  const char *b)
{
  for (; *a && *b; a++, b++)
    if (tolower ((unsigned char) *a) != tolower ((unsigned char) *b))
      return false;
  return *a == *b;
}

bool
etw_guid_from_known_name (const char *name,
                          EtwGuid    *guid)
{
  for (size_t i = 0; i < etw_known_providers_count; i++)
    if (str_equal_nocase (etw_known_providers[i].name, name))
      {
        *guid = etw_known_providers[i].guid;
        return true;
      }
  return false;
}
