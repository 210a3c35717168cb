/* The turn index (store/rollout_turn_index.h) and long strings kept as
 * text (util/json_hollow.h).  The promises under test: a turn built alone
 * from the index is the turn a whole-file read makes (items of turns that
 * interleave, a turn that only items start, a turn_id nested deeper that
 * is not the event's, items that cannot be shown, a torn last line); and
 * a dump filled from placeholders is byte for byte the dump of the whole
 * tree, or NULL when it cannot be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/rollout_summary.h"
#include "store/rollout_turn_index.h"
#include "util/json_hollow.h"

static char *write_rollout(const char *text)
{
    char *path = strdup("/tmp/test_rollout_turn_index.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#define META "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"th1\",\"cwd\":\"/w\"}}\n"
#define STARTED(t, at)                                                                              \
    "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_started\",\"turn_attribution\":{\"turn_id\":\"x\"},"    \
    "\"turn_id\":\"" t "\",\"started_at\":" at "}}\n"
#define DONE(t) "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_complete\",\"turn_id\":\"" t "\"}}\n"
#define ABORTED(t) "{\"type\":\"event_msg\",\"payload\":{\"type\":\"turn_aborted\",\"turn_id\":\"" t "\"}}\n"
#define AGENT(t, id, text)                                                                          \
    "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"turn_id\":\"" t "\",\"item\":"   \
    "{\"type\":\"AgentMessage\",\"id\":\"" id "\",\"content\":[{\"type\":\"Text\",\"text\":\"" text "\"}]}}}\n"
#define USER(t, id, text)                                                                           \
    "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"turn_id\":\"" t "\",\"item\":"   \
    "{\"type\":\"UserMessage\",\"id\":\"" id "\",\"content\":[{\"type\":\"text\",\"text\":\"" text "\"}]}}}\n"
#define UNKNOWN(t) \
    "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"turn_id\":\"" t "\",\"item\":{\"type\":\"Nope\",\"id\":\"n\"}}}\n"
#define RESPONSE "{\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":\"user\",\"content\":[]}}\n"

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void turns_match_what_the_file_says(void **state)
{
    (void)state;
    char *path = write_rollout(META STARTED("t1", "100") USER("t1", "u1", "first") RESPONSE
                               STARTED("t2", "200") AGENT("t1", "a1", "late for t1")
                               AGENT("t2", "a2", "two") DONE("t1") UNKNOWN("t3")
                               AGENT("t4", "a4", "no start") ABORTED("t2")
                               STARTED("t5", "500") "{\"type\":\"event_msg\",\"payl");
    struct codex_error err = CODEX_ERROR_INIT;
    struct rollout_summary sum;
    struct rollout_turn_index *ix = rollout_turn_index_open(path, true, &sum, &err);
    assert_non_null(ix);
    assert_string_equal(sum.id, "th1");
    assert_string_equal(sum.preview, "first");
    /* t3 has only an item that cannot be shown: no turn. */
    assert_int_equal(rollout_turn_index_count(ix), 4);
    assert_string_equal(rollout_turn_index_id(ix, 0), "t1");
    assert_string_equal(rollout_turn_index_id(ix, 2), "t4");
    assert_int_equal(rollout_turn_index_find(ix, "t5"), 3);
    assert_int_equal(rollout_turn_index_find(ix, "t3"), -1);
    assert_int_equal(rollout_turn_index_find(ix, "x"), -1); /* nested, not the event's */

    json_t *t1 = rollout_turn_index_turn(ix, 0, &err);
    char *text = dump(t1);
    assert_string_equal(text,
                        "{\"id\":\"t1\",\"items\":[{\"type\":\"userMessage\",\"id\":\"u1\",\"content\":[{\"type\":"
                        "\"text\",\"text\":\"first\",\"text_elements\":[]}]},{\"type\":\"agentMessage\",\"id\":"
                        "\"a1\",\"text\":\"late for t1\"}],\"status\":\"completed\",\"startedAt\":100,"
                        "\"error\":null}");
    free(text);
    json_decref(t1);
    json_t *t2 = rollout_turn_index_turn(ix, 1, &err);
    assert_string_equal(json_string_value(json_object_get(t2, "status")), "interrupted");
    assert_int_equal(json_array_size(json_object_get(t2, "items")), 1);
    json_decref(t2);
    json_t *t4 = rollout_turn_index_turn(ix, 2, &err);
    assert_int_equal(json_integer_value(json_object_get(t4, "startedAt")), 0);
    assert_string_equal(json_string_value(json_object_get(t4, "status")), "inProgress");
    json_decref(t4);
    rollout_turn_index_close(ix);
    rollout_summary_free(&sum);

    /* Nobody writes it any more: what was cut short was interrupted; and
     * the whole-file read gives the same turns. */
    json_t *all = rollout_read_turns(path, false, NULL, &err);
    assert_int_equal(json_array_size(all), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 3), "status")),
                        "interrupted");
    json_decref(all);
    unlink(path);
    free(path);
}

