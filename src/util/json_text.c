/* JSON strings from bytes that may not be UTF-8 (process output, file
 * names): jansson refuses those, and a reader would rather see U+FFFD than
 * lose the whole string. */
#include "util/json_text.h"

#include "util/buf.h"
#include "util/strvec.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

json_t *json_string_lossy(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_seq_len(s + i, len - i);
        if (k == 0)
            break;
        i += k;
    }
    if (i == len)
        return json_stringn(data, len);
    struct buf b = BUF_INIT;
    buf_append(&b, data, i);
    while (i < len) {
        size_t k = utf8_seq_len(s + i, len - i);
        if (k == 0) {
            buf_append(&b, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            buf_append(&b, data + i, k);
            i += k;
        }
    }
    json_t *str = json_stringn(b.data, b.len);
    buf_free(&b);
    return str;
}

json_t *json_string_array(const struct strvec *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}
