/* test-decoders.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The per-layout decoders, built from the layouts of
 * ../shared/reference/etw-reference.md §3 and kernel-manifest-providers.md:
 * each payload is written field by field (both pointer sizes where the
 * layout has pointers) and must decode to those values, names and
 * summaries. Also the naming state (process names by pid and time, file
 * objects, KCBs, module maps), damaged payloads, TraceLogging schemas with
 * every in-type, structs and arrays, and field lists. Plain C: also runs
 * under wine64.
 */
#include <stdlib.h>

#include "test-decoders-util.h"

static EtwDecoded *D;

static const EtwDecoded *
run (EtwDecoder     *dec,
     const EtwEvent *ev)
{
  etw_decoder_observe (dec, ev);
  etw_decode (dec, ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, D);
  return D;
}

/* Summary-only decoding must give the same columns as full decoding, with
 * no field list. */
static bool
summary_matches (EtwDecoder     *dec,
                 const EtwEvent *ev)
{
  static EtwDecoded *s;
  bool ok;

  if (s == NULL)
    s = calloc (1, sizeof *s);
  etw_decode (dec, ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, D);
  etw_decode (dec, ev, ETW_DECODE_SUMMARY, s);
  ok = s->n_fields == 0 && s->pid == D->pid && str_is (s->operation, D->operation) &&
       str_is (s->path, D->path) && str_is (s->result, D->result) &&
       str_is (s->event_name, D->event_name) && str_is (s->process_name, D->process_name) &&
       s->detail == NULL;
  return ok;
}

/* ------------------------------------------------------------------ */

static void
test_process (void)
{
  for (unsigned ps = 4; ps <= 8; ps += 4)
    for (uint8_t v = 1; v <= 5; v++)
      {
        EtwDecoder *dec = etw_decoder_new ();
        Buf b;
        EtwEvent ev;
        const EtwDecoded *d;
        uint8_t opcode = v == 5 ? 39 : 1;

        buf_init (&b, ps);
        put_ptr (&b, 0xfffff80000001000ull);   /* PageDirectoryBase / UniqueProcessKey */
        put_u32 (&b, 4321);
        put_u32 (&b, 1234);
        put_u32 (&b, 2);
        put_u32 (&b, v == 5 ? 0xC0000005u : 259);
        if (v >= 3)
          put_ptr (&b, 0x1ad000);
        if (v >= 4)
          put_u32 (&b, 1);
        put_wsid (&b, true);
        put_asz (&b, "notepad.exe");
        if (v >= 2)
          put_wsz (&b, "notepad.exe C:\\a.txt");
        if (v >= 4)
          {
            put_wsz (&b, "Microsoft.Pkg_1.0");
            put_wsz (&b, "App");
          }
        if (v == 5)
          put_u64 (&b, 132273542277445790ull);
        ev = mk_kernel (&ETW_GUID_PROCESS, opcode, v, &b);
        d = run (dec, &ev);
        tap_check (d->pid == 4321 && field_u (d, "ProcessId", ETW_VAL_UINT, 4321) &&
                   field_u (d, "ParentId", ETW_VAL_UINT, 1234) &&
                   field_u (d, "SessionId", ETW_VAL_UINT, 2) &&
                   field_u (d, "ExitStatus", ETW_VAL_INT, v == 5 ? (uint64_t) (int64_t) (int32_t) 0xC0000005u : 259) &&
                   field_s (d, "UserSID", TEST_SID) && field_s (d, "ImageFileName", "notepad.exe") &&
                   (v < 2 || field_s (d, "CommandLine", "notepad.exe C:\\a.txt")) &&
                   (v < 3 || field_u (d, "DirectoryTableBase", ETW_VAL_POINTER, 0x1ad000)) &&
                   (v < 4 || (field_u (d, "Flags", ETW_VAL_HEX, 1) &&
                              field_s (d, "PackageFullName", "Microsoft.Pkg_1.0") &&
                              field_s (d, "ApplicationId", "App"))) &&
                   (v < 5 || field_u (d, "ExitTime", ETW_VAL_UINT, 132273542277445790ull)) &&
                   !d->malformed,
                   "Process v%u (%u-byte pointers): every field", v, ps);
        tap_check (str_is (d->event_name, v == 5 ? "Process/Defunct" : "Process/Start") &&
                   str_is (d->operation, v == 5 ? "Process Defunct" : "Process Start") &&
                   str_is (d->path, "notepad.exe") && str_is (d->process_name, "notepad.exe") &&
                   summary_matches (dec, &ev),
                   "Process v%u (%u-byte pointers): summary", v, ps);
        etw_decoder_free (dec);
      }

  /* An empty SID is the 4-byte zero alone. */
  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b;
    EtwEvent ev;
    const EtwDecoded *d;

    buf_init (&b, 8);
    put_ptr (&b, 1);
    put_u32 (&b, 0);
    put_u32 (&b, 0);
    put_u32 (&b, 0xFFFFFFFF);
    put_u32 (&b, 0);
    put_ptr (&b, 0x1ad000);
    put_u32 (&b, 0);
    put_wsid (&b, false);
    put_asz (&b, "Idle");
    put_wsz (&b, "");
    put_wsz (&b, "");
    put_wsz (&b, "");
    ev = mk_kernel (&ETW_GUID_PROCESS, 3, 4, &b);
    d = run (dec, &ev);
    tap_check (field_s (d, "UserSID", "") && field_s (d, "ImageFileName", "Idle") &&
               str_is (d->operation, "Process Rundown") && !d->malformed,
               "Process v4 DCStart with no SID");
    etw_decoder_free (dec);
  }
}

static EtwEvent
process_event (Buf        *b,
               uint8_t     opcode,
               uint32_t    pid,
               const char *name,
               int64_t     time)
{
  EtwEvent ev;

  buf_init (b, 8);
  put_ptr (b, 0);
  put_u32 (b, pid);
  put_u32 (b, 4);
  put_u32 (b, 1);
  put_u32 (b, 0);
  put_ptr (b, 0);
  put_u32 (b, 0);
  put_wsid (b, false);
  put_asz (b, name);
  put_wsz (b, "");
  put_wsz (b, "");
  put_wsz (b, "");
  ev = mk_kernel (&ETW_GUID_PROCESS, opcode, 4, b);
  ev.time = time;
  return ev;
}

static void
test_pid_reuse (void)
{
  EtwDecoder *dec = etw_decoder_new ();
  Buf b1, b2, b3, b4;
  EtwEvent a_start = process_event (&b1, 1, 500, "alpha.exe", 1000);
  EtwEvent a_end = process_event (&b2, 2, 500, "alpha.ex", 2000);   /* a cut short name */
  EtwEvent b_start = process_event (&b3, 1, 500, "beta.exe", 3000);
  EtwEvent b_dcend = process_event (&b4, 4, 500, "beta", 9000);
  EtwEvent other;
  Buf ob;

  etw_decoder_observe (dec, &a_start);
  etw_decoder_observe (dec, &a_end);
  buf_init (&ob, 8);
  put_u32 (&ob, 0);
  other = mk_event (&ETW_GUID_REGISTRY, ETW_HDR_SYSTEM, 0, 99, 2, 8, ob.b, ob.n);
  other.pid = 500;
  other.time = 2500;
  etw_decode (dec, &other, ETW_DECODE_SUMMARY, D);
  tap_check (str_is (D->process_name, "alpha.exe"), "pid reuse: an end keeps the name (and does not rename)");
  etw_decoder_observe (dec, &b_start);
  etw_decoder_observe (dec, &b_dcend);
  other.time = 3500;
  etw_decode (dec, &other, ETW_DECODE_SUMMARY, D);
  tap_check (str_is (D->process_name, "beta.exe"), "pid reuse: a new start replaces the name");
  other.time = 1500;
  etw_decode (dec, &other, ETW_DECODE_SUMMARY, D);
  tap_check (str_is (D->process_name, "alpha.exe"), "pid reuse: an earlier event keeps the earlier name");
  other.time = 10;
  etw_decode (dec, &other, ETW_DECODE_SUMMARY, D);
  tap_check (str_is (D->process_name, "alpha.exe"), "pid reuse: an event before any start gets the first name");
  other.pid = 4;
  etw_decode (dec, &other, ETW_DECODE_SUMMARY, D);
  tap_check (str_is (D->process_name, "System"), "pid 4 is System before any rundown");
  etw_decoder_free (dec);
}

/* ------------------------------------------------------------------ */

static void
thread_payload (Buf *b, unsigned ps, uint8_t v, uint8_t opcode, bool short_v3)
{
  buf_init (b, ps);
  if (v == 0)
    {
      put_u32 (b, 77);
      put_u32 (b, 4321);
      return;
    }
  put_u32 (b, 4321);
  put_u32 (b, 77);
  if (v == 1 && opcode == 2)
    return;
  for (int i = 0; i < 6; i++)
    put_ptr (b, 0x1000 * (i + 1));
  if (v == 1)
    {
      put_u8 (b, 1);
      return;
    }
  put_ptr (b, 0x7000);
  put_u32 (b, 0x42);
  if (v == 2 || short_v3)
    return;
  put_u8 (b, 8);
  put_u8 (b, 5);
  put_u8 (b, 2);
  put_u8 (b, 0x10);
  if (v >= 4)
    put_wsz (b, "worker");
}

