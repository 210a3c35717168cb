#include "store/rollout_layout.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

char *rollout_tree_root(const char *codex_home, enum rollout_tree tree)
{
    return fs_join(codex_home, tree == ROLLOUT_ARCHIVED ? "archived_sessions" : "sessions");
}

static bool is_rollout_name(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "rollout-", 8) == 0 && n > 14 && strcmp(name + n - 6, ".jsonl") == 0;
}

void rollout_collect_files(const char *dir, struct strvec *out, rollout_dir_fn on_dir, void *ud)
{
    struct stat st;
    if (on_dir) {
        if (stat(dir, &st) != 0)
            return;
        on_dir(ud, dir, &st);
    }
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = fs_join(dir, e->d_name);
        /* d_type saves a stat per file; some file systems leave it unknown. */
        bool is_dir = e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && fs_is_dir(p));
        if (is_dir) {
            rollout_collect_files(p, out, on_dir, ud);
            free(p);
        } else if (is_rollout_name(e->d_name)) {
            strvec_push_owned(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

void rollout_timestamp(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
}

/* ---- the layout ---------------------------------------------------------- */

char *rollout_new_path(const char *codex_home, time_t when, const char *id)
{
    struct tm tm;
    localtime_r(&when, &tm);
    char day[16], stamp[32];
    strftime(day, sizeof day, "%Y/%m/%d", &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
    return xasprintf("%s/sessions/%s/rollout-%s-%s.jsonl", codex_home, day, stamp, id);
}

bool rollout_name_day(const char *name, char day[11])
{
    /* rollout-YYYY-MM-DDThh-mm-ss-... */
    name = base_name(name);
    static const char shape[] = "rollout-dddd-dd-ddTdd-dd-dd-";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        char c = name[i];
        if (shape[i] == 'd' ? !(c >= '0' && c <= '9') : c != shape[i])
            return false;
    }
    snprintf(day, 11, "%.4s/%.2s/%.2s", name + 8, name + 13, name + 16);
    return true;
}

bool rollout_name_has_id(const char *name, const char *id)
{
    name = base_name(name);
    size_t n = strlen(name), k = strlen(id);
    /* ...-<id>.jsonl */
    return k > 0 && n > k + 7 && strcmp(name + n - 6, ".jsonl") == 0 &&
           strncmp(name + n - 6 - k, id, k) == 0 && name[n - 7 - k] == '-';
}
