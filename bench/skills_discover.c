/* Times skills_discover over a prepared tree: prints the median of N
 * discoveries (ms), how many skills were found and how many problems.
 *   skills_discover CODEX_HOME HOME CWD [RUNS] */
#include "skills/skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    if (argc < 4) {
        fprintf(stderr, "usage: skills_discover CODEX_HOME HOME CWD [RUNS]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 21;
    if (runs < 1)
        runs = 1;
    struct skills_discover_opts o = {.codex_home = argv[1], .home = argv[2], .cwd = argv[3],
                                     .project_root = argv[3]};
    double *t = malloc(sizeof *t * (size_t)runs);
    size_t found = 0, problems = 0, block = 0;
    for (int i = 0; i < runs; i++) {
        struct skill_catalog c;
        double start = now_ms();
        skills_discover(&o, &c);
        char *text = skills_instructions(&c);
        t[i] = now_ms() - start;
        found = c.n;
        problems = c.n_problems;
        block = text ? strlen(text) : 0;
        free(text);
        skill_catalog_free(&c);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("%zu skills (%zu problems), list %zu chars: median %.3f ms, min %.3f ms over %d runs\n",
           found, problems, block, t[runs / 2], t[0], runs);
    free(t);
    return 0;
}
