/* Recognizing an apply_patch call hidden in a shell command, so the agent
 * applies it as a patch instead of running a program called apply_patch.
 * Only the shapes the reference accepts are recognized: the script must be
 * exactly `apply_patch <<DELIM ... DELIM`, optionally preceded by
 * `cd DIR &&`; anything else around it makes it an ordinary command. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "patch/patch.h"
#include "util/xalloc.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool is_apply_patch_name(const char *s, size_t n)
{
    return (n == 11 && memcmp(s, "apply_patch", 11) == 0) || (n == 10 && memcmp(s, "applypatch", 10) == 0);
}

/* The script of a shell invocation the reference inspects, or NULL. */
static const char *shell_script(const char *const *argv, size_t argc)
{
    if (argc != 3)
        return NULL;
    const char *shell = base_name(argv[0]);
    if (strcmp(shell, "bash") != 0 && strcmp(shell, "zsh") != 0 && strcmp(shell, "sh") != 0)
        return NULL;
    if (strcmp(argv[1], "-lc") != 0 && strcmp(argv[1], "-c") != 0)
        return NULL;
    return argv[2];
}

static void skip_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static void skip_space(const char **p)
{
    while (**p && isspace((unsigned char)**p))
        (*p)++;
}

static bool is_word_char(char c)
{
    return c && !isspace((unsigned char)c) && !strchr(";&|<>()'\"`$\\", c);
}

/* A `cd` argument: a plain word, '...' or "..." without expansions. */
static char *take_cd_dir(const char **p)
{
    const char *s = *p;
    if (*s == '\'' || *s == '"') {
        char q = *s;
        const char *end = strchr(s + 1, q);
        if (!end || (q == '"' && memchr(s + 1, '$', (size_t)(end - s - 1))) ||
            (q == '"' && memchr(s + 1, '`', (size_t)(end - s - 1))) ||
            (q == '"' && memchr(s + 1, '\\', (size_t)(end - s - 1))))
            return NULL;
        *p = end + 1;
        return xstrndup(s + 1, (size_t)(end - s - 1));
    }
    const char *start = s;
    while (is_word_char(*s))
        s++;
    if (s == start)
        return NULL;
    *p = s;
    return xstrndup(start, (size_t)(s - start));
}

static int parse_script(const char *script, char **patch_text, char **workdir)
{
    const char *p = script;
    char *dir = NULL;
    skip_space(&p);
    if (strncmp(p, "cd", 2) == 0 && (p[2] == ' ' || p[2] == '\t')) {
        p += 2;
        skip_blanks(&p);
        dir = take_cd_dir(&p);
        if (!dir)
            return 0;
        skip_blanks(&p);
        if (strncmp(p, "&&", 2) != 0)
            goto no;
        p += 2;
        skip_space(&p);
    }
    const char *name = p;
    while (is_word_char(*p))
        p++;
    if (!is_apply_patch_name(name, (size_t)(p - name)))
        goto no;
    skip_blanks(&p);
    if (strncmp(p, "<<", 2) != 0 || p[2] == '<')
        goto no;
    p += 2;
    skip_blanks(&p);
    char *delim;
    if (*p == '\'' || *p == '"') {
        char q = *p;
        const char *end = strchr(p + 1, q);
        if (!end || end == p + 1)
            goto no;
        delim = xstrndup(p + 1, (size_t)(end - p - 1));
        p = end + 1;
    } else {
        const char *start = p;
        while (is_word_char(*p))
            p++;
        if (p == start)
            goto no;
        delim = xstrndup(start, (size_t)(p - start));
    }
    skip_blanks(&p);
    if (*p != '\n') {
        free(delim);
        goto no;
    }
    p++;
    const char *body = p;
    size_t dlen = strlen(delim);
    const char *line = body;
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len == dlen && memcmp(line, delim, dlen) == 0) {
            const char *after = line + len;
            skip_space(&after);
            free(delim);
            if (*after != '\0')
                goto no;
            size_t body_len = (size_t)(line - body);
            while (body_len > 0 && body[body_len - 1] == '\n')
                body_len--;
            *patch_text = xstrndup(body, body_len);
            *workdir = dir;
            return 1;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(delim);
no:
    free(dir);
    return 0;
}

int patch_extract_heredoc(const char *const *argv, size_t argc, char **patch_text, char **workdir)
{
    *patch_text = NULL;
    *workdir = NULL;
    if (argc == 2 && is_apply_patch_name(argv[0], strlen(argv[0]))) {
        *patch_text = xstrdup(argv[1]);
        return 1;
    }
    const char *script = shell_script(argv, argc);
    if (!script)
        return 0;
    return parse_script(script, patch_text, workdir);
}
