/* exec_command and write_stdin: run shell commands as sessions and report
 * their output to the model in the reference's format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/approvals.h"
#include "sandbox/sandbox.h"
#include "tools/exec_session.h"
#include "tools/heredoc.h"
#include "tools/shell_env.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

extern char **environ;

#define DEFAULT_EXEC_YIELD_MS 10000
#define DEFAULT_WRITE_YIELD_MS 250
#define MIN_YIELD_MS 250
#define MAX_YIELD_MS 30000
#define DEFAULT_MAX_OUTPUT_TOKENS 10000

/* One exec_command or write_stdin call waiting on a session. */
struct exec_wait {
    struct tool_call *call;
    json_t *args; /* exec_command's arguments, for a retry outside the sandbox */
    uint64_t started_ns;
    long max_output_tokens;
};

/* What the session's item needs once the process ends. */
struct exec_item {
    struct tool_env *env;
    json_t *item;
    uint64_t started_ns;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clamp_ms(const json_t *v, uint64_t dflt)
{
    if (!json_is_number(v))
        return dflt;
    double ms = json_number_value(v);
    if (ms < MIN_YIELD_MS)
        return MIN_YIELD_MS;
    if (ms > MAX_YIELD_MS)
        return MAX_YIELD_MS;
    return (uint64_t)ms;
}

/* Quote a word for a POSIX shell the way a human would read it back. */
static void shell_quote(struct buf *b, const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(w)) {
        buf_puts(b, w);
        return;
    }
    buf_putc(b, '\'');
    for (; *w; w++) {
        if (*w == '\'')
            buf_puts(b, "'\"'\"'");
        else
            buf_putc(b, *w);
    }
    buf_putc(b, '\'');
}

static char *join_command(const struct strvec *argv)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < argv->n; i++) {
        if (i)
            buf_putc(&b, ' ');
        shell_quote(&b, argv->v[i]);
    }
    return buf_detach(&b, NULL);
}

/* Keep the head and the tail of long output within the token budget
 * (about 4 bytes a token), marking what was cut. */
static void append_truncated(struct buf *b, const char *out, size_t len, long max_tokens)
{
    size_t budget = (size_t)(max_tokens > 0 ? max_tokens : DEFAULT_MAX_OUTPUT_TOKENS) * 4;
    if (len <= budget) {
        buf_append(b, out, len);
        return;
    }
    size_t head = budget / 2, tail = budget - head;
    buf_append(b, out, head);
    buf_printf(b, "\n\xe2\x80\xa6%zu tokens truncated\xe2\x80\xa6\n", (len - head - tail + 3) / 4);
    buf_append(b, out + len - tail, tail);
}

static char *format_result(struct exec_session *s, struct exec_wait *w)
{
    size_t len;
    char *out = exec_session_take_output(s, &len);
    char chunk[7];
    random_hex(chunk, 3);
    struct buf b = BUF_INIT;
    buf_printf(&b, "Chunk ID: %s\nWall time: %.4f seconds\n", chunk,
               (double)(now_ns() - w->started_ns) / 1e9);
    if (exec_session_ended(s))
        buf_printf(&b, "Process exited with code %d\n", exec_session_exit_code(s));
    else
        buf_printf(&b, "Process running with session ID %d\n", exec_session_id(s));
    buf_printf(&b, "Original token count: %zu\nOutput:\n", (len + 3) / 4);
    append_truncated(&b, out, len, w->max_output_tokens);
    free(out);
    return buf_detach(&b, NULL);
}

static void free_wait(void *ud)
{
    struct exec_wait *w = ud;
    json_decref(w->args);
    free(w);
}

static void on_ready(struct exec_session *s, void *ud)
{
    struct exec_wait *w = ud;
    bool ended = exec_session_ended(s);
    const struct buf *all = exec_session_all_output(s);
    bool sandbox_denied = ended && w->args && !w->call->unsandboxed && w->call->env->sandbox_policy &&
                          approvals_looks_sandbox_denied(exec_session_exit_code(s), all->data, all->len);
    char *text = format_result(s, w);
    if (ended)
        exec_session_release(s);
    if (!sandbox_denied || !approvals_offer_retry(w->call, w->args, text, tool_exec_command))
        tool_call_finish(w->call, text);
    free_wait(w);
}

