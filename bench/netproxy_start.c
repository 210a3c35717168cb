/* How long the managed proxy takes to start (netproxy_session_start until
 * it listens) and to stop, from a release build: bench/netproxy.sh builds
 * this against build/libcodex.a.
 *
 *   netproxy_start CODEX_BIN CODEX_HOME RUNS    prints "start_us stop_us floor_us" medians
 *
 * The floor is starting `codex --version` and waiting for it: what any
 * process of ours costs to start on this machine. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netproxy/session.h"

static long us_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000000L + (t.tv_nsec - t0->tv_nsec) / 1000L;
}

static int cmp(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int runs = atoi(argv[3]);
    if (runs < 1 || runs > 10000)
        return 2;
    long *start = calloc((size_t)runs, sizeof *start), *stop = calloc((size_t)runs, sizeof *stop);
    long *floor = calloc((size_t)runs, sizeof *floor);
    extern char **environ;
    for (int i = 0; i < runs; i++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        char *const args[] = {argv[1], "--version", NULL};
        pid_t pid;
        if (posix_spawn(&pid, argv[1], &fa, NULL, args, environ) != 0)
            return 1;
        posix_spawn_file_actions_destroy(&fa);
        waitpid(pid, NULL, 0);
        floor[i] = us_since(&t0);
    }
    struct netproxy_config cfg;
    netproxy_config_init(&cfg);
    strvec_push(&cfg.allowed_domains, "allowed.test");
    cfg.codex_home = argv[2];
    struct netproxy_session_opts opts = {argv[1], NULL, NULL, NULL};
    for (int i = 0; i < runs; i++) {
        struct netproxy_session *s;
        struct codex_error err = CODEX_ERROR_INIT;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (netproxy_session_start(&cfg, &opts, &s, &err) != 0) {
            fprintf(stderr, "netproxy_start: %s\n", err.message);
            return 1;
        }
        start[i] = us_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        netproxy_session_stop(s);
        stop[i] = us_since(&t0);
    }
    cfg.codex_home = NULL;
    netproxy_config_free(&cfg);
    qsort(start, (size_t)runs, sizeof *start, cmp);
    qsort(stop, (size_t)runs, sizeof *stop, cmp);
    qsort(floor, (size_t)runs, sizeof *floor, cmp);
    printf("%ld %ld %ld\n", start[runs / 2], stop[runs / 2], floor[runs / 2]);
    free(start);
    free(stop);
    free(floor);
    return 0;
}
