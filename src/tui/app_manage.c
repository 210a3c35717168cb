/* Commands that show or change what the app server manages: MCP servers
 * (/mcp, mcpServerStatus/list), skills (/skills, skills/list and
 * skills/config/write), lifecycle hooks (/hooks, hooks/list), experimental
 * features (/experimental, experimentalFeature/list and config/batchWrite),
 * background terminals (/stop, thread/backgroundTerminals/clean), the
 * sign-out (/logout, account/logout) and /mention.  Each asks the server,
 * so they behave the same in process and under --remote.  The commands
 * this build cannot carry out say so in one line instead of doing nothing. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/highlight.h"
#include "tui/width.h"
#include "util/xalloc.h"

bool app_failed(struct app *a, const char *what, const char *error)
{
    if (!error)
        return false;
    char *m = xasprintf("%s: %s", what, error);
    app_error_cell(a, m);
    free(m);
    app_redraw(a);
    return true;
}

void app_echo_command(struct app *a, const char *line)
{
    struct cell *echo = cell_text_new();
    struct tline l;
    tline_init(&l);
    char *safe = tw_sanitize(line, strlen(line), false, NULL);
    tline_adds(&l, safe, tstyle_fg(COL_MAGENTA));
    free(safe);
    cell_text_add(echo, &l, NULL, NULL, TSTYLE_PLAIN);
    tline_free(&l);
    app_add_cell(a, echo);
}

static void text_line(struct cell *c, const char *indent, const char *text, struct tstyle st)
{
    struct tline l;
    tline_init(&l);
    tline_adds(&l, indent, TSTYLE_PLAIN);
    char *safe = tw_sanitize(text, strlen(text), false, NULL);
    tline_adds(&l, safe, st);
    free(safe);
    /* Wrapped rows line up under the text, past the indent. */
    char *rest = xasprintf("%*s", (int)strlen(indent) + 2, "");
    cell_text_add(c, &l, NULL, rest, TSTYLE_PLAIN);
    free(rest);
    tline_free(&l);
}

static void blank_line(struct cell *c)
{
    struct tline l;
    tline_init(&l);
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    tline_free(&l);
}

static void open_manage_picker(struct app *a, enum picker_kind kind)
{
    picker_reset(&a->picker);
    a->picker.kind = kind;
    a->help = false;
}

static void show_manage_picker(struct app *a)
{
    a->picker.fit_column = true;
    a->pane = PANE_PICKER;
    app_redraw(a);
}

/* ---- /mcp ---------------------------------------------------------------------------------- */

