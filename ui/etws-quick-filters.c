/* etws-quick-filters.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-quick-filters"

#include "config.h"

#include "etws-quick-filters.h"

#include "etws-filter.h"
#include "etws-ui-private.h"

#include <string.h>

/* A list shows the values with the most rows; the others are found by
 * typing (PIDs by number). Thousands of GtkListBox rows would be slow. */
#define MAX_LIST_ROWS 1000

static const char *const kind_fields[ETWS_QUICK_N_KINDS] = { "provider", "process", "pid" };
static const char *const kind_titles[ETWS_QUICK_N_KINDS] = { "Provider", "Process", "PID" };
static const char *const kind_buttons[ETWS_QUICK_N_KINDS] = { "Providers", "Processes", "PIDs" };
static const char *const kind_plurals[ETWS_QUICK_N_KINDS] = { "providers", "names", "PIDs" };

typedef struct
{
  char    *value;
  char    *label;
  guint64  count;
} Entry;

typedef struct
{
  GtkMenuButton  *button;
  GtkPopover     *popover;
  GtkSearchEntry *search;
  GtkLabel       *status;
  GtkListBox     *list;

  GPtrArray      *values;   /* checked values (char *) */
  GPtrArray      *entries;  /* Entry *, most rows first */
  GHashTable     *counts;   /* value → Entry * */
} Kind;

struct _EtwsQuickFilters
{
  GtkWidget     parent_instance;

  Kind          kinds[ETWS_QUICK_N_KINDS];
  EtwsStore    *store;
  GCancellable *cancellable;
  guint64       counted_rows;  /* rows behind the lists; G_MAXUINT64: none yet */
  gboolean      filling;
};

G_DEFINE_FINAL_TYPE (EtwsQuickFilters, etws_quick_filters, GTK_TYPE_WIDGET)

enum
{
  CHANGED,
  COUNTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->value);
  g_free (e->label);
  g_free (e);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = *(const Entry **) a, *eb = *(const Entry **) b;

  if (ea->count != eb->count)
    return ea->count > eb->count ? -1 : 1;
  return g_utf8_collate (ea->label, eb->label);
}

static gboolean
has_value (Kind       *kind,
           const char *value)
{
  for (guint i = 0; i < kind->values->len; i++)
    if (g_strcmp0 (g_ptr_array_index (kind->values, i), value) == 0)
      return TRUE;
  return FALSE;
}

static void
update_button (EtwsQuickFilters *self,
               EtwsQuickKind     k)
{
  Kind *kind = &self->kinds[k];
  g_autofree char *label = NULL;

  if (kind->values->len > 0)
    {
      label = g_strdup_printf ("%s (%u)", kind_buttons[k], kind->values->len);
      gtk_widget_add_css_class (GTK_WIDGET (kind->button), "quick-filter-active");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (kind->button), "quick-filter-active");
  gtk_menu_button_set_label (kind->button, label != NULL ? label : kind_buttons[k]);
}

static void
changed (EtwsQuickFilters *self,
         EtwsQuickKind     k)
{
  update_button (self, k);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- the lists ---- */

static void
row_toggled_cb (GtkCheckButton   *check,
                EtwsQuickFilters *self)
{
  EtwsQuickKind k = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "kind"));
  const char *value = g_object_get_data (G_OBJECT (check), "value");
  Kind *kind = &self->kinds[k];
  gboolean active = gtk_check_button_get_active (check);

  if (self->filling || active == has_value (kind, value))
    return;
  if (active)
    g_ptr_array_add (kind->values, g_strdup (value));
  else
    for (guint i = 0; i < kind->values->len; i++)
      if (g_strcmp0 (g_ptr_array_index (kind->values, i), value) == 0)
        {
          g_ptr_array_remove_index (kind->values, i);
          break;
        }
  changed (self, k);
}

static void
toggle_row (GtkListBoxRow *row)
{
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

  gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
}

