/*
 * status.c - names of status codes and the caller-owned error message.
 */
#include "stormglass/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *sg_status_name(sg_status status)
{
    switch (status) {
    case SG_OK: return "SG_OK";
    case SG_E_INVALID: return "SG_E_INVALID";
    case SG_E_NOMEM: return "SG_E_NOMEM";
    case SG_E_FULL: return "SG_E_FULL";
    case SG_E_NOT_FOUND: return "SG_E_NOT_FOUND";
    case SG_E_GIVE_UP: return "SG_E_GIVE_UP";
    case SG_E_STATE: return "SG_E_STATE";
    case SG_E_TOO_BIG: return "SG_E_TOO_BIG";
    }
    return "SG_E_UNKNOWN";
}

sg_status sg_error_set(sg_error *err, sg_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}
