/* toml-test decoder: TOML on stdin, toml-test's tagged JSON on stdout; exit 1
 * with the error on stderr when the input is not valid TOML. */
#include "config/toml.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(struct buf *out, const char *s, size_t len)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            buf_printf(out, "\\u%04x", c);
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '"');
}

static void tagged(struct buf *out, const char *type, const char *value)
{
    buf_puts(out, "{\"type\":\"");
    buf_puts(out, type);
    buf_puts(out, "\",\"value\":");
    json_string(out, value, strlen(value));
    buf_putc(out, '}');
}

static void emit(struct buf *out, const toml_value *v)
{
    char tmp[64];
    size_t len;
    const char *s;
    switch (toml_type(v)) {
    case TOML_STRING:
        s = toml_string(v, &len);
        buf_puts(out, "{\"type\":\"string\",\"value\":");
        json_string(out, s, len);
        buf_putc(out, '}');
        break;
    case TOML_INTEGER:
        snprintf(tmp, sizeof tmp, "%lld", (long long)toml_integer(v));
        tagged(out, "integer", tmp);
        break;
    case TOML_FLOAT: {
        double d = toml_float(v);
        if (d != d)
            snprintf(tmp, sizeof tmp, "nan");
        else if (d == __builtin_inf())
            snprintf(tmp, sizeof tmp, "+inf");
        else if (d == -__builtin_inf())
            snprintf(tmp, sizeof tmp, "-inf");
        else
            snprintf(tmp, sizeof tmp, "%.17g", d);
        tagged(out, "float", tmp);
        break;
    }
    case TOML_BOOLEAN: tagged(out, "bool", toml_bool(v) ? "true" : "false"); break;
    case TOML_OFFSET_DATETIME: tagged(out, "datetime", toml_datetime(v)); break;
    case TOML_LOCAL_DATETIME: tagged(out, "datetime-local", toml_datetime(v)); break;
    case TOML_LOCAL_DATE: tagged(out, "date-local", toml_datetime(v)); break;
    case TOML_LOCAL_TIME: tagged(out, "time-local", toml_datetime(v)); break;
    case TOML_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < toml_array_len(v); i++) {
            if (i)
                buf_putc(out, ',');
            emit(out, toml_array_at(v, i));
        }
        buf_putc(out, ']');
        break;
    case TOML_TABLE:
        buf_putc(out, '{');
        for (size_t i = 0; i < toml_table_len(v); i++) {
            if (i)
                buf_putc(out, ',');
            const char *key = toml_table_key_at(v, i);
            json_string(out, key, strlen(key));
            buf_putc(out, ':');
            emit(out, toml_table_value_at(v, i));
        }
        buf_putc(out, '}');
        break;
    }
}

int main(void)
{
    struct buf in = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_append(&in, chunk, n);
    struct toml_error err;
    toml_value *root = toml_parse(buf_cstr(&in), in.len, &err);
    if (!root) {
        char msg[512];
        toml_error_format(&err, "<stdin>", msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        buf_free(&in);
        return 1;
    }
    struct buf out = BUF_INIT;
    emit(&out, root);
    buf_putc(&out, '\n');
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    buf_free(&in);
    toml_free(root);
    return 0;
}
