/* Unit tests for the network proxy's pieces: host names and domain
 * patterns, address classes, the HTTP and SOCKS5 parsers, the decision
 * order, the commands' environment and the configuration's JSON form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netproxy/http_head.h"
#include "netproxy/netproxy.h"
#include "netproxy/policy.h"
#include "netproxy/socks5.h"
#include "util/domain.h"

static bool matches(const char *pattern, const char *host)
{
    struct domain_pattern p;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(domain_pattern_parse(pattern, &p, &err), 0);
    char norm[DOMAIN_MAX_LEN + 1];
    assert_int_equal(domain_normalize_host(host, strlen(host), norm, sizeof norm), 0);
    bool m = domain_pattern_match(&p, norm);
    domain_pattern_free(&p);
    return m;
}

static void hosts_are_normalized(void **state)
{
    (void)state;
    char out[DOMAIN_MAX_LEN + 1];
    static const char *const cases[][2] = {
        {" API.Example.COM. ", "api.example.com"},
        {"example.com:443", "example.com"},
        {"[::1]", "::1"},
        {"[::FFFF:127.0.0.1]:80", "::ffff:127.0.0.1"},
        {"2001:DB8::1", "2001:db8::1"},
        {"fe80::1%25eth0", "fe80::1%eth0"},
        {"127.0.0.1", "127.0.0.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(domain_normalize_host(cases[i][0], strlen(cases[i][0]), out, sizeof out), 0);
        assert_string_equal(out, cases[i][1]);
    }
    static const char *const bad[] = {"", "  ", "a..b", ".a", "a b", "h\xc3\xa9.com", "a/b", "[::1", "host:port",
                                      "a*b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(domain_normalize_host(bad[i], strlen(bad[i]), out, sizeof out), -1);
}

static void patterns_match_as_documented(void **state)
{
    (void)state;
    assert_true(matches("example.com", "EXAMPLE.com."));
    assert_false(matches("example.com", "api.example.com"));
    assert_true(matches("*.example.com", "api.example.com"));
    assert_true(matches("*.example.com", "a.b.example.com"));
    assert_false(matches("*.example.com", "example.com"));
    assert_false(matches("*.example.com", "badexample.com"));
    assert_true(matches("**.example.com", "example.com"));
    assert_true(matches("**.example.com", "x.example.com"));
    assert_false(matches("**.example.com", "xexample.com"));
    assert_true(matches("region*.v2.argotunnel.com", "region1.v2.argotunnel.com"));
    assert_true(matches("region*.v2.argotunnel.com", "region.v2.argotunnel.com"));
    assert_false(matches("region*.v2.argotunnel.com", "xregion1.v2.argotunnel.com"));
    assert_true(matches("[::1]", "::1"));
    assert_true(matches("127.0.0.1", "127.0.0.1"));
}

static void everything_patterns_are_refused(void **state)
{
    (void)state;
    static const char *const all[] = {"*", "*.", "**", "**.", " * ", "?*", "*.*"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct domain_pattern p;
        struct codex_error err = CODEX_ERROR_INIT;
        assert_int_equal(domain_pattern_parse(all[i], &p, &err), -1);
        assert_non_null(strstr(err.message, "would match every host"));
        assert_non_null(strstr(err.message, "dangerously_allow_all_domains"));
        codex_error_clear(&err);
    }
    struct domain_pattern p;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(domain_pattern_parse("exa mple.com", &p, &err), -1);
    assert_non_null(strstr(err.message, "invalid domain pattern"));
    codex_error_clear(&err);
}

static void presets_cover_subdomains(void **state)
{
    (void)state;
    const char *const *list = domain_preset(":common_dependencies");
    assert_non_null(list);
    size_t n = 0;
    bool pypi = false;
    for (; list[n]; n++)
        pypi = pypi || strcmp(list[n], "pypi.org") == 0;
    assert_int_equal(n, 70);
    assert_true(pypi);
    assert_null(domain_preset(":nope"));
    struct netproxy_config cfg;
    netproxy_config_init(&cfg);
    strvec_push(&cfg.allowed_domains, ":common_dependencies");
    struct np_policy pol;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(np_policy_init(&pol, &cfg, &err), 0);
    struct np_decision d;
    np_policy_decide(&pol, "files.pythonhosted.org", NETPROXY_HTTPS_CONNECT, 443, &d);
    assert_int_equal(d.verdict, NP_ALLOW);
    np_policy_decide(&pol, "pythonhosted.org.evil.com", NETPROXY_HTTPS_CONNECT, 443, &d);
    assert_int_equal(d.verdict, NP_DENY);
    np_policy_free(&pol);
    netproxy_config_free(&cfg);
}

static void coverage_of_patterns(void **state)
{
    (void)state;
    static const struct {
        const char *outer, *inner;
        bool covered;
    } cases[] = {
        {"**.corp.com", "corp.com", true},       {"**.corp.com", "*.corp.com", true},
        {"**.corp.com", "a.b.corp.com", true},   {"*.corp.com", "corp.com", false},
        {"*.corp.com", "api.corp.com", true},    {"*.corp.com", "**.api.corp.com", true},
        {"*.corp.com", "**.corp.com", false},    {"corp.com", "api.corp.com", false},
        {"api*.corp.com", "api1.corp.com", true}, {"api*.corp.com", "*.corp.com", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct domain_pattern o, in;
        struct codex_error err = CODEX_ERROR_INIT;
        assert_int_equal(domain_pattern_parse(cases[i].outer, &o, &err), 0);
        assert_int_equal(domain_pattern_parse(cases[i].inner, &in, &err), 0);
        assert_int_equal(domain_pattern_covers(&o, &in), cases[i].covered);
        domain_pattern_free(&o);
        domain_pattern_free(&in);
    }
}

static bool non_public(const char *text)
{
    struct ip_addr a;
    assert_true(ip_parse(text, &a));
    return ip_is_non_public(&a);
}

static void address_classes(void **state)
{
    (void)state;
    static const char *const local[] = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                                        "169.254.1.1", "100.64.0.1", "0.0.0.0", "192.0.2.5", "198.18.0.1",
                                        "198.51.100.9", "203.0.113.4", "224.0.0.1", "255.255.255.255", "::",
                                        "::1", "fc00::1", "fd12::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1",
                                        "::ffff:127.0.0.1", "2001:db8::1", "64:ff9b::a00:1"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        assert_true(non_public(local[i]));
    static const char *const public[] = {"8.8.8.8", "11.7.0.2", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
                                         "::ffff:8.8.4.4", "64:ff9b::808:808"};
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
        assert_false(non_public(public[i]));
    assert_true(host_is_loopback_name("localhost"));
    assert_true(host_is_loopback_name("db.localhost"));
    assert_true(host_is_loopback_name("127.5.5.5"));
    assert_true(host_is_loopback_name("::ffff:127.0.0.1"));
    assert_false(host_is_loopback_name("localhost.example"));
}

static enum http_parse_result parse(const char *text, struct http_request_head *h, const char **why)
{
    return http_parse_request_head(text, strlen(text), 65536, h, why);
}

static void request_heads(void **state)
{
    (void)state;
    struct http_request_head h;
    const char *why = "";
    assert_int_equal(parse("GET http://a.test:8080/x?y HTTP/1.1\r\nHost: a.test\r\nX: 1 \r\n\r\nrest", &h, &why),
                     HTTP_PARSE_OK);
    assert_true(http_method_is(&h, "GET"));
    assert_int_equal(h.n_headers, 2);
    assert_memory_equal(http_find_header(&h, "x")->value, "1", 1);
    struct http_target t;
    assert_int_equal(http_parse_proxy_target(&h, &t, &why), 0);
    assert_string_equal(t.host, "a.test");
    assert_int_equal(t.port, 8080);
    assert_int_equal(t.path_len, 4);
    assert_memory_equal(t.path, "/x?y", 4);
    assert_int_equal(h.body, HTTP_BODY_NONE);
    assert_int_equal(parse("GET http://a.test/ HTTP/1.1\r\nHost: a", &h, &why), HTTP_PARSE_INCOMPLETE);

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"GET http://a/ HTTP/1.1\nHost: a\n\n", "bare LF"},
        {"GET http://a/ HTTP/2.0\r\n\r\n", "unsupported protocol version"},
        {"GET  http://a/ HTTP/1.1\r\n\r\n", "malformed request target"},
        {"GET http://a/ HTTP/1.1\r\n folded\r\n\r\n", "folded header lines"},
        {"GET http://a/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting Content-Length"},
        {"GET http://a/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "the last coding must be chunked"},
        {"GET http://a/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
        {"GET http://a/ HTTP/1.1\r\nBad Name: x\r\n\r\n", "malformed header field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = "";
        assert_int_equal(parse(bad[i].text, &h, &why), HTTP_PARSE_BAD);
        assert_non_null(strstr(why, bad[i].why));
    }
    char big[70000];
    memcpy(big, "GET http://a/ HTTP/1.1\r\nX: ", 27);
    memset(big + 27, 'a', sizeof big - 28);
    big[sizeof big - 1] = '\0';
    assert_int_equal(parse(big, &h, &why), HTTP_PARSE_TOO_LARGE);

    assert_int_equal(parse("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n", &h, &why), HTTP_PARSE_OK);
    assert_int_equal(http_parse_authority(h.target, h.target_len, 0, &t, &why), 0);
    assert_string_equal(t.host, "2001:db8::1");
    assert_int_equal(t.port, 443);
    static const char *const bad_auth[] = {"a.test", "a.test:0", "a.test:99999", "u@a.test:1", "::1:443", "[::1",
                                           ":443"};
    for (size_t i = 0; i < sizeof bad_auth / sizeof bad_auth[0]; i++)
        assert_int_equal(http_parse_authority(bad_auth[i], strlen(bad_auth[i]), 0, &t, &why), -1);
    /* Origin form: the Host header names the target. */
    assert_int_equal(parse("GET /p HTTP/1.1\r\nHost: b.test:81\r\n\r\n", &h, &why), HTTP_PARSE_OK);
    assert_int_equal(http_parse_proxy_target(&h, &t, &why), 0);
    assert_string_equal(t.host, "b.test");
    assert_int_equal(t.port, 81);
    assert_int_equal(parse("GET https://b.test/ HTTP/1.1\r\n\r\n", &h, &why), HTTP_PARSE_OK);
    assert_int_equal(http_parse_proxy_target(&h, &t, &why), -1);
    assert_non_null(strstr(why, "CONNECT"));
}

