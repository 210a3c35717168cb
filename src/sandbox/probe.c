/* Finding bubblewrap and learning, lazily, whether it works here.  Nothing
 * runs at start-up: the first sandboxed command asks, the probe is bounded
 * by a timeout, and the answer is kept for the life of the process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define PROBE_TIMEOUT_MS 3000

/* Lookups are cached per PATH string: the answer is the same for every
 * policy that comes from one environment. */
static pthread_mutex_t path_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cached_for_path;
static char *bwrap_path;
static bool bwrap_looked_up;

const char *sandbox_bwrap_path(const struct sandbox_policy *p)
{
    const char *path = p->host.path ? p->host.path : "";
    pthread_mutex_lock(&path_lock);
    if (!bwrap_looked_up || strcmp(cached_for_path, path) != 0) {
        free(cached_for_path);
        free(bwrap_path);
        cached_for_path = xstrdup(path);
        bwrap_path = fs_which("bwrap", p->host.path, NULL);
        bwrap_looked_up = true;
    }
    const char *found = bwrap_path;
    pthread_mutex_unlock(&path_lock);
    return found;
}

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static int probe_state = -1; /* -1 unknown, 0 unusable, 1 usable */
static char probe_reason[256];
static char *probed_bwrap; /* the binary the state is about */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Run the mount/namespace set-up our pipeline needs with `true` inside.
 * Its stderr is captured for the reason line. */
static int run_probe(const char *bw, char *reason, size_t reasonlen)
{
    if (!bw) {
        snprintf(reason, reasonlen, "bwrap not found on PATH");
        return 0;
    }
    char *const argv[] = {(char *)bw, "--new-session", "--die-with-parent", "--cap-drop", "ALL",
                          "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--dev", "/dev",
                          "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--", "true", NULL};
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(reason, reasonlen, "cannot probe bwrap: %s", strerror(errno));
        return 0;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    pid_t pid;
    char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
    int rc = posix_spawn(&pid, bw, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        snprintf(reason, reasonlen, "cannot run %s: %s", bw, strerror(rc));
        return 0;
    }
    char msg[512];
    size_t got = 0;
    long deadline = now_ms() + PROBE_TIMEOUT_MS;
    bool timed_out = false;
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pfd = {pipefd[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            timed_out = pr == 0;
            break;
        }
        ssize_t r = read(pipefd[0], msg + got, sizeof msg - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof msg - 1)
            break;
    }
    close(pipefd[0]);
    msg[got] = '\0';
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        snprintf(reason, reasonlen, "bwrap did not finish its set-up within %d ms", PROBE_TIMEOUT_MS);
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    msg[strcspn(msg, "\n")] = '\0';
    snprintf(reason, reasonlen, "bwrap cannot set up a sandbox here (%.160s)", got ? msg : "no message");
    return 0;
}

/* The answer is also kept on disk, keyed by the bwrap binary and the boot,
 * so that one-shot processes (`codex sandbox`) do not pay for the probe on
 * every run. */
static char *cache_key(const char *bw)
{
    struct stat st;
    if (!bw || stat(bw, &st) != 0)
        return NULL;
    char *boot = fs_read_file("/proc/sys/kernel/random/boot_id", 128, NULL);
    if (!boot)
        return NULL;
    boot[strcspn(boot, "\n")] = '\0';
    char *key = xasprintf("%s %lld %lld %s", bw, (long long)st.st_ino, (long long)st.st_mtime, boot);
    free(boot);
    return key;
}

char *sandbox_state_dir(const char *runtime_dir, char *err, size_t errlen)
{
    const char *base = runtime_dir && runtime_dir[0] == '/' ? runtime_dir : "/tmp";
    char *dir = xasprintf("%s/codex-sandbox-%u", base, (unsigned)getuid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
        snprintf(err, errlen, "%s is not a private directory owned by us; remove it", dir);
        free(dir);
        return NULL;
    }
    return dir;
}

static int cached_probe(const struct sandbox_policy *p, const char *bw, char *reason, size_t reasonlen)
{
    char ignored[256];
    char *key = cache_key(bw), *dir = key ? sandbox_state_dir(p->host.runtime_dir, ignored, sizeof ignored) : NULL;
    char *path = dir ? xasprintf("%s/bwrap-probe", dir) : NULL;
    free(dir);
    int state = -1;
    if (path) {
        char *text = fs_read_file(path, 4096, NULL);
        /* "<key>\n<0|1>\n<reason>" */
        size_t kl = strlen(key);
        if (text && strncmp(text, key, kl) == 0 && text[kl] == '\n' &&
            (text[kl + 1] == '0' || text[kl + 1] == '1') && text[kl + 2] == '\n') {
            state = text[kl + 1] - '0';
            snprintf(reason, reasonlen, "%.200s", text + kl + 3);
        }
        free(text);
    }
    if (state < 0) {
        state = run_probe(bw, reason, reasonlen);
        if (path) {
            char *text = xasprintf("%s\n%d\n%s", key, state, reason);
            fs_write_atomic(path, text, strlen(text), 0600);
            free(text);
        }
    }
    free(key);
    free(path);
    return state;
}

bool sandbox_bwrap_usable(const struct sandbox_policy *p, char *reason, size_t reasonlen)
{
    const char *bw = sandbox_bwrap_path(p);
    if (!bw) {
        snprintf(reason, reasonlen, "bwrap not found on PATH");
        return false;
    }
    pthread_mutex_lock(&probe_lock);
    if (probe_state < 0 || strcmp(probed_bwrap, bw) != 0) {
        free(probed_bwrap);
        probed_bwrap = xstrdup(bw);
        probe_state = cached_probe(p, bw, probe_reason, sizeof probe_reason);
    }
    bool ok = probe_state == 1;
    if (reason && reasonlen)
        snprintf(reason, reasonlen, "%s", ok ? "bwrap works here" : probe_reason);
    pthread_mutex_unlock(&probe_lock);
    return ok;
}

const char *sandbox_pipeline_name(enum sandbox_pipeline pl)
{
    switch (pl) {
    case SANDBOX_PIPELINE_NONE: return "none";
    case SANDBOX_PIPELINE_BWRAP: return "bwrap";
    case SANDBOX_PIPELINE_LANDLOCK: return "landlock";
    }
    return "?";
}

enum sandbox_pipeline sandbox_select_pipeline(const struct sandbox_policy *p, char *reason,
                                              size_t reasonlen)
{
    if (!sandbox_policy_restricts(p)) {
        snprintf(reason, reasonlen, "%s: commands run without a sandbox", sandbox_kind_name(p->kind));
        return SANDBOX_PIPELINE_NONE;
    }
    if (p->use_legacy_landlock) {
        snprintf(reason, reasonlen, "use_legacy_landlock = true");
        return SANDBOX_PIPELINE_LANDLOCK;
    }
    if (sandbox_bwrap_usable(p, reason, reasonlen))
        return SANDBOX_PIPELINE_BWRAP;
    return SANDBOX_PIPELINE_LANDLOCK;
}