static void
test_thread (void)
{
  for (unsigned ps = 4; ps <= 8; ps += 4)
    for (uint8_t v = 0; v <= 4; v++)
      {
        EtwDecoder *dec = etw_decoder_new ();
        Buf b;
        EtwEvent ev;
        const EtwDecoded *d;

        thread_payload (&b, ps, v, 1, false);
        ev = mk_kernel (&ETW_GUID_THREAD, 1, v, &b);
        d = run (dec, &ev);
        tap_check (d->pid == 4321 && field_u (d, "TThreadId", ETW_VAL_UINT, 77) &&
                   (v < 1 || (field_u (d, "StackBase", ETW_VAL_POINTER, 0x1000) &&
                              field_u (d, "Win32StartAddr", ETW_VAL_POINTER, 0x6000))) &&
                   (v != 1 || field_u (d, "WaitMode", ETW_VAL_INT, 1)) &&
                   (v < 2 || (field_u (d, "TebBase", ETW_VAL_POINTER, 0x7000) &&
                              field_u (d, "SubProcessTag", ETW_VAL_HEX, 0x42))) &&
                   (v != 2 || field_u (d, "StartAddr", ETW_VAL_POINTER, 0x5000)) &&
                   (v < 3 || (field_u (d, "Affinity", ETW_VAL_HEX, 0x5000) &&
                              field_u (d, "IoPriority", ETW_VAL_UINT, 2) &&
                              field_u (d, "ThreadFlags", ETW_VAL_HEX, 0x10))) &&
                   (v < 4 || (field_s (d, "ThreadName", "worker") && str_is (d->path, "worker"))) &&
                   str_is (d->operation, "Thread Create") && !d->malformed && summary_matches (dec, &ev),
                   "Thread v%u (%u-byte pointers) Start", v, ps);
        etw_decoder_free (dec);
      }

  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b;
    EtwEvent ev;
    const EtwDecoded *d;

    thread_payload (&b, 8, 1, 2, false);
    ev = mk_kernel (&ETW_GUID_THREAD, 2, 1, &b);
    d = run (dec, &ev);
    tap_check (d->pid == 4321 && field_u (d, "TThreadId", ETW_VAL_UINT, 77) && d->n_fields == 2 &&
               str_is (d->operation, "Thread Exit") && !d->malformed,
               "Thread v1 End has only the two ids");
    thread_payload (&b, 8, 3, 1, true);
    ev = mk_kernel (&ETW_GUID_THREAD, 3, 3, &b);
    d = run (dec, &ev);
    tap_check (!d->malformed && find_field (d, "BasePriority") == NULL &&
               field_u (d, "SubProcessTag", ETW_VAL_HEX, 0x42),
               "Thread v3 from older builds stops at SubProcessTag without damage");
    etw_decoder_free (dec);
  }

  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b, t;
    EtwEvent ev, start;
    const EtwDecoded *d;

    thread_payload (&t, 8, 2, 1, false);
    start = mk_kernel (&ETW_GUID_THREAD, 3, 2, &t);
    etw_decoder_observe (dec, &start);
    buf_init (&b, 8);
    put_u32 (&b, 77);
    put_u32 (&b, 78);
    put_u8 (&b, 8); put_u8 (&b, 9); put_u8 (&b, 0); put_u8 (&b, 0);
    put_u8 (&b, 6); put_u8 (&b, 1); put_u8 (&b, 5); put_u8 (&b, 0);
    put_u32 (&b, 12);
    put_u32 (&b, 0);
    ev = mk_event (&ETW_GUID_THREAD, ETW_HDR_PERFINFO, 0, 36, 2, 8, b.b, b.n);
    ev.pid = 0xFFFFFFFF;
    d = run (dec, &ev);
    tap_check (field_u (d, "NewThreadId", ETW_VAL_UINT, 77) && field_u (d, "OldThreadWaitReason", ETW_VAL_INT, 6) &&
               field_u (d, "NewThreadWaitTime", ETW_VAL_UINT, 12) && d->pid == 4321 && !d->malformed,
               "Thread CSwitch: fields, and the new thread's process from the thread map");
    etw_decoder_free (dec);
  }
}

/* ------------------------------------------------------------------ */

static void
test_image (void)
{
  for (unsigned ps = 4; ps <= 8; ps += 4)
    for (uint8_t v = 0; v <= 3; v++)
      {
        EtwDecoder *dec = etw_decoder_new ();
        Buf b;
        EtwEvent ev;
        const EtwDecoded *d;
        char sym[128];
        uint64_t base = ps == 8 ? 0x7ff812340000ull : 0x10000000;

        buf_init (&b, ps);
        put_ptr (&b, base);
        if (v == 0)
          put_u32 (&b, 0x5000);
        else
          put_ptr (&b, 0x5000);
        if (v >= 1)
          put_u32 (&b, 4321);
        if (v >= 2)
          {
            put_u32 (&b, 0xabcd);
            put_u32 (&b, 0x5e000000);
            if (v == 2)
              put_u32 (&b, 0);
            else
              {
                put_u8 (&b, 12);
                put_u8 (&b, 1);
                put_u16 (&b, 0);
              }
            put_ptr (&b, base);
            for (int i = 0; i < 4; i++)
              put_u32 (&b, 0);
          }
        put_wsz (&b, "\\Device\\HarddiskVolume3\\Windows\\System32\\kernel32.dll");
        ev = mk_kernel (&ETW_GUID_IMAGE, 10, v, &b);
        ev.pid = 4321;
        d = run (dec, &ev);
        tap_check ((v == 0 ? field_u (d, "BaseAddress", ETW_VAL_POINTER, base) &&
                             field_u (d, "ModuleSize", ETW_VAL_UINT, 0x5000) &&
                             field_s (d, "ImageFileName", "\\Device\\HarddiskVolume3\\Windows\\System32\\kernel32.dll")
                           : field_u (d, "ImageBase", ETW_VAL_POINTER, base) &&
                             field_u (d, "ImageSize", ETW_VAL_UINT, 0x5000) &&
                             field_u (d, "ProcessId", ETW_VAL_UINT, 4321) &&
                             field_s (d, "FileName", "\\Device\\HarddiskVolume3\\Windows\\System32\\kernel32.dll")) &&
                   (v < 2 || field_u (d, "TimeDateStamp", ETW_VAL_UINT, 0x5e000000)) &&
                   (v < 3 || field_u (d, "SignatureLevel", ETW_VAL_UINT, 12)) && !d->malformed,
                   "Image v%u (%u-byte pointers) Load: every field", v, ps);
        tap_check (d->pid == 4321 && str_is (d->operation, "Load Image") &&
                   ends_with (d->path, "kernel32.dll") &&
                   etw_decoder_symbolize (dec, 4321, base + 0x10, sym, sizeof sym) &&
                   strcmp (sym, "kernel32.dll+0x10") == 0 &&
                   !etw_decoder_symbolize (dec, 4321, base + 0x5000, sym, sizeof sym) && sym[0] == '\0' &&
                   !etw_decoder_symbolize (dec, 999, base + 0x10, sym, sizeof sym) &&
                   summary_matches (dec, &ev),
                   "Image v%u (%u-byte pointers): summary and module map", v, ps);
        etw_decoder_free (dec);
      }

  /* Kernel modules come from the system process and apply everywhere;
   * an unload does not forget a module (stacks are resolved late). */
  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b;
    EtwEvent ev;
    char sym[128];

    buf_init (&b, 8);
    put_ptr (&b, 0xfffff80242400000ull);
    put_ptr (&b, 0xa00000);
    put_u32 (&b, 0);
    for (int i = 0; i < 3; i++)
      put_u32 (&b, 0);
    put_ptr (&b, 0);
    for (int i = 0; i < 4; i++)
      put_u32 (&b, 0);
    put_wsz (&b, "\\SystemRoot\\system32\\ntoskrnl.exe");
    ev = mk_kernel (&ETW_GUID_IMAGE, 3, 2, &b);
    etw_decoder_observe (dec, &ev);
    ev = mk_kernel (&ETW_GUID_IMAGE, 2, 2, &b);
    etw_decoder_observe (dec, &ev);
    tap_check (etw_decoder_symbolize (dec, 1234, 0xfffff80242412345ull, sym, sizeof sym) &&
               strcmp (sym, "ntoskrnl.exe+0x12345") == 0,
               "a kernel module of pid 0 symbolizes kernel addresses of every process, after its unload too");
    tap_check (!etw_decoder_symbolize (dec, 1234, 0x12345, sym, sizeof sym),
               "a user address nobody loaded stays unresolved");
    etw_decoder_free (dec);
  }
}

/* ------------------------------------------------------------------ */

static EtwEvent
file_event (Buf *b, uint8_t opcode, uint8_t v)
{
  EtwEvent ev = mk_kernel (&ETW_GUID_FILEIO, opcode, v, b);
  ev.pid = 0xFFFFFFFF;
  return ev;
}

