/*
 * errmsg: the last error message of the calling thread.
 *
 * Library code never prints.  A function that fails returns -1 (or NULL)
 * and leaves a one-line description here; main() prints it.  This keeps
 * every signature free of message buffers while still naming the file,
 * line or key that went wrong.
 */
#ifndef PODFLOW_ERRMSG_H
#define PODFLOW_ERRMSG_H

/* Replaces the current message.  Longer messages are truncated. */
void errmsg_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Prefixes the current message with "PREFIX: ", so a caller can add the
 * context (usually a file name) that the callee did not know.
 */
void errmsg_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The current message; "" if none.  Owned by errmsg, valid until the next set. */
const char *errmsg_get(void);

#endif
