/* Unit tests for src/patch: parser, matcher, planning/commit, diffs and the
 * heredoc recognizer.  End-to-end behaviour against the reference is in
 * tests/apply_patch/ (the differential corpus). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "patch/internal.h"
#include "patch/patch.h"
#include "patch/text.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

static struct patch *parse(const char *text, struct patch_error *err)
{
    return patch_parse(text, strlen(text), err);
}

static char *parse_error(const char *text)
{
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = parse(text, &err);
    assert_null(p);
    struct buf b = BUF_INIT;
    patch_error_format(&err, &b);
    patch_error_clear(&err);
    return buf_detach(&b, NULL);
}

static void assert_parse_error(const char *text, const char *expected)
{
    char *msg = parse_error(text);
    assert_string_equal(msg, expected);
    free(msg);
}

static void span_equal(struct patch_span s, const char *expected)
{
    assert_int_equal(s.len, strlen(expected));
    assert_memory_equal(s.ptr, expected, s.len);
}

static void parses_every_hunk_kind(void **state)
{
    (void)state;
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = parse("*** Begin Patch\n"
                            "*** Add File: a/new.txt\n+one\n+two\n"
                            "*** Delete File: old.txt\n"
                            "*** Update File: src.py\n*** Move to: dst.py\n@@ def f():\n-    pass\n+    return 1\n"
                            " tail\n*** End of File\n"
                            "*** End Patch\n",
                            &err);
    assert_non_null(p);
    assert_int_equal(p->n_hunks, 3);
    assert_int_equal(p->hunks[0].kind, PATCH_HUNK_ADD);
    assert_string_equal(p->hunks[0].path, "a/new.txt");
    assert_string_equal(p->hunks[0].contents, "one\ntwo\n");
    assert_int_equal(p->hunks[1].kind, PATCH_HUNK_DELETE);
    assert_string_equal(p->hunks[1].path, "old.txt");
    const struct patch_hunk *u = &p->hunks[2];
    assert_int_equal(u->kind, PATCH_HUNK_UPDATE);
    assert_string_equal(u->move_path, "dst.py");
    assert_int_equal(u->n_chunks, 1);
    assert_true(u->chunks[0].has_context);
    span_equal(u->chunks[0].context, "def f():");
    assert_int_equal(u->chunks[0].n_old, 2);
    span_equal(u->chunks[0].old_lines[0], "    pass");
    span_equal(u->chunks[0].new_lines[0], "    return 1");
    assert_int_equal(u->chunks[0].new_origin[0], 0);   /* added */
    assert_int_equal(u->chunks[0].new_origin[1], 2);   /* context: old line 2 */
    assert_true(u->chunks[0].end_of_file);
    patch_free(p);
}

static void parser_tolerates_what_the_reference_does(void **state)
{
    (void)state;
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    /* Whitespace around markers, CRLF patch text, heredoc wrapper. */
    struct patch *p = parse("  *** Begin Patch  \r\n*** Add File: x\r\n+1\r\n *** End Patch\r\n\n", &err);
    assert_non_null(p);
    assert_string_equal(p->hunks[0].contents, "1\n");
    patch_free(p);
    p = parse("<<'EOF'\n*** Begin Patch\n*** Delete File: x\n*** End Patch\nEOF\n", &err);
    assert_non_null(p);
    assert_int_equal(p->n_hunks, 1);
    patch_free(p);
    /* The first chunk of an update may omit "@@". */
    p = parse("*** Begin Patch\n*** Update File: f\n import a\n+import b\n*** End Patch", &err);
    assert_non_null(p);
    assert_false(p->hunks[0].chunks[0].has_context);
    patch_free(p);
    /* A header is read without trailing whitespace: "@@ " is a bare "@@". */
    p = parse("*** Begin Patch\n*** Update File: f\n@@ \t\n-a\n@@  ctx  \n-b\n*** End Patch", &err);
    assert_non_null(p);
    assert_false(p->hunks[0].chunks[0].has_context);
    span_equal(p->hunks[0].chunks[1].context, " ctx");
    patch_free(p);
    /* An early end marker followed only by blank lines ends the patch. */
    p = parse("*** Begin Patch\n*** Add File: x\n+1\n*** End Patch\n \t\n*** End Patch", &err);
    assert_non_null(p);
    assert_int_equal(p->n_hunks, 1);
    patch_free(p);
    /* An empty patch parses (applying it fails later). */
    p = parse("*** Begin Patch\n*** End Patch", &err);
    assert_non_null(p);
    assert_int_equal(p->n_hunks, 0);
    patch_free(p);
}

