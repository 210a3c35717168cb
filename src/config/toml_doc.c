/* Format-preserving TOML editor.
 *
 * The document is kept as text.  An edit locates the statements it touches
 * through the layout the parser records (statement kind, section, key, byte
 * spans), splices new text in, and re-parses.  Untouched bytes are never
 * rewritten.  Every edit is checked: the re-parsed tree must equal the old
 * tree with the change applied, otherwise the edit is refused and the text
 * left as it was (an editor bug must not corrupt a user's config). */
#include "config/toml_internal.h"

#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct toml_doc {
    struct buf text;
    toml_value *root;
    struct toml_layout layout;
};

toml_doc *toml_doc_parse(const char *text, size_t len, struct toml_error *err)
{
    toml_doc *doc = xcalloc(1, sizeof *doc);
    buf_append(&doc->text, text, len);
    doc->root = toml_parse_layout(buf_cstr(&doc->text), len, err, &doc->layout);
    if (!doc->root) {
        toml_layout_free(&doc->layout);
        buf_free(&doc->text);
        free(doc);
        return NULL;
    }
    return doc;
}

void toml_doc_free(toml_doc *doc)
{
    if (!doc)
        return;
    toml_layout_free(&doc->layout);
    toml_free(doc->root);
    buf_free(&doc->text);
    free(doc);
}

const char *toml_doc_text(const toml_doc *doc, size_t *len_out)
{
    if (len_out)
        *len_out = doc->text.len;
    return buf_cstr(&doc->text);
}

/* ---- Paths ------------------------------------------------------------ */

static bool path_has_prefix(char **path, int n, const char *const *prefix, size_t m)
{
    if ((size_t)n < m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (strcmp(path[i], prefix[i]) != 0)
            return false;
    return true;
}

/* A key-value statement's full path: its section followed by its key. */
static size_t stmt_full_len(const struct toml_stmt *s) { return (size_t)(s->nsection + s->nkey); }
static const char *stmt_full_at(const struct toml_stmt *s, size_t i)
{
    return i < (size_t)s->nsection ? s->section[i] : s->key[i - (size_t)s->nsection];
}

/* Does the statement's full path start with keys[0..n)? */
static bool stmt_under(const struct toml_stmt *s, const char *const *keys, size_t n)
{
    if (stmt_full_len(s) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(stmt_full_at(s, i), keys[i]) != 0)
            return false;
    return true;
}

/* The key-value statement whose full path is keys[0..k) for some k <= n
 * (the statement that defines keys, or an inline value holding it). */
static const struct toml_stmt *find_defining_keyval(const toml_doc *doc, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < doc->layout.len; i++) {
        const struct toml_stmt *s = &doc->layout.stmts[i];
        if (s->kind != TOML_STMT_KEYVAL || stmt_full_len(s) > n)
            continue;
        bool match = true;
        for (size_t k = 0; k < stmt_full_len(s) && match; k++)
            match = strcmp(stmt_full_at(s, k), keys[k]) == 0;
        if (match)
            return s;
    }
    return NULL;
}

static bool same_path(char **a, int na, const char *const *b, size_t nb)
{
    return (size_t)na == nb && path_has_prefix(a, na, b, nb);
}

/* ---- Text edits ------------------------------------------------------- */

struct span {
    size_t start, end;
};

struct splice_out {
    struct buf out;
    size_t insert_at;
    const char *insertion; /* NULL once written */
};

static void emit_range(struct splice_out *o, const char *t, size_t a, size_t b)
{
    if (o->insertion && a <= o->insert_at && o->insert_at <= b) {
        buf_append(&o->out, t + a, o->insert_at - a);
        buf_puts(&o->out, o->insertion);
        o->insertion = NULL;
        a = o->insert_at;
    }
    buf_append(&o->out, t + a, b - a);
}

/* The text with the (sorted) spans removed and insertion added at insert_at. */
static char *splice(const toml_doc *doc, const struct span *cut, size_t ncut, size_t insert_at,
                    const char *insertion, size_t *len_out)
{
    const char *t = doc->text.data ? doc->text.data : "";
    struct splice_out o = {BUF_INIT, insert_at, insertion};
    size_t pos = 0;
    for (size_t i = 0; i < ncut; i++) {
        if (cut[i].start > pos)
            emit_range(&o, t, pos, cut[i].start);
        if (cut[i].end > pos)
            pos = cut[i].end;
    }
    emit_range(&o, t, pos, doc->text.len);
    return buf_detach(&o.out, len_out);
}

