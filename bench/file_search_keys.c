/* Per-keystroke cost of the file search library: walk a root once, then
 * run a query as it is typed, one character at a time, on one searcher
 * (as the app server's session does).  Prints the walk time and every
 * keystroke's time.
 *
 *   file_search_keys ROOT QUERY... */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "filesearch/filesearch.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: file_search_keys ROOT QUERY...\n");
        return 2;
    }
    const char *roots[] = {argv[1]};
    double t0 = now_ms();
    struct file_index *ix = file_index_walk(roots, 1, "/", NULL);
    printf("walk %zu %.2f\n", file_index_count(ix), now_ms() - t0);
    for (int q = 2; q < argc; q++) {
        struct file_searcher *s = file_searcher_new(ix);
        char typed[256];
        size_t len = strlen(argv[q]);
        for (size_t k = 1; k <= len && k < sizeof typed; k++) {
            memcpy(typed, argv[q], k);
            typed[k] = 0;
            struct file_results r;
            double t = now_ms();
            file_searcher_run(s, typed, FILESEARCH_DEFAULT_LIMIT, &r);
            printf("key %s %zu %.3f\n", typed, r.total, now_ms() - t);
            file_results_free(&r);
        }
        file_searcher_free(s);
    }
    file_index_free(ix);
    return 0;
}
