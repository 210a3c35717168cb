#include "tools/bm25.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/stem_en.h"
#include "util/xalloc.h"

#define K1 1.2
#define B 0.75

/* The common English function words a search should not match on (the
 * list NLTK publishes). */
static const char *const stop_words[] = {
    "a",          "about",    "above",     "after",     "again",      "against", "ain",
    "all",        "am",       "an",        "and",       "any",        "are",     "aren",
    "aren't",     "as",       "at",        "be",        "because",    "been",    "before",
    "being",      "below",    "between",   "both",      "but",        "by",      "can",
    "couldn",     "couldn't", "d",         "did",       "didn",       "didn't",  "do",
    "does",       "doesn",    "doesn't",   "doing",     "don",        "don't",   "down",
    "during",     "each",     "few",       "for",       "from",       "further", "had",
    "hadn",       "hadn't",   "has",       "hasn",      "hasn't",     "have",    "haven",
    "haven't",    "having",   "he",        "her",       "here",       "hers",    "herself",
    "him",        "himself",  "his",       "how",       "i",          "if",      "in",
    "into",       "is",       "isn",       "isn't",     "it",         "it's",    "its",
    "itself",     "just",     "ll",        "m",         "ma",         "me",      "mightn",
    "mightn't",   "more",     "most",      "mustn",     "mustn't",    "my",      "myself",
    "needn",      "needn't",  "no",        "nor",       "not",        "now",     "o",
    "of",         "off",      "on",        "once",      "only",       "or",      "other",
    "our",        "ours",     "ourselves", "out",       "over",       "own",     "re",
    "s",          "same",     "shan",      "shan't",    "she",        "she's",   "should",
    "should've",  "shouldn",  "shouldn't", "so",        "some",       "such",    "t",
    "than",       "that",     "that'll",   "the",       "their",      "theirs",  "them",
    "themselves", "then",     "there",     "these",     "they",       "this",    "those",
    "through",    "to",       "too",       "under",     "until",      "up",      "ve",
    "very",       "was",      "wasn",      "wasn't",    "we",         "were",    "weren",
    "weren't",    "what",     "when",      "where",     "which",      "while",   "who",
    "whom",       "why",      "will",      "with",      "won",        "won't",   "wouldn",
    "wouldn't",   "y",        "you",       "you'd",     "you'll",     "you're",  "you've",
    "your",       "yours",    "yourself",  "yourselves",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_stop_word(const char *w)
{
    return bsearch(&w, stop_words, sizeof stop_words / sizeof stop_words[0], sizeof stop_words[0],
                   cmp_str) != NULL;
}

static bool letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool word_char(unsigned char c)
{
    return letter(c) || digit(c) || c == '_';
}

/* Unicode word boundaries, for what matters here: letters, digits and '_'
 * join; '.', ':' and '\'' join letters on both sides; '.', ',', ';' and
 * '\'' join digits on both sides. */
static bool joins(const unsigned char *s, size_t i)
{
    unsigned char c = s[i], prev = i ? s[i - 1] : 0, next = s[i + 1];
    if (!prev || !next)
        return false;
    if ((c == '.' || c == ':' || c == '\'') && letter(prev) && letter(next))
        return true;
    return (c == '.' || c == ',' || c == ';' || c == '\'') && digit(prev) && digit(next);
}

void bm25_terms(const char *text, struct strvec *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (s[i]) {
        if (!word_char(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (s[i] && (word_char(s[i]) || joins(s, i)))
            i++;
        char *w = xstrndup(text + start, i - start);
        size_t n = i - start;
        for (size_t k = 0; k < n; k++)
            if (w[k] >= 'A' && w[k] <= 'Z')
                w[k] = (char)(w[k] - 'A' + 'a');
        if (is_stop_word(w)) {
            free(w);
            continue;
        }
        w[stem_en(w, n)] = 0;
        strvec_push_owned(out, w);
    }
}

/* ---- the index ----------------------------------------------------------- */

struct posting {
    size_t term;
    unsigned count;
};

struct doc {
    struct posting *terms; /* distinct terms, sorted by term id */
    size_t n_terms;
    size_t length;         /* all terms, repeats included */
};

struct bm25_index {
    char **vocab; /* sorted, distinct */
    size_t n_vocab;
    size_t *df;   /* documents holding each term */
    struct doc *docs;
    size_t n_docs;
    double avgdl;
};

static long term_id(const struct bm25_index *ix, const char *t)
{
    const char *const *p = bsearch(&t, ix->vocab, ix->n_vocab, sizeof *ix->vocab, cmp_str);
    return p ? (long)(p - (const char *const *)ix->vocab) : -1;
}

static int cmp_posting(const void *a, const void *b)
{
    const struct posting *x = a, *y = b;
    return (x->term > y->term) - (x->term < y->term);
}

struct bm25_index *bm25_new(const char *const *docs, size_t n)
{
    struct bm25_index *ix = xcalloc(1, sizeof *ix);
    struct strvec *terms = xcalloc(n ? n : 1, sizeof *terms);
    size_t total = 0;
    for (size_t d = 0; d < n; d++) {
        bm25_terms(docs[d] ? docs[d] : "", &terms[d]);
        total += terms[d].n;
    }
    /* The vocabulary: every term once, sorted. */
    char **all = xcalloc(total ? total : 1, sizeof *all);
    size_t k = 0;
    for (size_t d = 0; d < n; d++)
        for (size_t t = 0; t < terms[d].n; t++)
            all[k++] = terms[d].v[t];
    qsort(all, total, sizeof *all, cmp_str);
    ix->vocab = xcalloc(total ? total : 1, sizeof *ix->vocab);
    for (size_t t = 0; t < total; t++)
        if (ix->n_vocab == 0 || strcmp(ix->vocab[ix->n_vocab - 1], all[t]) != 0)
            ix->vocab[ix->n_vocab++] = xstrdup(all[t]);
    free(all);
    ix->df = xcalloc(ix->n_vocab ? ix->n_vocab : 1, sizeof *ix->df);
    ix->docs = xcalloc(n ? n : 1, sizeof *ix->docs);
    ix->n_docs = n;
    for (size_t d = 0; d < n; d++) {
        struct doc *doc = &ix->docs[d];
        doc->length = terms[d].n;
        struct posting *p = xcalloc(terms[d].n ? terms[d].n : 1, sizeof *p);
        for (size_t t = 0; t < terms[d].n; t++)
            p[t].term = (size_t)term_id(ix, terms[d].v[t]);
        qsort(p, terms[d].n, sizeof *p, cmp_posting);
        for (size_t t = 0; t < terms[d].n; t++) {
            if (doc->n_terms && p[doc->n_terms - 1].term == p[t].term) {
                p[doc->n_terms - 1].count++;
                continue;
            }
            p[doc->n_terms].term = p[t].term;
            p[doc->n_terms++].count = 1;
            ix->df[p[t].term]++;
        }
        doc->terms = p;
        strvec_free(&terms[d]);
    }
    free(terms);
    ix->avgdl = n && total ? (double)total / (double)n : 256.0;
    return ix;
}

void bm25_free(struct bm25_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n_vocab; i++)
        free(ix->vocab[i]);
    for (size_t d = 0; d < ix->n_docs; d++)
        free(ix->docs[d].terms);
    free(ix->vocab);
    free(ix->df);
    free(ix->docs);
    free(ix);
}

static double term_weight(const struct bm25_index *ix, const struct doc *doc, size_t term)
{
    struct posting key = {.term = term};
    const struct posting *p = bsearch(&key, doc->terms, doc->n_terms, sizeof key, cmp_posting);
    if (!p)
        return 0;
    double f = p->count;
    return f * (K1 + 1) / (f + K1 * (1 - B + B * ((double)doc->length / ix->avgdl)));
}

static int cmp_hit(const void *a, const void *b)
{
    const struct bm25_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

size_t bm25_search(const struct bm25_index *ix, const char *query, struct bm25_hit **hits)
{
    *hits = NULL;
    struct strvec q = STRVEC_INIT;
    bm25_terms(query, &q);
    /* Each occurrence of a query term counts, as in the reference's scorer. */
    size_t nq = q.n;
    long *ids = xcalloc(nq ? nq : 1, sizeof *ids);
    for (size_t i = 0; i < nq; i++)
        ids[i] = term_id(ix, q.v[i]);
    strvec_free(&q);
    struct bm25_hit *out = xcalloc(ix->n_docs ? ix->n_docs : 1, sizeof *out);
    size_t n = 0;
    for (size_t d = 0; d < ix->n_docs; d++) {
        double score = 0;
        bool shares = false;
        for (size_t i = 0; i < nq; i++) {
            if (ids[i] < 0)
                continue;
            double w = term_weight(ix, &ix->docs[d], (size_t)ids[i]);
            if (w <= 0)
                continue;
            shares = true;
            double df = (double)ix->df[ids[i]];
            score += log(1 + ((double)ix->n_docs - df + 0.5) / (df + 0.5)) * w;
        }
        if (shares) {
            out[n].doc = d;
            out[n++].score = score;
        }
    }
    free(ids);
    if (!n) {
        free(out);
        return 0;
    }
    qsort(out, n, sizeof *out, cmp_hit);
    *hits = out;
    return n;
}
