/* Styled text for the TUI: wrapping, markdown (as the reference renders
 * it, see TUI_FINDINGS §5), syntax colours and incremental streaming. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/highlight.h"
#include "tui/markdown.h"
#include "tui/text.h"
#include "tui/width.h"
#include "util/buf.h"

/* The rows as text joined by '\n'. */
static char *rows_text(const struct tlines *ls)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < ls->n; i++) {
        char *t = tline_text(&ls->v[i]);
        buf_puts(&b, t);
        buf_putc(&b, '\n');
        free(t);
    }
    return buf_detach(&b, NULL);
}

static void assert_rows(const struct tlines *ls, const char *want)
{
    char *got = rows_text(ls);
    if (strcmp(got, want) != 0)
        fail_msg("got:\n%s\nwant:\n%s", got, want);
    free(got);
}

/* The style of the first occurrence of needle in the rows. */
static struct tstyle style_at(const struct tlines *ls, const char *needle)
{
    for (size_t i = 0; i < ls->n; i++) {
        const struct tline *l = &ls->v[i];
        const char *hit = l->text ? strstr(l->text, needle) : NULL;
        if (!hit)
            continue;
        uint32_t off = (uint32_t)(hit - l->text);
        for (uint32_t k = 0; k < l->n; k++)
            if (off >= l->spans[k].off && off < l->spans[k].off + l->spans[k].len)
                return l->spans[k].style;
    }
    fail_msg("\"%s\" not found", needle);
    return TSTYLE_PLAIN;
}

static void wrap_breaks_at_spaces_with_prefixes(void **state)
{
    (void)state;
    struct tline src, first, rest;
    tline_init(&src);
    tline_init(&first);
    tline_init(&rest);
    tline_adds(&src, "the quick brown fox jumps over", TSTYLE_PLAIN);
    tline_adds(&first, "• ", TSTYLE_PLAIN);
    tline_adds(&rest, "  ", TSTYLE_PLAIN);
    struct tlines out;
    tlines_init(&out);
    tline_wrap(&src, 12, &first, &rest, &out);
    assert_rows(&out, "• the quick\n  brown fox\n  jumps over\n");
    tlines_clear(&out);
    tline_reset(&src);
    tline_adds(&src, "abcdefghijklmnopqrstuvwxyz", TSTYLE_PLAIN);
    tline_wrap(&src, 10, NULL, NULL, &out);
    assert_rows(&out, "abcdefghij\nklmnopqrst\nuvwxyz\n");
    tlines_clear(&out);
    tline_reset(&src);
    tline_adds(&src, "中文中文中", TSTYLE_PLAIN);
    tline_wrap(&src, 5, NULL, NULL, &out);
    assert_rows(&out, "中文\n中文\n中\n");
    tlines_clear(&out);
    tline_reset(&src);
    tline_wrap(&src, 10, &first, &rest, &out);
    assert_rows(&out, "• \n");
    tlines_free(&out);
    tline_free(&src);
    tline_free(&first);
    tline_free(&rest);
}

static void truncate_ends_with_an_ellipsis(void **state)
{
    (void)state;
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "hello ", TSTYLE_PLAIN);
    tline_adds(&l, "world", tstyle_attr(TA_BOLD));
    tline_truncate(&l, 8);
    char *t = tline_text(&l);
    assert_string_equal(t, "hello w…");
    assert_int_equal(tline_width(&l), 8);
    free(t);
    tline_free(&l);
}

static const char MDDEMO[] =
    "## Build notes\n\nThe project has **three** parts and uses `make`:\n\n"
    "- Parser: reads the *input* file\n- Engine: runs the main loop\n"
    "  - nested item with `inline code`\n- Printer: writes results\n\n"
    "1. First ordered step\n2. Second ordered step\n\n"
    "```c\n#include <stdio.h>\n\nint main(void) {\n    printf(\"hello\\n\");\n    return 0;\n}\n"
    "```\n\n> A quoted remark.\n\nSee [the docs](https://example.com/docs) and `src/main.c:12` "
    "for details.";

static const char MDDEMO_ROWS[] =
    "## Build notes\n"
    "\n"
    "The project has three parts and uses make:\n"
    "\n"
    "• Parser: reads the input file\n"
    "• Engine: runs the main loop\n"
    "    • nested item with inline code\n"
    "\n"
    "• Printer: writes results\n"
    "\n"
    "1. First ordered step\n"
    "2. Second ordered step\n"
    "\n"
    "#include <stdio.h>\n"
    "\n"
    "int main(void) {\n"
    "    printf(\"hello\\n\");\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "> A quoted remark.\n"
    "\n"
    "See the docs (https://example.com/docs) and src/main.c:12 for details.\n";

