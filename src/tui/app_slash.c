/* Slash commands and the pickers they open (model and effort,
 * permissions, TUI mode), plus the pickers the session itself opens
 * (approvals, the Ctrl-C dialog).  Only commands this client and the
 * server can carry out are listed. */
#include "tui/app.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/cells.h"
#include "tui/config_edit.h"
#include "tui/highlight.h"
#include "tui/width.h"
#include "util/zipfile.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- pickers ---------------------------------------------------------------------- */

void picker_reset(struct picker *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].label);
        free(p->items[i].desc);
        free(p->items[i].value);
    }
    free(p->items);
    free(p->title);
    free(p->hint);
    free(p->context);
    tlines_free(&p->header);
    json_decref(p->data);
    memset(p, 0, sizeof *p);
}

void picker_add(struct picker *p, const char *label, const char *desc, const char *value, char key,
                bool current)
{
    p->items = xrealloc(p->items, (p->n + 1) * sizeof *p->items);
    struct pick_item *it = &p->items[p->n++];
    it->label = tw_sanitize(label, strlen(label), false, NULL);
    it->desc = desc ? tw_sanitize(desc, strlen(desc), false, NULL) : NULL;
    it->value = value ? xstrdup(value) : NULL;
    it->key = key;
    it->current = current;
    it->check = -1;
}

void picker_header(struct picker *p, const char *text, struct tstyle st)
{
    struct tline *l = tlines_push(&p->header);
    if (text && *text) {
        tline_adds(l, "  ", TSTYLE_PLAIN);
        char *safe = tw_sanitize(text, strlen(text), false, NULL);
        tline_adds(l, safe, st);
        free(safe);
    }
}

void app_picker_close(struct app *a)
{
    picker_reset(&a->picker);
    a->pane = PANE_COMPOSER;
    app_redraw(a);
}

static void open_model(struct app *a)
{
    struct picker *p = &a->picker;
    picker_header(p, "Select Model and Effort", tstyle_attr(TA_BOLD));
    picker_header(p, "Switch the model for this and future Codex sessions", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    size_t i;
    json_t *m;
    json_array_foreach(a->models, i, m) {
        if (json_is_true(json_object_get(m, "hidden")))
            continue;
        const char *slug = json_string_value(json_object_get(m, "model"));
        const char *dn = json_string_value(json_object_get(m, "displayName"));
        const char *desc = json_string_value(json_object_get(m, "description"));
        if (!slug)
            continue;
        bool cur = a->model && strcmp(a->model, slug) == 0;
        picker_add(p, dn && *dn ? dn : slug, desc, slug, 0, cur);
        if (cur)
            p->sel = p->n - 1;
    }
    if (p->n == 0 && a->model)
        picker_add(p, a->model, NULL, a->model, 0, true);
    p->numbered = true;
    p->hint = xstrdup("enter select · esc back");
}

static json_t *model_entry(struct app *a, const char *slug)
{
    size_t i;
    json_t *m;
    json_array_foreach(a->models, i, m) {
        const char *s = json_string_value(json_object_get(m, "model"));
        if (s && slug && strcmp(s, slug) == 0)
            return m;
    }
    return NULL;
}

static void open_effort(struct app *a, const char *slug)
{
    struct picker *p = &a->picker;
    json_t *m = model_entry(a, slug);
    const char *dn = json_string_value(json_object_get(m, "displayName"));
    char title[160];
    snprintf(title, sizeof title, "Select Reasoning Level for %s", dn && *dn ? dn : slug);
    picker_header(p, title, tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    const char *def = json_string_value(json_object_get(m, "defaultReasoningEffort"));
    static const struct {
        const char *value, *label;
    } names[] = {{"none", "None"},     {"minimal", "Minimal"}, {"low", "Low"},
                 {"medium", "Medium"}, {"high", "High"},       {"xhigh", "Extra high"}};
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(m, "supportedReasoningEfforts"), i, e) {
        const char *v = json_string_value(json_object_get(e, "reasoningEffort"));
        const char *desc = json_string_value(json_object_get(e, "description"));
        if (!v)
            continue;
        const char *label = v;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strcmp(names[k].value, v) == 0)
                label = names[k].label;
        char shown[64];
        snprintf(shown, sizeof shown, "%s%s", label, def && strcmp(def, v) == 0 ? " (default)" : "");
        picker_add(p, shown, desc, v, 0, false);
        if ((a->effort && strcmp(a->effort, v) == 0) || (!a->effort && def && strcmp(def, v) == 0))
            p->sel = p->n - 1;
    }
    p->numbered = true;
    p->context = xstrdup(slug);
    p->hint = xstrdup("enter select · esc back");
}

