/* What `codex archive`, `codex unarchive` and `codex delete` share: the
 * session named by id or name, found among the active or the archived
 * rollouts, and the reference's messages and exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/session_cmd.h"
#include "config/config.h"
#include "store/rollout_files.h"
#include "store/rollout_find.h"
#include "store/session_names.h"
#include "util/uuid.h"
#include "util/xalloc.h"

static const char *const names[] = {"archive", "unarchive", "delete"};

static void usage(FILE *out, enum session_action act)
{
    static const char *const what[] = {"Archive a saved session by id or session name",
                                       "Unarchive a saved session by id or session name",
                                       "Permanently delete a saved session by id or session name"};
    fprintf(out,
            "%s\n\nUsage: codex %s [OPTIONS] <SESSION>\n\nArguments:\n"
            "  <SESSION>  Session id (UUID) or session name. UUIDs take precedence if it parses\n\n"
            "Options:\n%s  -h, --help  Print help\n",
            what[act], names[act], act == SESSION_DELETE ? "      --force  Delete without prompting. SESSION must be a UUID\n" : "");
}

/* The id a session argument means: a UUID as given, else a session name. */
static char *session_id(const char *codex_home, const char *arg)
{
    if (uuid_is_valid(arg))
        return xstrdup(arg);
    return session_name_find(codex_home, arg);
}

static bool confirm_delete(const char *id)
{
    printf("Permanently delete session %s?\nThis cannot be undone. Subagent threads will also be "
           "deleted.\nContinue? [y/N]: ",
           id);
    fflush(stdout);
    char answer[16] = "";
    if (!fgets(answer, sizeof answer, stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}

static int run(const char *home, enum session_action act, const char *arg, bool force)
{
    if (act == SESSION_DELETE && force && !uuid_is_valid(arg)) {
        fputs("Error: --force requires a session UUID; names must be confirmed interactively\n", stderr);
        return 1;
    }
    if (act == SESSION_DELETE && !force && !isatty(STDIN_FILENO)) {
        fputs("Error: cannot confirm session deletion without an interactive terminal; rerun with "
              "--force and a session UUID\n",
              stderr);
        return 1;
    }
    char *id = session_id(home, arg);
    char *active = id ? rollout_find_id(home, id, ROLLOUT_ACTIVE) : NULL;
    char *archived = id ? rollout_find_id(home, id, ROLLOUT_ARCHIVED) : NULL;
    int rc = 1;
    struct codex_error err = CODEX_ERROR_INIT;
    if (act == SESSION_ARCHIVE) {
        if (!active && !archived) {
            fprintf(stderr, "Error: No active session found matching '%s'.\n", arg);
        } else if (!active) {
            fputs("Error: failed to archive session\n", stderr);
        } else {
            /* One rename: a kill at any moment leaves the file in exactly
             * one of the two places. */
            char *moved = rollout_archive(home, active, &err);
            if (moved) {
                printf("Archived session %s.\n", id);
                rc = 0;
            } else {
                fprintf(stderr, "Error: failed to archive session: %s\n", err.message);
            }
            free(moved);
        }
    } else if (act == SESSION_UNARCHIVE) {
        if (!active && !archived) {
            fprintf(stderr, "Error: No archived session found matching '%s'.\n", arg);
        } else if (!archived) {
            fputs("Error: failed to unarchive session\n", stderr);
        } else {
            char *moved = rollout_unarchive(home, archived, &err);
            if (moved) {
                printf("Unarchived session %s.\n", id);
                rc = 0;
            } else {
                fprintf(stderr, "Error: failed to unarchive session: %s\n", err.message);
            }
            free(moved);
        }
    } else {
        const char *path = active ? active : archived;
        if (!path) {
            fprintf(stderr, "Error: No session found matching '%s'.\n", arg);
        } else if (!force && !confirm_delete(id)) {
            puts("Delete cancelled.");
            rc = 0;
        } else if (rollout_delete(path, &err) < 0) {
            fprintf(stderr, "Error: failed to delete session: %s\n", err.message);
        } else {
            rollout_delete_children(home, id);
            printf("Deleted session %s.\n", id);
            rc = 0;
        }
    }
    codex_error_clear(&err);
    free(active);
    free(archived);
    free(id);
    return rc;
}

int cli_session_cmd(struct cli_opts *o, int argc, char **argv, enum session_action act)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "codex %s", names[act]);
    const char *session = NULL;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return usage(stdout, act), 0;
        if (act == SESSION_DELETE && (strcmp(a, "--force") == 0 || strcmp(a, "--yes") == 0)) {
            force = true;
        } else if (a[0] == '-' && a[1]) {
            int r = cli_shared_flag(o, cmd, argc, argv, &i);
            if (r < 0)
                return 2;
            if (r == 0)
                return cli_usage_error(cmd, "unexpected argument '%s' found", a);
        } else if (!session) {
            session = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' found", a);
        }
    }
    if (!session)
        return cli_usage_error(cmd, "the following required arguments were not provided:\n  <SESSION>");
    cli_warn_unsupported_flags(o);
    char errbuf[512];
    char *home = config_codex_home(o->envp, errbuf, sizeof errbuf);
    if (!home) {
        fprintf(stderr, "Error: %s\n", errbuf);
        return 1;
    }
    int rc = run(home, act, session, force);
    free(home);
    return rc;
}
