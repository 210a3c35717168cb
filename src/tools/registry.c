#include "tools/registry.h"

#include <stdlib.h>
#include <string.h>

#include "tools/bm25.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SEARCH_DEFAULT_LIMIT 8

struct group {
    char *name;        /* namespace, or NULL */
    char *key;         /* name, or the first plain tool's name */
    char *description; /* "" when none */
    bool deferred;
    json_t *tools;
    json_t *search_texts;
    void (*dispatch)(void *ud, struct tool_call *call);
    bool (*exclusive)(void *ud, const char *tool);
    void *ud;
    bool visible;   /* a request has shown it to the model */
    bool announced; /* named in a <tools> note */
};

struct search_doc {
    const struct group *group;
    size_t tool;
};

struct tool_registry {
    struct group **groups;
    size_t n;
    unsigned generation;
    /* The BM25 index over the deferred tools, rebuilt when groups change. */
    struct bm25_index *index;
    struct search_doc *docs;
    size_t n_docs;
    unsigned index_generation;
    bool index_built;
};

struct tool_registry *tool_registry_new(void)
{
    return xcalloc(1, sizeof(struct tool_registry));
}

static void group_free(struct group *g)
{
    if (!g)
        return;
    free(g->name);
    free(g->key);
    free(g->description);
    json_decref(g->tools);
    json_decref(g->search_texts);
    free(g);
}

static void drop_index(struct tool_registry *r)
{
    bm25_free(r->index);
    free(r->docs);
    r->index = NULL;
    r->docs = NULL;
    r->n_docs = 0;
    r->index_built = false;
}

void tool_registry_free(struct tool_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        group_free(r->groups[i]);
    free(r->groups);
    drop_index(r);
    free(r);
}

static long find(const struct tool_registry *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->groups[i]->key, key) == 0)
            return (long)i;
    return -1;
}

static const char *tool_name(const json_t *spec)
{
    const char *n = json_string_value(json_object_get(spec, "name"));
    return n ? n : "";
}

void tool_registry_put(struct tool_registry *r, const struct tool_group *spec)
{
    struct group *g = xcalloc(1, sizeof *g);
    g->name = spec->name ? xstrdup(spec->name) : NULL;
    g->key = xstrdup(spec->name ? spec->name : tool_name(json_array_get(spec->tools, 0)));
    g->description = xstrdup(spec->description ? spec->description : "");
    g->deferred = spec->deferred && spec->name;
    g->tools = spec->tools ? json_deep_copy(spec->tools) : json_array();
    g->search_texts = spec->search_texts ? json_deep_copy(spec->search_texts) : NULL;
    g->dispatch = spec->dispatch;
    g->exclusive = spec->exclusive;
    g->ud = spec->ud;
    long at = find(r, g->key);
    if (at >= 0) {
        /* What the model was already shown of it stays shown. */
        g->visible = r->groups[at]->visible;
        g->announced = r->groups[at]->announced;
        group_free(r->groups[at]);
        r->groups[at] = g;
    } else {
        r->groups = xrealloc(r->groups, (r->n + 1) * sizeof *r->groups);
        r->groups[r->n++] = g;
    }
    r->generation++;
}

void tool_registry_remove(struct tool_registry *r, const char *name)
{
    long at = find(r, name);
    if (at < 0)
        return;
    group_free(r->groups[at]);
    memmove(&r->groups[at], &r->groups[at + 1], (r->n - (size_t)at - 1) * sizeof *r->groups);
    r->n--;
    r->generation++;
}

unsigned tool_registry_generation(const struct tool_registry *r)
{
    return r->generation;
}

/* ---- what a request carries --------------------------------------------- */

void tool_registry_plain_specs(const struct tool_registry *r, json_t *tools)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->groups[i]->name)
            json_array_extend(tools, r->groups[i]->tools);
}

static int cmp_group_name(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
    return strcmp(x->name, y->name);
}

/* Namespaced groups sorted by name, so the order never depends on which
 * server happened to answer first. */
static size_t sorted_namespaces(const struct tool_registry *r, struct group ***out)
{
    struct group **v = xcalloc(r->n ? r->n : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i]->name)
            v[n++] = r->groups[i];
    qsort(v, n, sizeof *v, cmp_group_name);
    *out = v;
    return n;
}