static GtkWidget *
new_row (EtwsQuickFilters *self,
         EtwsQuickKind     k,
         const Entry      *e)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *check = gtk_check_button_new_with_label (e->label);
  g_autofree char *count = etws_ui_format_count (e->count);
  GtkWidget *count_label = gtk_label_new (count);
  g_autofree char *key = g_utf8_casefold (e->label, -1);

  gtk_widget_set_hexpand (check, TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), has_value (&self->kinds[k], e->value));
  g_object_set_data (G_OBJECT (check), "kind", GUINT_TO_POINTER (k));
  g_object_set_data_full (G_OBJECT (check), "value", g_strdup (e->value), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (row_toggled_cb), self);
  gtk_widget_add_css_class (count_label, "dim-label");
  gtk_widget_add_css_class (count_label, "numeric");
  gtk_box_append (GTK_BOX (box), check);
  gtk_box_append (GTK_BOX (box), count_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* The check button takes the clicks; an activatable row would toggle
   * it a second time. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data_full (G_OBJECT (row), "key", g_steal_pointer (&key), g_free);
  return row;
}

static gboolean
row_visible (GtkListBoxRow *row,
             gpointer       data)
{
  GtkSearchEntry *search = data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (search));
  g_autofree char *needle = NULL;

  if (text == NULL || *text == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  return strstr (g_object_get_data (G_OBJECT (row), "key"), needle) != NULL;
}

static void
fill_list (EtwsQuickFilters *self,
           EtwsQuickKind     k)
{
  Kind *kind = &self->kinds[k];
  GtkWidget *child;
  g_autofree char *rows = NULL;
  g_autofree char *status = NULL;
  guint shown = 0;

  self->filling = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (kind->list))) != NULL)
    gtk_list_box_remove (kind->list, child);
  /* Checked values first, so that they can be unchecked even when they
   * are not among the largest (or not in this trace at all). */
  for (guint i = 0; i < kind->values->len; i++)
    {
      const char *value = g_ptr_array_index (kind->values, i);
      Entry *e = g_hash_table_lookup (kind->counts, value);
      Entry missing = { (char *) value, (char *) value, 0 };

      gtk_list_box_append (kind->list, new_row (self, k, e != NULL ? e : &missing));
    }
  for (guint i = 0; i < kind->entries->len && shown < MAX_LIST_ROWS; i++)
    {
      Entry *e = g_ptr_array_index (kind->entries, i);

      if (has_value (kind, e->value))
        continue;
      gtk_list_box_append (kind->list, new_row (self, k, e));
      shown++;
    }
  self->filling = FALSE;

  rows = etws_ui_format_count (self->counted_rows);
  if (kind->entries->len > MAX_LIST_ROWS)
    status = g_strdup_printf ("The %u with most rows of %u %s; type to find others",
                              MAX_LIST_ROWS, kind->entries->len, kind_plurals[k]);
  else
    status = g_strdup_printf ("%u %s in %s rows", kind->entries->len, kind_plurals[k], rows);
  gtk_label_set_text (kind->status, status);
}

/* ---- counting, on a thread ---- */

typedef struct
{
  guint32 key;
  guint32 process;
  guint64 count;
} Tally;

typedef struct
{
  EtwsStore *store;
  guint64    n_rows;
  GArray    *etypes;     /* guint64 per event type */
  GArray    *processes;  /* Tally by process string id */
  GArray    *pids;       /* Tally by pid, with the pid's first process name */
} CountJob;

static void
count_job_free (gpointer data)
{
  CountJob *job = data;

  etws_store_release (job->store);
  g_object_unref (job->store);
  g_array_unref (job->etypes);
  g_array_unref (job->processes);
  g_array_unref (job->pids);
  g_free (job);
}

