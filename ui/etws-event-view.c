/* etws-event-view.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-event-view"

#include "config.h"

#include "etws-event-view.h"

#include "etw-decode.h"
#include "etws-filter.h"
#include "etws-format.h"
#include "etws-paced-model-private.h"

/* Values longer than this are shortened in the cell menu's labels. */
#define MENU_VALUE_CHARS 40

#define FOLLOW_INTERVAL_MS 250
/* Frames a follow jump is repeated for until the list shows its end. */
#define FOLLOW_RETRY_FRAMES 8

typedef enum
{
  TIME_MODE_UTC,
  TIME_MODE_LOCAL,
  TIME_MODE_RELATIVE,
} TimeMode;

static const char *const time_mode_ids[] = { "utc", "local", "relative" };
static const char *const time_titles[] = { "Time (UTC)", "Time (local)", "Time (relative)" };

typedef struct
{
  const char *title;
  int         width;
  float       xalign;
  gboolean    expand;
} ColumnDef;

/* Indexed by EtwsColumn. Fixed widths spare GTK measuring every cell. */
static const ColumnDef column_defs[ETWS_N_COLUMNS] = {
  [ETWS_COLUMN_ROW]      = { "#",           84,  1.0f, FALSE },  /* 8 digits: tens of millions of rows */
  [ETWS_COLUMN_TIME]     = { "Time (UTC)",  148, 0.0f, FALSE },
  [ETWS_COLUMN_CPU]      = { "CPU",         44,  1.0f, FALSE },
  [ETWS_COLUMN_PROCESS]  = { "Process",     120, 0.0f, FALSE },
  [ETWS_COLUMN_PID]      = { "PID",         60,  1.0f, FALSE },
  [ETWS_COLUMN_TID]      = { "TID",         60,  1.0f, FALSE },
  [ETWS_COLUMN_PROVIDER] = { "Provider",    150, 0.0f, FALSE },
  [ETWS_COLUMN_EVENT]    = { "Event",       160, 0.0f, FALSE },
  [ETWS_COLUMN_PATH]     = { "Path/Target", 210, 0.0f, FALSE },
  [ETWS_COLUMN_RESULT]   = { "Result",      80,  0.0f, FALSE },
  [ETWS_COLUMN_DETAIL]   = { "Detail",      160, 0.0f, TRUE },
};

#define ETWS_TYPE_COLUMN_SORTER (etws_column_sorter_get_type ())
G_DECLARE_FINAL_TYPE (EtwsColumnSorter, etws_column_sorter, ETWS, COLUMN_SORTER, GtkSorter)

struct _EtwsEventView
{
  GtkWidget            parent_instance;

  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *columns[ETWS_N_COLUMNS];
  GMenu               *header_menu;

  EtwsEventModel      *model;
  EtwsPacedModel      *paced;      /* the model, first rows let in per frame */
  GtkMultiSelection   *selection;
  guint                current;    /* the row clicked last among the selected */
  gulong               items_changed_id;
  gulong               selected_id;
  gulong               sorter_changed_id;

  GSimpleActionGroup  *actions;
  TimeMode             time_mode;
  gboolean             follow;
  guint                follow_source;
  gint64               followed_at;

  /* Time cells currently bound, re-formatted when the time mode changes. */
  GHashTable          *time_cells;
  gint64               time_base;

  /* Every bound cell (GtkListItem), restyled when the style function's
   * answers change (highlight rules). */
  GHashTable          *bound_cells;
  EtwsRowStyleFunc     style_func;
  gpointer             style_data;
  GDestroyNotify       style_destroy;

  /* The right-click menu of the cells, a child of the view (its layout
   * manager presents it). */
  GtkWidget           *cell_menu;

  /* The Detail column decodes the rows it shows. */
  EtwsRecordReader    *reader;
  EtwsTrace           *reader_trace;
  EtwDecoder          *decoder;
  EtwDecoded          *decoded;
  GString             *scratch;

  /* Store row to select again once a sort result is installed. */
  guint64              restore_index;
  gboolean             selecting;
  /* The selected store row "selection-changed" last told about. */
  guint64              told_index;

  /* A scroll asked for before the list laid out its new rows, repeated
   * after the next frame's layout (see etws_event_view_scroll_to). */
  guint                pending_scroll;
  guint                scroll_retries;  /* frames left to check a follow jump */
  GdkFrameClock       *paint_clock;
  gulong               after_paint_id;
};

G_DEFINE_FINAL_TYPE (EtwsEventView, etws_event_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TIME_MODE,
  PROP_VISIBLE_COLUMNS,
  PROP_FOLLOW,
  N_PROPS
};

