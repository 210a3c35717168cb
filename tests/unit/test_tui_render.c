/* The TUI renderer checked against a real terminal emulator (libvterm):
 * what it writes must produce exactly the frame it was given. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/color.h"
#include "tui/grid.h"
#include "tui/render.h"
#include "tui_vterm.h"

static void assert_row(struct vt *v, int r, const char *want)
{
    char *got = vt_row(v, r);
    if (strcmp(got, want) != 0)
        fail_msg("row %d: got \"%s\", want \"%s\"", r, got, want);
    free(got);
}

/* Every row of the terminal equals the grid's text. */
static void assert_screen_is(struct vt *v, const struct tgrid *g, int top)
{
    for (int y = 0; y < g->h; y++) {
        char *want = tgrid_row_text(g, y);
        assert_row(v, top + y, want);
        free(want);
    }
}

static void first_frame_draws_text_in_sync_output(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 5, 20);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, false, 20, 5);
    struct tgrid g;
    tgrid_init(&g, 20, 5);
    tgrid_puts(&g, 2, 0, 20, "hello", TSTYLE_PLAIN);
    tgrid_puts(&g, 0, 4, 20, "› bottom", tstyle_attr(TA_BOLD));
    struct buf out = BUF_INIT;
    trender_frame(&r, &g, 3, 4, &out);
    assert_non_null(strstr(buf_cstr(&out), "\x1b[?2026h"));
    assert_non_null(strstr(buf_cstr(&out), "\x1b[?2026l"));
    vt_feed_buf(&v, &out);
    assert_screen_is(&v, &g, 0);
    assert_true(vt_cell(&v, 4, 2).attrs.bold);
    assert_false(vt_cell(&v, 0, 2).attrs.bold);
    VTermPos c = vt_cursor(&v);
    assert_int_equal(c.row, 4);
    assert_int_equal(c.col, 3);
    buf_free(&out);
    tgrid_free(&g);
    trender_free(&r);
    vt_close(&v);
}

static void unchanged_frame_writes_nothing_and_one_cell_writes_little(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 24, 80);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, false, 80, 24);
    struct tgrid g;
    tgrid_init(&g, 80, 24);
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 80; x += 8)
            tgrid_puts(&g, x, y, 80, "abcdefg", tstyle_fg(TC_RGB(10, 200, 30)));
    struct buf out = BUF_INIT;
    trender_frame(&r, &g, 0, 0, &out);
    size_t full = out.len;
    vt_feed_buf(&v, &out);
    trender_frame(&r, &g, 0, 0, &out);
    assert_int_equal(out.len, 0);
    tgrid_puts(&g, 40, 10, 80, "X", TSTYLE_PLAIN);
    trender_frame(&r, &g, 0, 0, &out);
    assert_true(out.len > 0);
    assert_true(out.len < 64);
    assert_true(full > 10 * out.len);
    vt_feed_buf(&v, &out);
    assert_screen_is(&v, &g, 0);
    buf_free(&out);
    tgrid_free(&g);
    trender_free(&r);
    vt_close(&v);
}

static void colors_follow_the_depth(void **state)
{
    (void)state;
    enum tcolor_depth depths[] = {TC_DEPTH_TRUE, TC_DEPTH_256, TC_DEPTH_16, TC_DEPTH_NONE};
    for (size_t i = 0; i < 4; i++) {
        struct vt v;
        vt_open(&v, 3, 10);
        struct trender r;
        trender_init(&r, depths[i], false, 10, 3);
        struct tgrid g;
        tgrid_init(&g, 10, 3);
        tgrid_puts(&g, 0, 0, 10, "c", (struct tstyle){TC_HEX(0xfab387), TC_HEX(0x444444), TA_BOLD});
        struct buf out = BUF_INIT;
        trender_frame(&r, &g, -1, -1, &out);
        if (depths[i] == TC_DEPTH_TRUE)
            assert_non_null(strstr(buf_cstr(&out), "38;2;250;179;135"));
        else
            assert_null(strstr(buf_cstr(&out), "38;2;"));
        if (depths[i] == TC_DEPTH_256)
            assert_non_null(strstr(buf_cstr(&out), "38;5;"));
        if (depths[i] == TC_DEPTH_16 || depths[i] == TC_DEPTH_NONE)
            assert_null(strstr(buf_cstr(&out), "38;5;"));
        vt_feed_buf(&v, &out);
        VTermScreenCell cell = vt_cell(&v, 0, 0);
        assert_int_equal(cell.chars[0], 'c');
        assert_true(cell.attrs.bold);
        if (depths[i] == TC_DEPTH_TRUE) {
            assert_true(VTERM_COLOR_IS_RGB(&cell.fg));
            assert_int_equal(cell.fg.rgb.red, 250);
            assert_int_equal(cell.bg.rgb.green, 68);
        } else if (depths[i] == TC_DEPTH_NONE) {
            assert_true(VTERM_COLOR_IS_DEFAULT_FG(&cell.fg));
        } else {
            assert_true(VTERM_COLOR_IS_INDEXED(&cell.fg));
            assert_true(depths[i] == TC_DEPTH_256 || cell.fg.indexed.idx < 16);
        }
        buf_free(&out);
        tgrid_free(&g);
        trender_free(&r);
        vt_close(&v);
    }
}