static void parser_errors_match_the_reference(void **state)
{
    (void)state;
    assert_parse_error("", "Invalid patch: The last line of the patch must be '*** End Patch'");
    assert_parse_error("bad", "Invalid patch: The first line of the patch must be '*** Begin Patch'");
    assert_parse_error("*** Begin Patch\nbad", "Invalid patch: The last line of the patch must be '*** End Patch'");
    assert_parse_error("*** Begin Patch\n*** Frob File: x\n*** End Patch",
                       "Invalid patch hunk on line 2: '*** Frob File: x' is not a valid hunk header. Valid hunk "
                       "headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'");
    assert_parse_error("*** Begin Patch\n*** Update File: t.py\n*** End Patch",
                       "Invalid patch hunk on line 2: Update file hunk for path 't.py' is empty");
    assert_parse_error("*** Begin Patch\n*** Update File: f\n@@\n*** End Patch",
                       "Invalid patch hunk on line 4: Update hunk does not contain any lines");
    assert_parse_error("*** Begin Patch\n*** Update File: f\n@@\n-a\n+A\nxx\n*** End Patch",
                       "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: 'xx'");
    assert_parse_error("*** Begin Patch\n*** Update File: f\nxx\n*** End Patch",
                       "Invalid patch hunk on line 3: Unexpected line found in update hunk: 'xx'. Every line should "
                       "start with ' ' (context line), '+' (added line), or '-' (removed line)");
    assert_parse_error("*** Begin Patch\n*** Add File: x\n+1\n*** End Patch\n*** Add File: y\n+2\n*** End Patch",
                       "Invalid patch: The last line of the patch must be '*** End Patch'");
    assert_parse_error("*** Begin Patch\n*** Add File: x\n+1\n*** End Patch\n*** End Patch\n*** End Patch",
                       "Invalid patch: The last line of the patch must be '*** End Patch'");
    assert_parse_error("*** Begin Patch\n*** Update File: f\n*** End of File\n*** End Patch",
                       "Invalid patch hunk on line 2: Update file hunk for path 'f' is empty");
    /* Line numbers keep counting across hunks. */
    assert_parse_error("*** Begin Patch\n*** Add File: a\n+1\n+2\n*** Delete File: q\nnonsense\n*** End Patch",
                       "Invalid patch hunk on line 6: 'nonsense' is not a valid hunk header. Valid hunk headers: "
                       "'*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'");
}

static void text_helpers(void **state)
{
    (void)state;
    const char *s = "\xc2\xa0 x \xe3\x80\x80";
    size_t len = strlen(s);
    text_trim(&s, &len);
    assert_int_equal(len, 1);
    assert_int_equal(*s, 'x');
    assert_true(text_lines_equal("a  ", 3, "a", 1, TEXT_MATCH_TRIM_END));
    assert_false(text_lines_equal("  a", 3, "a", 1, TEXT_MATCH_TRIM_END));
    assert_true(text_lines_equal("  a", 3, "a", 1, TEXT_MATCH_TRIM));
    assert_false(text_lines_equal("a \xe2\x80\x93 b", 7, "a - b", 5, TEXT_MATCH_TRIM));
    assert_true(text_lines_equal("a \xe2\x80\x93 b", 7, "a - b", 5, TEXT_MATCH_PUNCTUATION));
    assert_true(text_lines_equal("\xe2\x80\x9cq\xe2\x80\x9d", 7, "\"q\"", 3, TEXT_MATCH_PUNCTUATION));
    struct buf why = BUF_INIT;
    assert_int_equal(text_check_utf8("ok \xc3\xa9", 5, &why), 0);
    assert_int_equal(text_check_utf8("\xff\xfe", 2, &why), -1);
    assert_string_equal(buf_cstr(&why), "invalid utf-8 sequence of 1 bytes from index 0");
    buf_truncate(&why, 0);
    assert_int_equal(text_check_utf8("a\n\xe3", 3, &why), -1);
    assert_string_equal(buf_cstr(&why), "incomplete utf-8 byte sequence from index 2");
    buf_truncate(&why, 0);
    assert_int_equal(text_check_utf8("a\n\xe2\x80" "A", 5, &why), -1);
    assert_string_equal(buf_cstr(&why), "invalid utf-8 sequence of 2 bytes from index 2");
    buf_free(&why);
}

