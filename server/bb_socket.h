/*
 * bb_socket.h - socket options every backbone connection gets, so a peer
 * that vanished (host gone, cable pulled, NAT state lost) is noticed by the
 * kernel instead of leaving a half-open session for hours:
 *   SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT below, and
 *   TCP_USER_TIMEOUT (written data unacknowledged this long = dead).
 * A peer process that is alive but frozen (SIGSTOP, a stuck event loop)
 * still has its kernel answering keepalives: only the core's silence
 * watchdog (--watchdog, heartbeats through the backbone) catches that.
 * libpq and librdkafka take the same values through their own settings.
 */
#ifndef STORMGLASS_SD_BB_SOCKET_H
#define STORMGLASS_SD_BB_SOCKET_H

#define BB_KEEPALIVE_IDLE_S 5
#define BB_KEEPALIVE_INTERVAL_S 2
#define BB_KEEPALIVE_COUNT 3
#define BB_TCP_USER_TIMEOUT_MS 15000u

/* Applies the options; 0 or -errno of the first that failed. */
int bb_socket_keepalive(int fd);

#endif
