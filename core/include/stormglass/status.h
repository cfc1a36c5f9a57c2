/*
 * status.h - error values shared by every module of the core.
 *
 * Errors are values: a function that can fail returns an sg_status (0 on
 * success, a negative code otherwise) and, where a person needs to know
 * why, fills a caller-owned sg_error with a message that names the field
 * or input at fault.  Nothing in the core prints, aborts on bad input or
 * keeps a global "last error".
 */
#ifndef STORMGLASS_STATUS_H
#define STORMGLASS_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sg_status {
    SG_OK = 0,
    SG_E_INVALID = -1,   /* bad argument or malformed input */
    SG_E_NOMEM = -2,     /* an allocation failed (or a fault point said so) */
    SG_E_FULL = -3,      /* a bounded container is at its limit */
    SG_E_NOT_FOUND = -4, /* unknown or stale handle/key */
    SG_E_GIVE_UP = -5,   /* retries exhausted */
    SG_E_STATE = -6,     /* operation not allowed in the current state */
    SG_E_TOO_BIG = -7    /* an item exceeds a byte limit */
} sg_status;

/* Longest message an sg_error holds, terminating NUL included. */
#define SG_ERROR_MSG_MAX 160

typedef struct sg_error {
    char msg[SG_ERROR_MSG_MAX];
} sg_error;

/* Short constant name of a status ("SG_E_INVALID"); never NULL. */
const char *sg_status_name(sg_status status);

/* Writes a formatted message into err (if err is not NULL) and returns
 * status, so callers can write `return sg_error_set(err, SG_E_INVALID, ...)`.
 * The message is truncated to SG_ERROR_MSG_MAX - 1 bytes. */
sg_status sg_error_set(sg_error *err, sg_status status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#endif
