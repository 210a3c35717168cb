/* Unit tests for sign-in pieces: auth.json documents, JWT claims, PKCE,
 * URL encoding, the callback server's request parser, OAuth error text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "login/http_request.h"
#include "login/jwt.h"
#include "login/oauth.h"
#include "login/pkce.h"
#include "store/auth.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/url.h"
#include "util/xalloc.h"

static char *jwt_of(const char *payload_json)
{
    char *header = base64url_encode("{\"alg\":\"none\"}", 14);
    char *payload = base64url_encode(payload_json, strlen(payload_json));
    char *jwt = xasprintf("%s.%s.c2ln", header, payload);
    free(header);
    free(payload);
    return jwt;
}

static void auth_json_round_trip_keeps_unknown_fields(void **state)
{
    (void)state;
    const char *text =
        "{\"auth_mode\": \"chatgpt\", \"OPENAI_API_KEY\": null,\n"
        " \"tokens\": {\"id_token\": \"a.b.c\", \"access_token\": \"x\", \"refresh_token\": \"r\",\n"
        "  \"oauth_provenance\": {\"issuer\": \"https://auth.openai.com\"},\n"
        "  \"login_owner_id\": \"o-1\", \"account_id\": \"acc\"},\n"
        " \"last_refresh\": \"2026-12-05T03:07:10.645064256Z\", \"future_field\": [1, 2]}";
    struct auth_record r;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(auth_record_parse(text, strlen(text), "auth.json", &r, &err), 0);
    assert_string_equal(r.auth_mode, "chatgpt");
    assert_null(r.api_key);
    assert_true(r.has_tokens);
    assert_string_equal(r.tokens.account_id, "acc");
    auth_record_set_tokens(&r, "n.e.w", "x2", "r2", "acc");
    char *out = auth_record_serialize(&r, true);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "tokens"),
                                                          "refresh_token")),
                        "r2");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "tokens"),
                                                          "login_owner_id")),
                        "o-1");
    assert_non_null(json_object_get(json_object_get(j, "tokens"), "oauth_provenance"));
    assert_int_equal(json_array_size(json_object_get(j, "future_field")), 2);
    assert_true(json_is_null(json_object_get(j, "OPENAI_API_KEY")));
    /* The reference's order: auth_mode, OPENAI_API_KEY, tokens, last_refresh. */
    assert_true(strstr(out, "auth_mode") < strstr(out, "OPENAI_API_KEY"));
    assert_true(strstr(out, "OPENAI_API_KEY") < strstr(out, "\"tokens\""));
    assert_true(strstr(out, "\"tokens\"") < strstr(out, "last_refresh"));
    json_decref(j);
    free(out);
    auth_record_free(&r);
}

static void malformed_auth_json_names_where(void **state)
{
    (void)state;
    struct auth_record r;
    struct codex_error err = CODEX_ERROR_INIT;
    const char *bad = "{\"tokens\": ";
    assert_int_equal(auth_record_parse(bad, strlen(bad), "/h/auth.json", &r, &err), -1);
    char *text = codex_error_text(&err);
    assert_non_null(strstr(text, "/h/auth.json:1:"));
    assert_non_null(strstr(text, "invalid JSON"));
    free(text);
    codex_error_clear(&err);

    const char *missing = "{\"auth_mode\": \"chatgpt\", \"tokens\": {\"id_token\": \"a\"}}";
    assert_int_equal(auth_record_parse(missing, strlen(missing), "/h/auth.json", &r, &err), -1);
    text = codex_error_text(&err);
    assert_non_null(strstr(text, "tokens.access_token"));
    free(text);
    codex_error_clear(&err);

    const char *wrong = "{\"OPENAI_API_KEY\": 42}";
    assert_int_equal(auth_record_parse(wrong, strlen(wrong), "/h/auth.json", &r, &err), -1);
    text = codex_error_text(&err);
    assert_non_null(strstr(text, "OPENAI_API_KEY"));
    free(text);
    codex_error_clear(&err);

    assert_int_equal(auth_record_parse("[1]", 3, "x", &r, &err), -1);
    codex_error_clear(&err);
}