/* Replace the document with new_text if it parses to exactly expected. */
static int commit(toml_doc *doc, char *new_text, size_t len, const toml_value *expected, struct toml_error *err)
{
    struct toml_layout layout = {0};
    struct toml_error perr;
    toml_value *root = toml_parse_layout(new_text, len, &perr, &layout);
    if (!root || !toml_equal(root, expected)) {
        toml_set_error(err, 0, 0, "internal error: the edited document %s; the edit was not applied",
                       root ? "does not hold the expected values" : "does not parse");
        toml_free(root);
        toml_layout_free(&layout);
        free(new_text);
        return -1;
    }
    toml_layout_free(&doc->layout);
    toml_free(doc->root);
    buf_free(&doc->text);
    doc->layout = layout;
    doc->root = root;
    doc->text.data = new_text;
    doc->text.len = len;
    doc->text.cap = len + 1;
    return 0;
}

static int replace_span(toml_doc *doc, size_t start, size_t end, const char *with, const toml_value *expected,
                        struct toml_error *err)
{
    struct span cut = {start, end};
    size_t len;
    char *text = splice(doc, &cut, 1, start, with, &len);
    return commit(doc, text, len, expected, err);
}

/* ---- Walking the tree ------------------------------------------------- */

enum walk_result { WALK_FOUND, WALK_MISSING, WALK_BLOCKED };

/* Follow keys through root.  *depth gets the number of keys resolved to
 * tables (the deepest existing table is keys[0..*depth)).  BLOCKED when an
 * intermediate key is not a table; err then says why. */
static enum walk_result walk(const toml_value *root, const char *const *keys, size_t n, size_t *depth,
                             const toml_value **table_out, struct toml_error *err)
{
    const toml_value *cur = root;
    for (size_t i = 0; i < n; i++) {
        const toml_value *next = toml_table_get(cur, keys[i]);
        if (!next) {
            *depth = i;
            *table_out = cur;
            return WALK_MISSING;
        }
        if (i + 1 < n && next->type != TOML_TABLE) {
            struct buf path = BUF_INIT;
            toml_write_key_path(&path, keys, i + 1);
            if (next->type == TOML_ARRAY)
                toml_set_error(err, 0, 0, "'%s' is an array; editing keys inside arrays (of tables) is not supported",
                               buf_cstr(&path));
            else
                toml_set_error(err, 0, 0, "'%s' is a %s, not a table, so it cannot hold other keys",
                               buf_cstr(&path), toml_type_name(next->type));
            buf_free(&path);
            return WALK_BLOCKED;
        }
        cur = next;
    }
    *depth = n;
    *table_out = cur;
    return WALK_FOUND;
}

/* Remove keys[0..n) from a copy of the tree, then drop ancestors left empty
 * that had no definition of their own (no [header], not inline): their
 * only mention in the text was through the removed statements. */
static void remove_and_prune(toml_value *root, const char *const *keys, size_t n)
{
    toml_value *parent = toml_table_get_path(root, keys, n - 1);
    if (!parent || parent->type != TOML_TABLE)
        return;
    toml_table_remove(parent, keys[n - 1]);
    for (size_t depth = n - 1; depth > 0; depth--) {
        toml_value *t = toml_table_get_path(root, keys, depth);
        if (!t || t->type != TOML_TABLE || toml_table_len(t) > 0 ||
            (t->flags & (TOML_FLAG_HEADER | TOML_FLAG_INLINE)))
            break;
        toml_table_remove(toml_table_get_path(root, keys, depth - 1), keys[depth - 1]);
    }
}

/* ---- Inline values ---------------------------------------------------- */

