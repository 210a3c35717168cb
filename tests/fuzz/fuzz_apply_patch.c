/* libFuzzer harness for apply_patch: any bytes as a patch.  The input is
 * parsed; a parsed patch is planned against a small fixed tree (files with
 * LF, CRLF, lone-CR endings, typographic punctuation, no final newline, a
 * symlink), its diffs and summary are rendered, and it is committed into a
 * fresh copy of the tree, which is then removed.  The same bytes are also
 * offered to the heredoc recognizer as a shell script. */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "patch/patch.h"
#include "util/buf.h"
#include "util/xalloc.h"

static char base_dir[] = "/tmp/fuzz_apply_patch.XXXXXX";
static int iteration;

static void write_file(const char *dir, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
    free(path);
}

static void make_tree(const char *dir)
{
    write_file(dir, "a.txt", "alpha\nbeta\ngamma\n");
    write_file(dir, "crlf.txt", "one\r\ntwo\r\nthree\r\n");
    write_file(dir, "cr.txt", "x\ry\rz");
    write_file(dir, "uni.txt", "a \xe2\x80\x93 b\n\xe2\x80\x9cq\xe2\x80\x9d\n");
    write_file(dir, "nonl.txt", "last");
    write_file(dir, "empty.txt", "");
    char *link = xasprintf("%s/link.txt", dir);
    if (symlink("a.txt", link) != 0) {
        /* already there */
    }
    free(link);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (iteration++ == 0) {
        if (!mkdtemp(base_dir))
            abort();
        make_tree(base_dir);
    }
    struct patch_error err = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = patch_parse((const char *)data, size, &err);
    struct buf msg = BUF_INIT;
    if (!p) {
        patch_error_format(&err, &msg);
        patch_error_clear(&err);
    } else {
        struct patch_plan plan;
        if (patch_plan_build(p, base_dir, &plan, &msg) == 0) {
            for (size_t i = 0; i < plan.n_changes; i++)
                free(patch_change_unified_diff(&plan.changes[i], 1));
            patch_plan_summary(&plan, &msg);
            patch_plan_free(&plan);
            /* Commit into a fresh copy so every input sees the same tree. */
            char *work = xasprintf("%s/w%d", base_dir, iteration);
            if (mkdir(work, 0700) == 0) {
                make_tree(work);
                if (patch_plan_build(p, work, &plan, &msg) == 0) {
                    patch_plan_commit(&plan, &msg);
                    patch_plan_free(&plan);
                }
                nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            }
            free(work);
        }
        patch_free(p);
    }
    buf_free(&msg);

    char *script = xstrndup((const char *)data, size);
    const char *argv[] = {"bash", "-lc", script};
    char *text = NULL, *dir = NULL;
    if (patch_extract_heredoc(argv, 3, &text, &dir)) {
        free(text);
        free(dir);
    }
    free(script);
    return 0;
}