static const char *auth_label(const char *status)
{
    if (!status)
        return "Unknown";
    if (strcmp(status, "bearerToken") == 0)
        return "Bearer token";
    if (strcmp(status, "oAuth") == 0)
        return "OAuth";
    if (strcmp(status, "notLoggedIn") == 0)
        return "Not logged in";
    if (strcmp(status, "unsupported") == 0)
        return "Unsupported";
    return status;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* "a, b, c" of the names in a list of objects (or of an object's keys). */
static char *names_of(json_t *v, const char *field)
{
    struct buf b = BUF_INIT;
    if (json_is_object(v)) {
        /* Sorted, so the list reads the same each time. */
        size_t n = json_object_size(v), i = 0;
        const char **keys = xcalloc(n ? n : 1, sizeof *keys);
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
            keys[i++] = k;
        qsort(keys, n, sizeof *keys, cmp_str);
        for (i = 0; i < n; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", keys[i]);
        free(keys);
    } else {
        size_t i, n = 0;
        json_t *x;
        json_array_foreach(v, i, x) {
            const char *s = json_string_value(json_object_get(x, field));
            if (s)
                buf_printf(&b, "%s%s", n++ ? ", " : "", s);
        }
    }
    if (b.len == 0) {
        buf_free(&b);
        return xstrdup("(none)");
    }
    return buf_detach(&b, NULL);
}

static void show_mcp_status(struct app *a, json_t *result, const char *error, bool verbose)
{
    if (app_failed(a, "/mcp", error))
        return;
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "🔌  ", TSTYLE_PLAIN);
    tline_adds(&l, "MCP Tools", tstyle_attr(TA_BOLD));
    cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
    tline_free(&l);
    blank_line(c);
    json_t *data = json_object_get(result, "data");
    if (json_array_size(data) == 0) {
        text_line(c, "  • ", "No MCP servers configured.", tstyle_attr(TA_ITALIC));
    }
    size_t i;
    json_t *s;
    json_array_foreach(data, i, s) {
        const char *name = json_string_value(json_object_get(s, "name"));
        const char *err = json_string_value(json_object_get(s, "toolsError"));
        size_t ntools = json_object_size(json_object_get(s, "tools"));
        char *line;
        if (err)
            line = xasprintf("%s: failed (%s)", name ? name : "?", err);
        else if (json_is_null(json_object_get(s, "serverInfo")) && ntools == 0)
            line = xasprintf("%s: not connected", name ? name : "?");
        else
            line = xasprintf("%s: connected (%zu tool%s)", name ? name : "?", ntools,
                             ntools == 1 ? "" : "s");
        text_line(c, "  • ", line, TSTYLE_PLAIN);
        free(line);
        if (!verbose)
            continue;
        char *auth = xasprintf("Auth: %s",
                               auth_label(json_string_value(json_object_get(s, "authStatus"))));
        text_line(c, "    • ", auth, TSTYLE_PLAIN);
        free(auth);
        char *tools = names_of(json_object_get(s, "tools"), NULL);
        char *t = xasprintf("Tools: %s", tools);
        text_line(c, "    • ", t, TSTYLE_PLAIN);
        free(t);
        free(tools);
        char *res = names_of(json_object_get(s, "resources"), "name");
        t = xasprintf("Resources: %s", res);
        text_line(c, "    • ", t, TSTYLE_PLAIN);
        free(t);
        free(res);
        char *tpl = names_of(json_object_get(s, "resourceTemplates"), "name");
        t = xasprintf("Resource templates: %s", tpl);
        text_line(c, "    • ", t, TSTYLE_PLAIN);
        free(t);
        free(tpl);
    }
    if (!verbose && json_array_size(data) > 0) {
        blank_line(c);
        text_line(c, "  ", "Use /mcp verbose for tools and resources.", tstyle_attr(TA_DIM));
    }
    app_add_cell(a, c);
    app_redraw(a);
}

static void on_mcp_status(void *ud, json_t *result, const char *error)
{
    show_mcp_status(ud, result, error, false);
}

static void on_mcp_status_verbose(void *ud, json_t *result, const char *error)
{
    show_mcp_status(ud, result, error, true);
}

static void on_mcp_login(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        char *m = xasprintf("/mcp login: %s", error);
        app_error_cell(a, m);
        free(m);
    } else {
        const char *url = json_string_value(json_object_get(result, "authorizationUrl"));
        char *m = xasprintf("Open this URL in a browser to sign in: %s", url ? url : "(none given)");
        app_notice(a, m);
        free(m);
    }
    app_redraw(a);
}

void app_cmd_mcp(struct app *a, const char *args)
{
    char *line = xasprintf("/mcp%s%s", *args ? " " : "", args);
    app_echo_command(a, line);
    free(line);
    if (strncmp(args, "login", 5) == 0 && (args[5] == ' ' || args[5] == '\0')) {
        const char *name = args + 5;
        while (*name == ' ')
            name++;
        if (!*name) {
            app_error_cell(a, "Usage: /mcp login <server name>");
            return;
        }
        app_request(a, "mcpServer/oauth/login", json_pack("{s:s}", "name", name), on_mcp_login);
        return;
    }
    bool verbose = strcmp(args, "verbose") == 0;
    if (*args && !verbose) {
        app_error_cell(a, "Usage: /mcp [verbose | login <server name>]");
        return;
    }
    json_t *p = json_object();
    if (a->thread_id)
        json_object_set_new(p, "threadId", json_string(a->thread_id));
    app_request(a, "mcpServerStatus/list", p, verbose ? on_mcp_status_verbose : on_mcp_status);
}

/* ---- /skills ------------------------------------------------------------------------------- */

/* skills/list answers per directory; the first entry is the thread's. */
static json_t *skills_of(json_t *result)
{
    return json_object_get(json_array_get(json_object_get(result, "data"), 0), "skills");
}

static const char *skill_label(json_t *s)
{
    const char *dn = json_string_value(json_object_get(json_object_get(s, "interface"), "displayName"));
    return dn && *dn ? dn : json_string_value(json_object_get(s, "name"));
}

static const char *skill_desc(json_t *s)
{
    const char *d = json_string_value(json_object_get(json_object_get(s, "interface"), "shortDescription"));
    if (!d || !*d)
        d = json_string_value(json_object_get(s, "shortDescription"));
    if (!d || !*d)
        d = json_string_value(json_object_get(s, "description"));
    return d ? d : "";
}

static void on_skills(void *ud, json_t *result, const char *error, enum picker_kind kind)
{
    struct app *a = ud;
    if (app_failed(a, "/skills", error))
        return;
    json_t *skills = skills_of(result);
    size_t i;
    json_t *s;
    size_t shown = 0;
    json_array_foreach(skills, i, s)
        if (kind == PICK_SKILLS_TOGGLE || json_is_true(json_object_get(s, "enabled")))
            shown++;
    if (shown == 0) {
        app_notice(a, json_array_size(skills) ? "All skills are disabled. Use /skills to enable them."
                                              : "No skills found.");
        app_redraw(a);
        return;
    }
    open_manage_picker(a, kind);
    struct picker *p = &a->picker;
    p->data = json_incref(skills);
    if (kind == PICK_SKILLS_TOGGLE) {
        picker_header(p, "Enable/Disable Skills", tstyle_attr(TA_BOLD));
        picker_header(p, "Turn skills on or off. Your changes are saved automatically.",
                      tstyle_attr(TA_DIM));
        picker_header(p, "", TSTYLE_PLAIN);
    }
    json_array_foreach(skills, i, s) {
        bool enabled = json_is_true(json_object_get(s, "enabled"));
        if (kind == PICK_SKILLS_LIST && !enabled)
            continue;
        char index[24];
        snprintf(index, sizeof index, "%zu", i);
        const char *label = skill_label(s);
        if (kind == PICK_SKILLS_LIST) {
            char *d = xasprintf("[Skill] %s", skill_desc(s));
            picker_add(p, label ? label : "?", d, index, 0, false);
            free(d);
        } else {
            picker_add(p, label ? label : "?", skill_desc(s), index, 0, false);
            p->items[p->n - 1].check = enabled;
        }
    }
    if (kind == PICK_SKILLS_TOGGLE) {
        p->toggles = true;
        p->esc_saves = true;
        p->hint = xstrdup("space/enter toggle · esc close");
    } else {
        p->hint = xstrdup("enter insert · esc close");
    }
    show_manage_picker(a);
}

static void on_skills_list(void *ud, json_t *result, const char *error)
{
    on_skills(ud, result, error, PICK_SKILLS_LIST);
}

static void on_skills_toggle(void *ud, json_t *result, const char *error)
{
    on_skills(ud, result, error, PICK_SKILLS_TOGGLE);
}

static void request_skills(struct app *a, tclient_result_fn fn)
{
    json_t *p = json_object();
    if (a->cwd)
        json_object_set_new(p, "cwds", json_pack("[s]", a->cwd));
    json_object_set_new(p, "forceReload", json_true());
    app_request(a, "skills/list", p, fn);
}

void app_cmd_skills(struct app *a, const char *args)
{
    (void)args;
    open_manage_picker(a, PICK_SKILLS_MENU);
    struct picker *p = &a->picker;
    picker_header(p, "Skills", tstyle_attr(TA_BOLD));
    picker_header(p, "Choose an action", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "List skills", "Pick a skill to mention in your message", "list", 0, false);
    picker_add(p, "Enable/Disable Skills", "Enable or disable skills", "toggle", 0, false);
    p->numbered = true;
    p->hint = xstrdup("enter select · esc back");
    show_manage_picker(a);
}

static void on_skill_written(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    app_failed(a, "/skills", error);
}

static void save_skills(struct app *a)
{
    struct picker *p = &a->picker;
    int on = 0, off = 0;
    for (size_t i = 0; i < p->n; i++) {
        json_t *s = json_array_get(p->data, (size_t)atol(p->items[i].value));
        bool was = json_is_true(json_object_get(s, "enabled"));
        bool now = p->items[i].check == 1;
        const char *path = json_string_value(json_object_get(s, "path"));
        if (was == now || !path)
            continue;
        app_request(a, "skills/config/write", json_pack("{s:s s:b}", "path", path, "enabled", now),
                    on_skill_written);
        now ? on++ : off++;
    }
    app_picker_close(a);
    if (on + off == 0)
        return;
    char *m;
    if (on && off)
        m = xasprintf("Enabled %d skill%s, disabled %d skill%s", on, on == 1 ? "" : "s", off,
                      off == 1 ? "" : "s");
    else
        m = xasprintf("%s %d skill%s", on ? "Enabled" : "Disabled", on ? on : off,
                      (on ? on : off) == 1 ? "" : "s");
    app_notice(a, m);
    free(m);
}

/* ---- /hooks -------------------------------------------------------------------------------- */

static const struct {
    const char *name, *camel, *desc;
} hook_events[] = {
    {"PreToolUse", "preToolUse", "Before a tool executes"},
    {"PermissionRequest", "permissionRequest", "When permission is requested"},
    {"PostToolUse", "postToolUse", "After a tool executes"},
    {"PreCompact", "preCompact", "Before context compaction"},
    {"PostCompact", "postCompact", "After context compaction"},
    {"SessionStart", "sessionStart", "When a new session starts"},
    {"SessionEnd", "sessionEnd", "Right before a session ends"},
    {"UserPromptSubmit", "userPromptSubmit", "When the user submits a prompt"},
    {"SubagentStart", "subagentStart", "When a subagent is created"},
    {"SubagentStop", "subagentStop", "Right before a subagent ends its turn"},
    {"Stop", "stop", "Right before Codex ends its turn"},
    {"Interrupt", "interrupt", "Right before an interrupted turn is aborted"},
    {"PreModelRequest", "preModelRequest", "Before a request to the model"},
    {"PostModelRequest", "postModelRequest", "After the model answers"},
};
#define N_HOOK_EVENTS (sizeof hook_events / sizeof hook_events[0])
/* The last two are listed only when a hook is installed for them. */
#define N_HOOK_EVENTS_ALWAYS 12

static bool hook_active(json_t *h)
{
    const char *trust = json_string_value(json_object_get(h, "trustStatus"));
    return json_is_true(json_object_get(h, "enabled")) && trust &&
           (strcmp(trust, "trusted") == 0 || strcmp(trust, "managed") == 0);
}

static void on_hooks(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (app_failed(a, "/hooks", error))
        return;
    json_t *entry = json_array_get(json_object_get(result, "data"), 0);
    json_t *hooks = json_object_get(entry, "hooks");
    open_manage_picker(a, PICK_HOOKS);
    struct picker *p = &a->picker;
    p->data = json_incref(entry ? entry : json_null());
    picker_header(p, "Hooks", tstyle_attr(TA_BOLD));
    picker_header(p, "Lifecycle hooks from config and enabled plugins.", tstyle_attr(TA_DIM));
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(entry, "warnings"), i, w) {
        char *m = xasprintf("⚠ %s", json_string_value(w) ? json_string_value(w) : "");
        picker_header(p, m, tstyle_fg(TC_INDEX(3)));
        free(m);
    }
    picker_header(p, "", TSTYLE_PLAIN);
    char head[128];
    snprintf(head, sizeof head, "%-22s%-12s%-12s%s", "Event", "Installed", "Active", "Description");
    picker_header(p, head, tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    for (size_t e = 0; e < N_HOOK_EVENTS; e++) {
        int installed = 0, active = 0;
        json_t *h;
        json_array_foreach(hooks, i, h) {
            const char *ev = json_string_value(json_object_get(h, "eventName"));
            if (ev && strcmp(ev, hook_events[e].camel) == 0) {
                installed++;
                active += hook_active(h);
            }
        }
        if (e >= N_HOOK_EVENTS_ALWAYS && installed == 0)
            continue;
        char row[160];
        char ni[16], na[16];
        snprintf(ni, sizeof ni, "%d", installed);
        snprintf(na, sizeof na, "%d", active);
        snprintf(row, sizeof row, "%-22s%-12s%-12s%s", hook_events[e].name, ni, na,
                 hook_events[e].desc);
        picker_add(p, row, NULL, hook_events[e].camel, 0, false);
    }
    p->hint = xstrdup("enter details · esc close");
    show_manage_picker(a);
}

void app_cmd_hooks(struct app *a, const char *args)
{
    (void)args;
    json_t *p = json_object();
    if (a->cwd)
        json_object_set_new(p, "cwds", json_pack("[s]", a->cwd));
    app_request(a, "hooks/list", p, on_hooks);
}

/* Enter on an event: its hooks as a list of boxes (enabled or not), with
 * the selected one's details under the list.  Space or Enter flips a box
 * and saves it at once ([hooks.state."<key>"] enabled); Esc goes back to
 * the table, asked again so its counts are current. */
static void hook_details(struct app *a, const char *camel)
{
    const char *name = camel;
    for (size_t e = 0; e < N_HOOK_EVENTS; e++)
        if (strcmp(hook_events[e].camel, camel) == 0)
            name = hook_events[e].name;
    json_t *hooks = json_array();
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(a->picker.data, "hooks"), i, h) {
        const char *ev = json_string_value(json_object_get(h, "eventName"));
        if (ev && strcmp(ev, camel) == 0)
            json_array_append(hooks, h);
    }
    if (json_array_size(hooks) == 0) {
        json_decref(hooks);
        app_picker_close(a);
        char *m = xasprintf("No %s hooks are installed. Add them in hooks.json or [hooks] in "
                            "config.toml.", name);
        app_notice(a, m);
        free(m);
        return;
    }
    open_manage_picker(a, PICK_HOOK_DETAIL);
    struct picker *p = &a->picker;
    p->data = hooks;
    char *title = xasprintf("%s hooks", name);
    picker_header(p, title, tstyle_attr(TA_BOLD));
    free(title);
    picker_header(p, "Turn hooks on or off. Your changes are saved automatically.",
                  tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    json_array_foreach(hooks, i, h) {
        const char *status = json_string_value(json_object_get(h, "statusMessage"));
        char *label = xasprintf(" %zu  %s", i + 1, status && *status ? status : "Unnamed hook");
        char index[24];
        snprintf(index, sizeof index, "%zu", i);
        picker_add(p, label, NULL, index, 0, false);
        free(label);
        p->items[p->n - 1].check = json_is_true(json_object_get(h, "enabled"));
    }
    p->toggles = true;
    p->esc_saves = true;
    p->hint = xstrdup("space/enter toggle · esc back");
    show_manage_picker(a);
}

static const char *trust_label(const char *t)
{
    if (!t)
        return "Untrusted";
    if (strcmp(t, "trusted") == 0)
        return "Trusted";
    if (strcmp(t, "modified") == 0)
        return "Modified since trusted";
    if (strcmp(t, "managed") == 0)
        return "Managed";
    return "Untrusted (will not run)";
}

void app_manage_picker_extra(struct app *a, int width, struct tlines *out)
{
    (void)width;
    struct picker *p = &a->picker;
    app_items_preview(a, out);
    if (p->kind != PICK_HOOK_DETAIL || p->n == 0)
        return;
    json_t *h = json_array_get(p->data, p->sel);
    const char *ev = json_string_value(json_object_get(h, "eventName"));
    const char *event = ev ? ev : "";
    for (size_t e = 0; e < N_HOOK_EVENTS; e++)
        if (ev && strcmp(hook_events[e].camel, ev) == 0)
            event = hook_events[e].name;
    const char *matcher = json_string_value(json_object_get(h, "matcher"));
    const char *source = json_string_value(json_object_get(h, "source"));
    const char *path = json_string_value(json_object_get(h, "sourcePath"));
    const char *cmd = json_string_value(json_object_get(h, "command"));
    const char *where = source && strcmp(source, "user") == 0      ? "User config"
                        : source && strcmp(source, "project") == 0 ? "Project config"
                        : source && *source                        ? source
                                                                   : "Config";
    struct {
        const char *label;
        char *value;
    } rows[] = {
        {"Event", xstrdup(event)},
        {"Matcher", xstrdup(matcher ? matcher : "(every tool)")},
        {"Source", xasprintf("%s - %s", where, path ? path : "")},
        {"Command", xstrdup(cmd ? cmd : "")},
        {"Mode", xstrdup(json_is_true(json_object_get(h, "async")) ? "Async" : "Sync")},
        {"Timeout", xasprintf("%llds", (long long)json_integer_value(json_object_get(h, "timeoutSec")))},
        {"Trust", xstrdup(trust_label(json_string_value(json_object_get(h, "trustStatus"))))},
    };
    tlines_push(out);
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        struct tline *l = tlines_push(out);
        char lab[32];
        snprintf(lab, sizeof lab, "  %-10s", rows[k].label);
        tline_adds(l, lab, tstyle_attr(TA_DIM));
        char *safe = tw_sanitize(rows[k].value, strlen(rows[k].value), false, NULL);
        tline_adds(l, safe, TSTYLE_PLAIN);
        free(safe);
        free(rows[k].value);
    }
}