/* keys go inside the inline value of statement s: rewrite that value. */
static int edit_inside_inline(toml_doc *doc, const struct toml_stmt *s, const char *const *keys, size_t n,
                              const toml_value *value, struct toml_error *err)
{
    size_t at = stmt_full_len(s);
    toml_value *expected = toml_clone(doc->root);
    toml_value *holder = toml_table_get_path(expected, keys, at);
    const char *const *rest = keys + at;
    size_t nrest = n - at;
    const toml_value *unused;
    size_t depth;
    enum walk_result w = walk(holder, rest, nrest, &depth, &unused, err);
    if (holder->type != TOML_TABLE) {
        struct buf path = BUF_INIT;
        toml_write_key_path(&path, keys, at);
        toml_set_error(err, 0, 0, "'%s' is a %s, not a table, so it cannot hold other keys", buf_cstr(&path),
                       toml_type_name(holder->type));
        buf_free(&path);
        w = WALK_BLOCKED;
    }
    int rc;
    if (w == WALK_BLOCKED) {
        rc = -1;
    } else if (!value && w == WALK_MISSING) {
        rc = 0;
    } else {
        if (value)
            toml_table_set_path(holder, rest, nrest, toml_clone(value));
        else
            toml_table_remove(toml_table_get_path(holder, rest, nrest - 1), rest[nrest - 1]);
        char *rendered = toml_to_inline(holder);
        rc = replace_span(doc, s->value_start, s->value_end, rendered, expected, err);
        free(rendered);
        if (rc == 0 && !value)
            rc = 1;
    }
    toml_free(expected);
    return rc;
}

/* ---- Unset ------------------------------------------------------------ */

/* Start of the comment lines directly above the line at off (no blank line
 * between): they describe what follows, so they stay with it. */
static size_t attached_comments_start(const char *t, size_t off, size_t floor)
{
    while (off > floor) {
        size_t prev = off - 1; /* the '\n' ending the previous line */
        size_t ls = prev;
        while (ls > floor && t[ls - 1] != '\n')
            ls--;
        size_t k = ls;
        while (k < prev && (t[k] == ' ' || t[k] == '\t'))
            k++;
        if (k >= prev || t[k] != '#')
            break;
        off = ls;
    }
    return off;
}

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Byte range of section i (a header statement): from its header line to
 * the next header, leaving comments attached to that next header. */
static struct span section_span(const toml_doc *doc, size_t i)
{
    const struct toml_stmt *s = &doc->layout.stmts[i];
    size_t end = doc->text.len;
    size_t last_stmt_end = s->line_end;
    for (size_t j = i + 1; j < doc->layout.len; j++) {
        const struct toml_stmt *o = &doc->layout.stmts[j];
        if (o->kind != TOML_STMT_KEYVAL) {
            end = attached_comments_start(doc->text.data, o->line_start, last_stmt_end);
            break;
        }
        last_stmt_end = o->line_end;
    }
    return (struct span){s->line_start, end};
}

static int unset_table(toml_doc *doc, const char *const *keys, size_t n, struct toml_error *err)
{
    struct span *cuts = xmalloc((doc->layout.len + 1) * sizeof *cuts);
    size_t ncut = 0;
    for (size_t i = 0; i < doc->layout.len; i++) {
        const struct toml_stmt *s = &doc->layout.stmts[i];
        if (s->kind == TOML_STMT_KEYVAL) {
            if (stmt_under(s, keys, n))
                cuts[ncut++] = (struct span){s->line_start, s->line_end};
        } else if (path_has_prefix(s->section, s->nsection, keys, n)) {
            cuts[ncut++] = section_span(doc, i);
        }
    }
    qsort(cuts, ncut, sizeof *cuts, cmp_span);
    size_t merged = 0;
    for (size_t i = 0; i < ncut; i++) {
        if (merged && cuts[i].start <= cuts[merged - 1].end) {
            if (cuts[i].end > cuts[merged - 1].end)
                cuts[merged - 1].end = cuts[i].end;
        } else {
            cuts[merged++] = cuts[i];
        }
    }
    ncut = merged;
    /* A removal reaching the end also takes the blank lines before it. */
    if (ncut && cuts[ncut - 1].end == doc->text.len) {
        const char *t = doc->text.data;
        size_t s = cuts[ncut - 1].start;
        while (s >= 2 && t[s - 1] == '\n' && (t[s - 2] == '\n' || (t[s - 2] == '\r' && s >= 3 && t[s - 3] == '\n')))
            s -= t[s - 2] == '\r' ? 2 : 1;
        cuts[ncut - 1].start = s;
    }
    toml_value *expected = toml_clone(doc->root);
    remove_and_prune(expected, keys, n);
    size_t len;
    char *text = splice(doc, cuts, ncut, 0, NULL, &len);
    free(cuts);
    int rc = commit(doc, text, len, expected, err);
    toml_free(expected);
    return rc;
}

