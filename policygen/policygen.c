/*
 * policygen: turns the flows podflowd recorded, and the cluster inventory,
 * into NetworkPolicy manifests.  This file only dispatches subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "podflow/kname.h"
#include "podflow/version.h"
#include "policygen.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "import", cmd_import, "read the cluster inventory from kubectl output" },
	{ "generate", cmd_generate, "write NetworkPolicies from the recorded flows" },
	{ "check", cmd_check, "replay flows against NetworkPolicies before applying them" },
	{ "review", cmd_review, "accept or reject proposed rules, clear a decision; list them" },
	{ "workloads", cmd_workloads, "list workloads, their selectors and traffic" },
	{ "flows", cmd_flows, "list flows resolved to workloads" },
	{ "info", cmd_info, "show what a database holds" },
	{ "ship", cmd_ship, "send this node's raw rows to the cluster store" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: policygen COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nRun 'policygen COMMAND --help' for a command's options.\n"
		   "The database is --db PATH, else $PODFLOW_DB, else "
		   "/var/lib/podflow/podflow.db.\n");
}

/* One line for a mistyped command: the one meant, if one is near. */
static void unknown_command(const char *name)
{
	const char *near = NULL;
	size_t least = 3, d;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((d = kname_distance(name, commands[i].name, 2)) < least) {
			least = d;
			near = commands[i].name;
		}
	if (near != NULL)
		fprintf(stderr, "policygen: unknown command '%s'; did you mean "
				"'%s'?\n",
			name, near);
	else
		fprintf(stderr, "policygen: unknown command '%s'; policygen "
				"--help lists them\n",
			name);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_INVALID;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("policygen %s\n", PODFLOW_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			cli_progress_begin(commands[i].name);
			return commands[i].run(argc - 1, argv + 1);
		}
	unknown_command(argv[1]);
	return EXIT_INVALID;
}
