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

EtwsPerfAugment *
_etws_perf_augment_new (const EtwsPerfTpFormat  *formats,
                        guint                    providers,
                        guint32                  self_pid,
                        const int               *fds,
                        guint                    n_cpus,
                        GError                 **error)
{
  EtwsPerfAugment *aug;
  struct bpf_program *prog;
  guint n_wanted = 0;
  int err, map_fd;

  libbpf_set_print (libbpf_log);
  aug = g_new0 (EtwsPerfAugment, 1);
  aug->links = g_ptr_array_new_with_free_func (link_free);
  aug->skel = etws_augment__open ();
  if (aug->skel == NULL)
    {
      int saved = errno;
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_FAILED,
                   "cannot open the BPF object: %s", g_strerror (saved));
      _etws_perf_augment_free (aug);
      return NULL;
    }
  aug->skel->rodata->self_tgid = self_pid;
  bpf_map__set_max_entries (aug->skel->maps.events, n_cpus);

  bpf_object__for_each_program (prog, aug->skel->obj)
    {
      const char *section = bpf_program__section_name (prog);
      const char *event = strrchr (section, '/');
      gboolean exec = event != NULL && g_str_has_prefix (event + 1, "sys_enter_execve");
      guint need = exec ? ETWS_PERF_BIT (ETWS_PERF_PROCESS) : ETWS_PERF_BIT (ETWS_PERF_FILE);
      gboolean load = event != NULL && (providers & need) != 0 &&
                      tracefs_event_file_exists (NULL, "syscalls", event + 1, "id");

      bpf_program__set_autoload (prog, load);
      if (load)
        n_wanted++;
    }
  if (n_wanted == 0)
    {
      g_set_error (error, ETWS_LIVE_ERROR, ETWS_LIVE_ERROR_UNSUPPORTED,
                   "no syscall tracepoint to augment");
      _etws_perf_augment_free (aug);
      return NULL;
    }

  err = etws_augment__load (aug->skel);
  if (err != 0)
    {
      g_set_error (error, ETWS_LIVE_ERROR,
                   err == -EPERM || err == -EACCES ? ETWS_LIVE_ERROR_PERMISSION : ETWS_LIVE_ERROR_FAILED,
                   "the kernel refused the BPF programs: %s", g_strerror (-err));
      _etws_perf_augment_free (aug);
      return NULL;
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
            _etws_perf_augment_free (aug);
            return NULL;
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
          _etws_perf_augment_free (aug);
          return NULL;
        }
      g_ptr_array_add (aug->links, link);
    }
  return aug;
}

void
_etws_perf_augment_free (EtwsPerfAugment *aug)
{
  if (aug == NULL)
    return;
  /* Detach first: the programs stop writing before the rings go away. */
  g_ptr_array_unref (aug->links);
  if (aug->skel != NULL)
    etws_augment__destroy (aug->skel);
  g_free (aug);
}
