/*
 * podflowd: the node daemon that records which pods talk to what, from
 * netfilter conntrack, into the podflow database.
 */
#include <getopt.h>
#include <stdio.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "podflow/version.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: podflowd [--db PATH] [--version] [--help]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL;
	struct store *s = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'V':
			printf("podflowd %s\n", PODFLOW_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (store_open(store_path(db), 0, &s) < 0) {
		fprintf(stderr, "podflowd: %s\n", errmsg_get());
		return 1;
	}
	store_close(s);
	return 0;
}
