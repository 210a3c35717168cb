/* mcpServer/elicitation/request in the TUI: an MCP tool call waiting for
 * approval (its _meta says codex_approval_kind "mcp_tool_call") is asked
 * like a command, with the reference's four choices; any other is the
 * server's own form, asked one field at a time: a yes/no or a list of
 * choices in the picker, text and numbers typed into the composer (Enter
 * sends the field).  The answer goes back as {action, content?, _meta?}. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

bool app_elicit_is_approval(const struct approval *ap)
{
    const char *kind = jstr(json_object_get(ap->params, "_meta"), "codex_approval_kind");
    return kind && strcmp(kind, "mcp_tool_call") == 0;
}

static const json_t *fields(const struct approval *ap)
{
    return json_object_get(json_object_get(ap->params, "requestedSchema"), "properties");
}

/* The field being asked (in the order the server listed them), or NULL
 * when every field has its value. */
static const json_t *current_field(const struct approval *ap, const char **name)
{
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)fields(ap), k, v) {
        if (i++ == ap->field) {
            *name = k;
            return v;
        }
    }
    return NULL;
}

/* A field's choices: [{value, title}] from enum/enumNames or oneOf
 * const/title; NULL for a free field. */
static json_t *choices(const json_t *field)
{
    json_t *out = json_array();
    const json_t *e = json_object_get(field, "enum");
    const json_t *names = json_object_get(field, "enumNames");
    const json_t *one = json_object_get(field, "oneOf");
    size_t i;
    json_t *v;
    if (json_is_array(e)) {
        json_array_foreach(e, i, v) {
            const char *title = json_string_value(json_array_get(names, i));
            if (json_is_string(v))
                json_array_append_new(out, json_pack("{s:O s:s}", "value", v, "title",
                                                     title ? title : json_string_value(v)));
        }
    } else if (json_is_array(one)) {
        json_array_foreach(one, i, v) {
            const char *c = jstr(v, "const");
            if (c)
                json_array_append_new(out, json_pack("{s:s s:s}", "value", c, "title",
                                                     jstr(v, "title") ? jstr(v, "title") : c));
        }
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void header_block(struct picker *p, const char *text, struct tstyle st)
{
    /* One header row per line of what the server wrote. */
    const char *s = text ? text : "";
    for (;;) {
        const char *nl = strchr(s, '\n');
        char *line = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
        picker_header(p, line, st);
        free(line);
        if (!nl)
            break;
        s = nl + 1;
    }
}

static char *value_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : xstrdup("");
}

static void open_approval(struct app *a, struct approval *ap)
{
    struct picker *p = &a->picker;
    const json_t *meta = json_object_get(ap->params, "_meta");
    header_block(p, jstr(ap->params, "message"), tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    char *server = xasprintf("Server: %s", jstr(ap->params, "serverName") ? jstr(ap->params, "serverName") : "");
    picker_header(p, server, TSTYLE_PLAIN);
    free(server);
    if (jstr(meta, "tool_description")) {
        picker_header(p, "", TSTYLE_PLAIN);
        header_block(p, jstr(meta, "tool_description"), tstyle_attr(TA_DIM));
    }
    const json_t *display = json_object_get(meta, "tool_params_display");
    if (json_array_size(display) > 0) {
        picker_header(p, "", TSTYLE_PLAIN);
        picker_header(p, "Arguments:", TSTYLE_PLAIN);
        size_t i;
        json_t *d;
        json_array_foreach(display, i, d) {
            const char *name = jstr(d, "display_name") ? jstr(d, "display_name") : jstr(d, "name");
            char *value = value_text(json_object_get(d, "value"));
            char *line = xasprintf("- %s: %s", name ? name : "", value);
            picker_header(p, line, tstyle_attr(TA_DIM));
            free(line);
            free(value);
        }
    }
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Allow", NULL, "accept", 'y', false);
    bool session = false, always = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(meta, "persist"), i, v) {
        session |= json_is_string(v) && strcmp(json_string_value(v), "session") == 0;
        always |= json_is_string(v) && strcmp(json_string_value(v), "always") == 0;
    }
    if (session)
        picker_add(p, "Allow for this session", NULL, "session", 'a', false);
    if (always)
        picker_add(p, "Allow and don't ask me again", NULL, "always", 'p', false);
    picker_add(p, "Cancel (esc)", NULL, "cancel", 0, false);
}

static void open_field(struct app *a, struct approval *ap, const char *name, const json_t *field)
{
    struct picker *p = &a->picker;
    const char *title = jstr(field, "title") ? jstr(field, "title") : name;
    char *label = xasprintf("%s%s", title, jstr(field, "description") ? ":" : "");
    picker_header(p, label, TSTYLE_PLAIN);
    free(label);
    if (jstr(field, "description"))
        header_block(p, jstr(field, "description"), tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    const char *type = jstr(field, "type");
    json_t *list = choices(field);
    if (type && strcmp(type, "boolean") == 0) {
        picker_add(p, "Yes", NULL, "field:true", 'y', false);
        picker_add(p, "No", NULL, "field:false", 'n', false);
    } else if (list) {
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c) {
            char *value = xasprintf("field:%zu", i);
            picker_add(p, jstr(c, "title"), NULL, value, 0, false);
            free(value);
        }
    } else {
        picker_add(p, "Type the answer and press Enter", NULL, "type", 't', false);
    }
    json_decref(list);
    picker_add(p, "Decline", NULL, "decline", 'd', false);
    picker_add(p, "Cancel (esc)", NULL, "cancel", 0, false);
}

void app_elicit_open(struct app *a)
{
    struct approval *ap = a->approvals;
    struct picker *p = &a->picker;
    if (app_elicit_is_approval(ap)) {
        open_approval(a, ap);
    } else {
        char *from = xasprintf("%s asks:", jstr(ap->params, "serverName") ? jstr(ap->params, "serverName")
                                                                         : "An MCP server");
        picker_header(p, from, tstyle_attr(TA_BOLD));
        free(from);
        header_block(p, jstr(ap->params, "message"), TSTYLE_PLAIN);
        picker_header(p, "", TSTYLE_PLAIN);
        const char *url = jstr(ap->params, "url");
        if (url) {
            char *line = xasprintf("Open: %s", url);
            picker_header(p, line, tstyle_attr(TA_UNDERLINE));
            free(line);
            picker_header(p, "", TSTYLE_PLAIN);
        }
        const char *name = NULL;
        const json_t *field = url ? NULL : current_field(ap, &name);
        if (field) {
            open_field(a, ap, name, field);
        } else {
            picker_add(p, url ? "Done" : "Accept", NULL, "accept", 'y', false);
            picker_add(p, "Decline", NULL, "decline", 'd', false);
            picker_add(p, "Cancel (esc)", NULL, "cancel", 0, false);
        }
    }
    p->numbered = true;
    p->hint = xstrdup("Press enter to confirm or esc to cancel");
}

static void history(struct app *a, bool ok, const char *text)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    char *safe = tw_sanitize(text, strlen(text), false, NULL);
    tline_adds(&l, safe, TSTYLE_PLAIN);
    free(safe);
    cell_text_add(c, &l, ok ? "✔ " : "✗ ", "  ", tstyle_fg(ok ? COL_GREEN : COL_RED));
    tline_free(&l);
    app_add_cell(a, c);
}

