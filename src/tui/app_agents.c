/* Subagents in the TUI: the agents this session's thread started (learnt
 * from its collabAgentToolCall items, named by a thread/read of each
 * child), their rows in the transcript, the /subagents picker that shows a
 * child's transcript (thread/read with its turns, in a full-screen view,
 * read again as the child's own notifications come), the message line of
 * that view (a turn/start, or turn/steer while it works, sent to the child)
 * and the label of a child's approval question. */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct agent_row {
    char *id;
    char *nickname;
    char *role;
    char *status;  /* the last CollabAgentStatus seen */
    char *message; /* its message */
    char *turn_id; /* the child's turn in flight (from its notifications), or NULL */
    bool resolved; /* the thread/read for its names answered (or failed) */
};

struct app_agents {
    struct agent_row *v;
    size_t n;
    char *watching;            /* the child shown in the full-screen view */
    const struct pager *pager; /* that view, while it is open */
    char *pager_title;         /* its title (the pointer alone may be reused) */
    bool reading;              /* a thread/read of it is in flight */
    bool reread;               /* it changed while that read was out */
    struct buf input;          /* the message typed in the view */
    unsigned ticks;
};

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static struct app_agents *agents(struct app *a)
{
    if (!a->agents)
        a->agents = xcalloc(1, sizeof *a->agents);
    return a->agents;
}

void app_agents_free(struct app *a)
{
    struct app_agents *g = a->agents;
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].id);
        free(g->v[i].nickname);
        free(g->v[i].role);
        free(g->v[i].status);
        free(g->v[i].message);
        free(g->v[i].turn_id);
    }
    buf_free(&g->input);
    free(g->v);
    free(g->watching);
    free(g->pager_title);
    free(g);
    a->agents = NULL;
}

static struct agent_row *find_row(struct app *a, const char *id)
{
    struct app_agents *g = a->agents;
    for (size_t i = 0; g && id && i < g->n; i++)
        if (strcmp(g->v[i].id, id) == 0)
            return &g->v[i];
    return NULL;
}

static void set_str(char **dst, const char *v)
{
    if (!v)
        return;
    free(*dst);
    *dst = xstrdup(v);
}

static void lookup(void *ud, const char *id, const char **nickname, const char **role)
{
    struct agent_row *r = find_row(ud, id);
    if (r) {
        *nickname = r->nickname;
        *role = r->role;
    }
}

static struct collab_names names_of(struct app *a)
{
    return (struct collab_names){.lookup = lookup, .ud = a};
}

/* "Robie [explorer]", "Robie", "[explorer]" or "Agent" (caller frees). */
static char *agent_name(const struct agent_row *r)
{
    const char *n = r && r->nickname && *r->nickname ? r->nickname : NULL;
    const char *role = r && r->role && *r->role ? r->role : NULL;
    if (n && role)
        return xasprintf("%s [%s]", n, role);
    if (n)
        return xstrdup(n);
    if (role)
        return xasprintf("[%s]", role);
    return xstrdup("Agent");
}

/* ---- names from the child's thread --------------------------------------------------------- */

/* The names changed: the rows and a child's question say them. */
static void relayout_rows(struct app *a)
{
    for (size_t i = 0; i < a->tr.n; i++)
        if (a->tr.v[i]->type == CT_COLLAB)
            cell_touch(a->tr.v[i]);
    if (a->pane == PANE_PICKER && a->picker.kind == PICK_APPROVAL && a->approvals &&
        app_agents_asking_child(a, a->approvals->params)) {
        size_t sel = a->picker.sel;
        app_picker_open(a, PICK_APPROVAL); /* its "Thread:" row */
        if (sel < a->picker.n)
            a->picker.sel = sel;
    }
    app_redraw(a);
}

