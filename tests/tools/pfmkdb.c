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
 *   pfmkdb PATH fill FLUSHES EDGES AT
 *                                    FLUSHES flushes of EDGES edges each,
 *                                    as podflowd writes them, from AT on:
 *                                    flush f in the bucket of AT + 60 f,
 *                                    edge e 10.1.E/16 -> 10.2.0.1:E TCP,
 *                                    f + 1 connections
 *
 * Times are Unix seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/addr.h"

#include "podflow/errmsg.h"
#include "podflow/store.h"

static int usage(void)
{
	fprintf(stderr, "usage: pfmkdb PATH [resolve NOW | prune RAW BEFORE | "
			"fill FLUSHES EDGES AT]\n");
	return 2;
}

static int fill(struct store *s, long flushes, long edges, long long at)
{
	struct store_edge *e = calloc((size_t)edges, sizeof(*e));
	struct addr server;
	char ip[32];
	int rc = 0;

	if (e == NULL || addr_parse("10.2.0.1", &server) < 0) {
		free(e);
		return -1;
	}
	for (long f = 0; f < flushes && rc == 0; f++) {
		int64_t bucket = (at + 60 * f) / 60 * 60;

		for (long i = 0; i < edges; i++) {
			snprintf(ip, sizeof(ip), "10.1.%ld.%ld", i / 250 % 250,
				 i % 250 + 1);
			e[i] = (struct store_edge){
				.bucket = bucket,
				.server = server,
				.server_port = (uint16_t)(1 + i % 60000),
				.protocol = 6,
				.first_seen = bucket + 1,
				.last_seen = bucket + 2,
				.last_start = bucket + 1,
				.connections = f + 1,
				.orig_bytes = STORE_UNKNOWN,
				.orig_packets = STORE_UNKNOWN,
				.reply_bytes = STORE_UNKNOWN,
				.reply_packets = STORE_UNKNOWN,
			};
			if (addr_parse(ip, &e[i].client) < 0)
				rc = -1;
		}
		if (rc == 0)
			rc = store_flush_edges(s, e, (size_t)edges);
	}
	free(e);
	return rc;
}

int main(int argc, char **argv)
{
	struct store *s;
	int rc = 0;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "resolve") == 0) &&
	    !(argc == 5 && strcmp(argv[2], "prune") == 0) &&
	    !(argc == 6 && strcmp(argv[2], "fill") == 0))
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
	} else if (argc == 6) {
		rc = fill(s, strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10),
			  strtoll(argv[5], NULL, 10));
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
