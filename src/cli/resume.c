/* `codex resume` and `codex fork`: open a saved session (by id or name,
 * the newest with --last, or from the picker) in the interactive UI. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tui/tui.h"

int cli_resume_or_fork(struct cli_opts *o, int argc, char **argv, int start)
{
    const char *cmd = start == TUI_START_FORK ? "codex fork" : "codex resume";
    struct cli_tui_launch l = {.start = start};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            printf("%s a previous interactive session.\n\n"
                   "Usage: %s [OPTIONS] [SESSION_ID] [PROMPT]\n\n"
                   "Arguments:\n"
                   "  [SESSION_ID]  The session's id (UUID) or name; without it a picker opens\n"
                   "  [PROMPT]      A first message to send once the session is open\n\n"
                   "Options:\n"
                   "      --last  Take the most recent session in this directory\n"
                   "      --all   List sessions of every directory, not only this one\n"
                   "  (and the shared options: -c, -m, -s, -a, -C, -p, --remote ...)\n"
                   "  -h, --help  Print help\n",
                   start == TUI_START_FORK ? "Fork" : "Resume", cmd);
            return 0;
        }
        if (strcmp(arg, "--last") == 0) {
            l.last = true;
            continue;
        }
        if (strcmp(arg, "--all") == 0) {
            l.all = true;
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = cli_shared_flag(o, cmd, argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error(cmd, "unexpected argument '%s' found", arg);
            continue;
        }
        /* With --last every word is the prompt; else the first is the id. */
        if (!l.last && !l.session_id) {
            l.session_id = arg;
        } else if (!l.prompt) {
            l.prompt = arg;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' found", arg);
        }
    }
    return cli_run_tui(o, &l);
}

int cmd_resume(struct cli_opts *o, int argc, char **argv)
{
    return cli_resume_or_fork(o, argc, argv, TUI_START_RESUME);
}