static void bodies_are_framed(void **state)
{
    (void)state;
    struct http_request_head h;
    const char *why = "";
    const char *req = "POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(parse(req, &h, &why), HTTP_PARSE_OK);
    const char *body = "4;ext=1\r\nabcd\r\n0\r\nTrailer: x\r\n\r\nGET next";
    struct http_body_framer f;
    http_body_framer_init(&f, &h);
    assert_int_equal(http_body_feed(&f, body, strlen(body), &why), (long)strlen(body) - 8);
    assert_true(f.done);
    http_body_framer_init(&f, &h);
    assert_int_equal(http_body_feed(&f, "zz\r\n", 4, &why), -1);
    assert_int_equal(parse("PUT http://a/ HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &h, &why), HTTP_PARSE_OK);
    http_body_framer_init(&f, &h);
    assert_int_equal(http_body_feed(&f, "abc", 3, &why), 3);
    assert_false(f.done);
    assert_int_equal(http_body_feed(&f, "defgh", 5, &why), 2);
    assert_true(f.done);
}

static void socks5_messages(void **state)
{
    (void)state;
    bool no_auth;
    size_t used;
    const uint8_t greet[] = {5, 2, 2, 0};
    assert_int_equal(socks5_parse_greeting(greet, sizeof greet, &no_auth, &used), SOCKS5_PARSED);
    assert_true(no_auth);
    assert_int_equal(used, 4);
    assert_int_equal(socks5_parse_greeting(greet, 3, &no_auth, &used), SOCKS5_INCOMPLETE);
    const uint8_t v4[] = {4, 1, 0};
    assert_int_equal(socks5_parse_greeting(v4, sizeof v4, &no_auth, &used), SOCKS5_MALFORMED);
    enum socks5_cmd cmd;
    struct socks5_addr a;
    const uint8_t req[] = {5, 1, 0, 3, 6, 'a', '.', 't', 'e', 's', 't', 0x1f, 0x90};
    assert_int_equal(socks5_parse_request(req, sizeof req, &cmd, &a, &used), SOCKS5_PARSED);
    assert_int_equal(cmd, SOCKS5_CONNECT);
    assert_string_equal(a.host, "a.test");
    assert_int_equal(a.port, 8080);
    assert_int_equal(socks5_parse_request(req, sizeof req - 1, &cmd, &a, &used), SOCKS5_INCOMPLETE);
    const uint8_t v6[] = {5, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 53};
    assert_int_equal(socks5_parse_request(v6, sizeof v6, &cmd, &a, &used), SOCKS5_PARSED);
    assert_int_equal(cmd, SOCKS5_UDP_ASSOCIATE);
    assert_string_equal(a.host, "::1");
    const uint8_t nul[] = {5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80};
    assert_int_equal(socks5_parse_request(nul, sizeof nul, &cmd, &a, &used), SOCKS5_MALFORMED);
    const uint8_t udp[] = {0, 0, 0, 1, 11, 7, 0, 2, 0, 53, 'h', 'i'};
    size_t off;
    assert_int_equal(socks5_parse_udp(udp, sizeof udp, &a, &off), SOCKS5_PARSED);
    assert_string_equal(a.host, "11.7.0.2");
    assert_int_equal(off, 10);
    const uint8_t frag[] = {0, 0, 1, 1, 11, 7, 0, 2, 0, 53};
    assert_int_equal(socks5_parse_udp(frag, sizeof frag, &a, &off), SOCKS5_MALFORMED);
    uint8_t out[32];
    const uint8_t lo[4] = {127, 0, 0, 1};
    assert_int_equal(socks5_reply(out, SOCKS5_NOT_ALLOWED, lo, 4, 1080), 10);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[8] << 8 | out[9], 1080);
}

static struct np_decision decide_port(struct np_policy *p, const char *host, enum netproxy_protocol proto,
                                      uint16_t port)
{
    struct np_decision d;
    np_policy_decide(p, host, proto, port, &d);
    return d;
}

static struct np_decision decide(struct np_policy *p, const char *host, enum netproxy_protocol proto)
{
    return decide_port(p, host, proto, 80);
}

static void decisions_follow_the_documented_order(void **state)
{
    (void)state;
    struct netproxy_config cfg;
    netproxy_config_init(&cfg);
    strvec_push(&cfg.allowed_domains, "**.corp.test");
    strvec_push(&cfg.allowed_domains, "127.0.0.1");
    strvec_push(&cfg.denied_domains, "secret.corp.test");
    netproxy_config_add_rule(&cfg, "ruled.test", "https", NETPROXY_RULE_ALLOW);
    netproxy_config_add_rule(&cfg, "api.corp.test", "http", NETPROXY_RULE_DENY);
    netproxy_config_add_rule(&cfg, "ask.corp.test", "http", NETPROXY_RULE_PROMPT);
    struct np_policy p;
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(np_policy_init(&p, &cfg, &err), 0);
    struct np_decision d = decide(&p, "secret.corp.test", NETPROXY_HTTP);
    assert_int_equal(d.verdict, NP_DENY);
    assert_string_equal(d.reason, NETPROXY_REASON_DENIED);
    /* A deny rule closes the host for every protocol. */
    assert_int_equal(decide(&p, "api.corp.test", NETPROXY_HTTPS_CONNECT).verdict, NP_DENY);
    assert_int_equal(decide(&p, "www.corp.test", NETPROXY_HTTP).verdict, NP_ALLOW);
    /* An allow rule opens the host whatever protocol it names, as the
     * reference compiles rules into domain lists. */
    assert_int_equal(decide(&p, "ruled.test", NETPROXY_HTTPS_CONNECT).verdict, NP_ALLOW);
    assert_int_equal(decide(&p, "ruled.test", NETPROXY_HTTP).verdict, NP_ALLOW);
    assert_int_equal(decide(&p, "ruled.test", NETPROXY_SOCKS5_TCP).verdict, NP_ALLOW);
    d = decide(&p, "unruled.test", NETPROXY_HTTP);
    assert_int_equal(d.verdict, NP_DENY);
    assert_string_equal(d.reason, NETPROXY_REASON_NOT_ALLOWED);
    /* Local targets: refused unless listed exactly. */
    d = decide(&p, "localhost", NETPROXY_HTTP);
    assert_string_equal(d.reason, NETPROXY_REASON_NOT_ALLOWED_LOCAL);
    assert_int_equal(decide(&p, "10.0.0.1", NETPROXY_HTTP).verdict, NP_DENY);
    d = decide(&p, "127.0.0.1", NETPROXY_HTTP);
    assert_int_equal(d.verdict, NP_ALLOW);
    assert_true(d.explicit_local);
    /* An allowed name resolving to a local address is refused. */
    struct ip_addr lo, pub;
    ip_parse("127.0.0.1", &lo);
    ip_parse("11.7.0.2", &pub);
    d = decide(&p, "www.corp.test", NETPROXY_HTTP);
    assert_false(np_policy_address_ok(&p, &d, &lo));
    assert_true(np_policy_address_ok(&p, &d, &pub));
    /* Without a session to ask, unlisted means refused; with one, asked. */
    assert_int_equal(decide(&p, "other.test", NETPROXY_HTTP).verdict, NP_DENY);
    assert_int_equal(decide(&p, "ask.corp.test", NETPROXY_HTTP).verdict, NP_DENY);
    p.ask = true;
    d = decide(&p, "other.test", NETPROXY_SOCKS5_TCP);
    assert_int_equal(d.verdict, NP_ASK);
    assert_string_equal(d.source, "decider");
    assert_int_equal(decide(&p, "ask.corp.test", NETPROXY_HTTP).verdict, NP_ASK);
    np_policy_grant(&p, "other.test", NETPROXY_SOCKS5_TCP, 80, false);
    assert_int_equal(decide(&p, "other.test", NETPROXY_SOCKS5_TCP).verdict, NP_ALLOW);
    assert_int_equal(decide(&p, "other.test", NETPROXY_HTTP).verdict, NP_ASK);
    /* A session answer is for one destination: another port asks again. */
    assert_int_equal(decide_port(&p, "other.test", NETPROXY_SOCKS5_TCP, 8080).verdict, NP_ASK);
    np_policy_grant(&p, "other.test", NETPROXY_HTTP, 80, true);
    assert_int_equal(decide(&p, "other.test", NETPROXY_HTTP).verdict, NP_DENY);
    /* "Always" answers are about the whole host: every protocol and port. */
    assert_int_equal(decide_port(&p, "always.test", NETPROXY_SOCKS5_TCP, 9000).verdict, NP_ASK);
    np_policy_grant_host(&p, "always.test", false);
    assert_int_equal(decide(&p, "always.test", NETPROXY_HTTP).verdict, NP_ALLOW);
    assert_int_equal(decide_port(&p, "always.test", NETPROXY_HTTPS_CONNECT, 443).verdict, NP_ALLOW);
    assert_int_equal(decide_port(&p, "always.test", NETPROXY_SOCKS5_TCP, 9000).verdict, NP_ALLOW);
    np_policy_grant_host(&p, "never.test", true);
    d = decide_port(&p, "never.test", NETPROXY_HTTPS_CONNECT, 443);
    assert_int_equal(d.verdict, NP_DENY);
    assert_string_equal(d.reason, NETPROXY_REASON_DENIED);
    assert_int_equal(decide(&p, "never.test", NETPROXY_SOCKS5_UDP).verdict, NP_DENY);
    /* A denial for always wins over an allow rule loaded before it. */
    np_policy_grant_host(&p, "ruled.test", true);
    assert_int_equal(decide(&p, "ruled.test", NETPROXY_HTTPS_CONNECT).verdict, NP_DENY);
    np_policy_free(&p);
    /* allow_local_binding opens local targets. */
    cfg.allow_local_binding = true;
    assert_int_equal(np_policy_init(&p, &cfg, &err), 0);
    d = decide(&p, "www.corp.test", NETPROXY_HTTP);
    assert_true(np_policy_address_ok(&p, &d, &lo));
    np_policy_free(&p);
    netproxy_config_free(&cfg);
}

static bool env_has(const struct strvec *env, const char *line)
{
    for (size_t i = 0; i < env->n; i++)
        if (strcmp(env->v[i], line) == 0)
            return true;
    return false;
}

static void commands_get_the_references_environment(void **state)
{
    (void)state;
    struct strvec env = STRVEC_INIT;
    struct netproxy_env_spec spec = {3128, 8081, false, NULL, NULL};
    netproxy_child_env(&spec, &env);
    assert_true(env_has(&env, "HTTP_PROXY=http://127.0.0.1:3128"));
    assert_true(env_has(&env, "wss_proxy=http://127.0.0.1:3128"));
    assert_true(env_has(&env, "ALL_PROXY=socks5h://127.0.0.1:8081"));
    assert_true(env_has(&env, "NO_PROXY="));
    assert_true(env_has(&env, "CODEX_NETWORK_PROXY_ACTIVE=1"));
    assert_true(env_has(&env, "CODEX_NETWORK_ALLOW_LOCAL_BINDING=0"));
    assert_false(env_has(&env, "SSL_CERT_FILE=/b"));
    /* Every variable set is one a caller knows to drop. */
    for (size_t i = 0; i < env.n; i++) {
        size_t n = strcspn(env.v[i], "=");
        bool known = false;
        for (const char *const *name = netproxy_env_names; *name && !known; name++)
            known = strlen(*name) == n && strncmp(*name, env.v[i], n) == 0;
        assert_true(known);
    }
    strvec_free(&env);
    struct netproxy_env_spec limited = {1, 0, true, "/b", "/c"};
    netproxy_child_env(&limited, &env);
    assert_true(env_has(&env, "ALL_PROXY=http://127.0.0.1:1"));
    assert_true(env_has(&env, "NO_PROXY=localhost,127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"));
    assert_true(env_has(&env, "SSL_CERT_FILE=/b"));
    assert_true(env_has(&env, "NODE_EXTRA_CA_CERTS=/b"));
    assert_true(env_has(&env, "CODEX_CA_CERTIFICATE=/b"));
    assert_true(env_has(&env, "CODEX_PROXY_CERT=/c"));
    strvec_free(&env);
}

static void blocked_messages_are_the_references(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"not_allowed", "Network access to \"x.test\" was blocked: domain is not on the allowlist for the current "
                        "sandbox mode."},
        {"not_allowed_local", "Network access to \"x.test\" was blocked: local/private network addresses are "
                              "blocked by the sandbox policy."},
        {"denied", "Network access to \"x.test\" was blocked: domain is explicitly denied by policy and cannot be "
                   "approved from this prompt."},
        {"method_not_allowed", "Network access to \"x.test\" was blocked: request method is blocked by the current "
                               "network mode."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = netproxy_blocked_message("x.test", cases[i][0]);
        assert_string_equal(m, cases[i][1]);
        free(m);
    }
}

