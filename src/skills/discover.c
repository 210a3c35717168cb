/* Finding skills: the roots in listing order, a bounded walk of each, and
 * the front matter (only) of every SKILL.md found. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skills/skills.h"
#include "skills/yaml.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The reference's bounds: how deep below a root, how many directories per
 * root, and the longest name and description. */
#define MAX_SCAN_DEPTH 6
#define MAX_DIRS_PER_ROOT 2000
#define MAX_NAME_CHARS 64
#define MAX_DESCRIPTION_CHARS 1024
/* Front matter longer than this is not a skill's. */
#define MAX_FRONT_MATTER_BYTES (1u << 20)

struct walk_dir {
    char *path;
    int depth;
};

struct visited {
    dev_t *dev;
    ino_t *ino;
    size_t n, cap;
};

static bool visit(struct visited *v, const struct stat *st)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->dev[i] == st->st_dev && v->ino[i] == st->st_ino)
            return false;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 32;
        v->dev = xrealloc(v->dev, v->cap * sizeof *v->dev);
        v->ino = xrealloc(v->ino, v->cap * sizeof *v->ino);
    }
    v->dev[v->n] = st->st_dev;
    v->ino[v->n++] = st->st_ino;
    return true;
}

static void add_problem(struct skill_catalog *c, const char *path, struct codex_error *err)
{
    c->problems = xrealloc(c->problems, (c->n_problems + 1) * sizeof *c->problems);
    struct skill_problem *p = &c->problems[c->n_problems++];
    p->path = xstrdup(path);
    p->message = codex_error_text(err);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Byte offset of the first `chars` characters. */
static size_t utf8_prefix(const char *s, size_t chars)
{
    size_t i = 0, n = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == chars)
                break;
            n++;
        }
    }
    return i;
}

/* Whether text holds a closing "---" line after the first line. */
static bool front_matter_closed(const char *text, size_t len)
{
    const char *s = memchr(text, '\n', len);
    if (!s)
        return false;
    for (s++; s < text + len;) {
        const char *e = memchr(s, '\n', (size_t)(text + len - s));
        if (!e)
            return false;
        const char *a = s, *b = e;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (b - a == 3 && memcmp(a, "---", 3) == 0)
            return true;
        s = e + 1;
    }
    return false;
}

/* The beginning of a SKILL.md, through its front matter: skills are listed
 * from their front matter, and a long body is not read until used. */
static char *read_head(const char *path, size_t *len_out, struct codex_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        codex_error_set_os(err, errno, "%s: failed to read file", path);
        return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            codex_error_set_os(err, errno, "%s: failed to read file", path);
            buf_free(&b);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        buf_append(&b, chunk, (size_t)n);
        if (front_matter_closed(b.data, b.len) || b.len > MAX_FRONT_MATTER_BYTES)
            break;
    }
    close(fd);
    return buf_detach(&b, len_out);
}

static char *interface_field(const struct yaml_node *iface, const char *key)
{
    const char *v = yaml_scalar(yaml_get(iface, key));
    return v ? skill_single_line(v) : NULL;
}

/* agents/openai.yaml next to the SKILL.md: optional, and ignored when
 * broken, as the reference does. */
static void read_openai_yaml(const char *skill_dir, struct skill *s)
{
    char *path = xasprintf("%s/agents/openai.yaml", skill_dir);
    size_t len = 0;
    char *text = fs_read_file(path, 1u << 20, &len);
    if (text) {
        struct codex_error err = CODEX_ERROR_INIT;
        struct yaml_node *root = yaml_parse(text, len, 1, path, &err);
        codex_error_clear(&err);
        if (root && root->kind == YAML_MAP) {
            const struct yaml_node *policy = yaml_get(root, "policy");
            if (yaml_bool(yaml_get(policy, "allow_implicit_invocation")) == 0)
                s->implicit = false;
            const struct yaml_node *iface = yaml_get(root, "interface");
            if (iface && iface->kind == YAML_MAP) {
                s->display_name = interface_field(iface, "display_name");
                s->interface_short_description = interface_field(iface, "short_description");
                s->default_prompt = interface_field(iface, "default_prompt");
                s->brand_color = interface_field(iface, "brand_color");
            }
        }
        yaml_free(root);
        free(text);
    }
    free(path);
}

