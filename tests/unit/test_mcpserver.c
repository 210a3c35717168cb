/* Unit tests for the MCP server's pieces that need no thread: the tool
 * arguments, the id salvaged from a broken line, the -c text of a JSON
 * `config`, and the messages answered without starting a session. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/toml.h"
#include "mcpserver/mcpserver.h"
#include "mcpserver/tool_args.h"

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
    assert_non_null(v);
    return v;
}

static char *codex_error_of(const char *args)
{
    json_t *v = parse(args);
    struct mcps_codex_args a;
    char *why = NULL;
    int rc = mcps_codex_args_parse(v, &a, &why);
    json_decref(v);
    if (rc == 0)
        mcps_codex_args_free(&a);
    return why;
}

static void codex_arguments_are_read(void **state)
{
    (void)state;
    json_t *v = parse("{\"prompt\":\"p\",\"model\":\"m\",\"cwd\":null,\"sandbox\":\"read-only\","
                      "\"approval-policy\":\"never\",\"config\":{\"k\":1},\"profile\":\"x\","
                      "\"compact-prompt\":\"c\"}");
    struct mcps_codex_args a;
    char *why = NULL;
    assert_int_equal(mcps_codex_args_parse(v, &a, &why), 0);
    assert_string_equal(a.prompt, "p");
    assert_string_equal(a.model, "m");
    assert_null(a.cwd);
    assert_string_equal(a.sandbox, "read-only");
    assert_string_equal(a.approval_policy, "never");
    assert_string_equal(a.profile, "x");
    assert_string_equal(a.compact_prompt, "c");
    assert_true(json_is_object(a.config));
    mcps_codex_args_free(&a);
    json_decref(v);
}

static void codex_argument_errors_use_serde_words(void **state)
{
    (void)state;
    char *why = codex_error_of("{}");
    assert_string_equal(why, "missing field `prompt`");
    free(why);
    why = codex_error_of("[1]");
    assert_string_equal(why, "invalid type: sequence, expected struct CodexToolCallParam");
    free(why);
    why = codex_error_of("{\"prompt\":\"x\",\"approval-policy\":\"sometimes\"}");
    assert_string_equal(why, "unknown variant `sometimes`, expected one of `untrusted`, "
                             "`on-failure`, `on-request`, `never`");
    free(why);
    why = codex_error_of("{\"prompt\":true}");
    assert_string_equal(why, "invalid type: boolean `true`, expected a string");
    free(why);
    why = codex_error_of("{\"prompt\":\"x\",\"model\":\"m\",\"cwd\":1.5}");
    assert_string_equal(why, "invalid type: floating point `1.5`, expected a string");
    free(why);
}

static void reply_prefers_thread_id(void **state)
{
    (void)state;
    json_t *v = parse("{\"prompt\":\"p\",\"conversationId\":\"old\",\"threadId\":\"new\"}");
    struct mcps_reply_args a;
    char *why = NULL;
    assert_int_equal(mcps_reply_args_parse(v, &a, &why), 0);
    assert_string_equal(a.thread_id, "new");
    mcps_reply_args_free(&a);
    json_decref(v);
    v = parse("{\"prompt\":\"p\",\"conversationId\":\"old\"}");
    assert_int_equal(mcps_reply_args_parse(v, &a, &why), 0);
    assert_string_equal(a.thread_id, "old");
    mcps_reply_args_free(&a);
    json_decref(v);
    assert_int_equal(mcps_reply_args_parse(NULL, &a, &why), -1);
    assert_string_equal(why, "missing field `prompt`");
    free(why);
}

static void ids_are_salvaged_from_broken_lines(void **state)
{
    (void)state;
    const char *line = "{\"jsonrpc\":\"2.0\", \"id\" : 17, \"method\":";
    json_t *id = mcpserver_salvage_id(line, strlen(line));
    assert_true(json_is_integer(id) && json_integer_value(id) == 17);
    json_decref(id);
    line = "{\"id\":\"abc\",";
    id = mcpserver_salvage_id(line, strlen(line));
    assert_string_equal(json_string_value(id), "abc");
    json_decref(id);
    const char *none[] = {"{\"id\":", "{\"id\":\"a\\\"b\"", "{\"id\":-", "garbage", "{\"id\":[1]"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(mcpserver_salvage_id(none[i], strlen(none[i])));
}

static void config_values_become_toml_overrides(void **state)
{
    (void)state;
    json_t *v = parse("{\"b\":[1,\"x\",true],\"q\":\"say \\\"hi\\\"\"}");
    char *s = toml_override_from_json("sandbox_workspace_write", v);
    assert_string_equal(s, "sandbox_workspace_write={\"b\" = [1, \"x\", true], \"q\" = \"say \\\"hi\\\"\"}");
    free(s);
    json_decref(v);
}

/* ---- the server without a session ---------------------------------------- */

