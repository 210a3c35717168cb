/* Shared flags codex-c accepts but cannot act on yet: each says so on
 * stderr, once, when it is given.  A flag that starts working leaves this
 * file. */
#include <stdio.h>

#include "cli/cli.h"

void cli_warn_unsupported_flags(const struct cli_opts *o)
{
    if (o->bypass_hook_trust)
        fputs("codex-c: --dangerously-bypass-hook-trust is not supported yet; ignored\n", stderr);
}
