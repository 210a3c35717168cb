/* `codex sandbox`: Run a command within a Codex-provided sandbox. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_sandbox(struct cli_opts *o, int argc, char **argv)
{
    (void)o;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Run a command within a Codex-provided sandbox.\n\nUsage: codex sandbox [OPTIONS]\n\nThis subcommand is not implemented yet in codex-c.\n");
            return 0;
        }
    }
    return cli_not_implemented("sandbox");
}
