/*
 * pfmkdb: creates (or migrates) a podflow database at the given path, as
 * podflowd would on start-up, for tests that need one without running the
 * daemon; and runs the upkeep podflowd would run on it, at a time of the
 * caller's choosing.
 *
 *   pfmkdb PATH                      create or migrate
 *   pfmkdb PATH resolve NOW          store_resolve() at NOW
 *   pfmkdb PATH prune RAW BEFORE     store_prune(): resolved raw rows
 *                                    before RAW, day rows before BEFORE
 *
 * Times are Unix seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"

static int usage(void)
{
	fprintf(stderr, "usage: pfmkdb PATH [resolve NOW | prune RAW BEFORE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct store *s;
	int rc = 0;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "resolve") == 0) &&
	    !(argc == 5 && strcmp(argv[2], "prune") == 0))
		return usage();
	if (store_open(argv[1], 0, &s) < 0) {
		fprintf(stderr, "pfmkdb: %s\n", errmsg_get());
		return 1;
	}
	if (argc == 4) {
		struct store_resolved r;

		rc = store_resolve(s, strtoll(argv[3], NULL, 10), &r);
		if (rc == 0)
			printf("resolved until %lld, %lld day rows, again from "
			       "%lld\n",
			       (long long)r.until, (long long)r.rows,
			       (long long)r.redone_from);
	} else if (argc == 5) {
		struct store_pruned p;

		rc = store_prune(s, strtoll(argv[3], NULL, 10),
				 strtoll(argv[4], NULL, 10), &p);
		if (rc == 0)
			printf("pruned %lld raw rows, %lld day rows\n",
			       (long long)p.raw, (long long)p.days);
	}
	if (rc < 0)
		fprintf(stderr, "pfmkdb: %s\n", errmsg_get());
	store_close(s);
	return rc < 0 ? 1 : 0;
}
