/* `codex app-server`: Run the app server (JSON-RPC over stdio or WebSocket). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_app_server(struct cli_opts *o, int argc, char **argv)
{
    (void)o;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Run the app server (JSON-RPC over stdio or WebSocket).\n\nUsage: codex app-server [OPTIONS]\n\nThis subcommand is not implemented yet in codex-c.\n");
            return 0;
        }
    }
    return cli_not_implemented("app-server");
}