enum
{
  SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- sorting through the column headers ----
 *
 * GTK 4.8 has no public way to ask the column view's sorter which column
 * is primary and in which direction (GtkColumnViewSorter's getters are
 * 4.10). Its compare() asks the primary column's sorter first and inverts
 * the answer when that column is descending. So every column gets one of
 * these sorters, which never sorts anything: comparing two probe objects
 * tells which sorter was asked first, and the column view's answer tells
 * the direction. */

struct _EtwsColumnSorter
{
  GtkSorter  parent_instance;
  EtwsColumn column;
};

G_DEFINE_FINAL_TYPE (EtwsColumnSorter, etws_column_sorter, GTK_TYPE_SORTER)

static struct
{
  GObject          *a;
  GObject          *b;
  EtwsColumnSorter *first;
} probe;

static GtkOrdering
etws_column_sorter_compare (GtkSorter *sorter,
                            gpointer   item1,
                            gpointer   item2)
{
  if (probe.first == NULL && (item1 == probe.a || item1 == probe.b))
    probe.first = ETWS_COLUMN_SORTER (sorter);
  /* "a before b", whichever way the caller passes them. */
  return item1 == probe.a ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

static GtkSorterOrder
etws_column_sorter_get_order (GtkSorter *sorter)
{
  return GTK_SORTER_ORDER_PARTIAL;
}

static void
etws_column_sorter_class_init (EtwsColumnSorterClass *klass)
{
  GtkSorterClass *sorter_class = GTK_SORTER_CLASS (klass);

  sorter_class->compare = etws_column_sorter_compare;
  sorter_class->get_order = etws_column_sorter_get_order;
}

static void
etws_column_sorter_init (EtwsColumnSorter *self)
{
}

static GtkSorter *
etws_column_sorter_new (EtwsColumn column)
{
  EtwsColumnSorter *self = g_object_new (ETWS_TYPE_COLUMN_SORTER, NULL);

  self->column = column;
  return GTK_SORTER (self);
}

/* ---- cell text ---- */

static void
ensure_decoder (EtwsEventView *self,
                EtwsStore     *store)
{
  EtwsTrace *trace = etws_store_get_trace (store);

  if (trace != self->reader_trace)
    {
      g_clear_pointer (&self->reader, etws_record_reader_free);
      self->reader_trace = trace;
      if (trace != NULL)
        self->reader = etws_record_reader_new (trace);
    }
  if (self->decoder == NULL)
    {
      self->decoder = etw_decoder_new ();
      self->decoded = g_new0 (EtwDecoded, 1);
    }
}

static void
append_single_line (GString    *out,
                    const char *s)
{
  for (; s != NULL && *s; s++)
    g_string_append_c (out, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

/* ETW writes 0xFFFFFFFF for "no process/thread"; show it as PerfView
 * does. */
static void
append_id (GString *out,
           guint32  id)
{
  if (id == G_MAXUINT32)
    g_string_append (out, "-1");
  else
    g_string_append_printf (out, "%u", id);
}

static void
format_time (EtwsEventView *self,
             gint64         ft,
             GString       *out)
{
  if (self->time_mode == TIME_MODE_RELATIVE)
    {
      gint64 d = ft - self->time_base;
      guint64 a = d < 0 ? (guint64) -d : (guint64) d;

      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT ".%07u", d < 0 ? "-" : "",
                              a / 10000000, (guint) (a % 10000000));
    }
  else if (ft < 0)
    g_string_append (out, "?");
  else if (self->time_mode == TIME_MODE_UTC)
    {
      guint64 secs = (guint64) ft / 10000000;
      guint sod = (guint) (secs % 86400);

      g_string_append_printf (out, "%02u:%02u:%02u.%07u", sod / 3600, sod / 60 % 60, sod % 60,
                              (guint) (ft % 10000000));
    }
  else
    {
      /* FILETIME counts from 1601; Unix time from 1970. */
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ft / 10000000 - G_GINT64_CONSTANT (11644473600));

      if (dt == NULL)
        g_string_append (out, "?");
      else
        g_string_append_printf (out, "%02d:%02d:%02d.%07u", g_date_time_get_hour (dt),
                                g_date_time_get_minute (dt), g_date_time_get_second (dt),
                                (guint) (ft % 10000000));
    }
}

static void
format_cell (EtwsEventView *self,
             EtwsStore     *store,
             guint64        index,
             EtwsColumn     column,
             GString       *out)
{
  EtwsTrace *trace = etws_store_get_trace (store);

  switch (column)
    {
    case ETWS_COLUMN_ROW:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, etws_store_get_first_row (store) + index + 1);
      break;
    case ETWS_COLUMN_TIME:
      format_time (self, etws_store_get_time (store, index), out);
      break;
    case ETWS_COLUMN_CPU:
      g_string_append_printf (out, "%u", etws_store_get_cpu (store, index));
      break;
    case ETWS_COLUMN_PROCESS:
      g_string_append (out, etws_store_get_string (store, etws_store_get_process (store, index)));
      break;
    case ETWS_COLUMN_PID:
      append_id (out, etws_store_get_pid (store, index));
      break;
    case ETWS_COLUMN_TID:
      append_id (out, etws_store_get_tid (store, index));
      break;
    case ETWS_COLUMN_PROVIDER:
      {
        const EtwsEventType *type = etws_store_get_event_type (store, index);
        const EtwsProvider *p = type != NULL ? etws_trace_provider (trace, type->provider) : NULL;
        if (p != NULL)
          g_string_append (out, p->name);
      }
      break;
    case ETWS_COLUMN_EVENT:
      etws_event_type_label (trace, etws_store_get_etype (store, index), out);
      break;
    case ETWS_COLUMN_PATH:
      append_single_line (out, etws_store_get_string (store, etws_store_get_path (store, index)));
      break;
    case ETWS_COLUMN_RESULT:
      g_string_append (out, etws_store_get_string (store, etws_store_get_result (store, index)));
      break;
    case ETWS_COLUMN_DETAIL:
      {
        EtwEvent ev;

        ensure_decoder (self, store);
        if (self->reader != NULL && etws_store_read_event (store, self->reader, index, &ev))
          {
            etw_decode (self->decoder, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL, self->decoded);
            append_single_line (out, self->decoded->detail);
          }
      }
      break;
    case ETWS_N_COLUMNS:
    default:
      break;
    }
}

static void
bind_text (EtwsEventView *self,
           GtkListItem   *list_item,
           EtwsColumn     column)
{
  EtwsEventItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  guint64 index;

  g_string_truncate (self->scratch, 0);
  if (item != NULL && (index = etws_event_item_get_index (item)) != G_MAXUINT64)
    format_cell (self, etws_event_item_get_store (item), index, column, self->scratch);
  gtk_inscription_set_text (cell, self->scratch->str);
}

/* GTK 4.8 has no row widgets: a row's colour is a class on each of its
 * cells, the widget GTK puts around our child (so that the colour fills
 * the cell's padding too). */
static void
apply_style (EtwsEventView *self,
             GtkListItem   *list_item)
{
  EtwsEventItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkWidget *cell = gtk_widget_get_parent (child) != NULL ? gtk_widget_get_parent (child) : child;
  const char *old = g_object_get_data (G_OBJECT (cell), "row-style");
  const char *style = NULL;
  guint64 index;

  if (self->style_func != NULL && item != NULL &&
      (index = etws_event_item_get_index (item)) != G_MAXUINT64)
    style = self->style_func (etws_event_item_get_store (item), index, self->style_data);
  if (g_strcmp0 (style, old) == 0)
    return;
  if (old != NULL)
    gtk_widget_remove_css_class (cell, old);
  if (style != NULL)
    gtk_widget_add_css_class (cell, style);
  g_object_set_data (G_OBJECT (cell), "row-style", (gpointer) style);
}

static void popup_cell_menu (EtwsEventView *self,
                             guint          position,
                             EtwsColumn     column,
                             double         x,
                             double         y);

/* One gesture on the list, not one per cell: rows are rebuilt whenever a
 * filter replaces the view, and fewer objects per cell make that cheaper.
 * The cell under the pointer tells the row and the column. */
static void
cell_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 EtwsEventView   *self)
{
  GtkWidget *list = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *cell = gtk_widget_pick (list, x, y, GTK_PICK_DEFAULT);
  GtkListItem *list_item;
  EtwsColumn column;
  guint position;
  double vx = 0, vy = 0;

  while (cell != NULL && g_object_get_data (G_OBJECT (cell), "list-item") == NULL)
    cell = cell != list ? gtk_widget_get_parent (cell) : NULL;
  if (cell == NULL)
    return;
  list_item = g_object_get_data (G_OBJECT (cell), "list-item");
  column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "column"));
  position = gtk_list_item_get_position (list_item);
  if (position == GTK_INVALID_LIST_POSITION || self->selection == NULL)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  /* As in Process Monitor, the menu is about the row under the pointer; a
   * right-click inside a multi-row selection keeps the selection. */
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    etws_event_view_select (self, position);
  if (!gtk_widget_translate_coordinates (list, GTK_WIDGET (self), x, y, &vx, &vy))
    vx = vy = 0;
  popup_cell_menu (self, position, column, vx, vy);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          EtwsEventView            *self)
{
  EtwsColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), column_defs[column].xalign);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (cell), 1);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (cell), 1);
  gtk_widget_add_css_class (cell, "event-cell");
  if (column_defs[column].xalign > 0.5f)
    gtk_widget_add_css_class (cell, "numeric");
  /* For the cell menu (cell_pressed_cb). */
  g_object_set_data (G_OBJECT (cell), "column", GUINT_TO_POINTER (column));
  g_object_set_data (G_OBJECT (cell), "list-item", list_item);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         EtwsEventView            *self)
{
  EtwsColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));

  if (column == ETWS_COLUMN_TIME)
    g_hash_table_add (self->time_cells, list_item);
  g_hash_table_add (self->bound_cells, list_item);
  bind_text (self, list_item, column);
  apply_style (self, list_item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           EtwsEventView            *self)
{
  g_hash_table_remove (self->time_cells, list_item);
  g_hash_table_remove (self->bound_cells, list_item);
}

