/* command/exec and its follow-ups (write, resize, terminate): run one argv
 * outside any thread, buffered or streamed, on pipes or a PTY.
 *
 * Each process runs in its own process group, so terminate, timeouts and a
 * closing connection kill everything it started.  readOnly and
 * workspaceWrite run through src/sandbox (bwrap or Landlock plus seccomp);
 * a policy that cannot be enforced is an error, never an unsandboxed run.
 * Without a sandboxPolicy the configured sandbox_mode applies. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "config/config.h"
#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/sandbox_param.h"
#include "sandbox/sandbox.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

extern char **environ;

#define EXEC_DEFAULT_TIMEOUT_MS 10000
#define EXEC_DEFAULT_OUTPUT_CAP (1024 * 1024)
#define EXEC_TIMEOUT_EXIT_CODE 124
#define EXEC_MAX_PENDING_STDIN (64u * 1024 * 1024)

struct exec_proc;

/* One of the child's file descriptors, watched on the loop. */
struct exec_fd {
    struct exec_proc *proc;
    int fd; /* -1 once closed */
    uv_poll_t poll;
    bool polling;
    int events;
};

/* Output of one stream (stdout, stderr). */
struct exec_output {
    const char *name;
    struct exec_fd *watch;
    bool open;
    struct buf captured; /* buffered mode */
    size_t seen;         /* bytes kept so far (captured or streamed) */
    bool cap_reached;
};

struct exec_proc {
    struct rpc_conn_resource resource;
    struct rpc_request *req; /* answered when the process is done */
    struct rpc_conn *conn;
    char *process_id; /* client-supplied, or NULL */
    pid_t pid;
    bool tty, stream_output, stream_stdin;
    size_t cap; /* SIZE_MAX: no cap */

    struct exec_fd fds[3]; /* pipes: stdout, stderr, stdin; tty: master only */
    int n_fds;
    struct exec_output out[2];
    struct exec_fd *stdin_watch; /* NULL when stdin is not streamed */
    struct buf stdin_pending;
    bool close_stdin_after_pending;

    uv_timer_t timer;
    bool timer_started;
    bool exited, timed_out, killed;
    int exit_code;
    struct sandbox_cmd sandbox; /* kept until the end: it owns placeholder files */
    bool sandboxed;
    int open_handles; /* polls and timer not yet closed */
    bool finished;
    struct exec_proc *next;
};

/* The server's running processes (rpc_server.exec). */
struct rpc_exec_state {
    struct exec_proc *procs;
    uv_signal_t sigchld; /* started with the first process */
    bool sigchld_started;
};

static struct rpc_exec_state *exec_state(struct rpc_server *s)
{
    if (!s->exec)
        s->exec = xcalloc(1, sizeof *s->exec);
    return s->exec;
}

void rpc_command_exec_free(struct rpc_server *s)
{
    /* The loop has closed every handle by now; processes were reaped. */
    free(s->exec);
    s->exec = NULL;
}

/* ---- Lifecycle ---------------------------------------------------------- */

