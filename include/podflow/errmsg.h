/*
 * errmsg: the last error message of the calling thread.
 *
 * Library code never prints.  A function that fails returns -1 (or NULL)
 * and leaves a one-line description here; main() prints it.  This keeps
 * every signature free of message buffers while still naming the file,
 * line or key that went wrong.
 *
 * The one return convention, everywhere in podflow:
 *  - a function that can fail returns 0 on success and -1 on failure,
 *    with the message here; its output parameters are written only on
 *    success;
 *  - a constructor returns the object, or NULL with the message here;
 *  - errno is never the channel: a caller that needs the cause (EINTR,
 *    EAGAIN, ENOBUFS) gets it from an output parameter or an enum the
 *    function documents.
 * The exceptions, each because a third answer is part of the question:
 *  - predicates (is_, _matches, _in_scope) return nonzero or 0 and cannot
 *    fail;
 *  - a lookup that may find nothing, where nothing is no error, returns 1
 *    (found), 0 (not found) or -1 (failed, with the message here);
 *  - a step that may also end or wait returns a documented enum whose
 *    negative values are failures with the message here.
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

/*
 * Replaces the current message with one that names where in an input it
 * went wrong: "FILE:LINE:COLUMN: MESSAGE", as compilers write it.  A
 * column of 0 is left out, and a line of 0 too.  The one "error at
 * file:line" helper: every reader of files (YAML, policies, the config)
 * reports through it.
 */
void errmsg_set_at(const char *file, int line, int column, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/*
 * The current message; "" if none.  Owned by errmsg, valid until the next
 * set.
 */
const char *errmsg_get(void);

#endif
