/* The admin endpoint, on loopback of codex's own namespace (never inside a
 * command's):
 *   GET  /health    "ok"
 *   GET  /config    the effective configuration
 *   GET  /patterns  the allow and deny lists
 *   GET  /blocked   the latest refusals, newest last
 *   POST /mode      {"mode":"full"|"limited"}: switch; limited needs the
 *                   interception CA, so only a proxy started limited can
 *                   return to it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "netproxy/np_internal.h"
#include "util/xalloc.h"

static void reply_json(struct np_conn *c, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    np_conn_reply(c, "200 OK", "application/json", NULL, text, strlen(text));
    free(text);
}

static json_t *blocked_json(const struct np_server *s)
{
    json_t *a = json_array();
    size_t start = (s->blocked_next + NP_BLOCKED_KEEP - s->n_blocked) % NP_BLOCKED_KEEP;
    for (size_t i = 0; i < s->n_blocked; i++) {
        const struct np_blocked_entry *e = &s->blocked[(start + i) % NP_BLOCKED_KEEP];
        json_t *o = json_pack("{s:s s:s s:s s:i s:I}", "host", e->host, "reason", e->reason, "protocol",
                              e->protocol, "port", (int)e->port, "timestamp", (json_int_t)e->ts);
        if (e->method[0])
            json_object_set_new(o, "method", json_string(e->method));
        json_array_append_new(a, o);
    }
    return a;
}

static void set_mode(struct np_conn *c, const char *body, size_t len)
{
    json_error_t jerr;
    json_t *j = json_loadb(body, len, 0, &jerr);
    const char *mode = json_string_value(json_object_get(j, "mode"));
    struct np_server *s = c->srv;
    if (!mode || (strcmp(mode, "full") != 0 && strcmp(mode, "limited") != 0)) {
        json_decref(j);
        np_conn_reply_text(c, 400, "expected {\"mode\":\"full\"} or {\"mode\":\"limited\"}");
        return;
    }
    if (strcmp(mode, "limited") == 0 && !s->tls) {
        json_decref(j);
        np_conn_reply_text(c, 400, "limited mode needs the interception CA; start the proxy in limited mode");
        return;
    }
    s->cfg.mode = strcmp(mode, "limited") == 0 ? NETPROXY_MODE_LIMITED : NETPROXY_MODE_FULL;
    json_decref(j);
    reply_json(c, json_pack("{s:s}", "mode", mode));
}

void np_admin_on_read(struct np_conn *c)
{
    struct http_request_head h;
    const char *why = "";
    enum http_parse_result r = http_parse_request_head(c->in.data, c->in.len, NP_MAX_HEAD, &h, &why);
    if (r == HTTP_PARSE_INCOMPLETE)
        return;
    if (r != HTTP_PARSE_OK) {
        np_log_bad(c->srv, c, "admin request", r == HTTP_PARSE_TOO_LARGE ? "request head too large" : why);
        np_conn_reply_text(c, 400, r == HTTP_PARSE_TOO_LARGE ? "request head too large" : why);
        return;
    }
    size_t body_len = h.body == HTTP_BODY_LENGTH ? (size_t)h.content_length : 0;
    if (h.body == HTTP_BODY_CHUNKED || body_len > 4096) {
        np_conn_reply_text(c, 400, "send a small body with Content-Length");
        return;
    }
    if (c->in.len < h.head_len + body_len)
        return; /* the body is still coming */
    const char *body = c->in.data + h.head_len;
    struct np_server *s = c->srv;
#define PATH_IS(p) (h.target_len == strlen(p) && memcmp(h.target, p, h.target_len) == 0)
    if (http_method_is(&h, "GET") && PATH_IS("/health")) {
        np_conn_reply(c, "200 OK", "text/plain", NULL, "ok", 2);
    } else if (http_method_is(&h, "GET") && PATH_IS("/config")) {
        json_t *j = netproxy_config_to_json(&s->cfg);
        json_object_del(j, "hosts");
        reply_json(c, j);
    } else if (http_method_is(&h, "GET") && PATH_IS("/patterns")) {
        json_t *allow = json_array(), *deny = json_array();
        for (size_t i = 0; i < s->policy.n_allow; i++) {
            char *t = domain_pattern_text(&s->policy.allow[i]);
            json_array_append_new(allow, json_string(t));
            free(t);
        }
        for (size_t i = 0; i < s->policy.n_deny; i++) {
            char *t = domain_pattern_text(&s->policy.deny[i]);
            json_array_append_new(deny, json_string(t));
            free(t);
        }
        reply_json(c, json_pack("{s:o s:o s:b}", "allowed", allow, "denied", deny, "allow_all",
                                s->policy.allow_all));
    } else if (http_method_is(&h, "GET") && PATH_IS("/blocked")) {
        reply_json(c, blocked_json(s));
    } else if (http_method_is(&h, "POST") && PATH_IS("/mode")) {
        set_mode(c, body, body_len);
    } else if (PATH_IS("/health") || PATH_IS("/config") || PATH_IS("/patterns") || PATH_IS("/blocked") ||
               PATH_IS("/mode")) {
        np_conn_reply_text(c, 405, "method not allowed");
    } else {
        np_conn_reply_text(c, 404, "not found");
    }
#undef PATH_IS
}
