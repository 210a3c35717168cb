/* The rollout writer and reader: write failures are kept and said once;
 * reading copes with torn lines, compactions and files that are not
 * sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/rollout.h"
#include "util/xalloc.h"

static void a_failed_write_is_kept_and_said_once(void **state)
{
    (void)state;
    char *err = NULL;
    /* /dev/full takes the open and refuses every write with ENOSPC. */
    struct rollout *r = rollout_reopen("/dev/full", 0, false, &err);
    assert_non_null(r);
    assert_null(rollout_take_error(r));
    rollout_append(r, "event_msg", json_pack("{s:s}", "type", "first"));
    rollout_append(r, "event_msg", json_pack("{s:s}", "type", "second"));
    char *text = rollout_take_error(r);
    assert_non_null(text);
    assert_non_null(strstr(text, "/dev/full"));
    assert_non_null(strstr(text, "No space left on device"));
    free(text);
    assert_null(rollout_take_error(r));
    rollout_close(r);
}

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/codex-rollout-test.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#define META "{\"timestamp\":\"t\",\"type\":\"session_meta\",\"payload\":{\"id\":\"th-1\"}}\n"
#define USER(text)                                                                                \
    "{\"timestamp\":\"t\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":" \
    "\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"" text "\"}]}}\n"

static void a_torn_last_line_is_skipped_with_a_warning(void **state)
{
    (void)state;
    char *path = write_temp(META USER("one") "{\"timestamp\":\"t\",\"type\":\"resp");
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), 0);
    assert_true(rs.torn_tail);
    assert_int_equal(json_items_count(&rs.history), 1);
    assert_int_equal(rs.warnings.n, 1);
    assert_non_null(strstr(rs.warnings.v[0], "incomplete"));
    rollout_session_free(&rs);
    unlink(path);
    free(path);
}

static void a_compacted_line_replaces_what_came_before(void **state)
{
    (void)state;
    char *path = write_temp(
        META USER("old question")
        "{\"timestamp\":\"t\",\"type\":\"compacted\",\"payload\":{\"message\":\"S\","
        "\"replacement_history\":[{\"type\":\"message\",\"role\":\"user\",\"content\":"
        "[{\"type\":\"input_text\",\"text\":\"summary\"}]}],\"window_number\":3,"
        "\"window_id\":\"w3\",\"first_window_id\":\"w0\"}}\n"
        "{\"timestamp\":\"t\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
        "\"info\":{\"last_token_usage\":{\"total_tokens\":1234}}}}\n" USER("new question"));
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), 0);
    assert_int_equal(json_items_count(&rs.history), 2);
    char *first = json_dumps(json_items_peek(&rs.history, 0), JSON_COMPACT);
    assert_non_null(strstr(first, "summary"));
    free(first);
    assert_int_equal(rs.window_number, 3);
    assert_string_equal(rs.window_id, "w3");
    assert_string_equal(rs.first_window_id, "w0");
    assert_int_equal(rs.last_total_tokens, 1234);
    assert_int_equal(rs.warnings.n, 0);
    rollout_session_free(&rs);
    unlink(path);
    free(path);
}

static void an_empty_replacement_keeps_the_user_messages_and_warns(void **state)
{
    (void)state;
    char *path = write_temp(META USER("asked before")
                            "{\"timestamp\":\"t\",\"type\":\"compacted\",\"payload\":{\"message\":"
                            "\"the summary\",\"replacement_history\":[]}}\n");
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), 0);
    json_t *array = json_items_to_array(&rs.history);
    char *all = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    assert_non_null(strstr(all, "asked before"));
    assert_non_null(strstr(all, "the summary"));
    free(all);
    assert_int_equal(rs.warnings.n, 1);
    rollout_session_free(&rs);
    unlink(path);
    free(path);
}

static void a_file_that_is_not_a_session_is_refused_with_its_place(void **state)
{
    (void)state;
    char *path = write_temp("hello\nworld\n");
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_load(path, &rs, &err), -1);
    char *want = xasprintf("%s:1: not a Codex session file", path);
    assert_non_null(strstr(err.message, want));
    free(want);
    codex_error_clear(&err);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_failed_write_is_kept_and_said_once),
        cmocka_unit_test(a_torn_last_line_is_skipped_with_a_warning),
        cmocka_unit_test(a_compacted_line_replaces_what_came_before),
        cmocka_unit_test(an_empty_replacement_keeps_the_user_messages_and_warns),
        cmocka_unit_test(a_file_that_is_not_a_session_is_refused_with_its_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
