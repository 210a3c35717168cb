#include "login/flow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "login/jwt.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *dup_or(const char *s, const char *fallback)
{
    return xstrdup(s && *s ? s : fallback);
}

void flow_options_init(struct flow_options *f, const struct login_options *o)
{
    memset(f, 0, sizeof *f);
    f->loop = o->loop;
    f->codex_home = xstrdup(o->codex_home);
    f->store_mode = o->store_mode;
    f->issuer = dup_or(o->issuer, LOGIN_DEFAULT_ISSUER);
    size_t n = strlen(f->issuer);
    while (n > 1 && f->issuer[n - 1] == '/')
        f->issuer[--n] = '\0';
    f->client_id = dup_or(o->client_id, LOGIN_CLIENT_ID);
    f->originator = dup_or(o->originator, "codex_cli_rs");
    f->forced_workspace_id = o->forced_workspace_id && *o->forced_workspace_id
                                 ? xstrdup(o->forced_workspace_id)
                                 : NULL;
    f->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
    if (o->log_dir && fs_mkdir_p(o->log_dir, 0700) == 0)
        f->log_path = fs_join(o->log_dir, "codex-login.log");
    f->port = o->port > 0 ? o->port : LOGIN_DEFAULT_PORT;
    f->fallback_port = o->fallback_port < 0 ? 0 : o->fallback_port ? o->fallback_port
                                                                    : LOGIN_FALLBACK_PORT;
}

void flow_options_free(struct flow_options *f)
{
    free(f->codex_home);
    free(f->issuer);
    free(f->client_id);
    free(f->originator);
    free(f->forced_workspace_id);
    free(f->ca_file);
    free(f->log_path);
    memset(f, 0, sizeof *f);
}

void flow_log(const struct flow_options *f, const char *level, const char *fmt, ...)
{
    if (!f->log_path)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s.%06ldZ %5s codex_login: ", date, ts.tv_nsec / 1000, level);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    buf_putc(&b, '\n');
    int fd = open(f->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fs_write_all(fd, b.data, b.len);
        close(fd);
    }
    buf_free(&b);
}

char *flow_check_workspace(const struct flow_options *f, const char *id_token)
{
    if (!f->forced_workspace_id)
        return NULL;
    struct chatgpt_claims c;
    if (!chatgpt_claims_read(id_token, &c) || !c.account_id) {
        chatgpt_claims_free(&c);
        return xstrdup("Login is restricted to a specific workspace, but the token did not "
                       "include an chatgpt_account_id claim.");
    }
    char *msg = strcmp(c.account_id, f->forced_workspace_id) == 0
                    ? NULL
                    : xasprintf("Login is restricted to workspace id(s) %s.",
                                f->forced_workspace_id);
    chatgpt_claims_free(&c);
    return msg;
}

char *flow_persist(const struct flow_options *f, const struct oauth_tokens *t,
                   const char *api_key)
{
    struct chatgpt_claims c;
    chatgpt_claims_read(t->id_token, &c);
    struct auth_record r = {0};
    r.auth_mode = xstrdup("chatgpt");
    r.api_key = api_key ? xstrdup(api_key) : NULL;
    auth_record_set_tokens(&r, t->id_token, t->access_token, t->refresh_token, c.account_id);
    r.last_refresh = auth_now_rfc3339();
    /* Which issuer and client minted the tokens, as the reference records. */
    r.doc = json_pack("{s:{s:{s:s s:s}}}", "tokens", "oauth_provenance", "issuer", f->issuer,
                      "client_id", f->client_id);
    chatgpt_claims_free(&c);
    struct auth_store st = {.codex_home = f->codex_home, .mode = f->store_mode};
    struct codex_error err = CODEX_ERROR_INIT;
    char *msg = NULL;
    if (auth_store_save(&st, &r, &err) < 0) {
        char *why = codex_error_text(&err);
        msg = xasprintf("Sign-in completed but credentials could not be saved locally: %s", why);
        free(why);
    }
    codex_error_clear(&err);
    auth_record_free(&r);
    return msg;
}
