/* etws-source.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "etws-source"

#include "config.h"

#include "etws-source.h"

typedef struct
{
  gboolean live;
} EtwsSourcePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EtwsSource, etws_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
etws_source_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EtwsSourcePrivate *priv = etws_source_get_instance_private (ETWS_SOURCE (object));

  switch (prop_id)
    {
    case PROP_LIVE:
      g_value_set_boolean (value, priv->live);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_source_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EtwsSourcePrivate *priv = etws_source_get_instance_private (ETWS_SOURCE (object));

  switch (prop_id)
    {
    case PROP_LIVE:
      priv->live = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
etws_source_real_stop (EtwsSource *self)
{
}

static void
etws_source_class_init (EtwsSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = etws_source_get_property;
  object_class->set_property = etws_source_set_property;
  klass->stop = etws_source_real_stop;

  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
etws_source_init (EtwsSource *self)
{
}

gboolean
etws_source_is_live (EtwsSource *self)
{
  EtwsSourcePrivate *priv = etws_source_get_instance_private (self);

  g_return_val_if_fail (ETWS_IS_SOURCE (self), FALSE);
  return priv->live;
}

EtwsTrace *
etws_source_open (EtwsSource    *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (ETWS_IS_SOURCE (self), NULL);
  return ETWS_SOURCE_GET_CLASS (self)->open (self, cancellable, error);
}

gboolean
etws_source_run (EtwsSource    *self,
                 EtwsSink      *sink,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (ETWS_IS_SOURCE (self), FALSE);
  return ETWS_SOURCE_GET_CLASS (self)->run (self, sink, cancellable, error);
}

void
etws_source_stop (EtwsSource *self)
{
  g_return_if_fail (ETWS_IS_SOURCE (self));
  ETWS_SOURCE_GET_CLASS (self)->stop (self);
}
