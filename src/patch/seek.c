/* Locating a chunk's lines in a file: the first position at or after the
 * previous chunk where the lines match, from the strictest comparison to the
 * most forgiving. */
#include "patch/internal.h"
#include "patch/text.h"

static bool matches_at(const struct patch_span *lines, const struct patch_span *pattern, size_t plen, size_t at,
                       enum text_match how)
{
    for (size_t k = 0; k < plen; k++) {
        const struct patch_span *a = &lines[at + k], *b = &pattern[k];
        if (!text_lines_equal(a->ptr, a->len, b->ptr, b->len, how))
            return false;
    }
    return true;
}

long patch_seek(const struct patch_span *lines, size_t n, const struct patch_span *pattern, size_t plen,
                size_t start, bool at_eof)
{
    if (plen == 0)
        return (long)start;
    if (plen > n)
        return -1;
    size_t last = n - plen;
    size_t from = at_eof && last > start ? last : start;
    static const enum text_match passes[] = {TEXT_MATCH_EXACT, TEXT_MATCH_TRIM_END, TEXT_MATCH_TRIM,
                                             TEXT_MATCH_PUNCTUATION};
    for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++)
        for (size_t i = from; i <= last; i++)
            if (matches_at(lines, pattern, plen, i, passes[p]))
                return (long)i;
    return -1;
}