/* The position of key's tally, added on first sight. */
static guint
tally (GArray     *tallies,
       GHashTable *index,
       guint32     key,
       guint32     process)
{
  gpointer pos;

  if (!g_hash_table_lookup_extended (index, GUINT_TO_POINTER (key), NULL, &pos))
    {
      Tally t = { key, process, 0 };

      pos = GUINT_TO_POINTER (tallies->len);
      g_array_append_val (tallies, t);
      g_hash_table_insert (index, GUINT_TO_POINTER (key), pos);
    }
  return GPOINTER_TO_UINT (pos);
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  CountJob *job = data;
  g_autoptr(GHashTable) process_index = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) pid_index = g_hash_table_new (NULL, NULL);
  guint64 i = 0;
  /* Neighbouring rows mostly share their process: remember the last. */
  guint32 last_process = G_MAXUINT32, last_pid = G_MAXUINT32;
  guint last_process_at = 0, last_pid_at = 0;
  gboolean have_process = FALSE, have_pid = FALSE;

  while (i < job->n_rows)
    {
      guint64 run_e, run_p, run_d, run;
      const guint16 *etypes = etws_store_get_column_run (job->store, ETWS_STORE_COLUMN_ETYPE, i, &run_e);
      const guint32 *procs = etws_store_get_column_run (job->store, ETWS_STORE_COLUMN_PROCESS, i, &run_p);
      const guint32 *pids = etws_store_get_column_run (job->store, ETWS_STORE_COLUMN_PID, i, &run_d);

      run = MIN (MIN (run_e, run_p), MIN (run_d, job->n_rows - i));
      for (guint64 r = 0; r < run; r++)
        {
          guint16 e = etypes[r];

          if (e >= job->etypes->len)
            g_array_set_size (job->etypes, e + 1u);
          g_array_index (job->etypes, guint64, e)++;

          if (!have_process || procs[r] != last_process)
            {
              last_process_at = tally (job->processes, process_index, procs[r], procs[r]);
              last_process = procs[r];
              have_process = TRUE;
            }
          g_array_index (job->processes, Tally, last_process_at).count++;

          if (!have_pid || pids[r] != last_pid)
            {
              last_pid_at = tally (job->pids, pid_index, pids[r], procs[r]);
              last_pid = pids[r];
              have_pid = TRUE;
            }
          g_array_index (job->pids, Tally, last_pid_at).count++;
        }
      i += run;
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
add_entry (Kind       *kind,
           char       *value,
           char       *label,
           guint64     count)
{
  Entry *e = g_hash_table_lookup (kind->counts, value);

  if (e != NULL)
    {
      e->count += count;
      g_free (value);
      g_free (label);
      return;
    }
  e = g_new0 (Entry, 1);
  e->value = value;
  e->label = label;
  e->count = count;
  g_ptr_array_add (kind->entries, e);
  g_hash_table_insert (kind->counts, e->value, e);
}

static void
reset_counts (EtwsQuickFilters *self)
{
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      g_hash_table_remove_all (self->kinds[k].counts);
      g_ptr_array_set_size (self->kinds[k].entries, 0);
    }
}

static void
count_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EtwsQuickFilters *self = ETWS_QUICK_FILTERS (source);
  CountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  EtwsTrace *trace;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || job->store != self->store)
    return;
  g_clear_object (&self->cancellable);
  trace = etws_store_get_trace (self->store);
  reset_counts (self);
  self->counted_rows = job->n_rows;

  for (guint e = 0; e < job->etypes->len && trace != NULL; e++)
    {
      guint64 n = g_array_index (job->etypes, guint64, e);
      const EtwsEventType *type;
      const EtwsProvider *p;

      if (n == 0 || (type = etws_trace_event_type (trace, (guint16) e)) == NULL ||
          (p = etws_trace_provider (trace, type->provider)) == NULL || p->name == NULL)
        continue;
      add_entry (&self->kinds[ETWS_QUICK_PROVIDER], g_strdup (p->name), g_strdup (p->name), n);
    }
  for (guint i = 0; i < job->processes->len; i++)
    {
      Tally *t = &g_array_index (job->processes, Tally, i);
      const char *name = etws_store_get_string (self->store, t->key);

      add_entry (&self->kinds[ETWS_QUICK_PROCESS], g_strdup (name),
                 g_strdup (*name != '\0' ? name : "(no name)"), t->count);
    }
  for (guint i = 0; i < job->pids->len; i++)
    {
      Tally *t = &g_array_index (job->pids, Tally, i);
      const char *name = etws_store_get_string (self->store, t->process);
      char *label;

      /* ETW writes 0xFFFFFFFF for "no process"; the list shows -1 as the
       * PID column does. */
      if (t->key == G_MAXUINT32)
        label = g_strdup_printf ("-1  %s", name);
      else
        label = g_strdup_printf ("%u  %s", t->key, name);
      add_entry (&self->kinds[ETWS_QUICK_PID], g_strdup_printf ("%u", t->key), label, t->count);
    }
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      g_ptr_array_sort (self->kinds[k].entries, compare_entries);
      fill_list (self, k);
    }
  g_signal_emit (self, signals[COUNTED], 0);
}