static void unlink_proc(struct exec_proc *p)
{
    for (struct exec_proc **pp = &exec_state(p->conn->server)->procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

static void free_proc(struct exec_proc *p)
{
    unlink_proc(p);
    for (int i = 0; i < 2; i++)
        buf_free(&p->out[i].captured);
    buf_free(&p->stdin_pending);
    if (p->sandboxed)
        sandbox_cmd_free(&p->sandbox);
    free(p->process_id);
    rpc_conn_unref(p->conn);
    free(p);
}

static void release_handle(struct exec_proc *p)
{
    if (--p->open_handles == 0 && p->finished)
        free_proc(p);
}

static void poll_closed(uv_handle_t *h)
{
    struct exec_fd *w = h->data;
    release_handle(w->proc);
}

static void timer_closed(uv_handle_t *h)
{
    release_handle(h->data);
}

static void close_fd(struct exec_fd *w)
{
    if (w->fd < 0)
        return;
    if (w->polling) {
        uv_poll_stop(&w->poll);
        w->polling = false;
    }
    uv_close((uv_handle_t *)&w->poll, poll_closed);
    close(w->fd);
    w->fd = -1;
}

static void kill_group(struct exec_proc *p)
{
    if (p->pid > 0 && !p->killed) {
        kill(-p->pid, SIGKILL);
        p->killed = true;
    }
}

static bool output_done(struct exec_proc *p)
{
    return !p->out[0].open && !p->out[1].open;
}

/* SIGCHLD keeps the loop alive exactly while some process is unreaped. */
static void update_sigchld_ref(struct rpc_exec_state *st)
{
    bool running = false;
    for (struct exec_proc *p = st->procs; p; p = p->next)
        running |= !p->exited;
    if (running)
        uv_ref((uv_handle_t *)&st->sigchld);
    else
        uv_unref((uv_handle_t *)&st->sigchld);
}

static void finish(struct exec_proc *p)
{
    if (p->finished)
        return;
    p->finished = true;
    for (int i = 0; i < p->n_fds; i++)
        close_fd(&p->fds[i]);
    if (p->timer_started)
        uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, timer_closed);
    rpc_conn_remove_resource(p->conn, &p->resource);

    json_t *result = json_object();
    int code = p->timed_out ? EXEC_TIMEOUT_EXIT_CODE : p->exit_code;
    json_object_set_new(result, "exitCode", json_integer(code));
    for (int i = 0; i < 2; i++)
        json_object_set_new(result, p->out[i].name,
                            json_string_lossy(p->out[i].captured.data ? p->out[i].captured.data : "",
                                              p->out[i].captured.len));
    rpc_reply(p->req, result);
    p->req = NULL;
}

static void maybe_finish(struct exec_proc *p)
{
    if (p->exited && output_done(p))
        finish(p);
}

static void on_sigchld(uv_signal_t *h, int signum)
{
    (void)signum;
    struct rpc_exec_state *st = h->data;
    for (struct exec_proc *p = st->procs, *next; p; p = next) {
        next = p->next;
        if (p->exited)
            continue;
        int status;
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r != p->pid)
            continue;
        p->exited = true;
        p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        /* Whatever the command left running in its group goes with it, so
         * that the output pipes reach end of file. */
        kill(-p->pid, SIGKILL);
        p->killed = true;
        maybe_finish(p);
    }
    update_sigchld_ref(st);
}

/* The connection went away: kill, stop reading, let SIGCHLD reap. */
static void on_conn_closed(struct rpc_conn_resource *r)
{
    struct exec_proc *p = (struct exec_proc *)r;
    kill_group(p);
    for (int i = 0; i < 2; i++)
        p->out[i].open = false;
    for (int i = 0; i < p->n_fds; i++)
        close_fd(&p->fds[i]);
    maybe_finish(p);
}

static void on_timeout(uv_timer_t *t)
{
    struct exec_proc *p = t->data;
    p->timed_out = true;
    kill_group(p);
}

/* ---- Output and input --------------------------------------------------- */

static void deliver(struct exec_proc *p, struct exec_output *o, const char *data, size_t n)
{
    if (o->cap_reached)
        return;
    size_t room = p->cap == SIZE_MAX ? n : p->cap - o->seen;
    bool hit = n > room;
    if (hit) {
        n = room;
        o->cap_reached = true;
    }
    o->seen += n;
    if (!p->stream_output) {
        buf_append(&o->captured, data, n);
        return;
    }
    char *b64 = base64_encode(data, n);
    json_t *params = json_pack("{s:s, s:s, s:s, s:b}", "processId", p->process_id, "stream",
                               o->name, "deltaBase64", b64, "capReached", hit);
    free(b64);
    rpc_conn_notify(p->conn, "command/exec/outputDelta", params);
}

