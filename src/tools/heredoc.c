#include "tools/heredoc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "cd DIR && " prefix; returns the rest or p unchanged. */
static const char *cd_prefix(const char *p, char **workdir)
{
    if (strncmp(p, "cd ", 3) != 0)
        return p;
    const char *dir = skip_space(p + 3);
    const char *end = strstr(dir, "&&");
    if (!end)
        return p;
    const char *dir_end = end;
    while (dir_end > dir && (dir_end[-1] == ' ' || dir_end[-1] == '\t'))
        dir_end--;
    if (dir_end == dir || memchr(dir, '\n', (size_t)(dir_end - dir)))
        return p;
    *workdir = xstrndup(dir, (size_t)(dir_end - dir));
    return skip_space(end + 2);
}

static const char *command_name(const char *p)
{
    if (strncmp(p, "apply_patch", 11) == 0)
        return p + 11;
    if (strncmp(p, "applypatch", 10) == 0)
        return p + 10;
    return NULL;
}

char *heredoc_apply_patch(const char *cmd, char **workdir)
{
    *workdir = NULL;
    const char *p = cd_prefix(skip_space(cmd), workdir);
    p = command_name(p);
    if (!p || strncmp(p = skip_space(p), "<<", 2) != 0)
        goto no;
    p = skip_space(p + 2);
    char quote = (*p == '\'' || *p == '"') ? *p++ : 0;
    const char *tag = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t tag_len = (size_t)(p - tag);
    if (tag_len == 0 || (quote && *p++ != quote))
        goto no;
    p = skip_space(p);
    if (*p != '\n')
        goto no;
    const char *body = p + 1;
    /* The terminator: a line holding only the tag, then nothing but space. */
    for (const char *line = body; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len == tag_len && strncmp(line, tag, tag_len) == 0) {
            const char *rest = skip_space(line + len);
            while (*rest == '\n' || *rest == ' ' || *rest == '\t')
                rest++;
            if (*rest)
                goto no;
            return xstrndup(body, (size_t)(line - body));
        }
        if (!nl)
            break;
        line = nl + 1;
    }
no:
    free(*workdir);
    *workdir = NULL;
    return NULL;
}
