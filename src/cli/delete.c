/* codex delete SESSION (see session_cmd.c). */
#include "cli/session_cmd.h"

int cmd_delete(struct cli_opts *o, int argc, char **argv)
{
    return cli_session_cmd(o, argc, argv, SESSION_DELETE);
}
