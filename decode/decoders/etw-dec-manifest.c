/* etw-dec-manifest.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manifest kernel providers decoded without TDH:
 * Microsoft-Windows-Kernel-Process, -Kernel-Network, -Kernel-File and
 * -Kernel-Registry, with the templates of
 * ../shared/reference/kernel-manifest-providers.md. Events are keyed by
 * (id, version); a version we have no template for is shown raw, never
 * read with a neighbouring template (versions insert fields mid-way).
 * Field names are the manifest's, as TDH gives them.
 */
#include "etw-dec-private.h"

#include <stddef.h>

#define END { NULL, FT_END, 0, 0 }

typedef struct
{
  uint16_t           id;
  uint8_t            version;
  const EtwFieldDef *defs;
} Template;

typedef struct
{
  uint16_t    id;
  uint16_t    sem;
  const char *name;
} EventInfo;

/* ------------------------------------------------------------------ */
/* Microsoft-Windows-Kernel-Process                                     */

static const EtwFieldDef kp_ps0[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "CreateTime", FT_FILETIME, 0, 0 },
  { "ParentProcessID", FT_U32, R_PPID, 0 },
  { "SessionID", FT_U32, R_SESSION, 0 },
  { "ImageName", FT_WSZ, R_IMAGE, 0 },
  END
};

static const EtwFieldDef kp_ps1[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "CreateTime", FT_FILETIME, 0, 0 },
  { "ParentProcessID", FT_U32, R_PPID, 0 },
  { "SessionID", FT_U32, R_SESSION, 0 },
  { "Flags", FT_U32, 0, 0 },
  { "ImageName", FT_WSZ, R_IMAGE, 0 },
  END
};

static const EtwFieldDef kp_ps2[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "CreateTime", FT_FILETIME, 0, 0 },
  { "ParentProcessID", FT_U32, R_PPID, 0 },
  { "SessionID", FT_U32, R_SESSION, 0 },
  { "Flags", FT_U32, 0, 0 },
  { "ImageName", FT_WSZ, R_IMAGE, 0 },
  { "ImageChecksum", FT_X32, 0, 0 },
  { "TimeDateStamp", FT_X32, 0, 0 },
  { "PackageFullName", FT_WSZ, 0, 0 },
  { "PackageRelativeAppId", FT_WSZ, 0, 0 },
  END
};

#define KP_PS3_FIELDS                                    \
  { "ProcessID", FT_U32, R_PID, 0 },                     \
  { "ProcessSequenceNumber", FT_U64, 0, 0 },             \
  { "CreateTime", FT_FILETIME, 0, 0 },                   \
  { "ParentProcessID", FT_U32, R_PPID, 0 },              \
  { "ParentProcessSequenceNumber", FT_U64, 0, 0 },       \
  { "SessionID", FT_U32, R_SESSION, 0 },                 \
  { "Flags", FT_U32, 0, 0 },                             \
  { "ProcessTokenElevationType", FT_U32, 0, 0 },         \
  { "ProcessTokenIsElevated", FT_U32, 0, 0 },            \
  { "MandatoryLabel", FT_SID, 0, 0 },                    \
  { "ImageName", FT_WSZ, R_IMAGE, 0 },                   \
  { "ImageChecksum", FT_X32, 0, 0 },                     \
  { "TimeDateStamp", FT_X32, 0, 0 },                     \
  { "PackageFullName", FT_WSZ, 0, 0 },                   \
  { "PackageRelativeAppId", FT_WSZ, 0, 0 }

static const EtwFieldDef kp_ps3[] = {
  KP_PS3_FIELDS,
  END
};

static const EtwFieldDef kp_ps4[] = {
  KP_PS3_FIELDS,
  { "SecurityMitigations", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef kp_ps5[] = {
  KP_PS3_FIELDS,
  { "SecurityMitigations", FT_U32, 0, 0 },
  { "PartitionID", FT_U32, 0, 0 },
  { "ProcessMachine", FT_U16, 0, 0 },
  END
};

static const EtwFieldDef kp_pt0[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "CreateTime", FT_FILETIME, 0, 0 },
  { "ExitTime", FT_FILETIME, 0, 0 },
  { "ExitCode", FT_U32, R_EXIT, 0 },
  { "TokenElevationType", FT_U32, 0, 0 },
  { "HandleCount", FT_U32, 0, 0 },
  { "CommitCharge", FT_U64, 0, 0 },
  { "CommitPeak", FT_U64, 0, 0 },
  { "ImageName", FT_ASZ, R_IMAGE, 0 },
  END
};

#define KP_PT1_TAIL                                      \
  { "CreateTime", FT_FILETIME, 0, 0 },                   \
  { "ExitTime", FT_FILETIME, 0, 0 },                     \
  { "ExitCode", FT_U32, R_EXIT, 0 },                     \
  { "TokenElevationType", FT_U32, 0, 0 },                \
  { "HandleCount", FT_U32, 0, 0 },                       \
  { "CommitCharge", FT_U64, 0, 0 },                      \
  { "CommitPeak", FT_U64, 0, 0 },                        \
  { "CPUCycleCount", FT_U64, 0, 0 },                     \
  { "ReadOperationCount", FT_U32, 0, 0 },                \
  { "WriteOperationCount", FT_U32, 0, 0 },               \
  { "ReadTransferKiloBytes", FT_U32, 0, 0 },             \
  { "WriteTransferKiloBytes", FT_U32, 0, 0 },            \
  { "HardFaultCount", FT_U32, 0, 0 },                    \
  { "ImageName", FT_ASZ, R_IMAGE, 0 }

static const EtwFieldDef kp_pt1[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  KP_PT1_TAIL,
  END
};

static const EtwFieldDef kp_pt2[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "ProcessSequenceNumber", FT_U64, 0, 0 },
  KP_PT1_TAIL,
  END
};

