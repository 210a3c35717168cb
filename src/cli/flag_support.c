/* Shared flags codex-c accepts but cannot act on yet: each says so on
 * stderr, once, when it is given.  A flag that starts working leaves this
 * file. */
#include <stdio.h>

#include "cli/cli.h"

void cli_warn_unsupported_flags(const struct cli_opts *o)
{
    if (o->bypass_hook_trust)
        fputs("codex-c: --dangerously-bypass-hook-trust is not supported yet; ignored\n", stderr);
    if (o->approve_for_me)
        fputs("codex-c: --approve-for-me: automatic review is not supported yet; the workspace-write "
              "sandbox applies and approval requests go to you (codex exec declines them)\n",
              stderr);
}
