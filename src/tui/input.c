#include "tui/input.h"

#include <stdio.h>
#include <string.h>

#include "tui/width.h"

/* Longest CSI/SS3 sequence we wait for; anything longer is noise. */
#define MAX_SEQ 128
#define MAX_PARAMS 8
#define MAX_SUB 4

static const char PASTE_END[] = "\x1b[201~";

void tinput_init(struct tinput *d, tinput_fn fn, void *ud)
{
    memset(d, 0, sizeof *d);
    d->fn = fn;
    d->ud = ud;
}

void tinput_free(struct tinput *d)
{
    buf_free(&d->pending);
    buf_free(&d->paste);
}

bool tinput_has_pending(const struct tinput *d)
{
    return d->pending.len > 0 && !d->in_paste;
}

static void emit_key(struct tinput *d, enum tkey key, int32_t cp, unsigned mods)
{
    struct tev ev = {.kind = TEV_KEY, .key = key, .cp = cp, .mods = mods};
    d->fn(d->ud, &ev);
}

/* A C0 control byte or DEL as a key. */
static void emit_control(struct tinput *d, unsigned char c, unsigned mods)
{
    switch (c) {
    case '\r':
        emit_key(d, TK_ENTER, 0, mods);
        return;
    case '\t':
        emit_key(d, TK_TAB, 0, mods);
        return;
    case 0x7f:
        emit_key(d, TK_BACKSPACE, 0, mods);
        return;
    case 0x08:
        emit_key(d, TK_BACKSPACE, 0, mods | TM_CTRL);
        return;
    case 0x1b:
        emit_key(d, TK_ESC, 0, mods);
        return;
    case 0x00:
        emit_key(d, TK_CHAR, ' ', mods | TM_CTRL);
        return;
    default:
        break;
    }
    if (c >= 1 && c <= 26)
        emit_key(d, TK_CHAR, 'a' + c - 1, mods | TM_CTRL);
    else if (c >= 0x1c && c <= 0x1f)
        emit_key(d, TK_CHAR, "\\]^_"[c - 0x1c], mods | TM_CTRL);
}

struct csi {
    char prefix;   /* '<', '?', '>', '=' or 0 */
    char final;
    int n;         /* parameters given */
    int p[MAX_PARAMS][MAX_SUB]; /* -1 when empty */
};

static int param(const struct csi *c, int i, int def)
{
    if (i >= c->n || c->p[i][0] < 0)
        return def;
    return c->p[i][0];
}

static unsigned mods_of(int v)
{
    /* xterm and kitty encode modifiers as 1 + bits; kitty adds more bits
     * (caps and num lock) that are not shortcuts. */
    if (v <= 1)
        return 0;
    return (unsigned)(v - 1) & (TM_SHIFT | TM_ALT | TM_CTRL | TM_SUPER);
}

static enum tkey tilde_key(int code)
{
    switch (code) {
    case 1:
    case 7:
        return TK_HOME;
    case 4:
    case 8:
        return TK_END;
    case 2:
        return TK_INSERT;
    case 3:
        return TK_DELETE;
    case 5:
        return TK_PGUP;
    case 6:
        return TK_PGDN;
    case 11: case 12: case 13: case 14: case 15:
        return (enum tkey)(TK_F1 + code - 11);
    case 17: case 18: case 19: case 20: case 21:
        return (enum tkey)(TK_F1 + 5 + code - 17);
    case 23:
    case 24:
        return (enum tkey)(TK_F1 + 10 + code - 23);
    default:
        return TK_NONE;
    }
}

static enum tkey letter_key(char f)
{
    switch (f) {
    case 'A': return TK_UP;
    case 'B': return TK_DOWN;
    case 'C': return TK_RIGHT;
    case 'D': return TK_LEFT;
    case 'H': return TK_HOME;
    case 'F': return TK_END;
    case 'P': return TK_F1;
    case 'Q': return (enum tkey)(TK_F1 + 1);
    case 'R': return (enum tkey)(TK_F1 + 2);
    case 'S': return (enum tkey)(TK_F1 + 3);
    default: return TK_NONE;
    }
}

