/* The Linux sandbox: what a command may touch (the policy) and how that is
 * enforced (a pipeline).  Two pipelines exist:
 *
 *   bwrap     bubblewrap builds the mount view (read-only root, writable
 *             roots bound read-write, protected paths re-bound read-only,
 *             fresh /dev and /proc, new PID and network namespaces) and loads
 *             our compiled seccomp program (--seccomp FD).  The default.
 *   landlock  no namespaces needed: Landlock rules and the same seccomp
 *             program are applied in the forked child just before exec.
 *             Used with use_legacy_landlock, or when bwrap cannot work here.
 *
 * Everything fails closed: a policy that cannot be enforced is an error,
 * never an unsandboxed run. */
#ifndef CODEX_SANDBOX_SANDBOX_H
#define CODEX_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/strvec.h"

struct codex_config;

/* A command's own network namespace for proxy-only egress (netns.c): only
 * a loopback interface, where the proxy's listeners are bound.  Hand the
 * listeners to the proxy, then run the command with the namespace set in
 * its policy. */
struct sandbox_netns {
    int netns_fd;  /* the namespace */
    int userns_fd; /* the user namespace owning it when not made as root, else -1 */
    int http_fd;   /* listening on 127.0.0.1:http_port inside */
    int socks_fd;  /* likewise, or -1 */
    int udp_fd;    /* a UDP socket bound to 127.0.0.1:udp_port inside, or -1 */
    uint16_t http_port, socks_port, udp_port;
};

/* Returns 0, or -1 with err (the command must then not run: fail closed). */
int sandbox_netns_create(bool socks, bool udp, struct sandbox_netns *out, struct codex_error *err);
/* Close the listeners (once the proxy has them); the namespace stays. */
void sandbox_netns_close_listeners(struct sandbox_netns *n);
void sandbox_netns_free(struct sandbox_netns *n);

enum sandbox_kind {
    SANDBOX_KIND_READ_ONLY,
    SANDBOX_KIND_WORKSPACE_WRITE,
    SANDBOX_KIND_DANGER_FULL_ACCESS,
    /* The app-server's externalSandbox: the host confines us already. */
    SANDBOX_KIND_EXTERNAL,
    /* A permission profile: only its filesystem entries grant anything. */
    SANDBOX_KIND_PROFILE,
};

enum sandbox_access { SANDBOX_ACCESS_NONE, SANDBOX_ACCESS_READ, SANDBOX_ACCESS_WRITE };

/* A permission profile's filesystem entry (config/permissions.h): path is
 * absolute or ":root", ":minimal", ":project_roots" (with subpath, "." for
 * each root itself), ":tmpdir" or ":slash_tmp". */
struct sandbox_fs_entry {
    char *path;
    char *subpath;
    enum sandbox_access access;
};

/* What the sandbox needs from the process environment.  The front end
 * supplies it (sandbox_policy_set_host); the sandbox never reads the
 * environment itself. */
struct sandbox_host {
    char *path;        /* $PATH: where bubblewrap is looked for */
    char *tmpdir;      /* $TMPDIR: a writable root unless excluded */
    char *runtime_dir; /* $XDG_RUNTIME_DIR: our private state; NULL: /tmp */
    char *self_exe;    /* codex, for the codex-linux-sandbox helper; NULL: /proc/self/exe */
};

struct sandbox_policy {
    enum sandbox_kind kind;
    struct strvec writable_roots; /* extra roots besides cwd (writable_roots, --add-dir) */
    bool network_access;
    bool exclude_tmpdir_env_var;
    bool exclude_slash_tmp;
    bool use_legacy_landlock;
    bool no_proc; /* bwrap: keep the host's /proc view instead of a fresh one (--no-proc) */
    struct sandbox_host host;
    /* Proxy-only egress: the command joins this namespace (borrowed; must
     * outlive the command's preparation).  network_access is false then. */
    const struct sandbox_netns *netns;
    /* The profile routes the network through the managed proxy: without
     * netns set the command has no network at all. */
    bool network_proxy;
    /* Entries applied in order on top of what kind grants: READ_ONLY makes
     * everything readable, WORKSPACE_WRITE adds the workspace roots (cwd,
     * writable_roots, /tmp, $TMPDIR) writable, PROFILE grants nothing.  The
     * project roots of ":project_roots" are cwd and writable_roots. */
    struct sandbox_fs_entry *fs;
    size_t n_fs;
};

/* A writable root as enforced: a canonical directory plus the paths under it
 * that stay read-only.  A protected path that does not exist yet is still
 * listed (exists == false): it must not be creatable either. */
