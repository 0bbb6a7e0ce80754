/* etw-providers.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "etw-providers.h"

#include "etw-guid.h"

#include <string.h>

#define G(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) \
  { a, b, c, { d0, d1, d2, d3, d4, d5, d6, d7 } }

const EtwGuid ETW_GUID_EVENTTRACE   = G (0x68fdd900, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3);
const EtwGuid ETW_GUID_DISKIO       = G (0x3d6fa8d4, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c);
const EtwGuid ETW_GUID_PAGEFAULT    = G (0x3d6fa8d3, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c);
const EtwGuid ETW_GUID_PROCESS      = G (0x3d6fa8d0, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c);
const EtwGuid ETW_GUID_FILEIO       = G (0x90cbdc39, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3);
const EtwGuid ETW_GUID_THREAD       = G (0x3d6fa8d1, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c);
const EtwGuid ETW_GUID_TCPIP        = G (0x9a280ac0, 0xc8e0, 0x11d1, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2);
const EtwGuid ETW_GUID_UDPIP        = G (0xbf3a50c5, 0xa9c9, 0x4988, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80);
const EtwGuid ETW_GUID_REGISTRY     = G (0xae53722e, 0xc863, 0x11d2, 0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1);
const EtwGuid ETW_GUID_PERFINFO     = G (0xce1dbfb4, 0x137e, 0x4da6, 0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc);
const EtwGuid ETW_GUID_IMAGE        = G (0x2cb15d1d, 0x5fc1, 0x11d2, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18);
const EtwGuid ETW_GUID_STACKWALK    = G (0xdef2fe46, 0x7bd6, 0x4b80, 0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3);
const EtwGuid ETW_GUID_LOST_EVENT   = G (0x6a399ae0, 0x4bc6, 0x4de9, 0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e);
const EtwGuid ETW_GUID_SYSTEM_TRACE = G (0x9e814aad, 0x3204, 0x11d2, 0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39);
const EtwGuid ETW_GUID_KERNEL_PROCESS  = G (0x22fb2cd6, 0x0e7b, 0x422b, 0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16);
const EtwGuid ETW_GUID_KERNEL_FILE     = G (0xedd08927, 0x9cc4, 0x4e65, 0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89);
const EtwGuid ETW_GUID_KERNEL_NETWORK  = G (0x7dd42a49, 0x5329, 0x4832, 0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88);
const EtwGuid ETW_GUID_KERNEL_REGISTRY = G (0x70eb4f03, 0xc1de, 0x4f73, 0xa0, 0x51, 0x33, 0xd1, 0x3d, 0x54, 0x13, 0xbd);

const EtwGuid ETW_GUID_LINUX_PROCESS = G (0x59ed68ab, 0x917a, 0x5341, 0x98, 0xff, 0xa4, 0x8e, 0xf8, 0xd6, 0x77, 0xc8);
const EtwGuid ETW_GUID_LINUX_THREAD = G (0xd92516a5, 0xbec4, 0x56f9, 0xb5, 0xf1, 0x92, 0x5f, 0x98, 0x25, 0x0f, 0x22);
const EtwGuid ETW_GUID_LINUX_IMAGE = G (0x52405deb, 0x0ce3, 0x5bf9, 0xa3, 0x52, 0xb3, 0x54, 0x6d, 0x26, 0x48, 0x4b);
const EtwGuid ETW_GUID_LINUX_FILE = G (0x96c29ab9, 0x586e, 0x51e7, 0x97, 0x81, 0x6c, 0x75, 0x8a, 0x7c, 0x33, 0x25);
const EtwGuid ETW_GUID_LINUX_NETWORK = G (0x43d1e63f, 0x99df, 0x5823, 0xa1, 0x2e, 0xf7, 0xf6, 0x54, 0x3a, 0x49, 0xd1);

typedef struct
{
  uint8_t     group;
  const char *name;
  EtwGuid     guid;
} KernelClass;

static const KernelClass kernel_classes[] = {
  { ETW_GROUP_EVENTTRACE,  "EventTrace",   G (0x68fdd900, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3) },
  { ETW_GROUP_DISKIO,      "DiskIo",       G (0x3d6fa8d4, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
  { ETW_GROUP_PAGEFAULT,   "PageFault",    G (0x3d6fa8d3, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
  { ETW_GROUP_PROCESS,     "Process",      G (0x3d6fa8d0, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
  { ETW_GROUP_FILEIO,      "FileIo",       G (0x90cbdc39, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3) },
  { ETW_GROUP_THREAD,      "Thread",       G (0x3d6fa8d1, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
  { ETW_GROUP_TCPIP,       "TcpIp",        G (0x9a280ac0, 0xc8e0, 0x11d1, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2) },
  { ETW_GROUP_JOB,         "Job",          G (0x3282fc76, 0xfeed, 0x498e, 0x8a, 0xa7, 0xe7, 0x0f, 0x45, 0x9d, 0x43, 0x0e) },
  { ETW_GROUP_UDPIP,       "UdpIp",        G (0xbf3a50c5, 0xa9c9, 0x4988, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80) },
  { ETW_GROUP_REGISTRY,    "Registry",     G (0xae53722e, 0xc863, 0x11d2, 0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1) },
  { ETW_GROUP_DBGPRINT,    "DbgPrint",     G (0x13976d09, 0xa327, 0x438c, 0x95, 0x0b, 0x7f, 0x03, 0x19, 0x28, 0x15, 0xc7) },
  { ETW_GROUP_CONFIG,      "SystemConfig", G (0x01853a65, 0x418f, 0x4f36, 0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35) },
  { ETW_GROUP_POOL,        "Pool",         G (0x0268a8b6, 0x74fd, 0x4302, 0x9d, 0xd0, 0x6e, 0x8f, 0x17, 0x18, 0xf1, 0x76) },
  { ETW_GROUP_PERFINFO,    "PerfInfo",     G (0xce1dbfb4, 0x137e, 0x4da6, 0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc) },
  { ETW_GROUP_HEAP,        "Heap",         G (0x222962ab, 0x6180, 0x4b88, 0xa8, 0x25, 0x34, 0x6b, 0x75, 0xf2, 0xa2, 0x4a) },
  { ETW_GROUP_OBJECT,      "Object",       G (0x89497f50, 0xeffe, 0x4440, 0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7) },
  { ETW_GROUP_POWER,       "Power",        G (0xe43445e0, 0x0903, 0x48c3, 0xb8, 0x78, 0xff, 0x0f, 0xcc, 0xeb, 0xdd, 0x04) },
  { ETW_GROUP_IMAGE,       "Image",        G (0x2cb15d1d, 0x5fc1, 0x11d2, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18) },
  { ETW_GROUP_CRITSEC,     "CritSec",      G (0x3ac66736, 0xcc59, 0x4cff, 0x81, 0x15, 0x9d, 0xf5, 0x0d, 0x39, 0xff, 0xe5) },
  { ETW_GROUP_STACKWALK,   "StackWalk",    G (0xdef2fe46, 0x7bd6, 0x4b80, 0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3) },
  { ETW_GROUP_ALPC,        "ALPC",         G (0x45d8cccd, 0x539f, 0x4b72, 0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a) },
  { ETW_GROUP_SPLITIO,     "SplitIo",      G (0xd837ca92, 0x12b9, 0x44a5, 0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8) },
  { ETW_GROUP_THREAD_POOL, "ThreadPool",   G (0xc861d0e2, 0xa2c1, 0x4d36, 0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12) },
};

const EtwKnownProvider etw_known_providers[] = {
  { G (0x68fdd900, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3), "EventTrace" },
  { G (0x3d6fa8d4, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c), "DiskIo" },
  { G (0x3d6fa8d3, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c), "PageFault" },
  { G (0x3d6fa8d0, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c), "Process" },
  { G (0x90cbdc39, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3), "FileIo" },
  { G (0x3d6fa8d1, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c), "Thread" },
  { G (0x9a280ac0, 0xc8e0, 0x11d1, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2), "TcpIp" },
  { G (0xbf3a50c5, 0xa9c9, 0x4988, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80), "UdpIp" },
  { G (0xae53722e, 0xc863, 0x11d2, 0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1), "Registry" },
  { G (0x01853a65, 0x418f, 0x4f36, 0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35), "SystemConfig" },
  { G (0xce1dbfb4, 0x137e, 0x4da6, 0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc), "PerfInfo" },
  { G (0x2cb15d1d, 0x5fc1, 0x11d2, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18), "Image" },
  { G (0xdef2fe46, 0x7bd6, 0x4b80, 0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3), "StackWalk" },
  { G (0x45d8cccd, 0x539f, 0x4b72, 0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a), "ALPC" },
  { G (0xd837ca92, 0x12b9, 0x44a5, 0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8), "SplitIo" },
  { G (0xc861d0e2, 0xa2c1, 0x4d36, 0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12), "ThreadPool" },
  { G (0x89497f50, 0xeffe, 0x4440, 0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7), "Object" },
  { G (0x6a399ae0, 0x4bc6, 0x4de9, 0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e), "Lost_Event" },
  { G (0x9e814aad, 0x3204, 0x11d2, 0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39), "MSNT_SystemTrace" },
  { G (0x22fb2cd6, 0x0e7b, 0x422b, 0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16), "Microsoft-Windows-Kernel-Process" },
  { G (0xedd08927, 0x9cc4, 0x4e65, 0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89), "Microsoft-Windows-Kernel-File" },
  { G (0x7dd42a49, 0x5329, 0x4832, 0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88), "Microsoft-Windows-Kernel-Network" },
  { G (0x70eb4f03, 0xc1de, 0x4f73, 0xa0, 0x51, 0x33, 0xd1, 0x3d, 0x54, 0x13, 0xbd), "Microsoft-Windows-Kernel-Registry" },
  { G (0x3b9c9951, 0x3480, 0x4220, 0x93, 0x77, 0x9c, 0x8e, 0x51, 0x84, 0xf5, 0xcd), "Microsoft-Windows-Kernel-Rundown" },
  { G (0xe13c0d23, 0xccbc, 0x4e12, 0x93, 0x1b, 0xd9, 0xcc, 0x2e, 0xee, 0x27, 0xe4), "Microsoft-Windows-DotNETRuntime" },
  { G (0xa669021c, 0xc450, 0x4609, 0xa0, 0x35, 0x5a, 0xf5, 0x9a, 0xf4, 0xdf, 0x18), "Microsoft-Windows-DotNETRuntimeRundown" },
  { G (0x763fd754, 0x7086, 0x4dfe, 0x95, 0xeb, 0xc0, 0x1a, 0x46, 0xfa, 0xf4, 0xca), "Microsoft-Windows-DotNETRuntimePrivate" },
  { G (0xb3e675d7, 0x2554, 0x4f18, 0x83, 0x0b, 0x27, 0x62, 0x73, 0x25, 0x60, 0xde), "KernelTraceControl" },
  { G (0xa0c1853b, 0x5c40, 0x4b15, 0x87, 0x66, 0x3c, 0xf1, 0xc5, 0x8f, 0x98, 0x5a), "Microsoft-Windows-PowerShell" },
  { G (0xdd5ef90a, 0x6398, 0x47a4, 0xad, 0x34, 0x4d, 0xce, 0xcd, 0xef, 0x79, 0x5f), "Microsoft-Windows-HttpService" },
  { G (0xa7975c8f, 0xac13, 0x49f1, 0x87, 0xda, 0x5a, 0x98, 0x4a, 0x4a, 0xb4, 0x17), "Microsoft-Windows-WinRM" },
  { G (0x59ed68ab, 0x917a, 0x5341, 0x98, 0xff, 0xa4, 0x8e, 0xf8, 0xd6, 0x77, 0xc8), "Linux-Kernel-Process" },
  { G (0xd92516a5, 0xbec4, 0x56f9, 0xb5, 0xf1, 0x92, 0x5f, 0x98, 0x25, 0x0f, 0x22), "Linux-Kernel-Thread" },
  { G (0x52405deb, 0x0ce3, 0x5bf9, 0xa3, 0x52, 0xb3, 0x54, 0x6d, 0x26, 0x48, 0x4b), "Linux-Kernel-Image" },
  { G (0x96c29ab9, 0x586e, 0x51e7, 0x97, 0x81, 0x6c, 0x75, 0x8a, 0x7c, 0x33, 0x25), "Linux-Kernel-File" },
  { G (0x43d1e63f, 0x99df, 0x5823, 0xa1, 0x2e, 0xf7, 0xf6, 0x54, 0x3a, 0x49, 0xd1), "Linux-Kernel-Network" },
  { G (0x1c95126e, 0x7eea, 0x49a9, 0xa3, 0xfe, 0xa3, 0x78, 0xb0, 0x3d, 0xdb, 0x4d), "Microsoft-Windows-DNS-Client" },
};

const size_t etw_known_providers_count = sizeof etw_known_providers / sizeof etw_known_providers[0];

static const KernelClass *
class_by_group (unsigned group)
{
  /* kernel_classes is sorted by group; groups are small numbers. */
  size_t lo = 0, hi = sizeof kernel_classes / sizeof kernel_classes[0];

  while (lo < hi)
    {
      size_t mid = (lo + hi) / 2;
      if (kernel_classes[mid].group < group)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < sizeof kernel_classes / sizeof kernel_classes[0] && kernel_classes[lo].group == group)
    return &kernel_classes[lo];
  return NULL;
}

