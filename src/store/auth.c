#include "store/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/keyring.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define AUTH_FILE_MAX (1024 * 1024)
#define KEYRING_SERVICE "Codex Auth"

bool auth_store_mode_parse(const char *s, enum auth_store_mode *out)
{
    static const char *const names[] = {"file", "keyring", "auto", "ephemeral"};
    for (int i = 0; i < 4; i++) {
        if (s && strcmp(s, names[i]) == 0) {
            *out = (enum auth_store_mode)i;
            return true;
        }
    }
    return false;
}

/* ---- the document ------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static bool take_string(json_t *doc, const char *key, bool nullable, char **out, const char *where,
                        struct codex_error *err)
{
    json_t *v = json_object_get(doc, key);
    *out = NULL;
    if (!v || (nullable && json_is_null(v)))
        return true;
    if (!json_is_string(v)) {
        codex_error_set_at(err, where, "`%s` must be a string%s; sign in again or fix the file",
                           key, nullable ? " or null" : "");
        return false;
    }
    *out = xstrdup(json_string_value(v));
    return true;
}

static bool take_tokens(json_t *doc, struct auth_record *r, const char *where,
                        struct codex_error *err)
{
    json_t *t = json_object_get(doc, "tokens");
    if (!t || json_is_null(t))
        return true;
    if (!json_is_object(t)) {
        codex_error_set_at(err, where, "`tokens` must be an object; sign in again or fix the file");
        return false;
    }
    static const char *const required[] = {"id_token", "access_token", "refresh_token"};
    char **slots[] = {&r->tokens.id_token, &r->tokens.access_token, &r->tokens.refresh_token};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(t, required[i]);
        if (!json_is_string(v)) {
            codex_error_set_at(err, where,
                               "`tokens.%s` is %s; sign in again (codex login) to replace the file",
                               required[i], v ? "not a string" : "missing");
            return false;
        }
        *slots[i] = xstrdup(json_string_value(v));
    }
    json_t *acc = json_object_get(t, "account_id");
    if (acc && !json_is_null(acc) && !json_is_string(acc)) {
        codex_error_set_at(err, where, "`tokens.account_id` must be a string or null");
        return false;
    }
    r->tokens.account_id = dup_or_null(json_string_value(acc));
    r->has_tokens = true;
    return true;
}

int auth_record_parse(const char *text, size_t len, const char *where, struct auth_record *out,
                      struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        char *loc = xasprintf("%s:%d:%d", where, je.line, je.column);
        codex_error_set_at(err, loc, "invalid JSON: %s; sign in again or fix the file", je.text);
        free(loc);
        return -1;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        codex_error_set_at(err, where, "expected a JSON object; sign in again or fix the file");
        return -1;
    }
    out->doc = doc;
    if (!take_string(doc, "auth_mode", true, &out->auth_mode, where, err) ||
        !take_string(doc, "OPENAI_API_KEY", true, &out->api_key, where, err) ||
        !take_string(doc, "last_refresh", true, &out->last_refresh, where, err) ||
        !take_string(doc, "agent_identity", true, &out->agent_identity, where, err) ||
        !take_string(doc, "personal_access_token", true, &out->personal_access_token, where,
                     err) ||
        !take_tokens(doc, out, where, err)) {
        auth_record_free(out);
        return -1;
    }
    return 0;
}

static void set_or_null(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static bool is_interpreted(const char *key)
{
    static const char *const keys[] = {"auth_mode", "OPENAI_API_KEY", "tokens", "last_refresh",
                                       "agent_identity", "personal_access_token", NULL};
    for (const char *const *k = keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

static json_t *tokens_json(const struct auth_record *r)
{
    json_t *t = json_object();
    set_or_null(t, "id_token", r->tokens.id_token);
    set_or_null(t, "access_token", r->tokens.access_token);
    set_or_null(t, "refresh_token", r->tokens.refresh_token);
    set_or_null(t, "account_id", r->tokens.account_id);
    /* Whatever else the token set held (oauth_provenance, ...) stays. */
    json_t *old = json_object_get(r->doc, "tokens");
    const char *key;
    json_t *v;
    json_object_foreach(old, key, v)
    {
        if (!json_object_get(t, key))
            json_object_set(t, key, v);
    }
    return t;
}

char *auth_record_serialize(const struct auth_record *r, bool pretty)
{
    json_t *o = json_object();
    if (r->auth_mode)
        json_object_set_new(o, "auth_mode", json_string(r->auth_mode));
    set_or_null(o, "OPENAI_API_KEY", r->api_key);
    if (r->has_tokens)
        json_object_set_new(o, "tokens", tokens_json(r));
    if (r->last_refresh)
        json_object_set_new(o, "last_refresh", json_string(r->last_refresh));
    if (r->agent_identity)
        json_object_set_new(o, "agent_identity", json_string(r->agent_identity));
    if (r->personal_access_token)
        json_object_set_new(o, "personal_access_token", json_string(r->personal_access_token));
    const char *key;
    json_t *v;
    json_object_foreach(r->doc, key, v)
    {
        if (!is_interpreted(key))
            json_object_set(o, key, v);
    }
    char *text = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    json_decref(o);
    return text;
}