static void
test_fileio (void)
{
  for (uint8_t v = 2; v <= 3; v++)
    for (unsigned ps = 4; ps <= 8; ps += 4)
      {
        EtwDecoder *dec = etw_decoder_new ();
        Buf b, t;
        EtwEvent ev;
        const EtwDecoded *d;
        const uint64_t fo = 0xffffca8600001000ull & (ps == 8 ? ~0ull : 0xFFFFFFFFull);
        const uint64_t key = fo + 0x500, irp = fo + 0x900;
        static const struct
        {
          uint8_t     opcode;
          const char *operation;
        } ops[] = {
          { 65, "CloseFile" }, { 66, "IRP_MJ_CLOSE" }, { 73, "FlushBuffersFile" },
          { 69, "SetInformationFile" }, { 70, "SetDispositionInformationFile" },
          { 71, "SetRenameInformationFile" }, { 74, "QueryInformationFile" },
          { 75, "FileSystemControl" },
        };

        /* The thread → process map gives FileIo events their process. */
        thread_payload (&t, 8, 2, 3, false);
        ev = mk_kernel (&ETW_GUID_THREAD, 3, 2, &t);
        etw_decoder_observe (dec, &ev);

        /* Create: the open path names the file object. */
        buf_init (&b, ps);
        put_ptr (&b, irp);
        if (v == 2)
          {
            put_ptr (&b, 77);
            put_ptr (&b, fo);
          }
        else
          {
            put_ptr (&b, fo);
            put_u32 (&b, 77);
          }
        put_u32 (&b, 0x01000060);
        put_u32 (&b, 0x80);
        put_u32 (&b, 3);
        put_wsz (&b, "\\Device\\HarddiskVolume3\\Users\\a\\x.txt");
        ev = file_event (&b, 64, v);
        d = run (dec, &ev);
        tap_check (field_u (d, "IrpPtr", ETW_VAL_POINTER, irp) && field_u (d, "TTID", ETW_VAL_UINT, 77) &&
                   field_u (d, "FileObject", ETW_VAL_POINTER, fo) &&
                   field_u (d, "CreateOptions", ETW_VAL_HEX, 0x01000060) &&
                   field_u (d, "ShareAccess", ETW_VAL_HEX, 3) &&
                   field_s (d, "OpenPath", "\\Device\\HarddiskVolume3\\Users\\a\\x.txt") && !d->malformed &&
                   str_is (d->operation, "CreateFile") && str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\x.txt") &&
                   d->pid == 4321 && strstr (d->detail, "Disposition: Open") != NULL,
                   "FileIo v%u (%u-byte pointers) Create", v, ps);

        /* Its completion reads like the request. */
        buf_init (&b, ps);
        put_ptr (&b, irp);
        put_ptr (&b, 1);
        put_u32 (&b, 0xC0000034);
        ev = file_event (&b, 76, v);
        d = run (dec, &ev);
        tap_check (field_u (d, "NtStatus", ETW_VAL_STATUS, 0xC0000034) && str_is (d->operation, "CreateFile") &&
                   str_is (d->result, "NAME NOT FOUND") && str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\x.txt"),
                   "FileIo v%u (%u-byte pointers) OpEnd: status and its request's operation and path", v, ps);

        /* A rundown names the key; ops resolve key first, then object. */
        buf_init (&b, ps);
        put_ptr (&b, key);
        put_wsz (&b, "\\Device\\HarddiskVolume3\\Users\\a\\key.txt");
        ev = file_event (&b, 36, v);
        d = run (dec, &ev);
        tap_check (field_u (d, "FileObject", ETW_VAL_POINTER, key) && d->operation == NULL &&
                   str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\key.txt"),
                   "FileIo v%u (%u-byte pointers) FileRundown names a file key", v, ps);

        /* Read. */
        buf_init (&b, ps);
        put_u64 (&b, 4096);
        put_ptr (&b, irp);
        if (v == 2)
          {
            put_ptr (&b, 77);
            put_ptr (&b, fo);
            put_ptr (&b, key);
          }
        else
          {
            put_ptr (&b, fo);
            put_ptr (&b, key);
            put_u32 (&b, 77);
          }
        put_u32 (&b, 512);
        put_u32 (&b, 0x900);
        ev = file_event (&b, 67, v);
        d = run (dec, &ev);
        tap_check (field_u (d, "Offset", ETW_VAL_UINT, 4096) && field_u (d, "IoSize", ETW_VAL_UINT, 512) &&
                   field_u (d, "FileKey", ETW_VAL_POINTER, key) && field_u (d, "IoFlags", ETW_VAL_HEX, 0x900) &&
                   str_is (d->operation, "ReadFile") &&
                   str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\key.txt") &&
                   strstr (d->detail, "Offset: 4096, Length: 512") != NULL && d->pid == 4321 &&
                   summary_matches (dec, &ev) && !d->malformed,
                   "FileIo v%u (%u-byte pointers) Read", v, ps);

        /* The simple and info groups. */
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
          {
            bool info = ops[k].opcode != 65 && ops[k].opcode != 66 && ops[k].opcode != 73;
            buf_init (&b, ps);
            put_ptr (&b, irp);
            if (v == 2)
              {
                put_ptr (&b, 77);
                put_ptr (&b, fo);
                put_ptr (&b, 0);
                if (info)
                  {
                    put_ptr (&b, 0x20);
                    put_u32 (&b, 13);
                  }
              }
            else
              {
                put_ptr (&b, fo);
                put_ptr (&b, 0);
                if (info)
                  put_ptr (&b, 0x20);
                put_u32 (&b, 77);
                if (info)
                  put_u32 (&b, 13);
              }
            ev = file_event (&b, ops[k].opcode, v);
            d = run (dec, &ev);
            tap_check (str_is (d->operation, ops[k].operation) &&
                       str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\x.txt") &&
                       field_u (d, "TTID", ETW_VAL_UINT, 77) &&
                       (!info || (field_u (d, "InfoClass", ETW_VAL_UINT, 13) &&
                                  field_u (d, "ExtraInfo", ETW_VAL_POINTER, 0x20))) &&
                       !d->malformed && b.n == (size_t) (info ? (v == 2 ? 5 * ps + 4 : 4 * ps + 8) : (v == 2 ? 4 * ps : 3 * ps + 4)),
                       "FileIo v%u (%u-byte pointers) opcode %u: %s", v, ps, ops[k].opcode, ops[k].operation);
          }

        /* DirEnum: the pattern is a detail, the path is the directory's. */
        buf_init (&b, ps);
        put_ptr (&b, irp);
        if (v == 2)
          {
            put_ptr (&b, 77);
            put_ptr (&b, fo);
            put_ptr (&b, key);
          }
        else
          {
            put_ptr (&b, fo);
            put_ptr (&b, key);
            put_u32 (&b, 77);
          }
        put_u32 (&b, 616);
        put_u32 (&b, 37);
        put_u32 (&b, 0);
        put_wsz (&b, "*.dll");
        ev = file_event (&b, 72, v);
        d = run (dec, &ev);
        tap_check (str_is (d->operation, "QueryDirectory") && field_s (d, "FileName", "*.dll") &&
                   field_u (d, "Length", ETW_VAL_UINT, 616) &&
                   str_is (d->path, "\\Device\\HarddiskVolume3\\Users\\a\\key.txt") &&
                   strstr (d->detail, "Filter: *.dll") != NULL && !d->malformed,
                   "FileIo v%u (%u-byte pointers) DirEnum", v, ps);
        etw_decoder_free (dec);
      }

  /* v3 path operations (recent builds). */
  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b;
    EtwEvent ev;
    const EtwDecoded *d;

    buf_init (&b, 8);
    put_ptr (&b, 1);
    put_ptr (&b, 2);
    put_ptr (&b, 3);
    put_ptr (&b, 4);
    put_u32 (&b, 77);
    put_u32 (&b, 64);
    put_wsz (&b, "\\Device\\HarddiskVolume3\\gone.txt");
    ev = file_event (&b, 79, 3);
    d = run (dec, &ev);
    tap_check (str_is (d->event_name, "FileIo/DeletePath") && str_is (d->path, "\\Device\\HarddiskVolume3\\gone.txt") &&
               field_u (d, "InfoClass", ETW_VAL_UINT, 64) && !d->malformed,
               "FileIo v3 DeletePath");
    etw_decoder_free (dec);
  }
}

/* ------------------------------------------------------------------ */

static void
test_diskio (void)
{
  for (uint8_t v = 2; v <= 3; v++)
    {
      EtwDecoder *dec = etw_decoder_new ();
      Buf b, t, n;
      EtwEvent ev;
      const EtwDecoded *d;

      thread_payload (&t, 8, 2, 3, false);
      ev = mk_kernel (&ETW_GUID_THREAD, 3, 2, &t);
      etw_decoder_observe (dec, &ev);
      buf_init (&n, 8);
      put_ptr (&n, 0xABC0);
      put_wsz (&n, "\\Device\\HarddiskVolume3\\pagefile.sys");
      ev = file_event (&n, 0, 3);
      etw_decoder_observe (dec, &ev);

      buf_init (&b, 8);
      put_u32 (&b, 1);
      put_u32 (&b, 0x60043);
      put_u32 (&b, 65536);
      put_u32 (&b, 0);
      put_u64 (&b, 0x12345000);
      put_ptr (&b, 0xABC0);
      put_ptr (&b, 0xDEF0);
      put_u64 (&b, 1500);
      if (v == 3)
        put_u32 (&b, 77);
      ev = mk_kernel (&ETW_GUID_DISKIO, 11, v, &b);
      ev.pid = 0;
      d = run (dec, &ev);
      tap_check (field_u (d, "DiskNumber", ETW_VAL_UINT, 1) && field_u (d, "TransferSize", ETW_VAL_UINT, 65536) &&
                 field_u (d, "ByteOffset", ETW_VAL_UINT, 0x12345000) && field_u (d, "Irp", ETW_VAL_POINTER, 0xDEF0) &&
                 field_u (d, "HighResResponseTime", ETW_VAL_UINT, 1500) &&
                 (v == 2 ? find_field (d, "IssuingThreadId") == NULL : field_u (d, "IssuingThreadId", ETW_VAL_UINT, 77)) &&
                 str_is (d->operation, "DiskWrite") && str_is (d->path, "\\Device\\HarddiskVolume3\\pagefile.sys") &&
                 d->pid == (v == 3 ? 4321u : 0u) && !d->malformed,
                 "DiskIo v%u Write: fields, path by file object, process by issuing thread", v);

      buf_init (&b, 8);
      put_u32 (&b, 0);
      put_u32 (&b, 0);
      put_u64 (&b, 99);
      put_ptr (&b, 0xDEF0);
      if (v == 3)
        put_u32 (&b, 77);
      ev = mk_kernel (&ETW_GUID_DISKIO, 14, v, &b);
      d = run (dec, &ev);
      tap_check (str_is (d->operation, "DiskFlush") && field_u (d, "HighResResponseTime", ETW_VAL_UINT, 99) &&
                 field_u (d, "Irp", ETW_VAL_POINTER, 0xDEF0) && !d->malformed,
                 "DiskIo v%u FlushBuffers", v);
      etw_decoder_free (dec);
    }
}