static void on_hook_written(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    app_failed(a, "/hooks: could not save", error);
}

/* A TOML key in quotes, as a keyPath segment. */
static char *toml_quoted(const char *s)
{
    struct buf b = BUF_INIT;
    buf_putc(&b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '"');
    return buf_detach(&b, NULL);
}

static void toggle_hook(struct app *a)
{
    struct picker *p = &a->picker;
    if (p->n == 0)
        return;
    struct pick_item *it = &p->items[p->sel];
    it->check = !it->check;
    json_t *h = json_array_get(p->data, p->sel);
    const char *key = json_string_value(json_object_get(h, "key"));
    if (!key)
        return;
    json_object_set_new(h, "enabled", json_boolean(it->check));
    char *q = toml_quoted(key);
    char *path = xasprintf("hooks.state.%s.enabled", q);
    json_t *edits = json_pack("[{s:s s:b s:s}]", "keyPath", path, "value", it->check == 1,
                              "mergeStrategy", "replace");
    app_request(a, "config/batchWrite", json_pack("{s:o}", "edits", edits), on_hook_written);
    free(path);
    free(q);
}

/* ---- /experimental ------------------------------------------------------------------------- */

static void on_features(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (app_failed(a, "/experimental", error))
        return;
    json_t *data = json_object_get(result, "data");
    open_manage_picker(a, PICK_EXPERIMENTAL);
    struct picker *p = &a->picker;
    p->data = json_incref(data);
    picker_header(p, "Experimental features", tstyle_attr(TA_BOLD));
    picker_header(p, "Checked features are configured on. Some experimental features take effect "
                     "only in new tasks or after restarting the Codex server.",
                  tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    size_t i;
    json_t *f;
    json_array_foreach(data, i, f) {
        const char *stage = json_string_value(json_object_get(f, "stage"));
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!stage || strcmp(stage, "beta") != 0 || !name)
            continue;
        const char *dn = json_string_value(json_object_get(f, "displayName"));
        const char *desc = json_string_value(json_object_get(f, "description"));
        picker_add(p, dn && *dn ? dn : name, desc, name, 0, false);
        p->items[p->n - 1].check = json_is_true(json_object_get(f, "enabled"));
    }
    if (p->n == 0) {
        picker_reset(&a->picker);
        app_notice(a, "No experimental features are available.");
        app_redraw(a);
        return;
    }
    p->toggles = true;
    p->esc_saves = true;
    p->hint = xstrdup("space toggle · enter save · esc save/close");
    show_manage_picker(a);
}

