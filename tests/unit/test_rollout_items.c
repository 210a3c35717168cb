/* Items of item_completed lines: written in the reference's internal shape
 * (so its resume and thread/list read our sessions) and read back into the
 * app-server v2 shape without losing what a client shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/rollout_items.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fail_msg("bad JSON in test: %s", e.text);
    return v;
}

/* from_v2(v2) equals the reference's form, and to_v2 of that gives v2 back. */
static void check(const char *v2_text, const char *reference_text)
{
    json_t *v2 = parse(v2_text), *want = parse(reference_text);
    json_t *stored = rollout_item_from_v2(v2);
    if (!json_equal(stored, want)) {
        char *got = json_dumps(stored, JSON_SORT_KEYS);
        fail_msg("stored as %s", got);
    }
    json_t *back = rollout_item_to_v2(stored);
    if (!json_equal(back, v2)) {
        char *got = json_dumps(back, JSON_SORT_KEYS);
        fail_msg("read back as %s", got);
    }
    json_decref(back);
    json_decref(stored);
    json_decref(want);
    json_decref(v2);
}

static void messages_and_reasoning(void **state)
{
    (void)state;
    check("{\"type\":\"userMessage\",\"id\":\"u1\",\"content\":[{\"type\":\"text\",\"text\":\"do it\","
          "\"text_elements\":[]}]}",
          "{\"type\":\"UserMessage\",\"id\":\"u1\",\"content\":[{\"type\":\"text\",\"text\":\"do it\","
          "\"text_elements\":[]}]}");
    check("{\"type\":\"agentMessage\",\"id\":\"m1\",\"text\":\"all done\",\"phase\":\"final_answer\"}",
          "{\"type\":\"AgentMessage\",\"id\":\"m1\",\"content\":[{\"type\":\"Text\",\"text\":\"all "
          "done\"}],\"phase\":\"final_answer\"}");
    check("{\"type\":\"reasoning\",\"id\":\"r1\",\"summary\":[\"thinking\"],\"content\":[]}",
          "{\"type\":\"Reasoning\",\"id\":\"r1\",\"summary_text\":[\"thinking\"],\"raw_content\":[]}");
    check("{\"type\":\"contextCompaction\",\"id\":\"c9\"}",
          "{\"type\":\"ContextCompaction\",\"id\":\"c9\"}");
}

static void a_command_keeps_its_words_and_actions(void **state)
{
    (void)state;
    check("{\"type\":\"commandExecution\",\"id\":\"c1\",\"command\":\"/bin/bash -c 'echo \\\"it'\\\\''s\\\"'\","
          "\"cwd\":\"/repo\",\"status\":\"completed\",\"commandActions\":[{\"type\":\"listFiles\","
          "\"command\":\"ls src\",\"path\":\"src\"}],\"source\":\"unifiedExecStartup\","
          "\"processId\":\"42\",\"aggregatedOutput\":\"hi\\n\",\"exitCode\":0,\"durationMs\":1250}",
          "{\"type\":\"CommandExecution\",\"id\":\"c1\",\"command\":[\"/bin/bash\",\"-c\","
          "\"echo \\\"it's\\\"\"],\"cwd\":\"file:///repo\",\"parsed_cmd\":[{\"type\":\"list_files\","
          "\"cmd\":\"ls src\",\"path\":\"src\"}],\"source\":\"unified_exec_startup\",\"status\":"
          "\"completed\",\"process_id\":\"42\",\"aggregated_output\":\"hi\\n\",\"exit_code\":0,"
          "\"duration\":{\"secs\":1,\"nanos\":250000000}}");
}

static void file_changes_by_kind(void **state)
{
    (void)state;
    check("{\"type\":\"fileChange\",\"id\":\"p1\",\"changes\":[{\"path\":\"/r/a.txt\",\"kind\":{"
          "\"type\":\"add\"},\"diff\":\"made\\n\"},{\"path\":\"/r/b.txt\",\"kind\":{\"type\":"
          "\"update\",\"move_path\":\"/r/c.txt\"},\"diff\":\"@@ -1 +1 @@\\n-a\\n+b\\n\"}],"
          "\"status\":\"completed\"}",
          "{\"type\":\"FileChange\",\"id\":\"p1\",\"changes\":{\"/r/a.txt\":{\"type\":\"add\","
          "\"content\":\"made\\n\"},\"/r/b.txt\":{\"type\":\"update\",\"unified_diff\":\"@@ -1 +1 "
          "@@\\n-a\\n+b\\n\",\"move_path\":\"/r/c.txt\"}},\"status\":\"completed\"}");
}

static void unknown_items_pass_through(void **state)
{
    (void)state;
    json_t *v = parse("{\"type\":\"plan\",\"id\":\"t-plan\",\"text\":\"q\"}");
    json_t *stored = rollout_item_from_v2(v);
    assert_true(json_equal(stored, v));
    json_decref(stored);
    json_decref(v);
}

/* Stored as the reference's WebSearch, with the Responses API's action. */
static void web_searches_round_trip(void **state)
{
    (void)state;
    json_t *v = parse("{\"type\":\"webSearch\",\"id\":\"w1\",\"query\":\"'n' in u\","
                      "\"action\":{\"type\":\"findInPage\",\"url\":\"u\",\"pattern\":\"n\"}}");
    json_t *stored = rollout_item_from_v2(v);
    json_t *want = parse("{\"type\":\"WebSearch\",\"id\":\"w1\",\"query\":\"'n' in u\","
                         "\"action\":{\"type\":\"find_in_page\",\"url\":\"u\",\"pattern\":\"n\"}}");
    assert_true(json_equal(stored, want));
    json_t *back = rollout_item_to_v2(stored);
    assert_true(json_equal(back, v));
    json_t *call = parse("{\"type\":\"web_search_call\",\"id\":\"w1\",\"status\":\"completed\","
                         "\"action\":{\"type\":\"find_in_page\",\"url\":\"u\",\"pattern\":\"n\"}}");
    json_t *item = web_search_item_from_call(call);
    assert_true(json_equal(item, v));
    json_decref(item);
    json_decref(call);
    json_decref(back);
    json_decref(want);
    json_decref(stored);
    json_decref(v);
}

/* A spawn keeps the model and effort the child runs with. */
static void a_spawn_keeps_its_model_and_effort(void **state)
{
    (void)state;
    check("{\"type\":\"collabAgentToolCall\",\"id\":\"s1\",\"tool\":\"spawnAgent\",\"status\":"
          "\"completed\",\"senderThreadId\":\"p\",\"receiverThreadIds\":[\"c\"],\"prompt\":\"go\","
          "\"model\":\"gpt-5.5\",\"reasoningEffort\":\"medium\",\"agentsStates\":{\"c\":"
          "{\"status\":\"pendingInit\",\"message\":null}}}",
          "{\"type\":\"CollabAgentToolCall\",\"id\":\"s1\",\"tool\":\"spawn_agent\",\"status\":"
          "\"completed\",\"sender_thread_id\":\"p\",\"receiver_thread_ids\":[\"c\"],"
          "\"receiver_agents\":[{\"thread_id\":\"c\"}],\"prompt\":\"go\",\"model\":\"gpt-5.5\","
          "\"reasoning_effort\":\"medium\",\"agents_states\":{\"c\":\"pending_init\"}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_and_reasoning),
        cmocka_unit_test(a_spawn_keeps_its_model_and_effort),
        cmocka_unit_test(a_command_keeps_its_words_and_actions),
        cmocka_unit_test(file_changes_by_kind),
        cmocka_unit_test(unknown_items_pass_through),
        cmocka_unit_test(web_searches_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