static void update_poll(struct exec_fd *w, int events);

static void flush_stdin(struct exec_proc *p)
{
    struct exec_fd *w = p->stdin_watch;
    if (!w || w->fd < 0)
        return;
    while (p->stdin_pending.len > 0) {
        ssize_t n = write(w->fd, p->stdin_pending.data, p->stdin_pending.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) { /* the reader is gone: drop what is left */
            buf_truncate(&p->stdin_pending, 0);
            break;
        }
        memmove(p->stdin_pending.data, p->stdin_pending.data + n, p->stdin_pending.len - (size_t)n);
        buf_truncate(&p->stdin_pending, p->stdin_pending.len - (size_t)n);
    }
    int events = w->events & ~UV_WRITABLE;
    if (p->stdin_pending.len > 0)
        events |= UV_WRITABLE;
    update_poll(w, events);
    if (p->stdin_pending.len == 0 && p->close_stdin_after_pending && !p->tty) {
        close_fd(w);
        p->stdin_watch = NULL;
    }
}

static struct exec_output *output_of(struct exec_fd *w)
{
    struct exec_proc *p = w->proc;
    for (int i = 0; i < 2; i++)
        if (p->out[i].watch == w)
            return &p->out[i];
    return NULL;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct exec_fd *w = h->data;
    struct exec_proc *p = w->proc;
    if (events & UV_WRITABLE)
        flush_stdin(p);
    struct exec_output *o = output_of(w);
    if (!o || !o->open || !(events & UV_READABLE || status < 0))
        return;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(w->fd, chunk, sizeof chunk);
        if (n > 0) {
            deliver(p, o, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        /* End of file, or EIO from a PTY whose other side is gone. */
        o->open = false;
        update_poll(w, w->events & ~UV_READABLE);
        maybe_finish(p);
        return;
    }
}

static void update_poll(struct exec_fd *w, int events)
{
    if (w->fd < 0)
        return;
    w->events = events;
    if (events) {
        uv_poll_start(&w->poll, events, on_poll);
        w->polling = true;
    } else if (w->polling) {
        uv_poll_stop(&w->poll);
        w->polling = false;
    }
}

static void watch_fd(struct exec_proc *p, int fd, int events)
{
    struct exec_fd *w = &p->fds[p->n_fds++];
    w->proc = p;
    w->fd = fd;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    uv_poll_init(p->conn->server->loop, &w->poll, fd);
    w->poll.data = w;
    p->open_handles++;
    update_poll(w, events);
}

/* ---- Spawning ----------------------------------------------------------- */

struct spawn_spec {
    char **argv;
    char **envp;
    const char *cwd;
    bool tty;
    bool stdin_pipe;
    unsigned short rows, cols;
    const struct sandbox_cmd *sandbox; /* NULL: run argv directly */
};

/* In the child: report errno through the pipe and give up. */
static void child_fail(int report_fd)
{
    int err = errno;
    ssize_t ignored = write(report_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
}

static void close_if_open(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Fork and exec.  Returns the pid, or -1 with errno set when the command
 * could not be started (exec or chdir failed in the child). */
static pid_t spawn(const struct spawn_spec *s, int *out_fd, int *err_fd, int *in_fd)
{
    enum { REPORT_R, REPORT_W, OUT_R, OUT_W, ERR_R, ERR_W, IN_R, IN_W, MASTER, N_FDS };
    int fd[N_FDS];
    for (int k = 0; k < N_FDS; k++)
        fd[k] = -1;
    char slave_name[128];
    pid_t pid = -1;
    int err = 0;

    if (pipe2(&fd[REPORT_R], O_CLOEXEC) != 0)
        goto fail;
    if (s->tty) {
        fd[MASTER] = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd[MASTER] < 0 || grantpt(fd[MASTER]) != 0 || unlockpt(fd[MASTER]) != 0 ||
            ptsname_r(fd[MASTER], slave_name, sizeof slave_name) != 0)
            goto fail;
        struct winsize ws = {.ws_row = s->rows, .ws_col = s->cols};
        ioctl(fd[MASTER], TIOCSWINSZ, &ws);
    } else if (pipe2(&fd[OUT_R], O_CLOEXEC) != 0 || pipe2(&fd[ERR_R], O_CLOEXEC) != 0 ||
               (s->stdin_pipe && pipe2(&fd[IN_R], O_CLOEXEC) != 0)) {
        goto fail;
    }
    pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (s->tty) {
            setsid();
            int slave = open(slave_name, O_RDWR);
            if (slave < 0)
                child_fail(fd[REPORT_W]);
            ioctl(slave, TIOCSCTTY, 0);
            dup2(slave, 0);
            dup2(slave, 1);
            dup2(slave, 2);
            if (slave > 2)
                close(slave);
        } else {
            setpgid(0, 0);
            int in = s->stdin_pipe ? fd[IN_R] : open("/dev/null", O_RDONLY);
            if (in < 0)
                child_fail(fd[REPORT_W]);
            dup2(in, 0);
            dup2(fd[OUT_W], 1);
            dup2(fd[ERR_W], 2);
        }
        if (s->cwd && chdir(s->cwd) != 0)
            child_fail(fd[REPORT_W]);
        if (s->sandbox) {
            /* The sandbox wants fd 3 for its seccomp program: keep the
             * report pipe out of the way. */
            int report = fcntl(fd[REPORT_W], F_DUPFD_CLOEXEC, 10);
            if (report < 0)
                child_fail(fd[REPORT_W]);
            if (sandbox_child_setup(s->sandbox, NULL) != 0)
                child_fail(report);
            execve(s->sandbox->file, s->sandbox->argv.v, s->envp);
            child_fail(report);
        }
        execvpe(s->argv[0], s->argv, s->envp);
        child_fail(fd[REPORT_W]);
    }
    /* The parent also joins the child to its own group, so that a kill of
     * the group right after fork cannot miss it. */
    if (!s->tty)
        setpgid(pid, pid);
    close_if_open(&fd[REPORT_W]);
    int child_err = 0;
    ssize_t n;
    do
        n = read(fd[REPORT_R], &child_err, sizeof child_err);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof child_err) {
        waitpid(pid, NULL, 0);
        errno = child_err;
        goto fail;
    }
    close_if_open(&fd[REPORT_R]);
    if (s->tty) {
        *out_fd = *in_fd = fd[MASTER];
        *err_fd = -1;
        return pid;
    }
    close_if_open(&fd[OUT_W]);
    close_if_open(&fd[ERR_W]);
    close_if_open(&fd[IN_R]);
    *out_fd = fd[OUT_R];
    *err_fd = fd[ERR_R];
    *in_fd = fd[IN_W];
    return pid;

fail:
    err = errno;
    for (int k = 0; k < N_FDS; k++)
        close_if_open(&fd[k]);
    errno = err;
    return -1;
}