/* The answer goes out and the next question (if any) comes up. */
static void respond(struct app *a, json_t *result)
{
    struct approval *ap = a->approvals;
    a->approvals = ap->next;
    a->elicit_typing = false;
    tclient_respond(a->client, ap->id, result);
    app_approval_free(ap);
    if (a->pane == PANE_PICKER && a->picker.kind == PICK_APPROVAL)
        app_picker_close(a);
    if (a->approvals)
        app_picker_open(a, PICK_APPROVAL);
    app_redraw(a);
}

static void next_field(struct app *a, struct approval *ap, const char *name, json_t *value)
{
    if (!ap->content)
        ap->content = json_object();
    json_object_set_new(ap->content, name, value);
    ap->field++;
    app_picker_close(a);
    const char *next = NULL;
    if (current_field(ap, &next)) {
        app_picker_open(a, PICK_APPROVAL);
        app_redraw(a);
        return;
    }
    /* Every field answered: the form is sent. */
    const char *server = jstr(ap->params, "serverName");
    char *line = xasprintf("You answered %s's question", server ? server : "the MCP server");
    history(a, true, line);
    free(line);
    json_t *content = ap->content;
    ap->content = NULL;
    respond(a, json_pack("{s:s s:o}", "action", "accept", "content", content));
}

