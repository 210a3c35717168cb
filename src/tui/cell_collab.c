/* The agent rows of the transcript: what a collabAgentToolCall item (the
 * spawn_agent, send_input, wait_agent, resume_agent and close_agent calls)
 * shows.  A row names an agent by its nickname and role when the TUI knows
 * them, else by its thread id; the names arrive after the first row that
 * mentions an agent, so the rows are laid out from the item each time. */
#include "tui/cells.h"

#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* How much of a prompt, a reply and an error a row shows. */
enum { PROMPT_PREVIEW = 160, REPLY_PREVIEW = 240, ERROR_PREVIEW = 160 };


struct collab_cell {
    struct cell base;
    json_t *item;
    bool begin; /* the call's start ("Waiting for", "Resuming") */
    struct collab_names names;
};

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* text with its runs of white space made one space, trimmed, cut to max
 * characters (caller frees). */
static char *preview(const char *text, size_t max)
{
    struct buf b = BUF_INIT;
    bool space = false;
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = false;
        buf_putc(&b, *p);
    }
    char *raw = buf_detach(&b, NULL);
    char *safe = tw_sanitize(raw, strlen(raw), false, NULL);
    free(raw);
    char *cut = tw_cut(safe, max);
    free(safe);
    return cut;
}

void cell_collab_label(struct tline *l, const struct collab_names *names, const char *id)
{
    const char *nick = NULL, *role = NULL;
    if (names && names->lookup && id)
        names->lookup(names->ud, id, &nick, &role);
    if (nick && *nick) {
        char *n = preview(nick, 60);
        tline_adds(l, n, tstyle_fga(COL_ACCENT, TA_BOLD));
        free(n);
    } else if (id) {
        char *n = preview(id, 60);
        tline_adds(l, n, tstyle_fg(COL_ACCENT));
        free(n);
    } else {
        tline_adds(l, "agent", tstyle_attr(TA_DIM));
    }
    if (role && *role) {
        char *r = preview(role, 60);
        char *t = xasprintf(" [%s]", r);
        tline_adds(l, t, tstyle_attr(TA_DIM));
        free(t);
        free(r);
    }
}

void cell_collab_status(struct tline *l, const char *status, const char *message)
{
    const char *s = status ? status : "";
    const char *label = "Pending init";
    struct tstyle st = tstyle_attr(TA_DIM);
    bool show_message = false, dim_message = false;
    if (strcmp(s, "running") == 0) {
        label = "Running";
        st = tstyle_fga(COL_CYAN, TA_BOLD);
    } else if (strcmp(s, "completed") == 0) {
        label = "Completed";
        st = tstyle_fg(COL_GREEN);
        show_message = true;
    } else if (strcmp(s, "errored") == 0) {
        label = "Error";
        st = tstyle_fg(COL_RED);
        show_message = dim_message = true;
    } else if (strcmp(s, "interrupted") == 0) {
        label = "Interrupted";
    } else if (strcmp(s, "shutdown") == 0) {
        label = "Shutdown";
    } else if (strcmp(s, "notFound") == 0) {
        label = "Not found";
        st = tstyle_fg(COL_RED);
    }
    tline_adds(l, label, st);
    if (show_message && message) {
        char *m = preview(message, dim_message ? ERROR_PREVIEW : REPLY_PREVIEW);
        if (*m) {
            tline_adds(l, " - ", tstyle_attr(TA_DIM));
            tline_adds(l, m, dim_message ? tstyle_attr(TA_DIM) : TSTYLE_PLAIN);
        }
        free(m);
    }
}

/* ---- layout ------------------------------------------------------------------------------- */

struct rows_out {
    const struct cell_ctx *ctx;
    struct tlines *rows;
    size_t details;
};

