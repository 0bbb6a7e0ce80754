/* etws-paced-model.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-paced-model"

#include "config.h"

#include "etws-paced-model-private.h"

/* While the list is short (a little longer than the ~200 rows GTK 4.8
 * keeps widgets for), rows are let in a step per frame. The step adapts so
 * that building their widgets takes about STEP_BUDGET_US (measured inside
 * items-changed, where GTK builds them; styling and layout come on top):
 * many light frames keep the main loop smoother than a few heavy ones. */
#define PACED_ROWS     240
#define STEP_FIRST     16
#define STEP_MIN       2
#define STEP_MAX       32
#define STEP_BUDGET_US 5000
/* Steps come from a timeout, not the frame clock: frames that build
 * widgets run long, and back-to-back frames would starve the worker's
 * drain (an idle source) of the main loop. */
#define STEP_INTERVAL_MS 30

struct _EtwsPacedModel
{
  GObject     parent_instance;

  GListModel *model;
  GtkWidget  *clock_widget;  /* weak; pacing only while it exists */
  gulong      changed_id;
  guint       tick_id;
  guint       step;
  guint       n_items;       /* a prefix of the model */
};

static GType
etws_paced_model_get_item_type (GListModel *list)
{
  return g_list_model_get_item_type (ETWS_PACED_MODEL (list)->model);
}

static guint
etws_paced_model_get_n_items (GListModel *list)
{
  return ETWS_PACED_MODEL (list)->n_items;
}

static gpointer
etws_paced_model_get_item (GListModel *list,
                           guint       position)
{
  EtwsPacedModel *self = ETWS_PACED_MODEL (list);

  if (position >= self->n_items)
    return NULL;
  return g_list_model_get_item (self->model, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = etws_paced_model_get_item_type;
  iface->get_n_items = etws_paced_model_get_n_items;
  iface->get_item = etws_paced_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (EtwsPacedModel, etws_paced_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
grow_to (EtwsPacedModel *self,
         guint           n)
{
  guint old = self->n_items;

  if (n <= old)
    return;
  self->n_items = n;
  g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
}

/* One paced step, timed to size the next one. */
static void
grow_step (EtwsPacedModel *self,
           guint           total)
{
  guint old = self->n_items;
  gint64 t0 = g_get_monotonic_time ();
  gint64 per_row;

  grow_to (self, MIN (total, self->n_items + self->step));
  if (self->n_items == old)
    return;
  per_row = MAX (1, (g_get_monotonic_time () - t0) / (self->n_items - old));
  self->step = (guint) CLAMP (STEP_BUDGET_US / per_row, STEP_MIN, STEP_MAX);
}

static void
stop_ticking (EtwsPacedModel *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

static gboolean
tick_cb (gpointer data)
{
  EtwsPacedModel *self = data;
  guint total = g_list_model_get_n_items (self->model);

  if (self->n_items >= PACED_ROWS || self->clock_widget == NULL)
    grow_to (self, total);
  else
    grow_step (self, total);
  if (self->n_items < total)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
catch_up (EtwsPacedModel *self)
{
  guint total = g_list_model_get_n_items (self->model);

  if (self->n_items >= total)
    return;
  if (self->n_items >= PACED_ROWS || self->clock_widget == NULL)
    {
      grow_to (self, total);
      return;
    }
  /* One step now, so the first rows show in this frame. */
  if (self->tick_id == 0)
    {
      grow_step (self, total);
      if (self->n_items < total)
        self->tick_id = g_timeout_add (STEP_INTERVAL_MS, tick_cb, self);
    }
}

static void
items_changed_cb (GListModel     *model,
                  guint           position,
                  guint           removed,
                  guint           added,
                  EtwsPacedModel *self)
{
  guint total = g_list_model_get_n_items (model);

  gboolean replaced = position == 0 && removed >= self->n_items && removed > 0 && added > 0;

  /* Caught up, a change inside the shown rows that is not a new list: it
   * passes through as it is. (A live capture's row cap dropping the
   * oldest chunk is a removal at the front; as a whole-list change GTK
   * would rebuild every visible row.) */
  if (self->n_items == total - added + removed && position < self->n_items && !replaced)
    {
      self->n_items = total;
      if (removed > 0 || added > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }
  if (position >= self->n_items)
    {
      /* Beyond what is shown: an append, let in at the pace. */
      catch_up (self);
      return;
    }
  /* Every row replaced (a filter's new view): GTK 4.8 would build the
   * widgets of ~200 rows inside this one signal, most of a second on a
   * busy machine. Start over as a fresh list instead, a step per frame. */
  if (position == 0 && removed >= self->n_items && removed > 0 && self->clock_widget != NULL)
    {
      guint old = self->n_items;

      stop_ticking (self);
      self->n_items = 0;
      self->step = STEP_FIRST;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old, 0);
      catch_up (self);
      return;
    }
  /* A change inside the shown rows passes through at once. */
  {
    guint old = self->n_items;

    stop_ticking (self);
    self->n_items = total;
    g_list_model_items_changed (G_LIST_MODEL (self), position, old - position, total - position);
  }
}

static void
etws_paced_model_dispose (GObject *object)
{
  EtwsPacedModel *self = ETWS_PACED_MODEL (object);

  stop_ticking (self);
  if (self->clock_widget != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->clock_widget), (gpointer *) &self->clock_widget);
  self->clock_widget = NULL;
  if (self->model != NULL)
    g_clear_signal_handler (&self->changed_id, self->model);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (etws_paced_model_parent_class)->dispose (object);
}

static void
etws_paced_model_class_init (EtwsPacedModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = etws_paced_model_dispose;
}

static void
etws_paced_model_init (EtwsPacedModel *self)
{
  self->step = STEP_FIRST;
}

EtwsPacedModel *
etws_paced_model_new (GListModel *model,
                      GtkWidget  *clock_widget)
{
  EtwsPacedModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (clock_widget == NULL || GTK_IS_WIDGET (clock_widget), NULL);

  self = g_object_new (ETWS_TYPE_PACED_MODEL, NULL);
  self->model = g_object_ref (model);
  self->clock_widget = clock_widget;
  if (clock_widget != NULL)
    g_object_add_weak_pointer (G_OBJECT (clock_widget), (gpointer *) &self->clock_widget);
  self->changed_id = g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
  catch_up (self);
  return self;
}

GListModel *
etws_paced_model_get_model (EtwsPacedModel *self)
{
  g_return_val_if_fail (ETWS_IS_PACED_MODEL (self), NULL);
  return self->model;
}

void
etws_paced_model_flush (EtwsPacedModel *self)
{
  g_return_if_fail (ETWS_IS_PACED_MODEL (self));

  stop_ticking (self);
  grow_to (self, g_list_model_get_n_items (self->model));
}
