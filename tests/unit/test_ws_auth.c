/* WebSocket upgrade auth (rpc/ws_auth.c): HMAC-SHA256 against RFC 4231,
 * the flag combinations the reference refuses, and every verdict on a
 * signed bearer token (signature, algorithm, exp/nbf with the skew,
 * issuer, audience) with the reference's 401 reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpc/ws_auth.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "util/xalloc.h"

static const char SECRET[] = "0123456789abcdef0123456789abcdef-secret";
static const long long NOW = 1800000000;

static void hex(const unsigned char *d, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    unsigned char mac[32];
    char h[65];
    unsigned char key1[20];
    memset(key1, 0x0b, sizeof key1);
    hmac_sha256(key1, sizeof key1, "Hi There", 8, mac);
    hex(mac, h);
    assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
    hex(mac, h);
    assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* Test case 6: a key longer than the block is hashed first. */
    unsigned char key6[131];
    memset(key6, 0xaa, sizeof key6);
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_sha256(key6, sizeof key6, msg, strlen(msg), mac);
    hex(mac, h);
    assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* header.payload.signature, signed with key unless sign is false. */
static char *jwt(const char *header, const char *payload, const char *key)
{
    char *h = base64url_encode(header, strlen(header));
    char *p = base64url_encode(payload, strlen(payload));
    char *signing = xasprintf("%s.%s", h, p);
    unsigned char mac[32];
    hmac_sha256(key, strlen(key), signing, strlen(signing), mac);
    char *s = base64url_encode(mac, sizeof mac);
    char *token = xasprintf("Bearer %s.%s", signing, s);
    free(h);
    free(p);
    free(signing);
    free(s);
    return token;
}

static char *claims_token(const char *claims_fmt, long long a, long long b)
{
    char claims[512];
    snprintf(claims, sizeof claims, claims_fmt, a, b);
    return jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, SECRET);
}

static struct ws_auth_policy signed_policy(const char *issuer, const char *audience)
{
    struct ws_auth_policy p = {.mode = WS_AUTH_SIGNED_BEARER,
                               .max_skew_seconds = 30,
                               .secret_len = strlen(SECRET)};
    p.secret = (unsigned char *)xstrdup(SECRET);
    p.issuer = issuer ? xstrdup(issuer) : NULL;
    p.audience = audience ? xstrdup(audience) : NULL;
    return p;
}

static void expect(const struct ws_auth_policy *p, char *header, const char *want)
{
    const char *got = ws_auth_check(p, header, NOW);
    if (want == NULL && got != NULL)
        fail_msg("%s refused: %s", header, got);
    if (want != NULL && (got == NULL || strcmp(got, want) != 0))
        fail_msg("%s: got %s, want %s", header, got ? got : "(allowed)", want);
    free(header);
}

static void test_signed_bearer_verdicts(void **state)
{
    (void)state;
    struct ws_auth_policy p = signed_policy(NULL, NULL);
    expect(&p, claims_token("{\"exp\":%lld}", NOW + 60, 0), NULL);
    /* The skew: 30 s past exp is still fine, 31 s is not. */
    expect(&p, claims_token("{\"exp\":%lld}", NOW - 30, 0), NULL);
    expect(&p, claims_token("{\"exp\":%lld}", NOW - 31, 0), "expired websocket jwt");
    expect(&p, claims_token("{\"exp\":%lld,\"nbf\":%lld}", NOW + 600, NOW + 30), NULL);
    expect(&p, claims_token("{\"exp\":%lld,\"nbf\":%lld}", NOW + 600, NOW + 31),
           "websocket jwt is not valid yet");
    expect(&p, claims_token("{\"exp\":%lld,\"nbf\":null}", NOW + 60, 0), NULL);
    /* exp is required and must be an integer. */
    expect(&p, claims_token("{\"iat\":%lld}", NOW, 0), "invalid websocket jwt");
    expect(&p, claims_token("{\"exp\":\"%lld\"}", NOW + 60, 0), "invalid websocket jwt");
    expect(&p, claims_token("{\"exp\":%lld.5}", NOW + 60, 0), "invalid websocket jwt");
    expect(&p, claims_token("[%lld]", NOW, 0), "invalid websocket jwt");
    /* Signed with another key, another algorithm, or not at all. */
    expect(&p, jwt("{\"alg\":\"HS256\"}", "{\"exp\":9999999999}", "another-secret-of-32-bytes-or-so!"),
           "invalid websocket jwt");
    expect(&p, jwt("{\"alg\":\"HS384\"}", "{\"exp\":9999999999}", SECRET), "invalid websocket jwt");
    expect(&p, jwt("{\"alg\":\"none\"}", "{\"exp\":9999999999}", SECRET), "invalid websocket jwt");
    expect(&p, jwt("{\"typ\":\"JWT\"}", "{\"exp\":9999999999}", SECRET), "invalid websocket jwt");
    char *good = claims_token("{\"exp\":%lld}", NOW + 60, 0);
    expect(&p, xasprintf("%s.extra", good), "invalid websocket jwt");
    char *cut = xstrdup(good);
    *strrchr(cut, '.') = '\0';
    expect(&p, cut, "invalid websocket jwt");
    char *flipped = xstrdup(good);
    char *last = flipped + strlen(flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    expect(&p, flipped, "invalid websocket jwt");
    expect(&p, xasprintf("%s=", good), "invalid websocket jwt");
    /* The header itself. */
    expect(&p, NULL, "missing websocket bearer token");
    expect(&p, xstrdup("Basic abc"), "invalid authorization header");
    expect(&p, xstrdup("Bearer"), "invalid authorization header");
    expect(&p, xstrdup("Bearer    "), "invalid authorization header");
    expect(&p, xstrdup("Bearerx abc"), "invalid authorization header");
    expect(&p, xasprintf("bEaReR %s", good + 7), NULL);
    expect(&p, xasprintf("Bearer   %s  ", good + 7), NULL);
    expect(&p, xstrdup("Bearer caf\xc3\xa9"), "invalid authorization header");
    free(good);
    ws_auth_policy_free(&p);
}

static void test_issuer_and_audience(void **state)
{
    (void)state;
    struct ws_auth_policy p = signed_policy("me", "app");
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"me\",\"aud\":\"app\"}", NOW + 60, 0), NULL);
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"me\",\"aud\":[\"x\",\"app\"]}", NOW + 60, 0),
           NULL);
    expect(&p, claims_token("{\"exp\":%lld,\"aud\":\"app\"}", NOW + 60, 0),
           "websocket jwt issuer mismatch");
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"you\",\"aud\":\"app\"}", NOW + 60, 0),
           "websocket jwt issuer mismatch");
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"me\"}", NOW + 60, 0),
           "websocket jwt audience mismatch");
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"me\",\"aud\":[\"x\"]}", NOW + 60, 0),
           "websocket jwt audience mismatch");
    /* A claim of the wrong type makes the token malformed, not mismatched. */
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"me\",\"aud\":[1]}", NOW + 60, 0),
           "invalid websocket jwt");
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":7,\"aud\":\"app\"}", NOW + 60, 0),
           "invalid websocket jwt");
    /* Expiry is judged before the issuer, as the reference does. */
    expect(&p, claims_token("{\"exp\":%lld,\"iss\":\"you\"}", NOW - 3600, 0),
           "expired websocket jwt");
    ws_auth_policy_free(&p);
}

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/codex-ws-auth-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int load(struct ws_auth_flags f, char **error, struct ws_auth_policy *p)
{
    int rc = ws_auth_policy_load(p, &f, "/nonexistent-cwd", error);
    return rc;
}

