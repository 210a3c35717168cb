/* Matching a query against a walked index: a cheap in-order test first,
 * the scoring pass only for what survives it, a bounded heap for the best
 * few, and the positions computed for those alone. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filesearch/filesearch.h"
#include "filesearch/fuzzy.h"
#include "filesearch/index.h"
#include "util/xalloc.h"

/* What the reference adds for a file whose name matches, and once more
 * (twice over) for a name that is the query. */
#define NAME_MATCH_BONUS 65536u
#define NAME_EQUAL_BONUS (2 * NAME_MATCH_BONUS)

struct file_searcher {
    const struct file_index *ix;
    char *last_query;  /* NULL until a query has been run */
    uint32_t *matched; /* the entries last_query matched */
    size_t nmatched, matched_cap;
};

struct ranked {
    uint32_t entry;
    uint32_t score;
    bool by_name; /* scored on the file name */
};

struct file_searcher *file_searcher_new(const struct file_index *ix)
{
    struct file_searcher *s = xcalloc(1, sizeof *s);
    s->ix = ix;
    return s;
}

void file_searcher_free(struct file_searcher *s)
{
    if (!s)
        return;
    free(s->last_query);
    free(s->matched);
    free(s);
}

void file_results_free(struct file_results *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->hits[i].indices);
    free(r->hits);
    memset(r, 0, sizeof *r);
}

/* a ranks before b: higher score, then smaller path, then earlier root. */
static bool before(const struct file_index *ix, const struct ranked *a, const struct ranked *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    const struct index_entry *ea = &ix->v[a->entry], *eb = &ix->v[b->entry];
    int c = strcmp(index_path(ix, ea), index_path(ix, eb));
    if (c)
        return c < 0;
    return ea->root < eb->root;
}

/* A heap whose top is the worst of the best `limit` seen so far. */
struct best {
    struct ranked *v;
    size_t n, limit;
};

static void sift_down(const struct file_index *ix, struct best *b, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, worst = i;
        if (l < b->n && before(ix, &b->v[worst], &b->v[l]))
            worst = l;
        if (r < b->n && before(ix, &b->v[worst], &b->v[r]))
            worst = r;
        if (worst == i)
            return;
        struct ranked t = b->v[i];
        b->v[i] = b->v[worst];
        b->v[worst] = t;
        i = worst;
    }
}

static void offer(const struct file_index *ix, struct best *b, struct ranked r)
{
    if (!b->limit)
        return;
    if (b->n < b->limit) {
        size_t i = b->n++;
        b->v[i] = r;
        while (i) {
            size_t up = (i - 1) / 2;
            if (!before(ix, &b->v[up], &b->v[i]))
                break;
            struct ranked t = b->v[i];
            b->v[i] = b->v[up];
            b->v[up] = t;
            i = up;
        }
        return;
    }
    if (before(ix, &r, &b->v[0])) {
        b->v[0] = r;
        sift_down(ix, b, 0);
    }
}

static int cmp_ranked(const void *a, const void *b, void *ix)
{
    return before(ix, a, b) ? -1 : before(ix, b, a) ? 1 : 0;
}

static size_t depth_of(const char *path)
{
    size_t d = 1;
    for (; *path; path++)
        d += *path == '/';
    return d;
}

/* Entry a lies above b, or as deep and first by path. */
static bool shallower(const struct file_index *ix, uint32_t a, uint32_t b)
{
    const char *pa = index_path(ix, &ix->v[a]), *pb = index_path(ix, &ix->v[b]);
    size_t da = depth_of(pa), db = depth_of(pb);
    return da != db ? da < db : strcmp(pa, pb) < 0;
}

static void remember(struct file_searcher *s, uint32_t entry)
{
    if (s->nmatched == s->matched_cap) {
        s->matched_cap = s->matched_cap ? s->matched_cap * 2 : 1024;
        s->matched = xrealloc(s->matched, s->matched_cap * sizeof *s->matched);
    }
    s->matched[s->nmatched++] = entry;
}