/* A key given by code point with modifiers (kitty CSI u, xterm's
 * modifyOtherKeys CSI 27;m;k ~). */
static void emit_codepoint_key(struct tinput *d, int code, int shifted, unsigned mods)
{
    switch (code) {
    case 13:
        emit_key(d, TK_ENTER, 0, mods);
        return;
    case 9:
        emit_key(d, TK_TAB, 0, mods);
        return;
    case 127:
    case 8:
        emit_key(d, TK_BACKSPACE, 0, mods);
        return;
    case 27:
        emit_key(d, TK_ESC, 0, mods);
        return;
    default:
        break;
    }
    /* kitty's functional keys in the private use area. */
    if (code >= 57344 && code <= 63743) {
        if (code == 57414) /* keypad enter */
            emit_key(d, TK_ENTER, 0, mods);
        else if (code >= 57364 && code <= 57375) /* F1 .. F12 */
            emit_key(d, (enum tkey)(TK_F1 + code - 57364), 0, mods);
        /* lone modifier keys and the rest are not shortcuts here */
        return;
    }
    if (code < 32 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return;
    int32_t cp = code;
    if ((mods & TM_SHIFT) && shifted > 0) {
        cp = shifted;
        mods &= ~(unsigned)TM_SHIFT;
    } else if ((mods & TM_SHIFT) && !(mods & (TM_CTRL | TM_ALT | TM_SUPER)) && cp >= 'a' &&
               cp <= 'z') {
        cp = cp - 'a' + 'A';
        mods &= ~(unsigned)TM_SHIFT;
    }
    if ((mods & TM_CTRL) && cp >= 'A' && cp <= 'Z')
        cp = cp - 'A' + 'a';
    emit_key(d, TK_CHAR, cp, mods);
}

static void handle_csi(struct tinput *d, const struct csi *c)
{
    if (c->prefix == '<' && (c->final == 'M' || c->final == 'm')) {
        int b = param(c, 0, 0), x = param(c, 1, 1), y = param(c, 2, 1);
        struct tev ev = {.kind = TEV_MOUSE, .x = x - 1, .y = y - 1};
        ev.mods = (b & 4 ? TM_SHIFT : 0) | (b & 8 ? TM_ALT : 0) | (b & 16 ? TM_CTRL : 0);
        ev.motion = (b & 32) != 0;
        ev.press = c->final == 'M';
        int base = b & ~(4 | 8 | 16 | 32);
        ev.button = base >= 64 ? base : (base & 3);
        d->fn(d->ud, &ev);
        return;
    }
    if (c->prefix == '?') {
        if (c->final == 'u') {
            struct tev ev = {.kind = TEV_KBD_FLAGS, .row = param(c, 0, 0)};
            d->fn(d->ud, &ev);
        }
        return; /* DA1 (c) and mode reports (y) need nothing */
    }
    if (c->prefix)
        return;
    switch (c->final) {
    case 'I':
    case 'O': {
        struct tev ev = {.kind = TEV_FOCUS, .focused = c->final == 'I'};
        d->fn(d->ud, &ev);
        return;
    }
    case 'Z':
        emit_key(d, TK_TAB, 0, TM_SHIFT | mods_of(param(c, 1, 1)));
        return;
    case 'R':
        if (d->expect_cpr > 0 && c->n >= 2) {
            d->expect_cpr--;
            struct tev ev = {.kind = TEV_CPR, .row = param(c, 0, 1) - 1, .col = param(c, 1, 1) - 1};
            d->fn(d->ud, &ev);
            return;
        }
        break;
    case 'u': {
        int code = param(c, 0, -1);
        int shifted = c->n > 0 ? c->p[0][1] : -1;
        int event = c->n > 1 && c->p[1][1] > 0 ? c->p[1][1] : 1;
        if (code < 0 || event == 3) /* release events are not keys */
            return;
        emit_codepoint_key(d, code, shifted, mods_of(param(c, 1, 1)));
        return;
    }
    case '~': {
        int code = param(c, 0, -1);
        if (code == 27) { /* modifyOtherKeys */
            emit_codepoint_key(d, param(c, 2, -1), -1, mods_of(param(c, 1, 1)));
            return;
        }
        enum tkey k = tilde_key(code);
        int event = c->n > 1 && c->p[1][1] > 0 ? c->p[1][1] : 1;
        if (k != TK_NONE && event != 3)
            emit_key(d, k, 0, mods_of(param(c, 1, 1)));
        return;
    }
    default:
        break;
    }
    enum tkey k = letter_key(c->final);
    int event = c->n > 1 && c->p[1][1] > 0 ? c->p[1][1] : 1;
    if (k != TK_NONE && event != 3)
        emit_key(d, k, 0, mods_of(param(c, 1, 1)));
}

/* Parse a CSI sequence starting after "ESC [".  Returns the bytes used
 * (including the final byte), 0 when more are needed, -1 when malformed. */
static long parse_csi(const unsigned char *s, size_t n, struct csi *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < MAX_PARAMS; i++)
        for (int j = 0; j < MAX_SUB; j++)
            c->p[i][j] = -1;
    size_t i = 0;
    if (i < n && (s[i] == '<' || s[i] == '?' || s[i] == '>' || s[i] == '='))
        c->prefix = (char)s[i++];
    int pi = 0, si = 0;
    bool any = false;
    for (; i < n; i++) {
        unsigned char b = s[i];
        if (b >= '0' && b <= '9') {
            if (pi < MAX_PARAMS && si < MAX_SUB) {
                int v = c->p[pi][si] < 0 ? 0 : c->p[pi][si];
                if (v < 1000000)
                    v = v * 10 + (b - '0');
                c->p[pi][si] = v;
            }
            any = true;
        } else if (b == ';') {
            pi++;
            si = 0;
            any = true;
        } else if (b == ':') {
            si++;
            any = true;
        } else if (b >= 0x20 && b <= 0x2f) {
            /* intermediate bytes: none of the sequences we decode use them */
        } else if (b >= 0x40 && b <= 0x7e) {
            c->final = (char)b;
            c->n = any ? (pi + 1 > MAX_PARAMS ? MAX_PARAMS : pi + 1) : 0;
            return (long)i + 1;
        } else {
            return -1;
        }
        if (i > MAX_SEQ)
            return -1;
    }
    return 0;
}