static void depth_comes_from_the_environment(void **state)
{
    (void)state;
    assert_int_equal(tcolor_depth_from_env("1", "truecolor", "xterm-256color"), TC_DEPTH_NONE);
    assert_int_equal(tcolor_depth_from_env(NULL, "truecolor", "xterm"), TC_DEPTH_TRUE);
    assert_int_equal(tcolor_depth_from_env("", "24bit", "xterm"), TC_DEPTH_TRUE);
    assert_int_equal(tcolor_depth_from_env(NULL, NULL, "screen-256color"), TC_DEPTH_256);
    assert_int_equal(tcolor_depth_from_env(NULL, NULL, "xterm"), TC_DEPTH_16);
    assert_int_equal(tcolor_depth_from_env(NULL, NULL, "dumb"), TC_DEPTH_NONE);
    assert_int_equal(tcolor_reduce(TC_RGB(255, 0, 0), TC_DEPTH_16), TC_INDEX(9));
    assert_int_equal(tcolor_reduce(TC_RGB(0, 0, 0), TC_DEPTH_256), TC_INDEX(16));
    assert_int_equal(tcolor_reduce(TC_RGB(68, 68, 68), TC_DEPTH_256), TC_INDEX(238));
}

static void wide_clusters_and_edits_stay_aligned(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 3, 12);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, false, 12, 3);
    struct tgrid g;
    tgrid_init(&g, 12, 3);
    tgrid_puts(&g, 0, 0, 12, "a中文b😀c", TSTYLE_PLAIN);
    /* A wide cluster that does not fit at the edge becomes a space. */
    tgrid_puts(&g, 0, 1, 12, "0123456789A中", TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    trender_frame(&r, &g, -1, -1, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, 0, "a中文b😀c");
    assert_row(&v, 1, "0123456789A");
    /* Overwrite the left half of a wide cluster: its right half goes. */
    tgrid_puts(&g, 1, 0, 12, "x", TSTYLE_PLAIN);
    trender_frame(&r, &g, -1, -1, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, 0, "ax 文b😀c");
    /* And a narrow cell replaced by a wide one. */
    tgrid_puts(&g, 8, 0, 12, "字", TSTYLE_PLAIN);
    trender_frame(&r, &g, -1, -1, &out);
    vt_feed_buf(&v, &out);
    char *want = tgrid_row_text(&g, 0);
    assert_row(&v, 0, want);
    free(want);
    buf_free(&out);
    tgrid_free(&g);
    trender_free(&r);
    vt_close(&v);
}

static void shorter_rows_are_cleared(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 3, 20);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, false, 20, 3);
    struct tgrid g;
    tgrid_init(&g, 20, 3);
    tgrid_puts(&g, 0, 1, 20, "a long line of text", TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    trender_frame(&r, &g, -1, -1, &out);
    vt_feed_buf(&v, &out);
    tgrid_clear(&g);
    tgrid_puts(&g, 0, 1, 20, "short", TSTYLE_PLAIN);
    trender_frame(&r, &g, -1, -1, &out);
    assert_non_null(strstr(buf_cstr(&out), "\x1b[K"));
    vt_feed_buf(&v, &out);
    assert_row(&v, 1, "short");
    buf_free(&out);
    tgrid_free(&g);
    trender_free(&r);
    vt_close(&v);
}

static void control_characters_are_inert(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 3, 30);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, false, 30, 3);
    struct tgrid g;
    tgrid_init(&g, 30, 3);
    const char evil[] = "a\x1b[2Jb\x07" "c\x9b" "1m";
    char *safe = tw_sanitize(evil, sizeof evil - 1, false, NULL);
    tgrid_puts(&g, 0, 0, 30, safe, TSTYLE_PLAIN);
    /* Even unsanitized text cannot pass a control byte to the terminal. */
    tgrid_put(&g, 0, 1, 30, "x\x1by", 3, TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    trender_frame(&r, &g, -1, -1, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, 0, "a\xEF\xBF\xBD[2Jb\xEF\xBF\xBD" "c\xEF\xBF\xBD" "1m");
    assert_row(&v, 1, "x\xEF\xBF\xBDy");
    free(safe);
    buf_free(&out);
    tgrid_free(&g);
    trender_free(&r);
    vt_close(&v);
}

static void draw_lines(struct tgrid *lines, int from, int n, int w)
{
    tgrid_resize(lines, w, n);
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof text, "history %d", from + i);
        tgrid_puts(lines, 0, i, w, text, tstyle_fg(TC_RGB(1, 2, 3)));
    }
}