static bool same_file(const char *configured, const char *path)
{
    if (strcmp(configured, path) == 0)
        return true;
    char real[PATH_MAX];
    return realpath(configured, real) && strcmp(real, path) == 0;
}

/* [[skills.config]] applied in order, as the reference does: a later entry
 * for the same skill (by path or by name) overrides an earlier one. */
static void apply_rules(const struct skills_discover_opts *o, struct skill_catalog *c)
{
    for (size_t r = 0; r < o->n_rules; r++) {
        const struct skill_rule *rule = &o->rules[r];
        for (size_t i = 0; i < c->n; i++) {
            struct skill *s = &c->skills[i];
            if (rule->path ? same_file(rule->path, s->path)
                           : rule->name && strcmp(rule->name, s->name) == 0)
                s->enabled = rule->enabled;
        }
    }
}

static bool known_path(const struct skill_catalog *c, const char *path)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->skills[i].path, path) == 0)
            return true;
    return false;
}

static void load_skill(const struct skills_discover_opts *o, struct skill_catalog *c,
                       const char *dir, const char *path, size_t root, enum skill_scope scope,
                       bool has_agents_dir)
{
    if (known_path(c, path))
        return;
    struct codex_error err = CODEX_ERROR_INIT;
    size_t len = 0;
    char *text = read_head(path, &len, &err);
    struct skill_front_matter fm;
    if (!text || skill_front_matter_parse(text, len, path, &fm, &err) < 0) {
        if (scope != SKILL_SCOPE_SYSTEM)
            add_problem(c, path, &err);
        codex_error_clear(&err);
        free(text);
        return;
    }
    free(text);
    char *name = fm.name && *fm.name ? xstrdup(fm.name) : NULL;
    if (!name) {
        const char *slash = strrchr(dir, '/');
        name = skill_single_line(slash ? slash + 1 : dir);
    }
    if (utf8_chars(name) > MAX_NAME_CHARS) {
        char *where = xasprintf("%s:1:1", path);
        codex_error_set_at(&err, where, "invalid name: exceeds maximum length of %d characters",
                           MAX_NAME_CHARS);
        free(where);
        if (scope != SKILL_SCOPE_SYSTEM)
            add_problem(c, path, &err);
        codex_error_clear(&err);
        free(name);
        skill_front_matter_free(&fm);
        return;
    }
    char *desc = fm.description ? fm.description : xstrdup("");
    fm.description = NULL;
    if (utf8_chars(desc) > MAX_DESCRIPTION_CHARS) {
        /* 0.169 shortens an over-long description rather than refusing it. */
        size_t cut = utf8_prefix(desc, MAX_DESCRIPTION_CHARS - 3);
        desc[cut] = '\0';
        char *shortened = xasprintf("%s...", desc);
        free(desc);
        desc = shortened;
    }
    c->skills = xrealloc(c->skills, (c->n + 1) * sizeof *c->skills);
    struct skill *s = &c->skills[c->n++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->description = desc;
    s->short_description = fm.short_description;
    fm.short_description = NULL;
    s->path = xstrdup(path);
    s->scope = scope;
    s->root = root;
    s->enabled = true;
    s->implicit = true;
    if (has_agents_dir)
        read_openai_yaml(dir, s);
    skill_front_matter_free(&fm);
}

/* Breadth first below one root, as deep and as wide as the reference
 * goes; hidden entries are skipped, and symbolic links are followed except
 * in the bundled root (which codex writes itself). */
static void walk_root(const struct skills_discover_opts *o, struct skill_catalog *c, size_t root,
                      enum skill_scope scope)
{
    bool follow_links = scope != SKILL_SCOPE_SYSTEM;
    struct visited seen = {0};
    struct walk_dir *queue = xcalloc(1, sizeof *queue);
    size_t head = 0, tail = 0, cap = 1, dirs = 0;
    struct stat st;
    if (stat(c->roots.v[root], &st) == 0)
        visit(&seen, &st);
    queue[tail++] = (struct walk_dir){xstrdup(c->roots.v[root]), 0};
    while (head < tail) {
        struct walk_dir d = queue[head++];
        DIR *dp = opendir(d.path);
        if (!dp) {
            free(d.path);
            continue;
        }
        /* Sorted, so that the walk (and dedup by path) does not depend on
         * the order the file system returns entries in. */
        struct dirent **names = NULL;
        size_t n_names = 0, cap_names = 0;
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            if (n_names == cap_names)
                names = xrealloc(names, (cap_names = cap_names ? cap_names * 2 : 16) * sizeof *names);
            size_t sz = offsetof(struct dirent, d_name) + strlen(de->d_name) + 1;
            names[n_names] = xmalloc(sz < sizeof *de ? sizeof *de : sz);
            memcpy(names[n_names++], de, sz);
        }
        closedir(dp);
        /* Most skills have no agents/openai.yaml: look only where the
         * listing shows an agents entry. */
        bool has_agents = false;
        for (size_t i = 0; i < n_names && !has_agents; i++)
            has_agents = strcmp(names[i]->d_name, "agents") == 0;
        for (size_t i = 0; i < n_names; i++) {
            de = names[i];
            char *path = fs_join(d.path, de->d_name);
            unsigned char type = de->d_type;
            if (type == DT_UNKNOWN) {
                struct stat lst;
                type = lstat(path, &lst) != 0 ? DT_UNKNOWN
                       : S_ISDIR(lst.st_mode) ? DT_DIR
                       : S_ISREG(lst.st_mode) ? DT_REG
                       : S_ISLNK(lst.st_mode) ? DT_LNK
                                              : DT_UNKNOWN;
            }
            char real[PATH_MAX];
            bool linked = type == DT_LNK;
            if (type == DT_LNK) {
                if (!follow_links || stat(path, &st) != 0 || !realpath(path, real)) {
                    free(path);
                    continue;
                }
                free(path);
                path = xstrdup(real);
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            }
            if (type == DT_DIR) {
                /* A loop needs a symbolic link, so only linked directories
                 * are checked against those already walked. */
                if (d.depth + 1 <= MAX_SCAN_DEPTH && dirs < MAX_DIRS_PER_ROOT &&
                    (!linked || (stat(path, &st) == 0 && visit(&seen, &st)))) {
                    if (tail == cap)
                        queue = xrealloc(queue, (cap *= 2) * sizeof *queue);
                    queue[tail++] = (struct walk_dir){path, d.depth + 1};
                    dirs++;
                    path = NULL;
                }
            } else if (type == DT_REG && strcmp(de->d_name, "SKILL.md") == 0) {
                char *dir = xstrdup(path);
                char *slash = strrchr(dir, '/');
                if (slash)
                    *slash = '\0';
                load_skill(o, c, dir, path, root, scope, has_agents);
                free(dir);
            }
            free(path);
        }
        for (size_t i = 0; i < n_names; i++)
            free(names[i]);
        free(names);
        free(d.path);
    }
    free(queue);
    free(seen.dev);
    free(seen.ino);
}

