/* Running one sandboxed command in the foreground: `codex sandbox` and the
 * codex-linux-sandbox helper. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

extern char **environ;

struct child_failure {
    int err;
    char what[120];
};

/* Set-up failed before exec because a protected path vanished between
 * preparing and binding it (another program removed a placeholder): the
 * command never ran, so it is safe to prepare again. */
#define RETRY_SETUP (-1000)

static int run_prepared(const struct sandbox_cmd *c, const char *cwd, char *const envp[])
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        fprintf(stderr, "codex sandbox: pipe: %s\n", strerror(errno));
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "codex sandbox: fork: %s\n", strerror(errno));
        close(report[0]);
        close(report[1]);
        return 1;
    }
    if (pid == 0) {
        struct child_failure f = {0, ""};
        const char *what = "chdir";
        if (chdir(cwd) == 0 && sandbox_child_setup(c, &what) == 0) {
            what = "exec";
            execve(c->file, c->argv.v, envp ? envp : environ);
        }
        f.err = errno;
        size_t n = strlen(what);
        if (n >= sizeof f.what)
            n = sizeof f.what - 1;
        memcpy(f.what, what, n);
        f.what[n] = '\0';
        if (write(report[1], &f, sizeof f) < 0) {
        }
        _exit(127);
    }
    close(report[1]);
    struct child_failure f;
    ssize_t got;
    do
        got = read(report[0], &f, sizeof f);
    while (got < 0 && errno == EINTR);
    close(report[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "codex sandbox: waitpid: %s\n", strerror(errno));
            return 1;
        }
    }
    if (got == (ssize_t)sizeof f) {
        if (f.err == ENOENT && strstr(f.what, "protected path"))
            return RETRY_SETUP;
        if (strcmp(f.what, "exec") == 0) {
            fprintf(stderr, "codex sandbox: cannot run %s: %s\n", c->file, strerror(f.err));
            return f.err == ENOENT ? 127 : 126;
        }
        fprintf(stderr, "codex sandbox: sandbox setup failed (%s): %s; the command was not run\n",
                f.what, strerror(f.err));
        return 1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

int sandbox_run(const struct sandbox_policy *p, const char *cwd, char *const argv[], char *const envp[])
{
    char reason[256], err[512];
    enum sandbox_pipeline pl = sandbox_select_pipeline(p, reason, sizeof reason);
    if (pl == SANDBOX_PIPELINE_LANDLOCK && !p->use_legacy_landlock)
        fprintf(stderr, "warning: %s; using the Landlock sandbox instead\n", reason);
    for (int attempt = 0;; attempt++) {
        struct sandbox_cmd cmd;
        if (sandbox_spawn_prepare_with(p, pl, cwd, argv, 0, &cmd, err, sizeof err) != 0) {
            int missing = errno == ENOENT;
            fprintf(stderr, "codex sandbox: %s\n", err);
            return missing ? 127 : 1;
        }
        int rc = run_prepared(&cmd, cwd, envp);
        sandbox_cmd_free(&cmd);
        if (rc != RETRY_SETUP)
            return rc;
        if (attempt == 2) {
            fprintf(stderr, "codex sandbox: sandbox setup failed: a protected path keeps disappearing; "
                            "the command was not run\n");
            return 1;
        }
    }
}