static bool same(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* The nickname and role a child's Thread carries: its own fields, else its
 * source ({"subAgent": {"thread_spawn": {...}}}).  True when they changed. */
static bool names_from_thread(struct agent_row *r, const json_t *thread)
{
    const json_t *spawn =
        json_object_get(json_object_get(json_object_get(thread, "source"), "subAgent"), "thread_spawn");
    char *nick = r->nickname ? xstrdup(r->nickname) : NULL, *role = r->role ? xstrdup(r->role) : NULL;
    set_str(&r->nickname, str(spawn, "agent_nickname"));
    set_str(&r->role, str(spawn, "agent_role"));
    set_str(&r->nickname, str(thread, "agentNickname"));
    set_str(&r->role, str(thread, "agentRole"));
    bool changed = !same(nick, r->nickname) || !same(role, r->role);
    free(nick);
    free(role);
    return changed;
}

/* Whether every agent an item names has been looked up. */
static bool all_resolved(struct app *a, const json_t *item)
{
    size_t i;
    json_t *idv;
    json_array_foreach(json_object_get(item, "receiverThreadIds"), i, idv) {
        const struct agent_row *r = find_row(a, json_string_value(idv));
        if (r && !r->resolved)
            return false;
    }
    const char *key;
    json_t *st;
    json_object_foreach(json_object_get(item, "agentsStates"), key, st) {
        const struct agent_row *r = find_row(a, key);
        if (r && !r->resolved)
            return false;
    }
    return true;
}

static void on_child_named(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    struct app_agents *g = a->agents;
    if (!g)
        return;
    if (error) {
        /* Which read failed is not said: the rows waiting keep their ids. */
        for (size_t i = 0; i < g->n; i++)
            g->v[i].resolved = true;
    } else {
        const json_t *thread = json_object_get(result, "thread");
        struct agent_row *r = find_row(a, str(thread, "id"));
        if (!r)
            return;
        r->resolved = true;
        names_from_thread(r, thread);
    }
    for (size_t i = 0; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        const json_t *item = cell_collab_item(c);
        if (item && !c->finished && all_resolved(a, item))
            c->finished = true;
    }
    relayout_rows(a);
}

static struct agent_row *add_row(struct app *a, const char *id)
{
    struct agent_row *r = find_row(a, id);
    if (r || !id || !*id)
        return r;
    struct app_agents *g = agents(a);
    g->v = xrealloc(g->v, (g->n + 1) * sizeof *g->v);
    r = &g->v[g->n++];
    memset(r, 0, sizeof *r);
    r->id = xstrdup(id);
    r->status = xstrdup("pendingInit");
    if (a->client && !a->shutting_down)
        app_request(a, "thread/read", json_pack("{s:s s:b}", "threadId", id, "includeTurns", 0),
                    on_child_named);
    else
        r->resolved = true;
    return r;
}

/* ---- the rows in the transcript ------------------------------------------------------------ */

static void refresh_watched(struct app *a);

static void learn(struct app *a, const json_t *item)
{
    size_t i;
    json_t *idv;
    json_array_foreach(json_object_get(item, "receiverThreadIds"), i, idv)
        add_row(a, json_string_value(idv));
    const char *key;
    json_t *st;
    json_object_foreach(json_object_get(item, "agentsStates"), key, st) {
        struct agent_row *r = add_row(a, key);
        if (r) {
            set_str(&r->status, str(st, "status"));
            free(r->message);
            r->message = str(st, "message") ? xstrdup(str(st, "message")) : NULL;
        }
    }
    const char *tool = str(item, "tool");
    if (tool && strcmp(tool, "closeAgent") == 0 && strcmp(str(item, "status") ? str(item, "status") : "", "completed") == 0) {
        struct agent_row *r = find_row(a, json_string_value(json_array_get(json_object_get(item, "receiverThreadIds"), 0)));
        if (r)
            set_str(&r->status, "shutdown");
    }
}

/* The catalogue's default effort of a model, or NULL. */
static const char *default_effort(struct app *a, const char *model)
{
    size_t i;
    json_t *m;
    json_array_foreach(a->models, i, m) {
        const char *s = str(m, "model");
        if (s && model && strcmp(s, model) == 0)
            return str(m, "defaultReasoningEffort");
    }
    return NULL;
}

void app_agents_item(struct app *a, const json_t *item, bool completed, bool replay)
{
    learn(a, item);
    if (!cell_collab_shows(item, !completed))
        return;
    struct collab_names names = names_of(a);
    /* A child left at its model's default effort says which that is. */
    json_t *shown = json_deep_copy(item);
    const char *model = str(item, "model");
    if (model && !str(item, "reasoningEffort") && default_effort(a, model))
        json_object_set_new(shown, "reasoningEffort", json_string(default_effort(a, model)));
    struct cell *c = cell_collab_new(shown, !completed, &names);
    json_decref(shown);
    c->finished = all_resolved(a, item);
    if (transcript_find(&a->tr, c->id)) {
        cell_free(c);
        return;
    }
    if (replay) {
        transcript_push(&a->tr, c);
        return;
    }
    app_add_cell(a, c);
    refresh_watched(a);
}

/* ---- /subagents: choose a thread to watch --------------------------------------------------- */

static const char *status_word(const char *status)
{
    static const struct {
        const char *status, *word;
    } words[] = {{"pendingInit", "Pending init"}, {"running", "Running"},     {"completed", "Completed"},
                 {"errored", "Error"},            {"interrupted", "Interrupted"}, {"shutdown", "Shutdown"},
                 {"notFound", "Not found"}};
    for (size_t i = 0; status && i < sizeof words / sizeof *words; i++)
        if (strcmp(words[i].status, status) == 0)
            return words[i].word;
    return status ? status : "";
}

static bool watching_open(struct app *a)
{
    struct app_agents *g = a->agents;
    return g && g->watching && g->pager && a->pager == g->pager && g->pager_title &&
           strcmp(a->pager->title, g->pager_title) == 0;
}

void app_cmd_subagents(struct app *a, const char *args)
{
    (void)args;
    picker_reset(&a->picker);
    a->picker.kind = PICK_AGENTS;
    a->help = false;
    struct picker *p = &a->picker;
    picker_header(p, "Subagents", tstyle_attr(TA_BOLD));
    picker_header(p, "Select an agent to watch. alt+← previous, alt+→ next.", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    bool watching = watching_open(a);
    const char *main_id = a->thread_id ? a->thread_id : "";
    picker_add(p, "• Main [default]", main_id, "", 0, !watching);
    struct app_agents *g = a->agents;
    for (size_t i = 0; g && i < g->n; i++) {
        struct agent_row *r = &g->v[i];
        char *name = agent_name(r);
        char *label = xasprintf("• %s", name);
        picker_add(p, label, r->id, r->id, 0, watching && strcmp(g->watching, r->id) == 0);
        free(label);
        free(name);
    }
    if (!g || g->n == 0)
        picker_header(p, "No subagents have been started in this session.", tstyle_attr(TA_DIM));
    p->numbered = true;
    p->fit_column = true;
    p->hint = xstrdup("enter select · esc back");
    a->pane = PANE_PICKER;
    app_redraw(a);
}

/* The child's transcript as the transcript would show it, laid out by the
 * same cells in a transcript of its own. */
static void show_thread(struct app *a, const json_t *thread)
{
    struct app_agents *g = agents(a);
    struct agent_row *r = find_row(a, str(thread, "id"));
    if (!r || !g->watching || strcmp(g->watching, r->id) != 0)
        return;
    bool renamed = names_from_thread(r, thread);
    struct transcript main_tr = a->tr;
    size_t view_from = a->view_from;
    long scroll = a->scroll;
    transcript_init(&a->tr);
    a->view_from = 0;
    app_replay_thread(a, thread);
    struct tlines lines;
    tlines_init(&lines);
    app_transcript_lines(a, &lines, false);
    if (lines.n == 0) {
        struct tline *l = tlines_push(&lines);
        tline_adds(l, "  Nothing yet: this agent has not started a turn.", tstyle_attr(TA_DIM));
    }
    transcript_free(&a->tr);
    a->tr = main_tr;
    a->view_from = view_from;
    a->scroll = scroll;
    /* The replay may have learnt agents (the child's own children), and
     * adding their rows moves the array r pointed into. */
    r = find_row(a, g->watching);
    char *name = agent_name(r);
    char *title = xasprintf("%s · %s", name, status_word(r->status));
    bool reopen = watching_open(a);
    long top = reopen ? a->pager->top : 0;
    bool at_end = reopen && a->pager->top >= (long)a->pager->lines.n;
    app_pager_open(a, title, &lines, true);
    if (reopen && !at_end)
        a->pager->top = top;
    g->pager = a->pager;
    free(g->pager_title);
    g->pager_title = title;
    free(name);
    if (renamed)
        relayout_rows(a);
}

static void on_watch_read(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (a->agents)
        a->agents->reading = false;
    if (error) {
        if (!watching_open(a))
            app_failed(a, "Could not read the agent's thread", error);
        return;
    }
    show_thread(a, json_object_get(result, "thread"));
    if (a->agents && a->agents->reread) {
        a->agents->reread = false;
        refresh_watched(a);
    }
}

void app_agents_watch(struct app *a, const char *id)
{
    struct app_agents *g = agents(a);
    if (!id || !*id) {
        /* Back to the main thread. */
        if (watching_open(a))
            app_pager_close(a);
        free(g->watching);
        g->watching = NULL;
        g->pager = NULL;
        app_redraw(a);
        return;
    }
    if (!find_row(a, id))
        return;
    if (!g->watching || strcmp(g->watching, id) != 0)
        buf_truncate(&g->input, 0);
    free(g->watching);
    g->watching = xstrdup(id);
    g->pager = NULL;
    g->reading = true;
    app_request(a, "thread/read", json_pack("{s:s s:b}", "threadId", id, "includeTurns", 1),
                on_watch_read);
}

/* The watched child's view follows what its parent learns of it. */
static void refresh_watched(struct app *a)
{
    if (!watching_open(a))
        return;
    if (a->agents->reading) {
        a->agents->reread = true;
        return;
    }
    a->agents->reading = true;
    app_request(a, "thread/read",
                json_pack("{s:s s:b}", "threadId", a->agents->watching, "includeTurns", 1),
                on_watch_read);
}

void app_agents_tick(struct app *a)
{
    /* While the parent's turn runs, a watched child is read again about
     * once a second: its items reach only its own rollout. */
    if (watching_open(a) && ++a->agents->ticks % 5 == 0)
        refresh_watched(a);
}

/* The server streams each child's thread to us: the watched child's view
 * is read again as it changes, and every child's running turn is kept for
 * the view's message line. */
void app_agents_notification(struct app *a, const char *method, const json_t *params)
{
    const char *tid = str(params, "threadId");
    struct agent_row *r = tid && (!a->thread_id || strcmp(tid, a->thread_id) != 0)
                              ? find_row(a, tid) : NULL;
    if (!r || (strncmp(method, "turn/", 5) != 0 && strncmp(method, "item/", 5) != 0))
        return;
    const json_t *turn = json_object_get(params, "turn");
    if (strcmp(method, "turn/started") == 0) {
        free(r->turn_id);
        r->turn_id = str(turn, "id") ? xstrdup(str(turn, "id")) : NULL;
        set_str(&r->status, "running");
    } else if (strcmp(method, "turn/completed") == 0) {
        free(r->turn_id);
        r->turn_id = NULL;
    } else if (strcmp(method, "item/started") != 0 && strcmp(method, "item/completed") != 0) {
        return; /* deltas: the item's end shows them */
    }
    struct app_agents *g = a->agents;
    if (watching_open(a) && strcmp(g->watching, r->id) == 0)
        refresh_watched(a);
}

/* ---- the watched child's message line ------------------------------------------------------ */

static void on_sent(void *ud, json_t *result, const char *error)
{
    (void)result;
    if (error)
        app_failed(ud, "Could not send the message to the agent", error);
}

static void send_to_child(struct app *a)
{
    struct app_agents *g = a->agents;
    struct agent_row *r = find_row(a, g->watching);
    if (!r || !g->input.len)
        return;
    json_t *p = json_pack("{s:s s:[{s:s s:s s:[]}]}", "threadId", r->id, "input", "type", "text",
                          "text", buf_cstr(&g->input), "text_elements");
    /* While the child works the message joins its turn, as the main
     * composer's Enter does. */
    if (r->turn_id) {
        json_object_set_new(p, "expectedTurnId", json_string(r->turn_id));
        app_request(a, "turn/steer", p, on_sent);
    } else {
        app_request(a, "turn/start", p, on_sent);
    }
    buf_truncate(&g->input, 0);
}

bool app_agents_view_key(struct app *a, const struct tev *ev)
{
    if (!watching_open(a) || ev->kind != TEV_KEY)
        return false;
    struct buf *in = &a->agents->input;
    if (ev->key == TK_CHAR && !(ev->mods & (TM_CTRL | TM_ALT))) {
        char u[4];
        buf_append(in, u, tw_encode(ev->cp, u));
    } else if (ev->key == TK_BACKSPACE && in->len) {
        size_t n = in->len - 1;
        while (n > 0 && ((unsigned char)in->data[n] & 0xC0) == 0x80)
            n--;
        buf_truncate(in, n);
    } else if (ev->key == TK_ENTER && ev->mods == 0) {
        send_to_child(a);
    } else if (ev->key == TK_ESC && in->len) {
        buf_truncate(in, 0); /* a second Esc closes the view */
    } else {
        return false;
    }
    app_redraw(a);
    return true;
}

bool app_agents_paste(struct app *a, const char *text, size_t len)
{
    if (!watching_open(a))
        return false;
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\n' && text[i] != '\r')
            buf_putc(&a->agents->input, text[i]);
    app_redraw(a);
    return true;
}

bool app_agents_draw_prompt(struct app *a, struct tgrid *g, int y)
{
    if (!watching_open(a))
        return false;
    struct app_agents *ag = a->agents;
    tgrid_puts(g, 0, y, g->w, " ↑/↓ to scroll · pgup/pgdn to page · enter send · esc close",
               tstyle_attr(TA_DIM));
    int x = tgrid_puts(g, 0, y + 1, g->w, "› ", tstyle_attr(TA_BOLD));
    if (ag->input.len) {
        char *safe = tw_sanitize(buf_cstr(&ag->input), ag->input.len, false, NULL);
        /* The end of a long message stays in sight. */
        const char *shown = safe;
        while (*shown && tw_strwidth(shown) > g->w - x - 2)
            shown++;
        while ((((unsigned char)*shown) & 0xC0) == 0x80)
            shown++;
        x = tgrid_puts(g, x, y + 1, g->w, shown, TSTYLE_PLAIN);
        free(safe);
        tgrid_puts(g, x, y + 1, g->w, " ", tstyle_attr(TA_REVERSE));
    } else {
        struct agent_row *r = find_row(a, ag->watching);
        char *name = agent_name(r);
        char *hint = xasprintf("Send a message to %s", name);
        tgrid_puts(g, x, y + 1, g->w, hint, tstyle_attr(TA_DIM));
        free(hint);
        free(name);
    }
    return true;
}

/* Alt+Left / Alt+Right: the previous or next of the main thread and its
 * children, from the one on screen (on an empty composer or while a child
 * is shown). */
bool app_agents_key(struct app *a, const struct tev *ev)
{
    struct app_agents *g = a->agents;
    if (ev->kind != TEV_KEY || ev->mods != TM_ALT || (ev->key != TK_LEFT && ev->key != TK_RIGHT) ||
        !g || g->n == 0)
        return false;
    bool watching = watching_open(a);
    if (!watching && (a->pager || a->resume || a->pane != PANE_COMPOSER || !composer_empty(&a->comp)))
        return false;
    size_t n = g->n + 1, at = 0;
    for (size_t i = 0; watching && i < g->n; i++)
        if (strcmp(g->v[i].id, g->watching) == 0)
            at = i + 1;
    at = ev->key == TK_LEFT ? (at + n - 1) % n : (at + 1) % n;
    app_agents_watch(a, at == 0 ? NULL : g->v[at - 1].id);
    return true;
}

void app_agents_select(struct app *a)
{
    struct picker *p = &a->picker;
    char *value = p->n && p->items[p->sel].value ? xstrdup(p->items[p->sel].value) : NULL;
    app_picker_close(a);
    app_agents_watch(a, value);
    free(value);
}

const char *app_agents_footer_label(const struct app *a)
{
    return a->agents && a->agents->n ? "Main [default]" : NULL;
}

/* ---- a child's approval question ------------------------------------------------------------- */

const char *app_agents_asking_child(struct app *a, const json_t *params)
{
    const char *tid = str(params, "threadId");
    if (!tid || (a->thread_id && strcmp(tid, a->thread_id) == 0))
        return NULL;
    return tid;
}

bool app_agents_approval_header(struct app *a, struct picker *p, const json_t *params)
{
    const char *tid = app_agents_asking_child(a, params);
    if (!tid)
        return false;
    const struct agent_row *r = find_row(a, tid);
    size_t tl = strlen(tid);
    /* Before its names are known, a child is "Agent (<end of its id>)". */
    char *name = r && (r->nickname || r->role) ? agent_name(r)
                                               : xasprintf("Agent (%s)", tid + (tl > 12 ? tl - 12 : 0));
    picker_header(p, "", TSTYLE_PLAIN);
    struct tline *l = tlines_push(&p->header);
    tline_adds(l, "  Thread: ", TSTYLE_PLAIN);
    char *safe = tw_sanitize(name, strlen(name), false, NULL);
    tline_adds(l, safe, tstyle_attr(TA_BOLD));
    free(safe);
    free(name);
    return true;
}

bool app_agents_approval_open(struct app *a)
{
    const char *tid = a->approvals ? app_agents_asking_child(a, a->approvals->params) : NULL;
    if (!tid || !find_row(a, tid))
        return false;
    app_agents_watch(a, tid);
    return true;
}
