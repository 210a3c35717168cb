/* The front matter of a SKILL.md: a YAML mapping between a first line
 * "---" and the next line "---".  The reference reads name, description and
 * metadata.short-description from it and ignores the other keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills/skills.h"
#include "skills/yaml.h"
#include "util/buf.h"
#include "util/xalloc.h"

static bool is_delimiter(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    return n == 3 && memcmp(s, "---", 3) == 0;
}

char *skill_single_line(const char *s)
{
    struct buf b = BUF_INIT;
    bool space = false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = false;
        buf_putc(&b, *s);
    }
    return buf_detach(&b, NULL);
}

static void set_error(struct codex_error *err, const char *path, int line, int col, const char *msg)
{
    char *where = xasprintf("%s:%d:%d", path, line, col);
    codex_error_set_at(err, where, "%s", msg);
    free(where);
}

/* A string-valued key: absent and null give NULL; a mapping or a list is
 * an error, as it is for the reference's typed reader. */
static int string_field(const struct yaml_node *map, const char *key, const char *path,
                        char **out, struct codex_error *err)
{
    const struct yaml_node *v = yaml_get(map, key);
    *out = NULL;
    if (!v || v->kind == YAML_NULL)
        return 0;
    if (v->kind != YAML_SCALAR) {
        char msg[128];
        snprintf(msg, sizeof msg, "invalid YAML: %s: expected a string", key);
        set_error(err, path, v->line, v->col, msg);
        return -1;
    }
    *out = skill_single_line(v->text);
    return 0;
}

int skill_front_matter_parse(const char *text, size_t len, const char *path,
                             struct skill_front_matter *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    const char *nl = memchr(text, '\n', len);
    size_t first = nl ? (size_t)(nl - text) : len;
    if (!is_delimiter(text, first) || !nl) {
        set_error(err, path, 1, 1, "missing YAML frontmatter delimited by ---");
        return -1;
    }
    const char *body = nl + 1, *end = text + len, *s = body;
    const char *close = NULL;
    while (s < end) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        size_t n = e ? (size_t)(e - s) : (size_t)(end - s);
        if (is_delimiter(s, n)) {
            close = s;
            break;
        }
        s = e ? e + 1 : end;
    }
    if (!close || close == body) {
        set_error(err, path, 1, 1, "missing YAML frontmatter delimited by ---");
        return -1;
    }
    struct codex_error yerr = CODEX_ERROR_INIT;
    struct yaml_node *root = yaml_parse(body, (size_t)(close - body), 2, path, &yerr);
    if (!root) {
        codex_error_set_at(err, yerr.where, "invalid YAML: %s", yerr.message);
        codex_error_clear(&yerr);
        return -1;
    }
    int rc = -1;
    if (root->kind != YAML_MAP) {
        set_error(err, path, 2, 1, "invalid YAML: the front matter must be a mapping of keys");
        goto out;
    }
    if (string_field(root, "name", path, &out->name, err) < 0 ||
        string_field(root, "description", path, &out->description, err) < 0)
        goto out;
    const struct yaml_node *meta = yaml_get(root, "metadata");
    if (meta && meta->kind == YAML_MAP) {
        static const char *const keys[] = {"short-description", "shortDescription",
                                           "short_description"};
        for (size_t i = 0; i < 3 && !out->short_description; i++)
            if (string_field(meta, keys[i], path, &out->short_description, err) < 0)
                goto out;
    }
    rc = 0;
out:
    yaml_free(root);
    if (rc < 0)
        skill_front_matter_free(out);
    return rc;
}

void skill_front_matter_free(struct skill_front_matter *fm)
{
    free(fm->name);
    free(fm->description);
    free(fm->short_description);
    memset(fm, 0, sizeof *fm);
}
