/* `codex logout`: remove the stored credentials ($CODEX_HOME/auth.json). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/auth.h"

int cmd_logout(struct cli_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Remove stored authentication credentials\n\nUsage: codex logout [OPTIONS]\n");
            return 0;
        }
        int r = argv[i][0] == '-' ? cli_shared_flag(o, "codex logout", argc, argv, &i) : 0;
        if (r < 0)
            return 2;
        if (r == 0)
            return cli_usage_error("codex logout", "unexpected argument '%s' found", argv[i]);
    }
    char errbuf[256];
    char *home = config_codex_home(o->envp, errbuf, sizeof errbuf);
    if (!home) {
        fprintf(stderr, "Error: %s\n", errbuf);
        return 1;
    }
    int r = auth_remove(home);
    free(home);
    if (r < 0) {
        fprintf(stderr, "Error logging out: %s\n", strerror(errno));
        return 1;
    }
    fputs(r ? "Successfully logged out\n" : "Not logged in\n", stderr);
    return 0;
}
