#include "login/auth_manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "login/access_token.h"
#include "login/jwt.h"
#include "login/oauth.h"
#include "util/xalloc.h"

#define LOCK_POLL_MS 100
#define LOCK_WAIT_MS 60000
/* A token that expires within this margin is refreshed before use. */
#define EXPIRY_MARGIN_S 60
/* After a refresh failed for a transient reason, requests go on with the
 * current token for this long before a proactive refresh is tried again. */
#define TRANSIENT_QUIET_MS 30000

struct waiter {
    model_credentials_done done;
    void *ud;
    struct waiter *next;
};

struct auth_manager {
    uv_loop_t *loop;
    char *codex_home;
    enum auth_store_mode store_mode;
    char *client_id;
    char *refresh_url;
    char *authapi_base_url;
    char *ca_file;
    char *env_codex_api_key;
    char *env_access_token;
    char *env_openai_api_key;

    enum auth_kind kind;
    enum auth_source source;
    char *api_key;          /* AUTH_KIND_API_KEY */
    char *bearer;           /* personal access token */
    struct auth_record rec; /* the stored document, when the store is the source */
    struct chatgpt_claims claims; /* of the id_token */
    struct pat_identity pat;      /* whoami of a personal access token */
    bool pat_known;

    /* A refresh (or whoami) in flight and who waits for it. */
    struct waiter *waiters;
    bool busy;
    const char *reason;
    struct oauth_call *refresh_call;
    struct pat_whoami *whoami;
    uv_timer_t *lock_timer;
    uint64_t lock_started;
    uint64_t quiet_until; /* after a transient failure, no proactive refresh till then */
    int lock_fd;

    struct model_credentials creds;
};

/* ---- choosing the credentials ----------------------------------------- */

static void clear_current(struct auth_manager *m)
{
    free(m->api_key);
    free(m->bearer);
    m->api_key = m->bearer = NULL;
    auth_record_free(&m->rec);
    chatgpt_claims_free(&m->claims);
    pat_identity_free(&m->pat);
    m->pat_known = false;
    m->kind = AUTH_KIND_NONE;
    m->source = AUTH_SOURCE_NONE;
}

static enum auth_kind record_kind(const struct auth_record *r)
{
    const char *mode = r->auth_mode;
    if (mode && strcmp(mode, "chatgptAuthTokens") == 0 && r->has_tokens)
        return AUTH_KIND_CHATGPT_EXTERNAL;
    if (mode && strcmp(mode, "chatgpt") == 0)
        return r->has_tokens ? AUTH_KIND_CHATGPT : AUTH_KIND_NONE;
    if (mode && strcmp(mode, "apikey") == 0)
        return r->api_key && *r->api_key ? AUTH_KIND_API_KEY : AUTH_KIND_NONE;
    if (r->personal_access_token)
        return AUTH_KIND_PERSONAL_TOKEN;
    if (r->agent_identity)
        return AUTH_KIND_AGENT_IDENTITY;
    if (r->has_tokens)
        return AUTH_KIND_CHATGPT;
    if (r->api_key && *r->api_key)
        return AUTH_KIND_API_KEY;
    return AUTH_KIND_NONE;
}

static int choose(struct auth_manager *m, struct codex_error *err)
{
    clear_current(m);
    if (m->env_codex_api_key && *m->env_codex_api_key) {
        m->kind = AUTH_KIND_API_KEY;
        m->source = AUTH_SOURCE_ENV;
        m->api_key = xstrdup(m->env_codex_api_key);
        return 0;
    }
    if (m->env_access_token && *m->env_access_token) {
        if (!access_token_is_personal(m->env_access_token)) {
            codex_error_set_at(err, "CODEX_ACCESS_TOKEN", "%s",
                               access_token_unsupported_reason(m->env_access_token));
            return -1;
        }
        m->kind = AUTH_KIND_PERSONAL_TOKEN;
        m->source = AUTH_SOURCE_ENV;
        m->bearer = xstrdup(m->env_access_token);
        return 0;
    }
    struct auth_store st = {.codex_home = m->codex_home, .mode = m->store_mode};
    int rc = auth_store_load(&st, &m->rec, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        m->kind = record_kind(&m->rec);
        m->source = m->kind == AUTH_KIND_NONE ? AUTH_SOURCE_NONE : AUTH_SOURCE_STORE;
        switch (m->kind) {
        case AUTH_KIND_API_KEY:
            m->api_key = xstrdup(m->rec.api_key);
            break;
        case AUTH_KIND_CHATGPT:
        case AUTH_KIND_CHATGPT_EXTERNAL:
            chatgpt_claims_read(m->rec.tokens.id_token, &m->claims);
            break;
        case AUTH_KIND_PERSONAL_TOKEN:
            m->bearer = xstrdup(m->rec.personal_access_token);
            break;
        default:
            break;
        }
        if (m->kind != AUTH_KIND_NONE)
            return 0;
    }
    if (m->env_openai_api_key && *m->env_openai_api_key) {
        m->kind = AUTH_KIND_API_KEY;
        m->source = AUTH_SOURCE_ENV;
        m->api_key = xstrdup(m->env_openai_api_key);
    }
    return 0;
}

