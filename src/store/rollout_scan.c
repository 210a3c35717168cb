#include "store/rollout_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the type of a line, without parsing it ------------------------------ */

/* A cursor over one line's bytes. */
struct scan {
    const char *p, *end;
};

/* jansson's reader drops NUL bytes wherever they are; so does the scan,
 * to see every line the way the parser will. */
static void skip_ws(struct scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' ||
                               *sc->p == '\n' || *sc->p == '\0'))
        sc->p++;
}

/* The next byte that is not NUL, or -1 at the end of the line. */
static int next_byte(struct scan *sc)
{
    while (sc->p < sc->end && *sc->p == '\0')
        sc->p++;
    return sc->p < sc->end ? (unsigned char)*sc->p++ : -1;
}

static int hex_digit(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string at sc->p (at its opening quote), decoded into out (cap bytes,
 * NUL-terminated) as far as it fits; characters outside ASCII become
 * '\1', which no name we look for contains.  *fits is false when it was
 * longer.  False when it is not a well-formed string. */
static bool scan_string(struct scan *sc, char *out, size_t cap, bool *fits)
{
    if (next_byte(sc) != '"')
        return false;
    *fits = true;
    if (cap == 0) {
        /* Skipping: only quotes and escapes matter, so most of a long
         * string goes by without a look at each byte's meaning. */
        for (;;) {
            while (sc->p < sc->end && *sc->p != '"' && *sc->p != '\\')
                sc->p++;
            if (sc->p >= sc->end)
                return false;
            if (*sc->p++ == '"')
                return true;
            int e = next_byte(sc);
            if (e == 'u') {
                for (int i = 0; i < 4; i++)
                    if (hex_digit(next_byte(sc)) < 0)
                        return false;
            } else if (e <= 0 || !strchr("\"\\/bfnrt", e)) {
                return false;
            }
        }
    }
    size_t n = 0;
    for (int c; (c = next_byte(sc)) != '"';) {
        if (c < 0)
            return false;
        if (c == '\\') {
            int e = next_byte(sc);
            if (e == 'u') {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = hex_digit(next_byte(sc));
                    if (d < 0)
                        return false;
                    v = v * 16 + d;
                }
                c = v > 0 && v < 0x80 ? v : 1;
            } else {
                const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
                const char *k = e > 0 ? strchr(from, e) : NULL;
                if (!k)
                    return false;
                c = to[k - from];
            }
        } else if (c >= 0x80) {
            c = 1;
        }
        if (n + 1 < cap)
            out[n++] = (char)c;
        else
            *fits = false;
    }
    if (cap)
        out[n] = '\0';
    return true;
}

/* Skip one value of any kind. */
static bool skip_value(struct scan *sc)
{
    skip_ws(sc);
    if (sc->p >= sc->end)
        return false;
    bool fits;
    if (*sc->p == '"')
        return scan_string(sc, NULL, 0, &fits);
    if (*sc->p == '{' || *sc->p == '[') {
        int depth = 0;
        while (sc->p < sc->end) {
            char c = *sc->p;
            if (c == '"') {
                if (!scan_string(sc, NULL, 0, &fits))
                    return false;
                continue;
            }
            sc->p++;
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return true;
        }
        return false;
    }
    while (sc->p < sc->end && (*sc->p == '\0' || !strchr(",}] \t\r\n", *sc->p)))
        sc->p++;
    return true;
}

/* What is taken from an object: its last "type" member, as a parser keeps
 * the last of duplicate keys (found: it was a string that fits); for the
 * line, the same of the object under "payload" (sub); for a payload, its
 * own "turn_id" member (not one nested deeper) when turn_id is not NULL. */
struct scan_want {
    char *type;
    bool found;
    struct scan_want *sub;
    char *turn_id;
    size_t turn_id_cap;
    bool turn_id_found;
};

/* An object at sc->p, taking what w asks for.  False when it is not a
 * well-formed object. */