static void open_permissions(struct app *a)
{
    struct picker *p = &a->picker;
    picker_header(p, "Update Model Permissions", tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    const char *sb = a->sandbox_mode ? a->sandbox_mode : "";
    const char *ap = a->approval_policy ? a->approval_policy : "";
    bool ask = strcmp(sb, "workspaceWrite") == 0 && strcmp(ap, "on-request") == 0;
    bool full = strcmp(sb, "dangerFullAccess") == 0 && strcmp(ap, "never") == 0;
    bool ro = strcmp(sb, "readOnly") == 0;
    picker_add(p, "Ask for approval",
               "Codex can read and edit files in the workspace and run commands; it asks before "
               "going further",
               "ask", 0, ask);
    picker_add(p, "Full Access",
               "Codex can edit any file and run any command, with network access, without asking",
               "full", 0, full);
    picker_add(p, "Read Only", "Codex can read files; it asks before editing or running anything "
                               "that writes",
               "readonly", 0, ro);
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].current)
            p->sel = i;
    p->numbered = true;
}

static void open_tui_mode(struct app *a)
{
    struct picker *p = &a->picker;
    picker_header(p, "TUI mode for next launch", tstyle_attr(TA_BOLD));
    picker_header(p, "Restart to apply. Launch overrides still apply.", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Scrollback", "native terminal copy, paste and scrollback", "never", 0,
               !a->fullscreen);
    picker_add(p, "Fullscreen", "scroll within Codex's fullscreen view", "auto", 0, a->fullscreen);
    p->sel = a->fullscreen ? 1 : 0;
    p->numbered = true;
}

