/* Unit tests for the store's rollout files: the path layout and its one
 * clock rule, the head-and-tail summary, finding by id, name and recency,
 * fork, archive, the writer's first error, and the thread index. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/rollout.h"
#include "store/rollout_files.h"
#include "store/rollout_find.h"
#include "store/rollout_summary.h"
#include "store/session_names.h"
#include "store/thread_index.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define ID1 "019a0000-0000-7000-8000-000000000001"
#define ID2 "019a0000-0000-7000-8000-000000000002"
#define ID3 "019a0000-0000-7000-8000-000000000003"

static char *scratch(void)
{
    char tmpl[] = "/tmp/test_store_rollouts.XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void rm_rf(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void write_text(const char *path, const char *text)
{
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(fs_mkdir_p(dir, 0700), 0);
    free(dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *meta_line(const char *id, const char *cwd)
{
    return xasprintf("{\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"type\":\"session_meta\","
                     "\"payload\":{\"id\":\"%s\",\"timestamp\":\"2026-11-20T10:00:00.000Z\","
                     "\"cwd\":\"%s\",\"cli_version\":\"0.1.0\",\"source\":\"cli\","
                     "\"model_provider\":\"openai\",\"originator\":\"codex_cli_rs\"}}\n",
                     id, cwd);
}

static const char user_line[] =
    "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"turn_id\":\"t1\","
    "\"item\":{\"type\":\"userMessage\",\"id\":\"u\",\"content\":[{\"type\":\"text\","
    "\"text\":\"first prompt\"}]}}}\n";

static char *context_line(const char *model)
{
    return xasprintf("{\"type\":\"turn_context\",\"payload\":{\"model\":\"%s\","
                     "\"effort\":\"high\"}}\n",
                     model);
}

/* ---- layout ------------------------------------------------------------- */

/* A moment whose UTC day differs from the local day under TZ. */
static void local_and_utc_days_differ(const char *tz, time_t when)
{
    setenv("TZ", tz, 1);
    tzset();
    char *path = rollout_new_path("/h", when, ID1);
    struct tm local, utc;
    localtime_r(&when, &local);
    gmtime_r(&when, &utc);
    assert_int_not_equal(local.tm_mday, utc.tm_mday);
    char want[128];
    strftime(want, sizeof want, "/h/sessions/%Y/%m/%d/rollout-%Y-%m-%dT%H-%M-%S-", &local);
    assert_memory_equal(path, want, strlen(want));
    /* The folder can be told from the name: both are the same local time. */
    char day[11], folder[11];
    assert_true(rollout_name_day(path, day));
    snprintf(folder, sizeof folder, "%.10s", path + strlen("/h/sessions/"));
    assert_string_equal(day, folder);
    assert_true(rollout_name_has_id(path, ID1));
    assert_false(rollout_name_has_id(path, ID1 + 1));
    free(path);
    unsetenv("TZ");
    tzset();
}

static void layout_uses_local_time_for_folder_and_name(void **state)
{
    (void)state;
    /* 2026-11-20 23:30 UTC is already the 21st at UTC+14 ... */
    local_and_utc_days_differ("Etc/GMT-14", 1795217400);
    /* ... and 00:30 UTC still the 19th at UTC-12. */
    local_and_utc_days_differ("Etc/GMT+12", 1795134600);
}

static void name_day_rejects_other_shapes(void **state)
{
    (void)state;
    char day[11];
    assert_true(rollout_name_day("rollout-2026-01-02T03-04-05-" ID1 ".jsonl", day));
    assert_string_equal(day, "2026/01/02");
    assert_false(rollout_name_day("rollout-2026-1-02T03-04-05-x.jsonl", day));
    assert_false(rollout_name_day("notes.jsonl", day));
}

/* ---- summaries ------------------------------------------------------------ */

static void summary_reads_head_and_latest_context_from_tail(void **state)
{
    (void)state;
    char *dir = scratch();
    char *path = fs_join(dir, "rollout-2026-11-20T10-00-00-" ID1 ".jsonl");
    struct buf b = BUF_INIT;
    char *meta = meta_line(ID1, "/work"), *c1 = context_line("first-model"),
         *c2 = context_line("last-model");
    buf_puts(&b, meta);
    buf_puts(&b, c1);
    buf_puts(&b, user_line);
    /* Far more than one read of filler, with a line longer than a chunk. */
    for (int i = 0; i < 300; i++)
        buf_printf(&b, "{\"type\":\"response_item\",\"payload\":{\"text\":\"%0500d\"}}\n", i);
    buf_puts(&b, "{\"type\":\"response_item\",\"payload\":{\"text\":\"");
    for (int i = 0; i < 200000; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\"}}\n");
    buf_puts(&b, c2);
    for (int i = 0; i < 10; i++)
        buf_puts(&b, "{\"type\":\"response_item\",\"payload\":{}}\n");
    /* A torn last line, as a killed writer leaves it. */
    buf_puts(&b, "{\"type\":\"turn_context\",\"payload\":{\"model\":\"torn\"");
    write_text(path, buf_cstr(&b));

    struct rollout_summary s;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_summary_read(path, &s, &err), 0);
    assert_string_equal(s.id, ID1);
    assert_string_equal(s.cwd, "/work");
    assert_string_equal(s.source, "cli");
    assert_string_equal(s.preview, "first prompt");
    assert_string_equal(s.model, "last-model");
    assert_string_equal(s.effort, "high");
    assert_int_equal(s.created_at, 1795168800);
    assert_int_equal(s.size, (int64_t)b.len);
    rollout_summary_free(&s);

    /* The full read agrees, and has the turn. */
    json_t *turns = rollout_read_turns(path, false, &s, &err);
    assert_non_null(turns);
    assert_string_equal(s.model, "last-model");
    assert_int_equal(json_array_size(turns), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(turns, 0), "status")),
                        "interrupted");
    json_decref(turns);
    rollout_summary_free(&s);
    free(meta);
    free(c1);
    free(c2);
    buf_free(&b);
    free(path);
    rm_rf(dir);
    free(dir);
}

