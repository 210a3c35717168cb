#include "store/git_root.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

static bool is_git_marker(const char *dir)
{
    char *git = fs_join(dir, ".git");
    bool found = false;
    if (fs_is_dir(git)) {
        char *head = fs_join(git, "HEAD");
        found = fs_exists(head);
        free(head);
    } else if (fs_exists(git)) {
        char *text = fs_read_file(git, 4096, NULL);
        found = text && strncmp(text, "gitdir:", 7) == 0;
        free(text);
    }
    free(git);
    return found;
}

char *git_repo_root(const char *start)
{
    char *dir = xstrdup(start);
    for (;;) {
        if (is_git_marker(dir))
            return dir;
        char *slash = strrchr(dir, '/');
        if (!slash) {
            free(dir);
            return NULL;
        }
        if (slash == dir) {
            if (dir[1] == '\0') {
                free(dir);
                return NULL;
            }
            dir[1] = '\0'; /* try "/" last */
            continue;
        }
        *slash = '\0';
    }
}