/* ---- Requests ----------------------------------------------------------- */

static struct exec_proc *find_proc(struct rpc_conn *c, const char *process_id)
{
    for (struct exec_proc *p = exec_state(c->server)->procs; p; p = p->next)
        if (p->conn == c && p->process_id && !p->finished && strcmp(p->process_id, process_id) == 0)
            return p;
    return NULL;
}

/* The sandbox for this request: its sandboxPolicy, else the configured
 * sandbox_mode.  False after replying. */
static bool sandbox_policy_for(struct rpc_request *req, json_t *params, const char *cwd,
                               struct sandbox_policy *out)
{
    json_t *policy = json_object_get(params, "sandboxPolicy");
    if (!policy || json_is_null(policy)) {
        struct rpc_server *s = req->conn->server;
        struct config_load_opts opts = {
            .overrides = s->config_overrides,
            .n_overrides = s->n_config_overrides,
            .cd = cwd,
        };
        struct codex_config cfg;
        char err[1024];
        if (config_load(&opts, &cfg, err, sizeof err) != 0) {
            rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err);
            return false;
        }
        sandbox_policy_from_config(out, &cfg);
        config_free(&cfg);
        return true;
    }
    return rpc_read_sandbox_policy(req, policy, out);
}

static bool build_env(struct rpc_request *req, json_t *params, struct strvec *env)
{
    json_t *overrides = json_object_get(params, "env");
    if (overrides && !json_is_null(overrides) && !json_is_object(overrides)) {
        char *what = rpc_describe_value(overrides);
        rpc_reply_invalid(req, "invalid type: %s, expected a map", what);
        free(what);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(overrides, key, value)
    {
        if (!json_is_string(value) && !json_is_null(value)) {
            char *what = rpc_describe_value(value);
            rpc_reply_invalid(req, "invalid type: %s, expected a string", what);
            free(what);
            return false;
        }
    }
    size_t klen;
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        klen = eq ? (size_t)(eq - *e) : strlen(*e);
        bool overridden = false;
        json_object_foreach(overrides, key, value)
        {
            if (strlen(key) == klen && strncmp(key, *e, klen) == 0)
                overridden = true;
        }
        if (!overridden)
            strvec_push(env, *e);
    }
    json_object_foreach(overrides, key, value)
    {
        if (json_is_string(value))
            strvec_push_owned(env, xasprintf("%s=%s", key, json_string_value(value)));
    }
    return true;
}

