/*
 * bb_socket.c - keepalive and user timeout on a backbone socket (see
 * bb_socket.h for what each catches and what it cannot).
 */
#include "bb_socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

int bb_socket_keepalive(int fd)
{
    int rc = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    if (rc == 0) {
        rc = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, BB_KEEPALIVE_IDLE_S);
    }
    if (rc == 0) {
        rc = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, BB_KEEPALIVE_INTERVAL_S);
    }
    if (rc == 0) {
        rc = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, BB_KEEPALIVE_COUNT);
    }
#ifdef TCP_USER_TIMEOUT
    if (rc == 0) {
        rc = set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)BB_TCP_USER_TIMEOUT_MS);
    }
#endif
    return rc;
}
