/* exec_command and write_stdin: run shell commands as sessions and report
 * their output to the model in the reference's format.  Every command goes
 * through the host's approval gate with its exact argv and working
 * directory before it starts; the host starts it under the session's
 * sandbox unless the gate (or the user) lifted it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "patch/patch.h"
#include "policy/execpolicy.h"
#include "tools/command_actions.h"
#include "tools/exec_session.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

#define DEFAULT_EXEC_YIELD_MS 10000
#define DEFAULT_WRITE_YIELD_MS 250
#define MIN_YIELD_MS 250
#define MAX_YIELD_MS 30000
#define DEFAULT_MAX_OUTPUT_TOKENS 10000
/* How long to keep reading after the process exited, for output still in
 * the pipe or held open by a background child. */
#define DRAIN_AFTER_EXIT_MS 100

/* A command on its way through the gate, the user and the sandbox. */
struct exec_run {
    struct tool_call *call;
    json_t *args;
    struct strvec argv;
    char *cwd;
    bool sandboxed;          /* ran (or runs) inside the sandbox */
    bool unsandboxed_if_approved;
    char *session_key;
    struct strvec prefix;    /* the prefix_rule the model proposed, if offerable */
    char *denied_result;     /* a retry's question: what stands if the user says no */
    struct tool_ask *ask;
    /* A Responses local_shell call: argv given, waited for to the end (or
     * its timeout), its extra environment, and a structured result. */
    bool local_shell;
    uint64_t timeout_ms;
    struct strvec extra_env;
};

/* One exec_command or write_stdin call waiting on a session. */
struct exec_wait {
    struct tool_call *call;
    struct exec_run *run; /* exec_command: for a retry outside the sandbox; else NULL */
    uint64_t started_ns;
    long max_output_tokens;
};

