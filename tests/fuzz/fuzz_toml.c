/* libFuzzer harness for the TOML reader, writer and editor.
 * Any input: parsing must not crash.  Valid input: rendering the tree as a
 * document (and as an inline value) must re-parse to an equal tree, and
 * editor operations on keys found in the tree must either succeed with text
 * that re-parses to the expected tree or fail with an ordinary error. */
#include "config/toml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 12
#define MAX_DEPTH 6

struct path {
    const char *keys[MAX_DEPTH + 1];
    size_t n;
};

static void collect(const toml_value *t, struct path *cur, struct path *out, size_t *nout)
{
    for (size_t i = 0; i < toml_table_len(t) && *nout < MAX_PATHS; i++) {
        cur->keys[cur->n++] = toml_table_key_at(t, i);
        out[(*nout)++] = *cur;
        const toml_value *v = toml_table_value_at(t, i);
        if (toml_type(v) == TOML_TABLE && cur->n < MAX_DEPTH)
            collect(v, cur, out, nout);
        cur->n--;
    }
}

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_toml: %s\n", what);
        abort();
    }
}

static void check_text(const toml_doc *doc, const toml_value *expected)
{
    size_t len;
    const char *text = toml_doc_text(doc, &len);
    struct toml_error err;
    toml_value *again = toml_parse(text, len, &err);
    check(again != NULL, "edited text does not parse");
    if (expected)
        check(toml_equal(again, expected), "edited text parses to another tree");
    toml_free(again);
}

static void edit(const char *text, size_t len, const toml_value *root, const struct path *p, int op)
{
    struct toml_error err;
    toml_doc *doc = toml_doc_parse(text, len, &err);
    check(doc != NULL, "toml_doc_parse rejects what toml_parse accepts");
    toml_value *value = op == 0 ? toml_new_integer(7) : toml_new_table();
    if (op == 1)
        toml_table_set(value, "k", toml_new_string("a\"b", 3));
    struct path q = *p;
    if (op == 2)
        q.keys[q.n++] = "new key";
    int rc;
    memset(&err, 0, sizeof err);
    if (op == 3) {
        rc = toml_doc_unset(doc, q.keys, q.n, &err);
        check(rc >= -1 && rc <= 1, "unset result out of range");
        if (rc >= 0)
            check_text(doc, NULL);
    } else {
        rc = toml_doc_set(doc, q.keys, q.n, value, &err);
        if (rc == 0) {
            toml_value *expected = toml_clone(root);
            toml_table_set_path(expected, q.keys, q.n, toml_clone(value));
            check_text(doc, expected);
            toml_free(expected);
        }
    }
    if (rc < 0)
        check(strncmp(err.message, "internal error", 14) != 0, err.message);
    toml_free(value);
    toml_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *text = (const char *)data;
    struct toml_error err;
    toml_value *root = toml_parse(text, size, &err);

    toml_value *single = toml_parse_value(text, size, &err);
    if (single) {
        char *inl = toml_to_inline(single);
        toml_value *again = toml_parse_value(inl, strlen(inl), &err);
        check(again && toml_equal(single, again), "inline rendering of a value does not round-trip");
        toml_free(again);
        free(inl);
        toml_free(single);
    }
    if (!root)
        return 0;

    char *doc_text = toml_to_document(root);
    toml_value *again = toml_parse(doc_text, strlen(doc_text), &err);
    if (!again)
        fprintf(stderr, "%s\n---\n%s\n", err.message, doc_text);
    check(again != NULL, "toml_to_document output does not parse");
    check(toml_equal(root, again), "toml_to_document output parses to another tree");
    toml_free(again);
    free(doc_text);

    toml_value *copy = toml_clone(root);
    check(toml_equal(root, copy), "clone differs");
    toml_merge(copy, root);
    check(toml_equal(root, copy), "merging a tree into its copy changes it");
    toml_free(copy);

    struct path cur = {{0}, 0}, paths[MAX_PATHS];
    size_t npaths = 0;
    collect(root, &cur, paths, &npaths);
    for (size_t i = 0; i < npaths; i++)
        edit(text, size, root, &paths[i], (int)((i + size) % 4));
    struct path fresh = {{"profiles", "new.x", "model"}, 3};
    edit(text, size, root, &fresh, 0);
    toml_free(root);
    return 0;
}
