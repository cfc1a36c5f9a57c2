/*
 * backbone_net.h - the network backbone adapters (redis://, postgres://,
 * kafka://), registered next to memory:// in backbone.c's scheme table.
 * Each file's top comment says how topics, state and updates map onto its
 * backbone; docs/ARCHITECTURE.md "Backbone adapters" compares them.
 */
#ifndef STORMGLASS_SD_BACKBONE_NET_H
#define STORMGLASS_SD_BACKBONE_NET_H

#include "backbone.h"

extern const sd_backbone_ops sd_backbone_redis;
extern const sd_backbone_ops sd_backbone_postgres;
extern const sd_backbone_ops sd_backbone_postgresql;
extern const sd_backbone_ops sd_backbone_kafka;

#endif
