/* Segments of a thread the reference reverted (store/rollout_segments.h).
 * The promises under test: names of a thread's plain file and segments are
 * told apart from other threads'; the newest segment wins; the listing
 * keeps one file per thread; a segment reads as its bases' kept prefixes
 * followed by itself (through a chain of two, base found in another day's
 * folder), a file without a base reads as it is, and a missing base is an
 * error naming the segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/rollout_segments.h"

#define TID "01a24903-dc67-7a52-9250-a34f6c21f6a2"
#define SEG1 "01a24903-defc-7e71-8b54-baed45566607"
#define SEG2 "01a24903-dfec-74b3-8f58-b5c59f2b1023"

static void names_belong_to_their_thread(void **state)
{
    (void)state;
    const char *seg = NULL;
    assert_true(rollout_segment_name("/a/rollout-2026-12-06T01-41-59-" TID ".jsonl", TID, &seg));
    assert_string_equal(seg, "");
    assert_true(rollout_segment_name("rollout-2026-12-06T01-42-00-" TID "_" SEG1 ".jsonl", TID, &seg));
    assert_string_equal(seg, SEG1 ".jsonl");
    /* Another thread's file, and a segment named like this thread's id. */
    assert_false(rollout_segment_name("rollout-2026-12-06T01-42-00-" SEG1 ".jsonl", TID, NULL));
    assert_false(rollout_segment_name("rollout-2026-12-06T01-42-00-" TID "_" SEG1 ".jsonl", SEG1, NULL));
    assert_false(rollout_segment_name("rollout-2026-12-06T01-42-00-x" TID ".jsonl", TID, NULL));
    assert_false(rollout_segment_name("rollout-2026-12-06T01-42-00-" TID ".json", TID, NULL));
}

static void the_newest_segment_wins_and_is_listed_alone(void **state)
{
    (void)state;
    const char *plain = "/s/rollout-2026-12-06T01-41-59-" TID ".jsonl";
    const char *one = "/s/rollout-2026-12-06T01-42-00-" TID "_" SEG1 ".jsonl";
    const char *two = "/s/rollout-2026-12-06T01-42-00-" TID "_" SEG2 ".jsonl";
    const char *other = "/s/rollout-2026-12-06T01-43-00-" SEG1 ".jsonl";
    assert_true(rollout_segment_newer(two, one, TID));
    assert_true(rollout_segment_newer(one, plain, TID));
    assert_false(rollout_segment_newer(plain, two, TID));
    const char *paths[] = {plain, two, other, one, "/s/rollout-broken.jsonl"};
    const char *ids[] = {TID, TID, SEG1, TID, NULL};
    bool superseded[5];
    rollout_segments_mark_superseded(paths, ids, 5, superseded);
    assert_true(superseded[0]);
    assert_false(superseded[1]);
    assert_false(superseded[2]);
    assert_true(superseded[3]);
    assert_false(superseded[4]);
    /* A thread without segments keeps its one file. */
    const char *alone[] = {plain};
    const char *alone_ids[] = {TID};
    rollout_segments_mark_superseded(alone, alone_ids, 1, superseded);
    assert_false(superseded[0]);
}

static char dir[] = "/tmp/test_rollout_segments.XXXXXX";

static char *put(const char *rel, const char *text)
{
    char *path;
    assert_true(asprintf(&path, "%s/%s", dir, rel) > 0);
    char *cmd;
    assert_true(asprintf(&cmd, "mkdir -p \"$(dirname '%s')\"", path) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *read_all(int fd, off_t size)
{
    char *out = calloc(1, (size_t)size + 1);
    assert_int_equal(pread(fd, out, (size_t)size, 0), (ssize_t)size);
    return out;
}

#define META0 "{\"ordinal\":0,\"type\":\"session_meta\",\"payload\":{\"id\":\"" TID "\"}}\n"
#define LINE(n) "{\"ordinal\":" #n ",\"type\":\"event_msg\",\"payload\":{\"type\":\"x\"}}\n"
static void a_segment_reads_as_its_kept_history(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    char *plain = put("sessions/2026/12/06/rollout-2026-12-06T01-41-59-" TID ".jsonl",
                      META0 LINE(1) LINE(2) LINE(3));
    char b1[16], b2[16];
    snprintf(b1, sizeof b1, "%zu", strlen(META0 LINE(1) LINE(2)));
    char *seg1_text, *seg2_text;
    assert_true(asprintf(&seg1_text, "{\"ordinal\":3,\"type\":\"session_meta\",\"payload\":{\"id\":\"" TID
                         "\",\"history_base\":{\"thread_id\":\"" TID "\",\"end_ordinal_exclusive\":3,"
                         "\"end_byte_offset\":%s}}}\n" LINE(4) LINE(5), b1) > 0);
    char *seg1 = put("sessions/2026/12/06/rollout-2026-12-06T01-42-00-" TID "_" SEG1 ".jsonl", seg1_text);
    size_t keep = strlen(seg1_text) - strlen(LINE(5));
    snprintf(b2, sizeof b2, "%zu", keep);
    assert_true(asprintf(&seg2_text, "{\"ordinal\":5,\"type\":\"session_meta\",\"payload\":{\"id\":\"" TID
                         "\",\"history_base\":{\"thread_id\":\"" SEG1 "\",\"end_ordinal_exclusive\":5,"
                         "\"end_byte_offset\":%s}}}\n" LINE(6), b2) > 0);
    /* Written the next day: its base is found in the other folder. */
    char *seg2 = put("sessions/2026/12/07/rollout-2026-12-07T00-00-01-" TID "_" SEG2 ".jsonl", seg2_text);

    struct stat st;
    struct codex_error err = CODEX_ERROR_INIT;
    int fd = rollout_segments_open(seg2, &st, &err);
    assert_true(fd >= 0);
    char *got = read_all(fd, st.st_size);
    char *want;
    assert_true(asprintf(&want, "%s%.*s%s", META0 LINE(1) LINE(2), (int)keep, seg1_text, seg2_text) > 0);
    assert_string_equal(got, want);
    assert_int_equal(st.st_size, (off_t)strlen(want));
    close(fd);
    free(got);
    free(want);

    fd = rollout_segments_open(plain, &st, &err);
    assert_true(fd >= 0);
    got = read_all(fd, st.st_size);
    assert_string_equal(got, META0 LINE(1) LINE(2) LINE(3));
    close(fd);
    free(got);

    /* Without its base, a segment is an error that names it. */
    unlink(seg1);
    assert_int_equal(rollout_segments_open(seg2, &st, &err), -1);
    assert_non_null(strstr(err.message, SEG2));
    assert_non_null(strstr(err.message, "missing"));
    codex_error_clear(&err);

    char *cmd;
    assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(plain);
    free(seg1);
    free(seg2);
    free(seg1_text);
    free(seg2_text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_belong_to_their_thread),
        cmocka_unit_test(the_newest_segment_wins_and_is_listed_alone),
        cmocka_unit_test(a_segment_reads_as_its_kept_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