/* Functions of a namespace as the model sees them listed directly. */
static json_t *namespace_spec(const struct group *g)
{
    return json_pack("{s:s s:s s:s s:O}", "type", "namespace", "name", g->name, "description",
                     g->description, "tools", g->tools);
}

void tool_registry_namespace_specs(const struct tool_registry *r, bool tool_search, json_t *tools)
{
    struct group **v;
    size_t n = sorted_namespaces(r, &v);
    for (size_t i = 0; i < n; i++)
        if (!(tool_search && v[i]->deferred))
            json_array_append_new(tools, namespace_spec(v[i]));
    free(v);
}

bool tool_registry_has_deferred(const struct tool_registry *r, bool tool_search)
{
    if (!tool_search)
        return false;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i]->deferred)
            return true;
    return false;
}

json_t *tool_search_spec(void)
{
    static const char description[] =
        "Find tools that are not listed up front. The namespaces named in the <tools> note of "
        "the developer message hold more tools; search them by what you want to do (BM25 over "
        "names, descriptions and parameter names) and the matching tools become callable in "
        "your next step. Prefer this over list_mcp_resources or list_mcp_resource_templates "
        "when you are looking for an MCP tool.";
    return json_pack("{s:s s:s s:s s:{s:s s:{s:{s:s s:s} s:{s:s s:s}} s:[s] s:b}}", "type",
                     "tool_search", "execution", "client", "description", description,
                     "parameters", "type", "object", "properties", "limit", "type", "number",
                     "description", "How many tools to return at most (8 when left out).",
                     "query", "type", "string", "description",
                     "Words describing the tool you need.", "required", "query",
                     "additionalProperties", 0);
}

/* The first line of a namespace's description, for the <tools> note. */
static void note_line(struct buf *b, const struct group *g)
{
    buf_printf(b, "- %s", g->name);
    size_t n = strcspn(g->description, "\r\n");
    while (n && (g->description[n - 1] == ' ' || g->description[n - 1] == '\t'))
        n--;
    if (n) {
        buf_puts(b, ": ");
        buf_append(b, g->description, n);
    }
    buf_putc(b, '\n');
}

static char *note(const struct tool_registry *r, const char *heading, bool only_new)
{
    struct group **v;
    size_t n = sorted_namespaces(r, &v);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (!v[i]->deferred || (only_new && v[i]->announced))
            continue;
        if (!b.len)
            buf_printf(&b, "<tools>\n%s:\n", heading);
        note_line(&b, v[i]);
    }
    free(v);
    if (!b.len)
        return NULL;
    buf_puts(&b, "</tools>");
    return buf_detach(&b, NULL);
}

char *tool_registry_note(const struct tool_registry *r, bool tool_search)
{
    return tool_search ? note(r, "Deferred tool namespaces", false) : NULL;
}

char *tool_registry_begin_request(struct tool_registry *r, bool tool_search, bool first)
{
    char *added = tool_search && !first ? note(r, "Added deferred tool namespaces", true) : NULL;
    for (size_t i = 0; i < r->n; i++) {
        r->groups[i]->visible = true;
        if (tool_search)
            r->groups[i]->announced = true;
    }
    return added;
}

void tool_registry_note_seen(struct tool_registry *r, const char *note)
{
    if (strncmp(note, "<tools>\n", 8) != 0)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct group *g = r->groups[i];
        if (!g->name)
            continue;
        char *line = xasprintf("\n- %s", g->name);
        const char *at = strstr(note, line);
        size_t n = strlen(line);
        if (at && (at[n] == ':' || at[n] == '\n'))
            g->announced = true;
        free(line);
    }
}

/* ---- calls --------------------------------------------------------------- */

static const struct group *group_of(const struct tool_registry *r, const struct tool_call *call,
                                    size_t *tool_index)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct group *g = r->groups[i];
        if (!g->visible)
            continue;
        if (call->namespace_name ? !g->name || strcmp(g->name, call->namespace_name) != 0 : g->name != NULL)
            continue;
        size_t k;
        json_t *t;
        json_array_foreach(g->tools, k, t) {
            if (strcmp(tool_name(t), call->name) == 0) {
                if (tool_index)
                    *tool_index = k;
                return g;
            }
        }
    }
    return NULL;
}

