/* The walk: depth first, one directory open at a time, carrying a stack of
 * the ignore files that govern the current directory.  Precedence follows
 * the reference's walker: .ignore files first, then .gitignore, then
 * .git/info/exclude; within one kind the deepest directory that has an
 * opinion decides.  .ignore files count everywhere; the git ones only in a
 * git repository (at or below a directory that has a .git), as git reads
 * them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filesearch/filesearch.h"
#include "filesearch/ignore.h"
#include "filesearch/index.h"
#include "util/buf.h"
#include "util/xalloc.h"

enum { KIND_IGNORE, KIND_GITIGNORE, KIND_EXCLUDE, KINDS };

/* Deeper than this is a link farm or a mistake, not a project. */
#define MAX_DEPTH 256

struct level {
    size_t dir_len; /* the governed directory is abs[0..dir_len) */
    struct ignore_rules *rules[KINDS];
};

struct walker {
    struct file_index *ix;
    const atomic_bool *cancel;
    struct level *levels;
    size_t nlevels, levels_cap;
    struct {
        dev_t dev;
        ino_t ino;
    } chain[MAX_DEPTH + 1]; /* the directories being walked, for link loops */
    size_t depth;
    char **abs_roots; /* every root, absolute, for "belongs to a deeper root" */
    size_t nroots;
    uint16_t root;
    bool in_repo;    /* the current directory is inside a git repository */
    struct buf abs;  /* the absolute path of the current entry */
    size_t root_len; /* abs[0..root_len) is the root */
};

/* cwd + path, lexically normalized, no trailing '/' (except "/"). */
static char *absolute(const char *path, const char *cwd)
{
    struct buf in = {0};
    if (path[0] != '/') {
        buf_puts(&in, cwd && *cwd ? cwd : "/");
        buf_putc(&in, '/');
    }
    buf_puts(&in, path);
    const char *s = buf_cstr(&in);
    struct buf out = {0};
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = strchrnul(s, '/');
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            const char *o = buf_cstr(&out);
            const char *slash = strrchr(o, '/');
            buf_truncate(&out, slash ? (size_t)(slash - o) : 0);
        } else {
            buf_putc(&out, '/');
            buf_append(&out, s, n);
        }
        s = e;
    }
    buf_free(&in);
    if (!out.len)
        buf_putc(&out, '/');
    return buf_detach(&out, NULL);
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t need = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : 9;
        if (need == 9 || (need == 1 && *p < 0xC2))
            return false;
        for (size_t k = 1; k <= need; k++)
            if ((p[k] & 0xC0) != 0x80)
                return false;
        p += need + 1;
    }
    return true;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static struct ignore_rules *load_rules(struct buf *abs, const char *name)
{
    size_t keep = abs->len;
    if (keep && buf_cstr(abs)[keep - 1] != '/')
        buf_putc(abs, '/');
    buf_puts(abs, name);
    struct ignore_rules *r = ignore_rules_load(buf_cstr(abs));
    buf_truncate(abs, keep);
    if (r && !ignore_rules_count(r)) {
        ignore_rules_free(r);
        r = NULL;
    }
    return r;
}

/* Push the ignore files of the directory abs names (when it has any);
 * returns whether a level was pushed. */
static bool push_level(struct walker *w)
{
    struct level l = {.dir_len = w->abs.len};
    l.rules[KIND_IGNORE] = load_rules(&w->abs, ".ignore");
    if (!w->in_repo) {
        size_t keep = w->abs.len;
        if (keep && buf_cstr(&w->abs)[keep - 1] != '/')
            buf_putc(&w->abs, '/');
        buf_puts(&w->abs, ".git");
        w->in_repo = access(buf_cstr(&w->abs), F_OK) == 0;
        buf_truncate(&w->abs, keep);
    }
    if (w->in_repo) {
        l.rules[KIND_GITIGNORE] = load_rules(&w->abs, ".gitignore");
        l.rules[KIND_EXCLUDE] = load_rules(&w->abs, ".git/info/exclude");
    }
    if (!l.rules[0] && !l.rules[1] && !l.rules[2])
        return false;
    if (w->nlevels == w->levels_cap) {
        w->levels_cap = w->levels_cap ? w->levels_cap * 2 : 8;
        w->levels = xrealloc(w->levels, w->levels_cap * sizeof *w->levels);
    }
    w->levels[w->nlevels++] = l;
    return true;
}

static void pop_level(struct walker *w)
{
    struct level *l = &w->levels[--w->nlevels];
    for (int k = 0; k < KINDS; k++)
        ignore_rules_free(l->rules[k]);
}

static bool ignored(const struct walker *w, bool is_dir)
{
    const char *abs = buf_cstr(&w->abs);
    for (int k = 0; k < KINDS; k++) {
        for (size_t i = w->nlevels; i-- > 0;) {
            const struct level *l = &w->levels[i];
            if (!l->rules[k])
                continue;
            /* "/" is the one directory whose path already ends in '/' */
            const char *rel = abs + l->dir_len + (l->dir_len > 1);
            enum ignore_verdict v = ignore_rules_match(l->rules[k], rel, is_dir);
            if (v != IGNORE_NONE)
                return v == IGNORE_EXCLUDE;
        }
    }
    return false;
}

/* Another root lies exactly here and is deeper than ours: it lists this
 * subtree itself. */
static bool another_roots(const struct walker *w)
{
    const char *abs = buf_cstr(&w->abs);
    for (size_t i = 0; i < w->nroots; i++)
        if (i != w->root && strlen(w->abs_roots[i]) > w->root_len && strcmp(w->abs_roots[i], abs) == 0)
            return true;
    return false;
}