static void tokens_free(struct auth_tokens *t)
{
    free(t->id_token);
    free(t->access_token);
    free(t->refresh_token);
    free(t->account_id);
    memset(t, 0, sizeof *t);
}

void auth_record_free(struct auth_record *r)
{
    free(r->auth_mode);
    free(r->api_key);
    tokens_free(&r->tokens);
    free(r->last_refresh);
    free(r->agent_identity);
    free(r->personal_access_token);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}

void auth_record_set_tokens(struct auth_record *r, const char *id_token, const char *access_token,
                            const char *refresh_token, const char *account_id)
{
    struct auth_tokens t = {dup_or_null(id_token), dup_or_null(access_token),
                            dup_or_null(refresh_token), dup_or_null(account_id)};
    tokens_free(&r->tokens);
    r->tokens = t;
    r->has_tokens = true;
}

char *auth_now_rfc3339(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    return xasprintf("%s.%09ldZ", date, ts.tv_nsec);
}

long long auth_parse_rfc3339(const char *s)
{
    struct tm tm = {0};
    const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!p)
        return -1;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return -1;
        offset = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    return (long long)timegm(&tm) - offset;
}

/* ---- storage backends ------------------------------------------------- */

static char *auth_path(const char *codex_home)
{
    return fs_join(codex_home, "auth.json");
}

static int file_load(const char *codex_home, struct auth_record *out, struct codex_error *err)
{
    char *path = auth_path(codex_home);
    size_t len;
    char *text = fs_read_file(path, AUTH_FILE_MAX, &len);
    int rc;
    if (!text) {
        rc = errno == ENOENT ? 0 : -1;
        if (rc < 0)
            codex_error_set_os(err, errno, "cannot read %s", path);
    } else {
        rc = auth_record_parse(text, len, path, out, err) == 0 ? 1 : -1;
        free(text);
    }
    free(path);
    return rc;
}

/* CODEX_HOME is created 0700; one that is readable by others is
 * tightened, since it holds the credentials. */
static int private_dir(const char *codex_home, struct codex_error *err)
{
    if (fs_mkdir_p(codex_home, 0700) < 0) {
        codex_error_set_os(err, errno, "cannot create %s", codex_home);
        return -1;
    }
    struct stat st;
    if (stat(codex_home, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077))
        chmod(codex_home, st.st_mode & 07700);
    return 0;
}

static int file_save(const char *codex_home, const char *text, struct codex_error *err)
{
    if (private_dir(codex_home, err) < 0)
        return -1;
    char *path = auth_path(codex_home);
    int rc = fs_write_atomic_mode(path, text, strlen(text), 0600);
    if (rc < 0)
        codex_error_set_os(err, errno, "cannot write %s", path);
    free(path);
    return rc;
}

static int file_delete(const char *codex_home, struct codex_error *err)
{
    char *path = auth_path(codex_home);
    int rc = unlink(path) == 0 ? 1 : errno == ENOENT ? 0 : -1;
    if (rc < 0)
        codex_error_set_os(err, errno, "cannot remove %s", path);
    free(path);
    return rc;
}

/* The keyring entry's account: "cli|" and 16 hex digits of the SHA-256 of
 * the canonical CODEX_HOME, as the reference names it. */
static char *keyring_account(const char *codex_home)
{
    char *canon = realpath(codex_home, NULL);
    const char *p = canon ? canon : codex_home;
    char hex[65];
    sha256_hex(p, strlen(p), hex);
    free(canon);
    return xasprintf("cli|%.16s", hex);
}

static int keyring_load_record(const char *codex_home, struct auth_record *out,
                               struct codex_error *err)
{
    char *account = keyring_account(codex_home);
    char *secret = NULL;
    int rc = keyring_lookup(KEYRING_SERVICE, account, &secret, err);
    free(account);
    if (rc == 1) {
        rc = auth_record_parse(secret, strlen(secret), "keyring entry \"" KEYRING_SERVICE "\"",
                               out, err) == 0 ? 1 : -1;
        keyring_free_secret(secret);
    }
    return rc;
}

static int keyring_save_record(const char *codex_home, const char *text, struct codex_error *err)
{
    char *account = keyring_account(codex_home);
    int rc = keyring_store(KEYRING_SERVICE, account, "Codex Auth", text, err);
    free(account);
    return rc;
}

static int keyring_delete_record(const char *codex_home, struct codex_error *err)
{
    char *account = keyring_account(codex_home);
    int rc = keyring_clear(KEYRING_SERVICE, account, err);
    free(account);
    return rc;
}

/* Ephemeral credentials live as long as the process: one slot per
 * CODEX_HOME, the serialized document. */
struct ephemeral_slot {
    char *codex_home;
    char *text;
    struct ephemeral_slot *next;
};
static struct ephemeral_slot *ephemeral_slots;

static struct ephemeral_slot **ephemeral_find(const char *codex_home)
{
    struct ephemeral_slot **pp = &ephemeral_slots;
    while (*pp && strcmp((*pp)->codex_home, codex_home) != 0)
        pp = &(*pp)->next;
    return pp;
}

