/* etws-detail-pane.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-detail-pane"

#include "config.h"

#include "etws-detail-pane.h"

#include "etw-decode.h"
#include "etw-guid.h"
#include "etw-providers.h"
#include "etws-format.h"
#include "etws-sort.h"

/* The hex dump stops here; a payload lies inside one trace buffer, but a
 * text view of megabytes helps nobody. */
#define HEX_DUMP_MAX (64 * 1024)

/* ---- rows of the Fields and Stack lists ---- */

struct _EtwsDetailRow
{
  GObject  parent_instance;
  char    *text[3];
  guint    depth;
};

G_DEFINE_FINAL_TYPE (EtwsDetailRow, etws_detail_row, G_TYPE_OBJECT)

static void
etws_detail_row_finalize (GObject *object)
{
  EtwsDetailRow *self = ETWS_DETAIL_ROW (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->text); i++)
    g_free (self->text[i]);
  G_OBJECT_CLASS (etws_detail_row_parent_class)->finalize (object);
}

static void
etws_detail_row_class_init (EtwsDetailRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = etws_detail_row_finalize;
}

static void
etws_detail_row_init (EtwsDetailRow *self)
{
}

static EtwsDetailRow *
detail_row_new (guint       depth,
                const char *a,
                const char *b,
                const char *c)
{
  EtwsDetailRow *self = g_object_new (ETWS_TYPE_DETAIL_ROW, NULL);

  self->depth = depth;
  self->text[0] = g_strdup (a);
  self->text[1] = g_strdup (b);
  self->text[2] = g_strdup (c);
  return self;
}

const char *
etws_detail_row_get_text (EtwsDetailRow *self,
                          guint          column)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_ROW (self), NULL);
  g_return_val_if_fail (column < G_N_ELEMENTS (self->text), NULL);
  return self->text[column] != NULL ? self->text[column] : "";
}

guint
etws_detail_row_get_depth (EtwsDetailRow *self)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_ROW (self), 0);
  return self->depth;
}

/* ---- the pane ---- */

static const char *const property_names[] = {
  "Row",
  "Time (UTC)",
  "Time (local)",
  "Raw timestamp",
  "Provider",
  "Provider GUID",
  "Event",
  "ID",
  "Version",
  "Opcode",
  "Task",
  "Level",
  "Keywords",
  "Process",
  "PID",
  "TID",
  "CPU",
  "Pointer size",
  "Header type",
  "Operation",
  "Path",
  "Result",
  "Detail",
  "Payload",
  "Stack",
};

struct _EtwsDetailPane
{
  GtkWidget         parent_instance;

  GtkStack         *stack;
  GtkGrid          *properties_grid;
  GtkNotebook      *notebook;
  GtkColumnView    *fields_view;
  GtkColumnView    *stack_view;
  GtkTextView      *hex_view;
  GtkWidget        *fields_tab;
  GtkWidget        *stack_tab;
  GtkWidget        *payload_tab;
  GtkLabel         *fields_empty;

  GtkLabel         *values[G_N_ELEMENTS (property_names)];
  GListStore       *fields;
  GListStore       *frames;

  EtwsStore        *store;
  guint64           index;
  EtwsTrace        *reader_trace;
  EtwsRecordReader *reader;
  EtwDecoder       *decoder;
  EtwDecoded       *decoded;
};

G_DEFINE_FINAL_TYPE (EtwsDetailPane, etws_detail_pane, GTK_TYPE_WIDGET)

static const char *
value_type_name (guint8 type)
{
  switch (type)
    {
    case ETW_VAL_INT: return "int";
    case ETW_VAL_UINT: return "uint";
    case ETW_VAL_HEX: return "hex";
    case ETW_VAL_POINTER: return "pointer";
    case ETW_VAL_BOOL: return "bool";
    case ETW_VAL_DOUBLE: return "double";
    case ETW_VAL_STRING: return "string";
    case ETW_VAL_GUID: return "guid";
    case ETW_VAL_SID: return "sid";
    case ETW_VAL_IPV4: return "ipv4";
    case ETW_VAL_IPV6: return "ipv6";
    case ETW_VAL_FILETIME: return "filetime";
    case ETW_VAL_SYSTEMTIME: return "systemtime";
    case ETW_VAL_BINARY: return "binary";
    case ETW_VAL_STATUS: return "status";
    case ETW_VAL_STRUCT_BEGIN: return "struct";
    case ETW_VAL_ARRAY_BEGIN: return "array";
    default: return "";
    }
}