struct root_spec {
    char *path;
    enum skill_scope scope;
    const char *plugin; /* names get "<plugin>:" in front, or NULL */
    const char *plugin_id;
};

static void push_root(struct root_spec **v, size_t *n, char *path, enum skill_scope scope)
{
    char real[PATH_MAX];
    if (!path)
        return;
    if (!realpath(path, real) || !fs_is_dir(real)) {
        free(path);
        return;
    }
    free(path);
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].path, real) == 0)
            return;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (struct root_spec){xstrdup(real), scope, NULL, NULL};
}

/* The repository roots, closest to cwd first: .codex/skills, then
 * .agents/skills, in every directory from cwd up to the project root. */
static void push_repo_roots(const struct skills_discover_opts *o, struct root_spec **v, size_t *n)
{
    char *dir = xstrdup(o->cwd);
    size_t stop = o->project_root ? strlen(o->project_root) : strlen(dir);
    bool inside = o->project_root && strncmp(dir, o->project_root, stop) == 0 &&
                  (dir[stop] == '\0' || dir[stop] == '/' || stop == 1);
    if (!inside)
        stop = strlen(dir);
    for (;;) {
        push_root(v, n, fs_join(dir, ".codex/skills"), SKILL_SCOPE_REPO);
        push_root(v, n, fs_join(dir, ".agents/skills"), SKILL_SCOPE_REPO);
        size_t len = strlen(dir);
        if (len <= stop)
            break;
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (strlen(dir) < stop)
            break;
    }
    free(dir);
}

