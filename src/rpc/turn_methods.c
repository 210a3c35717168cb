/* turn/start, turn/interrupt and thread/compact/start (a turn of its own). */
#include <stdlib.h>
#include <string.h>

#include "core/review.h"
#include "util/image.h"
#include "rpc/jsonrpc.h"
#include "rpc/sandbox_param.h"
#include "rpc/thread.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* The user's input as one prompt plus image URLs.  False after replying. */
static bool read_input(struct rpc_request *req, json_t *params, struct buf *prompt,
                       struct strvec *images)
{
    json_t *input = json_object_get(params, "input");
    if (!json_is_array(input)) {
        if (!input)
            rpc_reply_invalid(req, "missing field `input`");
        else
            rpc_reply_invalid(req, "invalid type for `input`, expected a sequence");
        return false;
    }
    size_t i;
    json_t *item;
    json_array_foreach(input, i, item) {
        const char *type;
        if (!rpc_get_string(req, item, "type", true, &type))
            return false;
        if (strcmp(type, "text") == 0) {
            const char *text;
            if (!rpc_get_string(req, item, "text", true, &text))
                return false;
            if (prompt->len)
                buf_puts(prompt, "\n");
            buf_puts(prompt, text);
        } else if (strcmp(type, "image") == 0) {
            const char *url;
            if (!rpc_get_string(req, item, "url", true, &url))
                return false;
            strvec_push(images, url);
        } else if (strcmp(type, "localImage") == 0) {
            const char *path;
            if (!rpc_get_string(req, item, "path", true, &path))
                return false;
            char *err = NULL;
            char *url = image_data_url(path, &err);
            if (!url) {
                rpc_reply_invalid(req, "localImage %s: %s", path, err);
                free(err);
                return false;
            }
            strvec_push_owned(images, url);
        }
        /* Skill items are read by select_skills; mentions and audio carry
         * nothing the core uses. */
    }
    return true;
}

/* The SKILL.md paths of the input's skill items {type: "skill", name,
 * path}: the core loads those skills for the turn as if named by $name. */
static void select_skills(struct rpc_thread *t, json_t *params)
{
    struct strvec paths = STRVEC_INIT;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(params, "input"), i, item) {
        const char *path = json_string_value(json_object_get(item, "path"));
        if (path && strcmp(json_string_value(json_object_get(item, "type")), "skill") == 0)
            strvec_push(&paths, path);
    }
    agent_select_skills(t->agent, &paths);
    strvec_free(&paths);
}

static void replace_string(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
}

/* sandboxPolicy becomes the thread's sandbox settings.  The config has no
 * external mode: the host confines us already, so nothing is added. */
static bool apply_sandbox_policy(struct rpc_request *req, json_t *policy, struct codex_config *cfg)
{
    struct sandbox_policy p;
    if (!rpc_read_sandbox_policy(req, policy, &p))
        return false;
    switch (p.kind) {
    case SANDBOX_KIND_READ_ONLY:
        cfg->sandbox_mode = SANDBOX_READ_ONLY;
        break;
    case SANDBOX_KIND_WORKSPACE_WRITE: {
        struct sandbox_workspace_write *w = &cfg->workspace_write;
        cfg->sandbox_mode = SANDBOX_WORKSPACE_WRITE;
        w->network_access = p.network_access;
        w->exclude_tmpdir_env_var = p.exclude_tmpdir_env_var;
        w->exclude_slash_tmp = p.exclude_slash_tmp;
        /* Roots given replace the configured ones; absent roots keep them. */
        if (json_is_array(json_object_get(policy, "writableRoots"))) {
            strvec_free(&w->writable_roots);
            for (size_t i = 0; i < p.writable_roots.n; i++)
                strvec_push(&w->writable_roots, p.writable_roots.v[i]);
        }
        break;
    }
    case SANDBOX_KIND_DANGER_FULL_ACCESS:
    case SANDBOX_KIND_EXTERNAL:
    case SANDBOX_KIND_PROFILE: /* not a SandboxPolicy the protocol can name */
        cfg->sandbox_mode = SANDBOX_DANGER_FULL_ACCESS;
        break;
    }
    sandbox_policy_free(&p);
    /* The turn's policy replaces the session's permission profile. */
    char err[512];
    if (permissions_use_legacy(cfg, err, sizeof err) != 0) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "%s", err);
        return false;
    }
    return true;
}

/* turn/start's collaborationMode, checked: {mode, settings: {model,
 * reasoning_effort, developer_instructions}}.  NULL settings when absent. */
