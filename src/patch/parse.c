/* The patch parser.  It follows the reference's grammar and its leniency
 * exactly (markers may carry surrounding whitespace, the first chunk of an
 * update may omit "@@", a heredoc wrapper is stripped), because a patch the
 * reference accepts must not be refused here and vice versa. */
#include <stdlib.h>
#include <string.h>

#include "patch/patch.h"
#include "patch/text.h"
#include "util/xalloc.h"

#define BEGIN_MARKER "*** Begin Patch"
#define END_MARKER "*** End Patch"
#define ADD_MARKER "*** Add File: "
#define DELETE_MARKER "*** Delete File: "
#define UPDATE_MARKER "*** Update File: "
#define MOVE_MARKER "*** Move to: "
#define EOF_MARKER "*** End of File"

struct lines {
    struct patch_span *v;
    size_t n;
};

static bool span_is(struct patch_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static bool span_has_prefix(struct patch_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && memcmp(s.ptr, lit, n) == 0;
}

static bool span_has_suffix(struct patch_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && memcmp(s.ptr + s.len - n, lit, n) == 0;
}

static struct patch_span span_trim(struct patch_span s)
{
    text_trim(&s.ptr, &s.len);
    return s;
}

static void push_span(struct patch_span **v, size_t *n, size_t *cap, struct patch_span s)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = s;
}

/* Split like Rust's str::lines(): on '\n', dropping one '\r' before it. */
static struct lines split_lines(const char *s, size_t len)
{
    struct lines out = {NULL, 0};
    size_t cap = 0;
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(s + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t line_len = end - start;
        if (nl && line_len > 0 && s[end - 1] == '\r')
            line_len--;
        push_span(&out.v, &out.n, &cap, (struct patch_span){s + start, line_len});
        start = end + 1;
    }
    return out;
}

static void set_error(struct patch_error *err, enum patch_error_kind kind, size_t line, char *message)
{
    if (!err) {
        free(message);
        return;
    }
    free(err->message);
    err->kind = kind;
    err->line = line;
    err->message = message;
}

static int check_boundaries(const struct patch_span *lines, size_t n, struct patch_error *err)
{
    if (n > 0 && span_is(span_trim(lines[0]), BEGIN_MARKER) && span_is(span_trim(lines[n - 1]), END_MARKER))
        return 0;
    if (n > 0 && !span_is(span_trim(lines[0]), BEGIN_MARKER))
        set_error(err, PATCH_ERR_PATCH, 0, xstrdup("The first line of the patch must be '*** Begin Patch'"));
    else
        set_error(err, PATCH_ERR_PATCH, 0, xstrdup("The last line of the patch must be '*** End Patch'"));
    return -1;
}

/* Finds the hunk lines between the markers; returns their index range. */
static int find_body(const struct lines *all, size_t *first, size_t *count, struct patch_error *err)
{
    struct patch_error strict = {PATCH_ERR_NONE, 0, NULL};
    if (check_boundaries(all->v, all->n, &strict) == 0) {
        *first = 1;
        *count = all->n - 2;
        return 0;
    }
    /* A model that meant to use a shell heredoc may pass "<<'EOF'\n...\nEOF"
     * as the literal argument. */
    if (all->n >= 4) {
        struct patch_span head = all->v[0];
        if ((span_is(head, "<<EOF") || span_is(head, "<<'EOF'") || span_is(head, "<<\"EOF\"")) &&
            span_has_suffix(all->v[all->n - 1], "EOF")) {
            patch_error_clear(&strict);
            if (check_boundaries(all->v + 1, all->n - 2, err) < 0)
                return -1;
            *first = 2;
            *count = all->n - 4;
            return 0;
        }
    }
    set_error(err, strict.kind, strict.line, strict.message);
    return -1;
}

static char *span_dup(struct patch_span s)
{
    return xstrndup(s.ptr, s.len);
}

static void push_origin(struct patch_chunk *chunk, size_t *cap, size_t origin)
{
    if (chunk->n_new == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        chunk->new_origin = xrealloc(chunk->new_origin, *cap * sizeof *chunk->new_origin);
    }
    chunk->new_origin[chunk->n_new] = origin;
}

/* Parses one "@@" section.  Returns the number of lines used, or 0 after
 * setting err. */
