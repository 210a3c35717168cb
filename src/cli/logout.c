/* `codex logout`: Remove stored authentication credentials. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_logout(struct cli_opts *o, int argc, char **argv)
{
    (void)o;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Remove stored authentication credentials.\n\nUsage: codex logout [OPTIONS]\n\nThis subcommand is not implemented yet in codex-c.\n");
            return 0;
        }
    }
    return cli_not_implemented("logout");
}