/* ---- waiters ------------------------------------------------------------ */

static void add_waiter(struct auth_manager *m, model_credentials_done done, void *ud)
{
    struct waiter *w = xcalloc(1, sizeof *w);
    w->done = done;
    w->ud = ud;
    struct waiter **pp = &m->waiters;
    while (*pp)
        pp = &(*pp)->next;
    *pp = w;
}

/* Every waiter hears the outcome; a waiter's callback may start the next
 * refresh, so the list is detached first. */
static void notify(struct auth_manager *m, const char *error)
{
    struct waiter *w = m->waiters, *next;
    m->waiters = NULL;
    m->busy = false;
    char *msg = error ? xstrdup(error) : NULL;
    for (; w; w = next) {
        next = w->next;
        w->done(w->ud, msg);
        free(w);
    }
    free(msg);
}

/* ---- refresh ------------------------------------------------------------ */

static bool needs_refresh(const struct auth_manager *m)
{
    if (m->kind != AUTH_KIND_CHATGPT)
        return false;
    long long now = (long long)time(NULL);
    struct chatgpt_claims access;
    if (chatgpt_claims_read(m->rec.tokens.access_token, &access)) {
        bool expired = access.exp > 0 && access.exp <= now + EXPIRY_MARGIN_S;
        chatgpt_claims_free(&access);
        if (expired)
            return true;
    }
    long long last = auth_parse_rfc3339(m->rec.last_refresh);
    return last > 0 && now - last > AUTH_REFRESH_MAX_AGE_S;
}

static void unlock(struct auth_manager *m)
{
    auth_store_unlock(m->lock_fd);
    m->lock_fd = -1;
}

static const char *signed_out_message(void)
{
    return "Your access token could not be refreshed because you have since logged out or "
           "signed in to another account. Please sign in again.";
}

static void on_refreshed(void *ud, const struct oauth_tokens *t, enum oauth_refresh_failure f,
                         const char *error)
{
    struct auth_manager *m = ud;
    m->refresh_call = NULL;
    if (f != OAUTH_REFRESH_OK) {
        unlock(m);
        /* An issuer that cannot be reached right now does not end the
         * request: the token may still be accepted, and a 401 comes back
         * here through the recovery steps.  A rejected refresh token does. */
        bool go_on = f == OAUTH_REFRESH_TRANSIENT && strcmp(m->reason, "proactive_expiry") == 0;
        if (f == OAUTH_REFRESH_TRANSIENT)
            m->quiet_until = uv_now(m->loop) + TRANSIENT_QUIET_MS;
        notify(m, go_on ? NULL : error);
        return;
    }
    const char *id_token = t->id_token ? t->id_token : m->rec.tokens.id_token;
    const char *refresh = t->refresh_token ? t->refresh_token : m->rec.tokens.refresh_token;
    struct chatgpt_claims c;
    chatgpt_claims_read(id_token, &c);
    char *account = xstrdup(c.account_id ? c.account_id
                            : m->rec.tokens.account_id ? m->rec.tokens.account_id
                                                       : "");
    chatgpt_claims_free(&c);
    char *idt = xstrdup(id_token), *rt = xstrdup(refresh);
    auth_record_set_tokens(&m->rec, idt, t->access_token, rt, *account ? account : NULL);
    free(idt);
    free(rt);
    free(account);
    free(m->rec.last_refresh);
    m->rec.last_refresh = auth_now_rfc3339();
    chatgpt_claims_free(&m->claims);
    chatgpt_claims_read(m->rec.tokens.id_token, &m->claims);
    struct auth_store st = {.codex_home = m->codex_home, .mode = m->store_mode};
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_save(&st, &m->rec, &err);
    unlock(m);
    /* A failed save leaves the new tokens in memory only: this session goes
     * on with them, and the next one signs in again. */
    (void)rc;
    codex_error_clear(&err);
    notify(m, NULL);
}

