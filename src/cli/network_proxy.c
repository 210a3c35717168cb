/* The codex-network-proxy personality: the managed network proxy's own
 * process, started by codex (netproxy/session.c) with its control channel
 * on a descriptor:
 *   codex-network-proxy --control-fd FD
 * Everything else (the configuration, the listeners of each command's
 * namespace, answers to questions) arrives on that channel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "netproxy/proxy_process.h"

int cli_network_proxy_main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--control-fd") == 0) {
        char *end;
        long fd = strtol(argv[2], &end, 10);
        if (*argv[2] && !*end && fd >= 0 && fd < 65536)
            return netproxy_process_run((int)fd);
    }
    fprintf(stderr, "codex-network-proxy is started by codex for sandboxed commands, not by hand\n"
                    "Usage: codex-network-proxy --control-fd FD\n");
    return 2;
}