void app_cmd_experimental(struct app *a, const char *args)
{
    (void)args;
    app_request(a, "experimentalFeature/list", json_object(), on_features);
}

static void on_features_written(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    app_failed(a, "/experimental: could not save", error);
}

static void save_features(struct app *a)
{
    struct picker *p = &a->picker;
    json_t *edits = json_array();
    size_t i;
    json_t *f;
    for (size_t k = 0; k < p->n; k++) {
        bool was = false;
        json_array_foreach(p->data, i, f) {
            const char *name = json_string_value(json_object_get(f, "name"));
            if (name && strcmp(name, p->items[k].value) == 0)
                was = json_is_true(json_object_get(f, "enabled"));
        }
        bool now = p->items[k].check == 1;
        if (was == now)
            continue;
        char *key = xasprintf("features.%s", p->items[k].value);
        json_array_append_new(edits, json_pack("{s:s s:b s:s}", "keyPath", key, "value", now,
                                               "mergeStrategy", "replace"));
        free(key);
    }
    app_picker_close(a);
    if (json_array_size(edits) == 0) {
        json_decref(edits);
        return;
    }
    /* Saved quietly, as the reference does; a failure gets a cell. */
    app_request(a, "config/batchWrite", json_pack("{s:o}", "edits", edits), on_features_written);
}