void rpc_command_exec(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "CommandExecParams", false);
    json_t *command;
    const char *cwd = NULL, *process_id = NULL;
    bool tty = false, stream_stdin = false, stream_output = false, disable_timeout = false,
         disable_cap = false, has_timeout = false, has_cap = false;
    int64_t timeout_ms = EXEC_DEFAULT_TIMEOUT_MS, cap = EXEC_DEFAULT_OUTPUT_CAP;
    if (!params || !rpc_get_string_array(req, params, "command", true, &command) ||
        !rpc_get_string(req, params, "cwd", false, &cwd) ||
        !rpc_get_string(req, params, "processId", false, &process_id) ||
        !rpc_get_bool(req, params, "tty", &tty) ||
        !rpc_get_bool(req, params, "streamStdin", &stream_stdin) ||
        !rpc_get_bool(req, params, "streamStdoutStderr", &stream_output) ||
        !rpc_get_bool(req, params, "disableTimeout", &disable_timeout) ||
        !rpc_get_bool(req, params, "disableOutputCap", &disable_cap) ||
        !rpc_get_int(req, params, "timeoutMs", "i64", INT64_MIN, INT64_MAX, &has_timeout,
                     &timeout_ms) ||
        !rpc_get_int(req, params, "outputBytesCap", "usize", 0, INT64_MAX, &has_cap, &cap))
        return;
    int64_t rows = 24, cols = 80;
    json_t *size = json_object_get(params, "size");
    bool has_size = size && !json_is_null(size);
    if (has_size && !json_is_object(size)) {
        char *what = rpc_describe_value(size);
        rpc_reply_invalid(req, "invalid type: %s, expected struct CommandExecTerminalSize", what);
        free(what);
        return;
    }
    if (has_size && (!rpc_get_int(req, size, "rows", "u16", 0, 65535, NULL, &rows) ||
                     !rpc_get_int(req, size, "cols", "u16", 0, 65535, NULL, &cols)))
        return;
    if (json_array_size(command) == 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "command must not be empty");
        return;
    }
    if (has_timeout && disable_timeout) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS,
                        "command/exec cannot set both timeoutMs and disableTimeout");
        return;
    }
    if (has_cap && disable_cap) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS,
                        "command/exec cannot set both outputBytesCap and disableOutputCap");
        return;
    }
    if (tty)
        stream_stdin = stream_output = true;
    if ((tty || stream_stdin || stream_output) && !process_id) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "command/exec tty or streaming requires a client-supplied processId");
        return;
    }
    if (has_size && !tty) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "command/exec size requires tty: true");
        return;
    }
    if (process_id && find_proc(req->conn, process_id)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "duplicate active command/exec process id: \"%s\"", process_id);
        return;
    }
    char *abs_cwd = cwd && cwd[0] == '/' ? xstrdup(cwd)
                    : cwd ? xasprintf("%s/%s", req->conn->server->cwd, cwd)
                          : xstrdup(req->conn->server->cwd);
    struct sandbox_policy policy;
    if (!sandbox_policy_for(req, params, abs_cwd, &policy)) {
        free(abs_cwd);
        return;
    }
    struct strvec env = STRVEC_INIT, argv = STRVEC_INIT;
    if (!build_env(req, params, &env)) {
        strvec_free(&env);
        sandbox_policy_free(&policy);
        free(abs_cwd);
        return;
    }
    size_t i;
    json_t *word;
    json_array_foreach(command, i, word) strvec_push(&argv, json_string_value(word));
    struct sandbox_cmd sandbox;
    bool sandboxed = sandbox_policy_restricts(&policy);
    if (sandboxed) {
        char err[1024];
        if (sandbox_spawn_prepare(&policy, abs_cwd, argv.v, 0, &sandbox, err, sizeof err) != 0) {
            int e = errno;
            if (e == ENOENT)
                rpc_reply_error(req, JSONRPC_INTERNAL_ERROR,
                                "failed to spawn command: %s (os error %d)", strerror(e), e);
            else
                rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to start the sandbox: %s",
                                err);
            strvec_free(&argv);
            strvec_free(&env);
            sandbox_policy_free(&policy);
            free(abs_cwd);
            return;
        }
    }
    sandbox_policy_free(&policy);

    struct rpc_exec_state *st = exec_state(req->conn->server);
    if (!st->sigchld_started) {
        uv_signal_init(req->conn->server->loop, &st->sigchld);
        st->sigchld.data = st;
        uv_signal_start(&st->sigchld, on_sigchld, SIGCHLD);
        st->sigchld_started = true;
    }
    struct spawn_spec spec = {
        .argv = argv.v,
        .envp = env.v,
        .cwd = abs_cwd,
        .tty = tty,
        .stdin_pipe = stream_stdin,
        .rows = (unsigned short)rows,
        .cols = (unsigned short)cols,
        .sandbox = sandboxed ? &sandbox : NULL,
    };
    int out_fd, err_fd, in_fd;
    pid_t pid = spawn(&spec, &out_fd, &err_fd, &in_fd);
    int spawn_errno = errno;
    strvec_free(&argv);
    strvec_free(&env);
    free(abs_cwd);
    if (pid < 0) {
        if (sandboxed)
            sandbox_cmd_free(&sandbox);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to spawn command: %s (os error %d)",
                        strerror(spawn_errno), spawn_errno);
        return;
    }

    struct exec_proc *p = xcalloc(1, sizeof *p);
    p->resource.on_close = on_conn_closed;
    p->req = req;
    p->conn = req->conn;
    rpc_conn_ref(p->conn);
    p->process_id = process_id ? xstrdup(process_id) : NULL;
    p->pid = pid;
    p->sandboxed = sandboxed;
    if (sandboxed)
        p->sandbox = sandbox;
    p->tty = tty;
    p->stream_output = stream_output;
    p->stream_stdin = stream_stdin;
    p->cap = disable_cap ? SIZE_MAX : (size_t)cap;
    p->out[0].name = "stdout";
    p->out[1].name = "stderr";
    watch_fd(p, out_fd, UV_READABLE);
    p->out[0].watch = &p->fds[0];
    p->out[0].open = true;
    if (err_fd >= 0) {
        watch_fd(p, err_fd, UV_READABLE);
        p->out[1].watch = &p->fds[1];
        p->out[1].open = true;
    }
    if (tty)
        p->stdin_watch = &p->fds[0];
    else if (in_fd >= 0) {
        watch_fd(p, in_fd, 0);
        p->stdin_watch = &p->fds[p->n_fds - 1];
    }
    uv_timer_init(p->conn->server->loop, &p->timer);
    p->timer.data = p;
    p->open_handles++;
    if (!disable_timeout && timeout_ms >= 0) {
        uv_timer_start(&p->timer, on_timeout, (uint64_t)timeout_ms, 0);
        p->timer_started = true;
    }
    p->next = st->procs;
    st->procs = p;
    rpc_conn_add_resource(p->conn, &p->resource);
    /* The child may have exited before SIGCHLD was being watched for it. */
    on_sigchld(&st->sigchld, SIGCHLD);
}

