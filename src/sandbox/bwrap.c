/* The bubblewrap command line for a policy.  Only options bubblewrap 0.8
 * (Debian 12) understands are used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/xalloc.h"

static void push2(struct strvec *v, const char *a, const char *b)
{
    strvec_push(v, a);
    strvec_push(v, b);
}

static void push3(struct strvec *v, const char *a, const char *b, const char *c)
{
    strvec_push(v, a);
    strvec_push(v, b);
    strvec_push(v, c);
}

static int by_length(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? -1 : la > lb;
}

int sandbox_bwrap_args(const struct sandbox_policy *p, const struct sandbox_roots *roots,
                       const char *cwd, int seccomp_fd, int status_fd,
                       struct strvec *out)
{
    char num[16];
    strvec_push(out, sandbox_bwrap_path(p));
    strvec_push(out, "--new-session");
    strvec_push(out, "--die-with-parent");
    /* As root bubblewrap keeps every capability unless told otherwise. */
    push2(out, "--cap-drop", "ALL");
    strvec_push(out, "--unshare-pid");
    if (!p->network_access)
        strvec_push(out, "--unshare-net");
    push3(out, "--ro-bind", "/", "/");
    push2(out, "--dev", "/dev");
    if (!p->no_proc) {
        push2(out, "--proc", "/proc");
        /* A fresh procfs has writable sysctls, and run as root (even with no
         * capabilities) a command could set kernel.core_pattern to a program
         * the host then runs: keep them read-only. */
        push3(out, "--ro-bind", "/proc/sys", "/proc/sys");
        push3(out, "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger");
    }

    /* Outer roots before inner ones, so a nested root is not hidden. */
    size_t n = roots ? roots->n : 0;
    char **paths = xcalloc(n ? n : 1, sizeof *paths);
    for (size_t i = 0; i < n; i++)
        paths[i] = roots->v[i].path;
    qsort(paths, n, sizeof *paths, by_length);
    for (size_t i = 0; i < n; i++)
        push3(out, "--bind", paths[i], paths[i]);
    free(paths);
    /* Then the protected paths on top, read-only.  Missing ones have been
     * given a placeholder by sandbox_stubs_create, or are skipped when the
     * root itself cannot be written.  --ro-bind, not --ro-bind-try: should
     * a path vanish before bwrap binds it, bwrap fails rather than leaving
     * the name creatable. */
    for (size_t i = 0; i < n; i++) {
        const struct sandbox_root *r = &roots->v[i];
        for (size_t j = 0; j < r->n_protected; j++) {
            const char *pp = r->protected_paths[j].path;
            if (access(pp, F_OK) == 0)
                push3(out, "--ro-bind", pp, pp);
        }
    }
    push2(out, "--chdir", cwd);
    if (seccomp_fd >= 0) {
        snprintf(num, sizeof num, "%d", seccomp_fd);
        push2(out, "--seccomp", num);
    }
    if (status_fd >= 0) {
        snprintf(num, sizeof num, "%d", status_fd);
        push2(out, "--json-status-fd", num);
    }
    strvec_push(out, "--");
    return 0;
}
