/* Run a command through the sandbox library exactly as the agent's spawner
 * does (prepare, fork, sandbox_child_setup, exec), for the escape suite and
 * the benchmark.
 *   sandbox_spawn [-m MODE] [-n] [-r ROOT]... [-p bwrap|landlock|none|auto]
 *                 [-T] [-E] [-H] [-N COUNT] -- CMD...
 * -n network on, -T exclude /tmp, -E exclude $TMPDIR, -H spawner without a
 * pre-exec hook (-X CODEX: the codex binary that serves as its helper),
 * -N run COUNT times (prints the mean wall and CPU time per
 * run in microseconds; CPU counts ours and the children's, user + system). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/fs.h"

extern char **environ;

static int run_once(const struct sandbox_policy *pol, int pl, const char *cwd, char **cmd, unsigned flags)
{
    struct sandbox_cmd c;
    char *program = fs_which(cmd[0], getenv("PATH"), cwd);
    if (!program) {
        fprintf(stderr, "sandbox_spawn: %s: command not found\n", cmd[0]);
        return 127;
    }
    struct sandbox_exec ex = {.policy_cwd = cwd, .cwd = cwd, .program = program, .argv = cmd, .flags = flags};
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = pl < 0 ? sandbox_prepare(pol, &ex, &c, &err)
                    : sandbox_prepare_with(pol, (enum sandbox_pipeline)pl, &ex, &c, &err);
    free(program);
    if (rc != 0) {
        fprintf(stderr, "sandbox_spawn: %s\n", err.message);
        codex_error_clear(&err);
        return 1;
    }
    if (c.notice)
        fprintf(stderr, "%s\n", c.notice);
    pid_t pid = fork();
    if (pid == 0) {
        const char *what = "?";
        if (flags & SANDBOX_PREPARE_NO_HOOK) {
            /* What a libuv spawner can do: only map the fd. */
            if (c.child_fd >= 0 && dup2(c.child_fd, SANDBOX_CHILD_SECCOMP_FD) < 0)
                _exit(121);
        } else if (sandbox_child_setup(&c, &what) != 0) {
            dprintf(2, "sandbox_spawn: setup failed at %s: %s\n", what, strerror(errno));
            _exit(122);
        }
        execve(c.file, c.argv.v, environ);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    sandbox_cmd_free(&c);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    struct sandbox_policy pol;
    sandbox_policy_init(&pol, SANDBOX_KIND_WORKSPACE_WRITE);
    int pl = -1, count = 0, opt;
    unsigned flags = 0;
    const char *helper = NULL;
    while ((opt = getopt(argc, argv, "m:nr:p:TEHN:X:")) != -1) {
        switch (opt) {
        case 'm': pol.kind = (enum sandbox_kind)sandbox_kind_parse(optarg); break;
        case 'n': pol.network_access = true; break;
        case 'r': strvec_push(&pol.writable_roots, optarg); break;
        case 'p':
            pl = strcmp(optarg, "bwrap") == 0      ? SANDBOX_PIPELINE_BWRAP
                 : strcmp(optarg, "landlock") == 0 ? SANDBOX_PIPELINE_LANDLOCK
                 : strcmp(optarg, "none") == 0     ? SANDBOX_PIPELINE_NONE
                                                   : -1;
            break;
        case 'T': pol.exclude_slash_tmp = true; break;
        case 'E': pol.exclude_tmpdir_env_var = true; break;
        case 'H': flags |= SANDBOX_PREPARE_NO_HOOK; break;
        case 'N': count = atoi(optarg); break;
        case 'X': helper = optarg; break;
        default: return 2;
        }
    }
    if (optind >= argc)
        return 2;
    sandbox_policy_set_host(&pol, (const char *const *)environ, helper);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    int rc;
    if (count > 0) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < count; i++)
            run_once(&pol, pl, cwd, &argv[optind], flags);
        clock_gettime(CLOCK_MONOTONIC, &b);
        struct rusage self, kids;
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &kids);
        double cpu = (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) * 1e6 +
                     (self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec);
        printf("%.0f %.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / count / 1e3, cpu / count);
        rc = 0;
    } else {
        rc = run_once(&pol, pl, cwd, &argv[optind], flags);
    }
    sandbox_policy_free(&pol);
    return rc;
}