static void save_theme(struct app *a);

/* ---- the pickers' Enter and Esc ------------------------------------------------------------ */

void app_manage_save(struct app *a)
{
    switch (a->picker.kind) {
    case PICK_STATUSLINE:
    case PICK_TITLE:
        app_items_save(a);
        break;
    case PICK_SKILLS_TOGGLE:
        save_skills(a);
        break;
    case PICK_EXPERIMENTAL:
        save_features(a);
        break;
    case PICK_HOOK_DETAIL:
        /* Each box was saved as it changed; back to the table. */
        app_picker_close(a);
        app_cmd_hooks(a, "");
        break;
    default:
        app_picker_close(a);
        break;
    }
    app_redraw(a);
}

void app_manage_select(struct app *a)
{
    struct picker *p = &a->picker;
    if (p->kind == PICK_HOOK_DETAIL) {
        toggle_hook(a);
        app_redraw(a);
        return;
    }
    if (p->kind == PICK_SKILLS_TOGGLE) {
        /* Enter ticks here too; Esc saves. */
        if (p->n)
            p->items[p->sel].check = !p->items[p->sel].check;
        app_redraw(a);
        return;
    }
    if (p->toggles) {
        app_manage_save(a);
        return;
    }
    if (p->kind == PICK_AGENTS || p->kind == PICK_APPROVE_DENIAL) {
        if (p->kind == PICK_AGENTS)
            app_agents_select(a);
        else
            app_autoreview_approve_selected(a);
        app_redraw(a);
        return;
    }
    char *value = p->n && p->items[p->sel].value ? xstrdup(p->items[p->sel].value) : NULL;
    switch (p->kind) {
    case PICK_SKILLS_MENU:
        app_picker_close(a);
        request_skills(a, value && strcmp(value, "toggle") == 0 ? on_skills_toggle : on_skills_list);
        break;
    case PICK_SKILLS_LIST: {
        json_t *s = json_array_get(p->data, value ? (size_t)atol(value) : 0);
        const char *name = json_string_value(json_object_get(s, "name"));
        char *mention = name ? xasprintf("$%s ", name) : NULL;
        app_picker_close(a);
        if (mention) {
            composer_insert(&a->comp, mention, strlen(mention));
            free(mention);
        }
        break;
    }
    case PICK_HOOKS:
        hook_details(a, value ? value : "");
        break;
    case PICK_THEME:
        save_theme(a);
        break;
    default:
        app_picker_close(a);
        break;
    }
    free(value);
    app_redraw(a);
}

