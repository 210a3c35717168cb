/* Unit tests for the tool registry (namespaces, deferred loading, notes,
 * dispatch, tool_search) and the BM25 ranking behind tool_search. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tools/bm25.h"
#include "tools/registry.h"
#include "tools/specs.h"
#include "tools/tool.h"
#include "util/stem_en.h"

static json_t *fn(const char *name, const char *description, const char *params)
{
    return json_pack("{s:s s:s s:s s:b s:o}", "type", "function", "name", name, "description",
                     description, "strict", 0, "parameters",
                     json_loads(params ? params : "{\"type\":\"object\",\"properties\":{}}", 0, NULL));
}

struct dispatched {
    char name[64];
    int count;
};

static void record_dispatch(void *ud, struct tool_call *call)
{
    struct dispatched *d = ud;
    snprintf(d->name, sizeof d->name, "%s", call->name);
    d->count++;
    tool_call_finish(call, strdup("ok"));
}

static bool only_write_is_exclusive(void *ud, const char *tool)
{
    (void)ud;
    return strcmp(tool, "write") == 0;
}

static void finished(struct tool_call *call)
{
    (void)call;
}

static struct tool_call *call_of(const char *ns, const char *name, const char *input)
{
    struct tool_call *c = calloc(1, sizeof *c);
    c->namespace_name = ns ? strdup(ns) : NULL;
    c->name = strdup(name);
    c->call_id = strdup("c1");
    c->input = strdup(input ? input : "{}");
    c->on_finished = finished;
    return c;
}

static struct tool_registry *sample_registry(struct dispatched *d)
{
    struct tool_registry *r = tool_registry_new();
    json_t *fx = json_pack("[o o]", fn("echo", "Echoes back the input string", NULL),
                           fn("write", "Writes a record to the database", NULL));
    struct tool_group g = {.name = "mcp__fx", .description = "Fixture server.\nSecond line.",
                           .deferred = true, .tools = fx, .dispatch = record_dispatch,
                           .exclusive = only_write_is_exclusive, .ud = d};
    tool_registry_put(r, &g);
    json_decref(fx);
    json_t *plain = json_pack("[o]", fn("list_things", "Lists things", NULL));
    struct tool_group p = {.tools = plain, .dispatch = record_dispatch, .ud = d};
    tool_registry_put(r, &p);
    json_decref(plain);
    json_t *agents = json_pack("[o]", fn("spawn_agent", "Starts a sub-agent", NULL));
    struct tool_group a = {.name = "multi_agent_v1", .description = "Sub-agents.", .deferred = true,
                           .tools = agents, .dispatch = record_dispatch, .ud = d};
    tool_registry_put(r, &a);
    json_decref(agents);
    return r;
}

static const char *names_of(json_t *tools, char *buf, size_t n)
{
    buf[0] = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        strncat(buf, name ? name : json_string_value(json_object_get(t, "type")), n - strlen(buf) - 2);
        strncat(buf, ",", n - strlen(buf) - 1);
    }
    return buf;
}

static void deferred_namespaces_hide_behind_tool_search(void **state)
{
    (void)state;
    struct dispatched d = {0};
    struct tool_registry *r = sample_registry(&d);
    struct tool_spec_opts so = {.view_image = true, .registry = r, .tool_search = true};
    json_t *tools = tool_specs_build(&so);
    char buf[512];
    assert_string_equal(names_of(tools, buf, sizeof buf),
                        "exec_command,write_stdin,list_things,view_image,tool_search,");
    json_decref(tools);

    /* Without tool search every namespace is listed, sorted, undeferred. */
    so.tool_search = false;
    tools = tool_specs_build(&so);
    assert_string_equal(names_of(tools, buf, sizeof buf),
                        "exec_command,write_stdin,list_things,view_image,mcp__fx,multi_agent_v1,");
    json_t *ns = json_array_get(tools, 4);
    assert_string_equal(json_string_value(json_object_get(ns, "type")), "namespace");
    assert_string_equal(json_string_value(json_object_get(ns, "description")),
                        "Fixture server.\nSecond line.");
    assert_null(json_object_get(json_array_get(json_object_get(ns, "tools"), 0), "defer_loading"));
    json_decref(tools);
    tool_registry_free(r);
}