/* ------------------------------------------------------------------ */

static void
reg_payload (Buf *b, uint8_t v, unsigned ps, uint32_t status, uint64_t kcb, const char *name)
{
  buf_init (b, ps);
  if (v == 2)
    {
      put_u64 (b, 123456);
      put_u32 (b, status);
      put_u32 (b, 0);
      put_ptr (b, kcb);
    }
  else
    {
      put_ptr (b, status);
      put_ptr (b, kcb);
      put_u64 (b, 42);
      if (v == 1)
        put_u32 (b, 0);
    }
  put_wsz (b, name);
}

static void
test_registry (void)
{
  for (uint8_t v = 0; v <= 2; v++)
    for (unsigned ps = 4; ps <= 8; ps += 4)
      {
        EtwDecoder *dec = etw_decoder_new ();
        Buf b;
        EtwEvent ev;
        const EtwDecoded *d;

        if (v >= 1)
          {
            reg_payload (&b, v, ps, 0, 0x8a00, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor");
            ev = mk_kernel (&ETW_GUID_REGISTRY, 22, v, &b);
            d = run (dec, &ev);
            tap_check (d->operation == NULL && str_is (d->path, "HKLM\\SOFTWARE\\Vendor") &&
                       field_u (d, "KeyHandle", ETW_VAL_POINTER, 0x8a00),
                       "Registry v%u (%u-byte pointers) KCB create names a KCB", v, ps);
          }
        else
          {
            /* v0 has no KCB events: an open by absolute name. */
            reg_payload (&b, v, ps, 0, 0, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor");
            ev = mk_kernel (&ETW_GUID_REGISTRY, 11, v, &b);
            d = run (dec, &ev);
            tap_check (str_is (d->operation, "RegOpenKey") && str_is (d->path, "HKLM\\SOFTWARE\\Vendor") &&
                       str_is (d->result, "SUCCESS") && field_u (d, "ElapsedTime", ETW_VAL_INT, 42),
                       "Registry v0 (%u-byte pointers) open by absolute name", ps);
            etw_decoder_free (dec);
            continue;
          }

        reg_payload (&b, v, ps, 0xC0000034, 0x8a00, "Setting");
        ev = mk_kernel (&ETW_GUID_REGISTRY, 16, v, &b);
        d = run (dec, &ev);
        tap_check (field_u (d, "Status", ETW_VAL_STATUS, 0xC0000034) && field_s (d, "KeyName", "Setting") &&
                   str_is (d->operation, "RegQueryValue") && str_is (d->path, "HKLM\\SOFTWARE\\Vendor\\Setting") &&
                   str_is (d->result, "NAME NOT FOUND") && (v != 2 || field_u (d, "InitialTime", ETW_VAL_INT, 123456)) &&
                   !d->malformed && summary_matches (dec, &ev),
                   "Registry v%u (%u-byte pointers) QueryValue: the KCB's key and the value name", v, ps);

        reg_payload (&b, v, ps, 0, 0x8a00, "Sub\\Key");
        ev = mk_kernel (&ETW_GUID_REGISTRY, 10, v, &b);
        d = run (dec, &ev);
        tap_check (str_is (d->operation, "RegCreateKey") && str_is (d->path, "HKLM\\SOFTWARE\\Vendor\\Sub\\Key"),
                   "Registry v%u (%u-byte pointers) CreateKey relative to the KCB", v, ps);

        reg_payload (&b, v, ps, 0x103, 0x8a00, "");
        ev = mk_kernel (&ETW_GUID_REGISTRY, v == 2 ? 27 : 21, v, &b);
        d = run (dec, &ev);
        tap_check (str_is (d->path, "HKLM\\SOFTWARE\\Vendor") && str_is (d->result, "PENDING"),
                   "Registry v%u (%u-byte pointers) key operation on a KCB", v, ps);
        etw_decoder_free (dec);
      }
}

/* ------------------------------------------------------------------ */

static void
put_net_head (Buf *b, bool v6, uint32_t pid)
{
  static const uint8_t d6[16] = { 0x20, 0x01, 0x48, 0x98, 0, 0xe0, 0, 0x81, 0x7c, 0xb9, 0, 0xab, 0x0c, 0xd5, 0xe6, 0xaf };
  static const uint8_t s6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  static const uint8_t d4[4] = { 93, 184, 216, 34 };
  static const uint8_t s4[4] = { 192, 168, 1, 20 };

  put_u32 (b, pid);
  put_u32 (b, 1460);
  put_bytes (b, v6 ? d6 : d4, v6 ? 16 : 4);
  put_bytes (b, v6 ? s6 : s4, v6 ? 16 : 4);
  put_be16 (b, 443);
  put_be16 (b, 50123);
}

static void
test_network (void)
{
  for (unsigned ps = 4; ps <= 8; ps += 4)
    {
      EtwDecoder *dec = etw_decoder_new ();
      Buf b;
      EtwEvent ev;
      const EtwDecoded *d;

      /* v2 Send: startime, endtime, seqnum, connid. */
      buf_init (&b, ps);
      put_net_head (&b, false, 4321);
      put_u32 (&b, 10);
      put_u32 (&b, 20);
      put_u32 (&b, 0x5EC);
      put_ptr (&b, 0xC0DD);
      ev = mk_kernel (&ETW_GUID_TCPIP, 10, 2, &b);
      ev.pid = 4;
      d = run (dec, &ev);
      tap_check (field_u (d, "PID", ETW_VAL_UINT, 4321) && field_u (d, "size", ETW_VAL_UINT, 1460) &&
                 field_u (d, "dport", ETW_VAL_UINT, 443) && field_u (d, "sport", ETW_VAL_UINT, 50123) &&
                 field_u (d, "startime", ETW_VAL_UINT, 10) && field_u (d, "seqnum", ETW_VAL_UINT, 0x5EC) &&
                 field_u (d, "connid", ETW_VAL_POINTER, 0xC0DD) && d->pid == 4321 &&
                 find_field (d, "daddr")->type == ETW_VAL_IPV4 && find_field (d, "daddr")->v.ip[0] == 93 &&
                 str_is (d->operation, "TCP Send") &&
                 str_is (d->path, "192.168.1.20:50123 \xe2\x86\x92 93.184.216.34:443") && !d->malformed &&
                 summary_matches (dec, &ev),
                 "TcpIp v2 (%u-byte pointers) Send IPv4", ps);

      /* v2 Recv: seqnum at 20, then the pointer-sized connid (schema order). */
      buf_init (&b, ps);
      put_net_head (&b, false, 4321);
      put_u32 (&b, 0x5EC);
      put_ptr (&b, 0xC0DD);
      ev = mk_kernel (&ETW_GUID_TCPIP, 11, 2, &b);
      d = run (dec, &ev);
      tap_check (field_u (d, "seqnum", ETW_VAL_UINT, 0x5EC) && field_u (d, "connid", ETW_VAL_POINTER, 0xC0DD) &&
                 str_is (d->operation, "TCP Receive") && !d->malformed,
                 "TcpIp v2 (%u-byte pointers) Recv follows the schema's seqnum, connid order", ps);

      /* v1 Recv: connid first. */
      buf_init (&b, ps);
      put_net_head (&b, false, 4321);
      put_ptr (&b, 0xC0DD);
      put_u32 (&b, 0x5EC);
      ev = mk_kernel (&ETW_GUID_TCPIP, 11, 1, &b);
      d = run (dec, &ev);
      tap_check (field_u (d, "seqnum", ETW_VAL_UINT, 0x5EC) && field_u (d, "connid", ETW_VAL_POINTER, 0xC0DD) &&
                 !d->malformed,
                 "TcpIp v1 (%u-byte pointers) Recv: connid before seqnum", ps);

      /* v2 Accept IPv6. */
      buf_init (&b, ps);
      put_net_head (&b, true, 4321);
      put_u16 (&b, 1440);
      put_u16 (&b, 1);
      put_u16 (&b, 0);
      put_u16 (&b, 1);
      put_u32 (&b, 65535);
      put_u16 (&b, 8);
      put_u16 (&b, 8);
      put_u32 (&b, 7);
      put_ptr (&b, 0xC0DD);
      ev = mk_kernel (&ETW_GUID_TCPIP, 31, 2, &b);
      d = run (dec, &ev);
      tap_check (field_u (d, "mss", ETW_VAL_UINT, 1440) && field_u (d, "rcvwin", ETW_VAL_UINT, 65535) &&
                 field_u (d, "rcvwinscale", ETW_VAL_INT, 8) && field_u (d, "seqnum", ETW_VAL_UINT, 7) &&
                 find_field (d, "saddr")->type == ETW_VAL_IPV6 && str_is (d->operation, "TCP Accept") &&
                 str_is (d->path, "[fe80::1]:50123 \xe2\x86\x92 [2001:4898:e0:81:7cb9:ab:cd5:e6af]:443") &&
                 !d->malformed,
                 "TcpIp v2 (%u-byte pointers) Accept IPv6", ps);

      /* UdpIp v2 Recv IPv6, v1 Send, v0 Send. */
      buf_init (&b, ps);
      put_net_head (&b, true, 4321);
      put_u32 (&b, 3);
      put_ptr (&b, 9);
      ev = mk_kernel (&ETW_GUID_UDPIP, 27, 2, &b);
      d = run (dec, &ev);
      tap_check (str_is (d->operation, "UDP Receive") && field_u (d, "connid", ETW_VAL_POINTER, 9) && !d->malformed,
                 "UdpIp v2 (%u-byte pointers) Recv IPv6", ps);
      buf_init (&b, ps);
      put_net_head (&b, false, 4321);
      ev = mk_kernel (&ETW_GUID_UDPIP, 10, 1, &b);
      d = run (dec, &ev);
      tap_check (str_is (d->operation, "UDP Send") && d->n_fields == 6 && d->pid == 4321 && !d->malformed,
                 "UdpIp v1 (%u-byte pointers) Send has the six head fields", ps);
      buf_init (&b, ps);
      put_ptr (&b, 0x77);
      put_u8 (&b, 10); put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 1);
      put_be16 (&b, 53);
      put_u16 (&b, 60);
      put_u8 (&b, 10); put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 2);
      put_be16 (&b, 5353);
      put_u16 (&b, 64);
      ev = mk_kernel (&ETW_GUID_UDPIP, 10, 0, &b);
      d = run (dec, &ev);
      tap_check (field_u (d, "sport", ETW_VAL_UINT, 53) && field_u (d, "size", ETW_VAL_UINT, 60) &&
                 field_u (d, "dsize", ETW_VAL_UINT, 64) && str_is (d->path, "10.0.0.1:53 \xe2\x86\x92 10.0.0.2:5353") &&
                 !d->malformed,
                 "UdpIp v0 (%u-byte pointers) Send", ps);
      etw_decoder_free (dec);
    }

  {
    EtwDecoder *dec = etw_decoder_new ();
    Buf b;
    EtwEvent ev;
    const EtwDecoded *d;

    buf_init (&b, 8);
    put_u8 (&b, 1); put_u8 (&b, 2); put_u8 (&b, 3); put_u8 (&b, 4);
    put_u8 (&b, 5); put_u8 (&b, 6); put_u8 (&b, 7); put_u8 (&b, 8);
    put_be16 (&b, 80);
    put_be16 (&b, 1025);
    put_u32 (&b, 99);
    put_u32 (&b, 4321);
    ev = mk_kernel (&ETW_GUID_TCPIP, 12, 0, &b);
    d = run (dec, &ev);
    tap_check (d->pid == 4321 && str_is (d->path, "5.6.7.8:1025 \xe2\x86\x92 1.2.3.4:80") &&
               field_u (d, "size", ETW_VAL_UINT, 99) && str_is (d->operation, "TCP Connect"),
               "TcpIp v0 Connect: addresses, ports, size, PID");
    buf_init (&b, 8);
    put_u16 (&b, 6);
    put_u16 (&b, 0x274d);
    ev = mk_kernel (&ETW_GUID_TCPIP, 17, 2, &b);
    d = run (dec, &ev);
    tap_check (field_u (d, "Proto", ETW_VAL_UINT, 6) && field_u (d, "FailureCode", ETW_VAL_UINT, 0x274d) &&
               str_is (d->operation, "TCP Fail") && str_is (d->result, "0x274d"),
               "TcpIp v2 Fail");
    etw_decoder_free (dec);
  }
}