static void summary_sees_escaped_type_names(void **state)
{
    (void)state;
    char *dir = scratch();
    char *path = fs_join(dir, "rollout-2026-11-20T10-00-00-" ID1 ".jsonl");
    /* A parser reads "\u0074ype" as "type" and keeps the last duplicate. */
    write_text(path, "{\"\\u0074ype\":\"x\",\"payload\":{\"id\":\"" ID2 "\"},"
                     "\"type\":\"session\\u005fmeta\"}\n"
                     "{\"type\":\"turn_context\",\"payload\":{\"model\":\"m\"}}\n");
    struct rollout_summary s;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(rollout_summary_read(path, &s, &err), 0);
    assert_string_equal(s.id, ID2);
    assert_string_equal(s.model, "m");
    rollout_summary_free(&s);
    /* Not a rollout: no session_meta. */
    write_text(path, "{\"type\":\"turn_context\",\"payload\":{}}\n");
    assert_int_equal(rollout_summary_read(path, &s, &err), -1);
    assert_non_null(strstr(err.message, "not a rollout"));
    codex_error_clear(&err);
    free(path);
    rm_rf(dir);
    free(dir);
}

/* ---- finding ------------------------------------------------------------- */

static char *add_session(const char *home, const char *stamp, const char *id, const char *cwd)
{
    char *path = xasprintf("%s/sessions/2026/11/20/rollout-%s-%s.jsonl", home, stamp, id);
    char *meta = meta_line(id, cwd);
    write_text(path, meta);
    free(meta);
    return path;
}

static void find_by_id_name_and_recency(void **state)
{
    (void)state;
    char *home = scratch();
    char *p1 = add_session(home, "2026-11-20T10-00-00", ID1, "/a");
    char *p2 = add_session(home, "2026-11-20T11-00-00", ID2, "/b");
    char *p3 = add_session(home, "2026-11-20T09-00-00", ID3, "/a");
    struct codex_error err = CODEX_ERROR_INIT;

    char *f = rollout_find(home, ID2, &err);
    assert_string_equal(f, p2);
    free(f);
    assert_null(rollout_find(home, "019a0000-0000-7000-8000-00000000dead", &err));
    assert_string_equal(err.message,
                        "No saved session found with ID 019a0000-0000-7000-8000-00000000dead");
    codex_error_clear(&err);

    /* Names: the latest thread that still has the name. */
    assert_int_equal(session_name_set(home, ID1, "fix bug", &err), 0);
    assert_int_equal(session_name_set(home, ID3, "fix bug", &err), 0);
    assert_int_equal(session_name_set(home, ID3, "renamed", &err), 0);
    f = rollout_find(home, "fix bug", &err);
    assert_string_equal(f, p1);
    free(f);
    char *name = session_name_get(home, ID3);
    assert_string_equal(name, "renamed");
    free(name);

    /* The newest session, or the newest of one directory. */
    f = rollout_find_last(home, NULL, &err);
    assert_string_equal(f, p2);
    free(f);
    f = rollout_find_last(home, "/a", &err);
    assert_string_equal(f, p1);
    free(f);
    assert_null(rollout_find_last(home, "/nowhere", &err));
    assert_string_equal(err.message, "No saved session found to resume");
    codex_error_clear(&err);

    /* Archived sessions are found by locate, not by resume's find. */
    char *archived = rollout_archive(home, p2, &err);
    assert_non_null(archived);
    bool is_archived = false;
    f = rollout_locate(home, ID2, &is_archived);
    assert_string_equal(f, archived);
    assert_true(is_archived);
    free(f);
    assert_null(rollout_find_id(home, ID2, ROLLOUT_ACTIVE));
    char *back = rollout_unarchive(home, archived, &err);
    assert_string_equal(back, p2);
    free(back);
    free(archived);
    assert_int_equal(rollout_delete(p2, &err), 0);
    assert_null(rollout_locate(home, ID2, NULL));
    assert_int_equal(rollout_delete(p2, &err), -1);
    assert_int_equal(err.os_errno, ENOENT);
    codex_error_clear(&err);
    free(p1);
    free(p2);
    free(p3);
    rm_rf(home);
    free(home);
}

