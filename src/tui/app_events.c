/* The server's notifications become transcript cells; its requests
 * (approvals) become the approval prompt. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

bool app_title_event(struct app *a, const char *method, json_t *params);

static bool ours(struct app *a, json_t *params)
{
    const char *tid = json_string_value(json_object_get(params, "threadId"));
    return tid && a->thread_id && strcmp(tid, a->thread_id) == 0;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static struct cell *find_or_add(struct app *a, const char *id, struct cell *(*make)(const char *))
{
    struct cell *c = transcript_find(&a->tr, id);
    if (!c) {
        c = make(id);
        app_add_cell(a, c);
    }
    return c;
}

static void remove_cell(struct app *a, struct cell *c)
{
    for (size_t i = a->tr.n; i-- > 0;)
        if (a->tr.v[i] == c) {
            transcript_remove(&a->tr, i);
            if (a->view_from > i)
                a->view_from--;
            return;
        }
}

/* The user's text of a userMessage item. */
static char *user_text(const json_t *item)
{
    struct buf b = BUF_INIT;
    size_t i;
    json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        const char *t = str(part, "text");
        if (t) {
            if (b.len)
                buf_putc(&b, '\n');
            buf_puts(&b, t);
        }
    }
    return buf_detach(&b, NULL);
}

static int user_images(const json_t *item)
{
    int n = 0;
    size_t i;
    json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        const char *t = str(part, "type");
        n += t && (strcmp(t, "image") == 0 || strcmp(t, "localImage") == 0);
    }
    return n;
}

static char *reasoning_text(const json_t *item)
{
    struct buf b = BUF_INIT;
    size_t i;
    json_t *part;
    json_array_foreach(json_object_get(item, "summary"), i, part) {
        const char *t = json_string_value(part);
        if (!t)
            t = str(part, "text");
        if (t) {
            if (b.len)
                buf_puts(&b, "\n\n");
            buf_puts(&b, t);
        }
    }
    return buf_detach(&b, NULL);
}

/* A finished exploration joins the "Explored" cell right above it. */
static void add_exploration(struct app *a, const json_t *item)
{
    struct cell *last = transcript_last(&a->tr);
    if (last && last->type == CT_EXPLORED && a->tr.n > a->view_from) {
        cell_explored_add(last, item);
        app_redraw(a);
        return;
    }
    struct cell *c = cell_explored_new();
    cell_explored_add(c, item);
    app_add_cell(a, c);
}

static void item_started(struct app *a, json_t *params)
{
    json_t *item = json_object_get(params, "item");
    const char *type = str(item, "type"), *id = str(item, "id");
    if (!type)
        return;
    if (strcmp(type, "userMessage") == 0) {
        /* Our own prompts are shown when sent; this one came from another
         * client of the thread. */
        if (a->turn_running && a->echo_pending > 0) {
            a->echo_pending--;
            return;
        }
        char *t = user_text(item);
        app_add_cell(a, cell_user_new(t, user_images(item)));
        free(t);
    } else if (strcmp(type, "agentMessage") == 0) {
        struct cell *c = find_or_add(a, id, cell_agent_new);
        const char *text = str(item, "text");
        if (text && *text && strlen(text) >= strlen(cell_agent_text(c)))
            cell_agent_set(c, text);
    } else if (strcmp(type, "reasoning") == 0) {
        struct cell *c = find_or_add(a, id, cell_reasoning_new);
        char *t = reasoning_text(item);
        if (*t)
            cell_reasoning_set(c, t);
        free(t);
    } else if (strcmp(type, "commandExecution") == 0) {
        a->running_commands++;
        if (!transcript_find(&a->tr, id))
            app_add_cell(a, cell_exec_new(item));
    } else if (strcmp(type, "fileChange") == 0) {
        struct cell *c = transcript_find(&a->tr, id);
        if (c)
            cell_patch_update(c, item);
        else
            app_add_cell(a, cell_patch_new(item, a->cwd));
    } else if (strcmp(type, "collabAgentToolCall") == 0) {
        app_agents_item(a, item, false, false);
    }
    app_redraw(a);
}

