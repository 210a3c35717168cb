/* The bubblewrap command line for a policy.  Only options bubblewrap 0.8
 * (Debian 12) understands are used. */
#include <stdbool.h>
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

/* One mount of the view.  Applied outer paths first, so that an inner
 * entry (a read-only .git inside a writable root, a writable project
 * inside a hidden home) lands on top of the outer one. */
enum op_kind { OP_RO, OP_RW, OP_HIDE_DIR, OP_HIDE_FILE };
struct op {
    const char *path;
    enum op_kind kind;
    size_t order; /* insertion order, for equal lengths */
};

static int by_length(const void *a, const void *b)
{
    const struct op *x = a, *y = b;
    size_t la = strlen(x->path), lb = strlen(y->path);
    if (la != lb)
        return la < lb ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static bool beneath(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/' && path[1];
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Is a READ place already what the view shows?  Only when the whole
 * filesystem is readable and nothing between / and it changes that. */
static bool read_is_redundant(const struct sandbox_plan *plan, const char *path)
{
    if (!plan->read_all)
        return false;
    for (size_t i = 0; i < plan->roots.n; i++)
        if (beneath(path, plan->roots.v[i].path) || strcmp(path, plan->roots.v[i].path) == 0)
            return false;
    for (size_t i = 0; i < plan->n_rules; i++)
        if (plan->rules[i].access != SANDBOX_ACCESS_READ && beneath(path, plan->rules[i].path))
            return false;
    return true;
}

int sandbox_bwrap_args(const struct sandbox_policy *p, const struct sandbox_plan *plan,
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
    /* With proxy-only egress the command is already in its own namespace
     * (joined before bwrap runs): a fresh one would lose the listeners. */
    if (!p->network_access && !p->netns)
        strvec_push(out, "--unshare-net");
    if (plan->read_all)
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

    size_t cap = plan->n_rules + plan->roots.n + 1;
    for (size_t i = 0; i < plan->roots.n; i++)
        cap += plan->roots.v[i].n_protected;
    struct op *ops = xcalloc(cap, sizeof *ops);
    size_t n = 0;
    for (size_t i = 0; i < plan->roots.n; i++) {
        ops[n] = (struct op){plan->roots.v[i].path, OP_RW, n};
        n++;
    }
    for (size_t i = 0; i < plan->n_rules; i++) {
        const struct sandbox_rule *r = &plan->rules[i];
        if (r->access == SANDBOX_ACCESS_READ && read_is_redundant(plan, r->path))
            continue;
        enum op_kind k = r->access == SANDBOX_ACCESS_WRITE ? OP_RW
                         : r->access == SANDBOX_ACCESS_READ ? OP_RO
                         : r->is_dir                        ? OP_HIDE_DIR
                                                            : OP_HIDE_FILE;
        ops[n] = (struct op){r->path, k, n};
        n++;
    }
    /* The protected paths, read-only.  Missing ones have been given a
     * placeholder by sandbox_stubs_create, or are skipped when the root
     * itself cannot be written.  --ro-bind, not --ro-bind-try: should a
     * path vanish before bwrap binds it, bwrap fails rather than leaving
     * the name creatable. */
    for (size_t i = 0; i < plan->roots.n; i++) {
        const struct sandbox_root *r = &plan->roots.v[i];
        for (size_t j = 0; j < r->n_protected; j++)
            if (access(r->protected_paths[j].path, F_OK) == 0) {
                ops[n] = (struct op){r->protected_paths[j].path, OP_RO, n};
                n++;
            }
    }
    qsort(ops, n, sizeof *ops, by_length);
    for (size_t i = 0; i < n; i++) {
        switch (ops[i].kind) {
        case OP_RO:
            push3(out, "--ro-bind", ops[i].path, ops[i].path);
            break;
        case OP_RW:
            push3(out, "--bind", ops[i].path, ops[i].path);
            break;
        case OP_HIDE_DIR:
            /* An empty directory, and not one the command may fill. */
            push2(out, "--tmpfs", ops[i].path);
            push2(out, "--remount-ro", ops[i].path);
            break;
        case OP_HIDE_FILE:
            push3(out, "--ro-bind", "/dev/null", ops[i].path);
            break;
        }
    }
    free(ops);
    if (!plan->read_all)
        for (size_t i = 0; i < plan->link_paths.n; i++)
            push3(out, "--symlink", plan->link_targets.v[i], plan->link_paths.v[i]);
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
