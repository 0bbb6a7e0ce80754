/* etws-perf-symbols.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Names for stack frames, on the run thread (never the reader's). Kernel
 * frames: /proc/kallsyms, sorted once. User frames: the converter already
 * turned each address into (file, offset) with the process's mappings as
 * they were at the event, so a process that is gone by now still gets
 * names; here each ELF file gets one sorted table of its functions, made
 * with libdw (which also finds separate debug files by build-id), cached
 * by build-id, and searched by bisection. dwfl_module_addrname() alone
 * scans the symbol table on every call, far too slow for every frame.
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "etws-perf-private.h"

#define MAX_CACHE (1u << 20)

typedef struct
{
  guint64     addr;
  guint64     size;
  const char *name;
  const char *module;   /* kernel: "vmlinux" or the module's name */
} Sym;

typedef struct
{
  guint64 offset;
  guint64 vaddr;
  guint64 filesz;
} Load;

typedef struct
{
  Sym          *syms;
  guint         n_syms;
  Load         *loads;
  guint         n_loads;
  guint64       bias;     /* symbol addresses = vaddr + bias */
  GStringChunk *names;
} Symtab;

typedef struct
{
  gconstpointer dso;
  guint64       address;  /* kernel: address; user: file offset */
} FrameKey;

struct _EtwsPerfSymbols
{
  Sym          *ksyms;
  guint         n_ksyms;
  gboolean      kernel_tried;
  GStringChunk *knames;

  GHashTable   *symtabs;    /* build-id hex or path → Symtab (NULL: could not load) */
  GHashTable   *cache;      /* FrameKey → result string (in strings) */
  GStringChunk *strings;
};

static guint
frame_key_hash (gconstpointer p)
{
  const FrameKey *k = p;
  guint64 h = (guint64) GPOINTER_TO_SIZE (k->dso) * 0x9E3779B97F4A7C15ull ^ k->address * 0xC2B2AE3D27D4EB4Full;

  return (guint) (h ^ (h >> 32));
}

static gboolean
frame_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const FrameKey *x = a, *y = b;

  return x->dso == y->dso && x->address == y->address;
}

static void
symtab_free (gpointer data)
{
  Symtab *tab = data;

  if (tab == NULL)
    return;
  g_free (tab->syms);
  g_free (tab->loads);
  g_string_chunk_free (tab->names);
  g_free (tab);
}

EtwsPerfSymbols *
_etws_perf_symbols_new (void)
{
  EtwsPerfSymbols *syms = g_new0 (EtwsPerfSymbols, 1);

  syms->symtabs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, symtab_free);
  syms->cache = g_hash_table_new_full (frame_key_hash, frame_key_equal, g_free, NULL);
  syms->strings = g_string_chunk_new (64 * 1024);
  return syms;
}

void
_etws_perf_symbols_free (EtwsPerfSymbols *syms)
{
  if (syms == NULL)
    return;
  g_free (syms->ksyms);
  if (syms->knames != NULL)
    g_string_chunk_free (syms->knames);
  g_hash_table_unref (syms->symtabs);
  g_hash_table_unref (syms->cache);
  g_string_chunk_free (syms->strings);
  g_free (syms);
}