static struct patch_span sp(const char *s)
{
    return (struct patch_span){s, strlen(s)};
}

static void seek_prefers_strict_matches(void **state)
{
    (void)state;
    struct patch_span lines[] = {sp("foo   "), sp("bar\t"), sp("  foo"), sp("bar"), sp("end")};
    struct patch_span pat[] = {sp("foo"), sp("bar")};
    /* No exact match; trailing-whitespace match at 0 wins over trim match at 2. */
    assert_int_equal(patch_seek(lines, 5, pat, 2, 0, false), 0);
    assert_int_equal(patch_seek(lines, 5, pat, 2, 1, false), 2);
    struct patch_span last[] = {sp("end")};
    assert_int_equal(patch_seek(lines, 5, last, 1, 0, true), 4);
    struct patch_span first[] = {sp("foo")};
    assert_int_equal(patch_seek(lines, 5, first, 1, 0, true), -1); /* must be at the end */
    struct patch_span too_long[6] = {sp("a"), sp("a"), sp("a"), sp("a"), sp("a"), sp("a")};
    assert_int_equal(patch_seek(lines, 5, too_long, 6, 0, false), -1);
    assert_int_equal(patch_seek(lines, 5, pat, 0, 3, false), 3);
}

static void resolves_paths_lexically(void **state)
{
    (void)state;
    char *p = patch_resolve_path("/w/d", "./x/../y.txt");
    assert_string_equal(p, "/w/d/y.txt");
    free(p);
    p = patch_resolve_path("/w/d", "/abs//z/.");
    assert_string_equal(p, "/abs/z");
    free(p);
    p = patch_resolve_path("/w", "../../../up");
    assert_string_equal(p, "/up");
    free(p);
}