int toml_doc_unset(toml_doc *doc, const char *const *keys, size_t n, struct toml_error *err)
{
    if (n == 0) {
        toml_set_error(err, 0, 0, "an empty key path names no key");
        return -1;
    }
    size_t depth;
    const toml_value *found;
    enum walk_result w = walk(doc->root, keys, n, &depth, &found, err);
    if (w == WALK_BLOCKED) {
        /* Crossing a scalar means the key cannot exist; arrays are refused. */
        const toml_value *t = toml_table_get_path(doc->root, keys, 0);
        for (size_t i = 0; i < n && t && t->type == TOML_TABLE; i++)
            t = toml_table_get(t, keys[i]);
        return t && t->type == TOML_ARRAY ? -1 : 0;
    }
    if (w == WALK_MISSING)
        return 0;
    const struct toml_stmt *s = find_defining_keyval(doc, keys, n);
    if (s && stmt_full_len(s) < n)
        return edit_inside_inline(doc, s, keys, n, NULL, err);
    if (s) {
        toml_value *expected = toml_clone(doc->root);
        remove_and_prune(expected, keys, n);
        int rc = replace_span(doc, s->line_start, s->line_end, "", expected, err);
        toml_free(expected);
        return rc < 0 ? -1 : 1;
    }
    return unset_table(doc, keys, n, err) < 0 ? -1 : 1;
}

/* ---- Set -------------------------------------------------------------- */

static void write_line(struct buf *out, const char *indent, size_t indent_len, const char *const *keys, size_t n,
                       const toml_value *value)
{
    buf_append(out, indent, indent_len);
    toml_write_key_path(out, keys, n);
    buf_puts(out, " = ");
    toml_write_inline(out, value);
    buf_putc(out, '\n');
}

/* Insert "key = value" after the statement ending at `after`, indented like
 * the line starting at indent_from. */
static int insert_line(toml_doc *doc, size_t after, size_t indent_from, const char *const *keys, size_t n,
                       const toml_value *value, const toml_value *expected, struct toml_error *err)
{
    const char *t = doc->text.data ? doc->text.data : "";
    size_t indent_len = 0;
    while (indent_from + indent_len < doc->text.len &&
           (t[indent_from + indent_len] == ' ' || t[indent_from + indent_len] == '\t'))
        indent_len++;
    struct buf line = BUF_INIT;
    if (after > 0 && t[after - 1] != '\n')
        buf_putc(&line, '\n');
    write_line(&line, t + indent_from, indent_len, keys, n, value);
    size_t len;
    char *text = splice(doc, NULL, 0, after, buf_cstr(&line), &len);
    buf_free(&line);
    return commit(doc, text, len, expected, err);
}

/* A root-level key when the root has no key-value lines: above the first
 * header (and the comments attached to it), separated by a blank line. */
static int insert_root_first(toml_doc *doc, const char *const *keys, size_t n, const toml_value *value,
                             const toml_value *expected, struct toml_error *err)
{
    size_t first_header = doc->text.len;
    for (size_t i = 0; i < doc->layout.len; i++)
        if (doc->layout.stmts[i].kind != TOML_STMT_KEYVAL) {
            first_header = doc->layout.stmts[i].line_start;
            break;
        }
    struct buf line = BUF_INIT;
    size_t at;
    if (first_header == doc->text.len) {
        at = doc->text.len;
        if (at > 0 && doc->text.data[at - 1] != '\n')
            buf_putc(&line, '\n');
        write_line(&line, "", 0, keys, n, value);
    } else {
        at = attached_comments_start(doc->text.data, first_header, 0);
        write_line(&line, "", 0, keys, n, value);
        buf_putc(&line, '\n');
    }
    size_t len;
    char *text = splice(doc, NULL, 0, at, buf_cstr(&line), &len);
    buf_free(&line);
    return commit(doc, text, len, expected, err);
}

/* New [section] (or sections, for a table value) at the end. */
static int append_section(toml_doc *doc, const char *const *keys, size_t n, const toml_value *value,
                          const toml_value *expected, struct toml_error *err)
{
    struct buf add = BUF_INIT;
    if (doc->text.len > 0) {
        if (doc->text.data[doc->text.len - 1] != '\n')
            buf_putc(&add, '\n');
        buf_putc(&add, '\n');
    }
    if (value->type == TOML_TABLE) {
        toml_write_sections(&add, keys, n, value);
    } else {
        buf_putc(&add, '[');
        toml_write_key_path(&add, keys, n - 1);
        buf_puts(&add, "]\n");
        write_line(&add, "", 0, keys + n - 1, 1, value);
    }
    size_t len;
    char *text = splice(doc, NULL, 0, doc->text.len, buf_cstr(&add), &len);
    buf_free(&add);
    return commit(doc, text, len, expected, err);
}

