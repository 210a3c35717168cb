/* libFuzzer harness for the CSV reader (util/csv.h) behind
 * spawn_agents_on_csv.  Any input: no crash, hang or leak; records never
 * start before line 1 nor go backwards; every field is NUL-terminated at
 * its length; and writing a record's fields back with csv_escape and
 * reading that again gives the same fields (the round trip the job's
 * output CSV relies on). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/csv.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct csv_table t;
    csv_parse((const char *)data, size, &t);
    int last_line = 1;
    for (size_t r = 0; r < t.n; r++) {
        const struct csv_record *rec = &t.records[r];
        check(rec->n >= 1, "a record without a field");
        check(rec->line >= last_line, "records out of line order");
        last_line = rec->line;
        int has_nul = 0;
        for (size_t f = 0; f < rec->n; f++) {
            check(rec->fields[f][rec->lens[f]] == '\0', "a field not terminated at its length");
            has_nul |= strlen(rec->fields[f]) != rec->lens[f];
        }
        /* Round trip: one record written with csv_escape reads back the same
         * (fields with NUL bytes cannot be C strings, so they are left out;
         * a record of one empty field is written as a blank line, which
         * reads as no record). */
        if (has_nul || (rec->n == 1 && rec->lens[0] == 0))
            continue;
        /* After a first line, as in a file: a byte order mark is only
         * dropped at the very start of the input. */
        struct buf line = BUF_INIT;
        buf_puts(&line, "h\n");
        for (size_t f = 0; f < rec->n; f++) {
            char *esc = csv_escape(rec->fields[f]);
            if (f)
                buf_puts(&line, ",");
            buf_puts(&line, esc);
            free(esc);
        }
        buf_puts(&line, "\n");
        size_t n;
        char *text = buf_detach(&line, &n);
        struct csv_table again;
        csv_parse(text, n, &again);
        check(again.n == 2, "a written record does not read back as one record");
        const struct csv_record *back = &again.records[1];
        check(back->n == rec->n, "a written record reads back with another field count");
        for (size_t f = 0; f < rec->n; f++)
            check(back->lens[f] == rec->lens[f] &&
                      memcmp(back->fields[f], rec->fields[f], rec->lens[f]) == 0,
                  "a written field reads back changed");
        csv_table_free(&again);
        free(text);
    }
    csv_table_free(&t);
    return 0;
}
