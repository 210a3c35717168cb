/* Unit tests for pieces of the agent: the exec --json projection, the
 * apply_patch heredoc recogniser and the command environment policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/exec_jsonl.h"
#include "patch/patch.h"
#include "tools/shell_env.h"
#include "util/buf.h"

static void collect_line(void *ud, const char *line)
{
    struct buf *b = ud;
    buf_puts(b, line);
    buf_putc(b, '\n');
}

static void emit(struct exec_jsonl *x, enum agent_event_kind kind, json_t *item)
{
    struct agent_event ev = {.kind = kind, .thread_id = "T", .item = item, .plan = item};
    exec_jsonl_handle(x, &ev);
    json_decref(item);
}

static void projection_numbers_items_and_closes_the_plan(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct exec_jsonl x;
    exec_jsonl_init(&x, collect_line, &out);
    emit(&x, AGENT_EV_THREAD_STARTED, NULL);
    emit(&x, AGENT_EV_PLAN_UPDATED,
         json_pack("{s:[{s:s s:s}]}", "plan", "step", "a", "status", "pending"));
    emit(&x, AGENT_EV_ITEM_STARTED,
         json_pack("{s:s s:s s:s s:s s:s s:n}", "type", "commandExecution", "id", "call1",
                   "command", "ls", "status", "inProgress", "aggregatedOutput", "", "exitCode"));
    emit(&x, AGENT_EV_ITEM_STARTED, json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", "m",
                                              "text", "hi"));
    emit(&x, AGENT_EV_ITEM_COMPLETED,
         json_pack("{s:s s:s s:s s:s s:s s:i}", "type", "commandExecution", "id", "call1",
                   "command", "ls", "status", "failed", "aggregatedOutput", "x", "exitCode", 2));
    emit(&x, AGENT_EV_ITEM_COMPLETED, json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", "m",
                                                "text", "hi"));
    struct agent_event done = {.kind = AGENT_EV_TURN_COMPLETED, .usage = {.input_tokens = 7}};
    exec_jsonl_handle(&x, &done);
    assert_string_equal(
        buf_cstr(&out),
        "{\"type\":\"thread.started\",\"thread_id\":\"T\"}\n"
        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_0\",\"type\":\"todo_list\",\"items\":"
        "[{\"text\":\"a\",\"completed\":false}]}}\n"
        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_1\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"\",\"exit_code\":null,\"status\":"
        "\"in_progress\"}}\n"
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"x\",\"exit_code\":2,\"status\":\"failed\"}}\n"
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_2\",\"type\":\"agent_message\","
        "\"text\":\"hi\"}}\n"
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"todo_list\",\"items\":"
        "[{\"text\":\"a\",\"completed\":false}]}}\n"
        "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":7,\"cached_input_tokens\":0,"
        "\"cache_write_input_tokens\":0,\"output_tokens\":0,\"reasoning_output_tokens\":0}}\n");
    exec_jsonl_free(&x);
    buf_free(&out);
}

/* exec_command wraps the model's cmd as [/bin/bash, -lc, cmd]; the one
 * recogniser (src/patch/heredoc.c, the fuzzed one) sees exactly that. */
static int heredoc(const char *cmd, char **patch, char **dir)
{
    const char *argv[] = {"/bin/bash", "-lc", cmd};
    return patch_extract_heredoc(argv, 3, patch, dir);
}

static void heredoc_forms(void **state)
{
    (void)state;
    char *dir, *p;
    assert_int_equal(heredoc("apply_patch <<'EOF'\n*** Begin Patch\nX\n*** End Patch\nEOF\n", &p, &dir), 1);
    assert_string_equal(p, "*** Begin Patch\nX\n*** End Patch");
    assert_null(dir);
    free(p);
    assert_int_equal(heredoc("cd sub && applypatch <<PATCH\nbody\nPATCH", &p, &dir), 1);
    assert_string_equal(p, "body");
    assert_string_equal(dir, "sub");
    free(p);
    free(dir);
    assert_int_equal(heredoc("apply_patch <<'EOF'\nbody\nEOF\necho more\n", &p, &dir), 0);
    assert_int_equal(heredoc("apply_patch <<'EOF'\nno terminator\n", &p, &dir), 0);
    assert_int_equal(heredoc("cat <<EOF\nx\nEOF\n", &p, &dir), 0);
    assert_int_equal(heredoc("apply_patch 'EOF'\nx\nEOF\n", &p, &dir), 0);
    assert_null(dir);
}

static bool has(const struct strvec *v, const char *entry)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], entry) == 0)
            return true;
    return false;
}

static void environment_policy(void **state)
{
    (void)state;
    char *env[] = {"PATH=/bin", "HOME=/h", "OPENAI_API_KEY=k", "my_token=t", "FOO=1", "BAR=2",
                   "DEPLOY_KEY=d", NULL};
    struct strvec out = STRVEC_INIT;
    shell_env_build(NULL, env, "/aliases", &out);
    assert_true(has(&out, "PATH=/aliases:/bin"));
    assert_true(has(&out, "FOO=1"));
    assert_false(has(&out, "OPENAI_API_KEY=k"));
    assert_false(has(&out, "my_token=t"));
    strvec_free(&out);

    struct shell_environment_policy p = {.inherit = ENV_INHERIT_CORE};
    strvec_push(&p.set, "FOO=set");
    strvec_push(&p.exclude, "H*");
    shell_env_build(&p, env, NULL, &out);
    assert_true(has(&out, "PATH=/bin"));
    assert_true(has(&out, "FOO=set"));
    assert_false(has(&out, "HOME=/h"));
    assert_false(has(&out, "BAR=2"));
    strvec_free(&out);

    struct shell_environment_policy q = {.inherit = ENV_INHERIT_ALL,
                                         .ignore_default_excludes = true};
    strvec_push(&q.include_only, "*KEY");
    shell_env_build(&q, env, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_true(has(&out, "DEPLOY_KEY=d"));
    strvec_free(&out);
    strvec_free(&p.set);
    strvec_free(&p.exclude);
    strvec_free(&q.include_only);
}

/* Codex's own credentials stay out of commands even when the policy keeps
 * secrets; an explicit `set` entry is the user's choice and wins. */
static void auth_variables_are_never_inherited(void **state)
{
    (void)state;
    char *env[] = {"CODEX_ACCESS_TOKEN=at-secret", "CODEX_API_KEY=sk-1", "OPENAI_API_KEY=sk-2",
                   "GITHUB_TOKEN=g", NULL};
    struct shell_environment_policy p = {.inherit = ENV_INHERIT_ALL,
                                         .ignore_default_excludes = true};
    struct strvec out = STRVEC_INIT;
    shell_env_build(&p, env, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_true(has(&out, "GITHUB_TOKEN=g"));
    strvec_free(&out);

    strvec_push(&p.include_only, "CODEX_*");
    shell_env_build(&p, env, NULL, &out);
    assert_int_equal(out.n, 0);
    strvec_free(&out);
    strvec_free(&p.include_only);

    strvec_push(&p.set, "OPENAI_API_KEY=chosen");
    shell_env_build(&p, env, NULL, &out);
    assert_true(has(&out, "OPENAI_API_KEY=chosen"));
    assert_false(has(&out, "CODEX_ACCESS_TOKEN=at-secret"));
    strvec_free(&out);
    strvec_free(&p.set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(projection_numbers_items_and_closes_the_plan),
        cmocka_unit_test(heredoc_forms),
        cmocka_unit_test(environment_policy),
        cmocka_unit_test(auth_variables_are_never_inherited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