/* Skip an OSC/DCS/APC/PM string started after "ESC x"; returns the bytes
 * used through its terminator (BEL or ESC \), 0 when unfinished. */
static long skip_string(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0x07)
            return (long)i + 1;
        if (s[i] == 0x1b) {
            if (i + 1 >= n)
                return 0;
            if (s[i + 1] == '\\')
                return (long)i + 2;
            return (long)i; /* a new sequence: the string was cut short */
        }
    }
    return n > 4096 ? (long)n : 0;
}

static void emit_text_char(struct tinput *d, int32_t cp, unsigned mods)
{
    emit_key(d, TK_CHAR, cp, mods);
}

/* One event from s[0..n).  Returns bytes used, or 0 when the bytes may be
 * the start of a longer sequence and `final` is false. */
static size_t parse_one(struct tinput *d, const unsigned char *s, size_t n, bool final)
{
    unsigned char c = s[0];
    if (c != 0x1b) {
        if (c < 0x20 || c == 0x7f) {
            emit_control(d, c, 0);
            return 1;
        }
        if (c < 0x80) {
            emit_text_char(d, c, 0);
            return 1;
        }
        /* UTF-8: wait for the whole sequence. */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (n < need && !final) {
            bool cont = true;
            for (size_t k = 1; k < n; k++)
                cont = cont && (s[k] & 0xC0) == 0x80;
            if (cont)
                return 0;
        }
        int32_t cp;
        size_t used = tw_decode((const char *)s, n, &cp);
        emit_text_char(d, cp, 0);
        return used;
    }
    /* ESC */
    if (n == 1) {
        if (!final)
            return 0;
        emit_key(d, TK_ESC, 0, 0);
        return 1;
    }
    unsigned char c1 = s[1];
    if (c1 == '[') {
        struct csi csi;
        long used = parse_csi(s + 2, n - 2, &csi);
        if (used == 0) {
            if (!final)
                return 0;
            emit_key(d, TK_ESC, 0, 0); /* Esc, then '[' and the rest as typed */
            return 1;
        }
        if (used < 0) {
            emit_key(d, TK_ESC, 0, 0);
            return 1;
        }
        if (csi.final == '~' && param(&csi, 0, -1) == 200 && !csi.prefix) {
            d->in_paste = true;
            buf_truncate(&d->paste, 0);
            return (size_t)used + 2;
        }
        handle_csi(d, &csi);
        return (size_t)used + 2;
    }
    if (c1 == 'O') {
        if (n < 3) {
            if (!final)
                return 0;
            emit_key(d, TK_CHAR, 'O', TM_ALT);
            return 2;
        }
        enum tkey k = letter_key((char)s[2]);
        if (s[2] == 'M')
            k = TK_ENTER;
        if (k != TK_NONE)
            emit_key(d, k, 0, 0);
        return 3;
    }
    if (c1 == ']' || c1 == 'P' || c1 == '_' || c1 == '^') {
        long used = skip_string(s + 2, n - 2);
        if (used == 0) {
            if (!final)
                return 0;
            return n; /* an unterminated reply: drop it */
        }
        return (size_t)used + 2;
    }
    if (c1 == 0x1b) {
        /* Esc pressed twice (or Esc before a sequence). */
        emit_key(d, TK_ESC, 0, 0);
        return 1;
    }
    /* Alt + key */
    if (c1 < 0x20 || c1 == 0x7f) {
        emit_control(d, c1, TM_ALT);
        return 2;
    }
    if (c1 < 0x80) {
        emit_text_char(d, c1, TM_ALT);
        return 2;
    }
    size_t need = c1 >= 0xF0 ? 4 : c1 >= 0xE0 ? 3 : c1 >= 0xC0 ? 2 : 1;
    if (n - 1 < need && !final)
        return 0;
    int32_t cp;
    size_t used = tw_decode((const char *)s + 1, n - 1, &cp);
    emit_text_char(d, cp, TM_ALT);
    return used + 1;
}

