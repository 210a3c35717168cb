/* The saved-session subcommands (archive.c, unarchive.c, delete.c). */
#ifndef CODEX_CLI_SESSION_CMD_H
#define CODEX_CLI_SESSION_CMD_H

#include "cli/cli.h"

enum session_action { SESSION_ARCHIVE, SESSION_UNARCHIVE, SESSION_DELETE };

int cli_session_cmd(struct cli_opts *o, int argc, char **argv, enum session_action act);

#endif
