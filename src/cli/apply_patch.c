/* The apply_patch personality: `apply_patch PATCH`, `applypatch`, and
 * `codex --codex-run-as-apply-patch PATCH`. */
#include <stdio.h>

#include "cli/cli.h"

int cli_apply_patch_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "apply_patch: not implemented yet\n");
    return 2;
}