static void item_completed(struct app *a, json_t *params)
{
    json_t *item = json_object_get(params, "item");
    const char *type = str(item, "type"), *id = str(item, "id");
    if (!type)
        return;
    if (strcmp(type, "enteredReviewMode") == 0) {
        char *text = xasprintf(">> Code review started: %s <<", str(item, "review") ? str(item, "review") : "");
        app_notice(a, text);
        free(text);
    } else if (strcmp(type, "exitedReviewMode") == 0) {
        /* The findings follow as the turn's answer (an agentMessage). */
        app_notice(a, "<< Code review finished >>");
    } else if (strcmp(type, "agentMessage") == 0) {
        struct cell *c = find_or_add(a, id, cell_agent_new);
        const char *text = str(item, "text");
        if (text)
            cell_agent_set(c, text);
        c->finished = true;
        cell_touch(c);
        a->answer_streaming = false;
    } else if (strcmp(type, "reasoning") == 0) {
        struct cell *c = find_or_add(a, id, cell_reasoning_new);
        char *t = reasoning_text(item);
        if (*t)
            cell_reasoning_set(c, t);
        free(t);
        c->finished = true;
    } else if (strcmp(type, "commandExecution") == 0) {
        if (a->running_commands > 0)
            a->running_commands--;
        struct cell *old = transcript_find(&a->tr, id);
        /* A command's cell appears when it ends, where it ends. */
        if (old)
            remove_cell(a, old);
        if (cell_exec_is_exploration(item)) {
            add_exploration(a, item);
        } else {
            struct cell *c = cell_exec_new(item);
            app_add_cell(a, c);
        }
    } else if (strcmp(type, "fileChange") == 0) {
        struct cell *c = transcript_find(&a->tr, id);
        if (c)
            cell_patch_update(c, item);
        else
            app_add_cell(a, cell_patch_new(item, a->cwd));
        if (c)
            c->finished = true;
    } else if (strcmp(type, "contextCompaction") == 0) {
        app_notice(a, "Context compacted");
    } else if (strcmp(type, "collabAgentToolCall") == 0) {
        app_agents_item(a, item, true, false);
    }
    app_redraw(a);
}

static void on_delta(struct app *a, json_t *params, int kind)
{
    const char *id = str(params, "itemId"), *delta = str(params, "delta");
    if (!id || !delta)
        return;
    switch (kind) {
    case 0: {
        struct cell *c = find_or_add(a, id, cell_agent_new);
        cell_agent_append(c, delta, strlen(delta));
        a->answer_streaming = true;
        break;
    }
    case 1: {
        struct cell *c = find_or_add(a, id, cell_reasoning_new);
        cell_reasoning_append(c, delta, strlen(delta));
        break;
    }
    case 2: {
        struct cell *c = transcript_find(&a->tr, id);
        if (c && c->type == CT_EXEC)
            cell_exec_output(c, delta, strlen(delta));
        break;
    }
    }
    app_redraw(a);
}

static int64_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void token_usage(struct app *a, json_t *params)
{
    json_t *u = json_object_get(params, "tokenUsage");
    json_t *total = json_object_get(u, "total"), *last = json_object_get(u, "last");
    a->tokens_total = num(total, "totalTokens");
    a->tokens_input = num(total, "inputTokens");
    a->tokens_output = num(total, "outputTokens");
    a->tokens_cached = num(total, "cachedInputTokens");
    a->context_used = num(last, "totalTokens");
    json_t *win = json_object_get(u, "modelContextWindow");
    if (json_is_integer(win))
        a->context_window = json_integer_value(win);
}

void app_turn_finished(struct app *a, const char *status, const char *error);