static void notes_name_deferred_namespaces_and_later_additions(void **state)
{
    (void)state;
    struct dispatched d = {0};
    struct tool_registry *r = sample_registry(&d);
    char *note = tool_registry_note(r, true);
    assert_string_equal(note, "<tools>\nDeferred tool namespaces:\n- mcp__fx: Fixture server.\n"
                              "- multi_agent_v1: Sub-agents.\n</tools>");
    free(note);
    assert_null(tool_registry_note(r, false));
    assert_null(tool_registry_begin_request(r, true, true));

    json_t *late = json_pack("[o]", fn("ping", "Pings", NULL));
    struct tool_group g = {.name = "mcp__late", .deferred = true, .tools = late,
                           .dispatch = record_dispatch, .ud = &d};
    tool_registry_put(r, &g);
    json_decref(late);
    char *added = tool_registry_begin_request(r, true, false);
    assert_string_equal(added, "<tools>\nAdded deferred tool namespaces:\n- mcp__late\n</tools>");
    free(added);
    assert_null(tool_registry_begin_request(r, true, false));
    tool_registry_free(r);
}

static void calls_reach_only_groups_the_model_was_shown(void **state)
{
    (void)state;
    struct dispatched d = {0};
    struct tool_registry *r = sample_registry(&d);
    struct tool_call *c = call_of("mcp__fx", "echo", NULL);
    assert_false(tool_registry_dispatch(r, c));
    free(tool_registry_begin_request(r, true, true));
    assert_true(tool_registry_dispatch(r, c));
    assert_string_equal(d.name, "echo");
    assert_string_equal(c->output, "ok");
    tool_call_free(c);

    c = call_of(NULL, "echo", NULL); /* a flat name is not the namespaced tool */
    assert_false(tool_registry_dispatch(r, c));
    tool_call_free(c);
    c = call_of(NULL, "list_things", NULL);
    assert_true(tool_registry_dispatch(r, c));
    tool_call_free(c);
    c = call_of("mcp__fx", "nosuch", NULL);
    assert_false(tool_registry_dispatch(r, c));
    tool_call_free(c);

    c = call_of("mcp__fx", "write", NULL);
    assert_true(tool_registry_exclusive(r, c));
    tool_call_free(c);
    c = call_of("mcp__fx", "echo", NULL);
    assert_false(tool_registry_exclusive(r, c));
    tool_call_free(c);
    tool_registry_free(r);
}

static void tool_search_returns_namespaces_of_ranked_tools(void **state)
{
    (void)state;
    struct dispatched d = {0};
    struct tool_registry *r = sample_registry(&d);
    free(tool_registry_begin_request(r, true, true));
    struct tool_call *c = call_of(NULL, "tool_search", "{\"query\":\"database records\"}");
    c->tool_search = true;
    tool_registry_search(r, c);
    json_t *out = c->output_items;
    assert_int_equal(json_array_size(out), 1);
    json_t *ns = json_array_get(out, 0);
    assert_string_equal(json_string_value(json_object_get(ns, "name")), "mcp__fx");
    json_t *t = json_array_get(json_object_get(ns, "tools"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "name")), "write");
    assert_true(json_is_true(json_object_get(t, "defer_loading")));
    /* defer_loading sits right before parameters */
    const char *keys[8];
    int k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(t, key, v) keys[k++] = key;
    assert_string_equal(keys[k - 2], "defer_loading");
    assert_string_equal(keys[k - 1], "parameters");
    tool_call_free(c);

    c = call_of(NULL, "tool_search", "{\"query\":\"sub-agents\",\"limit\":3}");
    tool_registry_search(r, c);
    ns = json_array_get(c->output_items, 0);
    assert_string_equal(json_string_value(json_object_get(ns, "name")), "multi_agent_v1");
    tool_call_free(c);

    c = call_of(NULL, "tool_search", "{\"query\":\"zebra\"}");
    tool_registry_search(r, c);
    assert_int_equal(json_array_size(c->output_items), 0);
    tool_call_free(c);
    c = call_of(NULL, "tool_search", "{\"query\":\"   \"}");
    tool_registry_search(r, c);
    assert_int_equal(json_array_size(c->output_items), 0);
    tool_call_free(c);
    c = call_of(NULL, "tool_search", "{\"query\":\"echo\",\"limit\":0}");
    tool_registry_search(r, c);
    assert_int_equal(json_array_size(c->output_items), 0);
    tool_call_free(c);
    tool_registry_free(r);
}

