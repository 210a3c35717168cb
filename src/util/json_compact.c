#include "util/json_compact.h"

#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 512
#define MAX_KEYS 1024 /* open keys across the objects being scanned */

struct key_span {
    size_t off, len;
};

/* pos is on the opening quote; returns the index after the closing one, or
 * 0 when the string is not as jansson would write it. */
/* Eight bytes of plain ASCII text: no quote, backslash, control character
 * or byte past 0x7F (most of a long output), passed over at once. */
static bool plain8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t quote = v ^ (ones * '"'), slash = v ^ (ones * '\\');
    uint64_t zero_q = (quote - ones) & ~quote, zero_s = (slash - ones) & ~slash;
    uint64_t control = (v - ones * 0x20) & ~v;
    return ((zero_q | zero_s | control) & highs) == 0 && (v & highs) == 0;
}

static size_t scan_string(const unsigned char *t, size_t pos, size_t len)
{
    pos++;
    while (pos < len) {
        if (pos + 8 <= len && plain8(t + pos)) {
            pos += 8;
            continue;
        }
        unsigned char c = t[pos];
        if (c == '"')
            return pos + 1;
        if (c == '\\') {
            if (pos + 1 >= len)
                return 0;
            unsigned char e = t[pos + 1];
            if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                pos += 2;
                continue;
            }
            /* \u00XX, upper-case hex, a control character with no short form */
            if (e != 'u' || pos + 6 > len || t[pos + 2] != '0' || t[pos + 3] != '0')
                return 0;
            unsigned char h = t[pos + 4], l = t[pos + 5];
            int lo = l >= '0' && l <= '9' ? l - '0' : l >= 'A' && l <= 'F' ? l - 'A' + 10 : -1;
            if ((h != '0' && h != '1') || lo < 0)
                return 0;
            int v = (h - '0') * 16 + lo;
            if (v == 0 || v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t')
                return 0;
            pos += 6;
            continue;
        }
        if (c < 0x20)
            return 0;
        if (c < 0x80) {
            pos++;
            continue;
        }
        /* UTF-8 as jansson accepts it: no overlong forms, no surrogates,
         * nothing past U+10FFFF. */
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return 0;
        if (pos + need >= len || t[pos + 1] < lo || t[pos + 1] > hi)
            return 0;
        for (size_t k = 2; k <= need; k++)
            if (t[pos + k] < 0x80 || t[pos + k] > 0xBF)
                return 0;
        pos += need + 1;
    }
    return 0;
}

/* An integer jansson keeps as written: no -0, no fraction or exponent. */
static size_t scan_integer(const unsigned char *t, size_t pos, size_t len)
{
    size_t start = pos;
    if (t[pos] == '-')
        pos++;
    if (pos >= len || t[pos] < '0' || t[pos] > '9')
        return 0;
    if (t[pos] == '0') {
        if (pos != start) /* -0 comes back as 0 */
            return 0;
        pos++;
    } else {
        size_t digits = 0;
        while (pos < len && t[pos] >= '0' && t[pos] <= '9') {
            pos++;
            if (++digits > 18)
                return 0;
        }
    }
    if (pos < len && (t[pos] == '.' || t[pos] == 'e' || t[pos] == 'E' || (t[pos] >= '0' && t[pos] <= '9')))
        return 0;
    return pos;
}

static size_t scan_literal(const unsigned char *t, size_t pos, size_t len, const char *word)
{
    size_t n = strlen(word);
    return pos + n <= len && memcmp(t + pos, word, n) == 0 ? pos + n : 0;
}