/* Under the lock: the stored tokens may be newer than ours. */
static void refresh_locked(struct auth_manager *m)
{
    struct auth_store st = {.codex_home = m->codex_home, .mode = m->store_mode};
    struct auth_record disk;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_load(&st, &disk, &err);
    if (rc < 0) {
        char *why = codex_error_text(&err);
        codex_error_clear(&err);
        unlock(m);
        notify(m, why);
        free(why);
        return;
    }
    if (rc == 0 || record_kind(&disk) != AUTH_KIND_CHATGPT) {
        if (rc == 1)
            auth_record_free(&disk);
        unlock(m);
        notify(m, signed_out_message());
        return;
    }
    const char *ours = m->rec.tokens.account_id, *theirs = disk.tokens.account_id;
    if (ours && theirs && strcmp(ours, theirs) != 0) {
        auth_record_free(&disk);
        unlock(m);
        notify(m, signed_out_message());
        return;
    }
    bool newer = strcmp(disk.tokens.refresh_token, m->rec.tokens.refresh_token) != 0 ||
                 strcmp(disk.tokens.access_token, m->rec.tokens.access_token) != 0;
    auth_record_free(&m->rec);
    m->rec = disk;
    chatgpt_claims_free(&m->claims);
    chatgpt_claims_read(m->rec.tokens.id_token, &m->claims);
    /* Another process refreshed while we waited: use what it stored. */
    if (newer && !needs_refresh(m)) {
        unlock(m);
        notify(m, NULL);
        return;
    }
    char *url = xstrdup(m->refresh_url);
    struct oauth_endpoint ep = {m->loop, url, m->client_id, m->ca_file};
    m->refresh_call = oauth_refresh(&ep, m->rec.tokens.refresh_token, m->reason, on_refreshed, m);
    free(url);
}

static void try_lock(struct auth_manager *m);

static void on_lock_poll(uv_timer_t *t)
{
    try_lock(t->data);
}

static void try_lock(struct auth_manager *m)
{
    struct codex_error err = CODEX_ERROR_INIT;
    int fd = auth_store_lock(m->codex_home, false, &err);
    if (fd >= 0) {
        m->lock_fd = fd;
        refresh_locked(m);
        return;
    }
    if (errno == EWOULDBLOCK && uv_now(m->loop) - m->lock_started < LOCK_WAIT_MS) {
        uv_timer_start(m->lock_timer, on_lock_poll, LOCK_POLL_MS, 0);
        return;
    }
    char *msg = codex_error_is_set(&err)
                    ? codex_error_text(&err)
                    : xasprintf("another Codex process has held %s/auth.json.lock for a minute; "
                                "try again once it is done",
                                m->codex_home);
    codex_error_clear(&err);
    notify(m, msg);
    free(msg);
}

static void start_refresh(struct auth_manager *m, const char *reason)
{
    m->busy = true;
    m->reason = reason;
    m->lock_started = uv_now(m->loop);
    try_lock(m);
}

/* ---- personal access tokens -------------------------------------------- */

static void on_whoami(void *ud, const struct pat_identity *id, const char *error)
{
    struct auth_manager *m = ud;
    m->whoami = NULL;
    if (id) {
        pat_identity_free(&m->pat);
        m->pat.email = id->email ? xstrdup(id->email) : NULL;
        m->pat.user_id = id->user_id ? xstrdup(id->user_id) : NULL;
        m->pat.account_id = id->account_id ? xstrdup(id->account_id) : NULL;
        m->pat.plan_type = id->plan_type ? xstrdup(id->plan_type) : NULL;
        m->pat.fedramp = id->fedramp;
        m->pat_known = true;
    }
    notify(m, error);
}

/* ---- the model_credentials interface ------------------------------------ */

static void cred_prepare(void *self, model_credentials_done done, void *ud)
{
    struct auth_manager *m = self;
    switch (m->kind) {
    case AUTH_KIND_CHATGPT:
        if (m->busy) {
            add_waiter(m, done, ud);
        } else if (needs_refresh(m) && uv_now(m->loop) >= m->quiet_until) {
            add_waiter(m, done, ud);
            start_refresh(m, "proactive_expiry");
        } else {
            done(ud, NULL);
        }
        return;
    case AUTH_KIND_PERSONAL_TOKEN:
        if (m->pat_known) {
            done(ud, NULL);
            return;
        }
        add_waiter(m, done, ud);
        if (!m->busy) {
            m->busy = true;
            m->whoami = pat_whoami_start(m->loop, m->authapi_base_url, m->ca_file, m->bearer,
                                         on_whoami, m);
        }
        return;
    case AUTH_KIND_AGENT_IDENTITY:
        done(ud, "The stored credentials are an agent identity, which codex-c cannot use yet; "
                 "sign in with `codex login` or a personal access token.");
        return;
    default:
        done(ud, NULL);
    }
}