static void store_writes_private_files_atomically(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_login.XXXXXX";
    assert_non_null(mkdtemp(dir));
    chmod(dir, 0755);
    char *path = fs_join(dir, "auth.json");
    /* A seed file that is readable by others gets tightened. */
    assert_int_equal(fs_write_atomic(path, "{}", 2, 0644), 0);
    struct auth_store st = {dir, AUTH_STORE_FILE};
    struct auth_record r = {0};
    r.auth_mode = xstrdup("apikey");
    r.api_key = xstrdup("sk-unit");
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(auth_store_save(&st, &r, &err), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    struct auth_record back;
    assert_int_equal(auth_store_load(&st, &back, &err), 1);
    assert_string_equal(back.api_key, "sk-unit");
    auth_record_free(&back);
    auth_record_free(&r);
    assert_int_equal(auth_store_delete(&st, &err), 1);
    assert_int_equal(auth_store_delete(&st, &err), 0);
    assert_int_equal(auth_store_load(&st, &back, &err), 0);

    /* The lock is exclusive across descriptors (processes, in real use). */
    int fd = auth_store_lock(dir, false, &err);
    assert_true(fd >= 0);
    char *lock = fs_join(dir, "auth.json.lock");
    assert_int_equal(stat(lock, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(auth_store_lock(dir, false, &err), -1);
    assert_false(codex_error_is_set(&err));
    auth_store_unlock(fd);
    fd = auth_store_lock(dir, false, &err);
    assert_true(fd >= 0);
    auth_store_unlock(fd);
    unlink(lock);
    free(lock);
    rmdir(dir);
    free(path);
}

static void ephemeral_store_stays_in_memory(void **state)
{
    (void)state;
    struct auth_store st = {"/nonexistent/codex-home", AUTH_STORE_EPHEMERAL};
    struct auth_record r = {0};
    r.personal_access_token = xstrdup("at-mem");
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(auth_store_save(&st, &r, &err), 0);
    auth_record_free(&r);
    assert_int_equal(auth_store_load(&st, &r, &err), 1);
    assert_string_equal(r.personal_access_token, "at-mem");
    auth_record_free(&r);
    assert_int_equal(auth_store_delete(&st, &err), 1);
    assert_int_equal(auth_store_load(&st, &r, &err), 0);
}

static void rfc3339_times(void **state)
{
    (void)state;
    assert_int_equal(auth_parse_rfc3339("1970-01-02T00:00:00Z"), 86400);
    assert_int_equal(auth_parse_rfc3339("1970-01-02T00:00:00.123456789Z"), 86400);
    assert_int_equal(auth_parse_rfc3339("1970-01-02T01:00:00+01:00"), 86400);
    assert_int_equal(auth_parse_rfc3339("yesterday"), -1);
    assert_int_equal(auth_parse_rfc3339(NULL), -1);
    char *now = auth_now_rfc3339();
    assert_int_equal(strlen(now), 30);
    assert_true(auth_parse_rfc3339(now) > 1700000000);
    free(now);
}

static void jwt_claims_are_read(void **state)
{
    (void)state;
    char *jwt = jwt_of("{\"email\":\"a@b.c\",\"exp\":1700000000,"
                       "\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"acc-1\","
                       "\"chatgpt_plan_type\":\"plus\",\"user_id\":\"u-1\"}}");
    struct chatgpt_claims c;
    assert_true(chatgpt_claims_read(jwt, &c));
    assert_string_equal(c.email, "a@b.c");
    assert_string_equal(c.account_id, "acc-1");
    assert_string_equal(c.plan_type, "plus");
    assert_string_equal(c.user_id, "u-1");
    assert_int_equal(c.exp, 1700000000);
    chatgpt_claims_free(&c);
    free(jwt);
    jwt = jwt_of("{\"https://api.openai.com/profile\":{\"email\":\"p@q.r\"}}");
    assert_true(chatgpt_claims_read(jwt, &c));
    assert_string_equal(c.email, "p@q.r");
    assert_null(c.account_id);
    chatgpt_claims_free(&c);
    free(jwt);
    assert_false(chatgpt_claims_read("not-a-jwt", &c));
    assert_false(chatgpt_claims_read("a.b", &c));
    assert_false(chatgpt_claims_read("a..c", &c));
    assert_false(chatgpt_claims_read("a.!!!.c", &c));
    assert_null(jwt_claims("a.b.c.d"));
}

static void pkce_challenge_is_s256_of_the_verifier(void **state)
{
    (void)state;
    struct pkce p;
    pkce_generate(&p);
    assert_int_equal(strlen(p.verifier), 86);
    assert_int_equal(strlen(p.challenge), 43);
    struct sha256 s;
    unsigned char d[32];
    sha256_init(&s);
    sha256_update(&s, p.verifier, strlen(p.verifier));
    sha256_final(&s, d);
    char *expect = base64url_encode(d, 32);
    assert_string_equal(p.challenge, expect);
    free(expect);
    struct pkce q;
    pkce_generate(&q);
    assert_string_not_equal(p.verifier, q.verifier);
    char st1[44], st2[44];
    login_random_state(st1);
    login_random_state(st2);
    assert_int_equal(strlen(st1), 43);
    assert_string_not_equal(st1, st2);
    assert_null(strpbrk(st1, "+/="));
}

static void url_encoding_and_queries(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    url_param_append(&b, "redirect_uri", "http://127.0.0.1:1455/auth/callback");
    url_param_append(&b, "scope", "openid profile");
    assert_string_equal(buf_cstr(&b),
                        "redirect_uri=http%3A%2F%2F127.0.0.1%3A1455%2Fauth%2Fcallback&"
                        "scope=openid%20profile");
    buf_free(&b);
    const char *q = "code=ab%2Bc&state=x+y&empty=&flag&bad=%zz&nul=%00";
    bool present;
    char *v = url_query_get(q, strlen(q), "code", &present);
    assert_true(present);
    assert_string_equal(v, "ab+c");
    free(v);
    v = url_query_get(q, strlen(q), "state", NULL);
    assert_string_equal(v, "x y");
    free(v);
    v = url_query_get(q, strlen(q), "empty", NULL);
    assert_string_equal(v, "");
    free(v);
    v = url_query_get(q, strlen(q), "flag", NULL);
    assert_string_equal(v, "");
    free(v);
    assert_null(url_query_get(q, strlen(q), "bad", &present));
    assert_true(present);
    assert_null(url_query_get(q, strlen(q), "nul", NULL));
    assert_null(url_query_get(q, strlen(q), "missing", &present));
    assert_false(present);
    assert_null(url_query_get(q, strlen(q), "cod", NULL));
    assert_true(url_is_loopback_http("http://127.0.0.1:8080/backend-api/"));
    assert_true(url_is_loopback_http("http://localhost/x"));
    assert_true(url_is_loopback_http("http://[::1]:9/"));
    assert_false(url_is_loopback_http("http://127.0.0.1.evil.com/"));
    assert_false(url_is_loopback_http("https://127.0.0.1/"));
    assert_false(url_is_loopback_http("http://localhost.example/"));
}

static void request_heads(void **state)
{
    (void)state;
    struct http_request_head h;
    size_t used;
    const char *req = "GET /auth/callback?code=1&state=2 HTTP/1.1\r\nHost: x\r\n\r\nrest";
    assert_int_equal(http_request_head_parse(req, strlen(req), &h, &used), 1);
    assert_string_equal(h.method, "GET");
    assert_string_equal(h.target, "/auth/callback?code=1&state=2");
    assert_int_equal(used, strlen(req) - 4);
    http_request_head_free(&h);
    assert_int_equal(http_request_head_parse(req, 20, &h, &used), 0);
    const char *lf = "GET / HTTP/1.0\n\n";
    assert_int_equal(http_request_head_parse(lf, strlen(lf), &h, &used), 1);
    http_request_head_free(&h);
    const char *bad[] = {"get / HTTP/1.1\r\n\r\n", "GET noslash HTTP/1.1\r\n\r\n",
                         "GET / HTTP/2.0\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                         "GET /a b HTTP/1.1\r\n\r\n", "VERYLONGMETHODNAME / HTTP/1.1\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(http_request_head_parse(bad[i], strlen(bad[i]), &h, &used), -1);
    char *big = xmalloc(HTTP_REQUEST_MAX_HEAD + 10);
    memset(big, 'a', HTTP_REQUEST_MAX_HEAD + 10);
    assert_int_equal(http_request_head_parse(big, HTTP_REQUEST_MAX_HEAD + 10, &h, &used), -1);
    free(big);
}

static void oauth_error_details(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}", "code expired"},
        {"{\"error\":{\"code\":\"x\",\"message\":\"bad things\"}}", "bad things"},
        {"{\"error\":\"invalid_client\"}", "invalid_client"},
        {"{}", "unknown error"},
        {"  short text  ", "short text"},
        {"<html><body>oops</body></html>", "the server answered with an HTML page instead of JSON"},
        {"", "unknown error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = oauth_error_detail(cases[i][0], strlen(cases[i][0]));
        assert_string_equal(d, cases[i][1]);
        free(d);
    }
    assert_string_equal(http_reason_phrase(410), "Gone");
    assert_non_null(strstr(oauth_refresh_failure_message(OAUTH_REFRESH_REVOKED), "revoked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auth_json_round_trip_keeps_unknown_fields),
        cmocka_unit_test(malformed_auth_json_names_where),
        cmocka_unit_test(store_writes_private_files_atomically),
        cmocka_unit_test(ephemeral_store_stays_in_memory),
        cmocka_unit_test(rfc3339_times),
        cmocka_unit_test(jwt_claims_are_read),
        cmocka_unit_test(pkce_challenge_is_s256_of_the_verifier),
        cmocka_unit_test(url_encoding_and_queries),
        cmocka_unit_test(request_heads),
        cmocka_unit_test(oauth_error_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