static void open_ctrl_c(struct app *a)
{
    struct picker *p = &a->picker;
    picker_header(p, "Task is still running", tstyle_attr(TA_BOLD));
    picker_header(p, "Choose what happens to the current task.", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Cancel task", "Stop the current task and stay in Codex", "cancel", 0, false);
    if (a->opt->remote)
        picker_add(p, "Run in background", "Exit Codex and leave the task running", "background",
                   0, false);
    picker_add(p, "Exit", "Stop the current task and exit Codex", "exit", 0, false);
    p->numbered = true;
}

const char *cell_patch_first_path(const struct cell *c);

static void open_approval(struct app *a)
{
    struct picker *p = &a->picker;
    struct approval *ap = a->approvals;
    if (!ap)
        return;
    if (strcmp(ap->method, "mcpServer/elicitation/request") == 0) {
        app_elicit_open(a);
        return;
    }
    bool exec = strcmp(ap->method, "item/commandExecution/requestApproval") == 0;
    const char *reason = json_string_value(json_object_get(ap->params, "reason"));
    bool other_thread = false;
    if (ap->network_host) {
        /* The reference's network prompt: the host, the reason, no command. */
        char *title = xasprintf("Do you want to approve network access to \"%s\"?", ap->network_host);
        picker_header(p, title, tstyle_attr(TA_BOLD));
        free(title);
        other_thread = app_agents_approval_header(a, p, ap->params);
        picker_header(p, "", TSTYLE_PLAIN);
        if (reason && *reason) {
            char *r = xasprintf("Reason: %s", reason);
            picker_header(p, r, tstyle_attr(TA_ITALIC));
            free(r);
            picker_header(p, "", TSTYLE_PLAIN);
        }
        picker_add(p, "Yes, just this once", NULL, "accept", 'y', false);
        picker_add(p, "Yes, and allow this host for this conversation", NULL, "session", 'a', false);
        picker_add(p, "Yes, and allow this host in the future", NULL, "always", 'p', false);
    } else if (exec) {
        picker_header(p, "Would you like to run the following command?", tstyle_attr(TA_BOLD));
        other_thread = app_agents_approval_header(a, p, ap->params);
        picker_header(p, "", TSTYLE_PLAIN);
        struct tline *env = tlines_push(&p->header);
        tline_adds(env, "  Environment: ", TSTYLE_PLAIN);
        tline_adds(env, "local", tstyle_attr(TA_BOLD));
        if (reason && *reason) {
            picker_header(p, "", TSTYLE_PLAIN);
            char *r = xasprintf("Reason: %s", reason);
            picker_header(p, r, tstyle_attr(TA_ITALIC));
            free(r);
        }
        picker_header(p, "", TSTYLE_PLAIN);
        struct tline *cmd = tlines_push(&p->header);
        tline_adds(cmd, "  $ ", TSTYLE_PLAIN);
        char *one = tw_sanitize(ap->command, strlen(ap->command), false, NULL);
        hl_shell(one, strlen(one), cmd);
        free(one);
        picker_header(p, "", TSTYLE_PLAIN);
        picker_add(p, "Yes, proceed", NULL, "accept", 'y', false);
        json_t *amend = json_object_get(ap->params, "proposedExecpolicyAmendment");
        if (json_is_array(amend) && json_array_size(amend) > 0) {
            struct buf b = BUF_INIT;
            size_t i;
            json_t *w;
            json_array_foreach(amend, i, w) {
                if (i)
                    buf_putc(&b, ' ');
                buf_puts(&b, json_string_value(w) ? json_string_value(w) : "");
            }
            char *label = xasprintf("Yes, and don't ask again for commands that start with `%s`",
                                    buf_cstr(&b));
            picker_add(p, label, NULL, "always", 'p', false);
            free(label);
            buf_free(&b);
        }
    } else {
        picker_header(p, "Would you like to make the following edits?", tstyle_attr(TA_BOLD));
        other_thread = app_agents_approval_header(a, p, ap->params);
        picker_header(p, "", TSTYLE_PLAIN);
        char *d = xasprintf("Description: %s", reason && *reason ? reason : "Apply proposed file edits");
        picker_header(p, d, tstyle_attr(TA_ITALIC));
        free(d);
        const char *item_id = json_string_value(json_object_get(ap->params, "itemId"));
        struct cell *c = transcript_find(&a->tr, item_id);
        const char *path = c && c->type == CT_PATCH ? cell_patch_first_path(c) : NULL;
        const char *root = json_string_value(json_object_get(ap->params, "grantRoot"));
        if (path || root) {
            struct tline *l = tlines_push(&p->header);
            tline_adds(l, "  Destination: ", TSTYLE_PLAIN);
            char *safe = tw_sanitize(path ? path : root, strlen(path ? path : root), false, NULL);
            tline_adds(l, safe, tstyle_attr(TA_BOLD));
            free(safe);
        }
        picker_header(p, "", TSTYLE_PLAIN);
        picker_add(p, "Yes, proceed", NULL, "accept", 'y', false);
        picker_add(p, "Yes, and don't ask again for these files", NULL, "session", 'a', false);
    }
    picker_add(p, "No, and tell Codex what to do differently (esc)", NULL, "cancel", 0, false);
    p->numbered = true;
    p->hint = xstrdup(other_thread ? "Press enter to confirm or esc to cancel or o to open thread"
                                   : "Press enter to confirm or esc to cancel");
}

/* The first-run sign-in choice, when the server says the provider needs an
 * OpenAI sign-in and there is none. */
static void open_login(struct app *a)
{
    struct picker *p = &a->picker;
    (void)a;
    picker_header(p, "Welcome to Codex, OpenAI's command-line coding agent", tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_header(p, "Choose how you want to use Codex.", TSTYLE_PLAIN);
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Sign in with ChatGPT",
               "Usage included with Plus, Pro, Business, and Enterprise plans", "chatgpt", 0,
               false);
    picker_add(p, "Sign in with Device Code", "Sign in from another device with a one-time code",
               "chatgptDeviceCode", 0, false);
    picker_add(p, "Sign in another way", "Use an API key or another provider", "other", 0, false);
    p->numbered = true;
    p->hint = xstrdup("Press enter to continue");
}

void app_picker_open(struct app *a, enum picker_kind kind)
{
    picker_reset(&a->picker);
    a->picker.kind = kind;
    a->help = false;
    switch (kind) {
    case PICK_MODEL:
        open_model(a);
        break;
    case PICK_EFFORT:
        break;
    case PICK_PERMISSIONS:
        open_permissions(a);
        break;
    case PICK_TUI_MODE:
        open_tui_mode(a);
        break;
    case PICK_CTRL_C:
        open_ctrl_c(a);
        break;
    case PICK_APPROVAL:
        open_approval(a);
        break;
    case PICK_LOGIN:
        open_login(a);
        break;
    case PICK_REVIEW:
    case PICK_REVIEW_BRANCH:
    case PICK_REVIEW_COMMIT:
        app_review_open(a, kind);
        break;
    case PICK_PLAN_IMPLEMENT: /* app_plan.c fills it when a plan turn ends */
    case PICK_SKILLS_MENU:
    case PICK_SKILLS_LIST:
    case PICK_SKILLS_TOGGLE:
    case PICK_HOOKS:
    case PICK_HOOK_DETAIL:
    case PICK_EXPERIMENTAL:
    case PICK_STATUSLINE:
    case PICK_TITLE:
    case PICK_THEME:
    case PICK_AGENTS:
    case PICK_APPROVE_DENIAL:
        break; /* app_manage.c and app_agents.c fill these */
    }
    a->pane = PANE_PICKER;
    app_redraw(a);
}

static void set_model(struct app *a, const char *slug, const char *effort)
{
    free(a->model);
    a->model = xstrdup(slug);
    free(a->effort);
    a->effort = effort ? xstrdup(effort) : NULL;
    /* The choice is the default for later sessions too. */
    json_t *edits = json_pack("[{s:s s:s s:s}]", "keyPath", "model", "value", slug,
                              "mergeStrategy", "replace");
    if (effort)
        json_array_append_new(edits, json_pack("{s:s s:s s:s}", "keyPath",
                                               "model_reasoning_effort", "value", effort,
                                               "mergeStrategy", "replace"));
    app_request(a, "config/batchWrite", json_pack("{s:o}", "edits", edits), NULL);
    char *note = xasprintf("Model changed to %s%s%s", slug, effort ? " " : "", effort ? effort : "");
    app_notice(a, note);
    free(note);
}

static void apply_permissions(struct app *a, const char *which)
{
    const char *label;
    if (strcmp(which, "full") == 0) {
        free(a->sandbox_mode);
        a->sandbox_mode = xstrdup("dangerFullAccess");
        free(a->approval_policy);
        a->approval_policy = xstrdup("never");
        label = "Full Access";
    } else if (strcmp(which, "readonly") == 0) {
        free(a->sandbox_mode);
        a->sandbox_mode = xstrdup("readOnly");
        free(a->approval_policy);
        a->approval_policy = xstrdup("on-request");
        label = "Read Only";
    } else {
        free(a->sandbox_mode);
        a->sandbox_mode = xstrdup("workspaceWrite");
        free(a->approval_policy);
        a->approval_policy = xstrdup("on-request");
        label = "Ask for approval";
    }
    a->policy_changed = true;
    char *note = xasprintf("Permissions changed to %s", label);
    app_notice(a, note);
    free(note);
}

void app_picker_select(struct app *a)
{
    struct picker *p = &a->picker;
    if (p->n == 0) {
        app_picker_close(a);
        return;
    }
    if (p->kind == PICK_PLAN_IMPLEMENT) {
        app_plan_select(a);
        return;
    }
    if (p->kind >= PICK_SKILLS_MENU) {
        app_manage_select(a);
        return;
    }
    struct pick_item *it = &p->items[p->sel];
    char *value = it->value ? xstrdup(it->value) : NULL;
    enum picker_kind kind = p->kind;
    char *context = p->context ? xstrdup(p->context) : NULL;
    if (kind == PICK_APPROVAL) {
        app_approval_decide(a, value ? value : "cancel");
        free(value);
        free(context);
        return;
    }
    app_picker_close(a);
    switch (kind) {
    case PICK_MODEL: {
        json_t *m = model_entry(a, value);
        if (m && json_array_size(json_object_get(m, "supportedReasoningEfforts")) > 0) {
            picker_reset(&a->picker);
            a->picker.kind = PICK_EFFORT;
            open_effort(a, value);
            a->pane = PANE_PICKER;
        } else if (value) {
            set_model(a, value, NULL);
        }
        break;
    }
    case PICK_EFFORT:
        set_model(a, context, value);
        break;
    case PICK_PERMISSIONS:
        apply_permissions(a, value);
        break;
    case PICK_TUI_MODE: {
        struct codex_error err = CODEX_ERROR_INIT;
        const char *keys[] = {"tui", "alternate_screen"};
        if (tui_config_set_string(a->opt->codex_home, keys, 2, value, &err) != 0) {
            char *m = codex_error_text(&err);
            app_error_cell(a, m);
            free(m);
            codex_error_clear(&err);
        } else {
            app_notice(a, strcmp(value, "never") == 0
                              ? "The next launch uses scrollback mode (inline)"
                              : "The next launch uses fullscreen mode");
        }
        break;
    }
    case PICK_CTRL_C:
        if (strcmp(value, "cancel") == 0) {
            app_interrupt(a);
        } else if (strcmp(value, "background") == 0) {
            app_quit(a, 0);
        } else {
            app_interrupt(a);
            app_quit(a, 0);
        }
        break;
    case PICK_APPROVAL:
        break;
    case PICK_LOGIN:
        app_login_start(a, value);
        break;
    case PICK_REVIEW:
    case PICK_REVIEW_BRANCH:
    case PICK_REVIEW_COMMIT:
        app_review_chosen(a, kind, value);
        break;
    default:
        break;
    }
    free(value);
    free(context);
    app_redraw(a);
}

/* ---- commands ------------------------------------------------------------------------------ */

static void cmd_model(struct app *a, const char *args)
{
    (void)args;
    app_picker_open(a, PICK_MODEL);
}

static void cmd_permissions(struct app *a, const char *args)
{
    (void)args;
    app_picker_open(a, PICK_PERMISSIONS);
}

static void on_renamed(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (error)
        app_error_cell(a, error);
}

static void cmd_rename(struct app *a, const char *args)
{
    while (*args == ' ')
        args++;
    if (!*args) {
        app_error_cell(a, "Usage: /rename <new name>");
        return;
    }
    if (!a->thread_id)
        return;
    char *name = tw_sanitize(args, strlen(args), false, NULL);
    app_request(a, "thread/name/set", json_pack("{s:s s:s}", "threadId", a->thread_id, "name", name),
                on_renamed);
    app_set_title(a, name);
    a->title_requested = true;
    char *note = xasprintf("Thread renamed to %s", name);
    app_notice(a, note);
    free(note);
    free(name);
}

/* Start over with a fresh thread (and a fresh view). */
static void fresh_view(struct app *a, bool clear_terminal)
{
    if (a->thread_id)
        app_request(a, "thread/unsubscribe", json_pack("{s:s}", "threadId", a->thread_id), NULL);
    a->view_from = a->tr.n;
    a->scroll = 0;
    char *shown = app_display_path(a, a->cwd);
    transcript_push(&a->tr, cell_header_new(a->opt->version, a->model, shown));
    free(shown);
    if (clear_terminal) {
        tterm_write(&a->term, "\x1b[H\x1b[2J\x1b[3J", 11);
        trender_invalidate(&a->render);
        if (!a->fullscreen) {
            trender_set_top(&a->render, 0);
            a->inline_next = a->view_from;
            a->inline_any = false;
        }
    }
}

static void cmd_new(struct app *a, const char *args)
{
    (void)args;
    fresh_view(a, false);
    app_new_thread(a);
}

static void cmd_clear(struct app *a, const char *args)
{
    (void)args;
    fresh_view(a, true);
    app_new_thread(a);
}

static void on_archived(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (error) {
        app_error_cell(a, error);
        return;
    }
    fresh_view(a, false);
    app_new_thread(a);
    app_notice(a, "Session archived; started a new one");
}

static void cmd_archive(struct app *a, const char *args)
{
    (void)args;
    if (!a->thread_id)
        return;
    app_request(a, "thread/archive", json_pack("{s:s}", "threadId", a->thread_id), on_archived);
}

static void cmd_resume(struct app *a, const char *args)
{
    (void)args;
    app_resume_open(a, false);
}

static void cmd_fork(struct app *a, const char *args)
{
    (void)args;
    if (!a->thread_id)
        return;
    char *id = xstrdup(a->thread_id);
    fresh_view(a, false);
    app_resume_thread(a, id, true, NULL);
    app_notice(a, "Forked the session; this is the copy");
    free(id);
}

static const char INIT_PROMPT[] =
    "Create an AGENTS.md file in the root of this repository for future coding agents. Look at "
    "how the project is organised first. Keep it short and concrete: the layout of the code, how "
    "to build, test and lint, the conventions the existing code follows, and anything a newcomer "
    "would trip over. If an AGENTS.md exists already, improve it instead of starting over.";

static void cmd_init(struct app *a, const char *args)
{
    (void)args;
    if (a->turn_running) {
        app_error_cell(a, "Wait for the current task to finish before /init");
        return;
    }
    app_add_cell(a, cell_user_new(INIT_PROMPT, 0));
    a->echo_pending++;
    app_submit(a, INIT_PROMPT, NULL);
}

static const char *last_agent_text(struct app *a)
{
    for (size_t i = a->tr.n; i-- > 0;)
        if (a->tr.v[i]->type == CT_AGENT && a->tr.v[i]->finished)
            return cell_agent_text(a->tr.v[i]);
    return NULL;
}

static void cmd_copy(struct app *a, const char *args)
{
    (void)args;
    const char *text = last_agent_text(a);
    if (!text || !*text) {
        app_error_cell(a, "No agent response to copy yet");
        return;
    }
    /* OSC 52: the terminal puts it on the clipboard. */
    char *b64 = base64_encode(text, strlen(text));
    char *seq = xasprintf("\x1b]52;c;%s\x07", b64);
    tterm_write(&a->term, seq, strlen(seq));
    free(seq);
    free(b64);
    app_notice(a, "Copied the last response to the clipboard");
}

static void cmd_export(struct app *a, const char *args)
{
    while (*args == ' ')
        args++;
    struct buf md = BUF_INIT;
    buf_puts(&md, "# Codex session\n\n");
    if (a->thread_title)
        buf_printf(&md, "**%s**\n\n", a->thread_title);
    for (size_t i = 0; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        if (c->type == CT_USER)
            buf_printf(&md, "## User\n\n%s\n\n", cell_user_text(c));
        else if (c->type == CT_AGENT)
            buf_printf(&md, "## Codex\n\n%s\n\n", cell_agent_text(c));
    }
    char name[80];
    snprintf(name, sizeof name, "codex-%.8s.md", a->thread_id ? a->thread_id : "session");
    char *path = *args ? (args[0] == '/' ? xstrdup(args) : fs_join(a->cwd, args))
                       : fs_join(a->cwd, name);
    if (fs_write_atomic(path, md.data ? md.data : "", md.len, 0644) != 0) {
        char *m = xasprintf("Could not write %s: %s", path, strerror(errno));
        app_error_cell(a, m);
        free(m);
    } else {
        char *m = xasprintf("Exported the conversation to %s", path);
        app_notice(a, m);
        free(m);
    }
    free(path);
    buf_free(&md);
}

static void cmd_raw(struct app *a, const char *args)
{
    (void)args;
    a->raw = !a->raw;
    app_notice(a, a->raw ? "Raw output mode on" : "Raw output mode off");
    trender_invalidate(&a->render);
}

static void cmd_tui(struct app *a, const char *args)
{
    (void)args;
    app_picker_open(a, PICK_TUI_MODE);
}

static void on_diff(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        app_error_cell(a, error);
        return;
    }
    const char *out = json_string_value(json_object_get(result, "stdout"));
    int code = (int)json_integer_value(json_object_get(result, "exitCode"));
    if (code != 0 && (!out || !*out)) {
        const char *err = json_string_value(json_object_get(result, "stderr"));
        app_error_cell(a, err && *err ? err : "git diff failed");
        return;
    }
    struct tlines lines;
    tlines_init(&lines);
    const char *s = out ? out : "";
    if (!*s) {
        tline_adds(tlines_push(&lines), "No changes.", tstyle_attr(TA_DIM));
    }
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        char *line = tw_sanitize(s, n, false, NULL);
        struct tline *l = tlines_push(&lines);
        struct tstyle st = TSTYLE_PLAIN;
        if (strncmp(line, "+++", 3) == 0 || strncmp(line, "---", 3) == 0 ||
            strncmp(line, "diff ", 5) == 0 || strncmp(line, "index ", 6) == 0)
            st = tstyle_attr(TA_BOLD);
        else if (line[0] == '@')
            st = tstyle_fg(COL_CYAN);
        else if (line[0] == '+')
            st = tstyle_fg(COL_GREEN);
        else if (line[0] == '-')
            st = tstyle_fg(COL_RED);
        tline_adds(l, line, st);
        free(line);
        if (!nl)
            break;
        s = nl + 1;
    }
    app_pager_open(a, "D I F F", &lines, false);
}