/* ------------------------------------------------------------------ */

static void
test_stackwalk_and_trace (void)
{
  for (unsigned ps = 4; ps <= 8; ps += 4)
    {
      EtwDecoder *dec = etw_decoder_new ();
      Buf b;
      EtwEvent ev;
      const EtwDecoded *d;
      const EtwField *a;

      buf_init (&b, ps);
      put_u64 (&b, 987654321);
      put_u32 (&b, 4321);
      put_u32 (&b, 77);
      put_ptr (&b, 0x1001);
      put_ptr (&b, 0x1002);
      put_ptr (&b, 0x1003);
      ev = mk_kernel (&ETW_GUID_STACKWALK, 32, 2, &b);
      ev.xflags |= ETW_XFLAG_STACK_WALK;
      d = run (dec, &ev);
      a = find_field (d, "Stack");
      tap_check (field_u (d, "EventTimeStamp", ETW_VAL_UINT, 987654321) && field_u (d, "StackThread", ETW_VAL_UINT, 77) &&
                 a != NULL && a->type == ETW_VAL_ARRAY_BEGIN && a->len == 3 &&
                 d->fields[d->n_fields - 2].type == ETW_VAL_POINTER && d->fields[d->n_fields - 2].v.u == 0x1003 &&
                 fields_well_formed (d) && d->pid == 4321 && str_is (d->event_name, "StackWalk/Stack"),
                 "StackWalk (%u-byte pointers) Stack: time stamp, thread and frames", ps);

      /* The log-file header. */
      buf_init (&b, ps);
      put_u32 (&b, 65536);
      put_u32 (&b, 0x0501000a);
      put_u32 (&b, 18362);
      put_u32 (&b, 2);
      put_u64 (&b, 132273837534159885ull);
      put_u32 (&b, 156250);
      put_u32 (&b, 20);
      put_u32 (&b, 0x2000080);
      put_u32 (&b, 49);
      put_u32 (&b, 1);
      put_u32 (&b, ps);
      put_u32 (&b, 3);
      put_u32 (&b, 1992);
      put_ptr (&b, 5);
      put_ptr (&b, 7);
      put_u32 (&b, (uint32_t) -60);
      for (int i = 0; i < 32; i++)
        put_u16 (&b, i < 3 ? "UTC"[i] : 0);
      for (int i = 0; i < 8; i++)
        put_u16 (&b, 0);
      put_u32 (&b, 0);
      for (int i = 0; i < 32; i++)
        put_u16 (&b, 0);
      for (int i = 0; i < 8; i++)
        put_u16 (&b, 0);
      put_u32 (&b, (uint32_t) -60);
      put_u32 (&b, 0);
      put_u64 (&b, 132273542275000000ull);
      put_u64 (&b, 10000000);
      put_u64 (&b, 132273542277445790ull);
      put_u32 (&b, 1);
      put_u32 (&b, 0);
      put_wsz (&b, "PerfDiag Logger");
      put_wsz (&b, "C:\\x.etl");
      ev = mk_kernel (&ETW_GUID_EVENTTRACE, 0, 2, &b);
      d = run (dec, &ev);
      tap_check (field_u (d, "PointerSize", ETW_VAL_UINT, ps) && field_u (d, "EventsLost", ETW_VAL_UINT, 3) &&
                 field_u (d, "PerfFreq", ETW_VAL_UINT, 10000000) &&
                 field_u (d, "StartTime", ETW_VAL_FILETIME, 132273542277445790ull) &&
                 field_s (d, "SessionNameString", "PerfDiag Logger") && field_s (d, "LogFileNameString", "C:\\x.etl") &&
                 find_field (d, "TimeZoneInformation") != NULL && fields_well_formed (d) && !d->malformed &&
                 str_is (d->event_name, "EventTrace/Header"),
                 "EventTrace header (%u-byte pointers)", ps);
      etw_decoder_free (dec);
    }

  {
    EtwDecoder *dec = etw_decoder_new ();
    EtwEvent ev = mk_event (&ETW_GUID_LOST_EVENT, ETW_HDR_LIVE, 0, 32, 0, 8, NULL, 0);
    const EtwDecoded *d = run (dec, &ev);

    tap_check (str_is (d->event_name, "Lost_Event/RTLostEvent") && str_is (d->provider_name, "Lost_Event") &&
               d->n_fields == 0,
               "a real-time lost-event record is named");
    etw_decoder_free (dec);
  }
}

/* ------------------------------------------------------------------ */
/* Manifest kernel providers                                             */