static struct exec_proc *proc_for_request(struct rpc_request *req, json_t *params)
{
    const char *process_id;
    if (!rpc_get_string(req, params, "processId", true, &process_id))
        return NULL;
    struct exec_proc *p = find_proc(req->conn, process_id);
    if (!p)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "no active command/exec for process id \"%s\"", process_id);
    return p;
}

void rpc_command_exec_write(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "CommandExecWriteParams", false);
    const char *delta = NULL;
    bool close_stdin = false;
    if (!params || !rpc_get_string(req, params, "deltaBase64", false, &delta) ||
        !rpc_get_bool(req, params, "closeStdin", &close_stdin))
        return;
    struct exec_proc *p = proc_for_request(req, params);
    if (!p)
        return;
    if (!p->stream_stdin || !p->stdin_watch) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "stdin is not open for command/exec process id \"%s\"", p->process_id);
        return;
    }
    if (delta) {
        char why[128];
        size_t len;
        unsigned char *data = base64_decode(delta, strlen(delta), &len, why, sizeof why);
        if (!data) {
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "command/exec/write requires valid base64 deltaBase64: %s", why);
            return;
        }
        if (p->stdin_pending.len + len > EXEC_MAX_PENDING_STDIN) {
            free(data);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "command/exec process \"%s\" is not reading its stdin",
                            p->process_id);
            return;
        }
        buf_append(&p->stdin_pending, data, len);
        free(data);
    }
    if (close_stdin) {
        if (p->tty)
            buf_putc(&p->stdin_pending, 4); /* end of input on a terminal: ^D */
        else
            p->close_stdin_after_pending = true;
    }
    flush_stdin(p);
    rpc_reply(req, json_object());
}