static void cmd_diff(struct app *a, const char *args)
{
    (void)args;
    /* Tracked changes, then untracked files as additions. */
    const char *script = "git rev-parse --is-inside-work-tree >/dev/null 2>&1 || "
                         "{ echo 'not inside a git repository' >&2; exit 1; }; "
                         "git --no-pager diff --no-color; "
                         "git ls-files --others --exclude-standard -z | "
                         "xargs -0 -r -n1 git --no-pager diff --no-color --no-index /dev/null";
    json_t *p = json_pack("{s:[s s s]}", "command", "bash", "-c", script);
    if (a->cwd)
        json_object_set_new(p, "cwd", json_string(a->cwd));
    app_request(a, "command/exec", p, on_diff);
}

static void status_row(struct cell *c, const char *label, const char *value, const char *dim)
{
    struct tline l;
    tline_init(&l);
    char lab[64];
    snprintf(lab, sizeof lab, "  %-20s ", label);
    tline_adds(&l, lab, tstyle_attr(TA_DIM));
    char *safe = tw_sanitize(value, strlen(value), false, NULL);
    tline_adds(&l, safe, TSTYLE_PLAIN);
    free(safe);
    if (dim)
        tline_adds(&l, dim, tstyle_attr(TA_DIM));
    cell_text_add(c, &l, NULL, "                        ", TSTYLE_PLAIN);
    tline_free(&l);
}