void
etws_quick_filters_count (EtwsQuickFilters *self)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job;

  g_return_if_fail (ETWS_IS_QUICK_FILTERS (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;

  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    if (self->kinds[k].entries->len == 0)
      gtk_label_set_text (self->kinds[k].status, "Counting…");
  self->cancellable = g_cancellable_new ();
  job = g_new0 (CountJob, 1);
  job->store = g_object_ref (self->store);
  /* Read on the main thread: the store grows here, not on the thread. */
  job->n_rows = etws_store_get_n_rows (self->store);
  job->etypes = g_array_new (FALSE, TRUE, sizeof (guint64));
  job->processes = g_array_new (FALSE, FALSE, sizeof (Tally));
  job->pids = g_array_new (FALSE, FALSE, sizeof (Tally));
  etws_store_hold (self->store);
  task = g_task_new (self, self->cancellable, count_done_cb, NULL);
  g_task_set_source_tag (task, etws_quick_filters_count);
  g_task_set_task_data (task, job, count_job_free);
  g_task_run_in_thread (task, count_thread);
}

static void
popover_show_cb (GtkPopover       *popover,
                 EtwsQuickFilters *self)
{
  /* Recount when rows came in since (a file still loading, a capture). */
  if (self->store != NULL && self->counted_rows != etws_store_get_n_rows (self->store))
    etws_quick_filters_count (self);
}

/* Enter: PIDs typed as numbers are checked even when they are not listed;
 * otherwise the only row left by the search is toggled. */
static void
search_activate_cb (GtkSearchEntry   *search,
                    EtwsQuickFilters *self)
{
  EtwsQuickKind k = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (search), "kind"));
  Kind *kind = &self->kinds[k];
  const char *text = gtk_editable_get_text (GTK_EDITABLE (search));
  GtkListBoxRow *only = NULL;
  guint visible = 0;

  if (k == ETWS_QUICK_PID)
    {
      g_auto(GStrv) parts = g_strsplit_set (text, ", ;", -1);
      g_autoptr(GPtrArray) pids = g_ptr_array_new_with_free_func (g_free);
      gboolean numbers = TRUE;

      for (guint i = 0; parts[i] != NULL && numbers; i++)
        {
          guint64 pid;

          if (*parts[i] == '\0')
            continue;
          if (g_strcmp0 (parts[i], "-1") == 0)
            pid = G_MAXUINT32;
          else if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT32, &pid, NULL))
            numbers = FALSE;
          if (numbers)
            g_ptr_array_add (pids, g_strdup_printf ("%u", (guint) pid));
        }
      if (numbers && pids->len > 0)
        {
          gboolean added = FALSE;

          for (guint i = 0; i < pids->len; i++)
            if (!has_value (kind, g_ptr_array_index (pids, i)))
              {
                g_ptr_array_add (kind->values, g_strdup (g_ptr_array_index (pids, i)));
                added = TRUE;
              }
          gtk_editable_set_text (GTK_EDITABLE (search), "");
          fill_list (self, k);
          if (added)
            changed (self, k);
          return;
        }
    }

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (kind->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && row_visible (GTK_LIST_BOX_ROW (row), search))
      {
        only = GTK_LIST_BOX_ROW (row);
        visible++;
      }
  if (visible == 1)
    toggle_row (only);
}