static void finish_paste(struct tinput *d)
{
    /* Terminals send Enter as CR inside a paste. */
    struct buf *p = &d->paste;
    size_t w = 0;
    for (size_t r = 0; r < p->len; r++) {
        char ch = p->data[r];
        if (ch == '\r') {
            p->data[w++] = '\n';
            if (r + 1 < p->len && p->data[r + 1] == '\n')
                r++;
        } else {
            p->data[w++] = ch;
        }
    }
    buf_truncate(p, w);
    struct tev ev = {.kind = TEV_PASTE, .text = buf_cstr(p), .len = p->len};
    d->in_paste = false;
    d->fn(d->ud, &ev);
    buf_truncate(p, 0);
}

/* Consume paste bytes from s; returns the bytes used. */
static size_t feed_paste(struct tinput *d, const char *s, size_t n)
{
    /* The end marker may be split across reads: look for it in what the
     * paste holds plus the new bytes. */
    size_t keep = d->paste.len;
    buf_append(&d->paste, s, n);
    size_t from = keep > sizeof PASTE_END ? keep - sizeof PASTE_END : 0;
    const char *hit = NULL;
    for (size_t i = from; i + sizeof PASTE_END - 1 <= d->paste.len; i++) {
        if (d->paste.data[i] == 0x1b &&
            memcmp(d->paste.data + i, PASTE_END, sizeof PASTE_END - 1) == 0) {
            hit = d->paste.data + i;
            break;
        }
    }
    if (!hit)
        return n;
    size_t end = (size_t)(hit - d->paste.data);
    size_t after = d->paste.len - end - (sizeof PASTE_END - 1);
    buf_truncate(&d->paste, end);
    finish_paste(d);
    return n - after;
}