static bool read_collaboration_mode(struct rpc_request *req, json_t *params, enum collab_mode *mode,
                                    json_t **settings)
{
    *settings = NULL;
    json_t *cm = json_object_get(params, "collaborationMode");
    if (!cm || json_is_null(cm))
        return true;
    if (!req->conn->experimental_api) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "turn/start.collaborationMode requires experimentalApi capability");
        return false;
    }
    if (!json_is_object(cm)) {
        char *what = rpc_describe_value(cm);
        rpc_reply_invalid(req, "invalid type: %s, expected struct CollaborationMode", what);
        free(what);
        return false;
    }
    const json_t *m = json_object_get(cm, "mode");
    if (!m) {
        rpc_reply_invalid(req, "missing field `mode`");
        return false;
    }
    const char *name = json_string_value(m);
    if (!collab_mode_parse(name, mode)) {
        static const char *const later[] = {"code", "custom", "execute", "pair_programming", NULL};
        for (const char *const *k = later; name && *k; k++)
            if (strcmp(name, *k) == 0) {
                rpc_reply_invalid(req, "collaboration mode `%s` is not supported; use `plan` or "
                                  "`default`", name);
                return false;
            }
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `plan`, `code`, `custom`, "
                          "`default`, `execute`, `pair_programming`", name ? name : "?");
        return false;
    }
    json_t *s = json_object_get(cm, "settings");
    if (!s) {
        rpc_reply_invalid(req, "missing field `settings`");
        return false;
    }
    static const char *const keys[] = {"model", "reasoning_effort", "developer_instructions"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(s, keys[i]);
        if (!json_is_object(s) || (v && !json_is_null(v) && !json_is_string(v))) {
            char *what = rpc_describe_value(json_is_object(s) ? v : s);
            rpc_reply_invalid(req, "invalid type: %s, expected %s", what,
                              json_is_object(s) ? "a string" : "struct Settings");
            free(what);
            return false;
        }
    }
    *settings = s;
    return true;
}

/* Per-turn overrides stay for the following turns, as the reference does. */
static bool apply_overrides(struct rpc_request *req, json_t *params, struct rpc_thread *t)
{
    const char *model, *effort, *summary, *cwd, *client_id;
    if (!rpc_get_string(req, params, "model", false, &model) ||
        !rpc_get_string(req, params, "effort", false, &effort) ||
        !rpc_get_string(req, params, "summary", false, &summary) ||
        !rpc_get_string(req, params, "cwd", false, &cwd) ||
        !rpc_get_string(req, params, "clientUserMessageId", false, &client_id))
        return false;
    json_t *schema = json_object_get(params, "outputSchema");
    if (schema && !json_is_null(schema) && !json_is_object(schema)) {
        char *what = rpc_describe_value(schema);
        rpc_reply_invalid(req, "invalid type: %s, expected a JSON schema object", what);
        free(what);
        return false;
    }
    enum collab_mode mode = COLLAB_DEFAULT;
    json_t *mode_settings;
    if (!read_collaboration_mode(req, params, &mode, &mode_settings))
        return false;
    struct approval_param approval;
    if (!rpc_read_approval(req, params, &approval))
        return false;
    json_t *sp = json_object_get(params, "sandboxPolicy");
    struct codex_config *cfg = &t->cfg;
    if (sp && !json_is_null(sp) && !apply_sandbox_policy(req, sp, cfg))
        return false;
    rpc_apply_approval(&approval, cfg);
    if (cwd) {
        if (cwd[0] != '/') {
            rpc_reply_refused(req, "cwd must be an absolute path: %s", cwd);
            return false;
        }
        /* The agent may still hold the old string (tool environment). */
        strvec_push_owned(&t->old_models, cfg->cwd);
        cfg->cwd = rpc_normalize_abs_path(cwd);
    }
    if (effort)
        replace_string(&cfg->model_reasoning_effort, effort);
    if (summary)
        replace_string(&cfg->model_reasoning_summary, summary);
    if (mode_settings) {
        /* The mode's settings replace the model and effort, for this turn
         * and the next ones; a null effort is the model's own. */
        const char *m = json_string_value(json_object_get(mode_settings, "model"));
        if (m)
            model = m;
        const char *e = json_string_value(json_object_get(mode_settings, "reasoning_effort"));
        free(cfg->model_reasoning_effort);
        cfg->model_reasoning_effort = e ? xstrdup(e) : NULL;
        agent_set_collaboration_mode(
            t->agent, mode, json_string_value(json_object_get(mode_settings, "developer_instructions")));
    }
    if (model && strcmp(model, t->model) != 0) {
        strvec_push_owned(&t->old_models, t->model);
        t->model = xstrdup(model);
        agent_set_model(t->agent, t->model);
    }
    agent_settings_changed(t->agent);
    replace_string(&t->client_message_id, client_id);
    /* The schema applies to this turn only; the agent borrows it. */
    json_decref(t->output_schema);
    t->output_schema = json_is_object(schema) ? json_incref(schema) : NULL;
    agent_set_output_schema(t->agent, t->output_schema);
    return true;
}

