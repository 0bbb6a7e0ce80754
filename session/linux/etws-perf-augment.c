/* etws-perf-augment.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads the path augmenter (etws-perf-augment.bpf.c, embedded as a
 * bpftool skeleton) and points its perf event array at the BPF_OUTPUT
 * events of our rings. Each program is loaded only when its syscall
 * tracepoint exists on this kernel and its provider was asked for.
 */
#define G_LOG_DOMAIN "etws-perf"

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <tracefs.h>

/* The generated skeleton is not held to our warning flags. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "etws-perf-augment.skel.h"
#pragma GCC diagnostic pop

#include "etws-perf-private.h"

struct _EtwsPerfAugment
{
  struct etws_augment *skel;
  GPtrArray           *links;
};

static int
libbpf_log (enum libbpf_print_level level,
            const char             *format,
            va_list                 args)
{
  /* libbpf is chatty; its messages only matter when debugging. */
  if (level != LIBBPF_DEBUG)
    {
      g_autofree char *text = g_strdup_vprintf (format, args);
      g_debug ("libbpf: %s", g_strchomp (text));
    }
  return 0;
}

static void
link_free (gpointer data)
{
  bpf_link__destroy (data);
}

/* "tracepoint/SYSTEM/EVENT" → whether that tracepoint exists here and
 * belongs to a wanted provider. */
static gboolean
program_wanted (struct bpf_program *prog,
                guint               providers,
                gboolean            exec)
{
  const char *section = bpf_program__section_name (prog);
  g_auto(GStrv) parts = g_strsplit (section, "/", 3);
  gboolean is_exec;

  if (g_strv_length (parts) != 3)
    return FALSE;
  is_exec = strcmp (parts[2], "sched_process_exec") == 0;
  if (is_exec && !exec)
    return FALSE;
  if ((providers & (is_exec ? ETWS_PERF_BIT (ETWS_PERF_PROCESS) : ETWS_PERF_BIT (ETWS_PERF_FILE))) == 0)
    return FALSE;
  return tracefs_event_file_exists (NULL, parts[1], parts[2], "id");
}

static gboolean
augment_load (EtwsPerfAugment  *aug,
              guint             providers,
              gboolean          exec,
              guint32           self_pid,
              const int        *fds,
              guint             n_cpus,
              guint            *loaded,
              GError          **error)
{
  struct bpf_program *prog;
  guint n_wanted = 0;
  int err, map_fd;

  *loaded = 0;
  aug->skel = etws_augment__open ();
  if (aug->skel == NULL)
    {
      int saved = errno;
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                   "cannot open the BPF object: %s", g_strerror (saved));
      return FALSE;
    }
  aug->skel->rodata->self_tgid = self_pid;
  bpf_map__set_max_entries (aug->skel->maps.events, n_cpus);

  bpf_object__for_each_program (prog, aug->skel->obj)
    {
      gboolean load = program_wanted (prog, providers, exec);

      bpf_program__set_autoload (prog, load);
      n_wanted += load;
    }
  if (n_wanted == 0)
    {
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED,
                   "no tracepoint to augment");
      return FALSE;
    }

  err = etws_augment__load (aug->skel);
  if (err != 0)
    {
      g_set_error (error, ETWS_LIVE_ERROR,
                   err == -EPERM || err == -EACCES ? ETWS_LIVE_ERROR_PERMISSION : ETWS_LIVE_ERROR_FAILED,
                   "the kernel refused the BPF programs: %s", g_strerror (-err));
      return FALSE;
    }

  map_fd = bpf_map__fd (aug->skel->maps.events);
  for (guint c = 0; c < n_cpus; c++)
    if (fds[c] >= 0)
      {
        guint32 key = c;
        guint32 value = (guint32) fds[c];
        if (bpf_map_update_elem (map_fd, &key, &value, BPF_ANY) != 0)
          {
            int saved = errno;
            g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                         "cannot connect the BPF programs to the rings: %s", g_strerror (saved));
            return FALSE;
          }
      }

  bpf_object__for_each_program (prog, aug->skel->obj)
    {
      struct bpf_link *link;

      if (!bpf_program__autoload (prog))
        continue;
      link = bpf_program__attach (prog);
      if (link == NULL)
        {
          int saved = errno;
          g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                       "cannot attach %s: %s", bpf_program__section_name (prog), g_strerror (saved));
          return FALSE;
        }
      g_ptr_array_add (aug->links, link);
      if (g_str_has_suffix (bpf_program__section_name (prog), "/sched_process_exec"))
        *loaded |= ETWS_PERF_BIT (ETWS_PERF_PROCESS);
      else
        *loaded |= ETWS_PERF_BIT (ETWS_PERF_FILE);
    }
  return TRUE;
}

static void
augment_unload (EtwsPerfAugment *aug)
{
  /* Detach first: the programs stop writing before anything goes away. */
  g_ptr_array_set_size (aug->links, 0);
  g_clear_pointer (&aug->skel, etws_augment__destroy);
}

EtwsPerfAugment *
_etws_perf_augment_new (const EtwsPerfTpFormat  *formats,
                        guint                    providers,
                        guint32                  self_pid,
                        const int               *fds,
                        guint                    n_cpus,
                        guint                   *loaded,
                        GError                 **error)
{
  EtwsPerfAugment *aug;
  /* Reading argv from the new mm needs the kernel's BTF (CO-RE). */
  gboolean exec = g_file_test ("/sys/kernel/btf/vmlinux", G_FILE_TEST_EXISTS);
  g_autoptr(GError) local = NULL;

  libbpf_set_print (libbpf_log);
  aug = g_new0 (EtwsPerfAugment, 1);
  aug->links = g_ptr_array_new_with_free_func (link_free);
  if (augment_load (aug, providers, exec, self_pid, fds, n_cpus, loaded, &local))
    return aug;
  augment_unload (aug);
  /* Without the command-line program, paths may still work. */
  if (exec && (providers & ETWS_PERF_BIT (ETWS_PERF_FILE)) &&
      augment_load (aug, providers, FALSE, self_pid, fds, n_cpus, loaded, NULL))
    return aug;
  g_propagate_error (error, g_steal_pointer (&local));
  _etws_perf_augment_free (aug);
  return NULL;
}

void
_etws_perf_augment_free (EtwsPerfAugment *aug)
{
  if (aug == NULL)
    return;
  augment_unload (aug);
  g_ptr_array_unref (aug->links);
  g_free (aug);
}