static void config_round_trips_through_json(void **state)
{
    (void)state;
    struct netproxy_config a, b;
    netproxy_config_init(&a);
    a.mode = NETPROXY_MODE_LIMITED;
    strvec_push(&a.allowed_domains, "*.x.test");
    strvec_push(&a.denied_domains, "y.test");
    strvec_push(&a.allow_unix_sockets, "/run/a.sock");
    strvec_push(&a.hosts, "x.test=11.7.0.2");
    netproxy_config_add_rule(&a, "z.test", "https", NETPROXY_RULE_PROMPT);
    a.enable_socks5_udp = true;
    a.proxy_url = strdup("http://127.0.0.1:0");
    json_t *j = netproxy_config_to_json(&a);
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(netproxy_config_from_json(j, &b, &err), 0);
    json_t *k = netproxy_config_to_json(&b);
    assert_true(json_equal(j, k));
    assert_int_equal(b.rules[0].decision, NETPROXY_RULE_PROMPT);
    json_decref(j);
    json_decref(k);
    netproxy_config_free(&b);
    /* A bad pattern or address is refused with a message and nothing to free. */
    strvec_push(&a.allowed_domains, "*");
    j = netproxy_config_to_json(&a);
    assert_int_equal(netproxy_config_from_json(j, &b, &err), -1);
    char *text = codex_error_text(&err);
    codex_error_clear(&err);
    assert_non_null(strstr(text, "allowed_domains: domain pattern \"*\" would match every host"));
    free(text);
    json_decref(j);
    netproxy_config_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hosts_are_normalized),
        cmocka_unit_test(patterns_match_as_documented),
        cmocka_unit_test(everything_patterns_are_refused),
        cmocka_unit_test(presets_cover_subdomains),
        cmocka_unit_test(coverage_of_patterns),
        cmocka_unit_test(address_classes),
        cmocka_unit_test(request_heads),
        cmocka_unit_test(bodies_are_framed),
        cmocka_unit_test(socks5_messages),
        cmocka_unit_test(decisions_follow_the_documented_order),
        cmocka_unit_test(commands_get_the_references_environment),
        cmocka_unit_test(blocked_messages_are_the_references),
        cmocka_unit_test(config_round_trips_through_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