static bool scan_object(struct scan *sc, struct scan_want *w)
{
    w->found = false;
    w->turn_id_found = false;
    if (w->sub) {
        w->sub->found = false;
        w->sub->turn_id_found = false;
    }
    if (sc->p >= sc->end || *sc->p++ != '{')
        return false;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == '}') {
        sc->p++;
        return true;
    }
    for (;;) {
        char key[8];
        bool fits;
        skip_ws(sc);
        if (!scan_string(sc, key, sizeof key, &fits))
            return false;
        skip_ws(sc);
        if (sc->p >= sc->end || *sc->p++ != ':')
            return false;
        skip_ws(sc);
        bool is_string = sc->p < sc->end && *sc->p == '"';
        bool is_object = sc->p < sc->end && *sc->p == '{';
        bool is_type = fits && strcmp(key, "type") == 0;
        bool is_payload = fits && w->sub && strcmp(key, "payload") == 0;
        bool is_turn_id = fits && w->turn_id && strcmp(key, "turn_id") == 0;
        if (is_type && is_string) {
            if (!scan_string(sc, w->type, 24, &w->found))
                return false;
        } else if (is_payload && is_object) {
            if (!scan_object(sc, w->sub))
                return false;
        } else if (is_turn_id && is_string) {
            if (!scan_string(sc, w->turn_id, w->turn_id_cap, &w->turn_id_found))
                return false;
        } else {
            if (is_type)
                w->found = false;
            if (is_payload) {
                w->sub->found = false;
                w->sub->turn_id_found = false;
            }
            if (is_turn_id)
                w->turn_id_found = false;
            if (!skip_value(sc))
                return false;
        }
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p == ',') {
            sc->p++;
            continue;
        }
        if (sc->p < sc->end && *sc->p == '}') {
            sc->p++;
            return true;
        }
        return false;
    }
}

/* The top-level "type" of a line and, when ptype is not NULL, its
 * payload's "type" ("" when it has none), without parsing the line: one
 * byte scan.  False when the line has no type or is not an object. */
bool rollout_line_type(const char *text, size_t len, char type[24], char ptype[24])
{
    return rollout_line_turn(text, len, type, ptype, NULL, 0);
}

bool rollout_line_turn(const char *text, size_t len, char type[24], char ptype[24], char *turn_id,
                       size_t turn_id_cap)
{
    struct scan sc = {text, text + len};
    char ignored[24];
    struct scan_want payload = {.type = ptype ? ptype : ignored, .turn_id = turn_id_cap ? turn_id : NULL,
                                .turn_id_cap = turn_id_cap};
    struct scan_want line = {.type = type, .sub = ptype || payload.turn_id ? &payload : NULL};
    skip_ws(&sc);
    if (!scan_object(&sc, &line))
        return false;
    if (ptype && !payload.found)
        ptype[0] = '\0';
    if (turn_id && turn_id_cap && !payload.turn_id_found)
        turn_id[0] = '\0';
    return line.found;
}

/* ---- complete lines, a chunk at a time ------------------------------------ */

#define LINE_CHUNK ((size_t)1 << 20)

void rollout_lines_init(struct rollout_lines *r, int fd, off_t size)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->size = size;
}

int rollout_lines_next(struct rollout_lines *r, const char **text, size_t *len)
{
    for (;;) {
        char *nl = r->b.len > r->start ? memchr(r->b.data + r->start, '\n', r->b.len - r->start)
                                       : NULL;
        if (nl) {
            *text = r->b.data + r->start;
            *len = (size_t)(nl - *text);
            r->line_off = r->read_to - (off_t)(r->b.len - r->start);
            r->start += *len + 1;
            r->line_no++;
            return 1;
        }
        if (r->read_to >= r->size) {
            r->torn = r->b.len > r->start;
            return 0;
        }
        /* Keep the unfinished line, drop what was returned. */
        if (r->start) {
            memmove(r->b.data, r->b.data + r->start, r->b.len - r->start);
            r->b.len -= r->start;
            r->start = 0;
        }
        size_t want = LINE_CHUNK;
        if ((off_t)want > r->size - r->read_to)
            want = (size_t)(r->size - r->read_to);
        buf_reserve(&r->b, want);
        ssize_t n = pread(r->fd, r->b.data + r->b.len, want, r->read_to);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            r->size = r->read_to; /* it shrank: what is there is all */
            continue;
        }
        r->b.len += (size_t)n;
        r->read_to += n;
    }
}

void rollout_lines_free(struct rollout_lines *r)
{
    buf_free(&r->b);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

int rollout_lines_open(struct rollout_lines *r, const char *path, struct codex_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        if (fd >= 0)
            close(fd);
        rollout_lines_init(r, -1, 0);
        return -1;
    }
    rollout_lines_init(r, fd, st.st_size);
    return 0;
}

void rollout_lines_close(struct rollout_lines *r)
{
    int fd = r->fd;
    rollout_lines_free(r);
    if (fd >= 0)
        close(fd);
}