static int
cmp_sym (const void *a,
         const void *b)
{
  const Sym *x = a, *y = b;

  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void
load_kallsyms (EtwsPerfSymbols *syms)
{
  FILE *f;
  char line[512];
  GArray *arr;

  syms->kernel_tried = TRUE;
  f = fopen ("/proc/kallsyms", "re");
  if (f == NULL)
    return;
  arr = g_array_sized_new (FALSE, FALSE, sizeof (Sym), 150000);
  syms->knames = g_string_chunk_new (1 << 20);
  while (fgets (line, sizeof line, f) != NULL)
    {
      unsigned long long addr;
      char type;
      char name[256];
      char module[128] = "";
      Sym sym;

      if (sscanf (line, "%llx %c %255s [%127[^]]]", &addr, &type, name, module) < 3)
        continue;
      if (type != 't' && type != 'T' && type != 'w' && type != 'W')
        continue;
      if (addr == 0)
        continue;  /* kptr_restrict hides the addresses */
      sym.addr = addr;
      sym.size = 0;
      sym.name = g_string_chunk_insert_const (syms->knames, name);
      sym.module = g_string_chunk_insert_const (syms->knames, module[0] != '\0' ? module : "vmlinux");
      g_array_append_val (arr, sym);
    }
  fclose (f);
  qsort (arr->data, arr->len, sizeof (Sym), cmp_sym);
  syms->n_ksyms = arr->len;
  syms->ksyms = (Sym *) (gpointer) g_array_free (arr, FALSE);
}

guint
_etws_perf_symbols_n_kernel (EtwsPerfSymbols *syms)
{
  if (!syms->kernel_tried)
    load_kallsyms (syms);
  return syms->n_ksyms;
}

static const Sym *
find_sym (const Sym *tab,
          guint      n,
          guint64    addr)
{
  guint lo = 0, hi = n;

  /* The last symbol at or below addr. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (tab[mid].addr <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? &tab[lo - 1] : NULL;
}

static Symtab *
load_symtab (const char *path)
{
  static char *debuginfo_path = NULL;
  static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
  };
  Dwfl *dwfl = dwfl_begin (&callbacks);
  Dwfl_Module *mod;
  GElf_Addr bias = 0;
  Elf *elf;
  size_t n_phdrs = 0;
  GArray *loads, *arr;
  Symtab *tab;
  int n;

  if (dwfl == NULL)
    return NULL;
  mod = dwfl_report_offline (dwfl, "", path, -1);
  dwfl_report_end (dwfl, NULL, NULL);
  elf = mod != NULL ? dwfl_module_getelf (mod, &bias) : NULL;
  if (elf == NULL || elf_getphdrnum (elf, &n_phdrs) != 0)
    {
      dwfl_end (dwfl);
      return NULL;
    }

  tab = g_new0 (Symtab, 1);
  tab->bias = bias;
  tab->names = g_string_chunk_new (16 * 1024);
  loads = g_array_new (FALSE, FALSE, sizeof (Load));
  for (size_t i = 0; i < n_phdrs; i++)
    {
      GElf_Phdr phdr;
      if (gelf_getphdr (elf, (int) i, &phdr) != NULL && phdr.p_type == PT_LOAD)
        {
          Load load = { phdr.p_offset, phdr.p_vaddr, phdr.p_filesz };
          g_array_append_val (loads, load);
        }
    }
  tab->n_loads = loads->len;
  tab->loads = (Load *) (gpointer) g_array_free (loads, FALSE);

  arr = g_array_new (FALSE, FALSE, sizeof (Sym));
  n = dwfl_module_getsymtab (mod);
  for (int i = 1; i < n; i++)
    {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      GElf_Word shndx = 0;
      Elf *sym_elf = NULL;
      Dwarf_Addr sym_bias = 0;
      const char *name = dwfl_module_getsym_info (mod, i, &sym, &addr, &shndx, &sym_elf, &sym_bias);
      Sym s;

      if (name == NULL || name[0] == '\0' || shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || addr == 0)
        continue;
      if (GELF_ST_TYPE (sym.st_info) != STT_FUNC)
        {
          /* Untyped labels in code (ld.so's _start) name frames too. */
          GElf_Shdr shdr;
          Elf_Scn *scn = GELF_ST_TYPE (sym.st_info) == STT_NOTYPE && sym_elf != NULL
                           ? elf_getscn (sym_elf, shndx) : NULL;
          if (scn == NULL || gelf_getshdr (scn, &shdr) == NULL || !(shdr.sh_flags & SHF_EXECINSTR))
            continue;
        }
      s.addr = addr;
      s.size = sym.st_size;
      s.name = g_string_chunk_insert_const (tab->names, name);
      s.module = NULL;
      g_array_append_val (arr, s);
    }
  qsort (arr->data, arr->len, sizeof (Sym), cmp_sym);
  tab->n_syms = arr->len;
  tab->syms = (Sym *) (gpointer) g_array_free (arr, FALSE);
  dwfl_end (dwfl);
  return tab;
}

