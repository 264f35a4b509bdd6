/*
 * policygen: the subcommands of the CLI, each in its own file.
 *
 * A command takes the arguments after its name (argv[0] is the command
 * name) and returns the process exit status: 0 success, 1 a finding the
 * user asked about, 2 invalid input or a failure.
 */
#ifndef POLICYGEN_H
#define POLICYGEN_H

#define EXIT_INVALID 2

int cmd_info(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_workloads(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_review(int argc, char **argv);

#endif