static int by_name_then_path(const void *a, const void *b)
{
    const struct skill *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->path, y->path);
}

void skills_discover(const struct skills_discover_opts *o, struct skill_catalog *out)
{
    memset(out, 0, sizeof *out);
    struct root_spec *roots = NULL;
    size_t n_roots = 0;
    if (o->codex_home && !o->no_bundled)
        push_root(&roots, &n_roots, fs_join(o->codex_home, "skills/.system"), SKILL_SCOPE_SYSTEM);
    if (o->cwd)
        push_repo_roots(o, &roots, &n_roots);
    if (o->codex_home)
        push_root(&roots, &n_roots, fs_join(o->codex_home, "skills"), SKILL_SCOPE_USER);
    if (o->home)
        push_root(&roots, &n_roots, fs_join(o->home, ".agents/skills"), SKILL_SCOPE_USER);
    for (size_t i = 0; i < o->n_extra_roots; i++)
        push_root(&roots, &n_roots, xstrdup(o->extra_roots[i]), SKILL_SCOPE_USER);
    for (size_t i = 0; i < o->n_plugin_roots; i++) {
        size_t had = n_roots;
        push_root(&roots, &n_roots, xstrdup(o->plugin_roots[i].dir), SKILL_SCOPE_USER);
        if (n_roots > had) {
            roots[had].plugin = o->plugin_roots[i].plugin;
            roots[had].plugin_id = o->plugin_roots[i].id;
        }
    }
    push_root(&roots, &n_roots, xstrdup("/etc/codex/skills"), SKILL_SCOPE_ADMIN);
    for (size_t r = 0; r < n_roots; r++) {
        strvec_push_owned(&out->roots, roots[r].path);
        size_t before = out->n;
        walk_root(o, out, r, roots[r].scope);
        for (size_t k = before; roots[r].plugin && k < out->n; k++) {
            char *named = xasprintf("%s:%s", roots[r].plugin, out->skills[k].name);
            free(out->skills[k].name);
            out->skills[k].name = named;
            out->skills[k].plugin_id = roots[r].plugin_id ? xstrdup(roots[r].plugin_id) : NULL;
        }
        if (out->n > before)
            qsort(out->skills + before, out->n - before, sizeof *out->skills, by_name_then_path);
    }
    free(roots);
    apply_rules(o, out);
}

static void skill_free(struct skill *s)
{
    free(s->name);
    free(s->description);
    free(s->short_description);
    free(s->path);
    free(s->display_name);
    free(s->interface_short_description);
    free(s->default_prompt);
    free(s->brand_color);
    free(s->plugin_id);
}

void skill_catalog_free(struct skill_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        skill_free(&c->skills[i]);
    free(c->skills);
    strvec_free(&c->roots);
    for (size_t i = 0; i < c->n_problems; i++) {
        free(c->problems[i].path);
        free(c->problems[i].message);
    }
    free(c->problems);
    memset(c, 0, sizeof *c);
}
