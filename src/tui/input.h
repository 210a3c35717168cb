/* The keyboard (and mouse) decoder: terminal input bytes become key,
 * paste, mouse, focus and report events.  It understands UTF-8 text, C0
 * control keys, CSI and SS3 key sequences with xterm modifiers, the kitty
 * keyboard protocol (CSI ... u, with event types), xterm's modifyOtherKeys
 * (CSI 27;m;k ~), bracketed paste, focus reports, SGR mouse reports, cursor
 * position reports and the kitty flags reply.  OSC and DCS strings (replies
 * to colour queries) are consumed and dropped.
 *
 * The decoder never blocks and never interprets half a sequence: bytes that
 * may begin a longer sequence wait in `pending` until more arrive or the
 * caller's timeout calls tinput_flush (a lone ESC is the Esc key). */
#ifndef CODEX_TUI_INPUT_H
#define CODEX_TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum tkey {
    TK_NONE = 0,
    TK_CHAR, /* cp: a character, or with TM_CTRL/TM_ALT a shortcut */
    TK_ENTER,
    TK_TAB,
    TK_BACKSPACE,
    TK_ESC,
    TK_UP,
    TK_DOWN,
    TK_LEFT,
    TK_RIGHT,
    TK_HOME,
    TK_END,
    TK_PGUP,
    TK_PGDN,
    TK_INSERT,
    TK_DELETE,
    TK_F1, /* F1 .. F12 follow in order */
    TK_F12 = TK_F1 + 11,
};

enum { TM_SHIFT = 1, TM_ALT = 2, TM_CTRL = 4, TM_SUPER = 8 };

enum tev_kind {
    TEV_KEY,
    TEV_PASTE,  /* text, len: the pasted bytes (CR/CRLF turned into LF) */
    TEV_MOUSE,
    TEV_FOCUS,  /* focused */
    TEV_CPR,    /* row, col (0-based): a cursor position report */
    TEV_KBD_FLAGS, /* the terminal answered the kitty keyboard query */
};

enum tmouse_button {
    TMOUSE_LEFT = 0,
    TMOUSE_MIDDLE = 1,
    TMOUSE_RIGHT = 2,
    TMOUSE_NONE = 3,
    TMOUSE_WHEEL_UP = 64,
    TMOUSE_WHEEL_DOWN = 65,
};

struct tev {
    enum tev_kind kind;
    enum tkey key;
    int32_t cp;
    unsigned mods;
    const char *text; /* TEV_PASTE; valid during the callback */
    size_t len;
    int button; /* TEV_MOUSE: enum tmouse_button */
    bool press, motion;
    int x, y;   /* TEV_MOUSE: 0-based cell */
    bool focused;
    int row, col;
};

typedef void (*tinput_fn)(void *ud, const struct tev *ev);

struct tinput {
    struct buf pending;
    bool in_paste;
    struct buf paste;
    int expect_cpr; /* CSI r;c R is a position report while > 0 */
    tinput_fn fn;
    void *ud;
};

void tinput_init(struct tinput *d, tinput_fn fn, void *ud);
void tinput_free(struct tinput *d);

/* Decode bytes; complete events go to the callback. */
void tinput_feed(struct tinput *d, const char *data, size_t n);
/* Bytes wait for the rest of a sequence (the caller should time out). */
bool tinput_has_pending(const struct tinput *d);
/* The timeout passed: take what is pending as typed keys. */
void tinput_flush(struct tinput *d);

/* A short name of a key event ("ctrl+c", "shift+enter", "a"), for tests
 * and the fuzz harness; writes into out. */
void tinput_describe(const struct tev *ev, char *out, size_t outlen);

#endif
