#include "login/logout.h"

#include <stdlib.h>
#include <string.h>

#include "login/oauth.h"
#include "util/xalloc.h"

struct logout {
    struct auth_store st;
    char *codex_home;
    logout_done_fn done;
    void *ud;
};

static void remove_stored(struct logout *l)
{
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_delete(&l->st, &err);
    char *text = rc < 0 ? codex_error_text(&err) : NULL;
    codex_error_clear(&err);
    l->done(l->ud, rc > 0, text);
    free(text);
    free(l->codex_home);
    free(l);
}

static void on_revoked(void *ud, const char *error)
{
    (void)error; /* best effort: the credentials go either way */
    remove_stored(ud);
}

void logout_start(const struct logout_options *o, logout_done_fn done, void *ud)
{
    struct logout *l = xcalloc(1, sizeof *l);
    l->codex_home = xstrdup(o->codex_home);
    l->st = (struct auth_store){.codex_home = l->codex_home, .mode = o->store_mode};
    l->done = done;
    l->ud = ud;
    struct auth_record rec;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_load(&l->st, &rec, &err);
    codex_error_clear(&err);
    bool managed = rc == 1 && rec.has_tokens && rec.tokens.refresh_token &&
                   (!rec.auth_mode || strcmp(rec.auth_mode, "chatgpt") == 0);
    if (!managed) {
        if (rc == 1)
            auth_record_free(&rec);
        remove_stored(l);
        return;
    }
    struct oauth_endpoint ep = {
        .loop = o->loop,
        .url = o->revoke_url && *o->revoke_url ? o->revoke_url : LOGIN_DEFAULT_REVOKE_URL,
        .client_id = o->client_id && *o->client_id ? o->client_id : LOGIN_CLIENT_ID,
        .ca_file = o->ca_file,
    };
    oauth_revoke(&ep, rec.tokens.refresh_token, "refresh_token", on_revoked, l);
    auth_record_free(&rec);
}