static void turn_completed(struct app *a, json_t *params)
{
    json_t *turn = json_object_get(params, "turn");
    const char *status = str(turn, "status");
    const char *err = str(json_object_get(turn, "error"), "message");
    /* Cells of the turn that never finished stop waiting. */
    for (size_t i = 0; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        if (!c->finished && (c->type == CT_AGENT || c->type == CT_REASONING)) {
            c->finished = true;
            cell_touch(c);
        }
        if (c->type == CT_EXEC && !c->finished) {
            c->finished = true;
            cell_touch(c);
        }
    }
    app_approvals_cancel_all(a);
    if (status && strcmp(status, "interrupted") == 0) {
        struct cell *c = cell_text_new();
        struct tline l;
        tline_init(&l);
        tline_adds(&l, "Conversation interrupted - use /feedback if something went wrong",
                   TSTYLE_PLAIN);
        cell_text_add(c, &l, "■ ", "  ", TSTYLE_PLAIN);
        tline_free(&l);
        app_add_cell(a, c);
    } else if (status && strcmp(status, "failed") == 0 && err && !a->error_shown) {
        app_error_cell(a, err);
    }
    a->error_shown = false;
    app_turn_finished(a, status, err);
}

void app_on_notification(void *ud, const char *method, json_t *params)
{
    struct app *a = ud;
    if (!method || a->quitting)
        return;
    app_agents_notification(a, method, params);
    if (app_title_event(a, method, params))
        return;
    if (app_mention_notification(a, method, params))
        return;
    if (app_autoreview_notification(a, method, params))
        return;
    if (strcmp(method, "account/login/completed") == 0) {
        app_login_completed(a, params);
        return;
    }
    if (strcmp(method, "thread/name/updated") == 0) {
        if (ours(a, params)) {
            const char *name = str(params, "threadName");
            if (!name)
                name = str(params, "name");
            app_set_title(a, name);
        }
        return;
    }
    if (strcmp(method, "serverRequest/resolved") == 0) {
        json_t *rid = json_object_get(params, "requestId");
        if (app_question_resolved(a, rid))
            return;
        for (struct approval **pp = &a->approvals; *pp; pp = &(*pp)->next) {
            if (json_equal((*pp)->id, rid)) {
                struct approval *ap = *pp;
                *pp = ap->next;
                json_decref(ap->id);
                json_decref(ap->params);
                free(ap->method);
                free(ap->command);
                free(ap);
                if (a->pane == PANE_PICKER && a->picker.kind == PICK_APPROVAL)
                    app_picker_close(a);
                break;
            }
        }
        return;
    }
    /* A deprecation names no thread; a warning may name another one. */
    if (strcmp(method, "deprecationNotice") == 0 && str(params, "summary")) {
        app_add_cell(a, cell_warning_new(str(params, "summary"), str(params, "details")));
        return;
    }
    if (strcmp(method, "warning") == 0 && str(params, "message")) {
        if (!str(params, "threadId") || ours(a, params))
            app_add_cell(a, cell_warning_new(str(params, "message"), NULL));
        return;
    }
    if (!ours(a, params) || app_plan_notification(a, method, params))
        return;
    if (strcmp(method, "turn/started") == 0) {
        const char *id = str(json_object_get(params, "turn"), "id");
        if (id) {
            free(a->turn_id);
            a->turn_id = xstrdup(id);
        }
        if (!a->turn_running) {
            /* Another client of this thread started a turn. */
            a->turn_running = true;
            a->turn_started = app_now_ns();
        }
        if (a->interrupt_requested) {
            a->interrupt_requested = false;
            app_interrupt(a);
        }
    } else if (strcmp(method, "turn/completed") == 0) {
        turn_completed(a, params);
    } else if (strcmp(method, "item/started") == 0) {
        item_started(a, params);
    } else if (strcmp(method, "item/completed") == 0) {
        item_completed(a, params);
    } else if (strcmp(method, "item/agentMessage/delta") == 0) {
        on_delta(a, params, 0);
    } else if (strcmp(method, "item/reasoning/summaryTextDelta") == 0 ||
               strcmp(method, "item/reasoning/textDelta") == 0) {
        on_delta(a, params, 1);
    } else if (strcmp(method, "item/reasoning/summaryPartAdded") == 0) {
        struct cell *c = transcript_find(&a->tr, str(params, "itemId"));
        if (c && c->type == CT_REASONING)
            cell_reasoning_append(c, "\n\n", 2);
    } else if (strcmp(method, "item/commandExecution/outputDelta") == 0) {
        on_delta(a, params, 2);
    } else if (strcmp(method, "turn/plan/updated") == 0) {
        app_add_cell(a, cell_plan_new(params));
    } else if (strcmp(method, "thread/tokenUsage/updated") == 0) {
        token_usage(a, params);
    } else if (strcmp(method, "error") == 0) {
        json_t *e = json_object_get(params, "error");
        const char *msg = str(e, "message");
        if (json_is_true(json_object_get(params, "willRetry"))) {
            free(a->retry_note);
            a->retry_note = msg ? xstrdup(msg) : NULL;
        } else if (msg) {
            app_error_cell(a, msg);
            a->error_shown = true;
        }
        app_redraw(a);
    }
}