static int ephemeral_load(const char *codex_home, struct auth_record *out, struct codex_error *err)
{
    struct ephemeral_slot *s = *ephemeral_find(codex_home);
    if (!s)
        return 0;
    return auth_record_parse(s->text, strlen(s->text), "ephemeral credentials", out, err) == 0 ? 1
                                                                                              : -1;
}

static void ephemeral_save(const char *codex_home, const char *text)
{
    struct ephemeral_slot **pp = ephemeral_find(codex_home);
    if (!*pp) {
        *pp = xcalloc(1, sizeof **pp);
        (*pp)->codex_home = xstrdup(codex_home);
    }
    free((*pp)->text);
    (*pp)->text = xstrdup(text);
}

static int ephemeral_delete(const char *codex_home)
{
    struct ephemeral_slot **pp = ephemeral_find(codex_home), *s = *pp;
    if (!s)
        return 0;
    *pp = s->next;
    free(s->codex_home);
    free(s->text);
    free(s);
    return 1;
}

int auth_store_load(const struct auth_store *st, struct auth_record *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    switch (st->mode) {
    case AUTH_STORE_FILE:
        return file_load(st->codex_home, out, err);
    case AUTH_STORE_KEYRING:
        return keyring_load_record(st->codex_home, out, err);
    case AUTH_STORE_AUTO: {
        struct codex_error kerr = CODEX_ERROR_INIT;
        int rc = keyring_load_record(st->codex_home, out, &kerr);
        codex_error_clear(&kerr);
        return rc == 1 ? 1 : file_load(st->codex_home, out, err);
    }
    case AUTH_STORE_EPHEMERAL:
        return ephemeral_load(st->codex_home, out, err);
    }
    return 0;
}

int auth_store_save(const struct auth_store *st, const struct auth_record *r,
                    struct codex_error *err)
{
    int rc = 0;
    switch (st->mode) {
    case AUTH_STORE_FILE: {
        char *text = auth_record_serialize(r, true);
        rc = file_save(st->codex_home, text, err);
        free(text);
        return rc;
    }
    case AUTH_STORE_KEYRING:
    case AUTH_STORE_AUTO: {
        char *compact = auth_record_serialize(r, false);
        struct codex_error kerr = CODEX_ERROR_INIT;
        rc = keyring_save_record(st->codex_home, compact, &kerr);
        free(compact);
        if (rc == 0) {
            /* The keyring holds them now: no copy stays on disk. */
            struct codex_error ignored = CODEX_ERROR_INIT;
            file_delete(st->codex_home, &ignored);
            codex_error_clear(&ignored);
        } else if (st->mode == AUTH_STORE_AUTO) {
            char *text = auth_record_serialize(r, true);
            rc = file_save(st->codex_home, text, err);
            free(text);
        } else {
            codex_error_move(err, &kerr);
        }
        codex_error_clear(&kerr);
        return rc;
    }
    case AUTH_STORE_EPHEMERAL: {
        char *text = auth_record_serialize(r, false);
        ephemeral_save(st->codex_home, text);
        free(text);
        return 0;
    }
    }
    return rc;
}

int auth_store_delete(const struct auth_store *st, struct codex_error *err)
{
    switch (st->mode) {
    case AUTH_STORE_FILE:
        return file_delete(st->codex_home, err);
    case AUTH_STORE_KEYRING:
    case AUTH_STORE_AUTO: {
        struct codex_error kerr = CODEX_ERROR_INIT;
        int k = keyring_delete_record(st->codex_home, &kerr);
        int f = file_delete(st->codex_home, err);
        if (k < 0 && st->mode == AUTH_STORE_KEYRING)
            codex_error_move(err, &kerr);
        codex_error_clear(&kerr);
        if (f < 0 || (k < 0 && st->mode == AUTH_STORE_KEYRING))
            return -1;
        return k == 1 || f == 1;
    }
    case AUTH_STORE_EPHEMERAL:
        return ephemeral_delete(st->codex_home);
    }
    return 0;
}

int auth_store_lock(const char *codex_home, bool wait, struct codex_error *err)
{
    if (private_dir(codex_home, err) < 0)
        return -1;
    char *path = fs_join(codex_home, "auth.json.lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        codex_error_set_os(err, errno, "cannot open %s", path);
        free(path);
        return -1;
    }
    int rc;
    do
        rc = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
    while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        int saved = errno;
        if (saved != EWOULDBLOCK)
            codex_error_set_os(err, saved, "cannot lock %s", path);
        close(fd);
        free(path);
        errno = saved;
        return -1;
    }
    free(path);
    return fd;
}

void auth_store_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

char *auth_load_api_key(const char *codex_home)
{
    struct auth_record r;
    struct codex_error err = CODEX_ERROR_INIT;
    char *key = NULL;
    if (file_load(codex_home, &r, &err) == 1) {
        if (r.api_key && *r.api_key)
            key = xstrdup(r.api_key);
        auth_record_free(&r);
    }
    codex_error_clear(&err);
    return key;
}
