/* Porter2, written from the published description of the algorithm
 * (snowballstem.org, "The English (Porter2) stemming algorithm").  Each
 * step looks for the longest of its suffixes; when that suffix's condition
 * fails the step does nothing (it does not fall back to a shorter one). */
#include "util/stem_en.h"

#include <stdbool.h>
#include <string.h>

struct word {
    char *w;
    size_t n;
    size_t r1, r2;
};

static bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static bool ends(const struct word *s, const char *suffix)
{
    size_t k = strlen(suffix);
    return k <= s->n && memcmp(s->w + s->n - k, suffix, k) == 0;
}

/* The first of the suffixes (longest first) the word ends with, or -1. */
static int longest(const struct word *s, const char *const *suffixes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (ends(s, suffixes[i]))
            return (int)i;
    return -1;
}

static void replace(struct word *s, size_t cut, const char *with)
{
    size_t k = strlen(with);
    s->n -= cut;
    memcpy(s->w + s->n, with, k); /* never longer than what was cut */
    s->n += k;
}

/* Where the region after the first non-vowel that follows a vowel starts,
 * looking from `from` on. */
static size_t region_after(const char *w, size_t n, size_t from)
{
    for (size_t i = from; i + 1 < n; i++)
        if (vowel(w[i]) && !vowel(w[i + 1]))
            return i + 2;
    return n;
}

/* A vowel followed by a non-vowel other than w, x or Y and preceded by a
 * non-vowel; or, at the very start, a vowel followed by a non-vowel. */
static bool short_syllable_at_end(const char *w, size_t n)
{
    if (n == 2)
        return vowel(w[0]) && !vowel(w[1]);
    if (n < 3)
        return false;
    char c = w[n - 1];
    return !vowel(w[n - 3]) && vowel(w[n - 2]) && !vowel(c) && c != 'w' && c != 'x' && c != 'Y';
}

static bool is_short(const struct word *s)
{
    return s->r1 >= s->n && short_syllable_at_end(s->w, s->n);
}

static bool has_vowel(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vowel(w[i]))
            return true;
    return false;
}

static bool in_r1(const struct word *s, size_t suffix_len)
{
    return s->n - suffix_len >= s->r1;
}

static bool in_r2(const struct word *s, size_t suffix_len)
{
    return s->n - suffix_len >= s->r2;
}

static void step0(struct word *s)
{
    static const char *const sfx[] = {"'s'", "'s", "'"};
    int i = longest(s, sfx, 3);
    if (i >= 0)
        s->n -= strlen(sfx[i]);
}

static void step1a(struct word *s)
{
    static const char *const sfx[] = {"sses", "ied", "ies", "us", "ss", "s"};
    int i = longest(s, sfx, 6);
    switch (i) {
    case 0: replace(s, 4, "ss"); break;
    case 1:
    case 2: replace(s, 3, s->n > 4 ? "i" : "ie"); break;
    case 5:
        if (s->n >= 2 && has_vowel(s->w, s->n - 2))
            s->n--;
        break;
    default: break;
    }
}

static void step1b(struct word *s)
{
    static const char *const sfx[] = {"eedly", "ingly", "edly", "eed", "ing", "ed"};
    int i = longest(s, sfx, 6);
    if (i < 0)
        return;
    size_t k = strlen(sfx[i]);
    if (i == 0 || i == 3) {
        if (in_r1(s, k))
            replace(s, k, "ee");
        return;
    }
    if (!has_vowel(s->w, s->n - k))
        return;
    s->n -= k;
    static const char *const doubles[] = {"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"};
    if (ends(s, "at") || ends(s, "bl") || ends(s, "iz"))
        s->w[s->n++] = 'e';
    else if (longest(s, doubles, 9) >= 0)
        s->n--;
    else if (is_short(s))
        s->w[s->n++] = 'e';
}

static void step1c(struct word *s)
{
    if (s->n > 2 && (s->w[s->n - 1] == 'y' || s->w[s->n - 1] == 'Y') && !vowel(s->w[s->n - 2]))
        s->w[s->n - 1] = 'i';
}

static void step2(struct word *s)
{
    static const struct {
        const char *from, *to;
    } map[] = {
        {"ization", "ize"}, {"ational", "ate"}, {"fulness", "ful"}, {"ousness", "ous"},
        {"iveness", "ive"}, {"tional", "tion"}, {"biliti", "ble"},  {"lessli", "less"},
        {"entli", "ent"},   {"ation", "ate"},   {"alism", "al"},    {"aliti", "al"},
        {"ousli", "ous"},   {"iviti", "ive"},   {"fulli", "ful"},   {"enci", "ence"},
        {"anci", "ance"},   {"abli", "able"},   {"izer", "ize"},    {"ator", "ate"},
        {"alli", "al"},     {"bli", "ble"},     {"ogi", "og"},      {"li", ""},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (!ends(s, map[i].from))
            continue;
        size_t k = strlen(map[i].from);
        if (!in_r1(s, k))
            return;
        char before = s->n > k ? s->w[s->n - k - 1] : 0;
        if (strcmp(map[i].from, "ogi") == 0 && before != 'l')
            return;
        if (strcmp(map[i].from, "li") == 0 && !(before && strchr("cdeghkmnrt", before)))
            return;
        replace(s, k, map[i].to);
        return;
    }
}