static void
teardown_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             EtwsEventView            *self)
{
  g_hash_table_remove (self->time_cells, list_item);
  g_hash_table_remove (self->bound_cells, list_item);
}

static void
refresh_time_cells (EtwsEventView *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->time_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    bind_text (self, key, ETWS_COLUMN_TIME);
}

/* ---- scrolling ---- */

static GtkWidget *
find_list_view (EtwsEventView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

static void
scroll_now (EtwsEventView *self,
            guint          position)
{
  GtkWidget *list_view = find_list_view (self);

  if (self->paced != NULL && position >= g_list_model_get_n_items (G_LIST_MODEL (self->paced)))
    etws_paced_model_flush (self->paced);
  if (list_view != NULL && self->selection != NULL &&
      position < g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
}

static void
cancel_pending_scroll (EtwsEventView *self)
{
  if (self->paint_clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->paint_clock);
  g_clear_object (&self->paint_clock);
  self->pending_scroll = GTK_INVALID_LIST_POSITION;
  self->scroll_retries = 0;
}

static gboolean
shows_end (EtwsEventView *self)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 1.0;
}

static void
after_paint_cb (GdkFrameClock *clock,
                EtwsEventView *self)
{
  guint position = self->pending_scroll;

  /* A follow jump is checked for a few frames: on a busy machine the one
   * repeat can still come before GTK has laid out the newest rows, and a
   * finished file adds no rows that would follow again. */
  if (position != GTK_INVALID_LIST_POSITION && self->scroll_retries > 0 && self->follow &&
      !shows_end (self))
    {
      self->scroll_retries--;
      scroll_now (self, position);
      gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_AFTER_PAINT);
      return;
    }
  g_clear_signal_handler (&self->after_paint_id, clock);
  g_clear_object (&self->paint_clock);
  self->pending_scroll = GTK_INVALID_LIST_POSITION;
  /* The one repeat of a plain scroll, or of a follow jump whose retries
   * ran out; a follow jump that shows the end (or was stopped by the
   * user) needs none. */
  if (position != GTK_INVALID_LIST_POSITION && self->scroll_retries == 0)
    scroll_now (self, position);
  self->scroll_retries = 0;
}

void
etws_event_view_scroll_to (EtwsEventView *self,
                           guint          position)
{
  GdkFrameClock *clock;

  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));

  /* gtk_column_view_scroll_to() is GTK 4.12; the list's own action is the
   * 4.8 way. GTK 4.8's action does nothing for a row the list has not laid
   * out yet (rows just added, a view just replaced), so it is repeated once
   * the next frame has laid them out. */
  scroll_now (self, position);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    return;
  self->pending_scroll = position;
  self->scroll_retries = 0;  /* follow_cb sets its own after this */
  if (self->after_paint_id == 0)
    {
      self->paint_clock = g_object_ref (clock);
      self->after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self->column_view));
}