static void empty_namespace_description_is_named_in_search_output(void **state)
{
    (void)state;
    struct dispatched d = {0};
    struct tool_registry *r = tool_registry_new();
    json_t *tools = json_pack("[o]", fn("echo", "Echo", NULL));
    struct tool_group g = {.name = "mcp__x", .deferred = true, .tools = tools,
                           .dispatch = record_dispatch, .ud = &d};
    tool_registry_put(r, &g);
    json_decref(tools);
    free(tool_registry_begin_request(r, true, true));
    char *note = tool_registry_note(r, true);
    assert_string_equal(note, "<tools>\nDeferred tool namespaces:\n- mcp__x\n</tools>");
    free(note);
    struct tool_call *c = call_of(NULL, "tool_search", "{\"query\":\"echo\"}");
    tool_registry_search(r, c);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c->output_items, 0),
                                                          "description")),
                        "Tools in the mcp__x namespace.");
    tool_call_free(c);
    tool_registry_free(r);
}

/* A resumed thread whose history already named a namespace does not
 * announce it again; one it never named is announced. */
static void namespaces_a_resumed_history_named_are_not_announced_again(void **state)
{
    (void)state;
    struct tool_registry *r = tool_registry_new();
    json_t *tools = json_pack("[o]", fn("spawn_agent", "start an agent", NULL));
    struct tool_group agents = {.name = "multi_agent_v1", .description = "Agents.",
                                .deferred = true, .tools = tools, .dispatch = record_dispatch};
    struct tool_group other = {.name = "mcp__fx", .description = "Fixture.", .deferred = true,
                               .tools = tools, .dispatch = record_dispatch};
    tool_registry_put(r, &agents);
    tool_registry_put(r, &other);
    json_decref(tools);
    tool_registry_note_seen(r, "not a note\n- mcp__fx: Fixture.");
    tool_registry_note_seen(r, "<tools>\nDeferred tool namespaces:\n- multi_agent_v1: Agents.\n"
                               "- mcp__fxy: Other.\n</tools>");
    char *added = tool_registry_begin_request(r, true, false);
    assert_non_null(added);
    assert_string_equal(added, "<tools>\nAdded deferred tool namespaces:\n- mcp__fx: Fixture.\n"
                               "</tools>");
    free(added);
    tool_registry_free(r);
}

static void bm25_keeps_identifiers_whole_and_stems_words(void **state)
{
    (void)state;
    struct strvec t = STRVEC_INIT;
    bm25_terms("The get_sum tool: dotted.name, Running QUICKLY; 1.5 don't", &t);
    assert_int_equal(t.n, 6);
    assert_string_equal(t.v[0], "get_sum");
    assert_string_equal(t.v[1], "tool");
    assert_string_equal(t.v[2], "dotted.nam"); /* a stem, as the search sees it */
    assert_string_equal(t.v[3], "run");
    assert_string_equal(t.v[4], "quick");
    assert_string_equal(t.v[5], "1.5");
    strvec_free(&t);

    const char *docs[] = {"echo echo back text", "sum of two numbers", "echo numbers"};
    struct bm25_index *ix = bm25_new(docs, 3);
    struct bm25_hit *hits;
    size_t n = bm25_search(ix, "echo", &hits);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].doc, 0); /* twice the term, same length class */
    assert_int_equal(hits[1].doc, 2);
    free(hits);
    assert_int_equal(bm25_search(ix, "nothing here", &hits), 0);
    assert_null(hits);
    bm25_free(ix);
}

static void stemmer_follows_porter2(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"connections", "connect"}, {"generously", "generous"}, {"skies", "sky"},
        {"dying", "die"},           {"hopping", "hop"},         {"happy", "happi"},
        {"succeeded", "succeed"},   {"news", "news"},           {"caresses", "caress"},
        {"a", "a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char w[32];
        snprintf(w, sizeof w, "%s", cases[i][0]);
        w[stem_en(w, strlen(w))] = 0;
        assert_string_equal(w, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deferred_namespaces_hide_behind_tool_search),
        cmocka_unit_test(notes_name_deferred_namespaces_and_later_additions),
        cmocka_unit_test(calls_reach_only_groups_the_model_was_shown),
        cmocka_unit_test(tool_search_returns_namespaces_of_ranked_tools),
        cmocka_unit_test(empty_namespace_description_is_named_in_search_output),
        cmocka_unit_test(namespaces_a_resumed_history_named_are_not_announced_again),
        cmocka_unit_test(bm25_keeps_identifiers_whole_and_stems_words),
        cmocka_unit_test(stemmer_follows_porter2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