bool
etw_kernel_hook_provider (uint16_t hook_id,
                          EtwGuid *guid,
                          uint8_t *opcode)
{
  unsigned group = hook_id >> 8;
  const KernelClass *klass;

  *opcode = (uint8_t) (hook_id & 0xff);
  /* Windows 10 logs image loads in the Process group. */
  if (hook_id == 0x030a)
    group = ETW_GROUP_IMAGE;
  klass = class_by_group (group);
  if (klass == NULL)
    {
      memset (guid, 0, sizeof *guid);
      return false;
    }
  *guid = klass->guid;
  return true;
}

int
etw_kernel_group_of (const EtwGuid *guid)
{
  for (size_t i = 0; i < sizeof kernel_classes / sizeof kernel_classes[0]; i++)
    if (kernel_classes[i].guid.data1 == guid->data1 && etw_guid_equal (&kernel_classes[i].guid, guid))
      return kernel_classes[i].group;
  return -1;
}

const char *
etw_kernel_class_name (const EtwGuid *guid)
{
  int group = etw_kernel_group_of (guid);

  return group < 0 ? NULL : class_by_group ((unsigned) group)->name;
}

/* Opcode names by group and opcode: a switch compiles to jump tables,
 * which matters because the viewer names every event it loads. */
static const char *
group_opcode_name (int     group,
                   uint8_t opcode)
{
  switch (group)
    {
    case ETW_GROUP_EVENTTRACE:
      switch (opcode)
        {
        case 0: return "Header";
        case 5: return "Extension";
        case 8: return "RundownComplete";
        case 32: return "EndExtension";
        case 48: return "RundownBegin";
        case 49: return "RundownEnd";
        case 64: return "DbgIdRSDS";
        case 66: return "BuildInfo";
        case 67: return "ProviderBinaryPath";
        case 80: return "PartitionInfo";
        case 82: return "LastDroppedTimes";
        default: return NULL;
        }
    case ETW_GROUP_DISKIO:
      switch (opcode)
        {
        case 10: return "Read";
        case 11: return "Write";
        case 12: return "ReadInit";
        case 13: return "WriteInit";
        case 14: return "FlushBuffers";
        case 15: return "FlushInit";
        default: return NULL;
        }
    case ETW_GROUP_PAGEFAULT:
      switch (opcode)
        {
        case 10: return "TransitionFault";
        case 11: return "DemandZeroFault";
        case 12: return "CopyOnWrite";
        case 13: return "GuardPageFault";
        case 14: return "HardPageFault";
        case 15: return "AccessViolation";
        case 32: return "HardFault";
        default: return NULL;
        }
    case ETW_GROUP_PROCESS:
      switch (opcode)
        {
        case 1: return "Start";
        case 2: return "End";
        case 3: return "DCStart";
        case 4: return "DCEnd";
        case 11: return "Terminate";
        case 32: return "PerfCtr";
        case 33: return "PerfCtrRundown";
        case 35: return "InSwap";
        case 39: return "Defunct";
        default: return NULL;
        }
    case ETW_GROUP_FILEIO:
      switch (opcode)
        {
        case 0: return "Name";
        case 32: return "FileCreate";
        case 35: return "FileDelete";
        case 36: return "FileRundown";
        case 37: return "MapFile";
        case 38: return "UnmapFile";
        case 39: return "MapFileDCStart";
        case 40: return "MapFileDCEnd";
        case 64: return "Create";
        case 65: return "Cleanup";
        case 66: return "Close";
        case 67: return "Read";
        case 68: return "Write";
        case 69: return "SetInfo";
        case 70: return "Delete";
        case 71: return "Rename";
        case 72: return "DirEnum";
        case 73: return "Flush";
        case 74: return "QueryInfo";
        case 75: return "FSControl";
        case 76: return "OpEnd";
        case 77: return "DirNotify";
        case 79: return "DeletePath";
        case 80: return "RenamePath";
        case 81: return "SetLinkPath";
        default: return NULL;
        }
    case ETW_GROUP_THREAD:
      switch (opcode)
        {
        case 1: return "Start";
        case 2: return "End";
        case 3: return "DCStart";
        case 4: return "DCEnd";
        case 36: return "CSwitch";
        case 50: return "ReadyThread";
        case 72: return "SetName";
        default: return NULL;
        }
    case ETW_GROUP_TCPIP:
      switch (opcode)
        {
        case 10: return "Send";
        case 11: return "Recv";
        case 12: return "Connect";
        case 13: return "Disconnect";
        case 14: return "Retransmit";
        case 15: return "Accept";
        case 16: return "Reconnect";
        case 17: return "Fail";
        case 18: return "TCPCopy";
        case 26: return "SendIPV6";
        case 27: return "RecvIPV6";
        case 28: return "ConnectIPV6";
        case 29: return "DisconnectIPV6";
        case 30: return "RetransmitIPV6";
        case 31: return "AcceptIPV6";
        case 32: return "ReconnectIPV6";
        case 34: return "TCPCopyIPV6";
        default: return NULL;
        }
    case ETW_GROUP_UDPIP:
      switch (opcode)
        {
        case 10: return "Send";
        case 11: return "Recv";
        case 17: return "Fail";
        case 26: return "SendIPV6";
        case 27: return "RecvIPV6";
        default: return NULL;
        }
    case ETW_GROUP_REGISTRY:
      switch (opcode)
        {
        case 10: return "Create";
        case 11: return "Open";
        case 12: return "Delete";
        case 13: return "Query";
        case 14: return "SetValue";
        case 15: return "DeleteValue";
        case 16: return "QueryValue";
        case 17: return "EnumerateKey";
        case 18: return "EnumerateValueKey";
        case 19: return "QueryMultipleValue";
        case 20: return "SetInformation";
        case 21: return "Flush";
        case 22: return "KCBCreate";
        case 23: return "KCBDelete";
        case 24: return "KCBRundownBegin";
        case 25: return "KCBRundownEnd";
        case 26: return "Virtualize";
        case 27: return "Close";
        case 28: return "SetSecurity";
        case 29: return "QuerySecurity";
        case 30: return "TxRCommit";
        case 31: return "TxRPrepare";
        case 32: return "TxRRollback";
        case 34: return "Counters";
        case 35: return "Config";
        case 36: return "HiveInitialize";
        case 37: return "HiveDestroy";
        case 38: return "HiveLink";
        case 39: return "HiveRundown";
        case 40: return "HiveDirty";
        case 48: return "ChangeNotification";
        default: return NULL;
        }
    case ETW_GROUP_CONFIG:
      switch (opcode)
        {
        case 10: return "CPU";
        case 11: return "PhyDisk";
        case 12: return "LogDisk";
        case 13: return "NIC";
        case 14: return "Video";
        case 15: return "Services";
        case 16: return "Power";
        case 21: return "IRQ";
        case 22: return "PnP";
        case 23: return "IDEChannel";
        case 24: return "NumaNode";
        case 25: return "Platform";
        case 26: return "ProcessorGroup";
        case 27: return "ProcessorNumber";
        case 28: return "DPI";
        default: return NULL;
        }
    case ETW_GROUP_PERFINFO:
      switch (opcode)
        {
        case 46: return "SampledProfile";
        case 47: return "PmcInterrupt";
        case 51: return "SysClEnter";
        case 52: return "SysClExit";
        case 66: return "ThreadedDPC";
        case 67: return "ISR";
        case 68: return "DPC";
        case 69: return "TimerDPC";
        case 72: return "SampledProfileInterval";
        case 73: return "CollectionStart";
        case 74: return "CollectionEnd";
        default: return NULL;
        }
    case ETW_GROUP_IMAGE:
      switch (opcode)
        {
        case 2: return "Unload";
        case 3: return "DCStart";
        case 4: return "DCEnd";
        case 10: return "Load";
        case 33: return "KernelBase";
        case 34: return "HypercallPage";
        default: return NULL;
        }
    case ETW_GROUP_STACKWALK:
      switch (opcode)
        {
        case 32: return "Stack";
        case 34: return "KeyCreate";
        case 35: return "KeyDelete";
        case 36: return "KeyRundown";
        case 37: return "StackKeyKernel";
        case 38: return "StackKeyUser";
        default: return NULL;
        }
    default:
      return NULL;
    }
}

