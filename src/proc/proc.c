#include "proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "netproxy/session.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Without a pidfd (kernels before 5.3) the child is polled for this often. */
#define REAP_POLL_MS 20
/* A protected path that vanishes between preparing the sandbox and binding
 * it means the command never ran; it is prepared again this many times. */
#define SETUP_ATTEMPTS 3

struct proc_fd {
    struct proc *proc;
    int fd; /* -1 once closed */
    uv_poll_t poll;
    int events;
    enum proc_stream stream;
    bool reading; /* output not at end of file yet */
};

struct proc {
    uv_loop_t *loop;
    struct proc_callbacks cb;
    bool released;
    pid_t pid;
    bool own_group;
    bool tty; /* out[0] is the PTY master, which also takes stdin */
    unsigned drain_ms;
    bool kill_group_at_exit;

    struct proc_fd out[2]; /* stdout (or the PTY master), stderr */
    int n_out;
    struct proc_fd in;     /* the stdin pipe; unused on a PTY */
    struct buf pending_in;
    bool close_in_after_pending;

    int pidfd;
    uv_poll_t pid_poll;
    uv_timer_t timer; /* drain after exit; reap polling without a pidfd */
    bool exited, reported;
    struct proc_exit exit;

    struct sandbox_cmd sandbox; /* owns placeholder files until the end */
    bool sandboxed;
    struct netproxy_session *netproxy; /* attached while the command runs */
    uint64_t attachment;
    int open_handles;
};

/* ---- handles ------------------------------------------------------------ */

static void proc_free(struct proc *p)
{
    buf_free(&p->pending_in);
    if (p->sandboxed)
        sandbox_cmd_free(&p->sandbox);
    free(p);
}

static void release_handle(struct proc *p)
{
    if (--p->open_handles == 0 && p->released)
        proc_free(p);
}

/* The timer and the pidfd poll carry the proc; output polls their fd. */
static void handle_closed(uv_handle_t *h)
{
    release_handle(h->data);
}

static void poll_closed(uv_handle_t *h)
{
    release_handle(((struct proc_fd *)h->data)->proc);
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, handle_closed);
}

static void fd_close(struct proc_fd *w)
{
    if (w->fd < 0)
        return;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, poll_closed);
    close(w->fd);
    w->fd = -1;
    w->events = 0;
    w->reading = false;
}

static void fd_watch(struct proc_fd *w, int events, uv_poll_cb cb)
{
    if (w->fd < 0 || w->events == events)
        return;
    w->events = events;
    if (events)
        uv_poll_start(&w->poll, events, cb);
    else
        uv_poll_stop(&w->poll);
}

static struct proc_fd *stdin_fd(struct proc *p)
{
    return p->tty ? &p->out[0] : &p->in;
}

static bool output_drained(const struct proc *p)
{
    for (int i = 0; i < p->n_out; i++)
        if (p->out[i].reading)
            return false;
    return true;
}

/* The end: close what is left, free the placeholders, tell the owner. */
static void report_exit(struct proc *p)
{
    if (p->reported || !p->exited)
        return;
    p->reported = true;
    uv_timer_stop(&p->timer);
    if (p->attachment) {
        /* Its listeners and what is still connected through them go. */
        netproxy_session_detach(p->netproxy, p->attachment);
        p->attachment = 0;
    }
    for (int i = 0; i < p->n_out; i++)
        fd_close(&p->out[i]);
    fd_close(&p->in);
    if (p->sandboxed) {
        sandbox_cmd_free(&p->sandbox);
        p->sandboxed = false;
    }
    if (p->released)
        close_handle((uv_handle_t *)&p->timer);
    else if (p->cb.on_exit)
        p->cb.on_exit(p->cb.ud, &p->exit);
}

static void on_drain_timeout(uv_timer_t *t)
{
    report_exit(t->data);
}

static void after_exit(struct proc *p)
{
    if (p->kill_group_at_exit && p->own_group)
        kill(-p->pid, SIGKILL);
    if (p->released || output_drained(p))
        report_exit(p);
    else
        uv_timer_start(&p->timer, on_drain_timeout, p->kill_group_at_exit ? 1000 : p->drain_ms, 0);
}

