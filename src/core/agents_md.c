/* Discovery of AGENTS.md files for the agent's context. */
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "store/git_root.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The instruction file of one directory: AGENTS.override.md wins over
 * AGENTS.md, which wins over the configured fallback names. */
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
        char *p = fs_join(dir, cfg->project_doc_fallback_filenames.v[i]);
        if (fs_exists(p) && !fs_is_dir(p))
            return p;
        free(p);
    }
    return NULL;
}

/* Appends the file within the remaining byte budget; returns bytes used. */
static size_t append_doc(struct buf *b, const char *path, size_t budget)
{
    if (budget == 0)
        return 0;
    size_t len = 0;
    char *text = fs_read_file(path, 64u << 20, &len);
    if (!text)
        return 0;
    if (len > budget)
        len = budget;
    size_t trimmed = len;
    while (trimmed && (text[trimmed - 1] == '\n' || text[trimmed - 1] == ' '))
        trimmed--;
    if (trimmed) {
        if (b->len)
            buf_puts(b, "\n\n");
        buf_append(b, text, trimmed);
    }
    free(text);
    return len;
}

/* The repository root above cwd, or cwd itself outside a repository. */
static char *project_root(const char *cwd)
{
    char *root = git_repo_root(cwd);
    return root ? root : xstrdup(cwd);
}

char *context_agents_md(const struct codex_config *cfg)
{
    size_t budget = cfg->project_doc_max_bytes > 0 ? (size_t)cfg->project_doc_max_bytes : 32768;
    struct buf b = BUF_INIT;
    if (cfg->codex_home) {
        char *global = doc_in_dir(cfg, cfg->codex_home);
        if (global)
            append_doc(&b, global, budget);
        free(global);
    }
    char *root = project_root(cfg->cwd);
    size_t root_len = strlen(root);
    /* Walk root, then each deeper directory down to cwd. */
    char *path = xstrdup(cfg->cwd);
    size_t used = 0;
    for (size_t end = root_len;;) {
        char saved = path[end];
        path[end] = '\0';
        char *doc = doc_in_dir(cfg, end ? path : "/");
        path[end] = saved;
        if (doc)
            used += append_doc(&b, doc, budget > used ? budget - used : 0);
        free(doc);
        if (path[end] == '\0')
            break;
        const char *next = strchr(path + end + 1, '/');
        end = next ? (size_t)(next - path) : strlen(path);
    }
    free(path);
    free(root);
    if (b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}