#define KP_TH0_FIELDS                                    \
  { "ProcessID", FT_U32, R_PID, 0 },                     \
  { "ThreadID", FT_U32, R_TID, 0 },                      \
  { "StackBase", FT_PTR, 0, 0 },                         \
  { "StackLimit", FT_PTR, 0, 0 },                        \
  { "UserStackBase", FT_PTR, 0, 0 },                     \
  { "UserStackLimit", FT_PTR, 0, 0 },                    \
  { "StartAddr", FT_PTR, 0, 0 },                         \
  { "Win32StartAddr", FT_PTR, 0, 0 },                    \
  { "TebBase", FT_PTR, 0, 0 }

static const EtwFieldDef kp_th0[] = {
  KP_TH0_FIELDS,
  END
};

static const EtwFieldDef kp_ts1[] = {
  KP_TH0_FIELDS,
  { "SubProcessTag", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef kp_tt1[] = {
  KP_TH0_FIELDS,
  { "SubProcessTag", FT_U32, 0, 0 },
  { "CycleTime", FT_X64, 0, 0 },
  END
};

static const EtwFieldDef kp_img[] = {
  { "ImageBase", FT_PTR, R_IMGBASE, 0 },
  { "ImageSize", FT_PTRU, R_IMGSIZE, 0 },
  { "ProcessID", FT_U32, R_PID, 0 },
  { "ImageCheckSum", FT_U32, 0, 0 },
  { "TimeDateStamp", FT_U32, 0, 0 },
  { "DefaultBase", FT_PTR, 0, 0 },
  { "ImageName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef kp_pri[] = {
  { "ProcessID", FT_U32, R_PID, 0 },
  { "ThreadID", FT_U32, R_TID, 0 },
  { "OldPriority", FT_U8, 0, 0 },
  { "NewPriority", FT_U8, 0, 0 },
  END
};

static const EtwFieldDef kp_fz0[] = {
  { "FrozenProcessID", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef kp_fz1[] = {
  { "FrozenProcessID", FT_U32, R_PID, 0 },
  { "CreateTime", FT_FILETIME, 0, 0 },
  END
};

static const EtwFieldDef kp_job[] = {
  { "Container ID", FT_GUID, 0, 0 },
  { "Job ID", FT_U32, 0, 0 },
  { "StatusCode", FT_ST32, R_STATUS, 0 },
  END
};

static const EtwFieldDef kp_dio[] = {
  { "Job ID", FT_U32, 0, 0 },
  { "DiskIoAttribution", FT_PTR, 0, 0 },
  { "StatusCode", FT_ST32, R_STATUS, 0 },
  END
};

static const EtwFieldDef kp_irc0[] = {
  { "Job ID", FT_U32, 0, 0 },
  { "IoRateControl", FT_PTR, 0, 0 },
  { "ControlType", FT_U32, 0, 0 },
  { "RateType", FT_U32, 0, 0 },
  { "RateAmount", FT_U32, 0, 0 },
  { "StatusCode", FT_ST32, R_STATUS, 0 },
  END
};

#define KP_IRC_HEAD                                      \
  { "Job ID", FT_U32, 0, 0 },                            \
  { "IoRateControl", FT_PTR, 0, 0 },                     \
  { "MaxIops", FT_U64, 0, 0 },                           \
  { "MaxBandwidth", FT_U64, 0, 0 },                      \
  { "MaxTimePercent", FT_U64, 0, 0 },                    \
  { "ReservationIops", FT_U64, 0, 0 },                   \
  { "ReservationBandwidth", FT_U64, 0, 0 },              \
  { "ReservationTimePercent", FT_U64, 0, 0 },            \
  { "CriticalReservationIops", FT_U64, 0, 0 },           \
  { "CriticalReservationBandwidth", FT_U64, 0, 0 },      \
  { "CriticalReservationTimePercent", FT_U64, 0, 0 }

#define KP_IRC_TAIL                                      \
  { "ControlFlags", FT_U32, 0, 0 },                      \
  { "VolumeName", FT_WSZ, 0, 0 },                        \
  { "StatusCode", FT_ST32, R_STATUS, 0 }

static const EtwFieldDef kp_irc1[] = {
  KP_IRC_HEAD,
  KP_IRC_TAIL,
  END
};

static const EtwFieldDef kp_irc2[] = {
  KP_IRC_HEAD,
  { "SoftMaxIops", FT_U64, 0, 0 },
  { "SoftMaxBandwidth", FT_U64, 0, 0 },
  { "SoftMaxTimePercent", FT_U64, 0, 0 },
  KP_IRC_TAIL,
  END
};

static const EtwFieldDef kp_wob[] = {
  { "OldWorkOnBehalfThreadID", FT_U32, 0, 0 },
  { "NewWorkOnBehalfThreadID", FT_U32, 0, 0 },
  END
};

static const EtwFieldDef kp_sl22[] = {
  { "Container ID", FT_GUID, 0, 0 },
  { "Job ID", FT_U32, 0, 0 },
  { "State", FT_U16, 0, 0 },
  END
};

static const EtwFieldDef kp_sl23[] = {
  { "Container ID", FT_GUID, 0, 0 },
  { "Job ID", FT_U32, 0, 0 },
  { "MonitorName", FT_WSZ, 0, 0 },
  END
};

static const EtwFieldDef kp_sl24[] = {
  { "Container ID", FT_GUID, 0, 0 },
  { "Job ID", FT_U32, 0, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "MonitorName", FT_WSZ, 0, 0 },
  END
};

static const EtwFieldDef kp_prv[] = {
  { "ProcessName", FT_WSZ, R_IMAGE, 0 },
  { "ProcessID", FT_U32, R_PID, 0 },
  END
};

static const EtwFieldDef empty_layout[] = {
  END
};

static const Template kproc_templates[] = {
  { 1, 0, kp_ps0 }, { 1, 1, kp_ps1 }, { 1, 2, kp_ps2 }, { 1, 3, kp_ps3 }, { 1, 4, kp_ps4 }, { 1, 5, kp_ps5 },
  { 2, 0, kp_pt0 }, { 2, 1, kp_pt1 }, { 2, 2, kp_pt2 },
  { 3, 0, kp_th0 }, { 3, 1, kp_ts1 },
  { 4, 0, kp_th0 }, { 4, 1, kp_tt1 },
  { 5, 0, kp_img }, { 6, 0, kp_img },
  { 7, 0, kp_pri }, { 8, 0, kp_pri }, { 9, 0, kp_pri }, { 10, 0, kp_pri },
  { 11, 0, kp_fz0 }, { 11, 1, kp_fz1 }, { 12, 0, kp_fz0 }, { 12, 1, kp_fz1 },
  { 13, 0, kp_job }, { 14, 0, kp_job },
  { 15, 0, kp_ps2 }, { 15, 1, kp_ps3 }, { 15, 2, kp_ps4 }, { 15, 3, kp_ps5 },
  { 16, 0, empty_layout },
  { 17, 0, kp_dio }, { 18, 0, kp_dio },
  { 19, 0, kp_irc0 }, { 19, 1, kp_irc1 }, { 19, 2, kp_irc2 },
  { 20, 0, kp_irc0 }, { 20, 1, kp_irc1 }, { 20, 2, kp_irc2 },
  { 21, 0, kp_wob }, { 22, 0, kp_sl22 }, { 23, 0, kp_sl23 }, { 24, 0, kp_sl24 },
  { 25, 0, kp_sl23 }, { 26, 0, kp_sl23 }, { 27, 0, kp_prv },
};

static const EventInfo kproc_events[] = {
  { 1, SEM_PROC_START, "ProcessStart" },
  { 2, SEM_PROC_END, "ProcessStop" },
  { 3, SEM_THREAD_START, "ThreadStart" },
  { 4, SEM_THREAD_END, "ThreadStop" },
  { 5, SEM_IMAGE_LOAD, "ImageLoad" },
  { 6, SEM_IMAGE_UNLOAD, "ImageUnload" },
  { 7, SEM_THREAD_OTHER, "CpuBasePriorityChange" },
  { 8, SEM_THREAD_OTHER, "CpuPriorityChange" },
  { 9, SEM_THREAD_OTHER, "PagePriorityChange" },
  { 10, SEM_THREAD_OTHER, "IoPriorityChange" },
  { 11, SEM_PROC_OTHER, "ProcessFreeze/Start" },
  { 12, SEM_PROC_OTHER, "ProcessFreeze/Stop" },
  { 13, SEM_NONE, "JobStart" },
  { 14, SEM_NONE, "JobTerminate" },
  { 15, SEM_PROC_DCSTART, "ProcessRundown" },
  { 17, SEM_NONE, "PsDiskIoAttribution/Start" },
  { 18, SEM_NONE, "PsDiskIoAttribution/Stop" },
  { 19, SEM_NONE, "PsIoRateControl/Start" },
  { 20, SEM_NONE, "PsIoRateControl/Stop" },
  { 21, SEM_NONE, "ThreadWorkOnBehalfUpdate" },
  { 22, SEM_NONE, "JobServerSiloStateChange" },
  { 23, SEM_NONE, "ServerSiloCreateCallback/Start" },
  { 24, SEM_NONE, "ServerSiloCreateCallback/Stop" },
  { 25, SEM_NONE, "ServerSiloTerminateCallback/Start" },
  { 26, SEM_NONE, "ServerSiloTerminateCallback/Stop" },
  { 27, SEM_PROC_OTHER, "ProcessInPrivateSet" },
};

/* ------------------------------------------------------------------ */
/* Microsoft-Windows-Kernel-Network: no pointers, ports big-endian.     */

#define KN_HEAD(ip)                                      \
  { "PID", FT_U32, R_PID, 0 },                           \
  { "size", FT_U32, R_SIZE, 0 },                         \
  { "daddr", ip, R_DADDR, 0 },                           \
  { "saddr", ip, R_SADDR, 0 },                           \
  { "dport", FT_PORT, R_DPORT, 0 },                      \
  { "sport", FT_PORT, R_SPORT, 0 }

#define KN_SEND_TAIL                                     \
  { "startime", FT_U32, 0, 0 },                          \
  { "endtime", FT_U32, 0, 0 },                           \
  { "seqnum", FT_U32, 0, 0 },                            \
  { "connid", FT_U32, 0, 0 }

#define KN_DATA_TAIL                                     \
  { "seqnum", FT_U32, 0, 0 },                            \
  { "connid", FT_U32, 0, 0 }

#define KN_CONN_TAIL                                     \
  { "mss", FT_U16, 0, 0 },                               \
  { "sackopt", FT_U16, 0, 0 },                           \
  { "tsopt", FT_U16, 0, 0 },                             \
  { "wsopt", FT_U16, 0, 0 },                             \
  { "rcvwin", FT_U32, 0, 0 },                            \
  { "rcvwinscale", FT_U16, 0, 0 },                       \
  { "sndwinscale", FT_U16, 0, 0 },                       \
  { "seqnum", FT_U32, 0, 0 },                            \
  { "connid", FT_U32, 0, 0 }

static const EtwFieldDef kn_4s[] = { KN_HEAD (FT_IP4), KN_SEND_TAIL, END };
static const EtwFieldDef kn_4d[] = { KN_HEAD (FT_IP4), KN_DATA_TAIL, END };
static const EtwFieldDef kn_4c[] = { KN_HEAD (FT_IP4), KN_CONN_TAIL, END };
static const EtwFieldDef kn_6s[] = { KN_HEAD (FT_IP6), KN_SEND_TAIL, END };
static const EtwFieldDef kn_6d[] = { KN_HEAD (FT_IP6), KN_DATA_TAIL, END };
static const EtwFieldDef kn_6c[] = { KN_HEAD (FT_IP6), KN_CONN_TAIL, END };
static const EtwFieldDef kn_fail[] = {
  { "Proto", FT_U16, R_PROTO, 0 },
  { "FailureCode", FT_U16, R_FAILCODE, 0 },
  END
};

static const Template knet_templates[] = {
  { 10, 0, kn_4s }, { 11, 0, kn_4d }, { 12, 0, kn_4c }, { 13, 0, kn_4d }, { 14, 0, kn_4d },
  { 15, 0, kn_4c }, { 16, 0, kn_4d }, { 17, 0, kn_fail }, { 18, 0, kn_4d },
  { 26, 0, kn_6s }, { 27, 0, kn_6d }, { 28, 0, kn_6c }, { 29, 0, kn_6d }, { 30, 0, kn_6d },
  { 31, 0, kn_6c }, { 32, 0, kn_6d }, { 34, 0, kn_6d },
  { 42, 0, kn_4d }, { 43, 0, kn_4d }, { 49, 0, kn_fail }, { 58, 0, kn_6d }, { 59, 0, kn_6d },
};

static const EventInfo knet_events[] = {
  { 10, SEM_TCP_SEND, "TCPv4/Send" },
  { 11, SEM_TCP_RECV, "TCPv4/Recv" },
  { 12, SEM_TCP_CONNECT, "TCPv4/Connect" },
  { 13, SEM_TCP_DISCONNECT, "TCPv4/Disconnect" },
  { 14, SEM_TCP_RETRANSMIT, "TCPv4/Retransmit" },
  { 15, SEM_TCP_ACCEPT, "TCPv4/Accept" },
  { 16, SEM_TCP_RECONNECT, "TCPv4/Reconnect" },
  { 17, SEM_TCP_FAIL, "TCP/Fail" },
  { 18, SEM_TCP_COPY, "TCPv4/Copy" },
  { 26, SEM_TCP_SEND, "TCPv6/Send" },
  { 27, SEM_TCP_RECV, "TCPv6/Recv" },
  { 28, SEM_TCP_CONNECT, "TCPv6/Connect" },
  { 29, SEM_TCP_DISCONNECT, "TCPv6/Disconnect" },
  { 30, SEM_TCP_RETRANSMIT, "TCPv6/Retransmit" },
  { 31, SEM_TCP_ACCEPT, "TCPv6/Accept" },
  { 32, SEM_TCP_RECONNECT, "TCPv6/Reconnect" },
  { 34, SEM_TCP_COPY, "TCPv6/Copy" },
  { 42, SEM_UDP_SEND, "UDPv4/Send" },
  { 43, SEM_UDP_RECV, "UDPv4/Recv" },
  { 49, SEM_UDP_FAIL, "UDP/Fail" },
  { 58, SEM_UDP_SEND, "UDPv6/Send" },
  { 59, SEM_UDP_RECV, "UDPv6/Recv" },
};

/* ------------------------------------------------------------------ */
/* Microsoft-Windows-Kernel-File                                        */

static const EtwFieldDef kf_name[] = {
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef kf_cr0[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "ThreadId", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "CreateOptions", FT_X32, R_CREATEOPTS, 0 },
  { "CreateAttributes", FT_X32, 0, 0 },
  { "ShareAccess", FT_X32, 0, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef kf_cr1[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  { "CreateOptions", FT_X32, R_CREATEOPTS, 0 },
  { "CreateAttributes", FT_X32, 0, 0 },
  { "ShareAccess", FT_X32, 0, 0 },
  { "FileName", FT_WSZ, R_PATH, 0 },
  END
};

static const EtwFieldDef kf_cl0[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "ThreadId", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  END
};

static const EtwFieldDef kf_cl1[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  END
};

static const EtwFieldDef kf_rw0[] = {
  { "ByteOffset", FT_X64, R_OFFSET, 0 },
  { "Irp", FT_PTR, R_IRP, 0 },
  { "ThreadId", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "IOSize", FT_X32, R_IOSIZE, 0 },
  { "IOFlags", FT_X32, 0, 0 },
  END
};

static const EtwFieldDef kf_rw1[] = {
  { "ByteOffset", FT_X64, R_OFFSET, 0 },
  { "Irp", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  { "IOSize", FT_X32, R_IOSIZE, 0 },
  { "IOFlags", FT_X32, 0, 0 },
  { "ExtraFlags", FT_X32, 0, 0 },
  END
};

#define KF_IN0_FIELDS                                    \
  { "Irp", FT_PTR, R_IRP, 0 },                           \
  { "ThreadId", FT_PTRU, R_TTID, 0 },                    \
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },                \
  { "FileKey", FT_PTR, R_FILEKEY, 0 },                   \
  { "ExtraInformation", FT_PTR, R_EXTRA, 0 },            \
  { "InfoClass", FT_U32, R_INFOCLASS, 0 }

#define KF_IN1_FIELDS                                    \
  { "Irp", FT_PTR, R_IRP, 0 },                           \
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },                \
  { "FileKey", FT_PTR, R_FILEKEY, 0 },                   \
  { "ExtraInformation", FT_PTR, R_EXTRA, 0 },            \
  { "IssuingThreadId", FT_U32, R_TTID, 0 },              \
  { "InfoClass", FT_U32, R_INFOCLASS, 0 }

static const EtwFieldDef kf_in0[] = { KF_IN0_FIELDS, END };
static const EtwFieldDef kf_in1[] = { KF_IN1_FIELDS, END };
static const EtwFieldDef kf_pa0[] = { KF_IN0_FIELDS, { "FilePath", FT_WSZ, R_PATH, 0 }, END };
static const EtwFieldDef kf_pa1[] = { KF_IN1_FIELDS, { "FilePath", FT_WSZ, R_PATH, 0 }, END };

static const EtwFieldDef kf_dr0[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "ThreadId", FT_PTRU, R_TTID, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "Length", FT_U32, 0, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "FileIndex", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_RELNAME, 0 },
  END
};

static const EtwFieldDef kf_dr1[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "FileObject", FT_PTR, R_FILEOBJ, 0 },
  { "FileKey", FT_PTR, R_FILEKEY, 0 },
  { "IssuingThreadId", FT_U32, R_TTID, 0 },
  { "Length", FT_U32, 0, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "FileIndex", FT_U32, 0, 0 },
  { "FileName", FT_WSZ, R_RELNAME, 0 },
  END
};

static const EtwFieldDef kf_ope[] = {
  { "Irp", FT_PTR, R_IRP, 0 },
  { "ExtraInformation", FT_PTR, R_EXTRA, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  END
};

static const Template kfile_templates[] = {
  { 10, 0, kf_name }, { 11, 0, kf_name },
  { 12, 0, kf_cr0 }, { 12, 1, kf_cr1 },
  { 13, 0, kf_cl0 }, { 13, 1, kf_cl1 },
  { 14, 0, kf_cl0 }, { 14, 1, kf_cl1 },
  { 15, 0, kf_rw0 }, { 15, 1, kf_rw1 },
  { 16, 0, kf_rw0 }, { 16, 1, kf_rw1 },
  { 17, 0, kf_in0 }, { 17, 1, kf_in1 },
  { 18, 0, kf_in0 }, { 18, 1, kf_in1 },
  { 19, 0, kf_in0 }, { 19, 1, kf_in1 },
  { 20, 0, kf_dr0 }, { 20, 1, kf_dr1 },
  { 21, 0, kf_cl0 }, { 21, 1, kf_cl1 },
  { 22, 0, kf_in0 }, { 22, 1, kf_in1 },
  { 23, 0, kf_in0 }, { 23, 1, kf_in1 },
  { 24, 0, kf_ope },
  { 25, 0, kf_dr0 }, { 25, 1, kf_dr1 },
  { 26, 0, kf_pa0 }, { 26, 1, kf_pa1 },
  { 27, 0, kf_pa0 }, { 27, 1, kf_pa1 },
  { 28, 0, kf_pa0 }, { 28, 1, kf_pa1 },
  { 29, 0, kf_in0 }, { 29, 1, kf_in1 },
  { 30, 0, kf_cr0 }, { 30, 1, kf_cr1 },
  { 31, 1, kf_in1 }, { 32, 1, kf_in1 }, { 33, 1, kf_in1 }, { 34, 1, kf_in1 },
};

static const EventInfo kfile_events[] = {
  { 10, SEM_FILE_NAMECREATE, "NameCreate" },
  { 11, SEM_FILE_NAMEDELETE, "NameDelete" },
  { 12, SEM_FILE_CREATE, "Create" },
  { 13, SEM_FILE_CLEANUP, "Cleanup" },
  { 14, SEM_FILE_CLOSE, "Close" },
  { 15, SEM_FILE_READ, "Read" },
  { 16, SEM_FILE_WRITE, "Write" },
  { 17, SEM_FILE_SETINFO, "SetInformation" },
  { 18, SEM_FILE_DELETE, "SetDelete" },
  { 19, SEM_FILE_RENAME, "Rename" },
  { 20, SEM_FILE_DIRENUM, "DirEnum" },
  { 21, SEM_FILE_FLUSH, "Flush" },
  { 22, SEM_FILE_QUERYINFO, "QueryInformation" },
  { 23, SEM_FILE_FSCTL, "FSCTL" },
  { 24, SEM_FILE_OPEND, "OperationEnd" },
  { 25, SEM_FILE_DIRNOTIFY, "DirNotify" },
  { 26, SEM_FILE_DELETEPATH, "DeletePath" },
  { 27, SEM_FILE_RENAMEPATH, "RenamePath" },
  { 28, SEM_FILE_SETLINKPATH, "SetLinkPath" },
  { 29, SEM_FILE_RENAME, "Rename29" },
  { 30, SEM_FILE_CREATENEW, "CreateNewFile" },
  { 31, SEM_FILE_SETSECURITY, "SetSecurity" },
  { 32, SEM_FILE_QUERYSECURITY, "QuerySecurity" },
  { 33, SEM_FILE_SETEA, "SetEA" },
  { 34, SEM_FILE_QUERYEA, "QueryEA" },
};

/* ------------------------------------------------------------------ */
/* Microsoft-Windows-Kernel-Registry (every event is version 0)         */

static const EtwFieldDef kr_create[] = {
  { "BaseObject", FT_PTR, R_BASEOBJ, 0 },
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "Disposition", FT_U32, 0, 0 },
  { "BaseName", FT_WSZ, R_BASENAME, 0 },
  { "RelativeName", FT_WSZ, R_RELNAME, 0 },
  END
};

static const EtwFieldDef kr_key[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  END
};

/* Captured data is as long as CapturedDataSize (field #5), not DataSize. */
static const EtwFieldDef kr_query[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "DataSize", FT_U32, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  { "CapturedDataSize", FT_U16, 0, 0 },
  { "CapturedData", FT_BINREF, 0, 5 },
  END
};

static const EtwFieldDef kr_setvalue[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "Type", FT_U32, 0, 0 },
  { "DataSize", FT_U32, R_SIZE, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  { "ValueName", FT_WSZ, R_VALUENAME, 0 },
  { "CapturedDataSize", FT_U16, 0, 0 },
  { "CapturedData", FT_BINREF, 0, 6 },
  { "PreviousDataType", FT_U32, 0, 0 },
  { "PreviousDataSize", FT_U32, 0, 0 },
  { "PreviousDataCapturedSize", FT_U16, 0, 0 },
  { "PreviousData", FT_BINREF, 0, 10 },
  END
};

static const EtwFieldDef kr_delvalue[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  { "ValueName", FT_WSZ, R_VALUENAME, 0 },
  END
};

static const EtwFieldDef kr_queryvalue[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "DataSize", FT_U32, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  { "ValueName", FT_WSZ, R_VALUENAME, 0 },
  { "CapturedDataSize", FT_U16, 0, 0 },
  { "CapturedData", FT_BINREF, 0, 6 },
  END
};

static const EtwFieldDef kr_enum[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "Index", FT_U32, 0, 0 },
  { "InfoClass", FT_U32, R_INFOCLASS, 0 },
  { "DataSize", FT_U32, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  { "CapturedDataSize", FT_U16, 0, 0 },
  { "CapturedData", FT_BINREF, 0, 6 },
  END
};

static const EtwFieldDef kr_querymulti[] = {
  { "KeyObject", FT_PTR, R_KCB, 0 },
  { "Status", FT_ST32, R_STATUS, 0 },
  { "EntryCount", FT_U32, 0, 0 },
  { "DataSize", FT_U32, 0, 0 },
  { "KeyName", FT_WSZ, R_KEYNAME, 0 },
  END
};

static const EtwFieldDef kr_st[] = { { "StatusCode", FT_ST32, R_STATUS, 0 }, END };
static const EtwFieldDef kr_mounted[] = {
  { "HiveFilePath", FT_WSZ, R_PATH, 0 },
  { "FileSize", FT_U32, 0, 0 },
  END
};
static const EtwFieldDef kr_logentry[] = {
  { "TotalEntrySize", FT_U32, 0, 0 },
  { "BytesRecovered", FT_U32, 0, 0 },
  END
};
static const EtwFieldDef kr_hive2[] = {
  { "HiveFilePath", FT_WSZ, R_PATH, 0 },
  { "HiveMountPoint", FT_WSZ, 0, 0 },
  END
};
static const EtwFieldDef kr_flushstart[] = {
  { "HiveFilePath", FT_WSZ, R_PATH, 0 },
  { "HiveMountPoint", FT_WSZ, 0, 0 },
  { "FlushFlags", FT_X32, 0, 0 },
  END
};
static const EtwFieldDef kr_gathered[] = { { "BytesGathered", FT_U32, 0, 0 }, END };
static const EtwFieldDef kr_wrote[] = {
  { "WritesIssued", FT_U32, 0, 0 },
  { "BytesWritten", FT_U32, 0, 0 },
  END
};
static const EtwFieldDef kr_source[] = {
  { "SourceFile", FT_WSZ, R_PATH, 0 },
  { "Flags", FT_X32, 0, 0 },
  END
};
static const EtwFieldDef kr_save[] = { { "SourceKeyPath", FT_WSZ, R_KEYNAME, 0 }, END };

static const Template kreg_templates[] = {
  { 1, 0, kr_create }, { 2, 0, kr_create }, { 3, 0, kr_key }, { 4, 0, kr_query },
  { 5, 0, kr_setvalue }, { 6, 0, kr_delvalue }, { 7, 0, kr_queryvalue }, { 8, 0, kr_enum },
  { 9, 0, kr_enum }, { 10, 0, kr_querymulti }, { 11, 0, kr_query }, { 12, 0, kr_key },
  { 13, 0, kr_key }, { 14, 0, kr_key }, { 15, 0, kr_key },
  { 16, 0, empty_layout }, { 17, 0, kr_mounted }, { 18, 0, kr_logentry }, { 19, 0, kr_st },
  { 20, 0, kr_hive2 }, { 21, 0, kr_st }, { 22, 0, kr_flushstart }, { 23, 0, empty_layout },
  { 24, 0, kr_gathered }, { 25, 0, kr_gathered }, { 26, 0, kr_wrote }, { 27, 0, kr_wrote },
  { 28, 0, empty_layout }, { 29, 0, empty_layout }, { 30, 0, empty_layout }, { 31, 0, kr_st },
  { 32, 0, empty_layout }, { 33, 0, empty_layout }, { 34, 0, empty_layout },
  { 35, 0, empty_layout }, { 36, 0, empty_layout }, { 37, 0, kr_source }, { 38, 0, kr_st },
  { 39, 0, kr_source }, { 40, 0, kr_st }, { 41, 0, kr_save }, { 42, 0, empty_layout },
  { 43, 0, empty_layout }, { 44, 0, empty_layout }, { 45, 0, kr_st },
};

static const EventInfo kreg_events[] = {
  { 1, SEM_REG_CREATE, "CreateKey" },
  { 2, SEM_REG_OPEN, "OpenKey" },
  { 3, SEM_REG_DELETE, "DeleteKey" },
  { 4, SEM_REG_QUERY, "QueryKey" },
  { 5, SEM_REG_SETVALUE, "SetValueKey" },
  { 6, SEM_REG_DELETEVALUE, "DeleteValueKey" },
  { 7, SEM_REG_QUERYVALUE, "QueryValueKey" },
  { 8, SEM_REG_ENUMKEY, "EnumerateKey" },
  { 9, SEM_REG_ENUMVALUE, "EnumerateValueKey" },
  { 10, SEM_REG_QUERYMULTI, "QueryMultipleValueKey" },
  { 11, SEM_REG_SETINFO, "SetInformationKey" },
  { 12, SEM_REG_FLUSH, "FlushKey" },
  { 13, SEM_REG_CLOSE, "CloseKey" },
  { 14, SEM_REG_QUERYSECURITY, "QuerySecurityKey" },
  { 15, SEM_REG_SETSECURITY, "SetSecurityKey" },
  { 16, SEM_REG_OTHER, "HiveMount/Start" },
  { 17, SEM_REG_OTHER, "HiveMount/BaseFileMounted" },
  { 18, SEM_REG_OTHER, "HiveMount/LogEntryApplied" },
  { 19, SEM_REG_OTHER, "HiveMount/Stop" },
  { 20, SEM_REG_OTHER, "HiveUnload/Start" },
  { 21, SEM_REG_OTHER, "HiveUnload/Stop" },
  { 22, SEM_REG_OTHER, "HiveFlush/Start" },
  { 23, SEM_REG_OTHER, "HiveFlush/BecameActiveFlusher" },
  { 24, SEM_REG_OTHER, "HiveFlush/GatheredLogData" },
  { 25, SEM_REG_OTHER, "HiveFlush/GatheredPrimaryData" },
  { 26, SEM_REG_OTHER, "HiveFlush/WroteLogFile" },
  { 27, SEM_REG_OTHER, "HiveFlush/WrotePrimaryFile" },
  { 28, SEM_REG_OTHER, "HiveFlush/BoostedActiveFlusher" },
  { 29, SEM_REG_OTHER, "HiveFlush/StartWaitForActive" },
  { 30, SEM_REG_OTHER, "HiveFlush/FinishWaitForActive" },
  { 31, SEM_REG_OTHER, "HiveFlush/Stop" },
  { 32, SEM_REG_OTHER, "Shutdown/Start" },
  { 33, SEM_REG_OTHER, "Shutdown/Start" },
  { 34, SEM_REG_OTHER, "Shutdown/FlushStart" },
  { 35, SEM_REG_OTHER, "Shutdown/FlushStop" },
  { 36, SEM_REG_OTHER, "Shutdown/Stop" },
  { 37, SEM_REG_OTHER, "HiveLoad/Start" },
  { 38, SEM_REG_OTHER, "HiveLoad/Stop" },
  { 39, SEM_REG_OTHER, "HiveRestore/Start" },
  { 40, SEM_REG_OTHER, "HiveRestore/Stop" },
  { 41, SEM_REG_OTHER, "HiveSave/Start" },
  { 42, SEM_REG_OTHER, "HiveSave/FileCopied" },
  { 43, SEM_REG_OTHER, "HiveSave/TreeCopied" },
  { 44, SEM_REG_OTHER, "HiveSave/FileWritten" },
  { 45, SEM_REG_OTHER, "HiveSave/Stop" },
};

/* ------------------------------------------------------------------ */

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static void
family_tables (int               family,
               const Template  **templates,
               size_t           *n_templates,
               const EventInfo **events,
               size_t           *n_events)
{
  switch (family)
    {
    case FAM_KPROC:
      *templates = kproc_templates, *n_templates = N_OF (kproc_templates);
      *events = kproc_events, *n_events = N_OF (kproc_events);
      break;
    case FAM_KNET:
      *templates = knet_templates, *n_templates = N_OF (knet_templates);
      *events = knet_events, *n_events = N_OF (knet_events);
      break;
    case FAM_KFILE:
      *templates = kfile_templates, *n_templates = N_OF (kfile_templates);
      *events = kfile_events, *n_events = N_OF (kfile_events);
      break;
    case FAM_KREG:
      *templates = kreg_templates, *n_templates = N_OF (kreg_templates);
      *events = kreg_events, *n_events = N_OF (kreg_events);
      break;
    default:
      *templates = NULL, *n_templates = 0;
      *events = NULL, *n_events = 0;
      break;
    }
}

static const EventInfo *
find_event (int      family,
            uint16_t id)
{
  const Template *templates;
  const EventInfo *events;
  size_t n_templates, n_events;

  family_tables (family, &templates, &n_templates, &events, &n_events);
  for (size_t i = 0; i < n_events; i++)
    if (events[i].id == id)
      return &events[i];
  return NULL;
}

EtwSem
etw_manifest_sem (int      family,
                  uint16_t id)
{
  const EventInfo *e = find_event (family, id);

  return e != NULL ? (EtwSem) e->sem : SEM_NONE;
}

const char *
etw_manifest_event_name (int      family,
                         uint16_t id)
{
  const EventInfo *e = find_event (family, id);

  return e != NULL ? e->name : NULL;
}

bool
etw_decode_manifest_kernel (EtwDecCtx   *c,
                            int          family,
                            const char **event_name)
{
  const Template *templates;
  const EventInfo *events;
  size_t n_templates, n_events;
  const EtwEvent *ev = c->ev;

  family_tables (family, &templates, &n_templates, &events, &n_events);
  *event_name = NULL;
  for (size_t i = 0; i < n_events; i++)
    if (events[i].id == ev->id)
      {
        *event_name = events[i].name;
        c->sem = events[i].sem;
        break;
      }
  for (size_t i = 0; i < n_templates; i++)
    if (templates[i].id == ev->id && templates[i].version == ev->version)
      {
        etw_run_layout (c, templates[i].defs, 0);
        return true;
      }
  return false;
}
