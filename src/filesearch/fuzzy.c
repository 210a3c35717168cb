/* Dynamic programming over (query character, path character): one pass
 * with two rolling rows gives the score; the positions, wanted only for the
 * few results shown, come from a second pass that keeps the whole table and
 * walks back from the best end. */
#include "filesearch/fuzzy.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum {
    SCORE_MATCH = 16,
    GAP_START = 3,
    GAP_EXTEND = 1,
    BONUS_BOUNDARY = 8,
    BONUS_AFTER_SLASH = BONUS_BOUNDARY + 1,
    BONUS_CAMEL = BONUS_BOUNDARY - GAP_START,
    BONUS_CONSECUTIVE = GAP_START + GAP_EXTEND,
    FIRST_CHAR_FACTOR = 2,
};

#define NONE INT32_MIN

enum cclass { C_SPACE, C_OTHER, C_SLASH, C_LOWER, C_UPPER, C_LETTER, C_DIGIT };

struct word {
    uint32_t *c; /* lower-cased characters */
    size_t n;
};

struct fuzzy_matcher {
    struct word *words;
    size_t nwords;
    /* scratch, grown on demand */
    uint32_t *hay;
    uint8_t *bonus;
    int32_t *rows; /* score pass: 4 rows; position pass: 2 x n x m */
    int32_t *from;
    size_t *win; /* per query character: its first and last possible place */
    size_t hay_cap, rows_cap, from_cap, win_cap;
};

