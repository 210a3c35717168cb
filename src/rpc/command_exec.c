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
#include "proc/proc.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/sandbox_param.h"
#include "rpc/server.h"
#include "sandbox/sandbox.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"


#define EXEC_DEFAULT_TIMEOUT_MS 10000
#define EXEC_DEFAULT_OUTPUT_CAP (1024 * 1024)
#define EXEC_TIMEOUT_EXIT_CODE 124
#define EXEC_MAX_PENDING_STDIN (64u * 1024 * 1024)

/* One command/exec process.  The process itself is a struct proc (the
 * one runner, src/proc), which applies the sandbox and kills the whole
 * group when the command exits, so its output pipes reach end of file. */
struct exec_proc {
    struct rpc_conn_resource resource;
    struct rpc_request *req; /* answered when the process is done */
    struct rpc_conn *conn;
    struct rpc_exec_state *state;
    char *process_id; /* client-supplied, or NULL */
    struct proc *proc;
    bool tty, stream_output, stream_stdin;
    size_t cap; /* SIZE_MAX: no cap */
    struct {
        const char *name;
        struct buf captured; /* buffered mode */
        size_t seen;         /* bytes kept so far (captured or streamed) */
        bool cap_reached;
    } out[2];
    size_t stdin_queued; /* bytes handed to the process's stdin so far */
    bool stdin_closed;
    uv_timer_t timer;
    bool timed_out;
    bool finished;
    struct exec_proc *next;
};

/* The server's running processes (this module's slot). */
struct rpc_exec_state {
    struct exec_proc *procs;
};

static struct rpc_exec_state *exec_state(struct rpc_request *req)
{
    if (!*req->state)
        *req->state = xcalloc(1, sizeof(struct rpc_exec_state));
    return *req->state;
}

static void free_state(void **slot)
{
    /* The loop has closed every handle by now; processes were reaped. */
    free(*slot);
    *slot = NULL;
}

/* ---- Lifecycle ---------------------------------------------------------- */

