/* cli: moltty's headless subcommands for bot developers (register, whoami, servers, channels,
 * history, send, tail, api, connect). Each runs on its own libev loop and never touches the
 * terminal UI; output is line-oriented text or JSON lines, and the exit status is meaningful
 * (0 success, 1 failure, 2 usage). */
#ifndef MOLTTY_CLI_H
#define MOLTTY_CLI_H

/* 1 when name is one of the subcommands (argv[1] of moltty). */
int cli_is_subcommand(const char *name);
/* Run the subcommand named by argv[1]; returns the process exit status. */
int cli_main(int argc, char **argv);

#endif
