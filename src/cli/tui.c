/* `codex [PROMPT]`: the interactive session. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_tui(struct cli_opts *o, int argc, char **argv)
{
    (void)o;
    (void)argc;
    (void)argv;
    fprintf(stderr, "codex: the interactive session is not implemented yet; use 'codex exec PROMPT'\n");
    return 2;
}
