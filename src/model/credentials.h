/* The model client's view of the credentials.  It does not know how they
 * are stored or refreshed: the login layer implements this interface
 * (login/auth_manager.h) and core or the front end hands it down with the
 * provider settings.
 *
 * Every callback may complete synchronously (done runs before the call
 * returns) or later on the loop. */
#ifndef CODEX_MODEL_CREDENTIALS_H
#define CODEX_MODEL_CREDENTIALS_H

#include "util/strvec.h"

/* error NULL: go on; else the one line the request fails with. */
typedef void (*model_credentials_done)(void *ud, const char *error);

struct model_credentials {
    /* Before each request: make sure the credentials are usable (an
     * expired ChatGPT access token is refreshed first). */
    void (*prepare)(void *self, model_credentials_done done, void *ud);
    /* Append the headers that carry the credentials ("authorization: ...",
     * "chatgpt-account-id: ..."). */
    void (*headers)(void *self, struct strvec *out);
    /* The server answered 401.  step counts the 401s of this request
     * (1, 2, ...); done(NULL) asks for the request to be sent again, done
     * with a message ends it with that message, and done with "" ends it
     * with the server's own answer. */
    void (*unauthorized)(void *self, int step, model_credentials_done done, void *ud);
    /* Drop the callback of a prepare or unauthorized in flight for ud. */
    void (*cancel)(void *self, void *ud);
    void *self;
};

#endif