static void markdown_renders_like_the_reference(void **state)
{
    (void)state;
    if (!md_available())
        skip();
    struct tlines out;
    tlines_init(&out);
    md_render(MDDEMO, sizeof MDDEMO - 1, 116, &out);
    assert_rows(&out, MDDEMO_ROWS);
    struct tstyle h = style_at(&out, "## Build");
    assert_true(h.attrs & TA_BOLD);
    assert_int_equal(h.fg, TC_HEX(0xfab387));
    struct tstyle bold = style_at(&out, "three");
    assert_true(bold.attrs & TA_BOLD);
    assert_int_equal(bold.fg, TC_HEX(0xf38ba8));
    assert_true(style_at(&out, "input").attrs & TA_ITALIC);
    assert_int_equal(style_at(&out, "make").fg, TC_HEX(0xa6e3a1));
    assert_int_equal(style_at(&out, "•").fg, TC_HEX(0x94e2d5));
    assert_int_equal(style_at(&out, "1.").fg, TC_INDEX(12));
    assert_int_equal(style_at(&out, "A quoted").fg, TC_HEX(0xf5c2e7));
    struct tstyle link = style_at(&out, "https://example.com");
    assert_true(link.attrs & TA_UNDERLINE);
    assert_int_equal(link.fg, TC_HEX(0x89b4fa));
    assert_int_equal(style_at(&out, "#include").fg, HL_KEYWORD);
    assert_int_equal(style_at(&out, "<stdio.h>").fg, HL_STRING);
    assert_int_equal(style_at(&out, "main(").fg, HL_FUNCTION);
    assert_int_equal(style_at(&out, "\\n").fg, HL_ESCAPE);
    tlines_free(&out);
}

static void markdown_wraps_tables_and_narrow_widths(void **state)
{
    (void)state;
    if (!md_available())
        skip();
    static const char table[] = "| name | value |\n|---|---|\n| alpha | 1 |\n| b | 22 |\n";
    struct tlines out;
    tlines_init(&out);
    md_render(table, sizeof table - 1, 40, &out);
    assert_rows(&out, "name  │ value\n"
                      "──────┼──────\n"
                      "alpha │ 1\n"
                      "b     │ 22\n");
    tlines_clear(&out);
    static const char para[] = "- a list item whose text is long enough to wrap";
    md_render(para, sizeof para - 1, 20, &out);
    assert_rows(&out, "• a list item whose\n  text is long\n  enough to wrap\n");
    /* Every row fits, however narrow. */
    for (int w = 1; w < 30; w++) {
        tlines_clear(&out);
        md_render(MDDEMO, sizeof MDDEMO - 1, w, &out);
        for (size_t i = 0; i < out.n; i++)
            assert_true(tline_width(&out.v[i]) <= (w < 8 ? 8 : w));
    }
    tlines_free(&out);
}

static char *stream_rows_text(const struct md_stream *ms)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < md_stream_rows(ms); i++) {
        char *t = tline_text(md_stream_row(ms, i));
        buf_puts(&b, t);
        buf_putc(&b, '\n');
        free(t);
    }
    return buf_detach(&b, NULL);
}

static void streaming_ends_where_a_full_render_does(void **state)
{
    (void)state;
    if (!md_available())
        skip();
    struct md_stream ms;
    md_stream_init(&ms);
    size_t len = sizeof MDDEMO - 1;
    size_t kept_max = 0;
    for (size_t off = 0; off < len; off += 16) {
        size_t n = off + 16 > len ? len - off : 16;
        md_stream_append(&ms, MDDEMO + off, n);
        size_t kept = md_stream_update(&ms, 116);
        if (kept > kept_max)
            kept_max = kept;
    }
    char *got = stream_rows_text(&ms);
    assert_string_equal(got, MDDEMO_ROWS);
    free(got);
    /* Finished blocks were kept, not rendered again. */
    assert_true(kept_max >= 10);
    assert_true(ms.committed > len / 2);
    /* A new width renders everything again. */
    md_stream_update(&ms, 26);
    got = stream_rows_text(&ms);
    assert_non_null(strstr(got, "• Parser: reads the input\n  file\n"));
    free(got);
    md_stream_free(&ms);
}