/* What the session's item needs once the process ends. */
struct exec_item {
    struct tool_host *host;
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

/* ---- the run's lifetime ------------------------------------------------- */

static void run_free(struct exec_run *r)
{
    if (!r)
        return;
    json_decref(r->args);
    strvec_free(&r->argv);
    strvec_free(&r->prefix);
    strvec_free(&r->extra_env);
    free(r->cwd);
    free(r->session_key);
    free(r->denied_result);
    free(r);
}

/* Finish the call and forget the run. */
static void run_finish(struct exec_run *r, char *output)
{
    struct tool_call *call = r->call;
    run_free(r);
    tool_call_finish(call, output);
}

static void free_wait(void *ud)
{
    struct exec_wait *w = ud;
    run_free(w->run);
    free(w);
}

/* ---- arguments ---------------------------------------------------------- */

static uint64_t clamp_yield(const json_t *v, uint64_t dflt)
{
    return clamp_ms(v, dflt);
}

static long max_tokens_of(json_t *args)
{
    json_t *mot = json_object_get(args, "max_output_tokens");
    return json_is_number(mot) ? (long)json_number_value(mot) : 0;
}

static char *resolve_workdir(const struct tool_host *h, const char *workdir)
{
    if (!workdir || !*workdir)
        return xstrdup(h->cwd);
    if (workdir[0] == '/')
        return xstrdup(workdir);
    return fs_join(h->cwd, workdir);
}

static void build_argv(json_t *args, const char *cmd, bool allow_login, struct strvec *argv)
{
    const char *shell = json_string_value(json_object_get(args, "shell"));
    json_t *login = json_object_get(args, "login");
    bool use_login = allow_login ? !json_is_false(login) : false;
    strvec_push(argv, shell && *shell ? shell : "/bin/bash");
    strvec_push(argv, use_login ? "-lc" : "-c");
    strvec_push(argv, cmd);
}

/* Where the string value of "key" ends in the raw JSON text (1-based line
 * and column of its closing quote), which is where the reference's JSON
 * reader reports a bad value.  0/0 when it cannot be found. */
static void value_end(const char *text, const char *key, int *line, int *col)
{
    *line = *col = 0;
    char *quoted = xasprintf("\"%s\"", key);
    const char *p = text ? strstr(text, quoted) : NULL;
    size_t klen = strlen(quoted);
    free(quoted);
    if (!p)
        return;
    p += klen;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
        p++;
    if (*p != '"')
        return;
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    if (!*p)
        return;
    int l = 1, c = 0;
    for (const char *q = text; q <= p; q++) {
        if (*q == '\n') {
            l++;
            c = 0;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* sandbox_permissions: absent or use_default (0), an escalation (1), or a
 * value the tool does not know, which fails the call like the reference's
 * argument parser does (-1 with *problem set). */
static int escalation_requested(const struct tool_call *call, json_t *args, char **problem)
{
    json_t *v = json_object_get(args, "sandbox_permissions");
    if (!v || json_is_null(v))
        return 0;
    const char *perm = json_string_value(v);
    if (perm && strcmp(perm, "use_default") == 0)
        return 0;
    /* with_additional_permissions is the reference's third variant; it
     * widens the sandbox, so it is treated as an escalation. */
    if (perm && (strcmp(perm, "require_escalated") == 0 || strcmp(perm, "with_additional_permissions") == 0))
        return 1;
    if (!perm) {
        *problem = xstrdup("failed to parse function arguments: sandbox_permissions must be one of "
                           "`use_default`, `require_escalated`, `with_additional_permissions`");
        return -1;
    }
    int line, col;
    value_end(call->input, "sandbox_permissions", &line, &col);
    *problem = xasprintf("failed to parse function arguments: unknown variant `%s`, expected one of "
                         "`use_default`, `require_escalated`, `with_additional_permissions` at line "
                         "%d column %d",
                         perm, line, col);
    return -1;
}

static void proposed_prefix(json_t *args, struct strvec *out)
{
    json_t *rule = json_object_get(args, "prefix_rule");
    size_t i;
    json_t *w;
    json_array_foreach(rule, i, w) {
        if (!json_is_string(w)) {
            strvec_free(out);
            return;
        }
        strvec_push(out, json_string_value(w));
    }
    if (out->n && !ep_prefix_suggestion_ok((const char *const *)out->v, out->n))
        strvec_free(out);
}

/* ---- running ------------------------------------------------------------ */

/* The managed proxy's refusal of one of the command's requests, or NULL:
 * as in the reference, it fails the whole command. */
static char *network_blocked(struct tool_host *host, struct exec_session *s, bool *reviewed)
{
    uint64_t att = exec_session_network_attachment(s);
    *reviewed = false;
    if (!att || !host->ops->network_blocked)
        return NULL;
    return host->ops->network_blocked(host->ctx, att, reviewed);
}

/* What the model gets for such a command: the reference's process error,
 * its message quoted as Rust's Debug writes a string (a reviewer's
 * rationale goes as it is). */
static char *network_failure(char *message, bool reviewed)
{
    if (reviewed)
        return message;
    struct buf b = BUF_INIT;
    buf_puts(&b, "exec_command failed: ProcessFailed { message: \"");
    for (const char *c = message; *c; c++) {
        if (*c == '"' || *c == '\\')
            buf_putc(&b, '\\');
        if (*c == '\n')
            buf_puts(&b, "\\n");
        else
            buf_putc(&b, *c);
    }
    buf_puts(&b, "\" }");
    free(message);
    return buf_detach(&b, NULL);
}

static void on_ended(struct exec_session *s, void *ud)
{
    struct exec_item *it = ud;
    const struct buf *all = exec_session_all_output(s);
    int code = exec_session_exit_code(s);
    bool reviewed;
    char *blocked = network_blocked(it->host, s, &reviewed);
    if (blocked) {
        /* As the reference reports it: failed, -1, the refusal as output. */
        code = -1;
        json_object_set_new(it->item, "aggregatedOutput", json_string(blocked));
        free(blocked);
    } else {
        json_object_set_new(it->item, "aggregatedOutput", json_stringn(all->data ? all->data : "", all->len));
    }
    json_object_set_new(it->item, "exitCode", json_integer(code));
    json_object_set_new(it->item, "status", json_string(code == 0 ? "completed" : "failed"));
    json_object_set_new(it->item, "durationMs",
                        json_integer((json_int_t)((now_ns() - it->started_ns) / 1000000)));
    tool_emit_item(it->host, TOOL_EV_ITEM_COMPLETED, it->item);
    json_decref(it->item);
    free(it);
}

/* Output as it arrives, for front ends that stream it. */
static void on_output(void *ud, const char *data, size_t n)
{
    struct exec_item *it = ud;
    struct tool_event ev = {.kind = TOOL_EV_OUTPUT_DELTA, .delta = data, .delta_len = n,
                            .item_id = json_string_value(json_object_get(it->item, "id"))};
    tool_emit(it->host, &ev);
}

static void drop_item(void *ud)
{
    struct exec_item *it = ud;
    json_decref(it->item);
    free(it);
}

static json_t *start_item(struct tool_call *call, const char *command, const char *cwd)
{
    return json_pack("{s:s s:s s:s s:s s:o s:s s:s s:n s:n s:s}", "type", "commandExecution", "id",
                     call->call_id, "command", command, "cwd", cwd, "commandActions",
                     tool_command_actions(command), "status", "inProgress", "aggregatedOutput",
                     "", "exitCode", "durationMs", "source", "unifiedExecStartup");
}

static void ask_retry(struct exec_run *r, char *sandboxed_result);

bool exec_output_looks_sandbox_denied(int exit_code, const char *output, size_t len)
{
    /* What the reference looks for (core exec.rs, is_likely_sandbox_denied):
     * a failure, not one of the exit codes of usage errors and missing
     * programs, with a tell-tale phrase in the output. */
    static const char *const tells[] = {"operation not permitted", "permission denied", "read-only file system",
                                        "seccomp", "sandbox", "landlock", "failed to write file"};
    if (exit_code == 0 || exit_code == 2 || exit_code == 126 || exit_code == 127 || !output)
        return false;
    char *lower = xstrndup(output, len);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    bool hit = false;
    for (size_t i = 0; i < sizeof tells / sizeof tells[0] && !hit; i++)
        hit = strstr(lower, tells[i]) != NULL;
    free(lower);
    return hit;
}

/* A local_shell_call's result: the output with the exit status and the
 * duration as structured metadata, or the timeout that ended it. */
static char *format_local_shell_result(struct exec_session *s, struct exec_wait *w, uint64_t timeout_ms)
{
    const struct buf *all = exec_session_all_output(s);
    json_t *out = json_object();
    bool ended = exec_session_ended(s);
    struct buf text = BUF_INIT;
    if (!ended)
        buf_printf(&text, "command timed out after %llu ms\n", (unsigned long long)timeout_ms);
    append_truncated(&text, all->data ? all->data : "", all->len, 0);
    json_object_set_new(out, "output", json_stringn(buf_cstr(&text), text.len));
    json_object_set_new(out, "metadata",
                        json_pack("{s:i s:f}", "exit_code", ended ? exec_session_exit_code(s) : 124,
                                  "duration_seconds", (double)(now_ns() - w->started_ns) / 1e9));
    buf_free(&text);
    char *result = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return result;
}

static void on_ready(struct exec_session *s, void *ud)
{
    struct exec_wait *w = ud;
    bool ended = exec_session_ended(s);
    struct exec_run *run = w->run;
    bool denied = ended && run && run->sandboxed &&
                  exec_output_looks_sandbox_denied(exec_session_exit_code(s), exec_session_all_output(s)->data,
                                                   exec_session_all_output(s)->len);
    if (run && run->local_shell && !ended)
        ended = true; /* its timeout: the session goes (and its process with it) */
    char *text = run && run->local_shell ? format_local_shell_result(s, w, run->timeout_ms) : format_result(s, w);
    bool reviewed = false;
    char *blocked = ended ? network_blocked(w->call->host, s, &reviewed) : NULL;
    if (blocked) {
        free(text);
        text = network_failure(blocked, reviewed);
        denied = false; /* the network, not the sandbox: no retry outside it */
    }
    struct tool_call *call = w->call;
    w->run = NULL;
    free(w);
    if (ended)
        exec_session_release(s);
    if (denied) {
        ask_retry(run, text); /* takes both */
        return;
    }
    run_free(run);
    tool_call_finish(call, text);
}

/* Start the command.  Takes r. */
static void start(struct exec_run *r, bool unsandboxed)
{
    struct tool_call *call = r->call;
    struct tool_host *host = call->host;
    char *command = join_command(&r->argv);
    struct exec_item *it = xcalloc(1, sizeof *it);
    it->host = host;
    it->item = start_item(call, command, r->cwd);
    it->started_ns = now_ns();
    free(command);
    r->sandboxed = !unsandboxed;
    struct tool_spawn sp = {
        .argv = (const char *const *)r->argv.v,
        .cwd = r->cwd,
        .tty = !r->local_shell && json_is_true(json_object_get(r->args, "tty")),
        .unsandboxed = unsandboxed,
        .drain_ms = DRAIN_AFTER_EXIT_MS,
        .extra_env = r->extra_env.n ? (const char *const *)r->extra_env.v : NULL,
    };
    struct exec_session_watch watch = {.on_output = on_output, .on_end = on_ended, .drop = drop_item, .ud = it};
    struct codex_error err = CODEX_ERROR_INIT;
    struct exec_session *s = exec_session_start(host->sessions, host, &sp, &watch, &err);
    if (!s) {
        drop_item(it);
        char *msg = xasprintf("exec_command failed: %s", err.message);
        codex_error_clear(&err);
        run_finish(r, msg);
        return;
    }
    json_object_set_new(it->item, "processId", json_sprintf("%d", exec_session_pid(s)));
    tool_emit_item(host, TOOL_EV_ITEM_STARTED, it->item);
    struct exec_wait *w = xcalloc(1, sizeof *w);
    w->call = call;
    w->run = r;
    w->started_ns = it->started_ns;
    w->max_output_tokens = max_tokens_of(r->args);
    uint64_t wait_ms = r->local_shell ? r->timeout_ms
                                      : clamp_yield(json_object_get(r->args, "yield_time_ms"), DEFAULT_EXEC_YIELD_MS);
    exec_session_wait(s, wait_ms, on_ready, w, free_wait);
}

static void on_answer(void *ud, enum review_decision decision)
{
    struct exec_run *r = ud;
    r->ask = NULL;
    bool approved = decision == REVIEW_APPROVED || decision == REVIEW_APPROVED_FOR_SESSION ||
                    decision == REVIEW_APPROVED_ALWAYS;
    if (approved) {
        free(r->denied_result);
        r->denied_result = NULL;
        start(r, r->unsandboxed_if_approved);
        return;
    }
    /* A declined retry leaves the sandboxed run's result standing. */
    const struct tool_host *host = r->call->host;
    const char *note = decision == REVIEW_DENIED && host->ops->denial_note ? host->ops->denial_note(host->ctx) : NULL;
    char *out = note ? approval_rejected_message(note)
                : r->denied_result && decision == REVIEW_DENIED ? r->denied_result : approval_denied_message();
    if (out == r->denied_result)
        r->denied_result = NULL;
    run_finish(r, out);
}

static void ask_user(struct exec_run *r, const char *reason, bool retry)
{
    struct tool_call *call = r->call;
    char *command = ep_shlex_join((const char *const *)r->argv.v, r->argv.n);
    struct approval_request req = {
        .kind = APPROVAL_KIND_EXEC,
        .call_id = call->call_id,
        .command = command,
        .argv = (const char *const *)r->argv.v,
        .argc = r->argv.n,
        .cwd = r->cwd,
        .reason = reason,
        .proposed_prefix = retry ? NULL : (const char *const *)r->prefix.v,
        .n_proposed_prefix = retry ? 0 : r->prefix.n,
        .retry = retry,
        .session_key = r->session_key,
    };
    r->ask = call->host->ops->ask(call->host->ctx, &req, on_answer, r);
    free(command);
}

/* Decide and go: run, refuse, or ask first.  Takes r. */
static void gate(struct exec_run *r, bool retry, char *sandboxed_result)
{
    struct tool_call *call = r->call;
    struct tool_host *host = call->host;
    char *why = NULL;
    int escalation = retry ? 0 : escalation_requested(call, r->args, &why);
    if (escalation < 0) {
        free(sandboxed_result);
        run_finish(r, why);
        return;
    }
    const char *justification = json_string_value(json_object_get(r->args, "justification"));
    struct tool_exec_request req = {
        .call_id = call->call_id,
        .argv = (const char *const *)r->argv.v,
        .argc = r->argv.n,
        .cwd = r->cwd,
        .escalation = escalation == 1,
        .justification = escalation == 1 ? justification : NULL,
        .prefix_rule = (const char *const *)r->prefix.v,
        .n_prefix_rule = r->prefix.n,
        .retry = retry,
    };
    struct tool_gate g = host->ops->gate_exec(host->ctx, &req);
    switch (g.action) {
    case TOOL_GATE_RUN:
        if (retry) {
            /* No retry may be offered: the sandboxed result stands. */
            tool_gate_clear(&g);
            run_finish(r, sandboxed_result);
            return;
        }
        start(r, false);
        break;
    case TOOL_GATE_RUN_UNSANDBOXED:
        free(sandboxed_result);
        start(r, true);
        break;
    case TOOL_GATE_REJECT:
        free(sandboxed_result);
        run_finish(r, g.message);
        g.message = NULL;
        break;
    case TOOL_GATE_ASK:
        r->unsandboxed_if_approved = g.unsandboxed_if_approved;
        r->session_key = g.session_key;
        g.session_key = NULL;
        r->denied_result = sandboxed_result;
        if (!r->prefix.n) {
            r->prefix = g.amendment; /* taken */
            g.amendment = (struct strvec)STRVEC_INIT;
        }
        /* The reference's question for a retry (core tools/orchestrator.rs). */
        ask_user(r, retry ? "command failed; retry without sandbox?" : g.message, retry);
        break;
    }
    tool_gate_clear(&g);
}

static void ask_retry(struct exec_run *r, char *sandboxed_result)
{
    gate(r, true, sandboxed_result);
}

void tool_exec_command(struct tool_call *call, json_t *args)
{
    struct tool_host *host = call->host;
    const char *cmd = json_string_value(json_object_get(args, "cmd"));
    if (!cmd) {
        tool_call_finish(call, xstrdup("failed to parse function arguments: missing field `cmd`"));
        return;
    }
    if (!host->allow_login_shell && json_is_true(json_object_get(args, "login"))) {
        /* The reference's words for it; no item, nothing runs. */
        tool_call_finish(call, xstrdup("login shell is disabled by config; omit `login` or set it to false."));
        return;
    }
    struct exec_run *r = xcalloc(1, sizeof *r);
    r->call = call;
    r->args = json_incref(args);
    build_argv(args, cmd, host->allow_login_shell, &r->argv);
    r->cwd = resolve_workdir(host, json_string_value(json_object_get(args, "workdir")));
    const char *const *argv = (const char *const *)r->argv.v;
    char *patch = NULL, *dir = NULL;
    if (patch_extract_heredoc(argv, r->argv.n, &patch, &dir)) {
        /* The shell is not involved: the patch goes to the apply_patch tool,
         * relative to the command's working directory. */
        char *where = dir ? (dir[0] == '/' ? xstrdup(dir) : fs_join(r->cwd, dir)) : xstrdup(r->cwd);
        run_free(r);
        tool_apply_patch(call, patch, where);
        free(where);
        free(patch);
        free(dir);
        return;
    }
    if (patch_is_implicit_invocation(argv, r->argv.n)) {
        run_finish(r, xstrdup(PATCH_IMPLICIT_INVOCATION_MESSAGE));
        return;
    }
    proposed_prefix(args, &r->prefix);
    gate(r, false, NULL);
}

void tool_write_stdin(struct tool_call *call, json_t *args)
{
    json_t *sid = json_object_get(args, "session_id");
    struct exec_session *s =
        json_is_number(sid) ? exec_session_find(call->host->sessions, (int)json_number_value(sid)) : NULL;
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
    w->max_output_tokens = max_tokens_of(args);
    exec_session_wait(s, clamp_yield(json_object_get(args, "yield_time_ms"), DEFAULT_WRITE_YIELD_MS), on_ready, w,
                      free_wait);
}

/* The client's own limit on a local shell command, whatever timeout_ms
 * asks for (it is only a hint). */
#define LOCAL_SHELL_DEFAULT_TIMEOUT_MS 10000
#define LOCAL_SHELL_MAX_TIMEOUT_MS (10 * 60 * 1000)

void tool_local_shell(struct tool_call *call, json_t *action)
{
    const char *type = json_string_value(json_object_get(action, "type"));
    json_t *command = json_object_get(action, "command");
    if (!json_is_object(action) || !type || strcmp(type, "exec") != 0 || !json_is_array(command) ||
        json_array_size(command) == 0) {
        tool_call_finish(call, xstrdup("local_shell call rejected: the action must be {\"type\": \"exec\", "
                                       "\"command\": [program, args...]}"));
        return;
    }
    struct exec_run *r = xcalloc(1, sizeof *r);
    r->call = call;
    r->args = json_object();
    r->local_shell = true;
    size_t i;
    json_t *word;
    json_array_foreach(command, i, word) {
        if (!json_is_string(word)) {
            run_finish(r, xstrdup("local_shell call rejected: every command word must be a string"));
            return;
        }
        strvec_push(&r->argv, json_string_value(word));
    }
    r->cwd = resolve_workdir(call->host, json_string_value(json_object_get(action, "working_directory")));
    json_t *t = json_object_get(action, "timeout_ms");
    r->timeout_ms = json_is_integer(t) && json_integer_value(t) > 0 ? (uint64_t)json_integer_value(t)
                                                                    : LOCAL_SHELL_DEFAULT_TIMEOUT_MS;
    if (r->timeout_ms > LOCAL_SHELL_MAX_TIMEOUT_MS)
        r->timeout_ms = LOCAL_SHELL_MAX_TIMEOUT_MS;
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(action, "env"), key, value)
        if (json_is_string(value) && *key && !strchr(key, '='))
            strvec_push_owned(&r->extra_env, xasprintf("%s=%s", key, json_string_value(value)));
    gate(r, false, NULL);
}