struct sandbox_protected {
    char *path;
    bool exists;
    bool is_dir;
};

struct sandbox_root {
    char *path;
    struct sandbox_protected *protected_paths;
    size_t n_protected;
};

struct sandbox_roots {
    struct sandbox_root *v;
    size_t n;
};

/* A resolved place that is not a writable directory root: read-only or
 * hidden (NONE), or a single writable file. */
struct sandbox_rule {
    char *path; /* canonical */
    enum sandbox_access access;
    bool is_dir;
};

/* What a policy grants for one working directory, resolved to canonical
 * paths: the pipelines enforce this and nothing else. */
struct sandbox_plan {
    bool read_all;              /* the whole filesystem is readable */
    struct sandbox_rule *rules; /* READ and NONE places, writable files */
    size_t n_rules;
    struct sandbox_roots roots; /* writable directories with their protected paths */
    /* Entries named through a symbolic link ("/bin" -> "usr/bin"): a view
     * that is not the whole filesystem recreates the link. */
    struct strvec link_paths, link_targets;
};

enum sandbox_pipeline {
    SANDBOX_PIPELINE_NONE, /* danger-full-access, external */
    SANDBOX_PIPELINE_BWRAP,
    SANDBOX_PIPELINE_LANDLOCK,
};

/* The fd number the compiled seccomp program has in the child on the bwrap
 * pipeline; a spawner maps sandbox_cmd.child_fd there (libuv: stdio[3]). */
#define SANDBOX_CHILD_SECCOMP_FD 3
/* A second descriptor a hookless spawner maps (sandbox_cmd.child_fd2). */
#define SANDBOX_CHILD_FD2 4

struct sandbox_stub;

/* What to run.  Exec `file` with `argv`; before exec, in the child, call
 * sandbox_child_setup() (it maps child_fd and applies Landlock/seccomp).
 * src/proc, the one spawner codex uses, always runs that hook.  A spawner
 * that cannot run code before exec passes SANDBOX_PREPARE_NO_HOOK: the
 * command then needs no hook beyond mapping child_fd to
 * SANDBOX_CHILD_SECCOMP_FD (the Landlock pipeline goes through the
 * codex-linux-sandbox helper in that case). */
struct sandbox_cmd {
    enum sandbox_pipeline pipeline;
    char *file;          /* absolute path of the program to exec */
    struct strvec argv;
    int child_fd;        /* fd to appear as SANDBOX_CHILD_SECCOMP_FD, or -1 */
    int child_fd2;       /* fd to appear as SANDBOX_CHILD_FD2, or -1 */
    /* Joined by sandbox_child_setup before anything else (proxy-only
     * egress), or -1. */
    int netns_fd;
    int userns_fd;
    /* Landlock pipeline, applied by sandbox_child_setup(). */
    int landlock_fd;     /* ruleset, or -1 */
    void *bpf;           /* compiled seccomp program (struct sock_filter[]) */
    size_t bpf_len;      /* in instructions */
    char **ro_binds;     /* paths to re-bind read-only in a private mount namespace */
    size_t n_ro_binds;
    char **hide_dirs;    /* NONE directories: an empty read-only tmpfs on top */
    size_t n_hide_dirs;
    char **hide_files;   /* NONE files: /dev/null bound on top */
    size_t n_hide_files;
    bool need_mount_ns;
    bool drop_caps;
    /* Placeholders created for protected names that did not exist; removed
     * again by sandbox_cmd_free(). */
    struct sandbox_stub *stubs;
    char *notice;        /* one line to show the user (a fallback), or NULL */
};

#define SANDBOX_PREPARE_NO_HOOK 1u

/* Policy helpers. */
void sandbox_policy_init(struct sandbox_policy *p, enum sandbox_kind kind);
void sandbox_policy_free(struct sandbox_policy *p);
/* "read-only", "workspace-write", "danger-full-access" → kind; -1 if unknown. */
int sandbox_kind_parse(const char *name);
const char *sandbox_kind_name(enum sandbox_kind kind);
/* From the loaded configuration (sandbox_mode, [sandbox_workspace_write],
 * --add-dir, use_legacy_landlock). */
void sandbox_policy_from_config(struct sandbox_policy *p, const struct codex_config *cfg);
/* The host inputs from an environment array (PATH, TMPDIR,
 * XDG_RUNTIME_DIR); self_exe may be NULL. */