static void put_title(struct rows_out *o, struct tline *title)
{
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    if (!o->ctx->raw) {
        tline_adds(&first, "• ", tstyle_attr(TA_DIM));
        tline_adds(&rest, "  ", TSTYLE_PLAIN);
    }
    tline_wrap(title, o->ctx->width, &first, &rest, o->rows);
    tline_free(&first);
    tline_free(&rest);
    tline_free(title);
}

/* A detail row: "  └ " before the first, four spaces before the others. */
static void put_detail(struct rows_out *o, struct tline *detail)
{
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    if (!o->ctx->raw) {
        if (o->details == 0)
            tline_adds(&first, "  └ ", tstyle_attr(TA_DIM));
        else
            tline_adds(&first, "    ", TSTYLE_PLAIN);
        tline_adds(&rest, "    ", TSTYLE_PLAIN);
    }
    tline_wrap(detail, o->ctx->width, &first, &rest, o->rows);
    o->details++;
    tline_free(&first);
    tline_free(&rest);
    tline_free(detail);
}

static void title_text(struct rows_out *o, const char *text)
{
    struct tline l;
    tline_init(&l);
    tline_adds(&l, text, tstyle_attr(TA_BOLD));
    put_title(o, &l);
}

static void title_agent(struct rows_out *o, const struct collab_names *names, const char *verb,
                        const char *id)
{
    struct tline l;
    tline_init(&l);
    char *v = xasprintf("%s ", verb);
    tline_adds(&l, v, tstyle_attr(TA_BOLD));
    free(v);
    cell_collab_label(&l, names, id);
    put_title(o, &l);
}

static void prompt_detail(struct rows_out *o, const json_t *item)
{
    char *p = preview(str(item, "prompt"), PROMPT_PREVIEW);
    if (*p) {
        struct tline l;
        tline_init(&l);
        tline_adds(&l, p, TSTYLE_PLAIN);
        put_detail(o, &l);
    }
    free(p);
}

/* The agents of a wait's end: the targets first, in order, then any other
 * agent the states name. */
static void states_details(struct rows_out *o, const struct collab_names *names, const json_t *item)
{
    const json_t *states = json_object_get(item, "agentsStates");
    const json_t *ids = json_object_get(item, "receiverThreadIds");
    json_t *done = json_object();
    size_t i;
    json_t *idv;
    for (int pass = 0; pass < 2; pass++) {
        const char *key;
        json_t *st;
        void *tmp;
        json_t *order = json_array();
        if (pass == 0) {
            json_array_foreach(ids, i, idv) json_array_append(order, idv);
        } else {
            json_object_foreach_safe((json_t *)states, tmp, key, st) json_array_append_new(order, json_string(key));
        }
        json_array_foreach(order, i, idv) {
            const char *id = json_string_value(idv);
            st = json_object_get(states, id ? id : "");
            if (!id || !st || json_object_get(done, id))
                continue;
            json_object_set_new(done, id, json_true());
            struct tline l;
            tline_init(&l);
            cell_collab_label(&l, names, id);
            tline_adds(&l, ": ", tstyle_attr(TA_DIM));
            cell_collab_status(&l, str(st, "status"), str(st, "message"));
            put_detail(o, &l);
        }
        json_decref(order);
    }
    if (json_object_size(done) == 0) {
        struct tline l;
        tline_init(&l);
        tline_adds(&l, "No agents completed yet", tstyle_attr(TA_DIM));
        put_detail(o, &l);
    }
    json_decref(done);
}

static const char *first_receiver(const json_t *item)
{
    return json_string_value(json_array_get(json_object_get(item, "receiverThreadIds"), 0));
}