const char *
etw_kernel_opcode_name (const EtwGuid *guid,
                        uint8_t        opcode)
{
  int group;

  if (etw_guid_equal (guid, &ETW_GUID_LOST_EVENT))
    {
      switch (opcode)
        {
        case 32: return "RTLostEvent";
        case 33: return "RTLostBuffer";
        case 34: return "RTLostFile";
        default: return NULL;
        }
    }
  group = etw_kernel_group_of (guid);
  if (group < 0)
    {
      group = etw_linux_provider_group (guid);
      if (group < 0)
        return NULL;
      const char *own = etw_linux_opcode_name (group, opcode);
      if (own != NULL)
        return own;
    }
  return group_opcode_name (group, opcode);
}

const char *
etw_standard_opcode_name (uint8_t opcode)
{
  switch (opcode)
    {
    case 0: return "Info";
    case 1: return "Start";
    case 2: return "Stop";
    case 3: return "DC_Start";
    case 4: return "DC_Stop";
    case 5: return "Extension";
    case 6: return "Reply";
    case 7: return "Resume";
    case 8: return "Suspend";
    case 9: return "Send";
    case 240: return "Receive";
    default: return NULL;
    }
}

const char *
etw_level_name (uint8_t level)
{
  switch (level)
    {
    case 0: return "Always";
    case 1: return "Critical";
    case 2: return "Error";
    case 3: return "Warning";
    case 4: return "Information";
    case 5: return "Verbose";
    default: return NULL;
    }
}

