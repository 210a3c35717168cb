/* POSIX-shell-style word splitting for the string form of match / not_match
 * examples ("git commit -m 'a b'"), and the reverse for messages. */
#include <string.h>

#include "policy/execpolicy_internal.h"
#include "util/buf.h"
#include "util/xalloc.h"

int ep_shlex_split(const char *s, size_t len, struct strvec *out)
{
    size_t i = 0;
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            i++;
        if (i >= len)
            return 0;
        if (s[i] == '#') { /* a comment runs to the end of the line */
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        struct buf word = BUF_INIT;
        buf_reserve(&word, 1);
        while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
            char c = s[i++];
            if (c == '\\') {
                if (i >= len) {
                    buf_free(&word);
                    return -1;
                }
                if (s[i] != '\n')
                    buf_putc(&word, s[i]);
                i++;
            } else if (c == '\'') {
                const char *end = memchr(s + i, '\'', len - i);
                if (!end) {
                    buf_free(&word);
                    return -1;
                }
                buf_append(&word, s + i, (size_t)(end - (s + i)));
                i = (size_t)(end - s) + 1;
            } else if (c == '"') {
                for (;;) {
                    if (i >= len) {
                        buf_free(&word);
                        return -1;
                    }
                    char d = s[i++];
                    if (d == '"')
                        break;
                    if (d == '\\' && i < len && strchr("$`\"\\\n", s[i]) && s[i] != '\0') {
                        if (s[i] != '\n')
                            buf_putc(&word, s[i]);
                        i++;
                    } else {
                        buf_putc(&word, d);
                    }
                }
            } else {
                buf_putc(&word, c);
            }
        }
        strvec_push_owned(out, buf_detach(&word, NULL));
    }
}

static bool plain_word(const char *w)
{
    if (!*w)
        return false;
    for (; *w; w++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./:,@%^", *w))
            return false;
    return true;
}

char *ep_shlex_join(const char *const *words, size_t n)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ' ');
        if (plain_word(words[i])) {
            buf_puts(&b, words[i]);
            continue;
        }
        buf_putc(&b, '\'');
        for (const char *c = words[i]; *c; c++) {
            if (*c == '\'')
                buf_puts(&b, "'\\''");
            else
                buf_putc(&b, *c);
        }
        buf_putc(&b, '\'');
    }
    return buf_detach(&b, NULL);
}