static char *make_dir(void)
{
    char tmpl[] = "/tmp/test_patch.XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static void put(const char *dir, const char *name, const char *content)
{
    char *path = fs_join(dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    free(path);
}

static char *get(const char *dir, const char *name)
{
    char *path = fs_join(dir, name);
    char *data = fs_read_file(path, 1 << 20, NULL);
    free(path);
    return data;
}

static void assert_file(const char *dir, const char *name, const char *expected)
{
    char *data = get(dir, name);
    if (!expected) {
        assert_null(data);
        return;
    }
    assert_non_null(data);
    assert_string_equal(data, expected);
    free(data);
}

static void remove_tree(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static int apply_text(const char *dir, const char *text, struct buf *out)
{
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = parse(text, &err);
    assert_non_null(p);
    struct patch_plan plan;
    int rc = patch_apply(p, dir, &plan, out);
    if (rc == 0) {
        patch_plan_summary(&plan, out);
        patch_plan_free(&plan);
    }
    patch_free(p);
    return rc;
}

static void plan_computes_without_writing(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "f.txt", "a\nb\nc\n");
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = parse("*** Begin Patch\n*** Update File: f.txt\n@@\n a\n-b\n+B\n*** Add File: n.txt\n+x\n"
                            "*** End Patch",
                            &err);
    struct patch_plan plan;
    struct buf msg = BUF_INIT;
    assert_int_equal(patch_plan_build(p, dir, &plan, &msg), 0);
    assert_int_equal(plan.n_changes, 2);
    assert_string_equal(plan.changes[0].new_content, "a\nB\nc\n");
    assert_string_equal(plan.changes[0].old_content, "a\nb\nc\n");
    char *diff = patch_change_unified_diff(&plan.changes[0], 1);
    assert_string_equal(diff, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
    free(diff);
    assert_file(dir, "f.txt", "a\nb\nc\n"); /* untouched so far */
    assert_file(dir, "n.txt", NULL);
    assert_int_equal(patch_plan_commit(&plan, &msg), 0);
    assert_file(dir, "f.txt", "a\nB\nc\n");
    assert_file(dir, "n.txt", "x\n");
    patch_plan_free(&plan);
    patch_free(p);
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

/* The plan records where each write lands; the gate checks those paths and
 * the commit writes exactly them.  A directory swapped for a symlink after
 * planning makes the commit fail instead of following it out. */
static void commit_writes_the_planned_paths_only(void **state)
{
    (void)state;
    char *dir = make_dir(), *out = make_dir();
    char *sub = fs_join(dir, "sub"), *link = fs_join(dir, "link");
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(symlink(out, link), 0);
    put(out, "victim.txt", "v\n");
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = parse("*** Begin Patch\n*** Add File: sub/new.txt\n+x\n*** Update File: link/victim.txt\n"
                            "@@\n-v\n+w\n*** Add File: ../up/../far/n.txt\n+y\n*** End Patch", &err);
    struct patch_plan plan;
    struct buf msg = BUF_INIT;
    assert_int_equal(patch_plan_build(p, dir, &plan, &msg), 0);
    struct patch_target *t;
    size_t n = patch_plan_targets(&plan, &t);
    assert_int_equal(n, 3);
    char *want_new = fs_join(sub, "new.txt");
    char *want_victim = fs_join(out, "victim.txt");
    char *parent = xstrdup(dir);
    *strrchr(parent, '/') = '\0';
    char *want_far = fs_join(parent, "far/n.txt");
    bool saw_new = false, saw_victim = false, saw_far = false;
    for (size_t i = 0; i < n; i++) {
        assert_false(t[i].remove);
        saw_new |= strcmp(t[i].path, want_new) == 0;
        saw_victim |= strcmp(t[i].path, want_victim) == 0; /* through the link */
        saw_far |= strcmp(t[i].path, want_far) == 0;      /* .. folded */
    }
    assert_true(saw_new && saw_victim && saw_far);
    free(t);
    /* Swap sub for a symlink to the outside directory before committing. */
    char *cmd = xasprintf("rm -rf '%s' && ln -s '%s' '%s'", sub, out, sub);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    assert_int_equal(patch_plan_commit(&plan, &msg), -1);
    assert_file(out, "new.txt", NULL);
    assert_file(out, "victim.txt", "v\n"); /* nothing renamed before the failure */
    patch_plan_free(&plan);
    patch_free(p);
    buf_free(&msg);
    free(want_new);
    free(want_victim);
    free(want_far);
    char *far = fs_join(parent, "far");
    rmdir(far);
    free(far);
    free(parent);
    free(sub);
    free(link);
    remove_tree(dir);
    remove_tree(out);
    free(dir);
    free(out);
}

static void failed_patch_changes_nothing(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "f.txt", "a\n");
    put(dir, "g.txt", "g\n");
    struct buf msg = BUF_INIT;
    int rc = apply_text(dir,
                        "*** Begin Patch\n*** Add File: new/dir/n.txt\n+x\n*** Delete File: g.txt\n"
                        "*** Update File: f.txt\n@@\n-a\n+A\n*** Update File: f.txt\n@@\n-zz\n+y\n*** End Patch",
                        &msg);
    assert_int_equal(rc, -1);
    char *expected = xasprintf("Failed to find expected lines in %s/f.txt:\nzz", dir);
    assert_string_equal(buf_cstr(&msg), expected);
    free(expected);
    assert_file(dir, "f.txt", "a\n");
    assert_file(dir, "g.txt", "g\n");
    char *newdir = fs_join(dir, "new");
    assert_false(fs_exists(newdir));
    free(newdir);
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void later_hunks_see_earlier_ones(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir,
                                "*** Begin Patch\n*** Add File: t.txt\n+x\n+y\n*** Update File: t.txt\n@@\n-x\n+X\n"
                                "*** Update File: t.txt\n*** Move to: u.txt\n@@\n-y\n+Y\n*** End Patch",
                                &msg),
                     0);
    assert_string_equal(buf_cstr(&msg), "Success. Updated the following files:\nA t.txt\nM t.txt\nM u.txt\n");
    assert_file(dir, "t.txt", NULL);
    assert_file(dir, "u.txt", "X\nY\n");
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void move_onto_itself_keeps_the_file(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "f.txt", "a\n");
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Update File: f.txt\n*** Move to: ./f.txt\n@@\n-a\n+A\n"
                                     "*** End Patch",
                                &msg),
                     0);
    assert_file(dir, "f.txt", "A\n");
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void writes_through_symlinks_and_deletes_links(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "f.txt", "a\n");
    char *link = fs_join(dir, "l");
    assert_int_equal(symlink("f.txt", link), 0);
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Update File: l\n@@\n-a\n+b\n*** End Patch", &msg), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file(dir, "f.txt", "b\n");
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Delete File: l\n*** End Patch", &msg), 0);
    assert_int_equal(lstat(link, &st), -1);
    assert_file(dir, "f.txt", "b\n");
    free(link);
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void keeps_the_mode_of_updated_files(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "run.sh", "echo a\n");
    put(dir, "open.txt", "x\n");
    char *run = fs_join(dir, "run.sh"), *open_txt = fs_join(dir, "open.txt");
    assert_int_equal(chmod(run, 0750), 0);
    assert_int_equal(chmod(open_txt, 0666), 0);
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir,
                                "*** Begin Patch\n*** Update File: run.sh\n@@\n-echo a\n+echo b\n"
                                "*** Update File: open.txt\n@@\n-x\n+y\n*** End Patch",
                                &msg),
                     0);
    struct stat st;
    assert_int_equal(stat(run, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_int_equal(stat(open_txt, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0666);
    assert_file(dir, "run.sh", "echo b\n");
    free(run);
    free(open_txt);
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void line_endings_follow_the_file(void **state)
{
    (void)state;
    char *dir = make_dir();
    put(dir, "crlf.txt", "a\r\nb\nc");
    put(dir, "cr.txt", "x\ry\r");
    put(dir, "ws.txt", "keep  \nold\n");
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir,
                                "*** Begin Patch\n*** Update File: crlf.txt\n@@\n b\n+new\n c\n"
                                "*** Update File: cr.txt\n@@\n-y\n+Y\n"
                                "*** Update File: ws.txt\n@@\n keep\n-old\n+new\n*** End Patch",
                                &msg),
                     0);
    /* Context lines keep their own text and ending; new lines take the first line's ending. */
    assert_file(dir, "crlf.txt", "a\r\nb\nnew\r\nc\r\n");
    assert_file(dir, "cr.txt", "x\rY\r");
    assert_file(dir, "ws.txt", "keep  \nnew\n");
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void reports_io_errors_like_the_reference(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Update File: nope\n@@\n-a\n*** End Patch", &msg), -1);
    char *expected = xasprintf("Failed to read file to update %s/nope: No such file or directory (os error 2)", dir);
    assert_string_equal(buf_cstr(&msg), expected);
    free(expected);
    buf_truncate(&msg, 0);
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Delete File: nope\n*** End Patch", &msg), -1);
    expected = xasprintf("Failed to delete file %s/nope", dir);
    assert_string_equal(buf_cstr(&msg), expected);
    free(expected);
    buf_truncate(&msg, 0);
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** End Patch", &msg), -1);
    assert_string_equal(buf_cstr(&msg), "No files were modified.");
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void fifos_are_refused_for_update_without_blocking(void **state)
{
    (void)state;
    char *dir = make_dir();
    char *fifo = fs_join(dir, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct buf msg = BUF_INIT;
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Update File: fifo\n@@\n-a\n+b\n*** End Patch", &msg), -1);
    char *expected = xasprintf("Failed to read file to update %s: path `%s` is not a file", fifo, fifo);
    assert_string_equal(buf_cstr(&msg), expected);
    free(expected);
    buf_truncate(&msg, 0);
    assert_int_equal(apply_text(dir, "*** Begin Patch\n*** Delete File: fifo\n*** End Patch", &msg), 0);
    assert_false(fs_exists(fifo));
    free(fifo);
    buf_free(&msg);
    remove_tree(dir);
    free(dir);
}

static void unified_diff_shapes(void **state)
{
    (void)state;
    char *d = patch_unified_diff("a\nb\nc\nd\ne\nf\ng\n", 14, "a\nB\nc\nd\ne\nf\nG", 13, 1);
    assert_string_equal(d, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -6,2 +6,2 @@\n f\n-g\n+G\n\\ No newline at end of file\n");
    free(d);
    d = patch_unified_diff(NULL, 0, "x\n", 2, 3);
    assert_string_equal(d, "@@ -0,0 +1 @@\n+x\n");
    free(d);
    d = patch_unified_diff("same\n", 5, "same\n", 5, 3);
    assert_string_equal(d, "");
    free(d);
}

static void recognizes_heredoc_invocations(void **state)
{
    (void)state;
    char *text, *dir;
    const char *direct[] = {"apply_patch", "*** Begin Patch\n*** End Patch"};
    assert_int_equal(patch_extract_heredoc(direct, 2, &text, &dir), 1);
    assert_string_equal(text, "*** Begin Patch\n*** End Patch");
    assert_null(dir);
    free(text);
    const char *shell[] = {"bash", "-lc", "apply_patch <<'EOF'\n*** Begin Patch\n*** End Patch\nEOF\n"};
    assert_int_equal(patch_extract_heredoc(shell, 3, &text, &dir), 1);
    assert_string_equal(text, "*** Begin Patch\n*** End Patch");
    free(text);
    const char *cd[] = {"/bin/zsh", "-c", "cd 'sub dir' && applypatch <<PATCH\nbody\nPATCH"};
    assert_int_equal(patch_extract_heredoc(cd, 3, &text, &dir), 1);
    assert_string_equal(text, "body");
    assert_string_equal(dir, "sub dir");
    free(text);
    free(dir);
    const char *trailing[] = {"bash", "-lc", "apply_patch <<'EOF'\nbody\nEOF\necho done"};
    assert_int_equal(patch_extract_heredoc(trailing, 3, &text, &dir), 0);
    const char *prefix[] = {"bash", "-lc", "echo hi; apply_patch <<'EOF'\nbody\nEOF"};
    assert_int_equal(patch_extract_heredoc(prefix, 3, &text, &dir), 0);
    const char *other[] = {"ls", "-la"};
    assert_int_equal(patch_extract_heredoc(other, 2, &text, &dir), 0);
    const char *pipe[] = {"bash", "-lc", "cd x || apply_patch <<EOF\nb\nEOF"};
    assert_int_equal(patch_extract_heredoc(pipe, 3, &text, &dir), 0);

    const char *bare[] = {"*** Begin Patch\n*** Delete File: x\n*** End Patch"};
    assert_true(patch_is_implicit_invocation(bare, 1));
    const char *bare_shell[] = {"bash", "-lc", "*** Begin Patch\n*** Delete File: x\n*** End Patch"};
    assert_true(patch_is_implicit_invocation(bare_shell, 3));
    assert_false(patch_is_implicit_invocation(shell, 3));
    assert_false(patch_is_implicit_invocation(other, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_hunk_kind),
        cmocka_unit_test(parser_tolerates_what_the_reference_does),
        cmocka_unit_test(parser_errors_match_the_reference),
        cmocka_unit_test(text_helpers),
        cmocka_unit_test(seek_prefers_strict_matches),
        cmocka_unit_test(resolves_paths_lexically),
        cmocka_unit_test(plan_computes_without_writing),
        cmocka_unit_test(commit_writes_the_planned_paths_only),
        cmocka_unit_test(failed_patch_changes_nothing),
        cmocka_unit_test(later_hunks_see_earlier_ones),
        cmocka_unit_test(move_onto_itself_keeps_the_file),
        cmocka_unit_test(writes_through_symlinks_and_deletes_links),
        cmocka_unit_test(keeps_the_mode_of_updated_files),
        cmocka_unit_test(line_endings_follow_the_file),
        cmocka_unit_test(reports_io_errors_like_the_reference),
        cmocka_unit_test(fifos_are_refused_for_update_without_blocking),
        cmocka_unit_test(unified_diff_shapes),
        cmocka_unit_test(recognizes_heredoc_invocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