static gboolean
follow_cb (gpointer data)
{
  EtwsEventView *self = data;
  guint n;

  self->follow_source = 0;
  if (!self->follow || self->selection == NULL)
    return G_SOURCE_REMOVE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  if (n > 0)
    {
      self->followed_at = g_get_monotonic_time ();
      etws_event_view_scroll_to (self, n - 1);
      if (self->pending_scroll != GTK_INVALID_LIST_POSITION)
        self->scroll_retries = FOLLOW_RETRY_FRAMES;
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_follow (EtwsEventView *self)
{
  gint64 since;

  if (!self->follow || self->follow_source != 0)
    return;
  /* A jump to the end rebinds every row GTK keeps (about 200), so a fast
   * live capture is followed a few times a second, not every frame; the
   * main loop keeps the rest of its time for taking in rows. */
  since = (g_get_monotonic_time () - self->followed_at) / 1000;
  if (since >= FOLLOW_INTERVAL_MS)
    self->follow_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, follow_cb, self, NULL);
  else
    self->follow_source = g_timeout_add_full (G_PRIORITY_HIGH_IDLE + 20,
                                              (guint) (FOLLOW_INTERVAL_MS - since),
                                              follow_cb, self, NULL);
}

/* ---- model and selection ---- */

static void
items_changed_cb (GListModel    *model,
                  guint          position,
                  guint          removed,
                  guint          added,
                  EtwsEventView *self)
{
  guint n = g_list_model_get_n_items (model);
  EtwsStore *store = etws_event_model_get_store (self->model);

  if (self->time_mode == TIME_MODE_RELATIVE && self->time_base == G_MININT64 &&
      etws_store_get_n_rows (store) > 0)
    {
      self->time_base = etws_store_get_time (store, 0);
      refresh_time_cells (self);
    }
  else if (self->time_base == G_MININT64 && etws_store_get_n_rows (store) > 0)
    self->time_base = etws_store_get_time (store, 0);

  /* A sort result replaced everything: keep the selected row selected. */
  if (self->restore_index != G_MAXUINT64 && position == 0 && removed == added && added == n &&
      !etws_event_model_is_sorting (self->model))
    {
      guint pos = etws_event_model_find_store_index (self->model, self->restore_index);

      self->restore_index = G_MAXUINT64;
      if (pos != G_MAXUINT)
        {
          etws_event_view_select (self, pos);
          etws_event_view_scroll_to (self, pos);
        }
      return;
    }

  if (added > removed && position + added == n)
    schedule_follow (self);

  /* The selected row left the view (a new filter, rows dropped): the
   * selection changed without a "selection-changed" of its own. */
  if (etws_event_view_get_selected_index (self) != self->told_index)
    {
      self->current = GTK_INVALID_LIST_POSITION;
      self->told_index = etws_event_view_get_selected_index (self);
      g_signal_emit (self, signals[SELECTION_CHANGED], 0);
    }
}

/* The current row, or GTK_INVALID_LIST_POSITION when none is selected. */
static guint
current_position (EtwsEventView *self)
{
  g_autoptr(GtkBitset) set = NULL;
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (self->selection);

  if (selection == NULL)
    return GTK_INVALID_LIST_POSITION;
  if (self->current != GTK_INVALID_LIST_POSITION &&
      self->current < g_list_model_get_n_items (G_LIST_MODEL (selection)) &&
      gtk_selection_model_is_selected (selection, self->current))
    return self->current;
  set = gtk_selection_model_get_selection (selection);
  return gtk_bitset_is_empty (set) ? GTK_INVALID_LIST_POSITION : gtk_bitset_get_minimum (set);
}

static void
selected_cb (GtkSelectionModel *selection,
             guint              position,
             guint              n_items,
             EtwsEventView     *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (selection);

  /* A click selects one row; a Ctrl+click toggles one row; Shift+click
   * extends a range and keeps the row it started from. */
  if (gtk_bitset_get_size (set) == 1)
    self->current = gtk_bitset_get_minimum (set);
  else if (n_items == 1 && gtk_bitset_contains (set, position))
    self->current = position;
  self->current = current_position (self);

  /* The user picked a row: stop jumping to the newest one. */
  if (!self->selecting && self->follow && self->current != GTK_INVALID_LIST_POSITION)
    etws_event_view_set_follow (self, FALSE);
  self->told_index = etws_event_view_get_selected_index (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
sorter_changed_cb (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   EtwsEventView   *self)
{
  EtwsColumn column = ETWS_COLUMN_NONE;
  gboolean descending = FALSE;
  GtkOrdering order;

  probe.first = NULL;
  order = gtk_sorter_compare (sorter, probe.a, probe.b);
  if (probe.first != NULL)
    {
      column = probe.first->column;
      descending = order == GTK_ORDERING_LARGER;
    }
  probe.first = NULL;

  if (self->model == NULL)
    return;
  if (column == etws_event_model_get_sort_column (self->model) &&
      descending == etws_event_model_get_sort_descending (self->model))
    return;
  self->restore_index = etws_event_view_get_selected_index (self);
  etws_event_model_set_sort (self->model, column, descending);
}

void
etws_event_view_set_model (EtwsEventView  *self,
                           EtwsEventModel *model)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  g_return_if_fail (model == NULL || ETWS_IS_EVENT_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->model);
  if (self->selection != NULL)
    g_clear_signal_handler (&self->selected_id, self->selection);
  g_clear_handle_id (&self->follow_source, g_source_remove);
  g_clear_object (&self->selection);
  g_clear_object (&self->paced);
  g_clear_object (&self->model);
  g_clear_pointer (&self->reader, etws_record_reader_free);
  self->reader_trace = NULL;
  self->time_base = G_MININT64;
  self->restore_index = G_MAXUINT64;
  self->current = GTK_INVALID_LIST_POSITION;
  self->told_index = G_MAXUINT64;
  self->pending_scroll = GTK_INVALID_LIST_POSITION;

  if (model != NULL)
    {
      EtwsStore *store = etws_event_model_get_store (model);

      self->model = g_object_ref (model);
      /* Created before our own handler, so the list has the rows first. */
      self->paced = etws_paced_model_new (G_LIST_MODEL (model), GTK_WIDGET (self->column_view));
      self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->paced)));
      self->items_changed_id = g_signal_connect (model, "items-changed",
                                                 G_CALLBACK (items_changed_cb), self);
      self->selected_id = g_signal_connect (self->selection, "selection-changed",
                                            G_CALLBACK (selected_cb), self);
      if (etws_store_get_n_rows (store) > 0)
        self->time_base = etws_store_get_time (store, 0);
    }

  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  /* A new model starts unsorted; clear the header arrows to match. */
  g_signal_handler_block (gtk_column_view_get_sorter (self->column_view), self->sorter_changed_id);
  gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
  g_signal_handler_unblock (gtk_column_view_get_sorter (self->column_view), self->sorter_changed_id);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  if (self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    schedule_follow (self);
}