static size_t parse_chunk(const struct patch_span *lines, size_t n, size_t line_number, bool first_chunk,
                          struct patch_chunk *chunk, struct patch_error *err)
{
    size_t start;
    memset(chunk, 0, sizeof *chunk);
    /* Trailing whitespace is dropped first: "@@ " alone is a bare "@@". */
    struct patch_span head = lines[0];
    text_trim_end(head.ptr, &head.len);
    if (span_is(head, "@@")) {
        start = 1;
    } else if (span_has_prefix(head, "@@ ")) {
        chunk->has_context = true;
        chunk->context = (struct patch_span){head.ptr + 3, head.len - 3};
        start = 1;
    } else {
        if (!first_chunk) {
            char *got = span_dup(lines[0]);
            set_error(err, PATCH_ERR_HUNK, line_number,
                      xasprintf("Expected update hunk to start with a @@ context marker, got: '%s'", got));
            free(got);
            return 0;
        }
        start = 0;
    }
    if (start >= n) {
        set_error(err, PATCH_ERR_HUNK, line_number + 1, xstrdup("Update hunk does not contain any lines"));
        return 0;
    }
    size_t old_cap = 0, new_cap = 0, used = 0;
    size_t origin_cap = 0;
    for (size_t i = start; i < n; i++) {
        struct patch_span line = lines[i];
        /* Trailing whitespace after the marker is tolerated, as by the
         * reference; leading whitespace makes it a context line. */
        struct patch_span marker = line;
        text_trim_end(marker.ptr, &marker.len);
        if (span_is(marker, EOF_MARKER)) {
            if (used == 0) {
                set_error(err, PATCH_ERR_HUNK, line_number + start, xstrdup("Update hunk does not contain any lines"));
                goto fail;
            }
            chunk->end_of_file = true;
            used++;
            break;
        }
        struct patch_span rest = {line.ptr + (line.len ? 1 : 0), line.len ? line.len - 1 : 0};
        char mark = line.len ? line.ptr[0] : '\0';
        if (mark == '\0' || mark == ' ') {
            push_origin(chunk, &origin_cap, chunk->n_old + 1);
            push_span(&chunk->old_lines, &chunk->n_old, &old_cap, rest);
            push_span(&chunk->new_lines, &chunk->n_new, &new_cap, rest);
        } else if (mark == '+') {
            push_origin(chunk, &origin_cap, 0);
            push_span(&chunk->new_lines, &chunk->n_new, &new_cap, rest);
        } else if (mark == '-') {
            push_span(&chunk->old_lines, &chunk->n_old, &old_cap, rest);
        } else {
            if (used == 0) {
                char *got = span_dup(line);
                set_error(err, PATCH_ERR_HUNK, line_number + start,
                          xasprintf("Unexpected line found in update hunk: '%s'. Every line should start with ' ' "
                                    "(context line), '+' (added line), or '-' (removed line)",
                                    got));
                free(got);
                goto fail;
            }
            break; /* the start of the next chunk */
        }
        used++;
    }
    return used + start;
fail:
    free(chunk->old_lines);
    free(chunk->new_lines);
    free(chunk->new_origin);
    memset(chunk, 0, sizeof *chunk);
    return 0;
}

/* Lines that end an update's chunks: the next hunk's header, unindented. */
static bool starts_next_hunk(struct patch_span line)
{
    return span_has_prefix(line, ADD_MARKER) || span_has_prefix(line, DELETE_MARKER) ||
           span_has_prefix(line, UPDATE_MARKER);
}

/* Only blank lines in lines[from, to)? */
static bool all_blank(const struct patch_span *lines, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        if (span_trim(lines[k]).len != 0)
            return false;
    return true;
}

static void free_hunk(struct patch_hunk *h)
{
    free(h->path);
    free(h->move_path);
    free(h->contents);
    for (size_t i = 0; i < h->n_chunks; i++) {
        free(h->chunks[i].old_lines);
        free(h->chunks[i].new_lines);
        free(h->chunks[i].new_origin);
    }
    free(h->chunks);
}