static void not_a_rollout_is_refused(void **state)
{
    (void)state;
    char *path = write_rollout(AGENT("t1", "a1", "x"));
    struct codex_error err = CODEX_ERROR_INIT;
    assert_null(rollout_turn_index_open(path, false, NULL, &err));
    char *msg = codex_error_text(&err);
    assert_non_null(strstr(msg, "not a rollout file"));
    free(msg);
    codex_error_clear(&err);
    unlink(path);
    free(path);
}

/* A command output long enough to be kept as text. */
static char *long_output(void)
{
    size_t n = 3000;
    char *s = malloc(n * 3 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 40 == 39) {
            memcpy(s + k, "\\n", 2);
            k += 2;
        } else if (i % 97 == 0) {
            memcpy(s + k, "\\\"", 2);
            k += 2;
        } else {
            s[k++] = (char)('a' + i % 26);
        }
    }
    s[k] = '\0';
    return s;
}

static char *command_line(const char *turn, const char *output)
{
    size_t n = strlen(output) + 512;
    char *line = malloc(n);
    snprintf(line, n,
             "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"turn_id\":\"%s\",\"item\":"
             "{\"type\":\"CommandExecution\",\"id\":\"c1\",\"command\":[\"ls\"],\"cwd\":\"file:///w\","
             "\"status\":\"completed\",\"aggregated_output\":\"%s\",\"exit_code\":0}}}\n",
             turn, output);
    return line;
}

static void hollow_turns_dump_the_same_bytes(void **state)
{
    (void)state;
    char *out = long_output();
    char *cmd = command_line("t1", out);
    size_t n = strlen(META) + strlen(cmd) * 2 + 1024;
    char *file = malloc(n);
    snprintf(file, n, "%s%s%s%s%s", META, STARTED("t1", "1"), cmd, cmd, DONE("t1"));
    char *path = write_rollout(file);
    struct codex_error err = CODEX_ERROR_INIT;
    struct rollout_turn_index *ix = rollout_turn_index_open(path, false, NULL, &err);
    assert_non_null(ix);
    struct json_hollow h = JSON_HOLLOW_INIT;
    json_t *lean = rollout_turn_index_turn_hollow(ix, 0, &h, &err);
    json_t *whole = rollout_turn_index_turn(ix, 0, &err);
    assert_int_equal(h.n, 2);
    char *lean_text = dump(lean), *whole_text = dump(whole);
    assert_true(strlen(lean_text) < 1000); /* the outputs are not in the tree */
    size_t filled_len;
    char *filled = json_hollow_fill(&h, lean_text, strlen(lean_text), &filled_len);
    assert_non_null(filled);
    assert_int_equal(filled_len, strlen(whole_text));
    assert_memory_equal(filled, whole_text, filled_len);
    /* A placeholder lost or doubled on the way: no text, build it whole. */
    char *doubled = malloc(strlen(lean_text) * 2 + 1);
    strcpy(doubled, lean_text);
    strcat(doubled, lean_text);
    assert_null(json_hollow_fill(&h, doubled, strlen(doubled), &filled_len));
    assert_null(json_hollow_fill(&h, "{}", 2, &filled_len));
    free(doubled);
    free(filled);
    free(lean_text);
    free(whole_text);
    json_decref(lean);
    json_decref(whole);
    json_hollow_free(&h);
    rollout_turn_index_close(ix);
    unlink(path);
    free(path);
    free(file);
    free(cmd);
    free(out);
}

static void text_with_the_marker_is_not_hollowed(void **state)
{
    (void)state;
    struct json_hollow h = JSON_HOLLOW_INIT;
    const char *plain = "{\"aggregated_output\":\"0123456789\",\"x\":\"\\u0001\"}";
    assert_false(json_hollow_take(&h, plain, strlen(plain), "aggregated_output", 4));
    assert_true(h.poisoned);
    size_t n;
    assert_null(json_hollow_fill(&h, plain, strlen(plain), &n));
    json_hollow_clear(&h);
    /* Not what jansson writes (a space): parsed as it is. */
    const char *spaced = "{\"aggregated_output\": \"0123456789\"}";
    assert_false(json_hollow_take(&h, spaced, strlen(spaced), "aggregated_output", 4));
    /* Short strings stay; an escaped quote does not end a long one. */
    const char *text = "{\"a\":{\"aggregated_output\":\"ab\"},\"aggregated_output\":\"x\\\\\\\"y\\\\\"}";
    assert_true(json_hollow_take(&h, text, strlen(text), "aggregated_output", 5));
    assert_int_equal(h.n, 1);
    json_t *v = json_loadb(h.text.data, h.text.len, 0, NULL);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "a"), "aggregated_output")),
                        "ab");
    char *d = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *filled = json_hollow_fill(&h, d, strlen(d), &n);
    assert_string_equal(filled, text);
    free(filled);
    free(d);
    json_decref(v);
    json_hollow_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(turns_match_what_the_file_says),
        cmocka_unit_test(not_a_rollout_is_refused),
        cmocka_unit_test(hollow_turns_dump_the_same_bytes),
        cmocka_unit_test(text_with_the_marker_is_not_hollowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
