/* Spawn commands N times each (fork, exec, wait; stdout to /dev/null) and
 * print the median and mean wall time of one run in milliseconds, and the
 * median CPU time (user + system) the child used, which a busy machine
 * disturbs much less than wall time.  The
 * commands take turns, so a burst of load on the machine hits all of them
 * alike; a C driver keeps the measuring overhead far below the differences
 * being measured.
 *
 * usage: spawn N PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]... */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 8

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run_once(char **cmd, double *cpu_ms)
{
    double start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execv(cmd[0], cmd);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn: %s failed\n", cmd[0]);
        exit(1);
    }
    *cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
              (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    return now_ms() - start;
}

int main(int argc, char **argv)
{
    if (argc < 3 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: %s N PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]);
    char **cmds[MAX_COMMANDS];
    int ncmds = 0;
    cmds[ncmds++] = argv + 2;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL;
            if (ncmds == MAX_COMMANDS || i + 1 == argc) {
                fprintf(stderr, "%s: bad command list\n", argv[0]);
                return 2;
            }
            cmds[ncmds++] = argv + i + 1;
        }
    double *t[MAX_COMMANDS], *cpu[MAX_COMMANDS];
    for (int c = 0; c < ncmds; c++) {
        t[c] = calloc((size_t)n, sizeof(double));
        cpu[c] = calloc((size_t)n, sizeof(double));
    }
    for (int i = 0; i < n; i++)
        for (int c = 0; c < ncmds; c++)
            t[c][i] = run_once(cmds[c], &cpu[c][i]);
    for (int c = 0; c < ncmds; c++) {
        double total = 0;
        for (int i = 0; i < n; i++)
            total += t[c][i];
        qsort(t[c], (size_t)n, sizeof(double), cmp_double);
        qsort(cpu[c], (size_t)n, sizeof(double), cmp_double);
        printf("wall median %.3f ms  mean %.3f ms  cpu median %.3f ms  (%d runs)\n", t[c][n / 2],
               total / n, cpu[c][n / 2], n);
        free(t[c]);
        free(cpu[c]);
    }
    return 0;
}
