/* CSV as spreadsheets write it (RFC 4180, read leniently): fields split by
 * commas, records by LF, CRLF or CR; a field that starts with a double
 * quote runs to the closing quote, with "" standing for one quote and line
 * breaks kept.  Nothing is an error: text after a closing quote joins the
 * field, an unclosed quote ends at the end of the input, blank lines are
 * skipped, and records may differ in length (the caller decides what a
 * short row means).  A UTF-8 byte order mark before the first field is
 * dropped. */
#ifndef CODEX_UTIL_CSV_H
#define CODEX_UTIL_CSV_H

#include <stddef.h>

struct csv_record {
    char **fields; /* NUL-terminated copies (a field may hold NUL bytes: lens) */
    size_t *lens;
    size_t n;
    int line;      /* 1-based line of the input where the record starts */
};

struct csv_table {
    struct csv_record *records;
    size_t n;
};

void csv_parse(const char *text, size_t len, struct csv_table *out);
void csv_table_free(struct csv_table *t);

/* One field as a CSV writer puts it: quoted (quotes doubled) when it holds
 * a comma, a quote or a line break, else as is.  Caller frees. */
char *csv_escape(const char *field);

#endif