void file_searcher_run(struct file_searcher *s, const char *query, size_t limit,
                       struct file_results *out)
{
    memset(out, 0, sizeof *out);
    const struct file_index *ix = s->ix;
    struct fuzzy_matcher *by_path = fuzzy_matcher_new(query, true);
    bool narrow = s->last_query && strncmp(query, s->last_query, strlen(s->last_query)) == 0;
    free(s->last_query);
    s->last_query = NULL;
    if (fuzzy_matcher_empty(by_path)) {
        fuzzy_matcher_free(by_path);
        return;
    }
    struct fuzzy_matcher *by_name = fuzzy_matcher_new(query, false);

    /* The entries to look at: all, or what the shorter query matched. */
    uint32_t *from = narrow ? s->matched : NULL;
    size_t nfrom = narrow ? s->nmatched : ix->n;
    if (!narrow)
        free(s->matched);
    s->matched = NULL;
    s->nmatched = s->matched_cap = 0;

    struct best best = {xmalloc((limit ? limit : 1) * sizeof *best.v), 0, limit};
    struct ranked *named_dirs = NULL; /* directories named as the query */
    size_t nnamed = 0;
    for (size_t k = 0; k < nfrom; k++) {
        uint32_t idx = from ? from[k] : (uint32_t)k;
        const struct index_entry *e = &ix->v[idx];
        const char *path = index_path(ix, e);
        uint32_t score;
        if (!fuzzy_may_match(by_path, path, e->path_len) ||
            !fuzzy_match(by_path, path, e->path_len, &score, NULL, 0))
            continue;
        remember(s, idx);
        out->total++;
        struct ranked r = {idx, score, false};
        const char *name = path + e->name;
        size_t name_len = e->path_len - e->name;
        uint32_t name_score;
        if (!e->is_dir && fuzzy_may_match(by_name, name, name_len) &&
            fuzzy_match(by_name, name, name_len, &name_score, NULL, 0)) {
            r.score = name_score + NAME_MATCH_BONUS;
            r.by_name = true;
        }
        if (strcasecmp(name, query) == 0) {
            if (e->is_dir) { /* only one such directory gets it: held back */
                named_dirs = xrealloc(named_dirs, (nnamed + 1) * sizeof *named_dirs);
                named_dirs[nnamed++] = r;
                continue;
            }
            r.score += NAME_EQUAL_BONUS;
        }
        offer(ix, &best, r);
    }
    free(from);
    size_t chosen = 0;
    for (size_t i = 1; i < nnamed; i++)
        if (shallower(ix, named_dirs[i].entry, named_dirs[chosen].entry))
            chosen = i;
    for (size_t i = 0; i < nnamed; i++) {
        if (i == chosen)
            named_dirs[i].score += NAME_EQUAL_BONUS;
        offer(ix, &best, named_dirs[i]);
    }
    free(named_dirs);
    s->last_query = xstrdup(query);

    qsort_r(best.v, best.n, sizeof *best.v, cmp_ranked, (void *)ix);
    out->hits = xcalloc(best.n ? best.n : 1, sizeof *out->hits);
    for (size_t i = 0; i < best.n; i++) {
        const struct ranked *r = &best.v[i];
        const struct index_entry *e = &ix->v[r->entry];
        const char *path = index_path(ix, e);
        struct file_hit *h = &out->hits[out->n++];
        h->root = e->root;
        h->path = path;
        h->file_name = path + e->name;
        h->is_dir = e->is_dir;
        h->score = r->score;
        struct fuzzy_positions pos = {0};
        uint32_t ignored;
        if (r->by_name)
            fuzzy_match(by_name, h->file_name, e->path_len - e->name, &ignored, &pos, e->name_chars);
        else
            fuzzy_match(by_path, path, e->path_len, &ignored, &pos, 0);
        h->indices = pos.v;
        h->nindices = pos.n;
    }
    free(best.v);
    fuzzy_matcher_free(by_path);
    fuzzy_matcher_free(by_name);
}
