/*
 * pfmkdb: creates (or migrates) a podflow database at the given path, as
 * podflowd would on start-up, for tests that need one without running the
 * daemon.
 */
#include <stdio.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"

int main(int argc, char **argv)
{
	struct store *s;

	if (argc != 2) {
		fprintf(stderr, "usage: pfmkdb PATH\n");
		return 2;
	}
	if (store_open(argv[1], 0, &s) < 0) {
		fprintf(stderr, "pfmkdb: %s\n", errmsg_get());
		return 1;
	}
	store_close(s);
	return 0;
}
