/* Unit tests for src/filesearch: the ignore-file rules, the fuzzy scorer
 * (scores and positions the reference answered for the same paths), and
 * the walk plus query over a temporary tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filesearch/filesearch.h"
#include "filesearch/fuzzy.h"
#include "filesearch/ignore.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- ignore rules --------------------------------------------------------- */

static enum ignore_verdict verdict(const char *rules, const char *path, bool is_dir)
{
    struct ignore_rules *r = ignore_rules_parse(rules, strlen(rules));
    enum ignore_verdict v = ignore_rules_match(r, path, is_dir);
    ignore_rules_free(r);
    return v;
}

static void ignore_basics(void **state)
{
    (void)state;
    assert_int_equal(verdict("*.log\n", "a.log", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("*.log\n", "deep/er/a.log", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("*.log\n", "a.logx", false), IGNORE_NONE);
    assert_int_equal(verdict("# c\n\n   \n", "x", false), IGNORE_NONE);
    assert_int_equal(verdict("\\#x\n", "#x", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("\\!x\n", "!x", false), IGNORE_EXCLUDE);
    /* the last pattern that matches decides */
    assert_int_equal(verdict("*.log\n!keep.log\n", "keep.log", false), IGNORE_INCLUDE);
    assert_int_equal(verdict("!keep.log\n*.log\n", "keep.log", false), IGNORE_EXCLUDE);
    /* trailing spaces go, escaped ones stay; CRLF lines work */
    assert_int_equal(verdict("a.txt   \r\n", "a.txt", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("b\\ \n", "b ", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("b\\ \n", "b", false), IGNORE_NONE);
}

static void ignore_directories_and_anchors(void **state)
{
    (void)state;
    assert_int_equal(verdict("build/\n", "build", true), IGNORE_EXCLUDE);
    assert_int_equal(verdict("build/\n", "build", false), IGNORE_NONE);
    assert_int_equal(verdict("build/\n", "x/build", true), IGNORE_EXCLUDE);
    assert_int_equal(verdict("/build\n", "build", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("/build\n", "x/build", false), IGNORE_NONE);
    assert_int_equal(verdict("doc/frotz\n", "doc/frotz", true), IGNORE_EXCLUDE);
    assert_int_equal(verdict("doc/frotz\n", "a/doc/frotz", true), IGNORE_NONE);
    assert_int_equal(verdict("a/*.c\n", "a/x.c", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("a/*.c\n", "a/b/x.c", false), IGNORE_NONE);
}

static void ignore_double_star_and_classes(void **state)
{
    (void)state;
    assert_int_equal(verdict("**/foo\n", "foo", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("**/foo\n", "a/b/foo", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("**/foo/bar\n", "x/foo/bar", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("abc/**\n", "abc/x/y", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("abc/**\n", "abcd/x", false), IGNORE_NONE);
    assert_int_equal(verdict("a/**/b\n", "a/b", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("a/**/b\n", "a/x/y/b", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("a/**/b\n", "a/xb", false), IGNORE_NONE);
    assert_int_equal(verdict("file[0-9].txt\n", "file7.txt", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("file[!0-9].txt\n", "file7.txt", false), IGNORE_NONE);
    assert_int_equal(verdict("file[!0-9].txt\n", "filex.txt", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("f?o\n", "foo", false), IGNORE_EXCLUDE);
    assert_int_equal(verdict("a?b\n", "a/b", false), IGNORE_NONE);
    assert_int_equal(verdict("a*b\n", "a/b", false), IGNORE_NONE);
    assert_int_equal(verdict("[unclosed\n", "[unclosed", false), IGNORE_EXCLUDE);
    /* a pattern that is only slashes and stars is no pattern (found by fuzzing) */
    assert_int_equal(verdict("**//\n/\n", "x", true), IGNORE_NONE);
    /* a pathological pattern stays linear */
    assert_int_equal(verdict("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n",
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
                     IGNORE_NONE);
}

/* ---- fuzzy scores ------------------------------------------------------------ */

static uint32_t score_of(const char *query, const char *path, const char *want_positions)
{
    struct fuzzy_matcher *m = fuzzy_matcher_new(query, true);
    struct fuzzy_positions pos = {0};
    uint32_t score = 0;
    bool ok = fuzzy_match(m, path, strlen(path), &score, &pos, 0);
    assert_true(ok);
    char got[256] = "";
    for (size_t i = 0; i < pos.n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "", pos.v[i]);
    if (want_positions)
        assert_string_equal(got, want_positions);
    fuzzy_positions_free(&pos);
    fuzzy_matcher_free(m);
    return score;
}

static void fuzzy_scores_match_the_reference(void **state)
{
    (void)state;
    /* each figure is what the reference's fuzzyFileSearch answered (minus
     * its name bonus) for that path */
    assert_int_equal(score_of("src", "src/main.c", "0,1,2"), 84);
    assert_int_equal(score_of("main", "src/main.c", "4,5,6,7"), 109);
    assert_int_equal(score_of("util/", "src/util/buf.c", "4,5,6,7,8"), 134);
    assert_int_equal(score_of("ma", "Makefile", "0,1"), 59);
    assert_int_equal(score_of("ma", ".git/hooks/applypatch-msg.sample", "22,27"), 42);
    assert_int_equal(score_of("src", ".git/hooks/fsmonitor-watchman.sample", "12,19,24"), 34);
    assert_int_equal(score_of("fb", "fooBar.txt", "0,3"), 51);
    assert_int_equal(score_of("fb", "Foo/Bar", "0,4"), 54);
    assert_int_equal(score_of("sc", "misc.c", "2,5"), 36);
    assert_int_equal(score_of("src", ".git/hooks/prepare-commit-msg.sample", "9,12,19"), 44);
    assert_int_equal(score_of("b", "x-begin-twice-before.json", "2"), 32);
    /* words are matched apart and their scores added */
    assert_int_equal(score_of("main c", "src/main.c", "4,5,6,7,9"), 141);
    /* case is ignored */
    assert_int_equal(score_of("SRC", "src/main.c", "0,1,2"), 84);
}

static void fuzzy_rejects_and_counts_characters(void **state)
{
    (void)state;
    struct fuzzy_matcher *m = fuzzy_matcher_new("zzz", true);
    uint32_t score;
    assert_false(fuzzy_may_match(m, "src/main.c", 10));
    assert_false(fuzzy_match(m, "src/main.c", 10, &score, NULL, 0));
    fuzzy_matcher_free(m);
    m = fuzzy_matcher_new("   ", true);
    assert_true(fuzzy_matcher_empty(m));
    fuzzy_matcher_free(m);
    /* positions count characters, not bytes */
    assert_int_equal(score_of("x", "\xc3\xa9\xc3\xa9/x", "3") > 0, 1);
    /* the one-word form keeps the space */
    m = fuzzy_matcher_new("main c", false);
    assert_false(fuzzy_match(m, "main.c", 6, &score, NULL, 0));
    fuzzy_matcher_free(m);
}

/* ---- walk and query ------------------------------------------------------------- */

static char tmp[64];

static void put(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", tmp, rel);
    char *slash = strrchr(p, '/');
    *slash = 0;
    fs_mkdir_p(p, 0755);
    *slash = '/';
    if (text)
        assert_int_equal(fs_write_atomic(p, text, strlen(text), 0644), 0);
    else
        fs_mkdir_p(p, 0755);
    free(p);
}

static int setup_tree(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/fsearch-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    put("repo/.git/HEAD", "ref\n");
    put("repo/.git/info/exclude", "secret.txt\n");
    put("repo/.gitignore", "build/\n*.log\n!keep.log\n");
    put("repo/src/main.c", "x");
    put("repo/src/util/main_helper.h", "x");
    put("repo/.hidden/mainrc", "x");
    put("repo/build/main.o", "x");
    put("repo/app.log", "x");
    put("repo/keep.log", "x");
    put("repo/secret.txt", "x");
    put("repo/vendor/.ignore", "gen*\n");
    put("repo/vendor/generated.c", "x");
    put("repo/vendor/vendored.c", "x");
    put("plain/.gitignore", "ignored_by_git\n");
    put("plain/ignored_by_git", "x");
    put("plain/.ignore", "ignored_always\n");
    put("plain/ignored_always", "x");
    char *link = xasprintf("%s/repo/src/loop", tmp);
    assert_int_equal(symlink("..", link), 0);
    free(link);
    return 0;
}

static int teardown_tree(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static bool has_path(const struct file_results *r, const char *path)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->hits[i].path, path) == 0)
            return true;
    return false;
}

/* Is path in the index?  A path always matches itself. */
static bool listed(struct file_searcher *s, const char *path)
{
    struct file_results r;
    file_searcher_run(s, path, 100000, &r);
    bool found = has_path(&r, path);
    file_results_free(&r);
    return found;
}

static bool tmp_in_repo(void)
{
    char *dir = xstrdup(tmp);
    bool found = false;
    for (char *slash; !found && (slash = strrchr(dir, '/')) != NULL;) {
        *slash = 0;
        char *git = xasprintf("%s/.git", *dir ? dir : "");
        found = fs_exists(git);
        free(git);
    }
    free(dir);
    return found;
}

static struct file_index *walk(const char *root)
{
    const char *roots[] = {root};
    return file_index_walk(roots, 1, tmp, NULL);
}

static void walk_honours_ignore_files(void **state)
{
    (void)state;
    struct file_index *ix = walk("repo");
    struct file_searcher *s = file_searcher_new(ix);
    assert_true(listed(s, ".git/HEAD"));      /* .git is listed */
    assert_true(listed(s, ".hidden/mainrc")); /* hidden files too */
    assert_true(listed(s, "src/main.c"));
    assert_true(listed(s, "src/util"));       /* and directories */
    assert_true(listed(s, "keep.log"));       /* re-included by !keep.log */
    assert_false(listed(s, "app.log"));
    assert_false(listed(s, "build/main.o"));
    assert_false(listed(s, "build"));
    assert_false(listed(s, "vendor/generated.c")); /* vendor/.ignore */
    assert_true(listed(s, "vendor/vendored.c"));
    assert_false(listed(s, "secret.txt")); /* .git/info/exclude */
    /* a link back into its own ancestry is skipped, as the reference's
     * walker reports it as a loop */
    assert_false(listed(s, "src/loop"));
    assert_false(listed(s, "src/loop/src/main.c"));
    file_searcher_free(s);
    file_index_free(ix);

    /* outside a repository only .ignore files count (the machine's temp
     * directory may itself lie in one: then the .gitignore counts) */
    ix = walk("plain");
    s = file_searcher_new(ix);
    assert_int_equal(listed(s, "ignored_by_git"), !tmp_in_repo());
    assert_false(listed(s, "ignored_always"));
    file_searcher_free(s);
    file_index_free(ix);
}

static void query_ranks_like_the_reference(void **state)
{
    (void)state;
    struct file_index *ix = walk("repo");
    struct file_searcher *s = file_searcher_new(ix);
    struct file_results r;
    file_searcher_run(s, "src", 50, &r);
    /* the directory named as the query first, then by score and path */
    assert_true(r.n >= 3);
    assert_string_equal(r.hits[0].path, "src");
    assert_true(r.hits[0].is_dir);
    assert_int_equal(r.hits[0].score, 2 * 65536 + 84);
    for (size_t i = 1; i < r.n; i++) {
        assert_true(r.hits[i - 1].score >= r.hits[i].score);
        if (r.hits[i - 1].score == r.hits[i].score)
            assert_true(strcmp(r.hits[i - 1].path, r.hits[i].path) < 0);
    }
    file_results_free(&r);

    file_searcher_run(s, "main", 50, &r);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.hits[0].path, ".hidden/mainrc");
    assert_string_equal(r.hits[1].path, "src/main.c");
    assert_string_equal(r.hits[1].file_name, "main.c");
    assert_int_equal(r.hits[1].score, 65536 + 109);
    assert_int_equal(r.hits[1].nindices, 4);
    assert_int_equal(r.hits[1].indices[0], 4);
    file_results_free(&r);

    file_searcher_run(s, "HEAD", 50, &r);
    assert_string_equal(r.hits[0].path, ".git/HEAD");
    assert_int_equal(r.hits[0].score, 3 * 65536 + 109);
    file_results_free(&r);

    file_searcher_run(s, "", 50, &r);
    assert_int_equal(r.n, 0);
    file_results_free(&r);

    file_searcher_run(s, "a", 2, &r);
    assert_int_equal(r.n, 2);
    assert_true(r.total > 2);
    file_results_free(&r);
    file_searcher_free(s);
    file_index_free(ix);
}

/* Typing narrows the previous matches; the answer must be what a fresh
 * search gives. */
static void narrowing_gives_the_same_answer(void **state)
{
    (void)state;
    struct file_index *ix = walk("repo");
    struct file_searcher *typed = file_searcher_new(ix);
    const char *steps[] = {"m", "ma", "mai", "main", "main ", "main c"};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        struct file_results a, b;
        file_searcher_run(typed, steps[k], 50, &a);
        struct file_searcher *fresh = file_searcher_new(ix);
        file_searcher_run(fresh, steps[k], 50, &b);
        assert_int_equal(a.n, b.n);
        assert_int_equal(a.total, b.total);
        for (size_t i = 0; i < a.n; i++) {
            assert_string_equal(a.hits[i].path, b.hits[i].path);
            assert_int_equal(a.hits[i].score, b.hits[i].score);
        }
        file_results_free(&a);
        file_results_free(&b);
        file_searcher_free(fresh);
    }
    file_searcher_free(typed);
    file_index_free(ix);
}

static void missing_roots_and_cancel(void **state)
{
    (void)state;
    const char *roots[] = {"no/such/dir", "repo/src/main.c"};
    struct file_index *ix = file_index_walk(roots, 2, tmp, NULL);
    assert_int_equal(file_index_count(ix), 0);
    assert_string_equal(file_index_root(ix, 0), "no/such/dir");
    file_index_free(ix);
    atomic_bool cancel = true;
    const char *root[] = {"repo"};
    ix = file_index_walk(root, 1, tmp, &cancel);
    assert_int_equal(file_index_count(ix), 0);
    file_index_free(ix);
}

/* Two roots: a path under both belongs to the deeper one. */
static void nested_roots(void **state)
{
    (void)state;
    char *outer = xasprintf("%s/repo", tmp);
    char *inner = xasprintf("%s/repo/src/", tmp);
    const char *roots[] = {outer, inner};
    struct file_index *ix = file_index_walk(roots, 2, "/", NULL);
    struct file_searcher *s = file_searcher_new(ix);
    struct file_results r;
    file_searcher_run(s, "main.c", 50, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.hits[0].path, "main.c");
    assert_int_equal(r.hits[0].root, 1);
    file_results_free(&r);
    file_searcher_free(s);
    file_index_free(ix);
    free(outer);
    free(inner);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ignore_basics),
        cmocka_unit_test(ignore_directories_and_anchors),
        cmocka_unit_test(ignore_double_star_and_classes),
        cmocka_unit_test(fuzzy_scores_match_the_reference),
        cmocka_unit_test(fuzzy_rejects_and_counts_characters),
        cmocka_unit_test(walk_honours_ignore_files),
        cmocka_unit_test(query_ranks_like_the_reference),
        cmocka_unit_test(narrowing_gives_the_same_answer),
        cmocka_unit_test(missing_roots_and_cancel),
        cmocka_unit_test(nested_roots),
    };
    return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