/* Opcodes 64 and up that Windows has no counterpart for (the perf
 * backend's own; see session/linux/etws-perf-private.h). */
const char *
etw_linux_opcode_name (int     group,
                       uint8_t opcode)
{
  if (group == ETW_GROUP_PROCESS && opcode == 64)
    return "Exec";
  if (group == ETW_GROUP_TCPIP)
    switch (opcode)
      {
      case 64: return "StateChange";
      case 65: return "SendReset";
      case 66: return "RecvReset";
      case 67: return "Close";
      default: break;
      }
  return NULL;
}

int
etw_linux_provider_group (const EtwGuid *guid)
{
  static const struct
  {
    const EtwGuid *guid;
    int            group;
  } map[] = {
    { &ETW_GUID_LINUX_PROCESS, ETW_GROUP_PROCESS },
    { &ETW_GUID_LINUX_THREAD, ETW_GROUP_THREAD },
    { &ETW_GUID_LINUX_IMAGE, ETW_GROUP_IMAGE },
    { &ETW_GUID_LINUX_FILE, ETW_GROUP_FILEIO },
    { &ETW_GUID_LINUX_NETWORK, ETW_GROUP_TCPIP },
  };

  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (etw_guid_equal (map[i].guid, guid))
      return map[i].group;
  return -1;
}
