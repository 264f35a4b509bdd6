/*
 * sdnotify: telling the service manager how the daemon is doing, with the
 * datagram protocol of sd_notify(3): "READY=1", "STATUS=...",
 * "WATCHDOG=1", one datagram per message, to the socket named by
 * $NOTIFY_SOCKET.  Without that variable (not started by systemd, or not
 * Type=notify) every call is a no-op.
 */
#ifndef PODFLOW_SDNOTIFY_H
#define PODFLOW_SDNOTIFY_H

#include <stdint.h>

/*
 * Sends msg (newline-separated assignments).  Returns 1 when sent, 0 when
 * there is no service manager to tell, -1 with errmsg on failure.
 */
int sdnotify_send(const char *msg);

/* sdnotify_send() of a formatted message. */
int sdnotify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The watchdog interval the service manager expects pings within, in
 * microseconds, or 0 when there is no watchdog for this process.
 */
uint64_t sdnotify_watchdog_usec(void);

#endif