static void add_entry(struct walker *w, bool is_dir)
{
    struct file_index *ix = w->ix;
    const char *rel = buf_cstr(&w->abs) + w->root_len + (w->root_len > 1 ? 1 : 0);
    size_t len = strlen(rel);
    if (ix->arena_len + len + 1 > ix->arena_cap) {
        ix->arena_cap = (ix->arena_len + len + 1) * 2;
        ix->arena = xrealloc(ix->arena, ix->arena_cap);
    }
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 1024;
        ix->v = xrealloc(ix->v, ix->cap * sizeof *ix->v);
    }
    const char *slash = strrchr(rel, '/');
    size_t name = slash ? (size_t)(slash - rel) + 1 : 0;
    struct index_entry *e = &ix->v[ix->n++];
    e->path = (uint32_t)ix->arena_len;
    e->path_len = (uint32_t)len;
    e->name = (uint32_t)name;
    e->name_chars = (uint32_t)utf8_chars(rel, name);
    e->root = w->root;
    e->is_dir = is_dir;
    memcpy(ix->arena + ix->arena_len, rel, len + 1);
    ix->arena_len += len + 1;
}

static bool cancelled(const struct walker *w)
{
    return w->cancel && atomic_load_explicit(w->cancel, memory_order_relaxed);
}

static void walk_dir(struct walker *w, int fd);

static void visit(struct walker *w, int dirfd, const char *name, unsigned char type)
{
    bool is_dir = type == DT_DIR;
    if (type == DT_LNK || type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dirfd, name, &st, 0) != 0)
            return; /* a dangling link or an entry that went away */
        is_dir = S_ISDIR(st.st_mode);
    }
    if (ignored(w, is_dir))
        return;
    if (!is_dir) {
        add_entry(w, false);
        return;
    }
    if (another_roots(w))
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        add_entry(w, true); /* listed, though its contents cannot be read */
        return;
    }
    for (size_t i = 0; i <= w->depth; i++) {
        if (w->chain[i].dev == st.st_dev && w->chain[i].ino == st.st_ino) {
            close(fd); /* a link back into its own ancestry */
            return;
        }
    }
    add_entry(w, true);
    if (w->depth >= MAX_DEPTH) {
        close(fd);
        return;
    }
    w->depth++;
    w->chain[w->depth].dev = st.st_dev;
    w->chain[w->depth].ino = st.st_ino;
    bool was_in_repo = w->in_repo;
    bool pushed = push_level(w);
    walk_dir(w, fd);
    if (pushed)
        pop_level(w);
    w->in_repo = was_in_repo;
    w->depth--;
}

/* Walk the directory open at fd (closed here), whose path is in abs. */
static void walk_dir(struct walker *w, int fd)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    size_t keep = w->abs.len;
    struct dirent *de;
    while (!cancelled(w) && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
            continue;
        if (!valid_utf8(name))
            continue;
        if (keep > 1)
            buf_putc(&w->abs, '/');
        buf_puts(&w->abs, name);
        visit(w, dirfd(d), name, de->d_type);
        buf_truncate(&w->abs, keep);
    }
    closedir(d);
}

/* The ignore files of the root's ancestors, outermost first. */
static void push_parents(struct walker *w, const char *root)
{
    size_t len = strlen(root);
    for (size_t i = 1; i <= len; i++) {
        if (i != 1 && root[i] != '/' && i != len)
            continue;
        if (i == len)
            break; /* the root itself is pushed by the walk */
        buf_truncate(&w->abs, 0);
        buf_append(&w->abs, root, i == 1 ? 1 : i);
        push_level(w);
    }
}

struct file_index *file_index_walk(const char *const *roots, size_t nroots, const char *cwd,
                                   const atomic_bool *cancel)
{
    struct file_index *ix = xcalloc(1, sizeof *ix);
    ix->nroots = nroots > UINT16_MAX ? UINT16_MAX : nroots;
    ix->roots = xcalloc(ix->nroots ? ix->nroots : 1, sizeof *ix->roots);
    struct walker w = {.ix = ix, .cancel = cancel, .nroots = ix->nroots};
    w.abs_roots = xcalloc(ix->nroots ? ix->nroots : 1, sizeof *w.abs_roots);
    for (size_t i = 0; i < ix->nroots; i++) {
        ix->roots[i] = xstrdup(roots[i]);
        w.abs_roots[i] = absolute(roots[i], cwd);
    }
    for (size_t i = 0; i < ix->nroots && !cancelled(&w); i++) {
        const char *root = w.abs_roots[i];
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st;
        if (fstat(fd, &st) != 0) {
            close(fd);
            continue;
        }
        w.root = (uint16_t)i;
        w.depth = 0;
        w.in_repo = false;
        w.chain[0].dev = st.st_dev;
        w.chain[0].ino = st.st_ino;
        push_parents(&w, root);
        buf_truncate(&w.abs, 0);
        buf_puts(&w.abs, root);
        w.root_len = w.abs.len;
        push_level(&w);
        walk_dir(&w, fd);
        while (w.nlevels)
            pop_level(&w);
    }
    for (size_t i = 0; i < ix->nroots; i++)
        free(w.abs_roots[i]);
    free(w.abs_roots);
    free(w.levels);
    buf_free(&w.abs);
    return ix;
}

size_t file_index_count(const struct file_index *ix)
{
    return ix->n;
}

size_t file_index_root_count(const struct file_index *ix)
{
    return ix->nroots;
}

const char *file_index_root(const struct file_index *ix, size_t i)
{
    return ix->roots[i];
}

void file_index_free(struct file_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->nroots; i++)
        free(ix->roots[i]);
    free(ix->roots);
    free(ix->arena);
    free(ix->v);
    free(ix);
}