static void step3(struct word *s)
{
    static const struct {
        const char *from, *to;
    } map[] = {
        {"ational", "ate"}, {"tional", "tion"}, {"alize", "al"}, {"icate", "ic"}, {"iciti", "ic"},
        {"ative", ""},      {"ical", "ic"},     {"ness", ""},    {"ful", ""},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (!ends(s, map[i].from))
            continue;
        size_t k = strlen(map[i].from);
        if (!in_r1(s, k))
            return;
        if (strcmp(map[i].from, "ative") == 0 && !in_r2(s, k))
            return;
        replace(s, k, map[i].to);
        return;
    }
}

static void step4(struct word *s)
{
    static const char *const sfx[] = {"ement", "ance", "ence", "able", "ible", "ment",
                                      "ant",   "ent",  "ism",  "ate",  "iti",  "ous",
                                      "ive",   "ize",  "ion",  "al",   "er",   "ic"};
    int i = longest(s, sfx, sizeof sfx / sizeof sfx[0]);
    if (i < 0)
        return;
    size_t k = strlen(sfx[i]);
    if (!in_r2(s, k))
        return;
    if (strcmp(sfx[i], "ion") == 0) {
        char before = s->n > k ? s->w[s->n - k - 1] : 0;
        if (before != 's' && before != 't')
            return;
    }
    s->n -= k;
}

static void step5(struct word *s)
{
    if (ends(s, "e")) {
        if (in_r2(s, 1) || (in_r1(s, 1) && !short_syllable_at_end(s->w, s->n - 1)))
            s->n--;
    } else if (ends(s, "l")) {
        if (in_r2(s, 1) && s->n >= 2 && s->w[s->n - 2] == 'l')
            s->n--;
    }
}

static size_t finish(struct word *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->w[i] == 'Y')
            s->w[i] = 'y';
    return s->n;
}

static size_t exception(char *w, size_t len)
{
    static const struct {
        const char *word, *stem;
    } table[] = {
        {"skis", "ski"},     {"skies", "sky"},   {"dying", "die"},   {"lying", "lie"},
        {"tying", "tie"},    {"idly", "idl"},    {"gently", "gentl"}, {"ugly", "ugli"},
        {"early", "earli"},  {"only", "onli"},   {"singly", "singl"}, {"sky", "sky"},
        {"news", "news"},    {"howe", "howe"},   {"atlas", "atlas"}, {"cosmos", "cosmos"},
        {"bias", "bias"},    {"andes", "andes"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strlen(table[i].word) == len && memcmp(w, table[i].word, len) == 0) {
            size_t k = strlen(table[i].stem);
            memcpy(w, table[i].stem, k);
            return k;
        }
    }
    return 0;
}

size_t stem_en(char *word, size_t len)
{
    /* Digits, '_' and other ASCII marks are consonants to the algorithm;
     * upper case and non-ASCII words are left alone. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)word[i] >= 0x80 || (word[i] >= 'A' && word[i] <= 'Z'))
            return len;
    size_t e = exception(word, len);
    if (e)
        return e;
    if (len < 3)
        return len;
    struct word s = {.w = word, .n = len};
    if (s.w[0] == '\'') {
        memmove(s.w, s.w + 1, --s.n);
        if (s.n < 3)
            return s.n;
    }
    if (s.w[0] == 'y')
        s.w[0] = 'Y';
    for (size_t i = 1; i < s.n; i++)
        if (s.w[i] == 'y' && vowel(s.w[i - 1]))
            s.w[i] = 'Y';
    static const char *const prefixes[] = {"gener", "commun", "arsen"};
    s.r1 = 0;
    for (size_t i = 0; i < 3 && !s.r1; i++)
        if (s.n >= strlen(prefixes[i]) && memcmp(s.w, prefixes[i], strlen(prefixes[i])) == 0)
            s.r1 = strlen(prefixes[i]);
    if (!s.r1)
        s.r1 = region_after(s.w, s.n, 0);
    s.r2 = region_after(s.w, s.n, s.r1);
    step0(&s);
    step1a(&s);
    static const char *const exceptions2[] = {"inning",  "outing", "canning", "herring",
                                              "earring", "proceed", "exceed", "succeed"};
    for (size_t i = 0; i < sizeof exceptions2 / sizeof exceptions2[0]; i++)
        if (strlen(exceptions2[i]) == s.n && memcmp(s.w, exceptions2[i], s.n) == 0)
            return finish(&s);
    step1b(&s);
    step1c(&s);
    step2(&s);
    step3(&s);
    step4(&s);
    step5(&s);
    return finish(&s);
}
