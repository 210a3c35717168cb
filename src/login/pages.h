/* The pages the callback server shows in the browser (our own wording). */
#ifndef CODEX_LOGIN_PAGES_H
#define CODEX_LOGIN_PAGES_H

/* The page after a successful sign-in (static). */
const char *login_page_success(void);
/* A failed sign-in: message, and the OAuth error code (or "unknown_error"),
 * HTML-escaped into the page (caller frees). */
char *login_page_error(const char *title, const char *message, const char *code,
                       const char *help);

#endif