/* ---- /stop, /logout, /mention -------------------------------------------------------------- */

static void on_stopped(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    app_failed(a, "/stop", error);
}

void app_cmd_stop(struct app *a, const char *args)
{
    (void)args;
    if (!a->thread_id) {
        app_notice(a, "No background terminals running.");
        return;
    }
    app_notice(a, "Stopping all background terminals.");
    app_request(a, "thread/backgroundTerminals/clean", json_pack("{s:s}", "threadId", a->thread_id),
                on_stopped);
}

static void on_logged_out(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (app_failed(a, "/logout", error))
        return;
    strvec_push(&a->after_exit, "Logged out of Codex.");
    app_quit(a, 0);
}

void app_cmd_logout(struct app *a, const char *args)
{
    (void)args;
    app_request(a, "account/logout", NULL, on_logged_out);
}

void app_cmd_mention(struct app *a, const char *args)
{
    (void)args;
    free(a->composer_next);
    a->composer_next = xstrdup("@");
}

/* ---- what this build cannot do ------------------------------------------------------------- */

void app_cmd_agents(struct app *a, const char *args)
{
    (void)args;
    app_error_cell(a, "The agent command center is not available in codex-c yet; use /subagents "
                      "to watch this session's agents and /resume to switch threads.");
}

/* ---- /theme -------------------------------------------------------------------------------- */

