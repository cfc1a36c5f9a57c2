/*
 * backbone.c - picks the adapter for a backbone URI by its scheme.
 */
#include "backbone.h"
#include "backbone_net.h"

#include <assert.h>
#include <string.h>

static const sd_backbone_ops *const adapters[] = {
    &sd_backbone_memory,
    &sd_backbone_redis,
    &sd_backbone_postgres,
    &sd_backbone_postgresql,
    &sd_backbone_kafka,
};

const sd_backbone_ops *sd_backbone_find(const char *uri, sg_error *err)
{
    assert(uri != NULL);
    const char *sep = strstr(uri, "://");
    size_t n = sep != NULL ? (size_t)(sep - uri) : 0;
    for (size_t i = 0; sep != NULL && i < sizeof adapters / sizeof adapters[0]; i++) {
        if (strlen(adapters[i]->scheme) == n && strncmp(adapters[i]->scheme, uri, n) == 0) {
            return adapters[i];
        }
    }
    sg_error_set(err, SG_E_INVALID, "--backbone: unsupported URI \"%.60s\" (supported: memory://, redis://, postgres://, kafka://)", uri);
    return NULL;
}