/* ---- approvals --------------------------------------------------------------------- */

static void open_next_approval(struct app *a)
{
    if (a->approvals && a->pane != PANE_PICKER)
        app_picker_open(a, PICK_APPROVAL);
}

void app_on_server_request(void *ud, json_t *id, const char *method, json_t *params)
{
    struct app *a = ud;
    bool exec = strcmp(method, "item/commandExecution/requestApproval") == 0;
    bool file = strcmp(method, "item/fileChange/requestApproval") == 0;
    bool elicit = strcmp(method, "mcpServer/elicitation/request") == 0;
    if (strcmp(method, "item/tool/requestUserInput") == 0) {
        app_question_open(a, id, params);
        return;
    }
    if (!exec && !file && !elicit) {
        tclient_respond_error(a->client, id, JSONRPC_METHOD_NOT_FOUND,
                              "this client does not handle that request");
        return;
    }
    struct approval *ap = xcalloc(1, sizeof *ap);
    ap->id = json_incref(id);
    ap->method = xstrdup(method);
    ap->params = json_incref(params);
    if (exec)
        ap->command = cell_display_command(str(params, "command"));
    const json_t *net = json_object_get(params, "networkApprovalContext");
    if (exec && json_is_object(net)) {
        const char *host = json_string_value(json_object_get(net, "host"));
        const char *cmd = str(params, "command");
        const char *sp = cmd ? strchr(cmd, ' ') : NULL;
        ap->network_host = xstrdup(host ? host : "");
        ap->network_target = xstrdup(sp ? sp + 1 : ap->network_host);
    }
    struct approval **tail = &a->approvals;
    while (*tail)
        tail = &(*tail)->next;
    *tail = ap;
    if (exec && !ap->network_host && !app_agents_asking_child(a, params)) {
        /* The command shows as "Running" while it waits. */
        const char *item_id = str(params, "itemId");
        struct cell *c = transcript_find(&a->tr, item_id);
        if (!c) {
            json_t *item = json_pack("{s:s s:s s:s}", "id", item_id ? item_id : "", "command",
                                     str(params, "command") ? str(params, "command") : "",
                                     "status", "inProgress");
            c = cell_exec_new(item);
            json_decref(item);
            app_add_cell(a, c);
        }
        if (c->type == CT_EXEC)
            cell_exec_set_awaiting(c, true);
    }
    open_next_approval(a);
    app_notify(a, elicit && !app_elicit_is_approval(ap) ? "An MCP server has a question"
                                                        : "Codex needs your approval");
    app_redraw(a);
}

