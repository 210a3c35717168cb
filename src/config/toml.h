/* TOML 1.0: a reader into a value tree and a format-preserving editor.
 *
 * The value tree (toml_value) is what config loading works on: parse each
 * layer, merge layers, look keys up.  The editor (toml_doc) changes one key
 * of a document while keeping every untouched line byte for byte, for
 * `codex features enable`, config/value/write and friends. */
#ifndef CODEX_CONFIG_TOML_H
#define CODEX_CONFIG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOLEAN,
    TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z */
    TOML_LOCAL_DATETIME,  /* 1979-05-27T07:32:00 */
    TOML_LOCAL_DATE,      /* 1979-05-27 */
    TOML_LOCAL_TIME,      /* 07:32:00 */
    TOML_ARRAY,
    TOML_TABLE,
};

typedef struct toml_value toml_value;

/* Where parsing failed.  message says what was found and what was expected,
 * without the location; line and col are 1-based (col counts characters). */
struct toml_error {
    char message[256];
    int line;
    int col;
};

/* Format "FILE:LINE:COL: MESSAGE" into out (always NUL-terminated). */
void toml_error_format(const struct toml_error *err, const char *filename, char *out, size_t outlen);

/* Parse a whole document; returns its root table, or NULL with *err set.
 * Input that is not valid UTF-8 or not valid TOML 1.0 is rejected. */
toml_value *toml_parse(const char *text, size_t len, struct toml_error *err);

/* Parse one value as it would appear right of '=' (for `-c key=value`).
 * Returns NULL with *err set when text is not exactly one TOML value. */
toml_value *toml_parse_value(const char *text, size_t len, struct toml_error *err);

/* The reference Codex reads config.toml as TOML 1.1, which adds to 1.0:
 * newlines, comments and a trailing comma inside inline tables, \xHH and \e
 * escapes, and times without seconds ("07:32", read as 07:32:00).  These
 * variants accept that dialect; the plain functions above are TOML 1.0
 * (plus \e).  Everything else (values, the editor) is the same. */
enum toml_dialect { TOML_1_0, TOML_1_1 };
toml_value *toml_parse_dialect(const char *text, size_t len, enum toml_dialect dialect, struct toml_error *err);
toml_value *toml_parse_value_dialect(const char *text, size_t len, enum toml_dialect dialect,
                                     struct toml_error *err);

/* Split a dotted key ("a.b", "profiles.\"my.x\".model", bare or quoted
 * parts, whitespace around dots allowed) into its parts.  Returns the number
 * of parts stored in *keys_out (a malloc'd array of malloc'd strings; free
 * with toml_free_keys), or -1 with *err set. */
int toml_parse_dotted_key(const char *text, char ***keys_out, struct toml_error *err);
void toml_free_keys(char **keys, int n);

void toml_free(toml_value *v);
toml_value *toml_clone(const toml_value *v);

enum toml_type toml_type(const toml_value *v);
const char *toml_type_name(enum toml_type t); /* "string", "integer", "table", ... */

/* Position of the value in the source (1-based; 0 for built values). */
int toml_line(const toml_value *v);
int toml_col(const toml_value *v);

/* Scalars.  Calling an accessor on a value of another type is a bug (asserts). */
const char *toml_string(const toml_value *v, size_t *len_out); /* UTF-8; may hold NULs */
int64_t toml_integer(const toml_value *v);
double toml_float(const toml_value *v);
bool toml_bool(const toml_value *v);
/* Date/time values in canonical RFC 3339 text as written (e.g. "1979-05-27T07:32:00Z"). */
const char *toml_datetime(const toml_value *v);

/* Arrays. */
size_t toml_array_len(const toml_value *v);
toml_value *toml_array_at(const toml_value *v, size_t i);
void toml_array_push(toml_value *array, toml_value *item); /* takes ownership */

/* Tables keep insertion order. */
size_t toml_table_len(const toml_value *v);
const char *toml_table_key_at(const toml_value *v, size_t i);
toml_value *toml_table_value_at(const toml_value *v, size_t i);
toml_value *toml_table_get(const toml_value *table, const char *key);
/* Follow keys[0..n) through nested tables; NULL when any step is missing or
 * not a table. */
toml_value *toml_table_get_path(const toml_value *table, const char *const *keys, size_t n);
/* Set table[key] = value (takes ownership; replaces and frees an old value). */
void toml_table_set(toml_value *table, const char *key, toml_value *value);
/* Set along a path, creating intermediate tables; an intermediate that is not
 * a table is replaced by one. */
void toml_table_set_path(toml_value *table, const char *const *keys, size_t n, toml_value *value);
bool toml_table_remove(toml_value *table, const char *key);

/* Deep merge: tables are merged key by key recursively, anything else in
 * overlay replaces what base has.  overlay is not modified. */
void toml_merge(toml_value *base, const toml_value *overlay);

/* Structural equality: same types and values; tables compare key sets
 * regardless of order; NaN equals NaN (so a re-parse compares equal). */
bool toml_equal(const toml_value *a, const toml_value *b);

/* Constructors. */
toml_value *toml_new_table(void);
toml_value *toml_new_array(void);
toml_value *toml_new_string(const char *s, size_t len);
toml_value *toml_new_integer(int64_t i);
toml_value *toml_new_float(double d);
toml_value *toml_new_bool(bool b);

/* Render a value as TOML source text (inline form for tables and arrays),
 * e.g. "\"o3\"", "[1, 2]", "{ a = 1 }".  Caller frees. */
char *toml_to_inline(const toml_value *v);

/* Render a whole table as a TOML document (caller frees). */
char *toml_to_document(const toml_value *root);

/* ---- Format-preserving editor ------------------------------------------- */

typedef struct toml_doc toml_doc;

/* Parse a document for editing (must be valid TOML); NULL with *err set. */
toml_doc *toml_doc_parse(const char *text, size_t len, struct toml_error *err);
toml_doc *toml_doc_parse_dialect(const char *text, size_t len, enum toml_dialect dialect, struct toml_error *err);

/* Set the value at a key path.  An existing key is rewritten in place
 * (keeping its line's comment); a missing key is added to the right
 * [table] section, which is created at the end when absent.  Setting a
 * table value writes it as a [section] (or sections) when its parent is
 * not an inline table.  Returns 0, or -1 with *err set (for example when a
 * path crosses a non-table value). */
int toml_doc_set(toml_doc *doc, const char *const *keys, size_t n, const toml_value *value,
                 struct toml_error *err);

/* Remove a key (or a whole table) if present.  Returns 1 removed, 0 absent,
 * -1 with *err set. */
int toml_doc_unset(toml_doc *doc, const char *const *keys, size_t n, struct toml_error *err);

/* The current text of the document (owned by doc; valid until the next edit). */
const char *toml_doc_text(const toml_doc *doc, size_t *len_out);

void toml_doc_free(toml_doc *doc);

/* The value as JSON: tables as objects, date-times as their text. */
struct json_t;
struct json_t *toml_to_json(const toml_value *v);
/* A -c override "key=<value as a TOML literal>" from a JSON value (the
 * `config` objects clients send with a new thread).  Caller frees. */
char *toml_override_from_json(const char *key, const struct json_t *v);
/* A JSON value as a TOML value.  null has no TOML form: with skip_nulls
 * a null inside an array or object is left out (as if absent), else the
 * whole value is NULL with *why set.  A top-level null is always NULL. */
toml_value *toml_from_json(const struct json_t *v, bool skip_nulls, const char **why);

#endif
