/* The one way codex-c starts a process: exec_command sessions, the app
 * server's command/exec, `codex sandbox`, hooks and MCP stdio servers all
 * come through here, so the sandbox is applied in exactly one place.
 *
 * A process runs on the caller's libuv loop.  It gets its own process group
 * (or session, on a PTY) so that a kill reaches everything it started; its
 * output arrives through a callback as it is read; its end is reported once,
 * after its output has been drained.  A confined process is prepared by
 * src/sandbox and finished in the forked child just before exec (Landlock,
 * seccomp, the mount view), so confinement costs no exec of our own.  A
 * sandbox that cannot be set up is an error: the command does not run. */
#ifndef CODEX_PROC_PROC_H
#define CODEX_PROC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "util/error.h"

struct sandbox_policy;
struct netproxy_session;

enum proc_io {
    PROC_IO_PIPES,   /* stdout and stderr each on a pipe; stdin a pipe or /dev/null */
    PROC_IO_PTY,     /* one pseudo-terminal for all three; a new session */
    PROC_IO_INHERIT, /* the caller's own stdio; stays in the caller's process group */
};

enum proc_stream { PROC_STDOUT = 1, PROC_STDERR = 2 };

struct proc_spec {
    const char *const *argv; /* argv[0] is looked up on the PATH of envp */
    const char *const *envp; /* the complete environment, NULL-terminated */
    const char *cwd;         /* absolute; where the command runs */
    enum proc_io io;
    bool stdin_pipe;         /* PROC_IO_PIPES: keep stdin open for proc_write */
    bool merge_stderr;       /* PROC_IO_PIPES: stderr arrives as PROC_STDOUT */
    unsigned short rows, cols; /* PROC_IO_PTY window size (0: 24x80) */
    /* After the main process exits, how long to keep reading output that a
     * background child may still be writing; then the pipes are closed.
     * kill_group_at_exit kills what is left in the group instead. */
    unsigned drain_ms;
    bool kill_group_at_exit;
    /* Confinement; NULL runs the command unconfined.  policy_cwd is the
     * directory the policy's writable roots are computed from (the
     * session's working directory), which need not be cwd: a command that
     * runs in "/" must not make "/" writable. */
    const struct sandbox_policy *sandbox;
    const char *policy_cwd;
    /* The session's managed network proxy.  A policy whose network goes
     * through the proxy (sandbox->network_proxy) runs the command in a
     * network namespace of its own whose only way out is this proxy, with
     * the *_PROXY variables added to envp (codex's own are dropped).
     * Without it such a command has no network at all. */
    struct netproxy_session *netproxy;
    /* Write the sandbox's notice (a fallback it took) to stderr before the
     * command starts, so that it never lands inside the command's own
     * output on a shared stderr (proc_run_foreground). */
    bool print_notice;
};

struct proc_exit {
    int code;   /* exit status, or 128 + signal */
    int signal; /* the terminating signal, or 0 */
};

struct proc_callbacks {
    void (*on_output)(void *ud, enum proc_stream stream, const char *data, size_t n);
    /* Once, after the output is drained.  The proc stays valid until
     * proc_release. */
    void (*on_exit)(void *ud, const struct proc_exit *ex);
    void *ud;
};

struct proc;

/* Start a process.  NULL with err set when it could not start: the
 * program is missing (err->os_errno ENOENT: report 127), cannot be
 * executed, or the sandbox cannot be set up. */
struct proc *proc_spawn(uv_loop_t *loop, const struct proc_spec *spec, const struct proc_callbacks *cb,
                        struct codex_error *err);

pid_t proc_pid(const struct proc *p);
bool proc_exited(const struct proc *p);
/* A one-line notice about how the command is confined (a fallback
 * pipeline), or NULL. */
const char *proc_notice(const struct proc *p);
/* The command's attachment to the managed proxy (its refusals are
 * reported under this id, netproxy_session_first_block), or 0. */
uint64_t proc_netproxy_attachment(const struct proc *p);

/* Queue bytes for stdin (pipe or PTY); -1 when stdin is closed. */
int proc_write(struct proc *p, const char *data, size_t n);
/* Bytes queued for stdin and not yet taken by the process. */
size_t proc_pending_input(const struct proc *p);
/* Close stdin once what is queued has been written (pipes only). */
void proc_close_stdin(struct proc *p);
int proc_resize(struct proc *p, unsigned short rows, unsigned short cols);
/* Signal the process group (the process alone under PROC_IO_INHERIT). */
void proc_signal(struct proc *p, int sig);

/* The caller is done: no callback runs after this.  A process still
 * running is killed with its group; the handles close and the child is
 * reaped on the loop. */
void proc_release(struct proc *p);

/* Start a program nobody waits for (notify scripts): unconfined, stdio on
 * /dev/null, in its own session, reparented to init at once so that it
 * neither holds the loop nor outlives us as a zombie.  Returns 0, or -1
 * with err set when it could not be started. */
int proc_spawn_detached(const char *const *argv, const char *const *envp, const char *cwd,
                        struct codex_error *err);

/* Run in the foreground on a private loop with the caller's stdio and
 * wait: `codex sandbox`.  Returns the exit code (128 + N for signal N), or
 * -1 with err set when the command could not start. */
int proc_run_foreground(const struct proc_spec *spec, struct codex_error *err);

#endif