EtwsEventModel *
etws_event_view_get_model (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  return self->model;
}

GtkSelectionModel *
etws_event_view_get_selection (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

GtkColumnView *
etws_event_view_get_column_view (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  return self->column_view;
}

GActionGroup *
etws_event_view_get_actions (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

guint64
etws_event_view_get_selected_index (EtwsEventView *self)
{
  guint pos;

  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), G_MAXUINT64);
  pos = current_position (self);
  if (pos == GTK_INVALID_LIST_POSITION)
    return G_MAXUINT64;
  return etws_event_model_get_store_index (self->model, pos);
}

GArray *
etws_event_view_dup_selected_rows (EtwsEventView *self)
{
  g_autoptr(GtkBitset) set = NULL;
  GtkBitsetIter iter;
  GArray *rows;
  guint pos;

  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  if (self->selection == NULL)
    return g_array_new (FALSE, FALSE, sizeof (guint32));
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  rows = g_array_sized_new (FALSE, FALSE, sizeof (guint32),
                            (guint) MIN (gtk_bitset_get_size (set), G_MAXUINT));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &pos); ok;
       ok = gtk_bitset_iter_next (&iter, &pos))
    {
      guint64 index = etws_event_model_get_store_index (self->model, pos);
      if (index != G_MAXUINT64)
        {
          guint32 r = (guint32) index;
          g_array_append_val (rows, r);
        }
    }
  return rows;
}

guint
etws_event_view_get_n_selected (EtwsEventView *self)
{
  g_autoptr(GtkBitset) set = NULL;

  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), 0);
  if (self->selection == NULL)
    return 0;
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) MIN (gtk_bitset_get_size (set), G_MAXUINT);
}

void
etws_event_view_select (EtwsEventView *self,
                        guint          position)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  if (self->selection == NULL)
    return;
  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->paced)))
    etws_paced_model_flush (self->paced);
  self->selecting = TRUE;
  self->current = position;
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  self->selecting = FALSE;
}

void
etws_event_view_set_row_style_func (EtwsEventView    *self,
                                    EtwsRowStyleFunc  func,
                                    gpointer          data,
                                    GDestroyNotify    destroy)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));

  if (self->style_destroy != NULL)
    self->style_destroy (self->style_data);
  self->style_func = func;
  self->style_data = data;
  self->style_destroy = destroy;
  etws_event_view_restyle (self);
}

void
etws_event_view_restyle (EtwsEventView *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  g_hash_table_iter_init (&iter, self->bound_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    apply_style (self, key);
}

char *
etws_event_view_dup_cell_text (EtwsEventView *self,
                               guint          position,
                               EtwsColumn     column)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 index;

  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  g_return_val_if_fail ((guint) column < ETWS_N_COLUMNS, NULL);
  if (self->model == NULL ||
      (index = etws_event_model_get_store_index (self->model, position)) == G_MAXUINT64)
    return NULL;
  format_cell (self, etws_event_model_get_store (self->model), index, column, out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
etws_event_view_flush (EtwsEventView *self)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  if (self->paced != NULL)
    etws_paced_model_flush (self->paced);
}

void
etws_event_view_sort_by (EtwsEventView *self,
                         EtwsColumn     column,
                         gboolean       descending)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  g_return_if_fail (column == ETWS_COLUMN_NONE || etws_column_is_sortable (column));

  /* Through the column view, so the header shows the arrow; its sorter's
   * "changed" then sorts the model. */
  gtk_column_view_sort_by_column (self->column_view,
                                  column == ETWS_COLUMN_NONE ? NULL : self->columns[column],
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

/* ---- time mode, columns, follow ---- */

void
etws_event_view_set_time_mode (EtwsEventView *self,
                               const char    *mode)
{
  TimeMode m = TIME_MODE_UTC;

  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (time_mode_ids); i++)
    if (g_strcmp0 (mode, time_mode_ids[i]) == 0)
      m = (TimeMode) i;
  if (m == self->time_mode)
    return;
  self->time_mode = m;
  gtk_column_view_column_set_title (self->columns[ETWS_COLUMN_TIME], time_titles[m]);
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                                          "time-mode")),
                             g_variant_new_string (time_mode_ids[m]));
  refresh_time_cells (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_MODE]);
}

const char *
etws_event_view_get_time_mode (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  return time_mode_ids[self->time_mode];
}

static GSimpleAction *
column_action (EtwsEventView *self,
               EtwsColumn     column)
{
  g_autofree char *name = g_strdup_printf ("column-%s", etws_column_get_id (column));

  return G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), name));
}

void
etws_event_view_set_column_visible (EtwsEventView *self,
                                    EtwsColumn     column,
                                    gboolean       visible)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));
  g_return_if_fail ((guint) column < ETWS_N_COLUMNS);

  visible = !!visible;
  if (gtk_column_view_column_get_visible (self->columns[column]) == visible)
    return;
  gtk_column_view_column_set_visible (self->columns[column], visible);
  g_simple_action_set_state (column_action (self, column), g_variant_new_boolean (visible));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_COLUMNS]);
}