static Symtab *
dso_symtab (EtwsPerfSymbols *syms,
            EtwsPerfDso     *dso)
{
  g_autofree char *key = NULL;
  Symtab *tab;

  if (dso->symtab_tried)
    return dso->symtab;
  dso->symtab_tried = TRUE;
  if (dso->build_id_len > 0)
    {
      key = g_malloc (dso->build_id_len * 2 + 1);
      for (guint i = 0; i < dso->build_id_len; i++)
        g_snprintf (key + 2 * i, 3, "%02x", dso->build_id[i]);
    }
  else
    key = g_strdup (dso->path);
  if (g_hash_table_lookup_extended (syms->symtabs, key, NULL, (gpointer *) &tab))
    {
      dso->symtab = tab;
      return tab;
    }
  tab = load_symtab (dso->path);
  g_hash_table_insert (syms->symtabs, g_steal_pointer (&key), tab);
  dso->symtab = tab;
  return tab;
}

/* The tracing machinery's own frames at the top of a kernel stack. */
static gboolean
is_plumbing (const char *name)
{
  static const char *const prefixes[] = {
    "perf_", "__perf_", "__traceiter_", "trace_event_raw_event_", "__bpf_trace_",
    "bpf_", "__bpf_", "trace_call_bpf", "__do_trace_", "do_trace_", "tracing_",
    "trace_", "ftrace_", "kprobe_", "__x64_sys_bpf",
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (name, prefixes[i]))
      return TRUE;
  return FALSE;
}

const char *
_etws_perf_symbols_lookup (EtwsPerfSymbols     *syms,
                           const EtwsPerfFrame *frame,
                           gboolean            *plumbing)
{
  FrameKey key = { frame->dso, frame->dso == ETWS_PERF_DSO_KERNEL ? frame->address : frame->offset };
  const char *result;
  char buf[600];

  *plumbing = FALSE;
  if (frame->dso == NULL)
    return NULL;
  if (g_hash_table_lookup_extended (syms->cache, &key, NULL, (gpointer *) &result))
    {
      if (frame->dso == ETWS_PERF_DSO_KERNEL && result != NULL)
        {
          const char *bang = strchr (result, '!');
          *plumbing = bang != NULL && is_plumbing (bang + 1);
        }
      return result;
    }
  if (g_hash_table_size (syms->cache) >= MAX_CACHE)
    {
      /* Bounded: start over rather than grow without end. */
      g_hash_table_remove_all (syms->cache);
      g_string_chunk_clear (syms->strings);
    }

  result = NULL;
  if (frame->dso == ETWS_PERF_DSO_KERNEL)
    {
      const Sym *sym;

      if (!syms->kernel_tried)
        load_kallsyms (syms);
      sym = find_sym (syms->ksyms, syms->n_ksyms, frame->address);
      if (sym != NULL)
        {
          g_snprintf (buf, sizeof buf, "%s!%s+0x%" G_GINT64_MODIFIER "x", sym->module, sym->name,
                      frame->address - sym->addr);
          result = g_string_chunk_insert (syms->strings, buf);
          *plumbing = is_plumbing (sym->name);
        }
    }
  else
    {
      Symtab *tab = dso_symtab (syms, frame->dso);
      const Sym *sym = NULL;
      guint64 where = 0;

      if (tab != NULL)
        for (guint i = 0; i < tab->n_loads; i++)
          if (frame->offset >= tab->loads[i].offset &&
              frame->offset < tab->loads[i].offset + tab->loads[i].filesz)
            {
              where = frame->offset - tab->loads[i].offset + tab->loads[i].vaddr + tab->bias;
              sym = find_sym (tab->syms, tab->n_syms, where);
              /* Past the end of a sized function: not that function (a
               * stripped file lists only its exported ones). */
              if (sym != NULL && sym->size != 0 && where >= sym->addr + sym->size)
                sym = NULL;
              break;
            }
      if (sym != NULL)
        g_snprintf (buf, sizeof buf, "%s!%s+0x%" G_GINT64_MODIFIER "x", frame->dso->basename, sym->name,
                    where - sym->addr);
      else
        g_snprintf (buf, sizeof buf, "%s+0x%" G_GINT64_MODIFIER "x", frame->dso->basename, frame->offset);
      result = g_string_chunk_insert (syms->strings, buf);
    }
  g_hash_table_insert (syms->cache, g_memdup2 (&key, sizeof key), (gpointer) result);
  return result;
}
