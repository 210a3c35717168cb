#include "tui/term.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Lone ESC: how long to wait for the rest of a sequence. */
#define ESC_TIMEOUT_MS 25

/* Alternate screen first: kitty keeps a keyboard-flags stack per screen. */
static const char ENTER_ALT[] = "\x1b[?1049h\x1b[H\x1b[2J\x1b[?1000h\x1b[?1006h";
static const char ENTER_COMMON[] = "\x1b[?2004h\x1b[>7u\x1b[?1004h";
static const char LEAVE_COMMON[] = "\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[0m\x1b[?25h";
static const char LEAVE_ALT[] = "\x1b[?1006l\x1b[?1000l\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[0m"
                                "\x1b[?25h\x1b[?1049l";

const char *tterm_restore_sequence(bool alt_screen)
{
    return alt_screen ? LEAVE_ALT : LEAVE_COMMON;
}

/* A fatal signal has no loop to return to: the handler restores the
 * terminal from these (set while the terminal is ours) and re-raises.
 * One terminal per process, so one copy. */
static volatile sig_atomic_t fatal_armed;
static int fatal_fd = -1;
static struct termios fatal_termios;
static const char *fatal_seq;

static void fatal_handler(int sig)
{
    if (fatal_armed) {
        fatal_armed = 0;
        ssize_t r = write(fatal_fd, fatal_seq, strlen(fatal_seq));
        (void)r;
        tcsetattr(fatal_fd, TCSANOW, &fatal_termios);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};

static void arm_fatal(struct tterm *t)
{
    fatal_fd = t->out_fd;
    fatal_termios = t->saved;
    fatal_seq = tterm_restore_sequence(t->alt_screen);
    fatal_armed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fatal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, NULL);
}

static void disarm_fatal(void)
{
    fatal_armed = 0;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        signal(fatal_signals[i], SIG_DFL);
}

void tterm_size(int fd, int *w, int *h)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *w = ws.ws_col;
        *h = ws.ws_row;
    } else {
        *w = 80;
        *h = 24;
    }
}