gboolean
etws_event_view_get_column_visible (EtwsEventView *self,
                                    EtwsColumn     column)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), FALSE);
  g_return_val_if_fail ((guint) column < ETWS_N_COLUMNS, FALSE);
  return gtk_column_view_column_get_visible (self->columns[column]);
}

void
etws_event_view_set_visible_columns (EtwsEventView      *self,
                                     const char * const *ids)
{
  gboolean want[ETWS_N_COLUMNS] = { FALSE };
  gboolean changed = FALSE;

  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      EtwsColumn c = etws_column_from_id (ids[i]);
      if (c != ETWS_COLUMN_NONE)
        want[c] = TRUE;
    }
  for (guint c = 0; c < ETWS_N_COLUMNS; c++)
    if (gtk_column_view_column_get_visible (self->columns[c]) != want[c])
      {
        gtk_column_view_column_set_visible (self->columns[c], want[c]);
        g_simple_action_set_state (column_action (self, c), g_variant_new_boolean (want[c]));
        changed = TRUE;
      }
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_COLUMNS]);
}

char **
etws_event_view_dup_visible_columns (EtwsEventView *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), NULL);
  for (guint c = 0; c < ETWS_N_COLUMNS; c++)
    if (gtk_column_view_column_get_visible (self->columns[c]))
      g_strv_builder_add (b, etws_column_get_id (c));
  return g_strv_builder_end (b);
}

void
etws_event_view_set_follow (EtwsEventView *self,
                            gboolean       follow)
{
  g_return_if_fail (ETWS_IS_EVENT_VIEW (self));

  follow = !!follow;
  if (follow == self->follow)
    return;
  self->follow = follow;
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                                          "follow")),
                             g_variant_new_boolean (follow));
  if (follow)
    schedule_follow (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

gboolean
etws_event_view_get_follow (EtwsEventView *self)
{
  g_return_val_if_fail (ETWS_IS_EVENT_VIEW (self), FALSE);
  return self->follow;
}

/* Scrolling up or paging back is the user looking at older rows. */
static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           EtwsEventView            *self)
{
  if (dy < 0 && self->follow)
    etws_event_view_set_follow (self, FALSE);
  return FALSE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                EtwsEventView         *self)
{
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      etws_event_view_set_follow (self, FALSE);
      break;
    default:
      break;
    }
  return FALSE;
}

/* ---- actions ---- */

static void
column_state_cb (GSimpleAction *action,
                 GVariant      *value,
                 EtwsEventView *self)
{
  EtwsColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (action), "column"));

  etws_event_view_set_column_visible (self, column, g_variant_get_boolean (value));
}

static void
time_mode_state_cb (GSimpleAction *action,
                    GVariant      *value,
                    EtwsEventView *self)
{
  etws_event_view_set_time_mode (self, g_variant_get_string (value, NULL));
}

static void
follow_state_cb (GSimpleAction *action,
                 GVariant      *value,
                 EtwsEventView *self)
{
  etws_event_view_set_follow (self, g_variant_get_boolean (value));
}

static void
append_row_text (EtwsEventView *self,
                 guint          pos,
                 GString       *out)
{
  gboolean first = TRUE;

  for (guint c = 0; c < ETWS_N_COLUMNS; c++)
    {
      g_autofree char *text = NULL;

      if (!gtk_column_view_column_get_visible (self->columns[c]))
        continue;
      text = etws_event_view_dup_cell_text (self, pos, c);
      if (!first)
        g_string_append_c (out, '\t');
      g_string_append (out, text != NULL ? text : "");
      first = FALSE;
    }
}

static void
copy_cb (GSimpleAction *action,
         GVariant      *parameter,
         EtwsEventView *self)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GtkBitset) set = NULL;
  GtkBitsetIter iter;
  guint pos;

  if (self->selection == NULL)
    return;
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &pos); ok;
       ok = gtk_bitset_iter_next (&iter, &pos))
    {
      if (lines->len > 0)
        g_string_append_c (lines, '\n');
      append_row_text (self, pos, lines);
    }
  if (lines->len > 0)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), lines->str);
}

static void
copy_value_cb (GSimpleAction *action,
               GVariant      *parameter,
               EtwsEventView *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          g_variant_get_string (parameter, NULL));
}

static void
copy_row_cb (GSimpleAction *action,
             GVariant      *parameter,
             EtwsEventView *self)
{
  g_autoptr(GString) line = g_string_new (NULL);
  guint pos = g_variant_get_uint32 (parameter);

  if (self->model == NULL || etws_event_model_get_store_index (self->model, pos) == G_MAXUINT64)
    return;
  append_row_text (self, pos, line);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), line->str);
}

/* ---- the cell menu ---- */

/* The field and value a filter clause about this cell tests. The Event
 * column shows "Id 12" for unnamed events, which is the id field. */
