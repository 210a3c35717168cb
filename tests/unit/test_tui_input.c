/* The TUI's input decoder: bytes as terminals send them -> key events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tui/input.h"
#include "util/buf.h"

struct log {
    struct buf text; /* "ev ev ev" */
    struct buf paste;
};

static void record(void *ud, const struct tev *ev)
{
    struct log *l = ud;
    char name[64];
    tinput_describe(ev, name, sizeof name);
    if (l->text.len)
        buf_putc(&l->text, ' ');
    buf_puts(&l->text, name);
    if (ev->kind == TEV_PASTE)
        buf_append(&l->paste, ev->text, ev->len);
}

/* Decode data fed in one piece and byte by byte (with a flush at the end
 * either way): both must give `want`. */
static void check(const char *data, size_t len, const char *want)
{
    for (int mode = 0; mode < 2; mode++) {
        struct log l = {BUF_INIT, BUF_INIT};
        struct tinput d;
        tinput_init(&d, record, &l);
        if (mode == 0) {
            tinput_feed(&d, data, len);
        } else {
            for (size_t i = 0; i < len; i++)
                tinput_feed(&d, data + i, 1);
        }
        tinput_flush(&d);
        if (strcmp(buf_cstr(&l.text), want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", mode ? "bytewise" : "whole",
                     buf_cstr(&l.text), want);
        tinput_free(&d);
        buf_free(&l.text);
        buf_free(&l.paste);
    }
}

#define CHECK(lit, want) check(lit, sizeof lit - 1, want)

static void text_and_control_keys(void **state)
{
    (void)state;
    CHECK("ab", "a b");
    CHECK("é中😀", "é 中 😀");
    CHECK("\r", "enter");
    CHECK("\n", "ctrl+j");
    CHECK("\t", "tab");
    CHECK("\x7f", "backspace");
    CHECK("\x03\x04\x0c\x12\x14", "ctrl+c ctrl+d ctrl+l ctrl+r ctrl+t");
    CHECK("\x1a", "ctrl+z");
    CHECK("\x00", "ctrl+space");
    CHECK("\xff", "\xEF\xBF\xBD");
}

static void escape_sequences(void **state)
{
    (void)state;
    CHECK("\x1b", "esc");
    CHECK("\x1b\x1b", "esc esc");
    CHECK("\x1b[A\x1b[B\x1b[C\x1b[D", "up down right left");
    CHECK("\x1bOA\x1bOH\x1bOF", "up home end");
    CHECK("\x1b[1;5A\x1b[1;2D", "ctrl+up shift+left");
    CHECK("\x1b[5~\x1b[6~\x1b[3~\x1b[1;5H\x1b[1;5F", "pgup pgdn delete ctrl+home ctrl+end");
    CHECK("\x1bOQ\x1b[12~\x1b[24~", "f2 f2 f12");
    CHECK("\x1b[Z", "shift+tab");
    CHECK("\x1b\r", "alt+enter");
    CHECK("\x1b" "b", "alt+b");
    CHECK("\x1b[I\x1b[O", "focus(in) focus(out)");
}

static void kitty_and_modify_other_keys(void **state)
{
    (void)state;
    CHECK("\x1b[13;2u", "shift+enter");
    CHECK("\x1b[27u", "esc");
    CHECK("\x1b[99;5u", "ctrl+c");
    CHECK("\x1b[99;5:3u", ""); /* release */
    CHECK("\x1b[97;2u", "A");
    CHECK("\x1b[49:33;2u", "!");
    CHECK("\x1b[27;2;13~", "shift+enter");
    CHECK("\x1b[27;5;106~", "ctrl+j");
    CHECK("\x1b[57441u", ""); /* a lone modifier key */
    CHECK("\x1b[1;1:3A", ""); /* release of Up */
    CHECK("\x1b[?7u", "kbdflags(7)");
}

static void mouse_and_reports(void **state)
{
    (void)state;
    CHECK("\x1b[<64;10;5M", "mouse(64,9,4)");
    CHECK("\x1b[<65;1;1M", "mouse(65,0,0)");
    CHECK("\x1b[<0;3;4m", "mouse(0,2,3,up)");
    /* OSC colour replies and DA1 are consumed silently. */
    CHECK("\x1b]11;rgb:0000/0000/0000\x1b\\x", "x");
    CHECK("\x1b]10;rgb:ffff/ffff/ffff\x07y", "y");
    CHECK("\x1b[?62;22c", "");
    /* Without a pending query, CSI 1;5R is ctrl+F3. */
    CHECK("\x1b[1;5R", "ctrl+f3");
}

static void cursor_report_when_asked(void **state)
{
    (void)state;
    struct log l = {BUF_INIT, BUF_INIT};
    struct tinput d;
    tinput_init(&d, record, &l);
    d.expect_cpr = 1;
    tinput_feed(&d, "\x1b[12;1R\x1b[1;5R", 13);
    assert_string_equal(buf_cstr(&l.text), "cpr(11,0) ctrl+f3");
    tinput_free(&d);
    buf_free(&l.text);
    buf_free(&l.paste);
}

static void bracketed_paste(void **state)
{
    (void)state;
    CHECK("\x1b[200~hello\r\nworld\rx\x1b[201~z", "paste(13) z");
    /* Escape sequences inside a paste are text, not keys. */
    CHECK("\x1b[200~a\x1b[Ab\x1b[201~", "paste(5)");
    /* A large paste split in odd places. */
    struct log l = {BUF_INIT, BUF_INIT};
    struct tinput d;
    tinput_init(&d, record, &l);
    struct buf big = BUF_INIT;
    buf_puts(&big, "\x1b[200~");
    for (int i = 0; i < 200000; i++)
        buf_puts(&big, "0123456789\n");
    buf_puts(&big, "\x1b[201~");
    for (size_t off = 0; off < big.len;) {
        size_t n = 4093;
        if (off + n > big.len)
            n = big.len - off;
        tinput_feed(&d, big.data + off, n);
        off += n;
    }
    assert_string_equal(buf_cstr(&l.text), "paste(2200000)");
    assert_int_equal(l.paste.len, 2200000);
    assert_memory_equal(l.paste.data, "0123456789\n0123", 15);
    buf_free(&big);
    tinput_free(&d);
    buf_free(&l.text);
    buf_free(&l.paste);
}

static void incomplete_sequences_wait_for_more(void **state)
{
    (void)state;
    struct log l = {BUF_INIT, BUF_INIT};
    struct tinput d;
    tinput_init(&d, record, &l);
    tinput_feed(&d, "\x1b[1;", 4);
    assert_true(tinput_has_pending(&d));
    assert_string_equal(buf_cstr(&l.text), "");
    tinput_feed(&d, "5A", 2);
    assert_false(tinput_has_pending(&d));
    assert_string_equal(buf_cstr(&l.text), "ctrl+up");
    tinput_feed(&d, "\xe4\xb8", 2);
    assert_true(tinput_has_pending(&d));
    tinput_feed(&d, "\xad", 1);
    assert_string_equal(buf_cstr(&l.text), "ctrl+up 中");
    /* A timeout turns a lone ESC into the Esc key. */
    tinput_feed(&d, "\x1b", 1);
    assert_true(tinput_has_pending(&d));
    tinput_flush(&d);
    assert_string_equal(buf_cstr(&l.text), "ctrl+up 中 esc");
    tinput_free(&d);
    buf_free(&l.text);
    buf_free(&l.paste);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_and_control_keys),
        cmocka_unit_test(escape_sequences),
        cmocka_unit_test(kitty_and_modify_other_keys),
        cmocka_unit_test(mouse_and_reports),
        cmocka_unit_test(cursor_report_when_asked),
        cmocka_unit_test(bracketed_paste),
        cmocka_unit_test(incomplete_sequences_wait_for_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
