/* libFuzzer harness for the ignore-file parser and matcher: any bytes as
 * a .gitignore.  The first line of the input is also used as a path (and
 * the rules matched against it as a file and as a directory), then against
 * a few fixed paths; and the same bytes are used as a fuzzy query against
 * those paths, both split into words and whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filesearch/fuzzy.h"
#include "filesearch/ignore.h"
#include "util/xalloc.h"

static const char *const paths[] = {
    "a", "a/b", "build/main.o", ".git/HEAD", "src/util/buf.c", "x/y/z/w.log", "\xc3\xa9t\xc3\xa9/f",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ignore_rules *r = ignore_rules_parse((const char *)data, size);
    const char *nl = memchr(data, '\n', size);
    char *first = xstrndup((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
    ignore_rules_match(r, first, false);
    ignore_rules_match(r, first, true);
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        ignore_rules_match(r, paths[i], i % 2);
    ignore_rules_free(r);

    for (int split = 0; split < 2; split++) {
        struct fuzzy_matcher *m = fuzzy_matcher_new(first, split);
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
            struct fuzzy_positions pos = {0};
            uint32_t score;
            fuzzy_may_match(m, paths[i], strlen(paths[i]));
            if (fuzzy_match(m, paths[i], strlen(paths[i]), &score, &pos, 3)) {
                for (size_t k = 1; k < pos.n; k++)
                    if (pos.v[k - 1] >= pos.v[k])
                        abort(); /* positions must ascend without repeats */
            }
            fuzzy_positions_free(&pos);
        }
        /* the query matched against itself as a path */
        uint32_t score;
        fuzzy_match(m, first, strlen(first), &score, NULL, 0);
        fuzzy_matcher_free(m);
    }
    free(first);
    return 0;
}