static bool try_reap(struct proc *p)
{
    int status;
    pid_t r;
    do
        r = waitpid(p->pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r != p->pid)
        return false;
    p->exited = true;
    if (WIFSIGNALED(status)) {
        p->exit.signal = WTERMSIG(status);
        p->exit.code = 128 + p->exit.signal;
    } else {
        p->exit.code = WEXITSTATUS(status);
    }
    uv_timer_stop(&p->timer);
    if (p->pidfd >= 0) {
        close_handle((uv_handle_t *)&p->pid_poll);
        close(p->pidfd);
        p->pidfd = -1;
    }
    return true;
}

static void on_pidfd(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    struct proc *p = h->data;
    if (try_reap(p))
        after_exit(p);
}

static void on_reap_poll(uv_timer_t *t)
{
    struct proc *p = t->data;
    if (try_reap(p))
        after_exit(p);
}

static void flush_stdin(struct proc *p);

static void on_readable(struct proc_fd *w)
{
    struct proc *p = w->proc;
    char chunk[65536];
    for (int round = 0; round < 16; round++) {
        ssize_t n = read(w->fd, chunk, sizeof chunk);
        if (n > 0) {
            if (!p->released && p->cb.on_output)
                p->cb.on_output(p->cb.ud, w->stream, chunk, (size_t)n);
            if (w->fd < 0 || p->released)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        /* End of file, or EIO from a PTY whose last slave closed. */
        w->reading = false;
        if (p->tty) {
            fd_close(w); /* the master is useless without a slave */
        } else {
            fd_watch(w, 0, NULL);
        }
        if (p->exited && output_drained(p))
            report_exit(p);
        return;
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct proc_fd *w = h->data;
    struct proc *p = w->proc;
    if (events & UV_WRITABLE)
        flush_stdin(p);
    if (w->fd >= 0 && w->reading && (events & UV_READABLE || status < 0))
        on_readable(w);
}

static void flush_stdin(struct proc *p)
{
    struct proc_fd *w = stdin_fd(p);
    if (w->fd < 0)
        return;
    while (p->pending_in.len > 0) {
        ssize_t n = write(w->fd, p->pending_in.data, p->pending_in.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) { /* the reader is gone: drop what is left */
            buf_truncate(&p->pending_in, 0);
            break;
        }
        memmove(p->pending_in.data, p->pending_in.data + n, p->pending_in.len - (size_t)n);
        buf_truncate(&p->pending_in, p->pending_in.len - (size_t)n);
    }
    int events = (w->reading ? UV_READABLE : 0) | (p->pending_in.len > 0 ? UV_WRITABLE : 0);
    fd_watch(w, events, on_poll);
    if (!p->tty && p->pending_in.len == 0 && p->close_in_after_pending)
        fd_close(w);
}

static void watch_init(struct proc *p, struct proc_fd *w, int fd, enum proc_stream stream)
{
    w->proc = p;
    w->fd = fd;
    w->stream = stream;
    w->events = 0;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    uv_poll_init(p->loop, &w->poll, fd);
    w->poll.data = w;
    p->open_handles++;
}

/* ---- forking ------------------------------------------------------------ */

struct child_report {
    int err;
    char step[96];
};

/* In the child: tell the parent what failed and give up. */
static void child_fail(int report_fd, const char *step)
{
    struct child_report r = {errno, ""};
    size_t n = strlen(step);
    if (n >= sizeof r.step)
        n = sizeof r.step - 1;
    memcpy(r.step, step, n);
    ssize_t ignored = write(report_fd, &r, sizeof r);
    (void)ignored;
    _exit(127);
}

struct launch {
    const struct proc_spec *spec;
    const char *file;        /* what to exec */
    char *const *argv;
    const struct sandbox_cmd *sandbox; /* NULL: unconfined */
    int fd_in, fd_out, fd_err; /* child ends; -1: /dev/null (stdin) */
    const char *pty_slave;   /* PTY: the slave's name */
};

static pid_t fork_exec(const struct launch *l, struct child_report *report)
{
    int rp[2];
    if (pipe2(rp, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(rp[0]);
        close(rp[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls from here to exec. */
        int report_fd = rp[1];
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        const struct proc_spec *s = l->spec;
        if (s->io == PROC_IO_PTY) {
            setsid();
            int slave = open(l->pty_slave, O_RDWR);
            if (slave < 0)
                child_fail(report_fd, "opening the terminal");
            ioctl(slave, TIOCSCTTY, 0);
            dup2(slave, 0);
            dup2(slave, 1);
            dup2(slave, 2);
            if (slave > 2)
                close(slave);
        } else if (s->io == PROC_IO_PIPES) {
            setpgid(0, 0);
            int in = l->fd_in >= 0 ? l->fd_in : open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (in < 0)
                child_fail(report_fd, "opening /dev/null");
            if (dup2(in, 0) < 0 || dup2(l->fd_out, 1) < 0 || dup2(l->fd_err, 2) < 0)
                child_fail(report_fd, "setting up stdio");
        }
        if (s->cwd && chdir(s->cwd) != 0)
            child_fail(report_fd, "chdir");
        char *const *envp = (char *const *)s->envp;
        if (l->sandbox) {
            /* The sandbox wants fd 3 for its seccomp program: move the
             * report pipe out of the way first. */
            int moved = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
            if (moved < 0)
                child_fail(report_fd, "moving the report pipe");
            report_fd = moved;
            const char *what = "sandbox";
            if (sandbox_child_setup(l->sandbox, &what) != 0)
                child_fail(report_fd, what);
        }
        execve(l->file, l->argv, envp);
        child_fail(report_fd, "exec");
    }
    close(rp[1]);
    ssize_t n;
    do
        n = read(rp[0], report, sizeof *report);
    while (n < 0 && errno == EINTR);
    close(rp[0]);
    if (n == (ssize_t)sizeof *report) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        errno = report->err;
        return -1;
    }
    if (l->spec->io == PROC_IO_PIPES)
        setpgid(pid, pid); /* so that a kill right after fork cannot miss it */
    return pid;
}

static void close_fds(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
}

/* Prepare the confinement (sandboxed) or just the program path. */
static int prepare(const struct proc_spec *spec, const char *program, struct sandbox_cmd *cmd,
                   struct codex_error *err)
{
    struct sandbox_exec ex = {
        .policy_cwd = spec->policy_cwd ? spec->policy_cwd : spec->cwd,
        .cwd = spec->cwd,
        .program = program,
        .argv = (char *const *)spec->argv,
    };
    return sandbox_prepare(spec->sandbox, &ex, cmd, err);
}

/* Proxy-only egress: a namespace for the command with the proxy's
 * listeners in it, and the environment that points there.  On success the
 * spec is rewritten to use the copies in *net. */
struct proxied {
    struct sandbox_netns netns;
    struct sandbox_policy policy;
    struct strvec env;
    struct proc_spec spec;
    uint64_t attachment;
    bool active;
};

static int proxy_setup(const struct proc_spec *spec, struct proxied *net, struct codex_error *err)
{
    memset(net, 0, sizeof *net);
    net->netns = (struct sandbox_netns){-1, -1, -1, -1, -1, 0, 0, 0};
    struct netproxy_session *s = spec->netproxy;
    if (sandbox_netns_create(netproxy_session_socks5(s), netproxy_session_socks5_udp(s), &net->netns, err) != 0)
        return -1;
    if (netproxy_session_attach(s, net->netns.http_fd, net->netns.socks_fd, net->netns.udp_fd, &net->attachment,
                                err) != 0) {
        sandbox_netns_free(&net->netns);
        return -1;
    }
    /* The proxy holds the listeners now. */
    sandbox_netns_close_listeners(&net->netns);
    for (const char *const *e = spec->envp; e && *e; e++) {
        size_t n = strcspn(*e, "=");
        bool ours = false;
        for (const char *const *name = netproxy_env_names; *name && !ours; name++)
            ours = strlen(*name) == n && strncmp(*name, *e, n) == 0;
        if (!ours)
            strvec_push(&net->env, *e);
    }
    netproxy_session_env(s, net->netns.http_port, net->netns.socks_port, &net->env);
    sandbox_policy_copy(&net->policy, spec->sandbox);
    net->policy.netns = &net->netns;
    net->spec = *spec;
    net->spec.envp = (const char *const *)net->env.v;
    net->spec.sandbox = &net->policy;
    net->active = true;
    return 0;
}

static void proxy_done(struct proxied *net)
{
    if (!net->active)
        return;
    sandbox_policy_free(&net->policy);
    sandbox_netns_free(&net->netns);
    strvec_free(&net->env);
}

static struct proc *spawn(uv_loop_t *loop, const struct proc_spec *spec, const struct proc_callbacks *cb,
                          struct codex_error *err);

struct proc *proc_spawn(uv_loop_t *loop, const struct proc_spec *spec, const struct proc_callbacks *cb,
                        struct codex_error *err)
{
    if (!spec->sandbox || !spec->sandbox->network_proxy || !spec->netproxy)
        return spawn(loop, spec, cb, err);
    struct proxied net;
    if (proxy_setup(spec, &net, err) != 0)
        return NULL;
    struct proc *p = spawn(loop, &net.spec, cb, err);
    /* The prepared command holds its own descriptors of the namespace. */
    proxy_done(&net);
    if (!p) {
        netproxy_session_detach(spec->netproxy, net.attachment);
        return NULL;
    }
    p->netproxy = spec->netproxy;
    p->attachment = net.attachment;
    return p;
}

uint64_t proc_netproxy_attachment(const struct proc *p)
{
    return p->attachment;
}

static struct proc *spawn(uv_loop_t *loop, const struct proc_spec *spec, const struct proc_callbacks *cb,
                          struct codex_error *err)
{
    if (!spec->argv || !spec->argv[0]) {
        codex_error_set(err, "no command given");
        return NULL;
    }
    if (!spec->cwd || spec->cwd[0] != '/') {
        codex_error_set(err, "working directory '%s' is not an absolute path", spec->cwd ? spec->cwd : "");
        return NULL;
    }
    char *program = fs_which(spec->argv[0], envp_get(spec->envp, "PATH"), spec->cwd);
    if (!program) {
        codex_error_set(err, "%s: command not found", spec->argv[0]);
        err->os_errno = ENOENT;
        return NULL;
    }

    struct proc *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    if (cb)
        p->cb = *cb;
    p->tty = spec->io == PROC_IO_PTY;
    p->own_group = spec->io != PROC_IO_INHERIT;
    p->drain_ms = spec->drain_ms;
    p->kill_group_at_exit = spec->kill_group_at_exit;
    p->pidfd = -1;
    p->in.fd = p->out[0].fd = p->out[1].fd = -1;

    enum { IN_R, IN_W, OUT_R, OUT_W, ERR_R, ERR_W, MASTER, N };
    int fd[N];
    for (int k = 0; k < N; k++)
        fd[k] = -1;
    char slave[128] = "";
    struct child_report report = {0, ""};
    pid_t pid = -1;

    bool announced = false;
    for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
        if (spec->sandbox) {
            if (prepare(spec, program, &p->sandbox, err) != 0)
                goto fail;
            p->sandboxed = true;
            if (spec->print_notice && p->sandbox.notice && !announced) {
                fprintf(stderr, "%s\n", p->sandbox.notice);
                fflush(stderr);
                announced = true;
            }
        }
        if (spec->io == PROC_IO_PTY) {
            fd[MASTER] = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (fd[MASTER] < 0 || grantpt(fd[MASTER]) != 0 || unlockpt(fd[MASTER]) != 0 ||
                ptsname_r(fd[MASTER], slave, sizeof slave) != 0) {
                codex_error_set_os(err, errno, "cannot open a pseudo-terminal");
                goto fail;
            }
            struct winsize ws = {.ws_row = spec->rows ? spec->rows : 24, .ws_col = spec->cols ? spec->cols : 80};
            ioctl(fd[MASTER], TIOCSWINSZ, &ws);
        } else if (spec->io == PROC_IO_PIPES) {
            if (pipe2(&fd[OUT_R], O_CLOEXEC) != 0 || (!spec->merge_stderr && pipe2(&fd[ERR_R], O_CLOEXEC) != 0) ||
                (spec->stdin_pipe && pipe2(&fd[IN_R], O_CLOEXEC) != 0)) {
                codex_error_set_os(err, errno, "cannot create pipes for the command");
                goto fail;
            }
        }
        struct launch l = {
            .spec = spec,
            .file = p->sandboxed ? p->sandbox.file : program,
            .argv = p->sandboxed ? p->sandbox.argv.v : (char *const *)spec->argv,
            .sandbox = p->sandboxed ? &p->sandbox : NULL,
            .fd_in = fd[IN_R],
            .fd_out = fd[OUT_W],
            .fd_err = spec->merge_stderr ? fd[OUT_W] : fd[ERR_W],
            .pty_slave = slave,
        };
        fflush(NULL);
        pid = fork_exec(&l, &report);
        if (pid > 0)
            break;
        int e = errno;
        close_fds(fd, N);
        if (p->sandboxed) {
            sandbox_cmd_free(&p->sandbox);
            p->sandboxed = false;
        }
        bool vanished = e == ENOENT && strstr(report.step, "protected path");
        if (vanished && attempt + 1 < SETUP_ATTEMPTS)
            continue;
        if (vanished)
            codex_error_set(err, "sandbox setup failed: a protected path keeps disappearing; the command was not run");
        else if (strcmp(report.step, "exec") == 0)
            codex_error_set_os(err, e, "cannot run %s", program);
        else if (report.step[0] && strcmp(report.step, "chdir") != 0 && strncmp(report.step, "opening", 7) != 0 &&
                 strcmp(report.step, "setting up stdio") != 0)
            codex_error_set_os(err, e, "sandbox setup failed (%s); the command was not run", report.step);
        else if (report.step[0])
            codex_error_set_os(err, e, "cannot start %s: %s", spec->argv[0], report.step);
        else
            codex_error_set_os(err, e, "cannot start %s", spec->argv[0]);
        goto fail_closed;
    }
    free(program);
    program = NULL;
    p->pid = pid;

    if (spec->io == PROC_IO_PTY) {
        watch_init(p, &p->out[0], fd[MASTER], PROC_STDOUT);
        p->n_out = 1;
    } else if (spec->io == PROC_IO_PIPES) {
        close_fds(&fd[OUT_W], 1);
        close_fds(&fd[ERR_W], 1);
        close_fds(&fd[IN_R], 1);
        watch_init(p, &p->out[0], fd[OUT_R], PROC_STDOUT);
        p->n_out = 1;
        if (!spec->merge_stderr) {
            watch_init(p, &p->out[1], fd[ERR_R], PROC_STDERR);
            p->n_out = 2;
        }
        if (fd[IN_W] >= 0)
            watch_init(p, &p->in, fd[IN_W], 0);
    }
    for (int i = 0; i < p->n_out; i++) {
        p->out[i].reading = true;
        fd_watch(&p->out[i], UV_READABLE, on_poll);
    }

    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    p->open_handles++;
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (p->pidfd >= 0) {
        uv_poll_init(loop, &p->pid_poll, p->pidfd);
        p->pid_poll.data = p;
        p->open_handles++;
        uv_poll_start(&p->pid_poll, UV_READABLE, on_pidfd);
    } else {
        uv_timer_start(&p->timer, on_reap_poll, REAP_POLL_MS, REAP_POLL_MS);
    }
    return p;

fail:
    close_fds(fd, N);
    if (p->sandboxed)
        sandbox_cmd_free(&p->sandbox);
fail_closed:
    free(program);
    buf_free(&p->pending_in);
    free(p);
    return NULL;
}

pid_t proc_pid(const struct proc *p)
{
    return p->pid;
}

bool proc_exited(const struct proc *p)
{
    return p->exited;
}

const char *proc_notice(const struct proc *p)
{
    return p->sandboxed ? p->sandbox.notice : NULL;
}

int proc_write(struct proc *p, const char *data, size_t n)
{
    struct proc_fd *w = stdin_fd(p);
    if (p->released || w->fd < 0 || p->close_in_after_pending)
        return -1;
    buf_append(&p->pending_in, data, n);
    flush_stdin(p);
    return 0;
}

size_t proc_pending_input(const struct proc *p)
{
    return p->pending_in.len;
}

void proc_close_stdin(struct proc *p)
{
    if (p->tty || p->in.fd < 0)
        return;
    p->close_in_after_pending = true;
    flush_stdin(p);
}

int proc_resize(struct proc *p, unsigned short rows, unsigned short cols)
{
    if (!p->tty || p->out[0].fd < 0)
        return -1;
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(p->out[0].fd, TIOCSWINSZ, &ws);
}

void proc_signal(struct proc *p, int sig)
{
    if (p->own_group)
        kill(-p->pid, sig); /* the group outlives its leader */
    else if (!p->exited)
        kill(p->pid, sig);
}

void proc_release(struct proc *p)
{
    if (!p || p->released)
        return;
    p->released = true;
    proc_signal(p, SIGKILL);
    for (int i = 0; i < p->n_out; i++)
        fd_close(&p->out[i]);
    fd_close(&p->in);
    if (p->reported) {
        close_handle((uv_handle_t *)&p->timer);
    } else if (p->exited) {
        report_exit(p); /* closes the timer; no callback once released */
    } else if (p->pidfd < 0) {
        /* Reap on the loop; SIGKILL makes it quick. */
        uv_timer_start(&p->timer, on_reap_poll, REAP_POLL_MS, REAP_POLL_MS);
    }
}

/* ---- the foreground ----------------------------------------------------- */

struct foreground {
    struct proc_exit exit;
    bool done;
};

static void foreground_exit(void *ud, const struct proc_exit *ex)
{
    struct foreground *f = ud;
    f->exit = *ex;
    f->done = true;
}

int proc_run_foreground(const struct proc_spec *spec, struct codex_error *err)
{
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        codex_error_set(err, "cannot create an event loop");
        return -1;
    }
    struct proc_spec s = *spec;
    s.io = PROC_IO_INHERIT;
    s.print_notice = true;
    struct foreground f = {{0, 0}, false};
    struct proc_callbacks cb = {.on_exit = foreground_exit, .ud = &f};
    struct proc *p = proc_spawn(&loop, &s, &cb, err);
    if (!p) {
        uv_loop_close(&loop);
        return -1;
    }
    while (!f.done && uv_run(&loop, UV_RUN_ONCE)) {
    }
    proc_release(p);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return f.exit.code;
}

int proc_spawn_detached(const char *const *argv, const char *const *envp, const char *cwd,
                        struct codex_error *err)
{
    char *program = argv && argv[0] ? fs_which(argv[0], envp_get(envp, "PATH"), cwd) : NULL;
    if (!program) {
        codex_error_set(err, "%s: command not found", argv && argv[0] ? argv[0] : "");
        err->os_errno = ENOENT;
        return -1;
    }
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        codex_error_set_os(err, errno, "cannot open /dev/null");
        free(program);
        return -1;
    }
    fflush(NULL);
    pid_t mid = fork();
    if (mid == 0) {
        /* The middle process only forks and leaves: the program's parent
         * becomes init, which reaps it. */
        if (fork() == 0) {
            setsid();
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            signal(SIGPIPE, SIG_DFL);
            dup2(null_fd, 0);
            dup2(null_fd, 1);
            dup2(null_fd, 2);
            if (cwd && chdir(cwd) != 0)
                _exit(127);
            execve(program, (char *const *)argv, (char *const *)envp);
            _exit(127);
        }
        _exit(0);
    }
    int e = errno;
    close(null_fd);
    free(program);
    if (mid < 0) {
        codex_error_set_os(err, e, "cannot start %s", argv[0]);
        return -1;
    }
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR) {
    }
    return 0;
}