bool tool_registry_dispatch(struct tool_registry *r, struct tool_call *call)
{
    const struct group *g = r ? group_of(r, call, NULL) : NULL;
    if (!g)
        return false;
    g->dispatch(g->ud, call);
    return true;
}

bool tool_registry_exclusive(const struct tool_registry *r, const struct tool_call *call)
{
    const struct group *g = r ? group_of(r, call, NULL) : NULL;
    return g && g->exclusive && g->exclusive(g->ud, call->name);
}

/* ---- tool_search --------------------------------------------------------- */

static char *default_search_text(const struct group *g, const json_t *spec)
{
    const char *d = json_string_value(json_object_get(spec, "description"));
    return xasprintf("%s %s %s", g->name, tool_name(spec), d ? d : "");
}

static void build_index(struct tool_registry *r)
{
    if (r->index_built && r->index_generation == r->generation)
        return;
    drop_index(r);
    size_t total = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->groups[i]->deferred && r->groups[i]->visible)
            total += json_array_size(r->groups[i]->tools);
    r->docs = xcalloc(total ? total : 1, sizeof *r->docs);
    char **texts = xcalloc(total ? total : 1, sizeof *texts);
    for (size_t i = 0; i < r->n; i++) {
        const struct group *g = r->groups[i];
        if (!g->deferred || !g->visible)
            continue;
        size_t k;
        json_t *t;
        json_array_foreach(g->tools, k, t) {
            const char *given = json_string_value(json_array_get(g->search_texts, k));
            texts[r->n_docs] = given ? xstrdup(given) : default_search_text(g, t);
            r->docs[r->n_docs].group = g;
            r->docs[r->n_docs++].tool = k;
        }
    }
    r->index = bm25_new((const char *const *)texts, r->n_docs);
    for (size_t i = 0; i < r->n_docs; i++)
        free(texts[i]);
    free(texts);
    r->index_generation = r->generation;
    r->index_built = true;
}

/* The hits grouped by namespace, in the order each namespace first
 * appears, its tools in rank order. */
static json_t *search_output(const struct tool_registry *r, const struct bm25_hit *hits, size_t n)
{
    json_t *out = json_array();
    bool *taken = xcalloc(n ? n : 1, sizeof *taken);
    for (size_t i = 0; i < n; i++) {
        if (taken[i])
            continue;
        const struct group *g = r->docs[hits[i].doc].group;
        json_t *fns = json_array();
        for (size_t k = i; k < n; k++) {
            const struct search_doc *d = &r->docs[hits[k].doc];
            if (d->group != g)
                continue;
            taken[k] = true;
            json_t *spec = json_deep_copy(json_array_get(g->tools, d->tool));
            json_t *params = json_incref(json_object_get(spec, "parameters"));
            json_object_del(spec, "parameters");
            json_object_set_new(spec, "defer_loading", json_true());
            if (params)
                json_object_set_new(spec, "parameters", params);
            json_array_append_new(fns, spec);
        }
        json_t *ns = json_pack("{s:s s:s s:s s:o}", "type", "namespace", "name", g->name,
                               "description", g->description, "tools", fns);
        if (!*g->description)
            json_object_set_new(ns, "description",
                                json_sprintf("Tools in the %s namespace.", g->name));
        json_array_append_new(out, ns);
    }
    free(taken);
    return out;
}

void tool_registry_search(struct tool_registry *r, struct tool_call *call)
{
    json_t *args = json_loads(call->input ? call->input : "", 0, NULL);
    const char *query = json_string_value(json_object_get(args, "query"));
    json_t *limit_v = json_object_get(args, "limit");
    size_t limit = SEARCH_DEFAULT_LIMIT;
    bool bad = false;
    if (json_is_number(limit_v)) {
        double l = json_number_value(limit_v);
        bad = l < 1;
        limit = l >= 1 ? (size_t)l : 0;
    }
    while (query && (*query == ' ' || *query == '\t' || *query == '\n'))
        query++;
    json_t *tools;
    if (!r || bad || !query || !*query) {
        /* A search that cannot run finds nothing; the model sees no tools. */
        tools = json_array();
    } else {
        build_index(r);
        struct bm25_hit *hits;
        size_t n = bm25_search(r->index, query, &hits);
        if (n > limit)
            n = limit;
        tools = search_output(r, hits, n);
        free(hits);
    }
    json_decref(args);
    tool_call_finish_items(call, tools);
}
