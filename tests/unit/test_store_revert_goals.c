/* The store side of thread/revert (finding where a turn begins, cutting a
 * session file back to it) and of thread goals (thread_goals.json). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/rollout_revert.h"
#include "store/thread_goals.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const char META[] = "{\"type\":\"session_meta\",\"payload\":{\"id\":\"t\"}}\n";
static const char T1[] = "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_started\",\"turn_id\":\"turn-1\"}}\n";
static const char ITEM[] = "{\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"turn_id\":\"turn-2\"}}\n";
/* A later line naming turn-2 that does not start it must not be taken for
 * its start, and the real start comes after it. */
static const char T2[] = "{\"type\":\"event_msg\",\"payload\":{\"turn_id\":\"turn-2\",\"type\":\"task_started\"}}\n";
static const char TAIL[] = "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_complete\",\"turn_id\":\"turn-2\"}}\n";

static char *make_dir(void)
{
    char *dir = xstrdup("/tmp/codex-revert-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *write_session(const char *dir, bool torn)
{
    char *path = xasprintf("%s/rollout.jsonl", dir);
    char *text = xasprintf("%s%s%s%s%s%s", META, T1, ITEM, T2, TAIL, torn ? "{\"type\":\"ev" : "");
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600), 0);
    free(text);
    return path;
}

static void a_turn_starts_at_its_task_started_line(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *path = write_session(dir, true);
    struct codex_error err = CODEX_ERROR_INIT;
    off_t at = -1;
    assert_int_equal(rollout_turn_offset(path, "turn-1", &at, &err), 1);
    assert_int_equal(at, (off_t)strlen(META));
    assert_int_equal(rollout_turn_offset(path, "turn-2", &at, &err), 1);
    assert_int_equal(at, (off_t)(strlen(META) + strlen(T1) + strlen(ITEM)));
    assert_int_equal(rollout_turn_offset(path, "turn-3", &at, &err), 0);
    assert_null(err.message);

    /* Cut before turn 2: the torn tail goes with the rest, the mode stays. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(rollout_turn_offset(path, "turn-2", &at, &err), 1);
    assert_int_equal(rollout_cut(path, at, &err), 0);
    size_t len = 0;
    char *kept = fs_read_file(path, 1 << 20, &len);
    char *want = xasprintf("%s%s%s", META, T1, ITEM);
    assert_string_equal(kept, want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* The turn is gone: reverting it again finds nothing. */
    assert_int_equal(rollout_turn_offset(path, "turn-2", &at, &err), 0);
    free(kept);
    free(want);

    /* A cut past the end is refused and leaves the file alone. */
    assert_int_equal(rollout_cut(path, 1 << 20, &err), -1);
    assert_non_null(err.message);
    codex_error_clear(&err);
    kept = fs_read_file(path, 1 << 20, &len);
    assert_int_equal(len, strlen(META) + strlen(T1) + strlen(ITEM));
    free(kept);

    char *missing = xasprintf("%s/none.jsonl", dir);
    assert_int_equal(rollout_turn_offset(missing, "turn-1", &at, &err), -1);
    assert_int_equal(err.os_errno, ENOENT);
    codex_error_clear(&err);
    unlink(path);
    rmdir(dir);
    free(missing);
    free(path);
    free(dir);
}

static void goals_are_kept_per_thread(void **state)
{
    (void)state;
    char *home = make_dir();
    struct codex_error err = CODEX_ERROR_INIT;
    assert_null(thread_goal_load(home, "a", &err));
    assert_null(err.message);
    json_t *ga = json_pack("{s:s s:s}", "objective", "one", "status", "active");
    json_t *gb = json_pack("{s:s s:s}", "objective", "two", "status", "paused");
    assert_int_equal(thread_goal_save(home, "a", ga, &err), 0);
    assert_int_equal(thread_goal_save(home, "b", gb, &err), 0);
    json_t *back = thread_goal_load(home, "a", &err);
    assert_true(json_equal(back, ga));
    json_decref(back);
    bool removed = false;
    assert_int_equal(thread_goal_remove(home, "a", &removed, &err), 0);
    assert_true(removed);
    assert_int_equal(thread_goal_remove(home, "a", &removed, &err), 0);
    assert_false(removed);
    assert_null(thread_goal_load(home, "a", &err));
    back = thread_goal_load(home, "b", &err);
    assert_true(json_equal(back, gb));
    json_decref(back);

    /* A damaged file is reported with where, never taken for "no goal". */
    char *path = xasprintf("%s/thread_goals.json", home);
    assert_int_equal(fs_write_atomic(path, "[1,", 3, 0600), 0);
    assert_null(thread_goal_load(home, "b", &err));
    assert_non_null(err.message);
    assert_non_null(strstr(err.message, "thread_goals.json:"));
    codex_error_clear(&err);
    assert_int_equal(thread_goal_save(home, "c", ga, &err), -1);
    codex_error_clear(&err);
    unlink(path);
    rmdir(home);
    free(path);
    free(home);
    json_decref(ga);
    json_decref(gb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_turn_starts_at_its_task_started_line),
        cmocka_unit_test(goals_are_kept_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
