/* In-process timings for bench/execpolicy.sh: evaluating a command against a
 * large policy, and loading many rules files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/execpolicy.h"
#include "util/strvec.h"

/* CPU time of this process: on a shared, loaded machine wall time mostly
 * measures the wait for a core. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RULES_FILE RULES_DIR\n", argv[0]);
        return 2;
    }
    char *err = NULL;
    struct ep_policy *p = ep_policy_new();
    double t0 = now_ms();
    if (ep_policy_load_file(p, argv[1], &err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double parse_ms = now_ms() - t0;

    /* Median of many single evaluations of a command every rule is a
     * candidate for (all rules share the program). */
    const char *cmd[] = {"git", "status", "--short", "x"};
    enum { RUNS = 201 };
    double samples[RUNS];
    for (int r = 0; r < RUNS; r++) {
        struct ep_evaluation ev = {0};
        double s = now_ms();
        ep_policy_match(p, cmd, 4, true, &ev);
        samples[r] = now_ms() - s;
        ep_evaluation_free(&ev);
    }
    qsort(samples, RUNS, sizeof samples[0], cmp_double);
    printf("cpu: rules=%zu parse_ms=%.2f eval_median_ms=%.4f eval_max_ms=%.4f\n", ep_policy_rule_count(p), parse_ms,
           samples[RUNS / 2], samples[RUNS - 1]);
    ep_policy_free(p);

    double loads[5];
    size_t nrules = 0;
    for (int r = 0; r < 5; r++) {
        struct ep_policy *q = ep_policy_new();
        const char *dirs[] = {argv[2]};
        double s = now_ms();
        if (ep_policy_load_dirs(q, dirs, 1, &err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        loads[r] = now_ms() - s;
        nrules = ep_policy_rule_count(q);
        ep_policy_free(q);
    }
    qsort(loads, 5, sizeof loads[0], cmp_double);
    printf("cpu: dir_rules=%zu load_dir_median_ms=%.2f\n", nrules, loads[2]);
    return 0;
}