static void on_turn_done(void *ud, bool ok)
{
    (void)ud;
    (void)ok; /* the turn's events have told the client everything */
}

/* Answer the request, then send the notifications held in t->buffered
 * while the turn was starting. */
static void reply_then_release(struct rpc_request *req, struct rpc_thread *t, json_t *result)
{
    json_t *held = t->buffered;
    t->buffered = NULL;
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, result);
    size_t i;
    json_t *n;
    json_array_foreach(held, i, n)
        rpc_thread_notify(t, json_string_value(json_object_get(n, "method")),
                          json_incref(json_object_get(n, "params")));
    json_decref(held);
    rpc_conn_unref(c);
}

/* The thread params name, if it is not running a turn (else an error). */
static struct rpc_thread *idle_thread(struct rpc_request *req, json_t *params)
{
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    if (t && t->turn_running) {
        rpc_reply_refused(req, "a turn is already running on thread %s; interrupt it first",
                          rpc_thread_id(t));
        return NULL;
    }
    return t;
}

void rpc_turn_start(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "TurnStartParams", false);
    if (!params)
        return;
    struct rpc_thread *t = idle_thread(req, params);
    if (!t)
        return;
    /* Whoever starts a turn hears how it goes. */
    rpc_thread_subscribe(t, req->conn);
    struct buf prompt = BUF_INIT;
    struct strvec images = STRVEC_INIT;
    if (t->root) {
        /* A subagent's thread: its parent chose its settings. */
        if (read_input(req, params, &prompt, &images)) {
            t->buffered = json_array();
            select_skills(t, params);
            if (rpc_thread_child_turn(req, t, params, buf_cstr(&prompt), &images)) {
                reply_then_release(req, t, json_pack("{s:o}", "turn",
                                                     rpc_turn_json(t->turn_id, "inProgress",
                                                                   t->turn_started_ms, 0, NULL,
                                                                   NULL, "notLoaded")));
            } else {
                json_decref(t->buffered);
                t->buffered = NULL;
            }
        }
        buf_free(&prompt);
        strvec_free(&images);
        return;
    }
    json_t *before = rpc_thread_settings_json(t);
    if (!read_input(req, params, &prompt, &images) || !apply_overrides(req, params, t)) {
        json_decref(before);
        buf_free(&prompt);
        strvec_free(&images);
        return;
    }
    /* Settings are announced with the first turn and whenever a turn
     * changes them, before the turn/start answer. */
    json_t *after = rpc_thread_settings_json(t);
    if (!t->settings_announced || !json_equal(before, after)) {
        t->settings_announced = true;
        rpc_thread_notify(t, "thread/settings/updated",
                          json_pack("{s:s s:O}", "threadId", rpc_thread_id(t), "threadSettings",
                                    after));
    }
    json_decref(before);
    json_decref(after);
    /* The answer comes before the turn's first notification. */
    t->buffered = json_array();
    rpc_thread_mcp_apply_reload(t);
    select_skills(t, params);
    agent_start_turn(t->agent, buf_cstr(&prompt), &images, on_turn_done, t);
    buf_free(&prompt);
    strvec_free(&images);
    reply_then_release(req, t, json_pack("{s:o}", "turn",
                                         rpc_turn_json(t->turn_id, "inProgress", t->turn_started_ms, 0,
                                                       NULL, NULL, "notLoaded")));
}

/* turn/steer: more input for the running turn, checked against the turn
 * the client believes is running; it reaches the model with the turn's
 * next request. */
