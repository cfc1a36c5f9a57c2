/*
 * topics.h - this instance's table of topics: each topic's current state
 * (compact JSON text), its update sequence as clients see it, counters for
 * /metrics, and the list of local subscribers.
 *
 * Bounded by a topic count and by the bytes of all states together; a
 * client's subscriptions are bounded by the caller (max_subscriptions).
 * Topics are never removed while the process runs (the count bound keeps
 * that finite).  Membership nodes link a topic and a subscriber both ways
 * so unsubscribing and disconnecting cost O(the client's subscriptions).
 */
#ifndef STORMGLASS_SD_TOPICS_H
#define STORMGLASS_SD_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"
#include "wire.h"

typedef struct sd_topic sd_topic;
typedef struct sd_sub sd_sub;

struct sd_sub {
    sd_topic *topic;
    void *subscriber;              /* the caller's client */
    sd_sub *topic_prev, *topic_next;
    sd_sub *subscriber_next;       /* the subscriber's own list */
    bool awaiting_state;           /* subscribed; its first state not sent yet */
};

struct sd_topic {
    char name[SD_TOPIC_NAME_MAX + 1];
    size_t name_len;
    uint8_t *state;                /* NULL until the first update */
    size_t state_len;
    uint64_t seq;                  /* updates applied here: 1, 2, 3, ... */
    uint64_t fresh_session;        /* the backbone session this state is known good for */
    uint64_t fetch_session;        /* session of the store fetch in flight; 0 = none (topic_state.c) */
    uint32_t unstored;             /* local publishes delivered here that the store may lack */
    uint64_t updates_total;
    uint64_t update_bytes_total;
    uint32_t subscriber_count;
    sd_sub *subs;
    sd_topic *hash_next;
};

typedef struct sd_topics {
    sd_topic **buckets;
    size_t bucket_count;
    uint32_t count, count_max;
    uint64_t state_bytes, state_bytes_max;
} sd_topics;

/* 1..SD_TOPIC_NAME_MAX bytes of [A-Za-z0-9._:/@-]: safe in JSON, URLs,
 * Redis keys and metric labels without escaping. */
bool sd_topic_name_valid(const char *name, size_t len);

sg_status sd_topics_init(sd_topics *t, uint32_t count_max, uint64_t state_bytes_max);
void sd_topics_free(sd_topics *t);

sd_topic *sd_topics_find(const sd_topics *t, const char *name, size_t len);
/* SG_E_INVALID for a bad name, SG_E_FULL at count_max, SG_E_NOMEM. */
sg_status sd_topics_get(sd_topics *t, const char *name, size_t len, sd_topic **out);

/* Replaces the state with a copy and bumps seq.  SG_E_FULL when the total
 * would pass state_bytes_max (the old state is kept). */
sg_status sd_topic_set_state(sd_topics *t, sd_topic *topic, const uint8_t *state, size_t len);

/* Adds subscriber to topic, pushing the node on *list.  SG_E_STATE if
 * already subscribed (no second node). */
sg_status sd_topic_subscribe(sd_topic *topic, void *subscriber, sd_sub **list);
/* Removes subscriber's node for topic from both lists; SG_E_NOT_FOUND if none. */
sg_status sd_topic_unsubscribe(sd_topic *topic, void *subscriber, sd_sub **list);
/* Removes every node on *list (a client leaving). */
void sd_topic_unsubscribe_all(sd_sub **list);

/* Calls fn for every topic (metrics). */
void sd_topics_each(sd_topics *t, void (*fn)(sd_topic *topic, void *arg), void *arg);

#endif