bool json_compact_check(const char *text, size_t len, const char *key, size_t *off, size_t *vlen)
{
    const unsigned char *t = (const unsigned char *)text;
    struct {
        char kind;
        size_t first_key;
    } stack[MAX_DEPTH];
    struct key_span keys[MAX_KEYS];
    size_t depth = 0, n_keys = 0, pos = 0, key_len = key ? strlen(key) : 0;
    size_t cap_start = 0;
    bool capturing = false;
    if (off)
        *off = *vlen = 0;
    if (len == 0 || t[0] != '{')
        return false;

value:
    if (pos >= len)
        return false;
    switch (t[pos]) {
    case '{':
    case '[':
        if (depth == MAX_DEPTH)
            return false;
        stack[depth].kind = (char)t[pos];
        stack[depth].first_key = n_keys;
        depth++;
        pos++;
        if (pos < len && t[pos] == (t[pos - 1] == '{' ? '}' : ']')) {
            pos++;
            depth--;
            goto after;
        }
        if (t[pos - 1] == '{')
            goto member;
        goto value;
    case '"':
        pos = scan_string(t, pos, len);
        break;
    case 't':
        pos = scan_literal(t, pos, len, "true");
        break;
    case 'f':
        pos = scan_literal(t, pos, len, "false");
        break;
    case 'n':
        pos = scan_literal(t, pos, len, "null");
        break;
    default:
        pos = scan_integer(t, pos, len);
        break;
    }
    if (pos == 0)
        return false;
    goto after;

member: {
    if (pos >= len || t[pos] != '"')
        return false;
    size_t start = pos;
    pos = scan_string(t, pos, len);
    if (pos == 0 || pos >= len || t[pos] != ':')
        return false;
    /* A key twice: the parser keeps the last value in the first place. */
    size_t klen = pos - start;
    for (size_t k = stack[depth - 1].first_key; k < n_keys; k++)
        if (keys[k].len == klen && memcmp(t + keys[k].off, t + start, klen) == 0)
            return false;
    if (n_keys == MAX_KEYS)
        return false;
    keys[n_keys].off = start;
    keys[n_keys++].len = klen;
    pos++;
    if (depth == 1 && key && klen == key_len + 2 && memcmp(t + start + 1, key, key_len) == 0) {
        capturing = true;
        cap_start = pos;
    }
    goto value;
}

after:
    if (depth == 0)
        return pos == len;
    if (capturing && depth == 1) {
        capturing = false;
        if (off) {
            *off = cap_start;
            *vlen = pos - cap_start;
        }
    }
    if (pos >= len)
        return false;
    if (t[pos] == ',') {
        pos++;
        if (stack[depth - 1].kind == '{')
            goto member;
        goto value;
    }
    if (t[pos] != (stack[depth - 1].kind == '{' ? '}' : ']'))
        return false;
    pos++;
    depth--;
    n_keys = stack[depth].first_key;
    goto after;
}

/* Past a string of checked text: pos on its opening quote. */
static size_t skip_string(const char *t, size_t pos, size_t len)
{
    pos++;
    for (;;) {
        const char *q = memchr(t + pos, '"', len - pos);
        if (!q)
            return len;
        size_t at = (size_t)(q - t), slashes = 0;
        while (at - slashes > pos && t[at - slashes - 1] == '\\')
            slashes++;
        pos = at + 1;
        if (slashes % 2 == 0)
            return pos;
    }
}

static size_t skip_value(const char *t, size_t pos, size_t len)
{
    if (t[pos] == '"')
        return skip_string(t, pos, len);
    if (t[pos] != '{' && t[pos] != '[') {
        while (pos < len && t[pos] != ',' && t[pos] != '}' && t[pos] != ']')
            pos++;
        return pos;
    }
    size_t depth = 0;
    while (pos < len) {
        char c = t[pos];
        if (c == '"') {
            pos = skip_string(t, pos, len);
            continue;
        }
        pos++;
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            break;
    }
    return pos;
}

json_t *json_compact_brief(const char *text, size_t len)
{
    json_t *brief = json_object();
    size_t pos = 1;
    while (pos < len && text[pos] == '"') {
        size_t kstart = pos;
        pos = skip_string(text, pos, len);
        size_t kend = pos;
        if (pos >= len || text[pos] != ':')
            break;
        pos++;
        size_t vstart = pos;
        if (pos >= len)
            break;
        pos = skip_value(text, pos, len);
        if (text[vstart] == '"' && pos - vstart <= JSON_COMPACT_BRIEF_MAX + 2) {
            json_t *k = json_loadb(text + kstart, kend - kstart, JSON_DECODE_ANY, NULL);
            json_t *v = json_loadb(text + vstart, pos - vstart, JSON_DECODE_ANY, NULL);
            if (json_is_string(k) && json_is_string(v))
                json_object_setn(brief, json_string_value(k), json_string_length(k), v);
            json_decref(k);
            json_decref(v);
        }
        if (pos >= len || text[pos] != ',')
            break;
        pos++;
    }
    return brief;
}

json_t *json_compact_brief_of(const json_t *object)
{
    json_t *brief = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)object, k, v)
        if (json_is_string(v) && json_string_length(v) <= JSON_COMPACT_BRIEF_MAX)
            json_object_set(brief, k, v);
    return brief;
}