static void history_line(struct app *a, bool ok, const char *before, const char *what,
                          const char *after)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, before, TSTYLE_PLAIN);
    if (what) {
        /* Long commands are cut to keep the line short. */
        char *one = tw_sanitize(what, strlen(what), false, NULL);
        if (tw_strwidth(one) > 80) {
            int cols;
            size_t keep = tw_fit(one, strlen(one), 77, &cols);
            one[keep] = '\0';
            tline_adds(&l, one, tstyle_attr(TA_DIM));
            tline_adds(&l, "...", tstyle_attr(TA_DIM));
        } else {
            tline_adds(&l, one, tstyle_attr(TA_DIM));
        }
        free(one);
    }
    if (after)
        tline_adds(&l, after, TSTYLE_PLAIN);
    cell_text_add(c, &l, ok ? "✔ " : "✗ ", "  ", tstyle_fg(ok ? COL_GREEN : COL_RED));
    tline_free(&l);
    app_add_cell(a, c);
}

void app_approval_free(struct approval *ap)
{
    json_decref(ap->content);
    json_decref(ap->id);
    json_decref(ap->params);
    free(ap->method);
    free(ap->command);
    free(ap->network_host);
    free(ap->network_target);
    free(ap);
}

/* A network question's answer, with the line the reference leaves in the
 * transcript. */
static json_t *network_decision(struct app *a, struct approval *ap, const char *choice)
{
    const char *target = ap->network_target;
    if (strcmp(choice, "accept") == 0) {
        history_line(a, true, "You approved codex network access to ", target, " this time");
        return json_string("accept");
    }
    if (strcmp(choice, "session") == 0) {
        history_line(a, true, "You approved codex network access to ", target, " every time this session");
        return json_string("acceptForSession");
    }
    if (strcmp(choice, "always") == 0) {
        history_line(a, true, "You persisted Codex network access to ", target, NULL);
        return json_pack("{s:{s:{s:s s:s}}}", "applyNetworkPolicyAmendment", "network_policy_amendment", "host",
                         ap->network_host, "action", "allow");
    }
    history_line(a, false, "You canceled the request for codex network access to ", target, NULL);
    return json_string("cancel");
}

/* choice: "accept", "always" (p), "session" (a) or "cancel". */
void app_approval_decide(struct app *a, const char *choice)
{
    struct approval *ap = a->approvals;
    if (!ap)
        return;
    if (strcmp(ap->method, "mcpServer/elicitation/request") == 0) {
        app_elicit_choose(a, choice);
        return;
    }
    a->approvals = ap->next;
    bool exec = strcmp(ap->method, "item/commandExecution/requestApproval") == 0;
    /* A child's decision belongs to the child's transcript, not this one. */
    bool child = app_agents_asking_child(a, ap->params) != NULL;
    json_t *decision = NULL;
    if (ap->network_host) {
        decision = network_decision(a, ap, choice);
    } else if (strcmp(choice, "accept") == 0) {
        decision = json_string("accept");
        if (exec && !child)
            history_line(a, true, "You approved codex to run ", ap->command, " this time");
    } else if (strcmp(choice, "always") == 0 && exec) {
        json_t *amend = json_object_get(ap->params, "proposedExecpolicyAmendment");
        decision = json_pack("{s:{s:O}}", "acceptWithExecpolicyAmendment",
                             "execpolicy_amendment", amend ? amend : json_array());
        char *prefix = NULL;
        if (json_is_array(amend)) {
            struct buf b = BUF_INIT;
            size_t i;
            json_t *w;
            json_array_foreach(amend, i, w) {
                if (i)
                    buf_putc(&b, ' ');
                buf_puts(&b, json_string_value(w) ? json_string_value(w) : "");
            }
            prefix = buf_detach(&b, NULL);
        }
        if (!child)
            history_line(a, true, "You approved codex to always run commands that start with ",
                         prefix ? prefix : ap->command, NULL);
        free(prefix);
    } else if (strcmp(choice, "session") == 0 && !exec) {
        decision = json_string("acceptForSession");
    } else {
        decision = json_string("cancel");
        if (exec && !child)
            history_line(a, false, "You canceled the request to run ", ap->command, NULL);
        else if (!child)
            history_line(a, false, "You canceled the request to make these edits", NULL, NULL);
    }
    if (exec && !ap->network_host) {
        struct cell *c = transcript_find(&a->tr, str(ap->params, "itemId"));
        if (c && c->type == CT_EXEC)
            cell_exec_set_awaiting(c, false);
    }
    tclient_respond(a->client, ap->id, json_pack("{s:o}", "decision", decision));
    app_approval_free(ap);
    app_picker_close(a);
    open_next_approval(a);
    app_redraw(a);
}