static void compact_number(int64_t v, char *out, size_t n)
{
    if (v >= 1000000)
        snprintf(out, n, "%.1fM", (double)v / 1e6);
    else if (v >= 1000)
        snprintf(out, n, "%.1fK", (double)v / 1e3);
    else
        snprintf(out, n, "%lld", (long long)v);
    /* "208.0K" reads as "208K". */
    char *dot = strstr(out, ".0");
    if (dot && (dot[2] == 'K' || dot[2] == 'M'))
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
}

const char *app_permissions_label(const struct app *a)
{
    const char *sb = a->sandbox_mode ? a->sandbox_mode : "";
    const char *ap = a->approval_policy ? a->approval_policy : "";
    if (strcmp(sb, "dangerFullAccess") == 0)
        return strcmp(ap, "never") == 0 ? "Full Access" : "Full Access (Ask for approval)";
    if (strcmp(sb, "readOnly") == 0)
        return strcmp(ap, "never") == 0 ? "Read Only (Never ask)" : "Read Only";
    if (strcmp(ap, "never") == 0)
        return "Workspace (Never ask)";
    if (strcmp(ap, "untrusted") == 0)
        return "Workspace (Ask for untrusted commands)";
    return "Workspace (Ask for approval)";
}

static void cmd_status(struct app *a, const char *args)
{
    (void)args;
    struct cell *echo = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "/status", tstyle_fg(COL_MAGENTA));
    cell_text_add(echo, &l, NULL, NULL, TSTYLE_PLAIN);
    app_add_cell(a, echo);
    struct cell *c = cell_text_new();
    tline_reset(&l);
    tline_adds(&l, "  ", TSTYLE_PLAIN);
    tline_adds(&l, ">_ ", tstyle_fg(COL_ACCENT));
    tline_adds(&l, "OpenAI Codex", tstyle_attr(TA_BOLD));
    char v[64];
    snprintf(v, sizeof v, " (v%s)", a->opt->version);
    tline_adds(&l, v, tstyle_attr(TA_DIM));
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    tline_reset(&l);
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    status_row(c, "Server:", a->opt->remote ? a->opt->remote : "In-process", NULL);
    char model[256];
    snprintf(model, sizeof model, "%s (reasoning %s)", app_model_display(a),
             a->effort ? a->effort : "default");
    status_row(c, "Model:", model, NULL);
    status_row(c, "Model provider:", a->provider ? a->provider : "openai", NULL);
    char *dir = app_display_path(a, a->cwd);
    status_row(c, "Directory:", dir, NULL);
    free(dir);
    status_row(c, "Permissions:", app_permissions_label(a), NULL);
    if (a->opt->config_profile)
        status_row(c, "Profile:", a->opt->config_profile, NULL);
    status_row(c, "Thread name:", a->thread_title ? a->thread_title : "<none>", NULL);
    status_row(c, "Collaboration mode:", a->plan_mode ? "Plan" : "Default", NULL);
    status_row(c, "Session:", a->thread_id ? a->thread_id : "<starting>", NULL);
    tline_reset(&l);
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    char t[32], in[32], out[32], extra[96];
    compact_number(a->tokens_total, t, sizeof t);
    compact_number(a->tokens_input, in, sizeof in);
    compact_number(a->tokens_output, out, sizeof out);
    snprintf(extra, sizeof extra, "  (%s input + %s output)", in, out);
    char total[48];
    snprintf(total, sizeof total, "%s total", t);
    status_row(c, "Token usage:", total, extra);
    if (a->context_window > 0) {
        char used[32], win[32], ctx[128];
        compact_number(a->context_used, used, sizeof used);
        compact_number(a->context_window, win, sizeof win);
        long left = 100 - (long)(a->context_used * 100 / a->context_window);
        snprintf(ctx, sizeof ctx, "%ld%% left", left < 0 ? 0 : left);
        char d[96];
        snprintf(d, sizeof d, " (%s used / %s)", used, win);
        status_row(c, "Context window:", ctx, d);
    }
    tline_free(&l);
    app_add_cell(a, c);
}

