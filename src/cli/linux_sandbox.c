/* The codex-linux-sandbox personality: the helper that confines one command. */
#include <stdio.h>

#include "cli/cli.h"

int cli_linux_sandbox_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "codex-linux-sandbox: not implemented yet\n");
    return 2;
}
