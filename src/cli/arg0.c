#include "cli/arg0.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

static const char *const alias_names[] = {"apply_patch", "applypatch"};

char *arg0_aliases_create(const char *codex_home)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *parent = xasprintf("%s/tmp/arg0", codex_home);
    if (fs_mkdir_p(parent, 0700) < 0) {
        free(parent);
        return NULL;
    }
    char *dir = xasprintf("%s/codex-arg0XXXXXX", parent);
    free(parent);
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    for (size_t i = 0; i < 2; i++) {
        char *link = fs_join(dir, alias_names[i]);
        if (symlink(exe, link) < 0) {
            free(link);
            arg0_aliases_remove(dir);
            free(dir);
            return NULL;
        }
        free(link);
    }
    return dir;
}

void arg0_aliases_remove(const char *dir)
{
    if (!dir)
        return;
    for (size_t i = 0; i < 2; i++) {
        char *link = fs_join(dir, alias_names[i]);
        unlink(link);
        free(link);
    }
    rmdir(dir);
}
