/* Unit tests for src/util: buffers, string vectors, atomic file writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

static void buf_grows_and_formats(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_string_equal(b.data + b.len - 4, "999,");
    buf_truncate(&b, 2);
    assert_string_equal(buf_cstr(&b), "0,");
    size_t len;
    char *s = buf_detach(&b, &len);
    assert_int_equal(len, 2);
    assert_null(b.data);
    free(s);
}

static void buf_long_printf_is_not_truncated(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[1000], ']');
    buf_free(&b);
}

static void strvec_is_null_terminated(void **state)
{
    (void)state;
    struct strvec sv = STRVEC_INIT;
    for (int i = 0; i < 20; i++)
        strvec_push_owned(&sv, xasprintf("a%d", i));
    assert_int_equal(sv.n, 20);
    assert_string_equal(sv.v[19], "a19");
    assert_null(sv.v[20]);
    strvec_free(&sv);
}

static void atomic_write_replaces_and_keeps_mode(void **state)
{
    (void)state;
    char dir[] = "/tmp/codex-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = fs_join(dir, "f.txt");
    assert_int_equal(fs_write_atomic(path, "one", 3, 0600), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(fs_write_atomic(path, "second", 6, 0600), 0);
    size_t len;
    char *data = fs_read_file(path, 1 << 20, &len);
    assert_non_null(data);
    assert_string_equal(data, "second");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    free(data);
    assert_null(fs_read_file(path, 3, NULL));
    assert_int_equal(errno, EFBIG);
    unlink(path);
    rmdir(dir);
    free(path);
}

static void join_and_mkdir_p(void **state)
{
    (void)state;
    char *j = fs_join("/a/b/", "/c");
    assert_string_equal(j, "/a/b/c");
    free(j);
    j = fs_join("/", "x");
    assert_string_equal(j, "/x");
    free(j);
    char dir[] = "/tmp/codex-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *deep = fs_join(dir, "x/y/z");
    assert_int_equal(fs_mkdir_p(deep, 0755), 0);
    assert_true(fs_is_dir(deep));
    assert_int_equal(fs_mkdir_p(deep, 0755), 0);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(deep);
}

static void error_keeps_the_first_failure_and_its_place(void **state)
{
    (void)state;
    struct codex_error e = CODEX_ERROR_INIT;
    assert_false(codex_error_is_set(&e));
    assert_null(codex_error_text(&e));
    codex_error_set_at(&e, "config.toml:3:7", "unknown value %s", "\"x\"");
    codex_error_set(&e, "a later consequence");
    assert_true(codex_error_is_set(&e));
    char *t = codex_error_text(&e);
    assert_string_equal(t, "config.toml:3:7: unknown value \"x\"");
    free(t);
    codex_error_locate(&e, "profile work");
    t = codex_error_text(&e);
    assert_string_equal(t, "profile work: config.toml:3:7: unknown value \"x\"");
    free(t);
    struct codex_error moved = CODEX_ERROR_INIT;
    codex_error_move(&moved, &e);
    assert_false(codex_error_is_set(&e));
    assert_string_equal(moved.message, "unknown value \"x\"");
    codex_error_clear(&moved);
    codex_error_set_os(&moved, ENOENT, "opening %s", "/nope");
    assert_int_equal(moved.os_errno, ENOENT);
    assert_string_equal(moved.message, "opening /nope: No such file or directory");
    codex_error_clear(&moved);
    assert_false(codex_error_is_set(&moved));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_and_formats),
        cmocka_unit_test(buf_long_printf_is_not_truncated),
        cmocka_unit_test(strvec_is_null_terminated),
        cmocka_unit_test(atomic_write_replaces_and_keeps_mode),
        cmocka_unit_test(join_and_mkdir_p),
        cmocka_unit_test(error_keeps_the_first_failure_and_its_place),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