static void collab_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct collab_cell *k = (struct collab_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    struct rows_out o = {ctx, &c->rows, 0};
    const json_t *item = k->item;
    const char *tool = str(item, "tool") ? str(item, "tool") : "";
    const char *target = first_receiver(item);
    const struct collab_names *names = &k->names;
    if (strcmp(tool, "spawnAgent") == 0) {
        if (target) {
            struct tline l;
            tline_init(&l);
            tline_adds(&l, "Spawned ", tstyle_attr(TA_BOLD));
            cell_collab_label(&l, names, target);
            const char *model = str(item, "model"), *effort = str(item, "reasoningEffort");
            if (model && *model) {
                char *m = preview(model, 60), *e = effort ? preview(effort, 20) : NULL;
                char *what = e && *e ? xasprintf("(%s %s)", m, e) : xasprintf("(%s)", m);
                tline_adds(&l, " ", tstyle_attr(TA_DIM));
                tline_adds(&l, what, tstyle_fg(COL_MAGENTA));
                free(what);
                free(m);
                free(e);
            }
            put_title(&o, &l);
        } else {
            title_text(&o, "Agent spawn failed");
        }
        prompt_detail(&o, item);
    } else if (strcmp(tool, "sendInput") == 0 || strcmp(tool, "sendMessage") == 0 ||
               strcmp(tool, "followupTask") == 0) {
        title_agent(&o, names, "Sent input to", target);
        prompt_detail(&o, item);
    } else if (strcmp(tool, "wait") == 0 && k->begin) {
        const json_t *ids = json_object_get(item, "receiverThreadIds");
        size_t n = json_array_size(ids);
        if (n == 1) {
            title_agent(&o, names, "Waiting for", target);
        } else if (n == 0) {
            title_text(&o, "Waiting for agents");
        } else {
            char *t = xasprintf("Waiting for %zu agents", n);
            title_text(&o, t);
            free(t);
            size_t i;
            json_t *idv;
            json_array_foreach(ids, i, idv) {
                struct tline l;
                tline_init(&l);
                cell_collab_label(&l, names, json_string_value(idv));
                put_detail(&o, &l);
            }
        }
    } else if (strcmp(tool, "wait") == 0) {
        title_text(&o, "Finished waiting");
        states_details(&o, names, item);
    } else if (strcmp(tool, "closeAgent") == 0) {
        title_agent(&o, names, "Closed", target);
    } else if (strcmp(tool, "resumeAgent") == 0) {
        title_agent(&o, names, k->begin ? "Resuming" : "Resumed", target);
        if (!k->begin) {
            const json_t *st = json_object_get(json_object_get(item, "agentsStates"), target ? target : "");
            if (st) {
                struct tline l;
                tline_init(&l);
                cell_collab_status(&l, str(st, "status"), str(st, "message"));
                put_detail(&o, &l);
            }
        }
    } else if (strcmp(tool, "interruptAgent") == 0) {
        title_agent(&o, names, "Interrupted", target);
    } else {
        title_text(&o, "Listed agents");
    }
    /* Inline mode keeps a row off the scrollback until its agents are named. */
    c->stable = c->finished ? c->rows.n : 0;
}

static void collab_free(struct cell *c)
{
    json_decref(((struct collab_cell *)c)->item);
}

static const struct cell_ops collab_ops = {.layout = collab_layout, .free = collab_free};

bool cell_collab_shows(const json_t *item, bool begin)
{
    const char *tool = str(item, "tool") ? str(item, "tool") : "";
    if (begin)
        return strcmp(tool, "wait") == 0 || strcmp(tool, "resumeAgent") == 0;
    return true;
}

struct cell *cell_collab_new(const json_t *item, bool begin, const struct collab_names *names)
{
    struct collab_cell *k = xcalloc(1, sizeof *k);
    /* The end of a wait is a cell of its own, after the one its start made. */
    char *id = xasprintf("%s%s", str(item, "id") ? str(item, "id") : "", begin ? "" : "#end");
    cell_base_init(&k->base, &collab_ops, CT_COLLAB, id);
    free(id);
    k->item = json_deep_copy(item);
    k->begin = begin;
    if (names)
        k->names = *names;
    k->base.finished = true;
    return &k->base;
}

const json_t *cell_collab_item(const struct cell *c)
{
    return c->type == CT_COLLAB ? ((const struct collab_cell *)c)->item : NULL;
}