struct capture {
    json_t *sent; /* array */
    int finished;
};

static void capture_send(void *ud, const char *text, size_t len)
{
    struct capture *c = ud;
    json_error_t err;
    json_t *m = json_loadb(text, len, 0, &err);
    assert_non_null(m);
    json_array_append_new(c->sent, m);
}

static void capture_finished(void *ud)
{
    ((struct capture *)ud)->finished++;
}

static json_t *last(struct capture *c)
{
    return json_array_get(c->sent, json_array_size(c->sent) - 1);
}

static void feed(struct mcpserver *s, const char *line)
{
    mcpserver_receive(s, line, strlen(line));
}

static void server_answers_without_a_session(void **state)
{
    (void)state;
    struct capture c = {json_array(), 0};
    struct mcpserver_params p = {.cwd = "/", .send = capture_send, .finished = capture_finished,
                                 .ud = &c};
    struct mcpserver *s = mcpserver_new(&p);
    feed(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            "\"2025-03-26\",\"clientInfo\":{\"name\":\"u\",\"version\":\"9\"}}}");
    json_t *r = json_object_get(last(&c), "result");
    assert_string_equal(json_string_value(json_object_get(r, "protocolVersion")), "2025-03-26");
    assert_string_equal(json_string_value(json_object_get(last(&c), "jsonrpc")), "2.0");
    feed(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    assert_int_equal(json_array_size(json_object_get(json_object_get(last(&c), "result"), "tools")), 2);
    feed(s, "");
    feed(s, "   \r");
    assert_int_equal(json_array_size(c.sent), 2); /* blank lines are not messages */
    feed(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}");
    assert_true(json_is_true(json_object_get(json_object_get(last(&c), "result"), "isError")));
    feed(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":7}");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(last(&c), "error"), "code")),
                     -32602);
    /* An answer to nothing we asked, and an unknown notification: no reply. */
    size_t n = json_array_size(c.sent);
    feed(s, "{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}");
    feed(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}");
    feed(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}");
    assert_int_equal(json_array_size(c.sent), n);
    feed(s, "{\"id\":5,");
    assert_int_equal(json_integer_value(json_object_get(last(&c), "id")), 5);
    assert_int_equal(c.finished, 0);
    mcpserver_input_closed(s);
    assert_int_equal(c.finished, 1);
    mcpserver_free(s);
    json_decref(c.sent);
}

static void tools_list_names_both_tools(void **state)
{
    (void)state;
    json_t *list = mcps_tools_list();
    json_t *tools = json_object_get(list, "tools");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 0), "name")), "codex");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 1), "name")),
                        "codex-reply");
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codex_arguments_are_read),
        cmocka_unit_test(codex_argument_errors_use_serde_words),
        cmocka_unit_test(reply_prefers_thread_id),
        cmocka_unit_test(ids_are_salvaged_from_broken_lines),
        cmocka_unit_test(config_values_become_toml_overrides),
        cmocka_unit_test(server_answers_without_a_session),
        cmocka_unit_test(tools_list_names_both_tools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