static void fork_names_the_new_thread_in_todays_folder(void **state)
{
    (void)state;
    char *home = scratch();
    char *src = add_session(home, "2026-11-20T10-00-00", ID1, "/a");
    FILE *f = fopen(src, "a");
    fputs(user_line, f);
    fclose(f);
    struct codex_error err = CODEX_ERROR_INIT;
    time_t before = time(NULL);
    char *dest = rollout_fork(home, src, ID2, ID1, &err);
    assert_non_null(dest);
    /* Today's local folder, as a new session's (or the next day's, when
     * the clock passed midnight meanwhile). */
    char *today = rollout_new_path(home, before, ID2);
    char *later = rollout_new_path(home, time(NULL), ID2);
    assert_true(strncmp(dest, today, strlen(home) + 20) == 0 ||
                strncmp(dest, later, strlen(home) + 20) == 0);
    struct rollout_summary s;
    assert_int_equal(rollout_summary_read(dest, &s, &err), 0);
    assert_string_equal(s.id, ID2);
    assert_string_equal(s.forked_from_id, ID1);
    assert_string_equal(s.preview, "first prompt");
    rollout_summary_free(&s);
    free(today);
    free(later);
    free(dest);
    free(src);
    rm_rf(home);
    free(home);
}

/* ---- the writer ------------------------------------------------------------ */

static void writer_keeps_its_first_error_and_whole_lines(void **state)
{
    (void)state;
    char *dir = scratch();
    char *path = fs_join(dir, "r.jsonl");
    write_text(path, "");
    char *why = NULL;
    struct rollout *r = rollout_reopen(path, 0, 0, &why);
    assert_non_null(r);
    assert_int_equal(rollout_append(r, "event_msg", json_pack("{s:s}", "type", "one")), 0);
    assert_null(rollout_error(r));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    off_t whole = st.st_size;
    /* A file size limit makes the next write fail part way. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)whole + 10;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char big[4096];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(rollout_append(r, "event_msg", json_pack("{s:s}", "text", big)), -1);
    setrlimit(RLIMIT_FSIZE, &old);
    const struct codex_error *e = rollout_error(r);
    assert_non_null(e);
    assert_int_equal(e->os_errno, EFBIG);
    assert_non_null(strstr(e->message, "cannot append to"));
    /* Nothing is written after a failure, and the torn line is gone. */
    assert_int_equal(rollout_append(r, "event_msg", json_pack("{s:s}", "type", "two")), -1);
    assert_ptr_equal(rollout_error(r), e);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, whole);
    rollout_close(r);
    free(path);
    rm_rf(dir);
    free(dir);
}

/* ---- the index ------------------------------------------------------------- */

static void index_lists_oldest_first_and_follows_changes(void **state)
{
    (void)state;
    char *home = scratch();
    char *p1 = add_session(home, "2026-11-20T10-00-00", ID1, "/a");
    char *p2 = add_session(home, "2026-11-20T09-00-00", ID2, "/b");
    /* Not a rollout yet: no session_meta line. */
    char *p3 = xasprintf("%s/sessions/2026/11/20/rollout-2026-11-20T12-00-00-%s.jsonl", home, ID3);
    write_text(p3, "");
    struct thread_index *ix = thread_index_new(home);
    const struct rollout_summary *const *out;
    size_t n = thread_index_list(ix, ROLLOUT_ACTIVE, NULL, 0, &out);
    assert_int_equal(n, 2);
    assert_string_equal(out[0]->id, ID2);
    assert_string_equal(out[1]->id, ID1);
    /* A file this process writes is re-read when it changes. */
    char *meta = meta_line(ID3, "/c");
    write_text(p3, meta);
    free(meta);
    const char *live[] = {p3};
    n = thread_index_list(ix, ROLLOUT_ACTIVE, live, 1, &out);
    assert_int_equal(n, 3);
    assert_string_equal(out[2]->id, ID3);
    thread_index_free(ix);
    /* The saved index serves the next process, which still checks files. */
    char *idx = fs_join(home, "thread_index.tsv");
    assert_true(fs_exists(idx));
    unlink(p1);
    ix = thread_index_new(home);
    n = thread_index_list(ix, ROLLOUT_ACTIVE, NULL, 0, &out);
    assert_int_equal(n, 2);
    assert_int_equal(thread_index_list(ix, ROLLOUT_ARCHIVED, NULL, 0, &out), 0);
    thread_index_free(ix);
    free(idx);
    free(p1);
    free(p2);
    free(p3);
    rm_rf(home);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_uses_local_time_for_folder_and_name),
        cmocka_unit_test(name_day_rejects_other_shapes),
        cmocka_unit_test(summary_reads_head_and_latest_context_from_tail),
        cmocka_unit_test(summary_sees_escaped_type_names),
        cmocka_unit_test(find_by_id_name_and_recency),
        cmocka_unit_test(fork_names_the_new_thread_in_todays_folder),
        cmocka_unit_test(writer_keeps_its_first_error_and_whole_lines),
        cmocka_unit_test(index_lists_oldest_first_and_follows_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
