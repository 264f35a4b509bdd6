/*
 * flowspec: the flows policygen check --flow takes, "SRC -> DST:PORT/PROTO",
 * cut into their parts; what each end names is the caller's to resolve.
 */
#ifndef PODFLOW_FLOWSPEC_H
#define PODFLOW_FLOWSPEC_H

struct flowspec {
	char *src, *dst, *port; /* trimmed, in buf */
	const char *protocol;	/* "TCP", "UDP" or "SCTP" */
	char *buf;		/* owned: flowspec_free() */
};

/*
 * Cuts text into *f.  Returns 0, or -1 with errmsg naming the --flow and
 * what was expected (then nothing is left to free).
 */
int flowspec_parse(const char *text, struct flowspec *f);

/* Frees what f holds. */
void flowspec_free(struct flowspec *f);

#endif