static void inline_history_goes_to_scrollback_once(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 10, 30);
    /* A shell prompt on row 0; the viewport starts below it. */
    vt_feed(&v, "$ codex\r\n", 9);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, true, 30, 10);
    trender_set_top(&r, 1);
    struct tgrid view, lines;
    tgrid_init(&view, 30, 3);
    tgrid_init(&lines, 30, 1);
    tgrid_puts(&view, 0, 0, 30, "status", TSTYLE_PLAIN);
    tgrid_puts(&view, 0, 1, 30, "› composer", TSTYLE_PLAIN);
    tgrid_puts(&view, 0, 2, 30, "footer", TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    trender_frame(&r, &view, 2, 1, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, 0, "$ codex");
    assert_row(&v, 1, "status");
    int next = 0;
    for (int round = 0; round < 6; round++) {
        draw_lines(&lines, next, 3, 30);
        next += 3;
        trender_insert_above(&r, &lines, 3, &out);
        trender_frame(&r, &view, 2, 1, &out);
        vt_feed_buf(&v, &out);
        /* The viewport is always whole, right below the newest line. */
        char want[32];
        snprintf(want, sizeof want, "history %d", next - 1);
        assert_row(&v, r.top - 1, want);
        assert_screen_is(&v, &view, r.top);
        assert_true(r.top + 3 <= 10);
    }
    /* Every line reached the screen or the scrollback exactly once, in
     * order, after the shell prompt. */
    struct strvec all = STRVEC_INIT;
    for (size_t i = 0; i < v.scrollback.n; i++)
        strvec_push(&all, v.scrollback.v[i]);
    for (int row = 0; row < r.top; row++)
        strvec_push_owned(&all, vt_row(&v, row));
    assert_int_equal(all.n, 1 + 18);
    assert_string_equal(all.v[0], "$ codex");
    for (int i = 0; i < 18; i++) {
        char want[32];
        snprintf(want, sizeof want, "history %d", i);
        assert_string_equal(all.v[1 + i], want);
    }
    assert_true(v.scrollback.n > 0);
    strvec_free(&all);
    /* Exit: the viewport is erased, the history stays. */
    trender_erase_viewport(&r, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, r.top, "");
    assert_row(&v, r.top - 1, "history 17");
    buf_free(&out);
    tgrid_free(&view);
    tgrid_free(&lines);
    trender_free(&r);
    vt_close(&v);
}

static void inline_viewport_growing_past_the_bottom_scrolls(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 6, 20);
    vt_feed(&v, "\r\n\r\n\r\n\r\n$ codex\r\n", 17);
    struct trender r;
    trender_init(&r, TC_DEPTH_TRUE, true, 20, 6);
    trender_set_top(&r, 5);
    struct tgrid view;
    tgrid_init(&view, 20, 3);
    tgrid_puts(&view, 0, 0, 20, "one", TSTYLE_PLAIN);
    tgrid_puts(&view, 0, 2, 20, "three", TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    trender_frame(&r, &view, -1, -1, &out);
    vt_feed_buf(&v, &out);
    assert_int_equal(r.top, 3);
    assert_row(&v, 2, "$ codex");
    assert_row(&v, 3, "one");
    assert_row(&v, 5, "three");
    /* Shrinking leaves no stale rows behind. */
    tgrid_resize(&view, 20, 1);
    tgrid_puts(&view, 0, 0, 20, "only", TSTYLE_PLAIN);
    trender_frame(&r, &view, -1, -1, &out);
    vt_feed_buf(&v, &out);
    assert_row(&v, 3, "only");
    assert_row(&v, 4, "");
    assert_row(&v, 5, "");
    buf_free(&out);
    tgrid_free(&view);
    trender_free(&r);
    vt_close(&v);
}

static void tiny_terminal_does_not_crash(void **state)
{
    (void)state;
    struct vt v;
    vt_open(&v, 5, 20);
    struct trender r;
    trender_init(&r, TC_DEPTH_256, true, 20, 5);
    trender_set_top(&r, 4);
    struct tgrid view, lines;
    tgrid_init(&view, 20, 5);
    tgrid_init(&lines, 20, 1);
    for (int y = 0; y < 5; y++)
        tgrid_puts(&view, 0, y, 20, "viewport row that is longer than twenty", TSTYLE_PLAIN);
    struct buf out = BUF_INIT;
    for (int i = 0; i < 4; i++) {
        draw_lines(&lines, i * 7, 7, 20);
        trender_insert_above(&r, &lines, 7, &out);
        trender_frame(&r, &view, 0, 0, &out);
        vt_feed_buf(&v, &out);
        assert_int_equal(r.top, 0);
        assert_screen_is(&v, &view, 0);
    }
    buf_free(&out);
    tgrid_free(&view);
    tgrid_free(&lines);
    trender_free(&r);
    vt_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_frame_draws_text_in_sync_output),
        cmocka_unit_test(unchanged_frame_writes_nothing_and_one_cell_writes_little),
        cmocka_unit_test(colors_follow_the_depth),
        cmocka_unit_test(depth_comes_from_the_environment),
        cmocka_unit_test(wide_clusters_and_edits_stay_aligned),
        cmocka_unit_test(shorter_rows_are_cleared),
        cmocka_unit_test(control_characters_are_inert),
        cmocka_unit_test(inline_history_goes_to_scrollback_once),
        cmocka_unit_test(inline_viewport_growing_past_the_bottom_scrolls),
        cmocka_unit_test(tiny_terminal_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