static const char *
header_kind_name (guint8 kind)
{
  switch (kind)
    {
    case ETW_HDR_SYSTEM: return "SYSTEM_TRACE_HEADER";
    case ETW_HDR_COMPACT: return "Compact system header";
    case ETW_HDR_PERFINFO: return "PERFINFO_TRACE_HEADER";
    case ETW_HDR_EVENT: return "EVENT_HEADER";
    case ETW_HDR_CLASSIC: return "EVENT_TRACE_HEADER (classic)";
    case ETW_HDR_INSTANCE: return "EVENT_INSTANCE_HEADER";
    case ETW_HDR_MESSAGE: return "Message (WPP)";
    case ETW_HDR_LIVE: return "Live event";
    default: return "Unknown";
    }
}

static void
set_value (EtwsDetailPane *self,
           const char     *name,
           const char     *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    if (g_str_equal (property_names[i], name))
      {
        gtk_label_set_text (self->values[i], value != NULL ? value : "");
        return;
      }
  g_assert_not_reached ();
}

static void G_GNUC_PRINTF (3, 4)
set_valuef (EtwsDetailPane *self,
            const char     *name,
            const char     *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  set_value (self, name, text);
}

static void
set_tab_label (GtkWidget  *tab,
               const char *format,
               guint64     n)
{
  g_autofree char *text = g_strdup_printf (format, n);

  gtk_label_set_text (GTK_LABEL (tab), text);
}

static void
fill_hex (EtwsDetailPane *self,
          const guint8   *data,
          guint32         len)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint32 shown = MIN (len, HEX_DUMP_MAX);

  for (guint32 off = 0; off < shown; off += 16)
    {
      guint32 n = MIN (16, shown - off);

      g_string_append_printf (out, "%08x  ", off);
      for (guint32 i = 0; i < 16; i++)
        {
          if (i < n)
            g_string_append_printf (out, "%02x ", data[off + i]);
          else
            g_string_append (out, "   ");
          if (i == 7)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, " |");
      for (guint32 i = 0; i < n; i++)
        g_string_append_c (out, g_ascii_isprint (data[off + i]) ? (char) data[off + i] : '.');
      g_string_append (out, "|\n");
    }
  if (shown < len)
    g_string_append_printf (out, "… %u more bytes not shown\n", len - shown);
  if (len == 0)
    g_string_append (out, "(no payload)");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->hex_view), out->str, (int) out->len);
}

static void
fill_fields (EtwsDetailPane   *self,
             const EtwDecoded *dec)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) value = g_string_new (NULL);

  for (guint i = 0; i < dec->n_fields && i < ETW_DECODED_MAX_FIELDS; i++)
    {
      const EtwField *f = &dec->fields[i];

      if (f->type == ETW_VAL_STRUCT_END || f->type == ETW_VAL_ARRAY_END)
        continue;
      g_string_truncate (value, 0);
      if (f->type == ETW_VAL_ARRAY_BEGIN)
        g_string_append_printf (value, "[%u]", f->len);
      else if (f->type != ETW_VAL_STRUCT_BEGIN)
        etws_format_field_value (value, f);
      g_ptr_array_add (rows, detail_row_new (f->depth, f->name != NULL ? f->name : "",
                                             value_type_name (f->type), value->str));
    }
  g_list_store_splice (self->fields, 0, g_list_model_get_n_items (G_LIST_MODEL (self->fields)),
                       rows->pdata, rows->len);
  set_tab_label (self->fields_tab, "Fields (%" G_GUINT64_FORMAT ")", rows->len);
  gtk_widget_set_visible (GTK_WIDGET (self->fields_empty), rows->len == 0);
}

static void
fill_stack (EtwsDetailPane *self,
            EtwsTrace      *trace,
            guint32         stack_id,
            guint           pointer_size)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = 0;
  const EtwsFrame *frames = etws_trace_stack (trace, stack_id, &n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *idx = g_strdup_printf ("%u", i);
      g_autofree char *addr = pointer_size == 4
        ? g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", frames[i].address)
        : g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x", frames[i].address);
      const char *sym = frames[i].symbol != 0 ? etws_trace_string (trace, frames[i].symbol) : NULL;

      g_ptr_array_add (rows, detail_row_new (0, idx, sym != NULL && *sym ? sym : "?", addr));
    }
  g_list_store_splice (self->frames, 0, g_list_model_get_n_items (G_LIST_MODEL (self->frames)),
                       rows->pdata, rows->len);
  set_tab_label (self->stack_tab, "Stack (%" G_GUINT64_FORMAT ")", n);
}