static void cmd_cd(struct app *a, const char *args)
{
    while (*args == ' ')
        args++;
    if (!*args) {
        app_error_cell(a, "Usage: /cd <directory>");
        return;
    }
    char *dir = args[0] == '/' ? xstrdup(args)
                : args[0] == '~' && a->opt->home ? xasprintf("%s%s", a->opt->home, args + 1)
                                                 : fs_join(a->cwd, args);
    if (!a->opt->remote) {
        char *real = realpath(dir, NULL);
        if (!real || !fs_is_dir(real)) {
            char *m = xasprintf("/cd %s: %s", args, real ? "not a directory" : strerror(errno));
            app_error_cell(a, m);
            free(m);
            free(real);
            free(dir);
            return;
        }
        free(dir);
        dir = real;
    }
    free(a->cwd);
    a->cwd = dir;
    char *shown = app_display_path(a, dir);
    char *m = xasprintf("Working directory is now %s", shown);
    app_notice(a, m);
    free(m);
    free(shown);
    app_write_terminal_title(a);
}

static void cmd_pwd(struct app *a, const char *args)
{
    (void)args;
    char *shown = app_display_path(a, a->cwd);
    app_notice(a, shown);
    free(shown);
}

static void cmd_ps(struct app *a, const char *args)
{
    (void)args;
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "Background terminals", tstyle_attr(TA_BOLD));
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    tline_reset(&l);
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    if (a->running_commands == 0) {
        tline_adds(&l, "No background terminals running.", TSTYLE_PLAIN);
    } else {
        char n[64];
        snprintf(n, sizeof n, "%d command%s running.", a->running_commands,
                 a->running_commands == 1 ? "" : "s");
        tline_adds(&l, n, TSTYLE_PLAIN);
    }
    cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
    tline_free(&l);
    app_add_cell(a, c);
}