static void run(struct tinput *d, bool final)
{
    size_t i = 0;
    struct buf *p = &d->pending;
    while (i < p->len) {
        if (d->in_paste) {
            size_t used = feed_paste(d, p->data + i, p->len - i);
            i += used;
            continue;
        }
        size_t used = parse_one(d, (const unsigned char *)p->data + i, p->len - i, final);
        if (used == 0)
            break;
        i += used;
    }
    if (i > 0) {
        memmove(p->data, p->data + i, p->len - i);
        buf_truncate(p, p->len - i);
    }
}

void tinput_feed(struct tinput *d, const char *data, size_t n)
{
    if (d->in_paste && d->pending.len == 0) {
        size_t used = feed_paste(d, data, n);
        data += used;
        n -= used;
    }
    buf_append(&d->pending, data, n);
    run(d, false);
}

void tinput_flush(struct tinput *d)
{
    if (d->in_paste)
        return;
    run(d, true);
}

void tinput_describe(const struct tev *ev, char *out, size_t outlen)
{
    static const char *const names[] = {
        [TK_NONE] = "none",     [TK_CHAR] = "char",     [TK_ENTER] = "enter",
        [TK_TAB] = "tab",       [TK_BACKSPACE] = "backspace", [TK_ESC] = "esc",
        [TK_UP] = "up",         [TK_DOWN] = "down",     [TK_LEFT] = "left",
        [TK_RIGHT] = "right",   [TK_HOME] = "home",     [TK_END] = "end",
        [TK_PGUP] = "pgup",     [TK_PGDN] = "pgdn",     [TK_INSERT] = "insert",
        [TK_DELETE] = "delete",
    };
    switch (ev->kind) {
    case TEV_PASTE:
        snprintf(out, outlen, "paste(%zu)", ev->len);
        return;
    case TEV_MOUSE:
        snprintf(out, outlen, "mouse(%d,%d,%d%s)", ev->button, ev->x, ev->y,
                 ev->press ? "" : ",up");
        return;
    case TEV_FOCUS:
        snprintf(out, outlen, "focus(%s)", ev->focused ? "in" : "out");
        return;
    case TEV_CPR:
        snprintf(out, outlen, "cpr(%d,%d)", ev->row, ev->col);
        return;
    case TEV_KBD_FLAGS:
        snprintf(out, outlen, "kbdflags(%d)", ev->row);
        return;
    case TEV_KEY:
        break;
    }
    char key[16];
    if (ev->key == TK_CHAR) {
        char u[5] = {0};
        tw_encode(ev->cp, u);
        snprintf(key, sizeof key, "%s", ev->cp == ' ' ? "space" : u);
    } else if (ev->key >= TK_F1 && ev->key <= TK_F12) {
        snprintf(key, sizeof key, "f%d", ev->key - TK_F1 + 1);
    } else {
        snprintf(key, sizeof key, "%s", names[ev->key]);
    }
    snprintf(out, outlen, "%s%s%s%s%s", ev->mods & TM_CTRL ? "ctrl+" : "",
             ev->mods & TM_ALT ? "alt+" : "", ev->mods & TM_SHIFT ? "shift+" : "",
             ev->mods & TM_SUPER ? "super+" : "", key);
}
