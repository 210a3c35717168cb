/* libFuzzer harness for the TUI input decoder: any bytes from the
 * terminal, fed whole and in pieces.  The decoder must never crash, must
 * report sane events (valid keys, in-range code points, non-negative mouse
 * cells), and feeding the same bytes split at any point must give the same
 * events as feeding them at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/input.h"
#include "util/buf.h"

static void record(void *ud, const struct tev *ev)
{
    struct buf *log = ud;
    if (ev->kind == TEV_KEY) {
        if (ev->key == TK_NONE || ev->key > TK_F12)
            abort();
        if (ev->key == TK_CHAR && (ev->cp < 0 || ev->cp > 0x10FFFF))
            abort();
    }
    if (ev->kind == TEV_MOUSE && (ev->x < -1 || ev->y < -1))
        abort();
    if (ev->kind == TEV_PASTE && ev->len && !ev->text)
        abort();
    char name[64];
    tinput_describe(ev, name, sizeof name);
    buf_puts(log, name);
    buf_putc(log, ' ');
    if (ev->kind == TEV_PASTE)
        buf_append(log, ev->text, ev->len);
}

static void run(const uint8_t *data, size_t size, size_t split, struct buf *log)
{
    struct tinput d;
    tinput_init(&d, record, log);
    if (split > size)
        split = size;
    tinput_feed(&d, (const char *)data, split);
    tinput_feed(&d, (const char *)data + split, size - split);
    tinput_flush(&d);
    tinput_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = data[0] % (size + 1);
    struct buf whole = BUF_INIT, pieces = BUF_INIT;
    run(data + 1, size - 1, size, &whole);
    run(data + 1, size - 1, split, &pieces);
    if (whole.len != pieces.len || (whole.len && memcmp(whole.data, pieces.data, whole.len) != 0))
        abort();
    buf_free(&whole);
    buf_free(&pieces);
    return 0;
}
