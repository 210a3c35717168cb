/* The AGENTS.md instructions for the agent's context, assembled as the
 * reference does: the global file ($CODEX_HOME/AGENTS.override.md, else
 * AGENTS.md; trimmed), then every project level from the project root down
 * to cwd, each level's file whole, joined by a blank line.  Every level
 * counts; a nearer file does not replace a farther one. */
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Put between the global instructions and the project's. */
#define PROJECT_DOC_SEPARATOR "\n\n--- project-doc ---\n\n"

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* $CODEX_HOME's own file: an empty override falls through to AGENTS.md. */
static char *global_doc(const char *codex_home)
{
    static const char *const names[] = {"AGENTS.override.md", "AGENTS.md"};
    for (int i = 0; i < 2; i++) {
        char *p = fs_join(codex_home, names[i]);
        size_t len = 0;
        char *text = fs_is_dir(p) ? NULL : fs_read_file(p, 64u << 20, &len);
        free(p);
        if (!text)
            continue;
        size_t a = 0, b = len;
        while (a < b && strchr(" \t\r\n", text[a]))
            a++;
        while (b > a && strchr(" \t\r\n", text[b - 1]))
            b--;
        if (b > a) {
            char *out = xstrndup(text + a, b - a);
            free(text);
            return out;
        }
        free(text);
    }
    return NULL;
}

/* The instruction file of one project directory: AGENTS.override.md, then
 * AGENTS.md, then the configured fallback names. */
static char *doc_in_dir(const struct codex_config *cfg, const char *dir)
{
    static const char *const primary[] = {"AGENTS.override.md", "AGENTS.md"};
    for (int i = 0; i < 2; i++) {
        char *p = fs_join(dir, primary[i]);
        if (fs_exists(p) && !fs_is_dir(p))
            return p;
        free(p);
    }
    for (size_t i = 0; i < cfg->project_doc_fallback_filenames.n; i++) {
        const char *name = cfg->project_doc_fallback_filenames.v[i];
        if (!*name)
            continue;
        char *p = fs_join(dir, name);
        if (fs_exists(p) && !fs_is_dir(p))
            return p;
        free(p);
    }
    return NULL;
}

/* Appends one level's file (cut at the remaining budget); a file with
 * nothing but whitespace adds nothing and costs nothing. */
static void append_doc(struct buf *b, const char *path, size_t *remaining)
{
    size_t len = 0;
    char *text = fs_read_file(path, 64u << 20, &len);
    if (!text)
        return;
    if (len > *remaining)
        len = *remaining;
    if (!blank(text, len)) {
        if (b->len)
            buf_puts(b, "\n\n");
        buf_append(b, text, len);
        *remaining -= len;
    }
    free(text);
}

/* project_doc_max_bytes bounds the project files; 0 turns them off. */
static char *project_docs(const struct codex_config *cfg)
{
    if (cfg->project_doc_max_bytes <= 0)
        return NULL;
    size_t remaining = (size_t)cfg->project_doc_max_bytes;
    const char *root = cfg->project_root ? cfg->project_root : cfg->cwd;
    size_t root_len = strlen(root);
    if (strncmp(cfg->cwd, root, root_len) != 0 ||
        (cfg->cwd[root_len] != '\0' && cfg->cwd[root_len] != '/' && root_len != 1))
        root_len = strlen(cfg->cwd); /* a root that is not above cwd: cwd only */
    struct buf b = BUF_INIT;
    char *path = xstrdup(cfg->cwd);
    /* The root, then each deeper directory down to cwd. */
    for (size_t end = root_len; remaining > 0;) {
        char saved = path[end];
        path[end] = '\0';
        char *doc = doc_in_dir(cfg, end ? path : "/");
        path[end] = saved;
        if (doc)
            append_doc(&b, doc, &remaining);
        free(doc);
        if (path[end] == '\0')
            break;
        const char *next = strchr(path + end + 1, '/');
        end = next ? (size_t)(next - path) : strlen(path);
    }
    free(path);
    if (b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

char *context_agents_md(const struct codex_config *cfg)
{
    char *global = cfg->codex_home ? global_doc(cfg->codex_home) : NULL;
    char *project = project_docs(cfg);
    if (!global)
        return project;
    if (!project)
        return global;
    char *out = xasprintf("%s" PROJECT_DOC_SEPARATOR "%s", global, project);
    free(global);
    free(project);
    return out;
}