static void unlink_proc(struct exec_proc *p)
{
    for (struct exec_proc **pp = &p->state->procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

static void timer_closed(uv_handle_t *h)
{
    struct exec_proc *p = h->data;
    for (int i = 0; i < 2; i++)
        buf_free(&p->out[i].captured);
    free(p->process_id);
    rpc_conn_unref(p->conn);
    free(p);
}

/* The one cleanup path: reply (if anyone is waiting), let the runner go,
 * forget the process.  Everything that ends a command comes here. */
static void finish(struct exec_proc *p, const struct proc_exit *ex)
{
    if (p->finished)
        return;
    p->finished = true;
    unlink_proc(p);
    uv_timer_stop(&p->timer);
    rpc_conn_remove_resource(p->conn, &p->resource);
    if (p->req) {
        json_t *result = json_object();
        int code = p->timed_out ? EXEC_TIMEOUT_EXIT_CODE : ex ? ex->code : 137;
        json_object_set_new(result, "exitCode", json_integer(code));
        for (int i = 0; i < 2; i++)
            json_object_set_new(result, p->out[i].name,
                                json_string_lossy(p->out[i].captured.data ? p->out[i].captured.data : "",
                                                  p->out[i].captured.len));
        rpc_reply(p->req, result);
        p->req = NULL;
    }
    proc_release(p->proc);
    p->proc = NULL;
    uv_close((uv_handle_t *)&p->timer, timer_closed);
}

static void on_proc_exit(void *ud, const struct proc_exit *ex)
{
    finish(ud, ex);
}

/* The connection went away: kill everything and finish. */
static void on_conn_closed(struct rpc_conn_resource *r)
{
    struct exec_proc *p = (struct exec_proc *)r;
    proc_signal(p->proc, SIGKILL);
    finish(p, NULL);
}

static void on_timeout(uv_timer_t *t)
{
    struct exec_proc *p = t->data;
    p->timed_out = true;
    proc_signal(p->proc, SIGKILL);
}

/* ---- Output ------------------------------------------------------------- */

static void on_output(void *ud, enum proc_stream stream, const char *data, size_t n)
{
    struct exec_proc *p = ud;
    int i = stream == PROC_STDERR ? 1 : 0;
    if (p->out[i].cap_reached)
        return;
    size_t room = p->cap == SIZE_MAX ? n : p->cap - p->out[i].seen;
    bool hit = n > room;
    if (hit) {
        n = room;
        p->out[i].cap_reached = true;
    }
    p->out[i].seen += n;
    if (!p->stream_output) {
        buf_append(&p->out[i].captured, data, n);
        return;
    }
    char *b64 = base64_encode(data, n);
    json_t *params = json_pack("{s:s, s:s, s:s, s:b}", "processId", p->process_id, "stream", p->out[i].name,
                               "deltaBase64", b64, "capReached", hit);
    free(b64);
    rpc_conn_notify(p->conn, "command/exec/outputDelta", params);
}

/* ---- Requests ----------------------------------------------------------- */

static struct exec_proc *find_proc(struct rpc_request *req, const char *process_id)
{
    for (struct exec_proc *p = exec_state(req)->procs; p; p = p->next)
        if (p->conn == req->conn && p->process_id && !p->finished && strcmp(p->process_id, process_id) == 0)
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
        struct codex_config cfg;
        if (!rpc_load_config(req, cwd, &cfg))
            return false;
        sandbox_policy_from_config(out, &cfg);
        config_free(&cfg);
        return true;
    }
    if (!rpc_read_sandbox_policy(req, policy, out))
        return false;
    sandbox_policy_set_host(out, req->server->envp, NULL);
    return true;
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
    for (const char *const *e = req->server->envp; e && *e; e++) {
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

static void exec_start(struct rpc_request *req)
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
    if (process_id && find_proc(req, process_id)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "duplicate active command/exec process id: \"%s\"", process_id);
        return;
    }
    char *abs_cwd = cwd && cwd[0] == '/' ? xstrdup(cwd)
                    : cwd ? xasprintf("%s/%s", req->server->cwd, cwd)
                          : xstrdup(req->server->cwd);
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
    struct exec_proc *p = xcalloc(1, sizeof *p);
    p->resource.on_close = on_conn_closed;
    p->req = req;
    p->conn = req->conn;
    p->state = exec_state(req);
    p->process_id = process_id ? xstrdup(process_id) : NULL;
    p->tty = tty;
    p->stream_output = stream_output;
    p->stream_stdin = stream_stdin;
    p->cap = disable_cap ? SIZE_MAX : (size_t)cap;
    p->out[0].name = "stdout";
    p->out[1].name = "stderr";
    struct proc_spec spec = {
        .argv = (const char *const *)argv.v,
        .envp = (const char *const *)env.v,
        .cwd = abs_cwd,
        .io = tty ? PROC_IO_PTY : PROC_IO_PIPES,
        .stdin_pipe = stream_stdin,
        .rows = (unsigned short)rows,
        .cols = (unsigned short)cols,
        .kill_group_at_exit = true,
        .sandbox = sandbox_policy_restricts(&policy) ? &policy : NULL,
        .policy_cwd = abs_cwd,
    };
    struct proc_callbacks cb = {.on_output = on_output, .on_exit = on_proc_exit, .ud = p};
    struct codex_error err = CODEX_ERROR_INIT;
    p->proc = proc_spawn(req->server->loop, &spec, &cb, &err);
    strvec_free(&argv);
    strvec_free(&env);
    free(abs_cwd);
    sandbox_policy_free(&policy);
    if (!p->proc) {
        if (err.os_errno)
            rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to spawn command: %s (os error %d)",
                            strerror(err.os_errno), err.os_errno);
        else
            rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to start the sandbox: %s", err.message);
        codex_error_clear(&err);
        free(p->process_id);
        free(p);
        return;
    }
    rpc_conn_ref(p->conn);
    uv_timer_init(p->conn->server->loop, &p->timer);
    p->timer.data = p;
    if (!disable_timeout && timeout_ms >= 0)
        uv_timer_start(&p->timer, on_timeout, (uint64_t)timeout_ms, 0);
    p->next = p->state->procs;
    p->state->procs = p;
    rpc_conn_add_resource(p->conn, &p->resource);
}

static struct exec_proc *proc_for_request(struct rpc_request *req, json_t *params)
{
    const char *process_id;
    if (!rpc_get_string(req, params, "processId", true, &process_id))
        return NULL;
    struct exec_proc *p = find_proc(req, process_id);
    if (!p)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "no active command/exec for process id \"%s\"", process_id);
    return p;
}

static void exec_write(struct rpc_request *req)
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
    if (!p->stream_stdin || p->stdin_closed) {
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
        if (proc_pending_input(p->proc) + len > EXEC_MAX_PENDING_STDIN) {
            free(data);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "command/exec process \"%s\" is not reading its stdin",
                            p->process_id);
            return;
        }
        proc_write(p->proc, (const char *)data, len);
        free(data);
    }
    if (close_stdin) {
        if (p->tty) {
            proc_write(p->proc, "\x04", 1); /* end of input on a terminal: ^D */
        } else {
            proc_close_stdin(p->proc);
            p->stdin_closed = true;
        }
    }
    rpc_reply(req, json_object());
}

static void exec_resize(struct rpc_request *req)
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
    if (proc_resize(p->proc, (unsigned short)rows, (unsigned short)cols) != 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to resize PTY: %s", strerror(errno));
        return;
    }
    rpc_reply(req, json_object());
}

static void exec_terminate(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "CommandExecTerminateParams", false);
    if (!params)
        return;
    struct exec_proc *p = proc_for_request(req, params);
    if (!p)
        return;
    proc_signal(p->proc, SIGKILL);
    rpc_reply(req, json_object());
}

const struct rpc_module rpc_exec_module = {
    .name = "command/exec",
    .methods =
        (const struct rpc_method[]){
            {"command/exec", exec_start},
            {"command/exec/write", exec_write},
            {"command/exec/resize", exec_resize},
            {"command/exec/terminate", exec_terminate},
            {NULL, NULL},
        },
    .free_state = free_state,
};
