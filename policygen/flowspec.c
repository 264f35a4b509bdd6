/*
 * flowspec: parsing --flow (flowspec.h).
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/proto.h"
#include "flowspec.h"

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/*
 * The protocol of a --flow: TCP, UDP or SCTP as the table spells them, or
 * all in lower case (tcp), not mixed; NULL when it is none of them.
 */
static const char *flow_protocol(const char *text)
{
	const char *p = proto_policy_name(text, 1);

	if (p != NULL && strcmp(text, p) != 0)
		for (const char *c = text; *c != '\0'; c++)
			if (*c < 'a' || *c > 'z')
				return NULL;
	return p;
}

int flowspec_parse(const char *text, struct flowspec *f)
{
	char *arrow, *slash, *colon, *proto;

	memset(f, 0, sizeof(*f));
	if ((f->buf = strdup(text)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	arrow = strstr(f->buf, "->");
	slash = strrchr(f->buf, '/');
	if (arrow == NULL || slash == NULL || slash < arrow)
		goto bad;
	*arrow = '\0';
	*slash = '\0';
	f->src = trim(f->buf);
	proto = trim(slash + 1);
	colon = strrchr(arrow + 2, ':');
	if (colon == NULL)
		goto bad;
	*colon = '\0';
	f->dst = trim(arrow + 2);
	f->port = trim(colon + 1);
	if ((f->protocol = flow_protocol(proto)) == NULL) {
		errmsg_set("--flow '%s': protocol '%s' is not TCP, UDP or SCTP",
			   text, proto);
		goto fail;
	}
	if (f->src[0] == '\0' || f->dst[0] == '\0' || f->port[0] == '\0')
		goto bad;
	return 0;
bad:
	errmsg_set("--flow '%s': expected 'SRC -> DST:PORT/PROTO'", text);
fail:
	flowspec_free(f);
	return -1;
}

void flowspec_free(struct flowspec *f)
{
	free(f->buf);
	f->buf = NULL;
}
