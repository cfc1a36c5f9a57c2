/*
 * topics.c - hash table of topics with linked subscriber lists (see
 * topics.h).  FNV-1a over the name; the bucket array is sized once from
 * count_max so it never rehashes.
 */
#include "topics.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

bool sd_topic_name_valid(const char *name, size_t len)
{
    if (name == NULL || len == 0 || len > SD_TOPIC_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == ':' || c == '/' || c == '@' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static uint64_t hash_name(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

sg_status sd_topics_init(sd_topics *t, uint32_t count_max, uint64_t state_bytes_max)
{
    assert(t != NULL);
    assert(count_max > 0);
    memset(t, 0, sizeof *t);
    size_t buckets = 64;
    while (buckets < count_max && buckets < ((size_t)1 << 22)) {
        buckets <<= 1;
    }
    t->buckets = calloc(buckets, sizeof(sd_topic *));
    if (t->buckets == NULL) {
        return SG_E_NOMEM;
    }
    t->bucket_count = buckets;
    t->count_max = count_max;
    t->state_bytes_max = state_bytes_max;
    return SG_OK;
}

void sd_topics_free(sd_topics *t)
{
    for (size_t b = 0; t->buckets != NULL && b < t->bucket_count; b++) {
        sd_topic *topic = t->buckets[b];
        while (topic != NULL) {
            sd_topic *next = topic->hash_next;
            assert(topic->subs == NULL); /* subscribers leave before the table */
            free(topic->state);
            free(topic);
            topic = next;
        }
    }
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

sd_topic *sd_topics_find(const sd_topics *t, const char *name, size_t len)
{
    assert(t->bucket_count > 0);
    sd_topic *topic = t->buckets[hash_name(name, len) & (t->bucket_count - 1)];
    for (; topic != NULL; topic = topic->hash_next) {
        if (topic->name_len == len && memcmp(topic->name, name, len) == 0) {
            return topic;
        }
    }
    return NULL;
}

sg_status sd_topics_get(sd_topics *t, const char *name, size_t len, sd_topic **out)
{
    assert(out != NULL);
    *out = NULL;
    if (!sd_topic_name_valid(name, len)) {
        return SG_E_INVALID;
    }
    sd_topic *topic = sd_topics_find(t, name, len);
    if (topic == NULL) {
        if (t->count >= t->count_max) {
            return SG_E_FULL;
        }
        topic = calloc(1, sizeof *topic);
        if (topic == NULL) {
            return SG_E_NOMEM;
        }
        memcpy(topic->name, name, len);
        topic->name_len = len;
        size_t b = hash_name(name, len) & (t->bucket_count - 1);
        topic->hash_next = t->buckets[b];
        t->buckets[b] = topic;
        t->count++;
    }
    *out = topic;
    return SG_OK;
}

sg_status sd_topic_set_state(sd_topics *t, sd_topic *topic, const uint8_t *state, size_t len)
{
    assert(topic != NULL);
    assert(state != NULL || len == 0);
    if (t->state_bytes - topic->state_len + len > t->state_bytes_max) {
        return SG_E_FULL;
    }
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        return SG_E_NOMEM;
    }
    if (len > 0) {
        memcpy(copy, state, len);
    }
    t->state_bytes = t->state_bytes - topic->state_len + len;
    free(topic->state);
    topic->state = copy;
    topic->state_len = len;
    topic->seq++;
    topic->updates_total++;
    topic->update_bytes_total += len;
    return SG_OK;
}

sg_status sd_topic_subscribe(sd_topic *topic, void *subscriber, sd_sub **list)
{
    assert(topic != NULL && list != NULL);
    for (sd_sub *s = *list; s != NULL; s = s->subscriber_next) {
        if (s->topic == topic) {
            return SG_E_STATE;
        }
    }
    sd_sub *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return SG_E_NOMEM;
    }
    s->topic = topic;
    s->subscriber = subscriber;
    s->topic_next = topic->subs;
    if (topic->subs != NULL) {
        topic->subs->topic_prev = s;
    }
    topic->subs = s;
    topic->subscriber_count++;
    s->subscriber_next = *list;
    *list = s;
    return SG_OK;
}

static void unlink_from_topic(sd_sub *s)
{
    sd_topic *topic = s->topic;
    assert(topic->subscriber_count > 0);
    if (s->topic_prev != NULL) {
        s->topic_prev->topic_next = s->topic_next;
    } else {
        topic->subs = s->topic_next;
    }
    if (s->topic_next != NULL) {
        s->topic_next->topic_prev = s->topic_prev;
    }
    topic->subscriber_count--;
}

sg_status sd_topic_unsubscribe(sd_topic *topic, void *subscriber, sd_sub **list)
{
    assert(list != NULL);
    for (sd_sub **p = list; *p != NULL; p = &(*p)->subscriber_next) {
        sd_sub *s = *p;
        if (s->topic == topic) {
            assert(s->subscriber == subscriber);
            *p = s->subscriber_next;
            unlink_from_topic(s);
            free(s);
            return SG_OK;
        }
    }
    return SG_E_NOT_FOUND;
}

void sd_topic_unsubscribe_all(sd_sub **list)
{
    assert(list != NULL);
    while (*list != NULL) {
        sd_sub *s = *list;
        *list = s->subscriber_next;
        unlink_from_topic(s);
        free(s);
    }
}

void sd_topics_each(sd_topics *t, void (*fn)(sd_topic *topic, void *arg), void *arg)
{
    for (size_t b = 0; b < t->bucket_count; b++) {
        for (sd_topic *topic = t->buckets[b]; topic != NULL; topic = topic->hash_next) {
            fn(topic, arg);
        }
    }
}
