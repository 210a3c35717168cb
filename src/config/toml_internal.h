/* Internals shared by the toml_*.c files: the value layout, the flags the
 * parser uses to enforce TOML's definition rules, and the statement layout
 * the editor reads back from a parse. */
#ifndef CODEX_CONFIG_TOML_INTERNAL_H
#define CODEX_CONFIG_TOML_INTERNAL_H

#include "config/toml.h"

/* How a table or array came to exist; TOML's redefinition rules depend on it. */
enum {
    TOML_FLAG_HEADER = 1 << 0,   /* table named by a [header] (or the root) */
    TOML_FLAG_IMPLICIT = 1 << 1, /* table created as a prefix of a header path */
    TOML_FLAG_DOTTED = 1 << 2,   /* table created by a dotted key */
    TOML_FLAG_INLINE = 1 << 3,   /* inline table or array literal: frozen */
    TOML_FLAG_AOT = 1 << 4,      /* array built by [[header]]s */
};

struct toml_table_data {
    char **keys;
    toml_value **vals;
    size_t len, cap;
    /* Open-addressing index of slot+1 (0 = empty), built once a table grows
     * past a handful of keys so that large tables stay linear to build. */
    uint32_t *index;
    size_t index_cap;
};

struct toml_value {
    enum toml_type type;
    unsigned flags;
    int line, col;
    union {
        struct {
            char *ptr; /* NUL-terminated; strings may also hold NULs */
            size_t len;
        } str;         /* TOML_STRING and the four date/time types */
        int64_t integer;
        double real;
        bool boolean;
        struct {
            toml_value **items;
            size_t len, cap;
        } arr;
        struct toml_table_data tab;
    } u;
};

toml_value *toml_new_datetime(enum toml_type type, const char *text, size_t len);
/* Append key (taking ownership of the string) when the caller knows it is
 * absent. */
void toml_table_insert_owned(toml_value *table, char *key, toml_value *value);
/* Index of key in table, or -1. */
long toml_table_find(const toml_value *table, const char *key);

/* Error helper: printf into err->message. */
void toml_set_error(struct toml_error *err, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- What the editor needs to know about a document's layout ---------- */

enum toml_stmt_kind { TOML_STMT_KEYVAL, TOML_STMT_TABLE, TOML_STMT_AOT };

struct toml_stmt {
    enum toml_stmt_kind kind;
    /* TABLE/AOT: the header's path.  KEYVAL: the path of the section it is in. */
    char **section;
    int nsection;
    /* KEYVAL: the (possibly dotted) key. */
    char **key;
    int nkey;
    size_t line_start;  /* first byte of the line holding the statement */
    size_t value_start; /* KEYVAL: the value's first byte */
    size_t value_end;   /* KEYVAL: one past its last byte */
    size_t line_end;    /* one past the statement's final newline (or EOF) */
};

struct toml_layout {
    struct toml_stmt *stmts;
    size_t len, cap;
};

/* Parse while recording statements into layout (which the caller frees with
 * toml_layout_free). */
toml_value *toml_parse_layout(const char *text, size_t len, struct toml_error *err,
                              struct toml_layout *layout);
void toml_layout_free(struct toml_layout *layout);

/* Writing helpers shared by toml_write.c and the editor. */
struct buf;
bool toml_key_is_bare(const char *key);
void toml_write_key(struct buf *out, const char *key);
void toml_write_inline(struct buf *out, const toml_value *v);
void toml_write_key_path(struct buf *out, const char *const *keys, size_t n);
/* table as a [keys] section followed by its sub-tables' sections; sections
 * after the first are preceded by a blank line. */
void toml_write_sections(struct buf *out, const char *const *keys, size_t n, const toml_value *table);

#endif