static void
search_changed_cb (GtkSearchEntry   *search,
                   EtwsQuickFilters *self)
{
  EtwsQuickKind k = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (search), "kind"));

  gtk_list_box_invalidate_filter (self->kinds[k].list);
}

/* ---- API ---- */

void
etws_quick_filters_set_store (EtwsQuickFilters *self,
                              EtwsStore        *store)
{
  g_return_if_fail (ETWS_IS_QUICK_FILTERS (self));
  g_return_if_fail (store == NULL || ETWS_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->store, store);
  self->counted_rows = G_MAXUINT64;
  reset_counts (self);
  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      fill_list (self, k);
      gtk_label_set_text (self->kinds[k].status, "");
    }
}

const char * const *
etws_quick_filters_get_values (EtwsQuickFilters *self,
                               EtwsQuickKind     kind)
{
  GPtrArray *values;

  g_return_val_if_fail (ETWS_IS_QUICK_FILTERS (self), NULL);
  g_return_val_if_fail (kind < ETWS_QUICK_N_KINDS, NULL);

  values = self->kinds[kind].values;
  /* Kept NULL-terminated (see init). */
  return (const char * const *) values->pdata;
}

void
etws_quick_filters_set_values (EtwsQuickFilters   *self,
                               EtwsQuickKind       k,
                               const char * const *values)
{
  Kind *kind;
  gboolean same;
  guint n = values != NULL ? g_strv_length ((char **) values) : 0;

  g_return_if_fail (ETWS_IS_QUICK_FILTERS (self));
  g_return_if_fail (k < ETWS_QUICK_N_KINDS);

  kind = &self->kinds[k];
  same = n == kind->values->len;
  for (guint i = 0; same && i < n; i++)
    same = g_strcmp0 (g_ptr_array_index (kind->values, i), values[i]) == 0;
  if (same)
    return;
  g_ptr_array_set_size (kind->values, 0);
  for (guint i = 0; i < n; i++)
    if (!has_value (kind, values[i]))
      g_ptr_array_add (kind->values, g_strdup (values[i]));
  fill_list (self, k);
  changed (self, k);
}

void
etws_quick_filters_clear (EtwsQuickFilters *self,
                          EtwsQuickKind     kind)
{
  etws_quick_filters_set_values (self, kind, NULL);
}

char *
etws_quick_filters_dup_clause (EtwsQuickFilters *self,
                               EtwsQuickKind     kind)
{
  g_return_val_if_fail (ETWS_IS_QUICK_FILTERS (self), NULL);
  g_return_val_if_fail (kind < ETWS_QUICK_N_KINDS, NULL);

  if (self->kinds[kind].values->len == 0)
    return NULL;
  return etws_filter_clause_for_values (kind_fields[kind],
                                        etws_quick_filters_get_values (self, kind), FALSE);
}