static void on_ended(struct exec_session *s, void *ud)
{
    struct exec_item *it = ud;
    const struct buf *all = exec_session_all_output(s);
    int code = exec_session_exit_code(s);
    json_object_set_new(it->item, "aggregatedOutput", json_stringn(all->data ? all->data : "", all->len));
    json_object_set_new(it->item, "exitCode", json_integer(code));
    json_object_set_new(it->item, "status", json_string(code == 0 ? "completed" : "failed"));
    json_object_set_new(it->item, "durationMs",
                        json_integer((json_int_t)((now_ns() - it->started_ns) / 1000000)));
    struct agent_event ev = {.kind = AGENT_EV_ITEM_COMPLETED, .item = it->item};
    tool_emit(it->env, &ev);
    json_decref(it->item);
    free(it);
}

/* Output as it arrives, for front ends that stream it. */
static void on_output(void *ud, const char *data, size_t n)
{
    struct exec_item *it = ud;
    char *chunk = xstrndup(data, n);
    struct agent_event ev = {.kind = AGENT_EV_COMMAND_OUTPUT_DELTA, .delta = chunk,
                             .item_id = json_string_value(json_object_get(it->item, "id"))};
    tool_emit(it->env, &ev);
    free(chunk);
}

static void drop_item(void *ud)
{
    struct exec_item *it = ud;
    json_decref(it->item);
    free(it);
}

static char *resolve_workdir(const struct tool_env *env, const char *workdir)
{
    if (!workdir || !*workdir)
        return xstrdup(env->cwd);
    if (workdir[0] == '/')
        return xstrdup(workdir);
    return fs_join(env->cwd, workdir);
}

static void free_sandbox_cmd(void *p)
{
    sandbox_cmd_free(p);
    free(p);
}

/* Wrap the command in the sandbox when the policy confines it.  Fails
 * closed: a policy that cannot be enforced means the command does not run. */
static char *confine(const struct tool_env *env, const char *cwd, struct strvec *argv,
                     struct exec_spawn *sp, bool approved_unsandboxed)
{
    sp->extra_fd = -1;
    if (approved_unsandboxed)
        return NULL; /* the user approved running it outside the sandbox */
    if (!env->sandbox_policy) {
        if (env->sandbox == SANDBOX_DANGER_FULL_ACCESS)
            return NULL;
        return xasprintf("exec_command rejected: no sandbox is available to enforce %s",
                         sandbox_mode_name(env->sandbox));
    }
    struct sandbox_cmd *cmd = xcalloc(1, sizeof *cmd);
    char err[512];
    if (sandbox_spawn_prepare(env->sandbox_policy, cwd, argv->v, SANDBOX_PREPARE_NO_HOOK, cmd, err,
                              sizeof err) < 0) {
        free(cmd);
        return xasprintf("exec_command failed: sandbox: %s", err);
    }
    sp->file = cmd->file;
    sp->argv = &cmd->argv;
    sp->extra_fd = cmd->child_fd;
    sp->owned = cmd;
    sp->free_owned = free_sandbox_cmd;
    return NULL;
}

static void build_argv(json_t *args, const char *cmd, struct strvec *argv)
{
    const char *shell = json_string_value(json_object_get(args, "shell"));
    json_t *login = json_object_get(args, "login");
    bool use_login = !json_is_false(login);
    strvec_push(argv, shell && *shell ? shell : "/bin/bash");
    strvec_push(argv, use_login ? "-lc" : "-c");
    strvec_push(argv, cmd);
}

static json_t *start_item(struct tool_call *call, const char *command, const char *cwd)
{
    return json_pack("{s:s s:s s:s s:s s:s s:s s:n s:n s:s}", "type", "commandExecution", "id",
                     call->call_id, "command", command, "cwd", cwd, "status", "inProgress",
                     "aggregatedOutput", "", "exitCode", "durationMs", "source",
                     "unifiedExecStartup");
}

