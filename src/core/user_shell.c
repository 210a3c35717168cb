/* A command the user runs themselves (thread/shellCommand): the user's
 * shell as a login shell, outside the sandbox (the user typed it, so no
 * gate applies), in the thread's working directory.  It shows as a
 * commandExecution item with source userShell, and its result enters the
 * history as a <user_shell_command> user message, so the model knows what
 * the user saw.  With no turn running it is a turn of its own; during a
 * turn it joins that turn and its record reaches the model with the
 * turn's next request, as steering input does. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/agent_internal.h"
#include "core/context.h"
#include "policy/execpolicy.h"
#include "proc/proc.h"
#include "tools/command_actions.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/xalloc.h"

/* Output kept for the model: the head and the tail of anything longer. */
#define USER_SHELL_KEEP_BYTES (40 * 1024)

struct agent_user_shell {
    struct agent *agent;
    struct proc *proc;
    char *command;
    json_t *item;
    struct buf output; /* stdout, then stderr once the command has ended */
    struct buf errors;
    struct timespec started;
    bool own_turn;   /* a turn of its own (ended when the command ends) */
    bool abandoned;  /* the agent let go (interrupt, free): report nothing */
    struct agent_user_shell *next;
};

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *user_shell_path(const struct agent *a)
{
    const char *sh = envp_get(a->p.cfg->envp, "SHELL");
    return sh && sh[0] == '/' && access(sh, X_OK) == 0 ? sh : "/bin/bash";
}

static void unlink_run(struct agent *a, struct agent_user_shell *r)
{
    for (struct agent_user_shell **p = &a->user_shells; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            return;
        }
}

static void free_run(struct agent_user_shell *r)
{
    if (r->proc)
        proc_release(r->proc);
    json_decref(r->item);
    buf_free(&r->output);
    buf_free(&r->errors);
    free(r->command);
    free(r);
}

static void on_shell_output(void *ud, enum proc_stream stream, const char *data, size_t n)
{
    struct agent_user_shell *r = ud;
    buf_append(stream == PROC_STDERR ? &r->errors : &r->output, data, n);
    if (r->abandoned)
        return;
    char *delta = xstrndup(data, n);
    struct agent_event ev = {.kind = AGENT_EV_COMMAND_OUTPUT_DELTA, .delta = delta,
                             .item_id = json_string_value(json_object_get(r->item, "id"))};
    agent_emit(r->agent, &ev);
    free(delta);
}

/* What the model is told the user ran and saw. */
static json_t *record_message(const struct agent_user_shell *r, int code, double secs)
{
    struct buf text = BUF_INIT;
    buf_printf(&text, "<user_shell_command>\n<command>\n%s\n</command>\n<result>\nExit code: %d\n"
                      "Duration: %.4f seconds\nOutput:\n",
               r->command, code, secs);
    size_t len = r->output.len;
    const char *out = r->output.data ? r->output.data : "";
    if (len > USER_SHELL_KEEP_BYTES) {
        size_t half = USER_SHELL_KEEP_BYTES / 2;
        buf_append(&text, out, half);
        buf_printf(&text, "\n\xe2\x80\xa6%zu bytes truncated\xe2\x80\xa6\n", len - 2 * half);
        buf_append(&text, out + len - half, half);
    } else {
        buf_append(&text, out, len);
    }
    buf_puts(&text, "\n</result>\n</user_shell_command>");
    const char *texts[] = {buf_cstr(&text)};
    json_t *msg = context_message("user", texts, 1);
    buf_free(&text);
    return msg;
}