char *
etws_quick_filters_dup_label (EtwsQuickFilters *self,
                              EtwsQuickKind     k)
{
  Kind *kind;
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (ETWS_IS_QUICK_FILTERS (self), NULL);
  g_return_val_if_fail (k < ETWS_QUICK_N_KINDS, NULL);

  kind = &self->kinds[k];
  if (kind->values->len == 0)
    return NULL;
  out = g_string_new (kind_titles[k]);
  g_string_append (out, ": ");
  if (kind->values->len > 3)
    {
      g_string_append_printf (out, "%u %s", kind->values->len, kind_plurals[k]);
      return g_string_free (g_steal_pointer (&out), FALSE);
    }
  for (guint i = 0; i < kind->values->len; i++)
    {
      const char *v = g_ptr_array_index (kind->values, i);

      if (i > 0)
        g_string_append (out, ", ");
      if (k == ETWS_QUICK_PID && g_strcmp0 (v, "4294967295") == 0)
        g_string_append (out, "-1");
      else
        g_string_append (out, *v != '\0' ? v : "(no name)");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

guint64
etws_quick_filters_get_count (EtwsQuickFilters *self,
                              EtwsQuickKind     kind,
                              const char       *value)
{
  Entry *e;

  g_return_val_if_fail (ETWS_IS_QUICK_FILTERS (self), 0);
  g_return_val_if_fail (kind < ETWS_QUICK_N_KINDS, 0);

  e = g_hash_table_lookup (self->kinds[kind].counts, value);
  return e != NULL ? e->count : 0;
}

/* ---- GObject ---- */

static void
etws_quick_filters_dispose (GObject *object)
{
  EtwsQuickFilters *self = ETWS_QUICK_FILTERS (object);
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_QUICK_FILTERS);
  /* Unnamed template children are not unparented by the above. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (etws_quick_filters_parent_class)->dispose (object);
}

static void
etws_quick_filters_finalize (GObject *object)
{
  EtwsQuickFilters *self = ETWS_QUICK_FILTERS (object);

  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      g_ptr_array_unref (self->kinds[k].values);
      g_hash_table_unref (self->kinds[k].counts);
      g_ptr_array_unref (self->kinds[k].entries);
    }
  G_OBJECT_CLASS (etws_quick_filters_parent_class)->finalize (object);
}

static void
etws_quick_filters_class_init (EtwsQuickFiltersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_quick_filters_dispose;
  object_class->finalize = etws_quick_filters_finalize;

  /* The checked values of a kind changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The lists hold fresh counts. */
  signals[COUNTED] = g_signal_new ("counted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-quick-filters.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "provider_button", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROVIDER].button));
  gtk_widget_class_bind_template_child_full (widget_class, "provider_popover", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROVIDER].popover));
  gtk_widget_class_bind_template_child_full (widget_class, "provider_search", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROVIDER].search));
  gtk_widget_class_bind_template_child_full (widget_class, "provider_status", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROVIDER].status));
  gtk_widget_class_bind_template_child_full (widget_class, "provider_list", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROVIDER].list));
  gtk_widget_class_bind_template_child_full (widget_class, "process_button", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROCESS].button));
  gtk_widget_class_bind_template_child_full (widget_class, "process_popover", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROCESS].popover));
  gtk_widget_class_bind_template_child_full (widget_class, "process_search", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROCESS].search));
  gtk_widget_class_bind_template_child_full (widget_class, "process_status", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROCESS].status));
  gtk_widget_class_bind_template_child_full (widget_class, "process_list", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PROCESS].list));
  gtk_widget_class_bind_template_child_full (widget_class, "pid_button", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PID].button));
  gtk_widget_class_bind_template_child_full (widget_class, "pid_popover", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PID].popover));
  gtk_widget_class_bind_template_child_full (widget_class, "pid_search", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PID].search));
  gtk_widget_class_bind_template_child_full (widget_class, "pid_status", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PID].status));
  gtk_widget_class_bind_template_child_full (widget_class, "pid_list", FALSE,
                                             G_STRUCT_OFFSET (EtwsQuickFilters, kinds[ETWS_QUICK_PID].list));

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "quickfilters");
}

static void
etws_quick_filters_init (EtwsQuickFilters *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 4);
  self->counted_rows = G_MAXUINT64;

  for (guint k = 0; k < ETWS_QUICK_N_KINDS; k++)
    {
      Kind *kind = &self->kinds[k];

      /* NULL-terminated, for etws_quick_filters_get_values(). */
      kind->values = g_ptr_array_new_null_terminated (4, g_free, TRUE);
      kind->entries = g_ptr_array_new_with_free_func (entry_free);
      kind->counts = g_hash_table_new (g_str_hash, g_str_equal);
      g_object_set_data (G_OBJECT (kind->search), "kind", GUINT_TO_POINTER (k));
      gtk_list_box_set_filter_func (kind->list, row_visible, kind->search, NULL);
      g_signal_connect (kind->search, "search-changed", G_CALLBACK (search_changed_cb), self);
      g_signal_connect (kind->search, "activate", G_CALLBACK (search_activate_cb), self);
      g_signal_connect (kind->popover, "show", G_CALLBACK (popover_show_cb), self);
    }
}

GtkWidget *
etws_quick_filters_new (void)
{
  return g_object_new (ETWS_TYPE_QUICK_FILTERS, NULL);
}
