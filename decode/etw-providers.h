/* etw-providers.h
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Static knowledge about providers: well-known GUIDs and names, the classic
 * kernel hook groups and their opcode names.
 */
#pragma once

#include "etw-event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  EtwGuid     guid;
  const char *name;
} EtwKnownProvider;

extern const EtwKnownProvider etw_known_providers[];
extern const size_t           etw_known_providers_count;

/* Classic kernel event classes, indexed by hook group (HookId >> 8). */
enum
{
  ETW_GROUP_EVENTTRACE   = 0x00,
  ETW_GROUP_DISKIO       = 0x01,
  ETW_GROUP_PAGEFAULT    = 0x02,
  ETW_GROUP_PROCESS      = 0x03,
  ETW_GROUP_FILEIO       = 0x04,
  ETW_GROUP_THREAD       = 0x05,
  ETW_GROUP_TCPIP        = 0x06,
  ETW_GROUP_JOB          = 0x07,
  ETW_GROUP_UDPIP        = 0x08,
  ETW_GROUP_REGISTRY     = 0x09,
  ETW_GROUP_DBGPRINT     = 0x0A,
  ETW_GROUP_CONFIG       = 0x0B,
  ETW_GROUP_SPARE1       = 0x0C,
  ETW_GROUP_WNF          = 0x0D,
  ETW_GROUP_POOL         = 0x0E,
  ETW_GROUP_PERFINFO     = 0x0F,
  ETW_GROUP_HEAP         = 0x10,
  ETW_GROUP_OBJECT       = 0x11,
  ETW_GROUP_POWER        = 0x12,
  ETW_GROUP_MODBOUND     = 0x13,
  ETW_GROUP_IMAGE        = 0x14,
  ETW_GROUP_DPC          = 0x15,
  ETW_GROUP_CC           = 0x16,
  ETW_GROUP_CRITSEC      = 0x17,
  ETW_GROUP_STACKWALK    = 0x18,
  ETW_GROUP_UMS          = 0x19,
  ETW_GROUP_ALPC         = 0x1A,
  ETW_GROUP_SPLITIO      = 0x1B,
  ETW_GROUP_THREAD_POOL  = 0x1C,
  ETW_GROUP_HYPERVISOR   = 0x1D,
  ETW_GROUP_HYPERVISORX  = 0x1E,
};

/* Well-known GUIDs used across the code. */
extern const EtwGuid ETW_GUID_EVENTTRACE;
extern const EtwGuid ETW_GUID_PROCESS;
extern const EtwGuid ETW_GUID_THREAD;
extern const EtwGuid ETW_GUID_IMAGE;
extern const EtwGuid ETW_GUID_FILEIO;
extern const EtwGuid ETW_GUID_DISKIO;
extern const EtwGuid ETW_GUID_REGISTRY;
extern const EtwGuid ETW_GUID_TCPIP;
extern const EtwGuid ETW_GUID_UDPIP;
extern const EtwGuid ETW_GUID_STACKWALK;
extern const EtwGuid ETW_GUID_PERFINFO;
extern const EtwGuid ETW_GUID_PAGEFAULT;
extern const EtwGuid ETW_GUID_LOST_EVENT;
extern const EtwGuid ETW_GUID_SYSTEM_TRACE;
extern const EtwGuid ETW_GUID_KERNEL_PROCESS;
extern const EtwGuid ETW_GUID_KERNEL_FILE;
extern const EtwGuid ETW_GUID_KERNEL_NETWORK;
extern const EtwGuid ETW_GUID_KERNEL_REGISTRY;

/* Linux kernel providers (the perf backend), in the ETW model. Their
 * events reuse the opcodes of the matching classic kernel class, so they
 * are named and summarized like it. GUIDs are name-based (UUIDv5) and
 * stable; docs/linux-providers.md lists them. */
extern const EtwGuid ETW_GUID_LINUX_PROCESS;
extern const EtwGuid ETW_GUID_LINUX_THREAD;
extern const EtwGuid ETW_GUID_LINUX_IMAGE;
extern const EtwGuid ETW_GUID_LINUX_FILE;
extern const EtwGuid ETW_GUID_LINUX_NETWORK;

/* The classic kernel group a Linux provider mirrors (ETW_GROUP_PROCESS for
 * Linux-Kernel-Process, …), or -1 for any other GUID. */
int         etw_linux_provider_group (const EtwGuid *guid);
/* The name of an opcode only the Linux providers use ("Exec" for
 * Process 64), or NULL. */
const char *etw_linux_opcode_name    (int             group,
                                      uint8_t         opcode);

/* Maps a classic kernel HookId to the (provider GUID, opcode) pair a live
 * EVENT_RECORD shows. Returns false for a group we have no GUID for (the
 * GUID is then left zero). Hook 0x030A (Process group, type 10) is an image
 * load and maps to the Image GUID. */
bool        etw_kernel_hook_provider (uint16_t hook_id,
                                      EtwGuid *guid,
                                      uint8_t *opcode);
/* The reverse: the hook group of a classic kernel class GUID, or -1. */
int         etw_kernel_group_of      (const EtwGuid *guid);
/* "Process", "FileIo", … for a classic kernel class, or NULL. */
const char *etw_kernel_class_name    (const EtwGuid *guid);
/* Opcode name of a classic kernel event ("Start", "FileCreate", …), or NULL. */
const char *etw_kernel_opcode_name   (const EtwGuid *guid,
                                      uint8_t        opcode);
/* Generic opcode names (win:Start, win:Stop, …) for manifest events. */
const char *etw_standard_opcode_name (uint8_t opcode);
/* "Critical", "Error", "Warning", "Information", "Verbose", or NULL. */
const char *etw_level_name           (uint8_t level);

#ifdef __cplusplus
}
#endif
