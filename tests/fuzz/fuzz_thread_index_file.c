/* libFuzzer harness for the thread index file reader (store/thread_index_file.c):
 * any bytes as the file; every entry read back must survive a write and a
 * second read unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/thread_index_file.h"
#include "util/xalloc.h"

struct list {
    struct rollout_summary *v;
    size_t n;
};

static void add(void *ud, struct rollout_summary *s)
{
    struct list *l = ud;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = *s;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void free_list(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        rollout_summary_free(&l->v[i]);
    free(l->v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct list first = {0}, second = {0};
    if (!index_file_parse((const char *)data, size, add, &first))
        return 0;
    const struct rollout_summary **ptrs = xcalloc(first.n + 1, sizeof *ptrs);
    for (size_t i = 0; i < first.n; i++) {
        if (!first.v[i].id || !first.v[i].path || !first.v[i].preview)
            abort();
        ptrs[i] = &first.v[i];
    }
    size_t len;
    char *text = index_file_format(ptrs, first.n, &len);
    if (!index_file_parse(text, len, add, &second) || second.n != first.n)
        abort();
    for (size_t i = 0; i < first.n; i++) {
        const struct rollout_summary *a = &first.v[i], *b = &second.v[i];
        if (!same(a->path, b->path) || !same(a->id, b->id) || a->size != b->size ||
            a->mtime_ns != b->mtime_ns || a->created_at != b->created_at ||
            a->updated_at != b->updated_at || !same(a->cwd, b->cwd) ||
            !same(a->cli_version, b->cli_version) || !same(a->model_provider, b->model_provider) ||
            !same(a->originator, b->originator) || !same(a->source, b->source) ||
            !same(a->forked_from_id, b->forked_from_id) || !same(a->thread_source, b->thread_source) ||
            !same(a->history_mode, b->history_mode) || !same(a->git_sha, b->git_sha) ||
            !same(a->git_branch, b->git_branch) || !same(a->git_origin_url, b->git_origin_url) ||
            !same(a->model, b->model) ||
            !same(a->effort, b->effort) || !same(a->preview, b->preview))
            abort();
    }
    free(text);
    free(ptrs);
    free_list(&first);
    free_list(&second);
    return 0;
}
