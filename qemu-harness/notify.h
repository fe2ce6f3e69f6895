/* systemd's readiness protocol, written by hand: one datagram to $NOTIFY_SOCKET. */
#ifndef SOFTOFF_QEMU_NOTIFY_H
#define SOFTOFF_QEMU_NOTIFY_H

/* Reads and unsets $NOTIFY_SOCKET (so QEMU does not inherit it). 0 when set, -ENOENT. */
int notify_init(void);

/* Sends "READY=1", "STOPPING=1", ... when notify_init() found a socket: 0, or -errno. */
int notify_send(const char *state);

#endif
