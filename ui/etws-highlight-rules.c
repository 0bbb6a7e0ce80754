/* etws-highlight-rules.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-highlight"

#include "config.h"

#include "etws-highlight-rules.h"

typedef struct
{
  char              *expression;
  EtwsFilter        *filter;
  EtwsFilterMatcher *matcher;
  guint              color;
} Rule;

struct _EtwsHighlightRules
{
  GObject    parent_instance;

  GPtrArray *rules;
  EtwsStore *store;
  gulong     removed_handler;

  /* The cells of one row are bound one after another: remember the last
   * answer so a row is tested once, not once per column. */
  guint64    cached_index;
  const char *cached_style;
};

G_DEFINE_FINAL_TYPE (EtwsHighlightRules, etws_highlight_rules, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rule_free (gpointer data)
{
  Rule *rule = data;

  g_free (rule->expression);
  g_clear_pointer (&rule->matcher, etws_filter_matcher_free);
  etws_filter_unref (rule->filter);
  g_free (rule);
}

static void
new_matcher (EtwsHighlightRules *self,
             Rule               *rule)
{
  rule->matcher = etws_filter_matcher_new (rule->filter, self->store);
  /* Rows are tested as they scroll into sight, anywhere in the trace;
   * `detail` then means the text the Detail column shows. */
  etws_filter_matcher_set_replay (rule->matcher, FALSE);
}

static void
forget (EtwsHighlightRules *self)
{
  self->cached_index = G_MAXUINT64;
  self->cached_style = NULL;
}

static void
changed (EtwsHighlightRules *self)
{
  forget (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Store indices shift when a live capture drops its oldest rows. */
static void
rows_removed_cb (EtwsStore          *store,
                 guint64             count,
                 EtwsHighlightRules *self)
{
  forget (self);
}

void
etws_highlight_rules_set_store (EtwsHighlightRules *self,
                                EtwsStore          *store)
{
  g_return_if_fail (ETWS_IS_HIGHLIGHT_RULES (self));
  g_return_if_fail (store == NULL || ETWS_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->removed_handler, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->removed_handler = g_signal_connect (store, "rows-removed",
                                              G_CALLBACK (rows_removed_cb), self);
  /* Matchers cache per event type and string of one store. */
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      g_clear_pointer (&rule->matcher, etws_filter_matcher_free);
      if (store != NULL)
        new_matcher (self, rule);
    }
  changed (self);
}

gboolean
etws_highlight_rules_add (EtwsHighlightRules  *self,
                          const char          *expression,
                          GError             **error)
{
  g_autoptr(EtwsFilter) filter = NULL;
  guint used[ETWS_HIGHLIGHT_N_COLORS] = { 0 };
  Rule *rule;
  guint color = 0;

  g_return_val_if_fail (ETWS_IS_HIGHLIGHT_RULES (self), FALSE);
  g_return_val_if_fail (expression != NULL, FALSE);

  filter = etws_filter_new (expression, error);
  if (filter == NULL)
    return FALSE;
  if (etws_filter_matches_all (filter))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "An empty rule would colour every row");
      return FALSE;
    }
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *r = g_ptr_array_index (self->rules, i);

      if (g_strcmp0 (r->expression, expression) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "“%s” is highlighted already",
                       expression);
          return FALSE;
        }
      used[r->color]++;
    }
  if (self->rules->len >= ETWS_HIGHLIGHT_MAX_RULES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "At most %u highlight rules; remove one first", ETWS_HIGHLIGHT_MAX_RULES);
      return FALSE;
    }
  /* The least used colour, the first of them on a tie. */
  for (guint c = 1; c < ETWS_HIGHLIGHT_N_COLORS; c++)
    if (used[c] < used[color])
      color = c;

  rule = g_new0 (Rule, 1);
  rule->expression = g_strdup (expression);
  rule->filter = g_steal_pointer (&filter);
  rule->color = color;
  if (self->store != NULL)
    new_matcher (self, rule);
  g_ptr_array_add (self->rules, rule);
  changed (self);
  return TRUE;
}

void
etws_highlight_rules_remove (EtwsHighlightRules *self,
                             guint               i)
{
  g_return_if_fail (ETWS_IS_HIGHLIGHT_RULES (self));
  g_return_if_fail (i < self->rules->len);

  g_ptr_array_remove_index (self->rules, i);
  changed (self);
}

void
etws_highlight_rules_clear (EtwsHighlightRules *self)
{
  g_return_if_fail (ETWS_IS_HIGHLIGHT_RULES (self));

  if (self->rules->len == 0)
    return;
  g_ptr_array_set_size (self->rules, 0);
  changed (self);
}

guint
etws_highlight_rules_get_n_rules (EtwsHighlightRules *self)
{
  g_return_val_if_fail (ETWS_IS_HIGHLIGHT_RULES (self), 0);
  return self->rules->len;
}

const char *
etws_highlight_rules_get_expression (EtwsHighlightRules *self,
                                     guint               i)
{
  g_return_val_if_fail (ETWS_IS_HIGHLIGHT_RULES (self), NULL);
  g_return_val_if_fail (i < self->rules->len, NULL);
  return ((Rule *) g_ptr_array_index (self->rules, i))->expression;
}

guint
etws_highlight_rules_get_color (EtwsHighlightRules *self,
                                guint               i)
{
  g_return_val_if_fail (ETWS_IS_HIGHLIGHT_RULES (self), 0);
  g_return_val_if_fail (i < self->rules->len, 0);
  return ((Rule *) g_ptr_array_index (self->rules, i))->color;
}

const char *
etws_highlight_color_class (guint color)
{
  static const char *const classes[ETWS_HIGHLIGHT_N_COLORS] = {
    "highlight-0", "highlight-1", "highlight-2", "highlight-3", "highlight-4", "highlight-5",
  };

  return classes[color % ETWS_HIGHLIGHT_N_COLORS];
}

const char *
etws_highlight_rules_style (EtwsStore *store,
                            guint64    index,
                            gpointer   data)
{
  EtwsHighlightRules *self = data;
  const char *style = NULL;

  if (store != self->store || self->rules->len == 0)
    return NULL;
  if (index == self->cached_index)
    return self->cached_style;
  for (guint i = 0; i < self->rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (self->rules, i);

      if (rule->matcher != NULL && etws_filter_matcher_match (rule->matcher, index))
        {
          style = etws_highlight_color_class (rule->color);
          break;
        }
    }
  self->cached_index = index;
  self->cached_style = style;
  return style;
}

static void
etws_highlight_rules_dispose (GObject *object)
{
  EtwsHighlightRules *self = ETWS_HIGHLIGHT_RULES (object);

  etws_highlight_rules_set_store (self, NULL);
  G_OBJECT_CLASS (etws_highlight_rules_parent_class)->dispose (object);
}

static void
etws_highlight_rules_finalize (GObject *object)
{
  EtwsHighlightRules *self = ETWS_HIGHLIGHT_RULES (object);

  g_ptr_array_unref (self->rules);
  G_OBJECT_CLASS (etws_highlight_rules_parent_class)->finalize (object);
}

static void
etws_highlight_rules_class_init (EtwsHighlightRulesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = etws_highlight_rules_dispose;
  object_class->finalize = etws_highlight_rules_finalize;

  /* Rules were added or removed, or the store changed: restyle. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
etws_highlight_rules_init (EtwsHighlightRules *self)
{
  self->rules = g_ptr_array_new_with_free_func (rule_free);
  forget (self);
}

EtwsHighlightRules *
etws_highlight_rules_new (void)
{
  return g_object_new (ETWS_TYPE_HIGHLIGHT_RULES, NULL);
}