/* Decode one UTF-8 sequence; an invalid byte stands for itself. */
static uint32_t decode(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char b = s[*i];
    size_t need = b >= 0xF8 ? 0 : b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    if (need && *i + need < len) {
        uint32_t cp = need == 3 ? b & 0x07u : need == 2 ? b & 0x0Fu : b & 0x1Fu;
        bool ok = true;
        for (size_t k = 1; ok && k <= need; k++) {
            if ((s[*i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (s[*i + k] & 0x3Fu);
        }
        if (ok) {
            *i += need + 1;
            return cp;
        }
    }
    (*i)++;
    return b;
}

static uint32_t lower(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static enum cclass classify(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return C_LOWER;
    if (c >= 'A' && c <= 'Z')
        return C_UPPER;
    if (c >= '0' && c <= '9')
        return C_DIGIT;
    if (c == '/')
        return C_SLASH;
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return C_SPACE;
    return c < 0x80 ? C_OTHER : C_LETTER;
}

static uint8_t bonus_for(enum cclass prev, enum cclass cur)
{
    if (cur >= C_LOWER) {
        if (prev == C_SLASH)
            return BONUS_AFTER_SLASH;
        if (prev == C_SPACE || prev == C_OTHER)
            return BONUS_BOUNDARY;
    }
    if ((prev == C_LOWER && cur == C_UPPER) || (prev != C_DIGIT && cur == C_DIGIT))
        return BONUS_CAMEL;
    if (cur == C_SPACE || cur == C_OTHER)
        return BONUS_BOUNDARY;
    return 0;
}

static void add_word(struct fuzzy_matcher *m, const char *s, size_t len)
{
    if (!len)
        return;
    struct word w = {xmalloc(len * sizeof *w.c), 0};
    for (size_t i = 0; i < len;)
        w.c[w.n++] = lower(decode((const unsigned char *)s, len, &i));
    m->words = xrealloc(m->words, (m->nwords + 1) * sizeof *m->words);
    m->words[m->nwords++] = w;
}

struct fuzzy_matcher *fuzzy_matcher_new(const char *query, bool split_words)
{
    struct fuzzy_matcher *m = xcalloc(1, sizeof *m);
    size_t len = strlen(query);
    if (!split_words) {
        add_word(m, query, len);
        return m;
    }
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || query[i] == ' ') {
            add_word(m, query + start, i - start);
            start = i + 1;
        }
    }
    return m;
}

void fuzzy_matcher_free(struct fuzzy_matcher *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nwords; i++)
        free(m->words[i].c);
    free(m->words);
    free(m->hay);
    free(m->bonus);
    free(m->rows);
    free(m->from);
    free(m->win);
    free(m);
}

bool fuzzy_matcher_empty(const struct fuzzy_matcher *m)
{
    return m->nwords == 0;
}

void fuzzy_positions_free(struct fuzzy_positions *p)
{
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

bool fuzzy_may_match(const struct fuzzy_matcher *m, const char *text, size_t len)
{
    for (size_t w = 0; w < m->nwords; w++) {
        const struct word *wd = &m->words[w];
        size_t k = 0;
        for (size_t i = 0; i < len && k < wd->n; i++) {
            uint32_t c = wd->c[k];
            if (c >= 0x80) /* non-ASCII: leave it to the exact pass */
                return true;
            if (lower((unsigned char)text[i]) == c)
                k++;
        }
        if (k < wd->n)
            return false;
    }
    return true;
}

/* Decode text into m->hay and m->bonus; returns the character count. */
static size_t load(struct fuzzy_matcher *m, const char *text, size_t len)
{
    if (len > m->hay_cap) {
        m->hay_cap = len * 2;
        m->hay = xrealloc(m->hay, m->hay_cap * sizeof *m->hay);
        m->bonus = xrealloc(m->bonus, m->hay_cap);
    }
    size_t n = 0;
    enum cclass prev = C_SLASH; /* a path starts as if after a separator */
    for (size_t i = 0; i < len;) {
        uint32_t c = decode((const unsigned char *)text, len, &i);
        enum cclass cl = classify(c);
        m->bonus[n] = bonus_for(prev, cl);
        m->hay[n++] = lower(c);
        prev = cl;
    }
    return n;
}

static int32_t max32(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

/* One row of the table: the best score of w[0..i] with w[i] at j, and the
 * bonus of the consecutive run that ends there, written for j in [lo, hi]
 * (w[i] can sit nowhere else).  prev_* is row i-1, valid on [plo, phi]
 * (NULL for i == 0).  from (may be NULL) records where w[i-1] sits on the
 * best path into each cell. */
static void fill_row(const struct fuzzy_matcher *m, uint32_t c, size_t lo, size_t hi,
                     const int32_t *prev_s, const int32_t *prev_cb, size_t plo, size_t phi,
                     int32_t *s, int32_t *cb, int32_t *from)
{
    int32_t gap = NONE; /* best of row i-1 ending at k <= j-2, gap paid */
    int32_t gap_at = -1;
    size_t start = prev_s ? plo + 1 : lo;
    for (size_t j = start; j <= hi; j++) {
        if (prev_s && j >= plo + 2) {
            size_t k = j - 2;
            int32_t fresh = k <= phi && prev_s[k] != NONE ? prev_s[k] - GAP_START : NONE;
            int32_t longer = gap == NONE ? NONE : gap - GAP_EXTEND;
            if (fresh != NONE && (longer == NONE || fresh > longer)) {
                gap = fresh;
                gap_at = (int32_t)k;
            } else {
                gap = longer;
            }
        }
        if (j < lo)
            continue;
        s[j] = NONE;
        if (m->hay[j] != c)
            continue;
        int32_t b = m->bonus[j];
        if (!prev_s) {
            s[j] = SCORE_MATCH + b * FIRST_CHAR_FACTOR;
            cb[j] = b;
            continue;
        }
        if (j - 1 >= plo && j - 1 <= phi && prev_s[j - 1] != NONE) {
            int32_t run = max32(prev_cb[j - 1], BONUS_CONSECUTIVE);
            if (b >= BONUS_BOUNDARY && b > run)
                run = b;
            s[j] = prev_s[j - 1] + SCORE_MATCH + max32(run, b);
            cb[j] = run;
            if (from)
                from[j] = (int32_t)j - 1;
        }
        if (gap != NONE && gap + SCORE_MATCH + b > s[j]) {
            s[j] = gap + SCORE_MATCH + b;
            cb[j] = b;
            if (from)
                from[j] = gap_at;
        }
    }
}

static void push_pos(struct fuzzy_positions *p, uint32_t v)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = v;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool match_word(struct fuzzy_matcher *m, const struct word *w, size_t mlen, int32_t *score,
                       struct fuzzy_positions *pos, uint32_t pos_offset)
{
    size_t n = w->n;
    if (n > mlen || n == 0)
        return false;
    /* Where each character can sit at all: from its earliest place
     * (matching greedily from the left) to its latest (from the right). */
    if (2 * n > m->win_cap) {
        m->win_cap = 2 * n;
        m->win = xrealloc(m->win, m->win_cap * sizeof *m->win);
    }
    size_t *lo = m->win, *hi = m->win + n;
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        while (j < mlen && m->hay[j] != w->c[i])
            j++;
        if (j == mlen)
            return false;
        lo[i] = j;
    }
    j = mlen;
    for (size_t i = n; i-- > 0;) {
        do
            j--;
        while (m->hay[j] != w->c[i]);
        hi[i] = j;
    }
    size_t need = pos ? 2 * n * mlen : 4 * mlen;
    if (need > m->rows_cap) {
        m->rows_cap = need * 2;
        m->rows = xrealloc(m->rows, m->rows_cap * sizeof *m->rows);
    }
    if (pos && n * mlen > m->from_cap) {
        m->from_cap = n * mlen * 2;
        m->from = xrealloc(m->from, m->from_cap * sizeof *m->from);
    }
    int32_t *ps = NULL, *pcb = NULL;
    for (size_t i = 0; i < n; i++) {
        int32_t *s, *cb;
        if (pos) {
            s = m->rows + 2 * i * mlen;
            cb = s + mlen;
        } else {
            s = m->rows + (i & 1) * 2 * mlen;
            cb = s + mlen;
        }
        fill_row(m, w->c[i], lo[i], hi[i], ps, pcb, i ? lo[i - 1] : 0, i ? hi[i - 1] : 0, s, cb,
                 pos ? m->from + i * mlen : NULL);
        ps = s;
        pcb = cb;
    }
    /* Among equal ends a one-character query keeps the first, a longer
     * one the last, as the reference does. */
    int32_t best = NONE;
    size_t at = 0;
    for (j = lo[n - 1]; j <= hi[n - 1]; j++)
        if (ps[j] != NONE && (ps[j] > best || (n > 1 && ps[j] == best))) {
            best = ps[j];
            at = j;
        }
    if (best == NONE)
        return false;
    *score = best;
    if (pos) {
        for (size_t i = n; i-- > 0;) {
            push_pos(pos, (uint32_t)at + pos_offset);
            if (i)
                at = (size_t)m->from[i * mlen + at];
        }
    }
    return true;
}

bool fuzzy_match(struct fuzzy_matcher *m, const char *text, size_t len, uint32_t *score,
                 struct fuzzy_positions *pos, uint32_t pos_offset)
{
    if (!m->nwords)
        return false;
    size_t mlen = load(m, text, len);
    size_t first = pos ? pos->n : 0;
    int64_t total = 0;
    for (size_t w = 0; w < m->nwords; w++) {
        int32_t s;
        if (!match_word(m, &m->words[w], mlen, &s, pos, pos_offset)) {
            if (pos)
                pos->n = first;
            return false;
        }
        total += s;
    }
    *score = total < 0 ? 0 : total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    if (pos && pos->n > first) {
        qsort(pos->v + first, pos->n - first, sizeof *pos->v, cmp_u32);
        size_t k = first;
        for (size_t i = first; i < pos->n; i++)
            if (k == first || pos->v[k - 1] != pos->v[i])
                pos->v[k++] = pos->v[i];
        pos->n = k;
    }
    return true;
}