static void on_shell_exit(void *ud, const struct proc_exit *ex)
{
    struct agent_user_shell *r = ud;
    struct agent *a = r->agent;
    if (r->abandoned) {
        free_run(r);
        return;
    }
    unlink_run(a, r);
    /* As the reference reports it: all of stdout, then all of stderr. */
    buf_append(&r->output, r->errors.data ? r->errors.data : "", r->errors.len);
    double secs = seconds_since(&r->started);
    json_object_set_new(r->item, "aggregatedOutput",
                        json_stringn(r->output.data ? r->output.data : "", r->output.len));
    json_object_set_new(r->item, "exitCode", json_integer(ex->code));
    json_object_set_new(r->item, "status", json_string(ex->code == 0 ? "completed" : "failed"));
    json_object_set_new(r->item, "durationMs", json_integer((json_int_t)(secs * 1000)));
    struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = r->item};
    agent_emit(a, &completed);
    json_t *msg = record_message(r, ex->code, secs);
    if (r->own_turn || !a->done) {
        agent_ensure_context(a);
        agent_record_item(a, msg);
        json_decref(msg);
    } else {
        agent_queue_quiet_input(a, msg);
    }
    bool own = r->own_turn;
    free_run(r);
    if (own)
        agent_finish_turn(a, true, NULL);
}

static void write_task_started(struct agent *a)
{
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:{s:s s:n s:n s:n s:s} s:s s:s s:I s:I s:s}", "type",
                             "task_started", "turn_attribution", "turn_id", a->turn_id,
                             "turn_trigger", "parent_turn_id", "initiating_agent_path",
                             "root_turn_id", a->turn_id, "turn_id", a->turn_id, "root_turn_id",
                             a->turn_id, "started_at", (json_int_t)(a->turn_started_ms / 1000),
                             "model_context_window", (json_int_t)agent_context_window(a),
                             "collaboration_mode_kind", "default"));
}

void agent_user_shell(struct agent *a, const char *command, void (*done)(void *ud, bool ok),
                      void *done_ud)
{
    bool own_turn = a->done == NULL;
    if (own_turn) {
        agent_begin_turn(a, json_array(), done, done_ud);
        write_task_started(a);
    }
    struct agent_user_shell *r = xcalloc(1, sizeof *r);
    r->agent = a;
    r->own_turn = own_turn;
    r->command = xstrdup(command);
    const char *argv[] = {user_shell_path(a), "-lc", command, NULL};
    char *shown = ep_shlex_join(argv, 3);
    char id[UUID_STR_LEN];
    uuid_v4(id);
    r->item = json_pack("{s:s s:s s:s s:s s:o s:s s:s s:n s:n s:n}", "type", "commandExecution",
                        "id", id, "command", shown, "cwd", a->p.cfg->cwd, "commandActions",
                        tool_command_actions(command), "status", "inProgress", "source",
                        "userShell", "aggregatedOutput", "exitCode", "durationMs");
    free(shown);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = r->item};
    agent_emit(a, &started);
    struct tool_spawn sp = {.argv = argv, .cwd = a->p.cfg->cwd, .unsandboxed = true,
                          .split_stderr = true};
    struct proc_callbacks cb = {.on_output = on_shell_output, .on_exit = on_shell_exit, .ud = r};
    struct codex_error err = CODEX_ERROR_INIT;
    r->proc = a->host.ops->spawn(a, &sp, &cb, &err);
    if (!r->proc) {
        /* The shell would not start: the user sees why, as its output. */
        const char *why = err.message ? err.message : "the shell could not be started";
        on_shell_output(r, PROC_STDOUT, why, strlen(why));
        struct proc_exit ex = {.code = err.os_errno == ENOENT ? 127 : 126};
        codex_error_clear(&err);
        r->next = a->user_shells;
        a->user_shells = r;
        on_shell_exit(r, &ex);
        return;
    }
    proc_close_stdin(r->proc);
    r->next = a->user_shells;
    a->user_shells = r;
}

void agent_user_shells_stop(struct agent *a)
{
    struct agent_user_shell *r = a->user_shells;
    a->user_shells = NULL;
    while (r) {
        struct agent_user_shell *next = r->next;
        r->abandoned = true;
        r->next = NULL;
        /* on_exit frees it once the group is gone. */
        proc_signal(r->proc, SIGKILL);
        r = next;
    }
}