static void
clear (EtwsDetailPane *self)
{
  g_list_store_remove_all (self->fields);
  g_list_store_remove_all (self->frames);
  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    gtk_label_set_text (self->values[i], "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->hex_view), "", 0);
  gtk_label_set_text (GTK_LABEL (self->fields_tab), "Fields");
  gtk_label_set_text (GTK_LABEL (self->stack_tab), "Stack");
  gtk_label_set_text (GTK_LABEL (self->payload_tab), "Payload");
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
ensure_reader (EtwsDetailPane *self,
               EtwsTrace      *trace)
{
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

void
etws_detail_pane_show_row (EtwsDetailPane *self,
                           EtwsStore      *store,
                           guint64         index)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char guid[ETW_GUID_STRING_LEN + 1];
  EtwsTrace *trace;
  EtwDecoded *dec;
  EtwEvent ev;
  const char *name;
  guint n_frames = 0;

  g_return_if_fail (ETWS_IS_DETAIL_PANE (self));

  g_set_object (&self->store, store);
  self->index = index;
  trace = store != NULL ? etws_store_get_trace (store) : NULL;
  if (trace == NULL || index >= etws_store_get_n_rows (store))
    {
      self->index = G_MAXUINT64;
      clear (self);
      return;
    }

  ensure_reader (self, trace);
  if (self->reader == NULL || !etws_store_read_event (store, self->reader, index, &ev))
    {
      clear (self);
      set_value (self, "Row", "The record could not be read again from the trace.");
      gtk_stack_set_visible_child_name (self->stack, "event");
      return;
    }

  dec = self->decoded;
  etw_decode (self->decoder, &ev, ETW_DECODE_SUMMARY | ETW_DECODE_DETAIL | ETW_DECODE_FIELDS, dec);

  set_valuef (self, "Row", "%" G_GUINT64_FORMAT, etws_store_get_first_row (store) + index + 1);
  etws_format_time_utc (s, ev.time);
  set_value (self, "Time (UTC)", s->str);
  {
    g_autoptr(GDateTime) dt =
      g_date_time_new_from_unix_local (ev.time / 10000000 - G_GINT64_CONSTANT (11644473600));
    g_autofree char *local = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : NULL;

    if (local != NULL)
      set_valuef (self, "Time (local)", "%s.%07u %s", local, (guint) (ev.time % 10000000),
                  g_date_time_get_timezone_abbreviation (dt));
    else
      set_value (self, "Time (local)", "");
  }
  set_valuef (self, "Raw timestamp", "%" G_GINT64_FORMAT, ev.raw_time);
  set_value (self, "Provider", dec->provider_name);
  etw_guid_format (&ev.provider, guid);
  set_value (self, "Provider GUID", guid);
  g_string_truncate (s, 0);
  etws_event_type_label (trace, etws_store_get_etype (store, index), s);
  set_value (self, "Event", s->str);
  set_valuef (self, "ID", "%u", ev.id);
  set_valuef (self, "Version", "%u", ev.version);
  name = etw_kernel_opcode_name (&ev.provider, ev.opcode);
  if (name == NULL)
    name = etw_standard_opcode_name (ev.opcode);
  if (name != NULL)
    set_valuef (self, "Opcode", "%u (%s)", ev.opcode, name);
  else
    set_valuef (self, "Opcode", "%u", ev.opcode);
  set_valuef (self, "Task", "%u", ev.task);
  name = etw_level_name (ev.level);
  if (name != NULL)
    set_valuef (self, "Level", "%u (%s)", ev.level, name);
  else
    set_valuef (self, "Level", "%u", ev.level);
  set_valuef (self, "Keywords", "0x%016" G_GINT64_MODIFIER "x", (guint64) ev.keyword);
  set_value (self, "Process",
             etws_store_get_string (store, etws_store_get_process (store, index)));
  set_valuef (self, "PID", "%u", etws_store_get_pid (store, index));
  set_valuef (self, "TID", "%u", ev.tid);
  set_valuef (self, "CPU", "%u", ev.cpu);
  set_valuef (self, "Pointer size", "%u bytes", ev.pointer_size);
  if (ev.header_type != 0)
    set_valuef (self, "Header type", "%s (0x%02x)", header_kind_name (ev.kind), ev.header_type);
  else
    set_value (self, "Header type", header_kind_name (ev.kind));
  set_value (self, "Operation", dec->operation);
  set_value (self, "Path", dec->path);
  set_value (self, "Result", dec->result);
  set_value (self, "Detail", dec->detail);
  set_valuef (self, "Payload", "%u bytes", ev.payload_len);

  fill_fields (self, dec);
  fill_stack (self, trace, etws_store_get_stack (store, index), ev.pointer_size);
  etws_trace_stack (trace, etws_store_get_stack (store, index), &n_frames);
  set_valuef (self, "Stack", n_frames > 0 ? "%u frames" : "none", n_frames);
  fill_hex (self, ev.payload, ev.payload != NULL ? ev.payload_len : 0);
  set_tab_label (self->payload_tab, "Payload (%" G_GUINT64_FORMAT " bytes)", ev.payload_len);
  gtk_stack_set_visible_child_name (self->stack, "event");
}

guint64
etws_detail_pane_get_index (EtwsDetailPane *self)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), G_MAXUINT64);
  return self->index;
}

