#include "login/pages.h"

#include "util/buf.h"

static const char success_page[] =
    "<!doctype html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Signed in to Codex</title>\n"
    "<style>body{font-family:system-ui,sans-serif;display:flex;min-height:90vh;"
    "align-items:center;justify-content:center;background:#fafafa;color:#111}"
    "main{max-width:28rem;text-align:center}h1{font-size:1.4rem}p{color:#555}</style>\n"
    "</head><body><main>\n"
    "<h1>You are signed in to Codex</h1>\n"
    "<p>The credentials are stored on this computer. You can close this tab and go back "
    "to your terminal.</p>\n"
    "</main></body></html>\n";

const char *login_page_success(void)
{
    return success_page;
}

static void escaped(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

char *login_page_error(const char *title, const char *message, const char *code,
                       const char *help)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>");
    escaped(&b, title);
    buf_puts(&b, "</title>\n<style>body{font-family:system-ui,sans-serif;display:flex;"
                 "min-height:90vh;align-items:center;justify-content:center;background:#fafafa;"
                 "color:#111}main{max-width:32rem}h1{font-size:1.4rem}p{color:#444}"
                 "code{background:#eee;padding:0 .3em}</style>\n</head><body><main>\n<h1>");
    escaped(&b, title);
    buf_puts(&b, "</h1>\n<p>");
    escaped(&b, message);
    buf_puts(&b, "</p>\n<p>Error code: <code>");
    escaped(&b, code ? code : "unknown_error");
    buf_puts(&b, "</code></p>\n<p>");
    escaped(&b, help);
    buf_puts(&b, "</p>\n</main></body></html>\n");
    return buf_detach(&b, NULL);
}