void tterm_write(struct tterm *t, const char *data, size_t len)
{
    while (len > 0 && !t->write_failed) {
        ssize_t n = write(t->out_fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                /* A non-blocking descriptor shared with another process:
                 * wait until the terminal takes more. */
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
                continue;
            }
            t->write_failed = true; /* the terminal is gone */
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

static int enter_raw(struct tterm *t)
{
    struct termios raw = t->saved;
    raw.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_oflag &= ~(unsigned)OPOST;
    raw.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag &= ~(unsigned)(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(t->in_fd, TCSANOW, &raw) != 0)
        return -1;
    t->raw = true;
    return 0;
}

static void modes_on(struct tterm *t)
{
    if (t->alt_screen)
        tterm_write(t, ENTER_ALT, sizeof ENTER_ALT - 1);
    tterm_write(t, ENTER_COMMON, sizeof ENTER_COMMON - 1);
    t->modes_on = true;
}

static void restore(struct tterm *t)
{
    disarm_fatal();
    if (t->modes_on) {
        const char *seq = tterm_restore_sequence(t->alt_screen);
        tterm_write(t, seq, strlen(seq));
        t->modes_on = false;
    }
    if (t->raw) {
        tcsetattr(t->in_fd, TCSANOW, &t->saved);
        t->raw = false;
    }
}

static void on_esc_timeout(uv_timer_t *timer)
{
    struct tterm *t = timer->data;
    tinput_flush(&t->input);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
    struct tterm *t = p->data;
    if (status < 0 || (events & UV_DISCONNECT)) {
        uv_poll_stop(&t->poll);
        if (t->cb.input_closed)
            t->cb.input_closed(t->cb.ud);
        return;
    }
    char data[65536];
    ssize_t n = read(t->in_fd, data, sizeof data);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        uv_poll_stop(&t->poll);
        if (t->cb.input_closed)
            t->cb.input_closed(t->cb.ud);
        return;
    }
    uv_timer_stop(&t->esc_timer);
    tinput_feed(&t->input, data, (size_t)n);
    if (tinput_has_pending(&t->input))
        uv_timer_start(&t->esc_timer, on_esc_timeout, ESC_TIMEOUT_MS, 0);
}

static void on_input_event(void *ud, const struct tev *ev)
{
    struct tterm *t = ud;
    if (t->cb.event)
        t->cb.event(t->cb.ud, ev);
}

static void on_winch(uv_signal_t *s, int signum)
{
    struct tterm *t = s->data;
    int w, h;
    tterm_size(t->out_fd, &w, &h);
    if (w == t->w && h == t->h)
        return;
    t->w = w;
    t->h = h;
    if (t->cb.resize)
        t->cb.resize(t->cb.ud, w, h);
}

static void on_stop_signal(uv_signal_t *s, int signum)
{
    struct tterm *t = s->data;
    if (t->cb.signal)
        t->cb.signal(t->cb.ud, signum);
}

static void resume_terminal(struct tterm *t)
{
    if (!t->handles_open)
        return;
    tcgetattr(t->in_fd, &t->saved);
    enter_raw(t);
    modes_on(t);
    arm_fatal(t);
    on_winch(&t->sig_winch, SIGWINCH);
    if (t->cb.resumed)
        t->cb.resumed(t->cb.ud);
}

static void on_cont(uv_signal_t *s, int signum)
{
    struct tterm *t = s->data;
    /* Stopped from outside (kill -STOP) with our modes still on: take the
     * terminal back the same way. */
    if (!t->raw && !t->paused) {
        resume_terminal(t);
    } else if (t->cb.resumed) {
        t->cb.resumed(t->cb.ud);
    }
}

int tterm_open(struct tterm *t, uv_loop_t *loop, int in_fd, int out_fd, bool alt_screen,
               const struct tterm_callbacks *cb, struct codex_error *err)
{
    memset(t, 0, sizeof *t);
    t->loop = loop;
    t->in_fd = in_fd;
    t->out_fd = out_fd;
    t->alt_screen = alt_screen;
    t->cb = *cb;
    if (!isatty(in_fd) || !isatty(out_fd)) {
        codex_error_set(err, "the interactive session needs a terminal on stdin and stdout");
        return -1;
    }
    if (tcgetattr(in_fd, &t->saved) != 0) {
        codex_error_set_os(err, errno, "cannot read the terminal settings");
        return -1;
    }
    tinput_init(&t->input, on_input_event, t);
    if (uv_poll_init(loop, &t->poll, in_fd) != 0) {
        codex_error_set(err, "cannot watch the terminal for input");
        tinput_free(&t->input);
        return -1;
    }
    t->poll.data = t;
    uv_timer_init(loop, &t->esc_timer);
    t->esc_timer.data = t;
    uv_signal_t *sigs[] = {&t->sig_winch, &t->sig_term, &t->sig_hup, &t->sig_int, &t->sig_cont};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        uv_signal_init(loop, sigs[i]);
        sigs[i]->data = t;
    }
    t->handles_open = true;
    if (enter_raw(t) != 0) {
        codex_error_set_os(err, errno, "cannot put the terminal in raw mode");
        tterm_close(t);
        return -1;
    }
    tterm_size(out_fd, &t->w, &t->h);
    modes_on(t);
    arm_fatal(t);
    uv_signal_start(&t->sig_winch, on_winch, SIGWINCH);
    uv_signal_start(&t->sig_term, on_stop_signal, SIGTERM);
    uv_signal_start(&t->sig_hup, on_stop_signal, SIGHUP);
    uv_signal_start(&t->sig_int, on_stop_signal, SIGINT);
    uv_signal_start(&t->sig_cont, on_cont, SIGCONT);
    uv_poll_start(&t->poll, UV_READABLE | UV_DISCONNECT, on_readable);
    return 0;
}

void tterm_query_cursor(struct tterm *t)
{
    t->input.expect_cpr++;
    tterm_write(t, "\x1b[6n", 4);
}

void tterm_suspend(struct tterm *t)
{
    restore(t);
    /* The default action of SIGTSTP stops us here; SIGCONT continues. */
    raise(SIGTSTP);
    if (!t->raw)
        resume_terminal(t);
}

/* The decoder may be in the middle of feeding (the event that made the
 * owner quit): it is freed once the loop is past that. */
static void on_poll_closed(uv_handle_t *h)
{
    struct tterm *t = h->data;
    tinput_free(&t->input);
}

void tterm_pause(struct tterm *t)
{
    if (!t->handles_open)
        return;
    uv_poll_stop(&t->poll);
    restore(t);
    t->paused = true;
}

void tterm_unpause(struct tterm *t)
{
    if (!t->handles_open || t->raw)
        return;
    t->paused = false;
    resume_terminal(t);
    uv_poll_start(&t->poll, UV_READABLE | UV_DISCONNECT, on_readable);
}

void tterm_close(struct tterm *t)
{
    restore(t);
    if (!t->handles_open)
        return;
    t->handles_open = false;
    uv_poll_stop(&t->poll);
    uv_close((uv_handle_t *)&t->poll, on_poll_closed);
    uv_close((uv_handle_t *)&t->esc_timer, NULL);
    uv_signal_t *sigs[] = {&t->sig_winch, &t->sig_term, &t->sig_hup, &t->sig_int, &t->sig_cont};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        uv_close((uv_handle_t *)sigs[i], NULL);
}