void app_elicit_choose(struct app *a, const char *choice)
{
    struct approval *ap = a->approvals;
    const char *server = jstr(ap->params, "serverName") ? jstr(ap->params, "serverName") : "";
    if (app_elicit_is_approval(ap)) {
        const char *tool = jstr(json_object_get(ap->params, "_meta"), "tool_name");
        const char *persist = strcmp(choice, "session") == 0  ? "session"
                              : strcmp(choice, "always") == 0 ? "always"
                                                              : NULL;
        bool accept = persist || strcmp(choice, "accept") == 0;
        char *line = accept ? xasprintf("You allowed %s to run %s%s", server, tool ? tool : "",
                                        persist && strcmp(persist, "always") == 0
                                            ? " from now on"
                                        : persist ? " for this session"
                                                  : " this time")
                            : xasprintf("You canceled the request to run %s", tool ? tool : "");
        history(a, accept, line);
        free(line);
        json_t *r = json_pack("{s:s}", "action", accept ? "accept" : "cancel");
        if (persist)
            json_object_set_new(r, "_meta", json_pack("{s:s}", "persist", persist));
        respond(a, r);
        return;
    }
    const char *name = NULL;
    const json_t *field = current_field(ap, &name);
    if (field && strncmp(choice, "field:", 6) == 0) {
        const char *v = choice + 6;
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
            next_field(a, ap, name, json_boolean(strcmp(v, "true") == 0));
        } else {
            json_t *list = choices(field);
            json_t *c = json_array_get(list, strtoul(v, NULL, 10));
            next_field(a, ap, name, json_deep_copy(json_object_get(c, "value")));
            json_decref(list);
        }
        return;
    }
    if (field && strcmp(choice, "type") == 0) {
        /* The composer takes the value; Enter sends it (app_elicit_text). */
        a->elicit_typing = true;
        app_picker_close(a);
        const char *title = jstr(field, "title") ? jstr(field, "title") : name;
        char *note = xasprintf("%s asks for %s: type it and press Enter", server, title);
        app_notice(a, note);
        free(note);
        app_redraw(a);
        return;
    }
    bool accept = strcmp(choice, "accept") == 0;
    bool decline = strcmp(choice, "decline") == 0;
    char *line = xasprintf(accept ? "You answered %s's question"
                           : decline ? "You declined %s's question"
                                     : "You canceled %s's question", server);
    history(a, accept, line);
    free(line);
    json_t *r = json_pack("{s:s}", "action", accept ? "accept" : decline ? "decline" : "cancel");
    if (accept)
        json_object_set_new(r, "content", ap->content ? json_incref(ap->content) : json_object());
    respond(a, r);
}

bool app_elicit_text(struct app *a, const char *text)
{
    struct approval *ap = a->approvals;
    if (!a->elicit_typing || !ap)
        return false;
    const char *name = NULL;
    const json_t *field = current_field(ap, &name);
    if (!field) {
        a->elicit_typing = false;
        return false;
    }
    const char *type = jstr(field, "type");
    json_t *value;
    if (type && (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0)) {
        char *end = NULL;
        double d = strtod(text, &end);
        bool integral = strcmp(type, "integer") == 0;
        if (!end || end == text || *end || !isfinite(d) || (integral && d != floor(d))) {
            char *msg = xasprintf("%s needs %s; try again", jstr(field, "title") ? jstr(field, "title") : name,
                                  integral ? "a whole number" : "a number");
            app_error_cell(a, msg);
            free(msg);
            app_redraw(a);
            return true;
        }
        value = integral ? json_integer((json_int_t)d) : json_real(d);
    } else {
        value = json_string(text);
    }
    a->elicit_typing = false;
    next_field(a, ap, name, value);
    return true;
}