void rpc_command_exec_resize(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "CommandExecResizeParams", false);
    if (!params)
        return;
    json_t *size = json_object_get(params, "size");
    int64_t rows = 0, cols = 0;
    if (!size) {
        rpc_reply_invalid(req, "missing field `size`");
        return;
    }
    if (!json_is_object(size)) {
        char *what = rpc_describe_value(size);
        rpc_reply_invalid(req, "invalid type: %s, expected struct CommandExecTerminalSize", what);
        free(what);
        return;
    }
    if (!rpc_get_int(req, size, "rows", "u16", 0, 65535, NULL, &rows) ||
        !rpc_get_int(req, size, "cols", "u16", 0, 65535, NULL, &cols))
        return;
    struct exec_proc *p = proc_for_request(req, params);
    if (!p)
        return;
    if (!p->tty) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "failed to resize PTY: process is not attached to a PTY");
        return;
    }
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (p->fds[0].fd < 0 || ioctl(p->fds[0].fd, TIOCSWINSZ, &ws) != 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to resize PTY: %s", strerror(errno));
        return;
    }
    rpc_reply(req, json_object());
}

void rpc_command_exec_terminate(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "CommandExecTerminateParams", false);
    if (!params)
        return;
    struct exec_proc *p = proc_for_request(req, params);
    if (!p)
        return;
    kill_group(p);
    rpc_reply(req, json_object());
}