/* Parses the hunk starting at lines[0]; returns the lines used or 0 on error. */
static size_t parse_hunk(const struct patch_span *lines, size_t n, size_t line_number, struct patch_hunk *h,
                         struct patch_error *err)
{
    struct patch_span head = span_trim(lines[0]);
    memset(h, 0, sizeof *h);
    if (span_has_prefix(head, ADD_MARKER)) {
        h->kind = PATCH_HUNK_ADD;
        h->path = span_dup((struct patch_span){head.ptr + strlen(ADD_MARKER), head.len - strlen(ADD_MARKER)});
        struct buf contents = BUF_INIT;
        size_t i = 1;
        for (; i < n && lines[i].len > 0 && lines[i].ptr[0] == '+'; i++) {
            buf_append(&contents, lines[i].ptr + 1, lines[i].len - 1);
            buf_putc(&contents, '\n');
        }
        h->contents = buf_detach(&contents, &h->contents_len);
        return i;
    }
    if (span_has_prefix(head, DELETE_MARKER)) {
        h->kind = PATCH_HUNK_DELETE;
        h->path = span_dup((struct patch_span){head.ptr + strlen(DELETE_MARKER), head.len - strlen(DELETE_MARKER)});
        return 1;
    }
    if (span_has_prefix(head, UPDATE_MARKER)) {
        h->kind = PATCH_HUNK_UPDATE;
        h->path = span_dup((struct patch_span){head.ptr + strlen(UPDATE_MARKER), head.len - strlen(UPDATE_MARKER)});
        size_t i = 1;
        if (i < n && span_has_prefix(lines[i], MOVE_MARKER)) {
            h->move_path = span_dup((struct patch_span){lines[i].ptr + strlen(MOVE_MARKER),
                                                        lines[i].len - strlen(MOVE_MARKER)});
            i++;
        }
        size_t cap = 0;
        while (i < n) {
            if (lines[i].len == 0) {
                i++;
                continue;
            }
            if (starts_next_hunk(lines[i]))
                break;
            /* "*** End of File" before any chunk is passed over. */
            if (h->n_chunks == 0 && span_is(span_trim(lines[i]), EOF_MARKER)) {
                i++;
                continue;
            }
            struct patch_chunk chunk;
            size_t used = parse_chunk(lines + i, n - i, line_number + i, h->n_chunks == 0, &chunk, err);
            if (used == 0) {
                free_hunk(h);
                return 0;
            }
            if (h->n_chunks == cap) {
                cap = cap ? cap * 2 : 4;
                h->chunks = xrealloc(h->chunks, cap * sizeof *h->chunks);
            }
            h->chunks[h->n_chunks++] = chunk;
            i += used;
        }
        if (h->n_chunks == 0) {
            set_error(err, PATCH_ERR_HUNK, line_number,
                      xasprintf("Update file hunk for path '%s' is empty", h->path));
            free_hunk(h);
            return 0;
        }
        return i;
    }
    char *got = span_dup(head);
    set_error(err, PATCH_ERR_HUNK, line_number,
              xasprintf("'%s' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', "
                        "'*** Delete File: {path}', '*** Update File: {path}'",
                        got));
    free(got);
    return 0;
}

struct patch *patch_parse(const char *text, size_t len, struct patch_error *err)
{
    if (err)
        err->kind = PATCH_ERR_NONE;
    struct patch *p = xcalloc(1, sizeof *p);
    p->text = xmalloc(len + 1);
    memcpy(p->text, text, len);
    p->text[len] = '\0';

    const char *body = p->text;
    size_t body_len = len;
    text_trim(&body, &body_len);
    struct lines all = split_lines(body, body_len);

    size_t first, count;
    if (find_body(&all, &first, &count, err) < 0)
        goto fail;
    /* The hunks end at the first "*** End Patch" line; anything between it
     * and the last line must be blank. */
    const struct patch_span *body_lines = all.v + first;
    bool junk_after_end = false; /* reported only once the hunks parsed */
    for (size_t k = 0; k < count; k++)
        if (span_is(body_lines[k], END_MARKER)) {
            junk_after_end = !all_blank(body_lines, k + 1, count);
            count = k;
            break;
        }
    size_t cap = 0;
    /* Hunk line numbers count from the line after "*** Begin Patch" even
     * when a heredoc line came first, as the reference reports them. */
    size_t line_number = 2;
    size_t i = 0;
    while (i < count) {
        /* Where a hunk could start, an indented end marker ends it too. */
        if (span_is(span_trim(body_lines[i]), END_MARKER)) {
            junk_after_end = junk_after_end || !all_blank(body_lines, i + 1, count);
            break;
        }
        struct patch_hunk h;
        size_t used = parse_hunk(all.v + first + i, count - i, line_number, &h, err);
        if (used == 0)
            goto fail;
        if (p->n_hunks == cap) {
            cap = cap ? cap * 2 : 8;
            p->hunks = xrealloc(p->hunks, cap * sizeof *p->hunks);
        }
        p->hunks[p->n_hunks++] = h;
        i += used;
        line_number += used;
    }
    if (junk_after_end)
        goto early_end;
    free(all.v);
    return p;
early_end:
    set_error(err, PATCH_ERR_PATCH, 0, xstrdup("The last line of the patch must be '*** End Patch'"));
fail:
    free(all.v);
    patch_free(p);
    return NULL;
}

void patch_free(struct patch *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_hunks; i++)
        free_hunk(&p->hunks[i]);
    free(p->hunks);
    free(p->text);
    free(p);
}

void patch_error_format(const struct patch_error *err, struct buf *out)
{
    if (err->kind == PATCH_ERR_HUNK)
        buf_printf(out, "Invalid patch hunk on line %zu: %s", err->line, err->message ? err->message : "");
    else
        buf_printf(out, "Invalid patch: %s", err->message ? err->message : "");
}

void patch_error_clear(struct patch_error *err)
{
    free(err->message);
    err->message = NULL;
    err->kind = PATCH_ERR_NONE;
    err->line = 0;
}
