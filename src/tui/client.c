#include "tui/client.h"

#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "util/xalloc.h"

struct pending {
    json_int_t id;
    tclient_result_fn fn;
    void *ud;
    struct pending *next;
};

struct tclient {
    struct tclient_handlers h;
    struct tclient_transport t;
    bool have_transport;
    bool closed;
    json_int_t next_id;
    struct pending *pending;
    size_t n_pending;
};

struct tclient *tclient_new(const struct tclient_handlers *h)
{
    struct tclient *c = xcalloc(1, sizeof *c);
    c->h = *h;
    c->next_id = 1;
    return c;
}

void tclient_set_transport(struct tclient *c, const struct tclient_transport *t)
{
    c->t = *t;
    c->have_transport = true;
}

static void drop_pending(struct tclient *c)
{
    while (c->pending) {
        struct pending *p = c->pending;
        c->pending = p->next;
        free(p);
    }
    c->n_pending = 0;
}

void tclient_free(struct tclient *c)
{
    if (!c)
        return;
    drop_pending(c);
    free(c);
}

static void send_json(struct tclient *c, json_t *msg)
{
    if (c->closed || !c->have_transport) {
        json_decref(msg);
        return;
    }
    size_t len;
    char *text = jsonrpc_serialize(msg, &len);
    json_decref(msg);
    c->t.send(c->t.t, text, len);
    free(text);
}

void tclient_request(struct tclient *c, const char *method, json_t *params, tclient_result_fn fn,
                     void *ud)
{
    if (c->closed) {
        json_decref(params);
        if (fn)
            fn(ud, NULL, "the app server connection is closed");
        return;
    }
    json_int_t id = c->next_id++;
    struct pending *p = xcalloc(1, sizeof *p);
    p->id = id;
    p->fn = fn;
    p->ud = ud;
    p->next = c->pending;
    c->pending = p;
    c->n_pending++;
    json_t *jid = json_integer(id);
    send_json(c, jsonrpc_make_request(jid, method, params ? params : json_object()));
    json_decref(jid);
}

void tclient_notify(struct tclient *c, const char *method, json_t *params)
{
    send_json(c, jsonrpc_make_notification(method, params));
}

void tclient_respond(struct tclient *c, json_t *id, json_t *result)
{
    send_json(c, jsonrpc_make_response(id, result ? result : json_object()));
}

void tclient_respond_error(struct tclient *c, json_t *id, int code, const char *message)
{
    send_json(c, jsonrpc_make_error(id, code, message));
}

static struct pending *take(struct tclient *c, const json_t *id)
{
    if (!json_is_integer(id))
        return NULL;
    for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == json_integer_value(id)) {
            struct pending *p = *pp;
            *pp = p->next;
            c->n_pending--;
            return p;
        }
    }
    return NULL;
}

void tclient_receive(struct tclient *c, const char *text, size_t len)
{
    if (c->closed)
        return;
    struct jsonrpc_message m;
    jsonrpc_parse(text, len, &m);
    switch (m.kind) {
    case JSONRPC_INVALID:
        break;
    case JSONRPC_NOTIFICATION:
        if (c->h.notification)
            c->h.notification(c->h.ud, m.method, m.params);
        break;
    case JSONRPC_REQUEST:
        if (c->h.request)
            c->h.request(c->h.ud, m.id, m.method, m.params);
        else
            tclient_respond_error(c, m.id, JSONRPC_METHOD_NOT_FOUND, "not supported");
        break;
    case JSONRPC_RESPONSE:
    case JSONRPC_ERROR: {
        struct pending *p = take(c, m.id);
        if (p) {
            if (p->fn) {
                if (m.kind == JSONRPC_RESPONSE) {
                    p->fn(p->ud, m.result, NULL);
                } else {
                    const char *msg = json_string_value(json_object_get(m.error, "message"));
                    p->fn(p->ud, NULL, msg ? msg : "request failed");
                }
            }
            free(p);
        }
        break;
    }
    }
    jsonrpc_message_free(&m);
}

void tclient_transport_closed(struct tclient *c, const char *reason)
{
    if (c->closed)
        return;
    c->closed = true;
    /* Nobody will answer these now. */
    struct pending *list = c->pending;
    c->pending = NULL;
    c->n_pending = 0;
    while (list) {
        struct pending *p = list;
        list = p->next;
        if (p->fn)
            p->fn(p->ud, NULL, "the app server connection closed");
        free(p);
    }
    if (c->h.closed)
        c->h.closed(c->h.ud, reason);
}

size_t tclient_pending(const struct tclient *c)
{
    return c->n_pending;
}

void tclient_forget(struct tclient *c, void *ud)
{
    for (struct pending *p = c->pending; p; p = p->next)
        if (p->ud == ud)
            p->fn = NULL;
}

void tclient_close(struct tclient *c)
{
    if (c->closed)
        return;
    c->closed = true;
    drop_pending(c);
    if (c->have_transport && c->t.close)
        c->t.close(c->t.t);
}

bool tclient_is_closed(const struct tclient *c)
{
    return c->closed;
}
