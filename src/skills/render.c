/* What the model sees of skills: the catalog block in its context, and a
 * whole SKILL.md when the user names a skill with $name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skills/skills.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Written for codex-c: how the model should treat the catalog. */
static const char how_to_use[] =
    "- The list above is everything available in this session. A skill's instructions are in "
    "its SKILL.md; expand the root alias of its path with the table above to read it.\n"
    "- Use a skill when the user names it (as $name or in plain words) or when the task is "
    "plainly what its description covers. Several named skills means using each of them. A "
    "skill applies to the turn it is named in, not to later ones unless named again.\n"
    "- If a named skill is not listed or its file cannot be read, say so in one line and carry "
    "on as well as you can without it.\n"
    "- Reading a skill, step by step:\n"
    "  1) Open its SKILL.md and read as much as you need to follow it.\n"
    "  2) Paths it mentions (scripts/run.sh, references/api.md, ...) are relative to the "
    "directory of that SKILL.md.\n"
    "  3) Open only the referenced files the task needs; do not read a whole references/ "
    "folder up front.\n"
    "  4) Prefer running (or fixing) the skill's scripts/ over rewriting what they do.\n"
    "  5) Start from its assets/ and templates rather than recreating them.\n"
    "- When several skills apply, use the fewest that cover the task and say in which order.\n"
    "- Say in one short line which skill you are using and why; if you pass over one that "
    "obviously fits, say why.\n"
    "- Keep the context small: summarise long passages, and only follow links from SKILL.md "
    "when you need them.\n"
    "- If a skill cannot be applied as written (a missing file, unclear steps), say what is "
    "wrong, choose the next best approach and continue.";

char *skills_instructions(const struct skill_catalog *c)
{
    bool *used = xcalloc(c->roots.n ? c->roots.n : 1, sizeof *used);
    size_t listed = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->skills[i].enabled && c->skills[i].implicit) {
            used[c->skills[i].root] = true;
            listed++;
        }
    }
    if (!listed) {
        free(used);
        return NULL;
    }
    struct buf b = BUF_INIT;
    buf_puts(&b, "<skills_instructions>\n## Skills\n"
                 "Skills are folders of instructions for particular kinds of work, each "
                 "described by a `SKILL.md` file. Below are the skills available here, each "
                 "with a description and a short path: a root alias from the table of skill "
                 "roots followed by the path inside that root.\n"
                 "### Skill roots\n");
    for (size_t r = 0; r < c->roots.n; r++)
        if (used[r])
            buf_printf(&b, "- `r%zu` = `%s`\n", r, c->roots.v[r]);
    buf_puts(&b, "### Available skills\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct skill *s = &c->skills[i];
        if (!s->enabled || !s->implicit)
            continue;
        const char *root = c->roots.v[s->root];
        size_t rl = strlen(root);
        const char *rel = strncmp(s->path, root, rl) == 0 && s->path[rl] == '/' ? s->path + rl + 1
                                                                               : s->path;
        if (*s->description)
            buf_printf(&b, "- %s: %s (file: r%zu/%s)\n", s->name, s->description, s->root, rel);
        else
            buf_printf(&b, "- %s (file: r%zu/%s)\n", s->name, s->root, rel);
    }
    buf_puts(&b, "### How to use skills\n");
    buf_puts(&b, how_to_use);
    buf_puts(&b, "\n</skills_instructions>");
    free(used);
    return buf_detach(&b, NULL);
}

static bool mention_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == ':';
}

/* $PATH and friends are shell variables, not skills. */
static bool common_env_var(const char *s, size_t n)
{
    static const char *const names[] = {"PATH", "HOME", "USER", "SHELL", "PWD", "TMPDIR",
                                        "TEMP", "TMP", "LANG", "TERM", "XDG_CONFIG_HOME"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(names[i], s, n) == 0)
            return true;
    return false;
}