const char *
etws_detail_pane_get_property_value (EtwsDetailPane *self,
                                     const char     *name)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    if (g_strcmp0 (property_names[i], name) == 0)
      return gtk_label_get_text (self->values[i]);
  return NULL;
}

GListModel *
etws_detail_pane_get_fields (EtwsDetailPane *self)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), NULL);
  return G_LIST_MODEL (self->fields);
}

GListModel *
etws_detail_pane_get_stack (EtwsDetailPane *self)
{
  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), NULL);
  return G_LIST_MODEL (self->frames);
}

char *
etws_detail_pane_dup_hex (EtwsDetailPane *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), NULL);
  buffer = gtk_text_view_get_buffer (self->hex_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
append_rows (GString    *out,
             GListModel *model,
             GtkBitset  *only)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EtwsDetailRow) row = NULL;

      if (only != NULL && !gtk_bitset_contains (only, i))
        continue;
      row = g_list_model_get_item (model, i);
      for (guint d = 0; d < row->depth; d++)
        g_string_append (out, "  ");
      g_string_append_printf (out, "%s\t%s\t%s\n", etws_detail_row_get_text (row, 0),
                              etws_detail_row_get_text (row, 1), etws_detail_row_get_text (row, 2));
    }
}

char *
etws_detail_pane_dup_page_text (EtwsDetailPane *self,
                                const char     *page)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (ETWS_IS_DETAIL_PANE (self), NULL);

  if (g_strcmp0 (page, "properties") == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
        g_string_append_printf (out, "%s\t%s\n", property_names[i],
                                gtk_label_get_text (self->values[i]));
    }
  else if (g_strcmp0 (page, "fields") == 0)
    append_rows (out, G_LIST_MODEL (self->fields), NULL);
  else if (g_strcmp0 (page, "stack") == 0)
    append_rows (out, G_LIST_MODEL (self->frames), NULL);
  else if (g_strcmp0 (page, "payload") == 0)
    {
      g_autofree char *hex = etws_detail_pane_dup_hex (self);
      g_string_append (out, hex);
    }
  else
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
copy_text (EtwsDetailPane *self,
           const char     *text)
{
  if (text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

/* Copy: the selected lines of the list in focus, else the whole page. */
static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EtwsDetailPane *self = ETWS_DETAIL_PANE (widget);
  static const char *const pages[] = { "fields", "stack", "payload" };
  int page = gtk_notebook_get_current_page (self->notebook);
  GtkColumnView *view = page == 0 ? self->fields_view : page == 1 ? self->stack_view : NULL;
  g_autofree char *text = NULL;

  if (view != NULL)
    {
      GtkSelectionModel *sel = gtk_column_view_get_model (view);
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (sel);

      if (!gtk_bitset_is_empty (selected))
        {
          g_autoptr(GString) out = g_string_new (NULL);
          append_rows (out, G_LIST_MODEL (sel), selected);
          copy_text (self, out->str);
          return;
        }
    }
  if (page >= 0 && page < (int) G_N_ELEMENTS (pages))
    {
      text = etws_detail_pane_dup_page_text (self, pages[page]);
      copy_text (self, text);
    }
}

static void
copy_properties_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  g_autofree char *text = etws_detail_pane_dup_page_text (ETWS_DETAIL_PANE (widget), "properties");

  copy_text (ETWS_DETAIL_PANE (widget), text);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 12);
  gtk_list_item_set_child (list_item, cell);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  EtwsDetailRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  gtk_inscription_set_text (GTK_INSCRIPTION (cell), etws_detail_row_get_text (row, column));
  /* Members of structs and arrays are indented under their parent. */
  gtk_widget_set_margin_start (cell, column == 0 ? 14 * (int) row->depth : 0);
  gtk_widget_set_tooltip_text (cell, column == 2 ? etws_detail_row_get_text (row, column) : NULL);
}