static void cred_headers(void *self, struct strvec *out)
{
    struct auth_manager *m = self;
    const char *bearer = NULL, *account = NULL;
    switch (m->kind) {
    case AUTH_KIND_API_KEY:
        bearer = m->api_key;
        break;
    case AUTH_KIND_CHATGPT:
    case AUTH_KIND_CHATGPT_EXTERNAL:
        bearer = m->rec.tokens.access_token;
        account = m->rec.tokens.account_id ? m->rec.tokens.account_id : m->claims.account_id;
        break;
    case AUTH_KIND_PERSONAL_TOKEN:
        bearer = m->bearer;
        account = m->pat.account_id;
        break;
    default:
        break;
    }
    if (bearer)
        strvec_push_owned(out, xasprintf("authorization: Bearer %s", bearer));
    if (account)
        strvec_push_owned(out, xasprintf("chatgpt-account-id: %s", account));
}

/* The stored credentials may have changed since they were read (a sign-in,
 * another process's refresh): adopt them when they are still ours. */
static void reload_stored(struct auth_manager *m)
{
    struct auth_store st = {.codex_home = m->codex_home, .mode = m->store_mode};
    struct auth_record disk;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_load(&st, &disk, &err);
    codex_error_clear(&err);
    if (rc != 1)
        return;
    if (record_kind(&disk) == m->kind) {
        auth_record_free(&m->rec);
        m->rec = disk;
        if (m->kind == AUTH_KIND_API_KEY) {
            free(m->api_key);
            m->api_key = xstrdup(m->rec.api_key);
        }
        chatgpt_claims_free(&m->claims);
        if (m->rec.has_tokens)
            chatgpt_claims_read(m->rec.tokens.id_token, &m->claims);
    } else {
        auth_record_free(&disk);
    }
}

static void cred_unauthorized(void *self, int step, model_credentials_done done, void *ud)
{
    struct auth_manager *m = self;
    if (m->source != AUTH_SOURCE_STORE ||
        (m->kind != AUTH_KIND_CHATGPT && m->kind != AUTH_KIND_API_KEY)) {
        done(ud, "");
        return;
    }
    if (step == 1) {
        reload_stored(m);
        done(ud, NULL);
        return;
    }
    if (step > 2 || m->kind != AUTH_KIND_CHATGPT) {
        done(ud, "");
        return;
    }
    add_waiter(m, done, ud);
    if (!m->busy)
        start_refresh(m, "unauthorized_recovery");
}

static void cred_cancel(void *self, void *ud)
{
    struct auth_manager *m = self;
    struct waiter **pp = &m->waiters;
    while (*pp) {
        if ((*pp)->ud == ud) {
            struct waiter *w = *pp;
            *pp = w->next;
            free(w);
        } else {
            pp = &(*pp)->next;
        }
    }
}

/* ---- public ------------------------------------------------------------- */

static char *dup_or(const char *s, const char *fallback)
{
    return s && *s ? xstrdup(s) : fallback ? xstrdup(fallback) : NULL;
}

struct auth_manager *auth_manager_new(const struct auth_manager_options *o,
                                      struct codex_error *err)
{
    struct auth_manager *m = xcalloc(1, sizeof *m);
    m->loop = o->loop;
    m->codex_home = xstrdup(o->codex_home);
    m->store_mode = o->store_mode;
    m->client_id = dup_or(o->client_id, LOGIN_CLIENT_ID);
    m->refresh_url = dup_or(o->refresh_url, LOGIN_DEFAULT_REFRESH_URL);
    m->authapi_base_url = dup_or(o->authapi_base_url, LOGIN_DEFAULT_AUTHAPI);
    m->ca_file = dup_or(o->ca_file, NULL);
    m->env_codex_api_key = dup_or(o->codex_api_key, NULL);
    m->env_access_token = dup_or(o->access_token, NULL);
    m->env_openai_api_key = dup_or(o->openai_api_key, NULL);
    m->lock_fd = -1;
    m->creds = (struct model_credentials){cred_prepare, cred_headers, cred_unauthorized,
                                          cred_cancel, m};
    if (m->loop) {
        m->lock_timer = xcalloc(1, sizeof *m->lock_timer);
        uv_timer_init(m->loop, m->lock_timer);
        m->lock_timer->data = m;
    }
    if (choose(m, err) < 0) {
        auth_manager_free(m);
        return NULL;
    }
    return m;
}

static void close_free(uv_handle_t *h)
{
    free(h);
}