static int set_missing(toml_doc *doc, const char *const *keys, size_t n, size_t depth, const toml_value *table,
                       const toml_value *value, const toml_value *expected, struct toml_error *err)
{
    if (table->flags & TOML_FLAG_DOTTED && !(table->flags & TOML_FLAG_HEADER)) {
        /* Defined by dotted keys: add another dotted key next to them. */
        const struct toml_stmt *last = NULL;
        for (size_t i = 0; i < doc->layout.len; i++) {
            const struct toml_stmt *s = &doc->layout.stmts[i];
            if (s->kind == TOML_STMT_KEYVAL && stmt_under(s, keys, depth) && (size_t)s->nsection < depth)
                last = s;
        }
        if (last) {
            size_t ns = (size_t)last->nsection;
            return insert_line(doc, last->line_end, last->line_start, keys + ns, n - ns, value, expected, err);
        }
    }
    bool own_section = (table->flags & TOML_FLAG_HEADER) != 0;
    if (own_section && n - depth == 1 && value->type != TOML_TABLE) {
        /* Into the table's own section, after its last key-value line. */
        size_t section_idx = (size_t)-1;
        if (depth > 0) {
            for (size_t i = 0; i < doc->layout.len; i++) {
                const struct toml_stmt *s = &doc->layout.stmts[i];
                if (s->kind == TOML_STMT_TABLE && same_path(s->section, s->nsection, keys, depth)) {
                    section_idx = i;
                    break;
                }
            }
            if (section_idx == (size_t)-1)
                return append_section(doc, keys, n, value, expected, err);
        }
        const struct toml_stmt *anchor = depth > 0 ? &doc->layout.stmts[section_idx] : NULL;
        const struct toml_stmt *last_kv = NULL;
        for (size_t i = depth > 0 ? section_idx + 1 : 0; i < doc->layout.len; i++) {
            const struct toml_stmt *s = &doc->layout.stmts[i];
            if (s->kind != TOML_STMT_KEYVAL)
                break;
            last_kv = s;
        }
        if (last_kv)
            return insert_line(doc, last_kv->line_end, last_kv->line_start, keys + depth, 1, value, expected, err);
        if (!anchor)
            return insert_root_first(doc, keys + depth, 1, value, expected, err);
        return insert_line(doc, anchor->line_end, anchor->line_start, keys + depth, 1, value, expected, err);
    }
    return append_section(doc, keys, n, value, expected, err);
}

int toml_doc_set(toml_doc *doc, const char *const *keys, size_t n, const toml_value *value, struct toml_error *err)
{
    if (n == 0) {
        toml_set_error(err, 0, 0, "an empty key path names no key");
        return -1;
    }
    size_t depth;
    const toml_value *table;
    enum walk_result w = walk(doc->root, keys, n, &depth, &table, err);
    if (w == WALK_BLOCKED)
        return -1;
    const struct toml_stmt *s = find_defining_keyval(doc, keys, n);
    if (s && stmt_full_len(s) < n)
        return edit_inside_inline(doc, s, keys, n, value, err);
    toml_value *expected = toml_clone(doc->root);
    toml_table_set_path(expected, keys, n, toml_clone(value));
    int rc;
    if (s) {
        char *rendered = toml_to_inline(value);
        rc = replace_span(doc, s->value_start, s->value_end, rendered, expected, err);
        free(rendered);
    } else if (w == WALK_FOUND) {
        /* A table or array of tables written as sections: replace it. */
        rc = unset_table(doc, keys, n, err);
        if (rc == 0)
            rc = toml_doc_set(doc, keys, n, value, err);
    } else if (table->type != TOML_TABLE) {
        toml_set_error(err, 0, 0, "cannot add a key under a %s", toml_type_name(table->type));
        rc = -1;
    } else {
        rc = set_missing(doc, keys, n, depth, table, value, expected, err);
    }
    toml_free(expected);
    return rc;
}
