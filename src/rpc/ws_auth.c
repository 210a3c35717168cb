#include "rpc/ws_auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/base64.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define INVALID_HEADER "invalid authorization header"
#define INVALID_JWT "invalid websocket jwt"

bool ws_auth_mode_valid(const char *value)
{
    return strcmp(value, "capability-token") == 0 || strcmp(value, "signed-bearer-token") == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A flag's path, a relative one taken from cwd as the reference takes it. */
static char *secret_path(const char *flag_path, const char *cwd)
{
    return flag_path[0] == '/' ? xstrdup(flag_path) : fs_join(cwd, flag_path);
}

/* The file's text without surrounding white space, as the secret.  1 with
 * *error set when it cannot be read or holds nothing. */
static int read_secret(const char *flag_path, const char *cwd, char **out, size_t *out_len,
                       char **error)
{
    char *path = secret_path(flag_path, cwd);
    size_t len;
    char *text = fs_read_file(path, 1u << 20, &len);
    if (!text) {
        *error = xasprintf("failed to read websocket auth secret %s: %s (os error %d)", path,
                           strerror(errno), errno);
        free(path);
        return 1;
    }
    size_t start = 0;
    while (start < len && is_space(text[start]))
        start++;
    while (len > start && is_space(text[len - 1]))
        len--;
    if (len == start) {
        *error = xasprintf("websocket auth secret %s must not be empty", path);
        free(text);
        free(path);
        return 1;
    }
    free(path);
    memmove(text, text + start, len - start);
    text[len - start] = '\0';
    *out = text;
    *out_len = len - start;
    return 0;
}

static bool parse_digest(const char *text, unsigned char out[32])
{
    while (is_space(*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && is_space(text[n - 1]))
        n--;
    return n == 64 && sha256_from_hex(text, out);
}

/* An empty or blank --ws-issuer / --ws-audience means no requirement. */
static char *trimmed_or_null(const char *s)
{
    if (!s)
        return NULL;
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    return n ? xstrndup(s, n) : NULL;
}

static int usage(char **error, const char *line)
{
    *error = xstrdup(line);
    return -1;
}

int ws_auth_policy_load(struct ws_auth_policy *p, const struct ws_auth_flags *f, const char *cwd,
                        char **error)
{
    memset(p, 0, sizeof *p);
    *error = NULL;
    bool signed_flags = f->secret_file || f->issuer || f->audience || f->has_max_skew;
    bool token_flags = f->token_file || f->token_sha256;
    if (!f->mode) {
        if (signed_flags || token_flags)
            return usage(error, "websocket auth flags require `--ws-auth capability-token` or "
                                "`--ws-auth signed-bearer-token`");
        return 0;
    }
    if (strcmp(f->mode, "capability-token") == 0) {
        if (signed_flags)
            return usage(error, "`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and "
                                "`--ws-max-clock-skew-seconds` require `--ws-auth "
                                "signed-bearer-token`");
        if (f->token_file && f->token_sha256)
            return usage(error, "`--ws-token-file` and `--ws-token-sha256` are mutually exclusive");
        if (!token_flags)
            return usage(error, "`--ws-token-file` or `--ws-token-sha256` is required when "
                                "`--ws-auth capability-token` is set");
        p->mode = WS_AUTH_CAPABILITY_TOKEN;
        if (f->token_sha256) {
            if (!parse_digest(f->token_sha256, p->token_sha256))
                return usage(error, "--ws-token-sha256 must be a 64-character hex SHA-256 digest");
            return 0;
        }
        char *token;
        size_t len;
        if (read_secret(f->token_file, cwd, &token, &len, error))
            return 1;
        struct sha256 s;
        sha256_init(&s);
        sha256_update(&s, token, len);
        sha256_final(&s, p->token_sha256);
        free(token);
        return 0;
    }
    /* signed-bearer-token (the caller checked the mode's spelling) */
    if (token_flags)
        return usage(error, "`--ws-token-file` and `--ws-token-sha256` require `--ws-auth "
                            "capability-token`, not `signed-bearer-token`");
    if (!f->secret_file)
        return usage(error, "`--ws-shared-secret-file` is required when `--ws-auth "
                            "signed-bearer-token` is set");
    p->max_skew_seconds = f->has_max_skew ? f->max_skew : WS_AUTH_DEFAULT_SKEW_SECONDS;
    char *secret;
    size_t len;
    if (read_secret(f->secret_file, cwd, &secret, &len, error))
        return 1;
    if (len < WS_AUTH_MIN_SECRET_BYTES) {
        char *path = secret_path(f->secret_file, cwd);
        *error = xasprintf("signed websocket bearer secret %s must be at least %d bytes", path,
                           WS_AUTH_MIN_SECRET_BYTES);
        free(path);
        free(secret);
        return 1;
    }
    p->mode = WS_AUTH_SIGNED_BEARER;
    p->secret = (unsigned char *)secret;
    p->secret_len = len;
    p->issuer = trimmed_or_null(f->issuer);
    p->audience = trimmed_or_null(f->audience);
    return 0;
}

void ws_auth_policy_free(struct ws_auth_policy *p)
{
    if (p->secret)
        memset(p->secret, 0, p->secret_len);
    free(p->secret);
    free(p->issuer);
    free(p->audience);
    memset(p, 0, sizeof *p);
}

/* "Bearer <token>": the token (into the header, *len bytes), or NULL with
 * *why set. */
static const char *bearer_token(const char *header, size_t *len, const char **why)
{
    if (!header) {
        *why = "missing websocket bearer token";
        return NULL;
    }
    for (const unsigned char *c = (const unsigned char *)header; *c; c++) {
        if ((*c < 0x20 && *c != '\t') || *c >= 0x7f) {
            *why = INVALID_HEADER;
            return NULL;
        }
    }
    const char *space = strchr(header, ' ');
    if (!space || (size_t)(space - header) != 6 || strncasecmp(header, "Bearer", 6) != 0) {
        *why = INVALID_HEADER;
        return NULL;
    }
    const char *t = space + 1;
    while (is_space(*t))
        t++;
    size_t n = strlen(t);
    while (n > 0 && is_space(t[n - 1]))
        n--;
    if (n == 0) {
        *why = INVALID_HEADER;
        return NULL;
    }
    *len = n;
    return t;
}

static bool same_32(const unsigned char *a, const unsigned char *b)
{
    unsigned char diff = 0; /* constant time */
    for (int i = 0; i < 32; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}

/* base64url without padding, as JWS compact serialization has it. */
static json_t *decode_json_part(const char *s, size_t n)
{
    if (memchr(s, '=', n))
        return NULL;
    size_t len;
    unsigned char *raw = base64url_decode(s, n, &len);
    if (!raw)
        return NULL;
    json_t *v = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    return v;
}

static bool optional_integer(const json_t *v)
{
    return !v || json_is_null(v) || json_is_integer(v);
}

static bool optional_string(const json_t *v)
{
    return !v || json_is_null(v) || json_is_string(v);
}

/* aud: a string or an array of strings; anything else makes the token
 * malformed. */
static bool audience_valid(const json_t *aud)
{
    if (optional_string(aud))
        return true;
    if (!json_is_array(aud))
        return false;
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) if (!json_is_string(a)) return false;
    return true;
}

static bool audience_matches(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) if (strcmp(json_string_value(a), want) == 0) return true;
    return false;
}

/* The claims of an HS256 token signed with the secret, or NULL. */
static json_t *verified_claims(const struct ws_auth_policy *p, const char *token)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.'))
        return NULL;
    json_t *header = decode_json_part(token, (size_t)(dot1 - token));
    const char *alg = json_string_value(json_object_get(header, "alg"));
    bool hs256 = json_is_object(header) && alg && strcmp(alg, "HS256") == 0;
    json_decref(header);
    if (!hs256)
        return NULL;
    const char *sig_text = dot2 + 1;
    if (strchr(sig_text, '='))
        return NULL;
    size_t sig_len;
    unsigned char *sig = base64url_decode(sig_text, strlen(sig_text), &sig_len);
    if (!sig)
        return NULL;
    unsigned char want[32];
    hmac_sha256(p->secret, p->secret_len, token, (size_t)(dot2 - token), want);
    bool ok = sig_len == 32 && same_32(sig, want);
    free(sig);
    if (!ok)
        return NULL;
    json_t *claims = decode_json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!json_is_object(claims) || !json_is_integer(json_object_get(claims, "exp")) ||
        !optional_integer(json_object_get(claims, "nbf")) ||
        !optional_string(json_object_get(claims, "iss")) ||
        !audience_valid(json_object_get(claims, "aud"))) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static const char *check_signed(const struct ws_auth_policy *p, const char *token, int64_t now)
{
    json_t *claims = verified_claims(p, token);
    if (!claims)
        return INVALID_JWT;
    const char *why = NULL;
    int64_t exp = json_integer_value(json_object_get(claims, "exp"));
    const json_t *nbf = json_object_get(claims, "nbf");
    const json_t *iss = json_object_get(claims, "iss");
    const json_t *aud = json_object_get(claims, "aud");
    if (now > saturating_add(exp, p->max_skew_seconds))
        why = "expired websocket jwt";
    else if (json_is_integer(nbf) &&
             now < saturating_add(json_integer_value(nbf), -p->max_skew_seconds))
        why = "websocket jwt is not valid yet";
    else if (p->issuer && !(json_is_string(iss) && strcmp(json_string_value(iss), p->issuer) == 0))
        why = "websocket jwt issuer mismatch";
    else if (p->audience && !(aud && !json_is_null(aud) && audience_matches(aud, p->audience)))
        why = "websocket jwt audience mismatch";
    json_decref(claims);
    return why;
}

const char *ws_auth_check(const struct ws_auth_policy *p, const char *authorization, int64_t now)
{
    if (!p || p->mode == WS_AUTH_NONE)
        return NULL;
    const char *why = NULL;
    size_t n;
    const char *token = bearer_token(authorization, &n, &why);
    if (!token)
        return why;
    if (p->mode == WS_AUTH_SIGNED_BEARER) {
        char *copy = xstrndup(token, n);
        why = check_signed(p, copy, now);
        free(copy);
        return why;
    }
    unsigned char digest[32];
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, token, n);
    sha256_final(&s, digest);
    return same_32(digest, p->token_sha256) ? NULL : "invalid websocket bearer token";
}
