/* --worktree: the session runs in a new managed git worktree, as the
 * reference does it: $CODEX_HOME/worktrees/<4 hex>/<repository name>, a
 * detached checkout of HEAD, kept after the session so its work can be
 * looked at and merged.  The session's directory becomes the same
 * subdirectory of the worktree that it was of the repository. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "proc/proc.h"
#include "store/git_root.h"
#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

int cli_enter_worktree(struct cli_opts *o)
{
    char errbuf[512];
    char *home = config_codex_home(o->envp, errbuf, sizeof errbuf);
    if (!home) {
        fprintf(stderr, "Error: %s\n", errbuf);
        return 1;
    }
    char *here = o->cd ? realpath(o->cd, NULL) : getcwd(NULL, 0);
    char *repo = here ? git_repo_root(here) : NULL;
    int rc = 1;
    char *dir = NULL, *target = NULL;
    if (!repo) {
        fprintf(stderr, "Error: --worktree needs a git repository; %s is not inside one\n", here ? here : o->cd);
        goto out;
    }
    const char *name = strrchr(repo, '/') ? strrchr(repo, '/') + 1 : repo;
    for (int attempt = 0; attempt < 16 && !dir; attempt++) {
        char id[8];
        random_hex(id, 2);
        char *parent = xasprintf("%s/worktrees/%s", home, id);
        if (!fs_exists(parent))
            dir = xasprintf("%s/%s", parent, name);
        free(parent);
    }
    if (!dir) {
        fprintf(stderr, "Error: --worktree: no free name under %s/worktrees\n", home);
        goto out;
    }
    const char *argv[] = {"git", "-C", repo, "worktree", "add", "--quiet", "--detach", dir, "HEAD", NULL};
    struct proc_spec spec = {.argv = argv, .envp = o->envp, .cwd = repo};
    struct codex_error err = CODEX_ERROR_INIT;
    int status = proc_run_foreground(&spec, &err);
    if (status != 0) {
        if (status < 0)
            fprintf(stderr, "Error: --worktree: %s\n", err.message);
        else
            fprintf(stderr, "Error: --worktree: `git worktree add` failed (exit %d)\n", status);
        codex_error_clear(&err);
        goto out;
    }
    /* The same place inside the new tree. */
    const char *rel = here + strlen(repo);
    target = xasprintf("%s%s", dir, rel);
    fprintf(stderr, "Working in a new worktree: %s\n", dir);
    o->cd = o->owned_cd = target;
    target = NULL;
    rc = 0;
out:
    free(home);
    free(here);
    free(repo);
    free(dir);
    free(target);
    return rc;
}
