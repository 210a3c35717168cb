#include "store/git_head.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/git_root.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define SMALL_FILE (64u << 10)
#define PACKED_REFS_MAX (64u << 20)

/* The first line of a small file, without its newline; NULL if unreadable. */
static char *first_line(const char *path)
{
    size_t len;
    char *s = fs_read_file(path, SMALL_FILE, &len);
    if (s)
        s[strcspn(s, "\r\n")] = '\0';
    return s;
}

static int is_hash(const char *s)
{
    size_t n = 0;
    while (isxdigit((unsigned char)s[n]))
        n++;
    return n == 40 && (s[40] == '\0' || isspace((unsigned char)s[40]));
}

/* The git directory of a work tree: .git itself, or where a "gitdir:" file
 * points (worktrees and submodules). */
static char *git_dir_of(const char *root)
{
    char *dot = fs_join(root, ".git");
    if (fs_is_dir(dot))
        return dot;
    char *line = first_line(dot);
    free(dot);
    if (!line || strncmp(line, "gitdir: ", 8) != 0) {
        free(line);
        return NULL;
    }
    char *dir = line[8] == '/' ? xstrdup(line + 8) : fs_join(root, line + 8);
    free(line);
    return dir;
}

static char *ref_in_packed_refs(const char *common, const char *ref)
{
    char *path = fs_join(common, "packed-refs");
    size_t len;
    char *data = fs_read_file(path, PACKED_REFS_MAX, &len);
    free(path);
    if (!data)
        return NULL;
    char *found = NULL;
    size_t rlen = strlen(ref);
    for (char *line = data; line && *line && !found;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (is_hash(line) && line[40] == ' ' && strncmp(line + 41, ref, rlen) == 0 &&
            (line[41 + rlen] == '\0' || line[41 + rlen] == '\r'))
            found = xstrndup(line, 40);
        line = nl ? nl + 1 : NULL;
    }
    free(data);
    return found;
}

static char *resolve_ref(const char *gitdir, const char *ref)
{
    char *common = NULL;
    char *cd_path = fs_join(gitdir, "commondir");
    char *cd = first_line(cd_path);
    free(cd_path);
    if (cd)
        common = cd[0] == '/' ? xstrdup(cd) : fs_join(gitdir, cd);
    free(cd);
    const char *dirs[] = {gitdir, common};
    char *hash = NULL;
    for (size_t i = 0; i < 2 && !hash; i++) {
        if (!dirs[i])
            continue;
        char *p = fs_join(dirs[i], ref);
        char *line = first_line(p);
        free(p);
        if (line && is_hash(line))
            hash = xstrndup(line, 40);
        free(line);
    }
    if (!hash)
        hash = ref_in_packed_refs(common ? common : gitdir, ref);
    free(common);
    return hash;
}

int git_head(const char *dir, char **commit, char **branch)
{
    *commit = *branch = NULL;
    char *root = git_repo_root(dir);
    char *gitdir = root ? git_dir_of(root) : NULL;
    free(root);
    if (!gitdir)
        return -1;
    char *head_path = fs_join(gitdir, "HEAD");
    char *head = first_line(head_path);
    free(head_path);
    if (head && strncmp(head, "ref: ", 5) == 0 && strstr(head, "..") == NULL) {
        const char *ref = head + 5;
        *commit = resolve_ref(gitdir, ref);
        if (strncmp(ref, "refs/heads/", 11) == 0)
            *branch = xstrdup(ref + 11);
    } else if (head && is_hash(head)) {
        *commit = xstrndup(head, 40);
    }
    free(head);
    free(gitdir);
    if (!*commit) {
        free(*branch);
        *branch = NULL;
        return -1;
    }
    return 0;
}
