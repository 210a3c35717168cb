/* One binary, several personalities chosen by the name it was run under,
 * as the reference does: `apply_patch`/`applypatch` apply a patch and
 * `codex-linux-sandbox` is the sandbox helper, `codex-network-proxy` the
 * managed network proxy's process.  Everything else is codex. */
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    const char *name = argc > 0 && argv[0] ? argv[0] : "codex";
    const char *slash = strrchr(name, '/');
    if (slash)
        name = slash + 1;
    if (strcmp(name, "apply_patch") == 0 || strcmp(name, "applypatch") == 0)
        return cli_apply_patch_main(argc, argv);
    if (strcmp(name, "codex-linux-sandbox") == 0)
        return cli_linux_sandbox_main(argc, argv);
    if (strcmp(name, "codex-network-proxy") == 0)
        return cli_network_proxy_main(argc, argv);
    return cli_main(argc, argv);
}