static gboolean
cell_filter_value (EtwsEventView  *self,
                   guint           position,
                   EtwsColumn      column,
                   const char    **field,
                   char          **value)
{
  EtwsStore *store = etws_event_model_get_store (self->model);
  guint64 index = etws_event_model_get_store_index (self->model, position);
  GString *out;

  if (index == G_MAXUINT64 || column == ETWS_COLUMN_ROW)
    return FALSE;
  *field = etws_column_get_id (column);
  out = g_string_new (NULL);
  switch (column)
    {
    case ETWS_COLUMN_TIME:
      etws_format_time_utc (out, etws_store_get_time (store, index));
      break;
    case ETWS_COLUMN_PID:
      g_string_append_printf (out, "%u", etws_store_get_pid (store, index));
      break;
    case ETWS_COLUMN_TID:
      g_string_append_printf (out, "%u", etws_store_get_tid (store, index));
      break;
    case ETWS_COLUMN_PROCESS:
      g_string_append (out, etws_store_get_string (store, etws_store_get_process (store, index)));
      break;
    case ETWS_COLUMN_PATH:
      g_string_append (out, etws_store_get_string (store, etws_store_get_path (store, index)));
      break;
    case ETWS_COLUMN_RESULT:
      g_string_append (out, etws_store_get_string (store, etws_store_get_result (store, index)));
      break;
    case ETWS_COLUMN_EVENT:
      {
        const EtwsEventType *type = etws_store_get_event_type (store, index);

        if (type != NULL && type->name == 0)
          {
            *field = type->id != 0 ? "id" : "opcode";
            g_string_append_printf (out, "%u", type->id != 0 ? type->id : type->opcode);
            break;
          }
      }
      G_GNUC_FALLTHROUGH;
    case ETWS_COLUMN_CPU:
    case ETWS_COLUMN_PROVIDER:
    case ETWS_COLUMN_DETAIL:
    default:
      format_cell (self, store, index, column, out);
      break;
    }
  *value = g_string_free (out, FALSE);
  return TRUE;
}

/* "Include 'C:\Windows\…\notepad.exe'": shortened in the middle, and
 * with underscores doubled (menu labels take mnemonics). */
static char *
menu_label (const char *format,
            const char *value)
{
  g_autofree char *shown = NULL;
  g_autoptr(GString) escaped = g_string_new (NULL);
  glong len = g_utf8_strlen (value, -1);

  if (*value == '\0')
    shown = g_strdup ("(empty)");
  else if (len > MENU_VALUE_CHARS)
    {
      const char *head_end = g_utf8_offset_to_pointer (value, MENU_VALUE_CHARS / 2);
      const char *tail = g_utf8_offset_to_pointer (value, len - (MENU_VALUE_CHARS / 2 - 1));

      shown = g_strdup_printf ("%.*s…%s", (int) (head_end - value), value, tail);
    }
  else
    shown = g_strdup (value);
  for (const char *s = shown; *s; s++)
    {
      if (*s == '_')
        g_string_append_c (escaped, '_');
      g_string_append_c (escaped, *s == '\n' || *s == '\t' ? ' ' : *s);
    }
  return g_strdup_printf (format, escaped->str);
}

static void
append_item (GMenu      *menu,
             const char *label,
             const char *action,
             GVariant   *target)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (menu, item);
}

static void
popup_cell_menu (EtwsEventView *self,
                 guint          position,
                 EtwsColumn     column,
                 double         x,
                 double         y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) filters = g_menu_new ();
  g_autoptr(GMenu) copies = g_menu_new ();
  g_autofree char *text = etws_event_view_dup_cell_text (self, position, column);
  g_autofree char *value = NULL;
  const char *field = NULL;

  if (text == NULL)
    return;
  if (cell_filter_value (self, position, column, &field, &value))
    {
      g_autofree char *include = etws_filter_clause_for_value (field, value, FALSE);
      g_autofree char *exclude = etws_filter_clause_for_value (field, value, TRUE);

      if (include != NULL && exclude != NULL)
        {
          g_autofree char *inc = menu_label ("Include '%s'", text);
          g_autofree char *exc = menu_label ("Exclude '%s'", text);
          g_autofree char *hil = menu_label ("Highlight '%s'", text);

          append_item (filters, inc, "filter.include", g_variant_new_string (include));
          append_item (filters, exc, "filter.exclude", g_variant_new_string (exclude));
          append_item (filters, hil, "filter.highlight", g_variant_new_string (include));
          g_menu_append_section (menu, NULL, G_MENU_MODEL (filters));
        }
    }
  append_item (copies, "Copy _Value", "view.copy-value", g_variant_new_string (text));
  append_item (copies, "Copy _Row", "view.copy-row", g_variant_new_uint32 (position));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (copies));

  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->cell_menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->cell_menu),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->cell_menu));
}