void auth_manager_free(struct auth_manager *m)
{
    if (!m)
        return;
    oauth_call_cancel(m->refresh_call);
    pat_whoami_cancel(m->whoami);
    unlock(m);
    while (m->waiters) {
        struct waiter *w = m->waiters;
        m->waiters = w->next;
        free(w);
    }
    if (m->lock_timer)
        uv_close((uv_handle_t *)m->lock_timer, close_free);
    clear_current(m);
    free(m->codex_home);
    free(m->client_id);
    free(m->refresh_url);
    free(m->authapi_base_url);
    free(m->ca_file);
    free(m->env_codex_api_key);
    free(m->env_access_token);
    free(m->env_openai_api_key);
    free(m);
}

enum auth_kind auth_manager_kind(const struct auth_manager *m)
{
    return m->kind;
}

enum auth_source auth_manager_source(const struct auth_manager *m)
{
    return m->source;
}

const char *auth_kind_name(enum auth_kind k)
{
    switch (k) {
    case AUTH_KIND_API_KEY:
        return "apikey";
    case AUTH_KIND_CHATGPT:
    case AUTH_KIND_PERSONAL_TOKEN:
    case AUTH_KIND_AGENT_IDENTITY:
        return "chatgpt";
    case AUTH_KIND_CHATGPT_EXTERNAL:
        return "chatgptAuthTokens";
    default:
        return NULL;
    }
}

void auth_manager_account(const struct auth_manager *m, struct auth_account *out)
{
    memset(out, 0, sizeof *out);
    if (m->kind == AUTH_KIND_PERSONAL_TOKEN) {
        out->email = m->pat.email;
        out->plan_type = m->pat.plan_type;
        out->account_id = m->pat.account_id;
    } else if (m->kind == AUTH_KIND_CHATGPT || m->kind == AUTH_KIND_CHATGPT_EXTERNAL) {
        out->email = m->claims.email;
        out->plan_type = m->claims.plan_type;
        out->account_id = m->rec.tokens.account_id ? m->rec.tokens.account_id
                                                   : m->claims.account_id;
    }
}

const char *auth_manager_api_key(const struct auth_manager *m)
{
    return m->kind == AUTH_KIND_API_KEY ? m->api_key : NULL;
}

struct model_credentials *auth_manager_credentials(struct auth_manager *m)
{
    return m->kind == AUTH_KIND_NONE ? NULL : &m->creds;
}

char *auth_manager_check_restrictions(const struct auth_manager *m, const char *forced_method,
                                      const char *forced_workspace, bool *stored_violates)
{
    *stored_violates = false;
    bool chatgpt = m->kind == AUTH_KIND_CHATGPT || m->kind == AUTH_KIND_CHATGPT_EXTERNAL ||
                   m->kind == AUTH_KIND_PERSONAL_TOKEN;
    char *msg = NULL;
    if (forced_method && strcmp(forced_method, "chatgpt") == 0 && m->kind == AUTH_KIND_API_KEY)
        msg = xstrdup("ChatGPT login is required, but an API key is currently being used. "
                      "Logging out.");
    else if (forced_method && strcmp(forced_method, "api") == 0 && chatgpt)
        msg = xstrdup("API key login is required, but ChatGPT is currently being used. "
                      "Logging out.");
    else if (forced_workspace && *forced_workspace &&
             (m->kind == AUTH_KIND_CHATGPT || m->kind == AUTH_KIND_CHATGPT_EXTERNAL)) {
        struct auth_account a;
        auth_manager_account(m, &a);
        if (!a.account_id)
            msg = xasprintf("Login is restricted to workspace %s, but current credentials lack "
                            "a workspace identifier. Logging out.",
                            forced_workspace);
        else if (strcmp(a.account_id, forced_workspace) != 0)
            msg = xasprintf("Login is restricted to workspace(s) %s, but current credentials "
                            "belong to %s. Logging out.",
                            forced_workspace, a.account_id);
    }
    if (msg)
        *stored_violates = m->source == AUTH_SOURCE_STORE;
    return msg;
}

int auth_manager_reload(struct auth_manager *m, struct codex_error *err)
{
    if (m->busy)
        return 0; /* the refresh in flight re-reads the store itself */
    return choose(m, err);
}

void auth_manager_refresh(struct auth_manager *m, model_credentials_done done, void *ud)
{
    if (m->kind != AUTH_KIND_CHATGPT) {
        done(ud, "Token data is not available.");
        return;
    }
    add_waiter(m, done, ud);
    if (!m->busy)
        start_refresh(m, "forced");
}
