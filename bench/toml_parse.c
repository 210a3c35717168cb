/* Times toml_parse on a file: prints the median of N parses in ms. */
#include "config/toml.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: toml_parse FILE [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1)
        runs = 1;
    size_t len;
    char *text = fs_read_file(argv[1], 64u << 20, &len);
    if (!text) {
        perror(argv[1]);
        return 1;
    }
    double *t = malloc(sizeof *t * (size_t)runs);
    for (int i = 0; i < runs; i++) {
        struct toml_error err;
        double start = now_ms();
        toml_value *v = toml_parse(text, len, &err);
        t[i] = now_ms() - start;
        if (!v) {
            fprintf(stderr, "%s:%d:%d: %s\n", argv[1], err.line, err.col, err.message);
            return 1;
        }
        toml_free(v);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("%zu bytes: median %.2f ms, min %.2f ms over %d parses\n", len, t[runs / 2], t[0], runs);
    free(t);
    free(text);
    return 0;
}
