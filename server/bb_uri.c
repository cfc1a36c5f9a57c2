/*
 * bb_uri.c - splits backbone URIs for the network adapters (bb_uri.h).
 */
#include "bb_uri.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static bool copy_part(char *dst, const char *src, size_t len)
{
    if (len >= BB_URI_PART_MAX) {
        return false;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

sg_status bb_uri_split(const char *uri, const char *scheme, bb_uri *out, sg_error *err)
{
    assert(uri != NULL && scheme != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    size_t sl = strlen(scheme);
    if (strncmp(uri, scheme, sl) != 0 || strncmp(uri + sl, "://", 3) != 0) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: expected %s://... (got \"%.60s\")", scheme, uri);
    }
    const char *a = uri + sl + 3;
    size_t alen = strcspn(a, "/?");
    const char *p = a + alen;
    const char *q = strchr(p, '?');
    size_t plen = q != NULL ? (size_t)(q - p) : strlen(p);
    if (plen > 0 && *p == '/') {
        p++;
        plen--;
    }
    bool fits = copy_part(out->authority, a, alen) && copy_part(out->path, p, plen) &&
                copy_part(out->query, q != NULL ? q + 1 : "", q != NULL ? strlen(q + 1) : 0);
    if (!fits) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: %s:// URI part over %u bytes", scheme, BB_URI_PART_MAX - 1);
    }
    if (alen == 0) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: %s:// needs a host (got \"%.60s\")", scheme, uri);
    }
    return SG_OK;
}

sg_status bb_uri_host_port(const char *authority, int default_port, char *host, size_t host_size, int *port,
                           sg_error *err)
{
    const char *colon = strrchr(authority, ':');
    size_t hlen = colon != NULL ? (size_t)(colon - authority) : strlen(authority);
    if (hlen == 0 || hlen >= host_size) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: bad host in \"%.60s\"", authority);
    }
    memcpy(host, authority, hlen);
    host[hlen] = '\0';
    *port = default_port;
    if (colon != NULL) {
        char *end = NULL;
        long v = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || v < 1 || v > 65535) {
            return sg_error_set(err, SG_E_INVALID, "--backbone: bad port in \"%.60s\" (1..65535)", authority);
        }
        *port = (int)v;
    }
    return SG_OK;
}

bool bb_uri_query_get(const char *query, const char *name, char *out, size_t out_size)
{
    size_t nlen = strlen(name);
    const char *s = query;
    while (s != NULL && *s != '\0') {
        size_t len = strcspn(s, "&");
        if (len > nlen && strncmp(s, name, nlen) == 0 && s[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= out_size) {
                return false;
            }
            memcpy(out, s + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        s = s[len] == '&' ? s + len + 1 : NULL;
    }
    return false;
}

sg_status bb_uri_query_check(const char *query, const char *const *known, const char *scheme, sg_error *err)
{
    const char *s = query;
    while (s != NULL && *s != '\0') {
        size_t len = strcspn(s, "&");
        size_t nlen = strcspn(s, "=&");
        bool ok = false;
        for (const char *const *k = known; *k != NULL && !ok; k++) {
            ok = strlen(*k) == nlen && strncmp(s, *k, nlen) == 0 && s[nlen] == '=';
        }
        if (!ok) {
            return sg_error_set(err, SG_E_INVALID, "--backbone: unknown %s:// option \"%.*s\"", scheme, (int)nlen, s);
        }
        s = s[len] == '&' ? s + len + 1 : NULL;
    }
    return SG_OK;
}
