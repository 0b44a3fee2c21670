/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The subcommands.  Each takes the arguments after its name (argv[0] is
 * the subcommand) and returns the exit status; main() exits through
 * cli_exit() with it.
 */
#ifndef PROCEXE_COMMANDS_H
#define PROCEXE_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

int cmd_scan(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* Terminal-safe text of LEN untrusted bytes (see escape.c); never NULL. */
char *safe_text(const char *buf, size_t len);

#endif /* PROCEXE_COMMANDS_H */
