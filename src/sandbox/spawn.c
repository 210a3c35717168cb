/* Turning a command into something a spawner can exec under the policy, and
 * the pre-exec half that runs in the forked child. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>

#include "sandbox/sandbox.h"
#include "util/xalloc.h"

#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

/* Do we hold CAP_SYS_ADMIN, i.e. can the child make a private mount
 * namespace for the read-only re-binds? */
static bool can_mount_namespace(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return false;
    return (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

static void add_ro_bind(struct sandbox_cmd *c, const char *path)
{
    c->ro_binds = xrealloc(c->ro_binds, (c->n_ro_binds + 1) * sizeof *c->ro_binds);
    c->ro_binds[c->n_ro_binds++] = xstrdup(path);
}

static void add_hide(struct sandbox_cmd *c, const char *path, bool is_dir)
{
    char ***list = is_dir ? &c->hide_dirs : &c->hide_files;
    size_t *n = is_dir ? &c->n_hide_dirs : &c->n_hide_files;
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = xstrdup(path);
}

static bool inside_writable(const struct sandbox_plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->roots.n; i++) {
        size_t n = strlen(plan->roots.v[i].path);
        if (strncmp(path, plan->roots.v[i].path, n) == 0 && (path[n] == '/' || n == 1))
            return true;
    }
    return false;
}


static const char *access_name(enum sandbox_access a)
{
    return a == SANDBOX_ACCESS_WRITE ? "write" : a == SANDBOX_ACCESS_READ ? "read" : "none";
}

/* The policy in the reference's SandboxPolicy JSON, for the helper; a
 * permission profile's entries ride along under "fs" (ours). */
static char *policy_json(const struct sandbox_policy *p)
{
    json_t *o = json_pack("{s:s}", "type", sandbox_kind_name(p->kind));
    if (p->kind == SANDBOX_KIND_WORKSPACE_WRITE || p->kind == SANDBOX_KIND_PROFILE) {
        json_t *roots = json_array();
        for (size_t i = 0; i < p->writable_roots.n; i++)
            json_array_append_new(roots, json_string(p->writable_roots.v[i]));
        json_object_set_new(o, "writable_roots", roots);
        json_object_set_new(o, "network_access", json_boolean(p->network_access));
        json_object_set_new(o, "exclude_tmpdir_env_var", json_boolean(p->exclude_tmpdir_env_var));
        json_object_set_new(o, "exclude_slash_tmp", json_boolean(p->exclude_slash_tmp));
    }
    if (p->n_fs) {
        json_t *fs = json_array();
        for (size_t i = 0; i < p->n_fs; i++) {
            json_t *e = json_pack("{s:s s:s}", "path", p->fs[i].path, "access", access_name(p->fs[i].access));
            if (p->fs[i].subpath)
                json_object_set_new(e, "subpath", json_string(p->fs[i].subpath));
            json_array_append_new(fs, e);
        }
        json_object_set_new(o, "fs", fs);
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* Hand the command's namespace to the child: kept open for the hook, or
 * mapped as descriptors 3 and 4 for the helper. */
static int dup_cloexec(int fd)
{
    return fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
}

/* A descriptor inherited from whoever started codex (a directory opened
 * outside the writable roots, say) would let a command reach past the mount
 * view through /proc/self/fd.  Everything above stdio becomes close-on-exec;
 * the spawner maps what the command needs explicitly. */
static int cloexec_from(unsigned first)
{
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    for (int fd = (int)first; fd < 1024; fd++) /* kernels before 5.11 */
        if (fcntl(fd, F_GETFD) >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    return 0;
}

static void cmd_init(struct sandbox_cmd *c)
{
    memset(c, 0, sizeof *c);
    c->child_fd = -1;
    c->child_fd2 = -1;
    c->netns_fd = -1;
    c->userns_fd = -1;
    c->landlock_fd = -1;
}

/* For spawners without a pre-exec hook: the codex-linux-sandbox helper
 * runs the pipeline itself (Landlock, or bwrap inside a command namespace
 * the hookless spawner could not join). */
static int prepare_helper(const struct sandbox_policy *p, enum sandbox_pipeline pl, const struct sandbox_exec *ex,
                          struct sandbox_cmd *c, char *err, size_t errlen)
{
    char self[4096];
    const char *exe = p->host.self_exe;
    ssize_t n = exe && *exe ? (ssize_t)snprintf(self, sizeof self, "%s", exe)
                            : readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(err, errlen, "cannot find our own executable: %s", strerror(errno));
        return -1;
    }
    self[n] = '\0';
    c->file = xstrdup(self);
    strvec_push(&c->argv, "codex-linux-sandbox");
    strvec_push(&c->argv, "--sandbox-policy-cwd");
    strvec_push(&c->argv, ex->policy_cwd);
    strvec_push(&c->argv, "--sandbox-policy");
    strvec_push_owned(&c->argv, policy_json(p));
    if (pl == SANDBOX_PIPELINE_LANDLOCK)
        strvec_push(&c->argv, "--use-legacy-landlock");
    if (p->netns) {
        c->child_fd = dup_cloexec(p->netns->netns_fd);
        if (c->child_fd < 0) {
            snprintf(err, errlen, "cannot pass the command's network namespace: %s", strerror(errno));
            return -1;
        }
        strvec_push(&c->argv, "--netns-fd");
        strvec_push(&c->argv, "3");
        if (p->netns->userns_fd >= 0) {
            c->child_fd2 = dup_cloexec(p->netns->userns_fd);
            if (c->child_fd2 < 0) {
                snprintf(err, errlen, "cannot pass the command's user namespace: %s", strerror(errno));
                return -1;
            }
            strvec_push(&c->argv, "--userns-fd");
            strvec_push(&c->argv, "4");
        }
    }
    strvec_push(&c->argv, "--");
    for (size_t i = 0; ex->argv[i]; i++)
        strvec_push(&c->argv, ex->argv[i]);
    return 0;
}

static int prepare(const struct sandbox_policy *p, enum sandbox_pipeline pl, const struct sandbox_exec *ex,
                   struct sandbox_cmd *out, char *err, size_t errlen)
{
    cmd_init(out);
    out->pipeline = pl;
    if (pl != SANDBOX_PIPELINE_NONE)
        cloexec_from(3);
    if (!ex->argv || !ex->argv[0] || !ex->program) {
        snprintf(err, errlen, "no command given");
        return -1;
    }
    if (!ex->cwd || ex->cwd[0] != '/' || !ex->policy_cwd || ex->policy_cwd[0] != '/') {
        snprintf(err, errlen, "working directory '%s' is not absolute", ex->cwd ? ex->cwd : "");
        return -1;
    }
    if (p->netns && p->network_access) {
        snprintf(err, errlen, "a policy cannot both open the network and route it through the proxy");
        return -1;
    }
    if ((ex->flags & SANDBOX_PREPARE_NO_HOOK) &&
        (pl == SANDBOX_PIPELINE_LANDLOCK || (pl == SANDBOX_PIPELINE_BWRAP && p->netns))) {
        if (prepare_helper(p, pl, ex, out, err, errlen) != 0) {
            sandbox_cmd_free(out);
            return -1;
        }
        return 0;
    }
    if (pl == SANDBOX_PIPELINE_NONE) {
        out->file = xstrdup(ex->program);
        for (size_t i = 0; ex->argv[i]; i++)
            strvec_push(&out->argv, ex->argv[i]);
        return 0;
    }

    struct sandbox_plan plan;
    struct codex_error rerr = CODEX_ERROR_INIT;
    if (sandbox_compute_plan(p, ex->policy_cwd, &plan, &rerr) != 0) {
        snprintf(err, errlen, "%s", rerr.message);
        codex_error_clear(&rerr);
        return -1;
    }
    const struct sandbox_roots *roots = &plan.roots;
    int rc = -1;
    if (sandbox_seccomp_compile(p, &out->bpf, &out->bpf_len, err, errlen) != 0)
        goto done;
    if (p->netns) {
        out->netns_fd = dup_cloexec(p->netns->netns_fd);
        out->userns_fd = dup_cloexec(p->netns->userns_fd);
        if (out->netns_fd < 0 || (p->netns->userns_fd >= 0 && out->userns_fd < 0)) {
            snprintf(err, errlen, "cannot keep the command's network namespace: %s", strerror(errno));
            goto done;
        }
    }
    if (pl == SANDBOX_PIPELINE_BWRAP) {
        const char *bw = sandbox_bwrap_path(p);
        if (!bw) {
            snprintf(err, errlen, "bwrap not found on PATH; install bubblewrap or set use_legacy_landlock");
            goto done;
        }
        if (sandbox_stubs_create(roots, p->host.runtime_dir, &out->stubs, err, errlen) != 0)
            goto done;
        out->child_fd = sandbox_seccomp_memfd(out->bpf, out->bpf_len);
        if (out->child_fd < 0) {
            snprintf(err, errlen, "seccomp: cannot hand the filter to bwrap: %s", strerror(errno));
            goto done;
        }
        sandbox_bwrap_args(p, &plan, ex->cwd, SANDBOX_CHILD_SECCOMP_FD, -1, &out->argv);
        for (size_t i = 0; ex->argv[i]; i++)
            strvec_push(&out->argv, ex->argv[i]);
        out->file = xstrdup(bw);
    } else {
        bool mountns = (roots->n > 0 || plan.n_rules > 0) && can_mount_namespace();
        if (mountns) {
            if (sandbox_stubs_create(roots, p->host.runtime_dir, &out->stubs, err, errlen) != 0)
                goto done;
            /* Landlock grants whole trees; what a tree holds with less
             * access is mounted over in the command's mount namespace. */
            for (size_t i = 0; i < roots->n; i++)
                for (size_t j = 0; j < roots->v[i].n_protected; j++)
                    if (access(roots->v[i].protected_paths[j].path, F_OK) == 0)
                        add_ro_bind(out, roots->v[i].protected_paths[j].path);
            for (size_t i = 0; i < plan.n_rules; i++) {
                const struct sandbox_rule *r = &plan.rules[i];
                if (r->access == SANDBOX_ACCESS_READ && inside_writable(&plan, r->path))
                    add_ro_bind(out, r->path);
                else if (r->access == SANDBOX_ACCESS_NONE)
                    add_hide(out, r->path, r->is_dir);
            }
            out->need_mount_ns = true;
        }
        out->landlock_fd = sandbox_landlock_ruleset(p, &plan, !mountns, err, errlen);
        if (out->landlock_fd < 0)
            goto done;
        out->drop_caps = true;
        out->file = xstrdup(ex->program);
        for (size_t i = 0; ex->argv[i]; i++)
            strvec_push(&out->argv, ex->argv[i]);
    }
    rc = 0;
done:
    sandbox_plan_free(&plan);
    if (rc != 0) {
        sandbox_cmd_free(out);
        cmd_init(out);
    }
    return rc;
}

int sandbox_prepare_with(const struct sandbox_policy *p, enum sandbox_pipeline pl, const struct sandbox_exec *ex,
                         struct sandbox_cmd *out, struct codex_error *err)
{
    char msg[1024];
    if (prepare(p, pl, ex, out, msg, sizeof msg) != 0) {
        codex_error_set(err, "%s", msg);
        return -1;
    }
    return 0;
}

int sandbox_prepare(const struct sandbox_policy *p, const struct sandbox_exec *ex, struct sandbox_cmd *out,
                    struct codex_error *err)
{
    char reason[256];
    enum sandbox_pipeline pl = sandbox_select_pipeline(p, reason, sizeof reason);
    if (sandbox_prepare_with(p, pl, ex, out, err) != 0)
        return -1;
    if (pl == SANDBOX_PIPELINE_LANDLOCK && !p->use_legacy_landlock)
        out->notice = xasprintf("warning: %s; using the Landlock sandbox instead", reason);
    return 0;
}

/* ---- in the child: only async-signal-safe calls from here on ---- */

static int remount_readonly(const char *path)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
    struct statvfs sv;
    if (statvfs(path, &sv) == 0) {
        /* Locked flags of the underlying mount must be kept or the remount fails. */
        if (sv.f_flag & ST_NOSUID)
            flags |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
            flags |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
            flags |= MS_NOEXEC;
    }
    return mount(NULL, path, NULL, flags, NULL);
}

static void drop_capabilities(void)
{
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    syscall(SYS_capset, &hdr, data);
}

int sandbox_child_setup(const struct sandbox_cmd *c, const char **what)
{
    static const char *unused;
    if (!what)
        what = &unused;
    /* Into the command's own network namespace first, while we still have
     * the capability to: from then on the proxy's listeners are the only
     * addresses there are. */
    if (c->userns_fd >= 0) {
        *what = "joining the command's user namespace";
        if (setns(c->userns_fd, CLONE_NEWUSER) != 0)
            return -1;
    }
    if (c->netns_fd >= 0) {
        *what = "joining the command's network namespace";
        if (setns(c->netns_fd, CLONE_NEWNET) != 0)
            return -1;
    }
    if (c->child_fd >= 0) {
        *what = "passing the seccomp filter";
        if (c->child_fd == SANDBOX_CHILD_SECCOMP_FD) {
            if (fcntl(c->child_fd, F_SETFD, 0) != 0)
                return -1;
        } else if (dup2(c->child_fd, SANDBOX_CHILD_SECCOMP_FD) < 0) {
            return -1;
        }
    }
    if (c->pipeline == SANDBOX_PIPELINE_NONE)
        return 0;
    *what = "closing inherited descriptors";
    if (cloexec_from(c->child_fd >= 0 ? SANDBOX_CHILD_SECCOMP_FD + 1 : 3) != 0)
        return -1;
    if (c->pipeline != SANDBOX_PIPELINE_LANDLOCK)
        return 0;
    *what = "setsid";
    if (setsid() < 0 && errno != EPERM)
        return -1;
    *what = "PR_SET_PDEATHSIG";
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        return -1;
    if (c->need_mount_ns) {
        *what = "creating a mount namespace";
        if (unshare(CLONE_NEWNS) != 0)
            return -1;
        *what = "making / a slave mount";
        if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
            return -1;
        *what = "re-binding a protected path read-only";
        for (size_t i = 0; i < c->n_ro_binds; i++)
            if (remount_readonly(c->ro_binds[i]) != 0)
                return -1;
        *what = "hiding a directory the profile denies";
        for (size_t i = 0; i < c->n_hide_dirs; i++)
            if (mount("tmpfs", c->hide_dirs[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "size=0,mode=000") != 0)
                return -1;
        *what = "hiding a file the profile denies";
        for (size_t i = 0; i < c->n_hide_files; i++)
            if (mount("/dev/null", c->hide_files[i], NULL, MS_BIND, NULL) != 0)
                return -1;
    }
    if (c->drop_caps)
        drop_capabilities();
    *what = "PR_SET_NO_NEW_PRIVS";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    *what = "landlock_restrict_self";
    if (syscall(__NR_landlock_restrict_self, c->landlock_fd, 0) != 0)
        return -1;
    *what = "installing the seccomp filter";
    struct sock_fprog prog = {(unsigned short)c->bpf_len, (struct sock_filter *)c->bpf};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        return -1;
    return 0;
}

void sandbox_cmd_free(struct sandbox_cmd *c)
{
    if (c->child_fd >= 0)
        close(c->child_fd);
    if (c->child_fd2 >= 0)
        close(c->child_fd2);
    if (c->netns_fd >= 0)
        close(c->netns_fd);
    if (c->userns_fd >= 0)
        close(c->userns_fd);
    if (c->landlock_fd >= 0)
        close(c->landlock_fd);
    sandbox_stubs_release(c->stubs);
    for (size_t i = 0; i < c->n_ro_binds; i++)
        free(c->ro_binds[i]);
    free(c->ro_binds);
    for (size_t i = 0; i < c->n_hide_dirs; i++)
        free(c->hide_dirs[i]);
    free(c->hide_dirs);
    for (size_t i = 0; i < c->n_hide_files; i++)
        free(c->hide_files[i]);
    free(c->hide_files);
    free(c->bpf);
    free(c->file);
    free(c->notice);
    strvec_free(&c->argv);
    cmd_init(c);
}