/* Lay every cell out again so code shows in the current colours. */
static void recolor(struct app *a)
{
    for (size_t i = 0; i < a->tr.n; i++)
        cell_restyle(a->tr.v[i]);
    trender_invalidate(&a->render);
    app_redraw(a);
}

void app_cmd_theme(struct app *a, const char *args)
{
    (void)args;
    open_manage_picker(a, PICK_THEME);
    struct picker *p = &a->picker;
    picker_header(p, "Select Syntax Theme", tstyle_attr(TA_BOLD));
    picker_header(p, "Move up/down to live preview themes", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    const char *now = hl_theme_name();
    for (const char *const *n = hl_theme_names; *n; n++) {
        bool cur = strcmp(*n, now) == 0;
        picker_add(p, *n, NULL, *n, 0, cur);
        if (cur)
            p->sel = p->n - 1;
    }
    p->context = xstrdup(now); /* restored by Esc */
    p->hint = xstrdup("enter select · esc back");
    show_manage_picker(a);
}

void app_theme_preview(struct app *a)
{
    struct picker *p = &a->picker;
    if (p->kind != PICK_THEME || p->n == 0)
        return;
    hl_set_theme(p->items[p->sel].value);
    recolor(a);
}

void app_theme_cancel(struct app *a)
{
    hl_set_theme(a->picker.context);
    recolor(a);
}

static void on_theme_written(void *ud, json_t *result, const char *error)
{
    (void)result;
    app_failed(ud, "/theme: could not save", error);
}

static void save_theme(struct app *a)
{
    struct picker *p = &a->picker;
    char *name = xstrdup(p->items[p->sel].value);
    app_picker_close(a);
    hl_set_theme(name);
    recolor(a);
    app_request(a, "config/batchWrite",
                json_pack("{s:[{s:s s:s s:s}]}", "edits", "keyPath", "tui.theme", "value", name,
                          "mergeStrategy", "replace"),
                on_theme_written);
    char *m = xasprintf("Syntax theme changed to %s", name);
    app_notice(a, m);
    free(m);
    free(name);
}
