/* The terminal device: raw mode, the modes the TUI turns on (bracketed
 * paste, focus reports, the kitty keyboard protocol, and in fullscreen the
 * alternate screen and SGR mouse), input on the event loop, size changes,
 * suspend/resume, and restoring everything on exit, SIGTERM, SIGHUP and
 * fatal signals. */
#ifndef CODEX_TUI_TERM_H
#define CODEX_TUI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include <termios.h>
#include <uv.h>

#include "tui/input.h"
#include "util/error.h"

struct tterm;

struct tterm_callbacks {
    void (*event)(void *ud, const struct tev *ev);
    void (*resize)(void *ud, int w, int h);
    /* SIGTERM, SIGHUP or SIGINT arrived: the terminal is still in raw mode;
     * the owner shuts down (and calls tterm_close). */
    void (*signal)(void *ud, int signum);
    /* The process was continued after a stop: redraw everything. */
    void (*resumed)(void *ud);
    /* The input side closed (the terminal went away). */
    void (*input_closed)(void *ud);
    void *ud;
};

struct tterm {
    uv_loop_t *loop;
    int in_fd, out_fd;
    bool alt_screen;
    bool mouse;
    bool raw;      /* termios changed */
    bool modes_on; /* our modes are set */
    struct termios saved;
    uv_poll_t poll;
    uv_timer_t esc_timer;
    uv_signal_t sig_winch, sig_term, sig_hup, sig_int, sig_cont;
    bool handles_open;
    struct tinput input;
    struct tterm_callbacks cb;
    int w, h;
    bool write_failed;
    bool paused; /* another program has the terminal */
};

/* Put the terminal in raw mode and turn the modes on.  in_fd and out_fd
 * must be terminals.  Returns 0, or -1 with err set (nothing changed). */
int tterm_open(struct tterm *t, uv_loop_t *loop, int in_fd, int out_fd, bool alt_screen,
               const struct tterm_callbacks *cb, struct codex_error *err);

/* Restore the terminal and close the loop handles (idempotent). */
void tterm_close(struct tterm *t);

/* Write everything (retrying on EINTR/EAGAIN). */
void tterm_write(struct tterm *t, const char *data, size_t len);

/* Ask for the cursor position (answered as a TEV_CPR event). */
void tterm_query_cursor(struct tterm *t);

/* Ctrl-Z: restore the terminal, stop the process, and on continue set
 * everything up again and report `resumed`. */
void tterm_suspend(struct tterm *t);

/* Hand the terminal to another program (an editor): modes off, cooked
 * mode, no reading.  tterm_unpause takes it back (and reports `resumed`). */
void tterm_pause(struct tterm *t);
void tterm_unpause(struct tterm *t);

/* Current size in cells (80x24 when unknown). */
void tterm_size(int fd, int *w, int *h);

/* The bytes that undo our modes (for tests). */
const char *tterm_restore_sequence(bool alt_screen);

#endif
