/* `codex fork`: like `codex resume`, on a copy of the session (resume.c
 * does the work). */
#include "cli/cli.h"
#include "tui/tui.h"

int cmd_fork(struct cli_opts *o, int argc, char **argv)
{
    return cli_resume_or_fork(o, argc, argv, TUI_START_FORK);
}