void rpc_turn_steer(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "TurnSteerParams", false);
    if (!params)
        return;
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    const char *expected;
    if (!t || !rpc_get_string(req, params, "expectedTurnId", true, &expected))
        return;
    if (!t->turn_running) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "no active turn to steer");
        return;
    }
    if (strcmp(expected, t->turn_id) != 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "expected active turn id `%s` but found `%s`",
                        expected, t->turn_id);
        return;
    }
    if (agent_reviewing(t->agent)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "cannot steer a review turn");
        return;
    }
    const char *client_id;
    if (!rpc_get_string(req, params, "clientUserMessageId", false, &client_id))
        return;
    struct buf prompt = BUF_INIT;
    struct strvec images = STRVEC_INIT;
    if (read_input(req, params, &prompt, &images)) {
        if (!prompt.len && !images.n) {
            rpc_reply_refused(req, "input must not be empty");
        } else {
            if (!t->steer_client_ids)
                t->steer_client_ids = json_array();
            json_array_append_new(t->steer_client_ids,
                                  client_id ? json_string(client_id) : json_null());
            agent_steer(t->agent, buf_cstr(&prompt), &images);
            rpc_reply(req, json_pack("{s:s}", "turnId", t->turn_id));
        }
    }
    buf_free(&prompt);
    strvec_free(&images);
}

void rpc_turn_interrupt(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "TurnInterruptParams", false);
    if (!params)
        return;
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    const char *turn_id;
    if (!t || !rpc_get_string(req, params, "turnId", true, &turn_id))
        return;
    if (!t->turn_running || strcmp(turn_id, t->turn_id) != 0) {
        rpc_reply_refused(req, "no running turn %s on thread %s", turn_id, rpc_thread_id(t));
        return;
    }
    /* The agent kills the turn's process groups; its events stop here and
     * the client hears of the end from us. */
    t->interrupting = true;
    /* Questions still open are withdrawn by the core (the client hears
     * serverRequest/resolved); an answer that comes later is ignored. */
    agent_interrupt(t->agent);
    t->interrupting = false;
    rpc_reply(req, NULL);
    rpc_thread_end_turn(t, "interrupted", NULL);
}

/* /stop in the TUI: the thread's background terminals are killed; a
 * running turn goes on, and a call waiting on one of them gets its end. */
void rpc_thread_background_terminals_clean(struct rpc_request *req)
{
    if (!req->conn->experimental_api) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "thread/backgroundTerminals/clean requires experimentalApi capability");
        return;
    }
    json_t *params = rpc_params(req, "ThreadBackgroundTerminalsCleanParams", false);
    if (!params)
        return;
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    if (!t)
        return;
    agent_stop_background_terminals(t->agent);
    rpc_reply(req, json_object());
}

void rpc_thread_compact_start(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadCompactStartParams", false);
    struct rpc_thread *t = params ? idle_thread(req, params) : NULL;
    if (!t)
        return;
    rpc_thread_subscribe(t, req->conn);
    /* As for turn/start: the (empty) answer comes before the notifications
     * of the compaction turn. */
    t->buffered = json_array();
    agent_compact_now(t->agent, on_turn_done, t);
    reply_then_release(req, t, json_object());
}

void rpc_review_start(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ReviewStartParams", false);
    if (!params)
        return;
    const char *delivery = json_string_value(json_object_get(params, "delivery"));
    if (delivery && strcmp(delivery, "inline") != 0) {
        rpc_reply_refused(req, "delivery must be \"inline\" (to review on another thread, start "
                               "one and review there)");
        return;
    }
    struct review_target target;
    const char *why = NULL;
    if (!review_target_from_json(json_object_get(params, "target"), &target, &why)) {
        rpc_reply_invalid(req, "%s", why);
        return;
    }
    struct rpc_thread *t = idle_thread(req, params);
    if (!t)
        return;
    rpc_thread_subscribe(t, req->conn);
    t->buffered = json_array();
    agent_start_review(t->agent, &target, on_turn_done, t);
    reply_then_release(req, t, json_pack("{s:o s:s}", "turn",
                                         rpc_turn_json(t->turn_id, "inProgress", t->turn_started_ms, 0, NULL, NULL,
                                                       "notLoaded"),
                                         "reviewThreadId", rpc_thread_id(t)));
}

/* thread/shellCommand: a command the user runs themselves.  On an idle
 * thread it is a turn of its own; during a turn it joins that turn. */
void rpc_thread_shell_command(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadShellCommandParams", false);
    if (!params)
        return;
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    const char *command;
    if (!t || !rpc_get_string(req, params, "command", true, &command))
        return;
    if (!command[strspn(command, " \t\r\n")]) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "command must not be empty");
        return;
    }
    rpc_thread_subscribe(t, req->conn);
    if (t->turn_running) {
        agent_user_shell(t->agent, command, NULL, NULL);
        rpc_reply(req, json_object());
        return;
    }
    t->buffered = json_array();
    t->quiet_turn = true;
    agent_user_shell(t->agent, command, on_turn_done, t);
    reply_then_release(req, t, json_object());
}