static void
add_columns (GtkColumnView      *view,
             GListModel         *model,
             const char * const *titles,
             const int          *widths)
{
  GtkMultiSelection *selection = gtk_multi_selection_new (g_object_ref (model));

  for (guint i = 0; i < 3; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (i));
      column = gtk_column_view_column_new (titles[i], factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      if (widths[i] > 0)
        gtk_column_view_column_set_fixed_width (column, widths[i]);
      else
        gtk_column_view_column_set_expand (column, TRUE);
      gtk_column_view_append_column (view, column);
      g_object_unref (column);
    }
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
}

static void
build_properties (EtwsDetailPane *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    {
      GtkWidget *key = gtk_label_new (property_names[i]);
      GtkWidget *value = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (key), 1.0f);
      gtk_widget_set_valign (key, GTK_ALIGN_START);
      gtk_widget_add_css_class (key, "dim-label");
      gtk_widget_add_css_class (key, "property-name");
      gtk_label_set_xalign (GTK_LABEL (value), 0.0f);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (value), 60);
      gtk_widget_set_hexpand (value, TRUE);
      gtk_widget_add_css_class (value, "property-value");
      gtk_grid_attach (self->properties_grid, key, 0, (int) i, 1, 1);
      gtk_grid_attach (self->properties_grid, value, 1, (int) i, 1, 1);
      self->values[i] = GTK_LABEL (value);
    }
}

static void
etws_detail_pane_dispose (GObject *object)
{
  EtwsDetailPane *self = ETWS_DETAIL_PANE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ETWS_TYPE_DETAIL_PANE);
  g_clear_object (&self->fields);
  g_clear_object (&self->frames);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (etws_detail_pane_parent_class)->dispose (object);
}

static void
etws_detail_pane_finalize (GObject *object)
{
  EtwsDetailPane *self = ETWS_DETAIL_PANE (object);

  g_clear_pointer (&self->reader, etws_record_reader_free);
  g_clear_pointer (&self->decoder, etw_decoder_free);
  g_clear_pointer (&self->decoded, g_free);
  G_OBJECT_CLASS (etws_detail_pane_parent_class)->finalize (object);
}

static void
etws_detail_pane_class_init (EtwsDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = etws_detail_pane_dispose;
  object_class->finalize = etws_detail_pane_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/etwscope/Etwscope/etws-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, stack);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, properties_grid);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, notebook);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, fields_view);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, stack_view);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, hex_view);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, fields_tab);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, stack_tab);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, payload_tab);
  gtk_widget_class_bind_template_child (widget_class, EtwsDetailPane, fields_empty);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "detailpane");

  gtk_widget_class_install_action (widget_class, "detail.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "detail.copy-properties", NULL,
                                   copy_properties_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "detail.copy", NULL);
}

static void
etws_detail_pane_init (EtwsDetailPane *self)
{
  static const char *const field_titles[] = { "Name", "Type", "Value" };
  static const int field_widths[] = { 200, 80, -1 };
  static const char *const stack_titles[] = { "#", "Frame", "Address" };
  static const int stack_widths[] = { 40, -1, 170 };

  self->index = G_MAXUINT64;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->fields = g_list_store_new (ETWS_TYPE_DETAIL_ROW);
  self->frames = g_list_store_new (ETWS_TYPE_DETAIL_ROW);
  add_columns (self->fields_view, G_LIST_MODEL (self->fields), field_titles, field_widths);
  add_columns (self->stack_view, G_LIST_MODEL (self->frames), stack_titles, stack_widths);
  build_properties (self);
  clear (self);
}

GtkWidget *
etws_detail_pane_new (void)
{
  return g_object_new (ETWS_TYPE_DETAIL_PANE, NULL);
}