/* Everything a bug report needs, kept on this machine. */
static void cmd_feedback(struct app *a, const char *args)
{
    (void)args;
    struct zipfile z;
    zipfile_init(&z);
    struct buf info = BUF_INIT;
    buf_printf(&info, "codex-c %s\nthread: %s\nname: %s\nmodel: %s\nprovider: %s\neffort: %s\n"
                      "cwd: %s\nserver: %s\nsandbox: %s\napproval: %s\nterminal: %dx%d %s\n"
                      "tokens: total=%lld input=%lld output=%lld\n",
               a->opt->version, a->thread_id ? a->thread_id : "-",
               a->thread_title ? a->thread_title : "-", a->model ? a->model : "-",
               a->provider ? a->provider : "-", a->effort ? a->effort : "default",
               a->cwd ? a->cwd : "-", a->opt->remote ? a->opt->remote : "in-process",
               a->sandbox_mode ? a->sandbox_mode : "-",
               a->approval_policy ? a->approval_policy : "-", a->w, a->h,
               a->fullscreen ? "fullscreen" : "inline", (long long)a->tokens_total,
               (long long)a->tokens_input, (long long)a->tokens_output);
    zipfile_add(&z, "session.txt", info.data, info.len);
    buf_free(&info);
    struct tlines lines;
    tlines_init(&lines);
    app_transcript_lines(a, &lines, true);
    struct buf tr = BUF_INIT;
    for (size_t i = 0; i < lines.n; i++) {
        char *t = tline_text(&lines.v[i]);
        buf_puts(&tr, t);
        buf_putc(&tr, '\n');
        free(t);
    }
    tlines_free(&lines);
    zipfile_add(&z, "transcript.txt", tr.data ? tr.data : "", tr.len);
    buf_free(&tr);
    /* The rollout is on this machine unless the server is remote. */
    size_t rlen = 0;
    char *rollout = a->thread_path ? fs_read_file(a->thread_path, 256u << 20, &rlen) : NULL;
    if (rollout) {
        const char *base = strrchr(a->thread_path, '/');
        zipfile_add(&z, base ? base + 1 : "rollout.jsonl", rollout, rlen);
        free(rollout);
    }
    char *dir = fs_join(a->opt->codex_home, "feedback");
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *name = xasprintf("codex-feedback-%.8s-%s.zip", a->thread_id ? a->thread_id : "none",
                           stamp);
    char *path = fs_join(dir, name);
    if (fs_mkdir_p(dir, 0700) != 0 || zipfile_write(&z, path) != 0) {
        char *m = xasprintf("Could not write %s: %s", path, strerror(errno));
        app_error_cell(a, m);
        free(m);
    } else {
        char *m = xasprintf("Saved the logs and this session to %s (nothing was sent)", path);
        app_notice(a, m);
        free(m);
    }
    zipfile_free(&z);
    free(path);
    free(name);
    free(dir);
}

