/* `codex apply`: Apply the latest diff produced by the agent to the working tree. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_apply(struct cli_opts *o, int argc, char **argv)
{
    (void)o;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Apply the latest diff produced by the agent to the working tree.\n\nUsage: codex apply [OPTIONS]\n\nThis subcommand is not implemented yet in codex-c.\n");
            return 0;
        }
    }
    return cli_not_implemented("apply");
}
