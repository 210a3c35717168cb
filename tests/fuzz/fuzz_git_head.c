/* libFuzzer harness for the .git reader behind session_meta's `git`: the
 * input, split at the first NUL, becomes .git/HEAD and .git/packed-refs of a
 * scratch repository; a commit that comes out is always 40 hex digits. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/git_head.h"
#include "util/fs.h"

static char root[] = "/tmp/fuzz_git_head.XXXXXX";
static char *gitdir;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!gitdir) {
        if (!mkdtemp(root))
            abort();
        gitdir = fs_join(root, ".git");
        char *heads = fs_join(gitdir, "refs/heads");
        if (fs_mkdir_p(heads, 0700) < 0)
            abort();
        free(heads);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t head_len = nul ? (size_t)(nul - data) : size;
    char *head = fs_join(gitdir, "HEAD");
    char *packed = fs_join(gitdir, "packed-refs");
    if (fs_write_atomic(head, data, head_len, 0600) < 0 ||
        fs_write_atomic(packed, nul ? (const char *)nul + 1 : "", nul ? size - head_len - 1 : 0,
                        0600) < 0)
        abort();
    free(head);
    free(packed);
    char *commit, *branch;
    if (git_head(root, &commit, &branch) == 0) {
        if (strlen(commit) != 40)
            abort();
        for (int i = 0; i < 40; i++)
            if (!isxdigit((unsigned char)commit[i]))
                abort();
        free(commit);
        free(branch);
    }
    return 0;
}