static void cmd_exit(struct app *a, const char *args)
{
    (void)args;
    if (a->turn_running)
        app_interrupt(a);
    app_quit(a, 0);
}

/* In the reference's popup order; only what works here. */
const struct slash_command app_slash_commands[] = {
    {"model", "choose what model and reasoning effort to use", cmd_model, false},
    {"permissions", "choose what Codex is allowed to do", cmd_permissions, false},
    {"experimental", "toggle experimental features", app_cmd_experimental, false},
    {"approve", "approve one retry of a recent auto-review denial", app_cmd_approve, true},
    {"skills", "use skills to improve how Codex performs specific tasks", app_cmd_skills, true},
    {"hooks", "view and manage lifecycle hooks", app_cmd_hooks, true},
    {"review", "review my current changes and find issues", app_review_command, false},
    {"rename", "rename the current thread", cmd_rename, true},
    {"new", "start a new chat during a conversation", cmd_new, false},
    {"archive", "archive this session", cmd_archive, false},
    {"resume", "resume a saved chat", cmd_resume, false},
    {"fork", "fork the current chat", cmd_fork, false},
    {"init", "create an AGENTS.md file with instructions for Codex", cmd_init, false},
    {"plan", "switch to Plan mode", app_cmd_plan, true},
    {"copy", "copy the last response to the clipboard", cmd_copy, true},
    {"export", "export the conversation as markdown", cmd_export, true},
    {"raw", "toggle raw scrollback mode for copy-friendly terminal selection", cmd_raw, true},
    {"tui", "choose the TUI mode for the next launch", cmd_tui, true},
    {"diff", "show git diff (including untracked files)", cmd_diff, true},
    {"mention", "mention a file", app_cmd_mention, true},
    {"status", "show current session configuration and token usage", cmd_status, true},
    {"cd", "change the current working directory", cmd_cd, false},
    {"pwd", "show the current working directory", cmd_pwd, true},
    {"title", "configure which items appear in the terminal title", app_cmd_title, true},
    {"statusline", "configure which items appear in the status line", app_cmd_statusline, true},
    {"theme", "choose a syntax highlighting theme", app_cmd_theme, true},
    {"mcp", "list MCP tools; use /mcp verbose or /mcp login <name>", app_cmd_mcp, true},
    {"logout", "log out of Codex", app_cmd_logout, false},
    {"exit", "exit Codex", cmd_exit, true},
    {"feedback", "save logs and this session to a ZIP (nothing is sent)", cmd_feedback, true},
    {"ps", "list background terminals", cmd_ps, true},
    {"stop", "stop all background terminals", app_cmd_stop, true},
    {"clear", "clear the terminal and start a new chat", cmd_clear, false},
    {"subagents", "switch between this session's subagents", app_cmd_subagents, true},
    {NULL, NULL, NULL, false},
};

/* Accepted but not listed (the popup shows each command once). */
static const struct slash_command hidden_commands[] = {
    {"quit", "exit Codex", cmd_exit, true},
    /* Typed, they say in one line why they cannot run here. */
    {"agents", "open the agent command center", app_cmd_agents, true},
    {"agent", "switch between this session's subagents", app_cmd_subagents, true},
    {NULL, NULL, NULL, false},
};

size_t app_slash_matches(const char *prefix, const struct slash_command **out, size_t max)
{
    size_t n = 0, pl = strlen(prefix);
    for (const struct slash_command *c = app_slash_commands; c->name && n < max; c++)
        if (strncmp(c->name, prefix, pl) == 0)
            out[n++] = c;
    return n;
}

static const struct slash_command *find_command(const char *name, size_t len)
{
    const struct slash_command *tables[] = {app_slash_commands, hidden_commands};
    for (size_t t = 0; t < 2; t++)
        for (const struct slash_command *c = tables[t]; c->name; c++)
            if (strlen(c->name) == len && strncmp(c->name, name, len) == 0)
                return c;
    return NULL;
}

bool app_slash_run(struct app *a, const char *line)
{
    const char *name = line + 1;
    size_t len = strcspn(name, " ");
    const struct slash_command *c = find_command(name, len);
    if (!c)
        return false; /* not a command: nothing is sent */
    if (a->turn_running && !c->while_running) {
        char *m = xasprintf("'/%s' is disabled while a task is in progress.", c->name);
        app_error_cell(a, m);
        free(m);
        return true;
    }
    const char *args = name + len;
    while (*args == ' ')
        args++;
    c->run(a, args);
    app_redraw(a);
    return true;
}