static void test_flags(void **state)
{
    (void)state;
    struct ws_auth_policy p;
    char *error = NULL;
    assert_int_equal(load((struct ws_auth_flags){0}, &error, &p), 0);
    assert_int_equal(p.mode, WS_AUTH_NONE);
    assert_int_equal(load((struct ws_auth_flags){.issuer = "x"}, &error, &p), -1);
    assert_non_null(strstr(error, "require `--ws-auth capability-token` or"));
    free(error);
    assert_int_equal(
        load((struct ws_auth_flags){.mode = "capability-token", .audience = "a", .token_file = "/t"},
             &error, &p),
        -1);
    assert_non_null(strstr(error, "require `--ws-auth signed-bearer-token`"));
    free(error);
    assert_int_equal(load((struct ws_auth_flags){.mode = "capability-token", .token_sha256 = "ab"},
                          &error, &p),
                     -1);
    assert_string_equal(error, "--ws-token-sha256 must be a 64-character hex SHA-256 digest");
    free(error);
    char digest[65];
    sha256_hex("tok", 3, digest);
    assert_int_equal(load((struct ws_auth_flags){.mode = "capability-token", .token_sha256 = digest},
                          &error, &p),
                     0);
    const char *bearer_ok = ws_auth_check(&p, "Bearer tok", NOW);
    assert_null(bearer_ok);
    assert_string_equal(ws_auth_check(&p, "Bearer tok2", NOW), "invalid websocket bearer token");
    assert_string_equal(ws_auth_check(&p, NULL, NOW), "missing websocket bearer token");
    ws_auth_policy_free(&p);

    /* A secret must hold 32 bytes once trimmed; a relative path is read
     * from cwd and named absolute in the message. */
    char *short_secret = write_temp("  short-secret \n");
    assert_int_equal(load((struct ws_auth_flags){.mode = "signed-bearer-token",
                                                 .secret_file = short_secret},
                          &error, &p),
                     1);
    assert_non_null(strstr(error, "must be at least 32 bytes"));
    free(error);
    assert_int_equal(load((struct ws_auth_flags){.mode = "signed-bearer-token",
                                                 .secret_file = "rel.secret"},
                          &error, &p),
                     1);
    assert_non_null(strstr(error, "failed to read websocket auth secret /nonexistent-cwd/rel.secret"));
    free(error);
    char *good = write_temp("\n" "0123456789abcdef0123456789abcdef-secret" "\n");
    assert_int_equal(load((struct ws_auth_flags){.mode = "signed-bearer-token", .secret_file = good,
                                                 .issuer = "  ", .has_max_skew = true,
                                                 .max_skew = 0},
                          &error, &p),
                     0);
    assert_null(p.issuer);
    assert_int_equal(p.max_skew_seconds, 0);
    assert_int_equal(p.secret_len, strlen(SECRET));
    expect(&p, claims_token("{\"exp\":%lld}", NOW - 1, 0), "expired websocket jwt");
    ws_auth_policy_free(&p);
    unlink(short_secret);
    unlink(good);
    free(short_secret);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_signed_bearer_verdicts),
        cmocka_unit_test(test_issuer_and_audience),
        cmocka_unit_test(test_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