static void streaming_a_long_code_block_commits_its_lines(void **state)
{
    (void)state;
    if (!md_available())
        skip();
    struct md_stream ms;
    md_stream_init(&ms);
    md_stream_append(&ms, "Here:\n\n```python\n", 17);
    md_stream_update(&ms, 80);
    for (int i = 0; i < 500; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "x_%d = %d  # note\n", i, i);
        md_stream_append(&ms, line, (size_t)n);
        md_stream_update(&ms, 80);
        /* Only the line being written is still open. */
        assert_true(ms.tail.n <= 2);
    }
    md_stream_append(&ms, "```\n\nDone.", 11);
    md_stream_update(&ms, 80);
    struct tlines full;
    tlines_init(&full);
    md_render(ms.text.data, ms.text.len, 80, &full);
    char *want = rows_text(&full);
    char *got = stream_rows_text(&ms);
    assert_string_equal(got, want);
    free(want);
    free(got);
    tlines_free(&full);
    md_stream_free(&ms);
}

static void highlight_colors_code_and_commands(void **state)
{
    (void)state;
    struct tline l;
    tline_init(&l);
    int st = 0;
    const char *code = "    printf(\"hi\\n\"); /* note";
    hl_line("c", code, strlen(code), &l, &st);
    assert_int_equal(st, 1);
    struct tlines one;
    tlines_init(&one);
    tlines_push_copy(&one, &l);
    assert_int_equal(style_at(&one, "printf").fg, HL_FUNCTION);
    assert_int_equal(style_at(&one, "\"hi").fg, HL_STRING);
    assert_int_equal(style_at(&one, "/* note").fg, HL_COMMENT);
    tline_reset(&l);
    tlines_clear(&one);
    hl_line("c", "still */ x", 10, &l, &st);
    assert_int_equal(st, 0);
    tline_reset(&l);
    const char *cmd = "echo about to fail; echo oops >&2; exit 3";
    hl_shell(cmd, strlen(cmd), &l);
    tlines_push_copy(&one, &l);
    assert_int_equal(style_at(&one, "echo").fg, HL_FUNCTION);
    assert_int_equal(style_at(&one, "about").fg, HL_TEXT);
    assert_int_equal(style_at(&one, ";").fg, HL_OPERATOR);
    assert_int_equal(style_at(&one, ">&").fg, HL_OPERATOR);
    assert_int_equal(style_at(&one, "2;").fg, HL_NUMBER);
    assert_int_equal(style_at(&one, "exit").fg, HL_FUNCTION);
    assert_int_equal(style_at(&one, " 3").fg, HL_TEXT);
    assert_string_equal(hl_language("src/main.rs"), "rs");
    assert_string_equal(hl_language("Python"), "py");
    assert_null(hl_language("README"));
    tlines_free(&one);
    tline_free(&l);
}

static void sanitize_keeps_text_inert(void **state)
{
    (void)state;
    size_t n;
    char *s = tw_sanitize("a\tb\r\nc\x1b]0;x\x07\xff", 13, true, &n);
    assert_string_equal(s, "a   b\nc\xEF\xBF\xBD]0;x\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(n, strlen(s));
    free(s);
    s = tw_sanitize("", 0, true, &n);
    assert_int_equal(n, 0);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(tw_strwidth("a中😀"), 5);
    assert_int_equal(tw_strwidth("e\xCC\x81"), 1); /* e + combining acute */
}


/* Previews are cut as the reference cuts them: "..." in the last three
 * places, whole clusters only. */
static void cut_shortens_with_three_dots(void **state)
{
    (void)state;
    char *c = tw_cut("short", 80);
    assert_string_equal(c, "short");
    free(c);
    c = tw_cut("abcdefghij", 10);
    assert_string_equal(c, "abcdefghij");
    free(c);
    c = tw_cut("abcdefghijk", 10);
    assert_string_equal(c, "abcdefg...");
    free(c);
    c = tw_cut("h\xc3\xa9llo w\xc3\xb6rld", 6); /* two-byte letters count once */
    assert_string_equal(c, "h\xc3\xa9l...");
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrap_breaks_at_spaces_with_prefixes),
        cmocka_unit_test(truncate_ends_with_an_ellipsis),
        cmocka_unit_test(markdown_renders_like_the_reference),
        cmocka_unit_test(markdown_wraps_tables_and_narrow_widths),
        cmocka_unit_test(streaming_ends_where_a_full_render_does),
        cmocka_unit_test(streaming_a_long_code_block_commits_its_lines),
        cmocka_unit_test(highlight_colors_code_and_commands),
        cmocka_unit_test(sanitize_keeps_text_inert),
        cmocka_unit_test(cut_shortens_with_three_dots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
