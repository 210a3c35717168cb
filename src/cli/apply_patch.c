/* The apply_patch personality: `apply_patch PATCH`, `applypatch`, `...
 * < PATCH`, and `codex --codex-run-as-apply-patch PATCH`.  Messages and exit
 * codes are the reference's: models are trained on them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "patch/patch.h"
#include "patch/text.h"
#include "util/buf.h"

#define RUN_AS_FLAG "--codex-run-as-apply-patch"
/* A patch larger than this is refused instead of read into memory. */
#define MAX_PATCH_BYTES ((size_t)256 << 20)

static int read_stdin(struct buf *out)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        buf_append(out, chunk, (size_t)n);
        if (out->len > MAX_PATCH_BYTES) {
            errno = EFBIG;
            return -1;
        }
    }
}

static int run(const char *text, size_t len)
{
    struct patch_error perr = {PATCH_ERR_NONE, 0, NULL};
    struct buf msg = BUF_INIT;
    struct patch *p = patch_parse(text, len, &perr);
    if (!p) {
        patch_error_format(&perr, &msg);
        fprintf(stderr, "%s\n", buf_cstr(&msg));
        patch_error_clear(&perr);
        buf_free(&msg);
        return 1;
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        fprintf(stderr, "Error: cannot determine the current directory: %s\n", strerror(errno));
        patch_free(p);
        return 1;
    }
    struct patch_plan plan;
    int status = 0;
    if (patch_apply(p, cwd, &plan, &msg) < 0) {
        fprintf(stderr, "%s\n", buf_cstr(&msg));
        status = 1;
    } else {
        patch_plan_summary(&plan, &msg);
        fputs(buf_cstr(&msg), stdout);
        patch_plan_free(&plan);
    }
    buf_free(&msg);
    free(cwd);
    patch_free(p);
    return status;
}

int cli_apply_patch_main(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], RUN_AS_FLAG) == 0) {
        /* The hidden flag takes the patch as an argument only; extra
         * arguments are ignored, as by the reference. */
        if (argc < 2 || text_check_utf8(argv[1], strlen(argv[1]), NULL) < 0) {
            fputs("Error: " RUN_AS_FLAG " requires a UTF-8 PATCH argument.\n", stderr);
            return 1;
        }
        return run(argv[1], strlen(argv[1]));
    }
    if (argc > 2) {
        fputs("Error: apply_patch accepts exactly one argument.\n", stderr);
        return 2;
    }
    if (argc == 2) {
        if (text_check_utf8(argv[1], strlen(argv[1]), NULL) < 0) {
            fputs("Error: apply_patch requires a UTF-8 PATCH argument.\n", stderr);
            return 1;
        }
        return run(argv[1], strlen(argv[1]));
    }
    struct buf in = BUF_INIT;
    int rc = read_stdin(&in);
    if (rc < 0 || text_check_utf8(in.data ? in.data : "", in.len, NULL) < 0) {
        fprintf(stderr, "Error: Failed to read PATCH from stdin.\n%s\n",
                rc < 0 ? strerror(errno) : "stream did not contain valid UTF-8");
        buf_free(&in);
        return 1;
    }
    if (in.len == 0) {
        fputs("Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch\n", stderr);
        buf_free(&in);
        return 2;
    }
    int status = run(in.data, in.len);
    buf_free(&in);
    return status;
}
