#include "util/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

struct record_builder {
    struct csv_record rec;
    size_t cap;
};

static void push_field(struct record_builder *rb, struct buf *field)
{
    if (rb->rec.n == rb->cap) {
        rb->cap = rb->cap ? rb->cap * 2 : 8;
        rb->rec.fields = xrealloc(rb->rec.fields, rb->cap * sizeof *rb->rec.fields);
        rb->rec.lens = xrealloc(rb->rec.lens, rb->cap * sizeof *rb->rec.lens);
    }
    size_t n = field->len;
    char *s = buf_detach(field, NULL);
    if (!s)
        s = xstrdup("");
    rb->rec.fields[rb->rec.n] = s;
    rb->rec.lens[rb->rec.n] = n;
    rb->rec.n++;
}

static void push_record(struct csv_table *t, size_t *cap, struct record_builder *rb)
{
    if (t->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        t->records = xrealloc(t->records, *cap * sizeof *t->records);
    }
    t->records[t->n++] = rb->rec;
    memset(rb, 0, sizeof *rb);
}

void csv_parse(const char *text, size_t len, struct csv_table *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, i = 0;
    int line = 1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    struct record_builder rb = {0};
    struct buf field = BUF_INIT;
    bool in_record = false;
    while (i < len) {
        char ch = text[i];
        if (!in_record) {
            /* A blank line is no record. */
            if (ch == '\n' || ch == '\r') {
                i += ch == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
                line++;
                continue;
            }
            in_record = true;
            rb.rec.line = line;
        }
        if (ch == '"' && field.len == 0) {
            /* A quoted field: up to the quote not followed by another. */
            i++;
            while (i < len) {
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        buf_append(&field, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n' || (text[i] == '\r' && !(i + 1 < len && text[i + 1] == '\n')))
                    line++;
                buf_append(&field, text + i, 1);
                i++;
            }
            /* Whatever follows up to the separator joins the field. */
            size_t start = i;
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                i++;
            buf_append(&field, text + start, i - start);
            continue;
        }
        if (ch == ',') {
            push_field(&rb, &field);
            i++;
            continue;
        }
        if (ch == '\n' || ch == '\r') {
            push_field(&rb, &field);
            push_record(out, &cap, &rb);
            in_record = false;
            i += ch == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
            line++;
            continue;
        }
        size_t start = i;
        while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
            i++;
        buf_append(&field, text + start, i - start);
    }
    if (in_record) {
        push_field(&rb, &field);
        push_record(out, &cap, &rb);
    }
    buf_free(&field);
}

void csv_table_free(struct csv_table *t)
{
    for (size_t r = 0; r < t->n; r++) {
        for (size_t f = 0; f < t->records[r].n; f++)
            free(t->records[r].fields[f]);
        free(t->records[r].fields);
        free(t->records[r].lens);
    }
    free(t->records);
    memset(t, 0, sizeof *t);
}

char *csv_escape(const char *field)
{
    if (!strpbrk(field, ",\"\r\n"))
        return xstrdup(field);
    struct buf b = BUF_INIT;
    buf_puts(&b, "\"");
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            buf_puts(&b, "\"\"");
        else
            buf_append(&b, p, 1);
    }
    buf_puts(&b, "\"");
    return buf_detach(&b, NULL);
}