void tool_exec_command(struct tool_call *call, json_t *args)
{
    struct tool_env *env = call->env;
    const char *cmd = json_string_value(json_object_get(args, "cmd"));
    if (!cmd) {
        tool_call_finish(call, xstrdup("failed to parse function arguments: missing field `cmd`"));
        return;
    }
    char *heredoc_dir = NULL;
    char *patch = heredoc_apply_patch(cmd, &heredoc_dir);
    if (patch) {
        /* The shell is not involved: the patch goes to the apply_patch tool. */
        tool_apply_patch_in(call, patch, heredoc_dir);
        free(patch);
        free(heredoc_dir);
        return;
    }
    struct strvec argv = STRVEC_INIT, envv = STRVEC_INIT;
    build_argv(args, cmd, &argv);
    if (approvals_hold_exec(call, args, &argv, tool_exec_command)) {
        strvec_free(&argv);
        return;
    }
    shell_env_build(env->env_policy, environ, env->path_prefix, &envv);
    char *cwd = resolve_workdir(env, json_string_value(json_object_get(args, "workdir")));
    char *command = join_command(&argv);
    struct exec_item *it = xcalloc(1, sizeof *it);
    it->env = env;
    it->item = start_item(call, command, cwd);
    it->started_ns = now_ns();
    struct exec_spawn sp = {.argv = &argv, .env = &envv, .cwd = cwd,
                            .tty = json_is_true(json_object_get(args, "tty")),
                            .drop_end_ud = drop_item, .on_output = on_output};
    char *err = confine(env, cwd, &argv, &sp, call->unsandboxed);
    struct exec_session *s = NULL;
    if (err) {
        json_decref(it->item);
        free(it);
        tool_call_finish(call, err);
        goto out;
    }
    s = exec_session_spawn(env->sessions, &sp, on_ended, it, &err);
    if (!s && sp.free_owned)
        sp.free_owned(sp.owned);
    if (!s) {
        json_decref(it->item);
        free(it);
        tool_call_finish(call, xasprintf("exec_command failed: %s", err));
        free(err);
    } else {
        json_object_set_new(it->item, "processId", json_sprintf("%d", exec_session_pid(s)));
        struct agent_event ev = {.kind = AGENT_EV_ITEM_STARTED, .item = it->item};
        tool_emit(env, &ev);
        struct exec_wait *w = xcalloc(1, sizeof *w);
        w->call = call;
        w->args = json_incref(args);
        w->started_ns = it->started_ns;
        json_t *mot = json_object_get(args, "max_output_tokens");
        w->max_output_tokens = json_is_number(mot) ? (long)json_number_value(mot) : 0;
        exec_session_wait(s, clamp_ms(json_object_get(args, "yield_time_ms"), DEFAULT_EXEC_YIELD_MS),
                          on_ready, w, free_wait);
    }
out:
    free(command);
    free(cwd);
    strvec_free(&argv);
    strvec_free(&envv);
}

void tool_write_stdin(struct tool_call *call, json_t *args)
{
    json_t *sid = json_object_get(args, "session_id");
    struct exec_session *s =
        json_is_number(sid) ? exec_session_find(call->env->sessions, (int)json_number_value(sid))
                            : NULL;
    if (!s) {
        tool_call_finish(call, xasprintf("write_stdin failed: Unknown process id %lld",
                                         json_is_number(sid) ? (long long)json_number_value(sid) : -1LL));
        return;
    }
    const char *chars = json_string_value(json_object_get(args, "chars"));
    if (chars && exec_session_write(s, chars, strlen(chars)) < 0) {
        tool_call_finish(call, xstrdup("write_stdin failed: stdin is closed"));
        return;
    }
    struct exec_wait *w = xcalloc(1, sizeof *w);
    w->call = call;
    w->started_ns = now_ns();
    json_t *mot = json_object_get(args, "max_output_tokens");
    w->max_output_tokens = json_is_number(mot) ? (long)json_number_value(mot) : 0;
    exec_session_wait(s, clamp_ms(json_object_get(args, "yield_time_ms"), DEFAULT_WRITE_YIELD_MS),
                      on_ready, w, free_wait);
}