struct mentions {
    struct strvec names;
    struct strvec paths;
};

static void add_name(struct mentions *m, const char *s, size_t n)
{
    if (!common_env_var(s, n))
        strvec_push_owned(&m->names, xstrndup(s, n));
}

/* [$name](path): a mention that also names the file. */
static size_t linked_mention(const char *t, struct mentions *m)
{
    if (t[0] != '[' || t[1] != '$' || !mention_char(t[2]))
        return 0;
    size_t k = 2;
    while (mention_char(t[k]))
        k++;
    if (t[k] != ']')
        return 0;
    size_t name_end = k++;
    while (t[k] == ' ' || t[k] == '\t' || t[k] == '\n')
        k++;
    if (t[k] != '(')
        return 0;
    const char *close = strchr(t + k, ')');
    if (!close)
        return 0;
    const char *a = t + k + 1, *b = close;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    if (a == b)
        return 0;
    if (common_env_var(t + 2, name_end - 2))
        return (size_t)(close - t) + 1;
    char *path = xstrndup(a, (size_t)(b - a));
    if (strncmp(path, "skill://", 8) == 0)
        memmove(path, path + 8, strlen(path + 8) + 1);
    bool other_kind = strncmp(path, "app://", 6) == 0 || strncmp(path, "mcp://", 6) == 0 ||
                      strncmp(path, "plugin://", 9) == 0;
    if (!other_kind)
        add_name(m, t + 2, name_end - 2);
    strvec_push_owned(&m->paths, path);
    return (size_t)(close - t) + 1;
}

static void scan_mentions(const char *text, struct mentions *m)
{
    for (size_t i = 0; text[i];) {
        size_t used = text[i] == '[' ? linked_mention(text + i, m) : 0;
        if (used) {
            i += used;
            continue;
        }
        if (text[i] == '$' && mention_char(text[i + 1])) {
            size_t k = i + 1;
            while (mention_char(text[k]))
                k++;
            add_name(m, text + i + 1, k - i - 1);
            i = k;
            continue;
        }
        i++;
    }
}

static bool in_list(const struct strvec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

size_t skills_mentioned(const struct skill_catalog *c, const char *text, const struct skill ***out)
{
    struct mentions m = {STRVEC_INIT, STRVEC_INIT};
    scan_mentions(text ? text : "", &m);
    *out = xcalloc(c->n ? c->n : 1, sizeof **out);
    size_t n = 0;
    bool *taken = xcalloc(c->n ? c->n : 1, sizeof *taken);
    /* Named by path first, then by a name only one enabled skill has. */
    for (size_t i = 0; i < c->n; i++) {
        if (c->skills[i].enabled && in_list(&m.paths, c->skills[i].path))
            taken[i] = true;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct skill *s = &c->skills[i];
        if (taken[i] || !s->enabled || !in_list(&m.names, s->name))
            continue;
        size_t same = 0;
        bool name_taken = false;
        for (size_t k = 0; k < c->n; k++) {
            if (c->skills[k].enabled && strcmp(c->skills[k].name, s->name) == 0) {
                same++;
                name_taken |= taken[k];
            }
        }
        if (same == 1 && !name_taken)
            taken[i] = true;
    }
    for (size_t i = 0; i < c->n; i++)
        if (taken[i])
            (*out)[n++] = &c->skills[i];
    free(taken);
    strvec_free(&m.names);
    strvec_free(&m.paths);
    return n;
}

char *skill_injection_text(const struct skill *s, struct codex_error *err)
{
    size_t len = 0;
    char *body = fs_read_file(s->path, 8u << 20, &len);
    if (!body) {
        codex_error_set_os(err, errno, "Failed to load skill %s at %s", s->name, s->path);
        return NULL;
    }
    char *text = xasprintf("<skill>\n<name>%s</name>\n<path>%s</path>\n%s\n</skill>", s->name,
                           s->path, body);
    free(body);
    return text;
}