void app_approvals_cancel_all(struct app *a)
{
    a->elicit_typing = false;
    app_question_drop_all(a);
    while (a->approvals) {
        struct approval *ap = a->approvals;
        a->approvals = ap->next;
        app_approval_free(ap);
    }
    if (a->pane == PANE_PICKER && a->picker.kind == PICK_APPROVAL)
        app_picker_close(a);
}

/* ---- replaying a stored thread --------------------------------------------------------- */

void app_replay_thread(struct app *a, const json_t *thread)
{
    size_t ti;
    json_t *turn;
    json_array_foreach(json_object_get(thread, "turns"), ti, turn) {
        size_t ii;
        json_t *item;
        json_array_foreach(json_object_get(turn, "items"), ii, item) {
            const char *type = str(item, "type");
            if (!type)
                continue;
            if (strcmp(type, "userMessage") == 0) {
                char *t = user_text(item);
                transcript_push(&a->tr, cell_user_new(t, user_images(item)));
                free(t);
            } else if (strcmp(type, "agentMessage") == 0) {
                struct cell *c = cell_agent_new(str(item, "id"));
                cell_agent_set(c, str(item, "text") ? str(item, "text") : "");
                c->finished = true;
                transcript_push(&a->tr, c);
            } else if (strcmp(type, "reasoning") == 0) {
                struct cell *c = cell_reasoning_new(str(item, "id"));
                char *t = reasoning_text(item);
                cell_reasoning_set(c, t);
                free(t);
                c->finished = true;
                transcript_push(&a->tr, c);
            } else if (strcmp(type, "commandExecution") == 0) {
                if (cell_exec_is_exploration(item))
                    add_exploration(a, item);
                else
                    transcript_push(&a->tr, cell_exec_new(item));
                struct cell *last = transcript_last(&a->tr);
                last->finished = true;
            } else if (strcmp(type, "fileChange") == 0) {
                struct cell *c = cell_patch_new(item, a->cwd);
                c->finished = true;
                transcript_push(&a->tr, c);
            } else if (strcmp(type, "plan") == 0) {
                app_plan_replay_item(a, item);
            } else if (strcmp(type, "contextCompaction") == 0) {
                transcript_push(&a->tr, cell_notice_new("Context compacted", TSTYLE_PLAIN));
            } else if (strcmp(type, "collabAgentToolCall") == 0) {
                app_agents_item(a, item, false, true);
                app_agents_item(a, item, true, true);
            }
        }
        const char *status = str(turn, "status");
        if (status && strcmp(status, "interrupted") == 0) {
            struct cell *c = cell_text_new();
            struct tline l;
            tline_init(&l);
            tline_adds(&l, "Conversation interrupted - use /feedback if something went wrong",
                       TSTYLE_PLAIN);
            cell_text_add(c, &l, "■ ", "  ", TSTYLE_PLAIN);
            tline_free(&l);
            transcript_push(&a->tr, c);
        }
        /* History for Up/Down from the resumed thread too. */
    }
    a->scroll = 0;
    app_redraw(a);
}
