/* Unit tests for the CSV reader and writer (util/csv.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

static struct csv_table parse(const char *text)
{
    struct csv_table t;
    csv_parse(text, strlen(text), &t);
    return t;
}

static void assert_record(const struct csv_table *t, size_t r, int line, size_t n, ...)
{
    assert_true(r < t->n);
    assert_int_equal(t->records[r].line, line);
    assert_int_equal(t->records[r].n, n);
    va_list ap;
    va_start(ap, n);
    for (size_t f = 0; f < n; f++)
        assert_string_equal(t->records[r].fields[f], va_arg(ap, const char *));
    va_end(ap);
}

static void test_plain_records_and_line_endings(void **state)
{
    (void)state;
    struct csv_table t = parse("id,name\r\n1,alpha\n2,beta\r3,gamma");
    assert_int_equal(t.n, 4);
    assert_record(&t, 0, 1, 2, "id", "name");
    assert_record(&t, 1, 2, 2, "1", "alpha");
    assert_record(&t, 2, 3, 2, "2", "beta");
    assert_record(&t, 3, 4, 2, "3", "gamma");
    csv_table_free(&t);
}

static void test_quoted_fields_keep_commas_quotes_and_newlines(void **state)
{
    (void)state;
    struct csv_table t = parse("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"\"\nnext,row\n");
    assert_int_equal(t.n, 4);
    assert_record(&t, 1, 2, 2, "x, y", "say \"hi\"");
    assert_record(&t, 2, 3, 2, "two\nlines", "");
    /* The record after a quoted line break starts on the line it is on. */
    assert_record(&t, 3, 5, 2, "next", "row");
    csv_table_free(&t);
}

static void test_blank_lines_are_skipped_and_bom_dropped(void **state)
{
    (void)state;
    struct csv_table t = parse("\xEF\xBB\xBFid,v\n\n\r\n1,2\n\n");
    assert_int_equal(t.n, 2);
    assert_record(&t, 0, 1, 2, "id", "v");
    assert_record(&t, 1, 4, 2, "1", "2");
    csv_table_free(&t);
}

static void test_ragged_and_lenient_input_is_read_as_is(void **state)
{
    (void)state;
    /* Short and long rows are kept as they are; text after a closing quote
     * joins the field; a quote inside a field is a character; an unclosed
     * quote runs to the end. */
    struct csv_table t = parse("a,b,c\nonly\n1,2,3,4\n\"q\"tail,mid\"dle,x\n\"open,end\n");
    assert_int_equal(t.n, 5);
    assert_record(&t, 1, 2, 1, "only");
    assert_record(&t, 2, 3, 4, "1", "2", "3", "4");
    assert_record(&t, 3, 4, 3, "qtail", "mid\"dle", "x");
    assert_record(&t, 4, 5, 1, "open,end\n");
    csv_table_free(&t);
}

static void test_escape_quotes_only_when_needed(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"plain", "plain"}, {"a,b", "\"a,b\""}, {"say \"x\"", "\"say \"\"x\"\"\""},
        {"l1\nl2", "\"l1\nl2\""}, {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *e = csv_escape(cases[i][0]);
        assert_string_equal(e, cases[i][1]);
        struct csv_table t = parse(e);
        if (*cases[i][0]) {
            assert_int_equal(t.n, 1);
            assert_string_equal(t.records[0].fields[0], cases[i][0]);
        }
        csv_table_free(&t);
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_records_and_line_endings),
        cmocka_unit_test(test_quoted_fields_keep_commas_quotes_and_newlines),
        cmocka_unit_test(test_blank_lines_are_skipped_and_bom_dropped),
        cmocka_unit_test(test_ragged_and_lenient_input_is_read_as_is),
        cmocka_unit_test(test_escape_quotes_only_when_needed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