static void
test_manifest_kernel (void)
{
  EtwDecoder *dec = etw_decoder_new ();
  Buf b;
  EtwEvent ev;
  const EtwDecoded *d;

  /* Kernel-Network 10 (N4S): no pointers, ports big-endian. */
  buf_init (&b, 8);
  put_net_head (&b, false, 4321);
  put_u32 (&b, 1);
  put_u32 (&b, 2);
  put_u32 (&b, 3);
  put_u32 (&b, 4);
  ev = mk_event (&ETW_GUID_KERNEL_NETWORK, ETW_HDR_EVENT, 10, 10, 0, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (b.n == 36 && field_u (d, "connid", ETW_VAL_UINT, 4) && field_u (d, "dport", ETW_VAL_UINT, 443) &&
             str_is (d->event_name, "TCPv4/Send") && str_is (d->operation, "TCP Send") && d->pid == 4321 &&
             str_is (d->path, "192.168.1.20:50123 \xe2\x86\x92 93.184.216.34:443") && !d->malformed,
             "Kernel-Network 10 TCPv4 send (36 bytes)");
  buf_init (&b, 8);
  put_net_head (&b, true, 4321);
  put_u32 (&b, 3);
  put_u32 (&b, 4);
  ev = mk_event (&ETW_GUID_KERNEL_NETWORK, ETW_HDR_EVENT, 59, 43, 0, 4, b.b, b.n);
  d = run (dec, &ev);
  tap_check (b.n == 52 && str_is (d->operation, "UDP Receive") && find_field (d, "daddr")->type == ETW_VAL_IPV6 &&
             !d->malformed,
             "Kernel-Network 59 UDPv6 receive (52 bytes)");

  /* Kernel-File 12 v1 then 15 v1: the read finds the create's path. */
  buf_init (&b, 8);
  put_ptr (&b, 0x9000);
  put_ptr (&b, 0x1000);
  put_u32 (&b, 77);
  put_u32 (&b, 0x01000000);
  put_u32 (&b, 0);
  put_u32 (&b, 7);
  put_wsz (&b, "\\Device\\HarddiskVolume2\\data.bin");
  ev = mk_event (&ETW_GUID_KERNEL_FILE, ETW_HDR_EVENT, 12, 0, 1, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (str_is (d->event_name, "Create") && str_is (d->operation, "CreateFile") &&
             field_u (d, "IssuingThreadId", ETW_VAL_UINT, 77) && field_u (d, "CreateOptions", ETW_VAL_HEX, 0x01000000) &&
             str_is (d->path, "\\Device\\HarddiskVolume2\\data.bin") && !d->malformed,
             "Kernel-File 12 v1 Create");
  buf_init (&b, 8);
  put_u64 (&b, 0x200);
  put_ptr (&b, 0x9001);
  put_ptr (&b, 0x1000);
  put_ptr (&b, 0x2000);
  put_u32 (&b, 77);
  put_u32 (&b, 0x100);
  put_u32 (&b, 0);
  put_u32 (&b, 0);
  ev = mk_event (&ETW_GUID_KERNEL_FILE, ETW_HDR_EVENT, 15, 0, 1, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (b.n == 48 && str_is (d->operation, "ReadFile") && field_u (d, "IOSize", ETW_VAL_HEX, 0x100) &&
             field_u (d, "ByteOffset", ETW_VAL_HEX, 0x200) && str_is (d->path, "\\Device\\HarddiskVolume2\\data.bin") &&
             !d->malformed,
             "Kernel-File 15 v1 Read (48 bytes) resolves its file object");
  ev.version = 7;
  d = run (dec, &ev);
  tap_check (d->n_fields == 1 && find_field (d, "Payload") != NULL && find_field (d, "Payload")->len == 48 &&
             str_is (d->event_name, "Read"),
             "Kernel-File with a version we have no template for: raw bytes, never a neighbouring template");

  /* Kernel-Registry: OpenKey names a key object; SetValueKey uses it, and
   * its captured data is CapturedDataSize long. */
  buf_init (&b, 8);
  put_ptr (&b, 0);
  put_ptr (&b, 0xAB00);
  put_u32 (&b, 0);
  put_u32 (&b, 1);
  put_wsz (&b, "");
  put_wsz (&b, "\\REGISTRY\\USER\\S-1-5-21-1\\Software");
  ev = mk_event (&ETW_GUID_KERNEL_REGISTRY, ETW_HDR_EVENT, 2, 33, 0, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (str_is (d->operation, "RegOpenKey") && str_is (d->path, "HKU\\S-1-5-21-1\\Software") &&
             str_is (d->result, "SUCCESS") && !d->malformed,
             "Kernel-Registry 2 OpenKey");
  buf_init (&b, 8);
  put_ptr (&b, 0xAB00);
  put_u32 (&b, 0);
  put_u32 (&b, 1);
  put_u32 (&b, 10);
  put_wsz (&b, "");
  put_wsz (&b, "Theme");
  put_u16 (&b, 4);
  put_u32 (&b, 0x00650044);
  put_u32 (&b, 1);
  put_u32 (&b, 6);
  put_u16 (&b, 2);
  put_u16 (&b, 0x0041);
  ev = mk_event (&ETW_GUID_KERNEL_REGISTRY, ETW_HDR_EVENT, 5, 36, 0, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (str_is (d->operation, "RegSetValue") && str_is (d->path, "HKU\\S-1-5-21-1\\Software\\Theme") &&
             find_field (d, "CapturedData") != NULL && find_field (d, "CapturedData")->len == 4 &&
             find_field (d, "PreviousData") != NULL && find_field (d, "PreviousData")->len == 2 &&
             field_u (d, "PreviousDataSize", ETW_VAL_UINT, 6) && !d->malformed,
             "Kernel-Registry 5 SetValueKey with captured data");

  /* Kernel-Process 1 v3: the plain SID, the NT path, the process name. */
  buf_init (&b, 8);
  put_u32 (&b, 6000);
  put_u64 (&b, 17);
  put_u64 (&b, 132273542277445790ull);
  put_u32 (&b, 4321);
  put_u64 (&b, 5);
  put_u32 (&b, 1);
  put_u32 (&b, 0);
  put_u32 (&b, 3);
  put_u32 (&b, 1);
  put_u8 (&b, 1); put_u8 (&b, 1);
  put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 0); put_u8 (&b, 16);
  put_u32 (&b, 0x3000);
  put_wsz (&b, "\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe");
  put_u32 (&b, 0x1234);
  put_u32 (&b, 0x5678);
  put_wsz (&b, "");
  put_wsz (&b, "");
  ev = mk_event (&ETW_GUID_KERNEL_PROCESS, ETW_HDR_EVENT, 1, 1, 3, 8, b.b, b.n);
  d = run (dec, &ev);
  tap_check (field_s (d, "MandatoryLabel", "S-1-16-12288") && field_u (d, "ParentProcessID", ETW_VAL_UINT, 4321) &&
             field_u (d, "ProcessSequenceNumber", ETW_VAL_UINT, 17) && field_u (d, "TimeDateStamp", ETW_VAL_HEX, 0x5678) &&
             d->pid == 6000 && str_is (d->process_name, "cmd.exe") && str_is (d->operation, "Process Start") &&
             str_is (d->event_name, "ProcessStart") && !d->malformed,
             "Kernel-Process 1 v3 ProcessStart with its mandatory label");
  etw_decoder_free (dec);
}

/* ------------------------------------------------------------------ */

static void
test_unknown_manifest (void)
{
  EtwDecoder *dec = etw_decoder_new ();
  static const uint8_t payload[] = { 1, 2, 3, 4, 5 };
  static const uint8_t text[] = { 'h', 0, 'i', 0, 0, 0 };
  EtwEvent ev = mk_event (&ETW_GUID_KERNEL_PROCESS, ETW_HDR_EVENT, 7937, 20, 1, 8, payload, sizeof payload);
  EtwGuid ps;
  const EtwDecoded *d;

  etw_guid_parse ("a0c1853b-5c40-4b15-8766-3cf1c58f985a", &ps);
  ev.provider = ps;
  ev.keyword = 0x8000000000000001ull;
  d = run (dec, &ev);
  tap_check (d->n_fields == 1 && d->fields[0].type == ETW_VAL_BINARY && d->fields[0].len == 5 &&
             d->fields[0].v.b == payload && str_is (d->provider_name, "Microsoft-Windows-PowerShell") &&
             d->event_name == NULL && d->operation == NULL &&
             str_is (d->detail, "Event ID 7937, version 1, opcode 20, level 4, keywords 0x8000000000000001, 5 bytes"),
             "a manifest event without a schema: the bytes, the header facts, no guessed fields");
  ev.payload = text;
  ev.payload_len = sizeof text;
  ev.flags |= ETW_FLAG_STRING_ONLY;
  d = run (dec, &ev);
  tap_check (d->n_fields == 1 && field_s (d, "Message", "hi"), "a string-only event is its message");
  etw_decoder_free (dec);
}

/* ------------------------------------------------------------------ */
/* TraceLogging                                                          */

typedef struct
{
  Buf meta;
  Buf traits;
  Buf data;
} Tl;

static void
tl_begin (Tl *t, const char *event, unsigned ps)
{
  buf_init (&t->meta, ps);
  buf_init (&t->traits, ps);
  buf_init (&t->data, ps);
  put_u16 (&t->meta, 0);      /* size, patched by tl_event */
  put_u8 (&t->meta, 0);       /* tags */
  put_asz (&t->meta, event);
  put_u16 (&t->traits, 0);
  put_asz (&t->traits, "Contoso.Widgets");
}

static void
tl_field (Tl *t, const char *name, uint8_t in, int out)
{
  put_asz (&t->meta, name);
  if (out >= 0)
    {
      put_u8 (&t->meta, in | 0x80);
      put_u8 (&t->meta, (uint8_t) out);
    }
  else
    put_u8 (&t->meta, in);
}

static EtwEvent
tl_event (Tl *t)
{
  static const EtwGuid g = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
  EtwEvent ev = mk_event (&g, ETW_HDR_EVENT, 0, 0, 0, t->data.ps, t->data.b, t->data.n);

  t->meta.b[0] = (uint8_t) t->meta.n;
  t->meta.b[1] = (uint8_t) (t->meta.n >> 8);
  t->traits.b[0] = (uint8_t) t->traits.n;
  t->traits.b[1] = (uint8_t) (t->traits.n >> 8);
  ev.n_ext = 2;
  ev.ext[0].type = ETW_EXT_PROV_TRAITS;
  ev.ext[0].size = (uint16_t) t->traits.n;
  ev.ext[0].data = t->traits.b;
  ev.ext[1].type = ETW_EXT_EVENT_SCHEMA_TL;
  ev.ext[1].size = (uint16_t) t->meta.n;
  ev.ext[1].data = t->meta.b;
  ev.flags |= ETW_FLAG_EXTENDED_INFO;
  ev.xflags |= ETW_XFLAG_TRACELOGGING;
  return ev;
}

static void
test_tracelogging (void)
{
  static Tl t;
  EtwDecoder *dec = etw_decoder_new ();
  EtwEvent ev;
  const EtwDecoded *d;
  const EtwField *f;
  float fl = 1.5f;
  uint32_t flbits;

  memcpy (&flbits, &fl, sizeof flbits);
  tl_begin (&t, "Everything", 4);
  tl_field (&t, "i8", 3, -1);            put_u8 (&t.data, 0xFE);
  tl_field (&t, "u16", 6, -1);           put_u16 (&t.data, 65000);
  tl_field (&t, "port", 6, 7);           put_be16 (&t.data, 8080);
  tl_field (&t, "f", 11, -1);            put_u32 (&t.data, flbits);
  tl_field (&t, "d", 12, -1);            put_u64 (&t.data, 0x400921fb54442d18ull);
  tl_field (&t, "b32", 13, -1);          put_u32 (&t.data, 1);
  tl_field (&t, "bin", 14, -1);          put_u16 (&t.data, 3); put_u8 (&t.data, 0xAA); put_u8 (&t.data, 0xBB); put_u8 (&t.data, 0xCC);
  tl_field (&t, "ptr", 16, -1);          put_u32 (&t.data, 0xDEADBEEF);
  tl_field (&t, "sid", 19, -1);
  put_u8 (&t.data, 1); put_u8 (&t.data, 1);
  put_u8 (&t.data, 0); put_u8 (&t.data, 0); put_u8 (&t.data, 0); put_u8 (&t.data, 0); put_u8 (&t.data, 0); put_u8 (&t.data, 5);
  put_u32 (&t.data, 18);
  tl_field (&t, "hex32", 20, -1);        put_u32 (&t.data, 0xF00D);
  tl_field (&t, "hex64", 21, -1);        put_u64 (&t.data, 0xF00DF00DULL);
  tl_field (&t, "cstr", 22, -1);         put_u16 (&t.data, 4); put_u16 (&t.data, 'o'); put_u16 (&t.data, 'k');
  tl_field (&t, "castr", 23, -1);        put_u16 (&t.data, 2); put_u8 (&t.data, 'h'); put_u8 (&t.data, 'i');
  tl_field (&t, "ip4", 8, 8);            put_u8 (&t.data, 10); put_u8 (&t.data, 1); put_u8 (&t.data, 2); put_u8 (&t.data, 3);
  tl_field (&t, "hr", 7, 15);            put_u32 (&t.data, 0x80070005);
  tl_field (&t, "ft", 17, -1);           put_u64 (&t.data, 125911584000000000ull);
  tl_field (&t, "st", 18, -1);
  put_u16 (&t.data, 2020); put_u16 (&t.data, 2); put_u16 (&t.data, 5); put_u16 (&t.data, 28);
  put_u16 (&t.data, 9); put_u16 (&t.data, 3); put_u16 (&t.data, 47); put_u16 (&t.data, 744);
  tl_field (&t, "guid", 15, -1);
  for (int i = 0; i < 16; i++)
    put_u8 (&t.data, (uint8_t) i);
  tl_field (&t, "wstr", 1, -1);          put_wsz (&t.data, "wide");
  /* A struct of two members, the second a nested struct of one. */
  tl_field (&t, "outer", 24, 2);
  tl_field (&t, "x", 8, -1);             put_u32 (&t.data, 1);
  tl_field (&t, "inner", 24, 1);
  tl_field (&t, "y", 2, -1);             put_asz (&t.data, "deep");
  /* A variable-count array of structs. */
  tl_field (&t, "points", 24 | 0x40, 2); put_u16 (&t.data, 2);
  tl_field (&t, "px", 5, -1);
  tl_field (&t, "py", 5, -1);
  put_u16 (&t.data, 1); put_u16 (&t.data, 2); put_u16 (&t.data, 3); put_u16 (&t.data, (uint16_t) -4);
  /* A constant-count array of UINT16 (the count is in the metadata). */
  put_asz (&t.meta, "cc");
  put_u8 (&t.meta, 6 | 0x20);
  put_u16 (&t.meta, 3);
  put_u16 (&t.data, 7); put_u16 (&t.data, 8); put_u16 (&t.data, 9);
  /* A custom-serialized field: schema bytes in the metadata, data sized. */
  put_asz (&t.meta, "custom");
  put_u8 (&t.meta, 0x60 | 14);
  put_u16 (&t.meta, 2);
  put_u8 (&t.meta, 0x55); put_u8 (&t.meta, 0x66);
  put_u16 (&t.data, 1); put_u8 (&t.data, 0x77);
  ev = tl_event (&t);
  d = run (dec, &ev);

  tap_check (str_is (d->event_name, "Everything") && str_is (d->provider_name, "Contoso.Widgets") &&
             !d->malformed && fields_well_formed (d),
             "TraceLogging: event and provider names from the schema and traits");
  tap_check (field_u (d, "i8", ETW_VAL_INT, (uint64_t) -2) && field_u (d, "u16", ETW_VAL_UINT, 65000) &&
             field_u (d, "port", ETW_VAL_UINT, 8080) && field_u (d, "b32", ETW_VAL_BOOL, 1) &&
             field_u (d, "ptr", ETW_VAL_POINTER, 0xDEADBEEF) && field_u (d, "hex32", ETW_VAL_HEX, 0xF00D) &&
             field_u (d, "hex64", ETW_VAL_HEX, 0xF00DF00D) && field_u (d, "hr", ETW_VAL_STATUS, 0x80070005) &&
             field_u (d, "ft", ETW_VAL_FILETIME, 125911584000000000ull),
             "TraceLogging: integers with their out-types (port, bool, pointer, hex, HRESULT, FILETIME)");
  f = find_field (d, "f");
  tap_check (f != NULL && f->type == ETW_VAL_DOUBLE && f->v.d == 1.5 && (f = find_field (d, "d")) != NULL &&
             f->v.d > 3.14159 && f->v.d < 3.1416,
             "TraceLogging: float and double");
  f = find_field (d, "bin");
  tap_check (f != NULL && f->type == ETW_VAL_BINARY && f->len == 3 && f->v.b[2] == 0xCC &&
             field_s (d, "sid", "S-1-5-18") && field_s (d, "cstr", "ok") && field_s (d, "castr", "hi") &&
             field_s (d, "wstr", "wide") && (f = find_field (d, "ip4")) != NULL && f->type == ETW_VAL_IPV4 &&
             f->v.ip[3] == 3 && (f = find_field (d, "st")) != NULL && f->type == ETW_VAL_SYSTEMTIME &&
             f->v.ip[0] == (2020 & 0xFF) && (f = find_field (d, "guid")) != NULL && f->v.g.data1 == 0x03020100,
             "TraceLogging: binary, SID, counted strings, IPv4, SYSTEMTIME, GUID");
  {
    /* outer { x, inner { y } } */
    uint32_t i = (uint32_t) (find_field (d, "outer") - d->fields);
    tap_check (d->fields[i].type == ETW_VAL_STRUCT_BEGIN && d->fields[i + 1].depth == 1 &&
               strcmp (d->fields[i + 1].name, "x") == 0 && d->fields[i + 2].type == ETW_VAL_STRUCT_BEGIN &&
               d->fields[i + 3].depth == 2 && strcmp (d->fields[i + 3].v.s, "deep") == 0 &&
               d->fields[i + 4].type == ETW_VAL_STRUCT_END && d->fields[i + 5].type == ETW_VAL_STRUCT_END,
               "TraceLogging: nested structs");
    i = (uint32_t) (find_field (d, "points") - d->fields);
    tap_check (d->fields[i].type == ETW_VAL_ARRAY_BEGIN && d->fields[i].len == 2 &&
               d->fields[i + 1].type == ETW_VAL_STRUCT_BEGIN && d->fields[i + 2].v.i == 1 &&
               d->fields[i + 3].v.i == 2 && d->fields[i + 6].v.i == 3 && d->fields[i + 7].v.i == -4 &&
               d->fields[i + 9].type == ETW_VAL_ARRAY_END,
               "TraceLogging: a variable-count array of structs");
    i = (uint32_t) (find_field (d, "cc") - d->fields);
    tap_check (d->fields[i].type == ETW_VAL_ARRAY_BEGIN && d->fields[i].len == 3 && d->fields[i + 3].v.u == 9,
               "TraceLogging: a constant-count array");
    f = find_field (d, "custom");
    tap_check (f != NULL && f->type == ETW_VAL_BINARY && f->len == 1 && f->v.b[0] == 0x77 &&
               f == &d->fields[d->n_fields - 1],
               "TraceLogging: a custom-serialized field is its bytes, and decoding ends there");
  }

  /* Every cut of the data: fields stop, nothing crashes, the list stays
   * well formed. */
  {
    bool ok = true;
    uint32_t full = ev.payload_len;
    for (uint32_t cut = 0; cut < full; cut++)
      {
        ev.payload_len = cut;
        etw_decode (dec, &ev, ETW_DECODE_FIELDS, D);
        ok &= D->malformed && fields_well_formed (D);
      }
    ev.payload_len = full;
    tap_check (ok, "TraceLogging: each of %u shortened payloads is flagged and well formed", full);
  }

  /* A schema bomb: nested arrays of zero-size members cannot run away. */
  {
    Tl bomb;
    tl_begin (&bomb, "Bomb", 8);
    for (int k = 0; k < 6; k++)
      {
        put_asz (&bomb.meta, "a");
        put_u8 (&bomb.meta, 24 | 0x20 | 0x80);
        put_u8 (&bomb.meta, 1);
        put_u16 (&bomb.meta, 0xFFFF);
      }
    put_asz (&bomb.meta, "z");
    put_u8 (&bomb.meta, 0);
    ev = tl_event (&bomb);
    etw_decode (dec, &ev, ETW_DECODE_FIELDS, D);
    tap_check (D->truncated && fields_well_formed (D), "TraceLogging: a nested-array bomb stops at its budget");
  }
  etw_decoder_free (dec);
}

/* ------------------------------------------------------------------ */

static void
test_linux_field_lists (void)
{
  static uint8_t buf[512];
  EtwDecoder *dec = etw_decoder_new ();
  EtwFieldWriter w;
  EtwEvent ev;
  const EtwDecoded *d;
  static const uint8_t a[4] = { 127, 0, 0, 1 };

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "ProcessId", 9001);
  etw_fw_uint (&w, "ParentId", 1);
  etw_fw_string (&w, "ImageFileName", "/usr/bin/curl");
  etw_fw_string (&w, "CommandLine", "curl example.org");
  ev = mk_event (&ETW_GUID_LINUX_PROCESS, ETW_HDR_LIVE, 0, 1, 0, 8, w.buf, w.len);
  ev.xflags |= ETW_XFLAG_FIELD_LIST;
  ev.origin = ETW_ORIGIN_PERF;
  d = run (dec, &ev);
  tap_check (d->pid == 9001 && str_is (d->process_name, "curl") && str_is (d->operation, "Process Start") &&
             str_is (d->event_name, "Process/Start") && str_is (d->provider_name, "Linux-Kernel-Process") &&
             strstr (d->detail, "Command line: curl example.org") != NULL && d->n_fields == 4,
             "Linux-Kernel-Process Start: summarized like the Process class, named from its fields");

  ev = mk_event (&ETW_GUID_LINUX_PROCESS, ETW_HDR_LIVE, 0, 64, 0, 8, w.buf, 0);
  ev.xflags |= ETW_XFLAG_FIELD_LIST;
  d = run (dec, &ev);
  tap_check (str_is (d->event_name, "Process/Exec"), "Linux-Kernel-Process opcode 64 is Process/Exec");

  /* The perf backend's own opcodes (64 and up) have names, and do not
   * leak onto the Windows classes sharing their numbers. */
  tap_check (str_is (etw_kernel_opcode_name (&ETW_GUID_LINUX_PROCESS, 64), "Exec") &&
             str_is (etw_kernel_opcode_name (&ETW_GUID_LINUX_NETWORK, 64), "StateChange") &&
             str_is (etw_kernel_opcode_name (&ETW_GUID_LINUX_NETWORK, 67), "Close") &&
             str_is (etw_kernel_opcode_name (&ETW_GUID_LINUX_FILE, 64), "Create") &&
             etw_kernel_opcode_name (&ETW_GUID_PROCESS, 64) == NULL,
             "Linux-only opcodes are named (Process/Exec, TcpIp/StateChange…/Close)");

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "PID", 9001);
  etw_fw_uint (&w, "size", 100);
  etw_fw_ipv4 (&w, "daddr", a);
  etw_fw_ipv4 (&w, "saddr", a);
  etw_fw_uint (&w, "dport", 80);
  etw_fw_uint (&w, "sport", 40000);
  ev = mk_event (&ETW_GUID_LINUX_NETWORK, ETW_HDR_LIVE, 0, 12, 0, 8, w.buf, w.len);
  ev.xflags |= ETW_XFLAG_FIELD_LIST;
  d = run (dec, &ev);
  tap_check (str_is (d->operation, "TCP Connect") && str_is (d->path, "127.0.0.1:40000 \xe2\x86\x92 127.0.0.1:80") &&
             str_is (d->process_name, "curl"),
             "Linux-Kernel-Network Connect with IPv4 values");

  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_uint (&w, "IoSize", 4096);
  etw_fw_string (&w, "FileName", "/etc/hosts");
  etw_fw_struct_begin (&w, "extra");
  etw_fw_uint (&w, "ProcessId", 1);   /* nested: not the subject */
  etw_fw_struct_end (&w);
  ev = mk_event (&ETW_GUID_LINUX_FILE, ETW_HDR_LIVE, 0, 67, 0, 8, w.buf, w.len);
  ev.xflags |= ETW_XFLAG_FIELD_LIST;
  ev.pid = 9001;
  d = run (dec, &ev);
  tap_check (str_is (d->operation, "ReadFile") && str_is (d->path, "/etc/hosts") && d->pid == 9001 &&
             fields_well_formed (d) && d->fields[3].depth == 1,
             "Linux-Kernel-File Read: path from FileName, nested fields kept as given");

  /* A damaged list keeps the fields before the damage. */
  ev.payload_len -= 3;
  d = run (dec, &ev);
  tap_check (d->malformed && d->n_fields >= 2 && fields_well_formed (d),
             "a damaged field list keeps what came before, its open struct closed");

  /* Ends that close nothing are dropped; what is left open is closed. */
  etw_fw_init (&w, buf, sizeof buf);
  etw_fw_struct_end (&w);
  etw_fw_uint (&w, "a", 1);
  etw_fw_array_end (&w);
  etw_fw_uint (&w, "b", 2);
  etw_fw_array_begin (&w, "list", 2);
  etw_fw_uint (&w, "x", 3);
  ev = mk_event (&ETW_GUID_LINUX_FILE, ETW_HDR_LIVE, 0, 67, 0, 8, w.buf, w.len);
  ev.xflags |= ETW_XFLAG_FIELD_LIST;
  d = run (dec, &ev);
  tap_check (d->n_fields == 5 && fields_well_formed (d) && d->fields[4].type == ETW_VAL_ARRAY_END &&
             field_u (d, "a", ETW_VAL_UINT, 1) && field_u (d, "b", ETW_VAL_UINT, 2),
             "a field list with stray ends and an unclosed array comes out well formed");

  /* More fields than the list holds: cut, but every open array closed. */
  {
    static uint8_t big[16384];
    etw_fw_init (&w, big, sizeof big);
    etw_fw_struct_begin (&w, "outer");
    etw_fw_array_begin (&w, "many", 1000);
    for (int i = 0; i < 1000; i++)
      etw_fw_uint (&w, "v", (uint64_t) i);
    etw_fw_array_end (&w);
    etw_fw_struct_end (&w);
    ev = mk_event (&ETW_GUID_LINUX_FILE, ETW_HDR_LIVE, 0, 67, 0, 8, w.buf, w.len);
    ev.xflags |= ETW_XFLAG_FIELD_LIST;
    d = run (dec, &ev);
    tap_check (d->truncated && d->n_fields == ETW_DECODED_MAX_FIELDS && fields_well_formed (d),
               "a field list larger than the decoded list is cut with its struct and array closed");
  }
  etw_decoder_free (dec);
}

/* ------------------------------------------------------------------ */

/* Every classic (group, opcode, version) with payloads cut at every length
 * and filled with a pattern: no crash, lists well formed, text in bounds. */
static void
test_damage_everywhere (void)
{
  static const EtwGuid *const classes[] = {
    &ETW_GUID_PROCESS, &ETW_GUID_THREAD, &ETW_GUID_IMAGE, &ETW_GUID_FILEIO, &ETW_GUID_DISKIO,
    &ETW_GUID_REGISTRY, &ETW_GUID_TCPIP, &ETW_GUID_UDPIP, &ETW_GUID_STACKWALK, &ETW_GUID_PERFINFO,
    &ETW_GUID_EVENTTRACE, &ETW_GUID_KERNEL_PROCESS, &ETW_GUID_KERNEL_FILE, &ETW_GUID_KERNEL_NETWORK,
    &ETW_GUID_KERNEL_REGISTRY,
  };
  static uint8_t payload[600];
  EtwDecoder *dec = etw_decoder_new ();
  unsigned runs = 0, bad = 0;
  uint32_t seed = 12345;

  for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++)
    for (unsigned op = 0; op < 90; op++)
      for (uint8_t v = 0; v <= 5; v++)
        for (unsigned ps = 4; ps <= 8; ps += 4)
          {
            bool manifest = k >= 11;
            for (size_t i = 0; i < sizeof payload; i++)
              {
                seed = seed * 1103515245u + 12345u;
                /* Mostly printable bytes, so strings run long. */
                payload[i] = (uint8_t) ((seed >> 16) % 7 == 0 ? 0 : 0x41 + (seed >> 20) % 26);
              }
            for (uint32_t len = 0; len < 80; len += 3)
              {
                EtwEvent ev = mk_event (classes[k], manifest ? ETW_HDR_EVENT : ETW_HDR_SYSTEM,
                                        (uint16_t) op, (uint8_t) op, v, ps, payload, len);
                etw_decoder_observe (dec, &ev);
                etw_decode (dec, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, D);
                runs++;
                if (!fields_well_formed (D) || D->text_used > sizeof D->text)
                  bad++;
              }
            {
              EtwEvent ev = mk_event (classes[k], manifest ? ETW_HDR_EVENT : ETW_HDR_SYSTEM,
                                      (uint16_t) op, (uint8_t) op, v, ps, payload, sizeof payload);
              etw_decode (dec, &ev, ETW_DECODE_SUMMARY, D);
              runs++;
            }
          }
  tap_check (bad == 0, "%u decodes of cut and noisy payloads of every class: no crash, %u malformed lists", runs, bad);
  etw_decoder_free (dec);
}

int
main (void)
{
  D = calloc (1, sizeof *D);
  test_process ();
  test_pid_reuse ();
  test_thread ();
  test_image ();
  test_fileio ();
  test_diskio ();
  test_registry ();
  test_network ();
  test_stackwalk_and_trace ();
  test_manifest_kernel ();
  test_unknown_manifest ();
  test_tracelogging ();
  test_linux_field_lists ();
  test_damage_everywhere ();
  free (D);
  return tap_done ();
}
