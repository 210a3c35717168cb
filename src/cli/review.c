/* codex review: a code review run like codex exec (the same flags, output
 * and exit codes), without the `review` word. */
#include "cli/cli.h"

int cmd_review(struct cli_opts *o, int argc, char **argv)
{
    return cli_exec_main(o, argc, argv, "codex review");
}