static void
setup_actions (EtwsEventView *self)
{
  g_autoptr(GMenu) time_section = g_menu_new ();
  g_autoptr(GMenu) column_section = g_menu_new ();
  GSimpleAction *action;

  self->actions = g_simple_action_group_new ();

  for (guint c = 0; c < ETWS_N_COLUMNS; c++)
    {
      g_autofree char *name = g_strdup_printf ("column-%s", etws_column_get_id (c));
      g_autofree char *detailed = g_strdup_printf ("view.%s", name);

      action = g_simple_action_new_stateful (name, NULL, g_variant_new_boolean (TRUE));
      g_object_set_data (G_OBJECT (action), "column", GUINT_TO_POINTER (c));
      g_signal_connect (action, "change-state", G_CALLBACK (column_state_cb), self);
      g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
      g_object_unref (action);
      g_menu_append (column_section,
                     c == ETWS_COLUMN_TIME ? "Time" : column_defs[c].title, detailed);
    }

  action = g_simple_action_new_stateful ("time-mode", G_VARIANT_TYPE_STRING,
                                         g_variant_new_string ("utc"));
  g_signal_connect (action, "change-state", G_CALLBACK (time_mode_state_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);
  g_menu_append (time_section, "Time in UTC", "view.time-mode::utc");
  g_menu_append (time_section, "Local Time", "view.time-mode::local");
  g_menu_append (time_section, "Time Relative to First Event", "view.time-mode::relative");

  action = g_simple_action_new_stateful ("follow", NULL, g_variant_new_boolean (FALSE));
  g_signal_connect (action, "change-state", G_CALLBACK (follow_state_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);

  action = g_simple_action_new ("copy", NULL);
  g_signal_connect (action, "activate", G_CALLBACK (copy_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);

  action = g_simple_action_new ("copy-value", G_VARIANT_TYPE_STRING);
  g_signal_connect (action, "activate", G_CALLBACK (copy_value_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);

  action = g_simple_action_new ("copy-row", G_VARIANT_TYPE_UINT32);
  g_signal_connect (action, "activate", G_CALLBACK (copy_row_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
  g_object_unref (action);

  gtk_widget_insert_action_group (GTK_WIDGET (self), "view", G_ACTION_GROUP (self->actions));

  /* Right-click on any header: the column chooser and the time modes. */
  self->header_menu = g_menu_new ();
  g_menu_append_section (self->header_menu, "Columns", G_MENU_MODEL (column_section));
  g_menu_append_section (self->header_menu, "Time", G_MENU_MODEL (time_section));
}

static void
setup_columns (EtwsEventView *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  for (guint c = 0; c < ETWS_N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (c));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
      g_signal_connect (factory, "teardown", G_CALLBACK (teardown_cb), self);

      column = gtk_column_view_column_new (column_defs[c].title, factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, column_defs[c].width);
      gtk_column_view_column_set_expand (column, column_defs[c].expand);
      gtk_column_view_column_set_header_menu (column, G_MENU_MODEL (self->header_menu));
      if (etws_column_is_sortable (c))
        {
          g_autoptr(GtkSorter) s = etws_column_sorter_new (c);
          gtk_column_view_column_set_sorter (column, s);
        }
      gtk_column_view_append_column (self->column_view, column);
      self->columns[c] = column;
      g_object_unref (column);
    }
  self->sorter_changed_id = g_signal_connect (sorter, "changed", G_CALLBACK (sorter_changed_cb), self);
}

/* ---- GObject ---- */

static void
etws_event_view_dispose (GObject *object)
{
  EtwsEventView *self = ETWS_EVENT_VIEW (object);

  etws_event_view_set_model (self, NULL);
  etws_event_view_set_row_style_func (self, NULL, NULL, NULL);
  cancel_pending_scroll (self);
  g_clear_pointer (&self->cell_menu, gtk_widget_unparent);
  if (self->column_view != NULL)
    g_clear_signal_handler (&self->sorter_changed_id, gtk_column_view_get_sorter (self->column_view));
  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_EVENT_VIEW);
  g_clear_object (&self->actions);
  g_clear_object (&self->header_menu);
  G_OBJECT_CLASS (etws_event_view_parent_class)->dispose (object);
}

static void
etws_event_view_finalize (GObject *object)
{
  EtwsEventView *self = ETWS_EVENT_VIEW (object);

  g_clear_pointer (&self->time_cells, g_hash_table_unref);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);
  g_clear_pointer (&self->reader, etws_record_reader_free);
  g_clear_pointer (&self->decoder, etw_decoder_free);
  g_clear_pointer (&self->decoded, g_free);
  g_string_free (self->scratch, TRUE);
  G_OBJECT_CLASS (etws_event_view_parent_class)->finalize (object);
}

static void
etws_event_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EtwsEventView *self = ETWS_EVENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_MODE:
      g_value_set_string (value, etws_event_view_get_time_mode (self));
      break;
    case PROP_VISIBLE_COLUMNS:
      g_value_take_boxed (value, etws_event_view_dup_visible_columns (self));
      break;
    case PROP_FOLLOW:
      g_value_set_boolean (value, self->follow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_event_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EtwsEventView *self = ETWS_EVENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_MODE:
      etws_event_view_set_time_mode (self, g_value_get_string (value));
      break;
    case PROP_VISIBLE_COLUMNS:
      etws_event_view_set_visible_columns (self, g_value_get_boxed (value));
      break;
    case PROP_FOLLOW:
      etws_event_view_set_follow (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_event_view_unrealize (GtkWidget *widget)
{
  /* The frame clock belongs to the surface being given up. */
  cancel_pending_scroll (ETWS_EVENT_VIEW (widget));
  GTK_WIDGET_CLASS (etws_event_view_parent_class)->unrealize (widget);
}

static void
etws_event_view_class_init (EtwsEventViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_event_view_dispose;
  object_class->finalize = etws_event_view_finalize;
  widget_class->unrealize = etws_event_view_unrealize;
  object_class->get_property = etws_event_view_get_property;
  object_class->set_property = etws_event_view_set_property;

  properties[PROP_TIME_MODE] =
    g_param_spec_string ("time-mode", NULL, NULL, "utc",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VISIBLE_COLUMNS] =
    g_param_spec_boxed ("visible-columns", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The selected row changed (see etws_event_view_get_selected_index()). */
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-event-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsEventView, scroller);
  gtk_widget_class_bind_template_child (widget_class, EtwsEventView, column_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "eventview");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "view.copy", NULL);

  probe.a = g_object_new (G_TYPE_OBJECT, NULL);
  probe.b = g_object_new (G_TYPE_OBJECT, NULL);
}

static void
etws_event_view_init (EtwsEventView *self)
{
  GtkEventController *controller;

  self->time_mode = TIME_MODE_UTC;
  self->time_base = G_MININT64;
  self->restore_index = G_MAXUINT64;
  self->time_cells = g_hash_table_new (NULL, NULL);
  self->bound_cells = g_hash_table_new (NULL, NULL);
  self->current = GTK_INVALID_LIST_POSITION;
  self->told_index = G_MAXUINT64;
  self->pending_scroll = GTK_INVALID_LIST_POSITION;
  self->scratch = g_string_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  setup_actions (self);
  setup_columns (self);

  self->cell_menu = gtk_popover_menu_new_from_model (NULL);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->cell_menu), FALSE);
  gtk_widget_set_halign (self->cell_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->cell_menu, GTK_WIDGET (self));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);

  /* Right-click on a cell (GTK 4.8 has no GtkColumnViewCell to hang a
   * menu on). */
  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (controller), GDK_BUTTON_SECONDARY);
  g_signal_connect (controller, "pressed", G_CALLBACK (cell_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);
}

GtkWidget *
etws_event_view_new (void)
{
  return g_object_new (ETWS_TYPE_EVENT_VIEW, NULL);
}