void sandbox_policy_set_host(struct sandbox_policy *p, const char *const *envp, const char *self_exe);
void sandbox_policy_copy(struct sandbox_policy *dst, const struct sandbox_policy *src);
bool sandbox_policy_restricts(const struct sandbox_policy *p);
void sandbox_policy_add_fs(struct sandbox_policy *p, const char *path, const char *subpath,
                           enum sandbox_access access);

/* Resolve the policy for its working directory: every place it grants or
 * hides, canonical.  Errors (a workspace root that does not exist or is
 * relative, a cwd inside a protected path) return -1 with err set. */
int sandbox_compute_plan(const struct sandbox_policy *p, const char *policy_cwd, struct sandbox_plan *out,
                         struct codex_error *err);
void sandbox_plan_free(struct sandbox_plan *plan);
/* The writable roots with their protected paths, canonical, for the
 * policy's working directory.  Errors (a root that does not exist, is
 * relative, a cwd inside a protected path) return -1 with err set. */
int sandbox_compute_roots(const struct sandbox_policy *p, const char *policy_cwd,
                          struct sandbox_roots *out, struct codex_error *err);
/* Whether a canonical path (symlinks resolved) may be written under these
 * roots: inside a root and not inside one of its protected paths. */
bool sandbox_path_writable(const struct sandbox_roots *roots, const char *real_path);
void sandbox_roots_free(struct sandbox_roots *r);

/* The pipeline that will enforce p here (may probe bwrap once per process,
 * with a timeout; the answer is cached).  reason gets a short explanation. */
enum sandbox_pipeline sandbox_select_pipeline(const struct sandbox_policy *p, char *reason,
                                              size_t reasonlen);
const char *sandbox_pipeline_name(enum sandbox_pipeline pl);

/* One command to confine.  The policy's writable roots are computed from
 * policy_cwd (the session's working directory); the command runs in cwd,
 * which may lie anywhere: running in "/" must not make "/" writable. */
struct sandbox_exec {
    const char *policy_cwd;
    const char *cwd;
    const char *program;  /* argv[0] resolved to a path */
    char *const *argv;
    unsigned flags;       /* SANDBOX_PREPARE_* */
};

/* Build what to exec.  Returns 0, or -1 with err set.  A policy that does
 * not restrict (danger-full-access, external) gives the plain command. */
int sandbox_prepare(const struct sandbox_policy *p, const struct sandbox_exec *ex,
                    struct sandbox_cmd *out, struct codex_error *err);
/* Same with the pipeline forced (tests, `codex sandbox landlock`). */
int sandbox_prepare_with(const struct sandbox_policy *p, enum sandbox_pipeline pl,
                         const struct sandbox_exec *ex, struct sandbox_cmd *out,
                         struct codex_error *err);
/* In the forked child, just before exec: async-signal-safe.  Returns 0, or
 * -1 with errno set and *what naming the step that failed. */
int sandbox_child_setup(const struct sandbox_cmd *c, const char **what);
/* Close fds, remove placeholders, free. */
void sandbox_cmd_free(struct sandbox_cmd *c);

/* Pieces shared by the pipelines (internal). */
int sandbox_seccomp_compile(const struct sandbox_policy *p, void **bpf, size_t *len, char *err,
                            size_t errlen);
int sandbox_seccomp_memfd(const void *bpf, size_t len);
int sandbox_landlock_abi(void);
int sandbox_landlock_ruleset(const struct sandbox_policy *p, const struct sandbox_plan *plan,
                             bool per_entry, char *err, size_t errlen);
int sandbox_bwrap_args(const struct sandbox_policy *p, const struct sandbox_plan *plan,
                       const char *cwd, int seccomp_fd, int status_fd,
                       struct strvec *out);
/* The directories ":minimal" makes readable (NULL-terminated). */
extern const char *const sandbox_minimal_paths[];
/* bubblewrap on the host's PATH, or NULL when it is not installed. */
const char *sandbox_bwrap_path(const struct sandbox_policy *p);
bool sandbox_bwrap_usable(const struct sandbox_policy *p, char *reason, size_t reasonlen);
int sandbox_stubs_create(const struct sandbox_roots *roots, const char *runtime_dir,
                         struct sandbox_stub **out, char *err, size_t errlen);
void sandbox_stubs_release(struct sandbox_stub *stubs);
/* $XDG_RUNTIME_DIR/codex-sandbox-UID, private to us (created); NULL with
 * err when it exists but is not ours alone. */
char *sandbox_state_dir(const char *runtime_dir, char *err, size_t errlen);

#endif
