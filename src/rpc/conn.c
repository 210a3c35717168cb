#include "rpc/conn.h"

#include <uv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "util/xalloc.h"

struct rpc_conn *rpc_conn_new(struct rpc_server *server, const struct rpc_conn_host *host,
                              const struct rpc_transport_ops *ops, void *transport,
                              const char *label)
{
    struct rpc_conn *c = xcalloc(1, sizeof *c);
    c->server = server;
    c->host = host;
    c->ops = ops;
    c->transport = transport;
    c->label = label;
    c->inflight = json_object();
    c->refs = 1;
    return c;
}

void rpc_conn_receive(struct rpc_conn *c, const char *text, size_t len)
{
    if (c->closing)
        return;
    c->host->receive(c, text, len);
}

void rpc_conn_send(struct rpc_conn *c, json_t *msg)
{
    if (c->closing) {
        json_decref(msg);
        return;
    }
    size_t len;
    char *text = jsonrpc_serialize(msg, &len);
    json_decref(msg);
    if (c->queued_bytes + len > RPC_CONN_MAX_QUEUED_BYTES ||
        c->queued_messages + 1 > RPC_CONN_MAX_QUEUED_MESSAGES) {
        free(text);
        rpc_conn_abort(c, "client is not reading its messages (outgoing queue full)");
        return;
    }
    c->queued_bytes += len;
    c->queued_messages++;
    c->ops->send(c, text, len);
}

void rpc_conn_notify(struct rpc_conn *c, const char *method, json_t *params)
{
    for (size_t i = 0; i < c->opt_out_notifications.n; i++) {
        if (strcmp(c->opt_out_notifications.v[i], method) == 0) {
            json_decref(params);
            return;
        }
    }
    json_t *msg = jsonrpc_make_notification(method, params);
    /* The reference stamps every notification with its emission time. */
    uv_timeval64_t now;
    if (uv_gettimeofday(&now) == 0)
        json_object_set_new(msg, "emittedAtMs",
                            json_integer((json_int_t)now.tv_sec * 1000 + now.tv_usec / 1000));
    rpc_conn_send(c, msg);
}

void rpc_conn_sent(struct rpc_conn *c, size_t len)
{
    rpc_conn_sent_part(c, len, true);
}

void rpc_conn_sent_part(struct rpc_conn *c, size_t len, bool last)
{
    c->queued_bytes -= len < c->queued_bytes ? len : c->queued_bytes;
    if (last && c->queued_messages > 0)
        c->queued_messages--;
}

/* ---- a message in pieces -------------------------------------------------- */

void rpc_conn_stream_begin(struct rpc_conn *c, struct rpc_conn_stream *s)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->dropped = c->closing;
    if (!s->dropped && c->queued_messages + 1 > RPC_CONN_MAX_QUEUED_MESSAGES) {
        rpc_conn_abort(c, "client is not reading its messages (outgoing queue full)");
        s->dropped = true;
    }
    if (!s->dropped)
        c->queued_messages++;
}

static void stream_piece(struct rpc_conn_stream *s, const char *data, size_t len, bool last)
{
    struct rpc_conn *c = s->c;
    if (s->dropped || c->closing) {
        s->dropped = true;
        return;
    }
    if (!c->ops->send_part) {
        if (s->gathered_len + len + 1 > s->gathered_cap) {
            size_t cap = s->gathered_cap ? s->gathered_cap : 4096;
            while (cap < s->gathered_len + len + 1)
                cap *= 2;
            s->gathered = xrealloc(s->gathered, cap);
            s->gathered_cap = cap;
        }
        memcpy(s->gathered + s->gathered_len, data, len);
        s->gathered_len += len;
        if (last) {
            if (c->queued_bytes + s->gathered_len > RPC_CONN_MAX_QUEUED_BYTES) {
                c->queued_messages--;
                rpc_conn_abort(c, "client is not reading its messages (outgoing queue full)");
                s->dropped = true;
                return;
            }
            c->queued_bytes += s->gathered_len;
            c->ops->send(c, s->gathered, s->gathered_len);
            s->gathered = NULL;
        }
        return;
    }
    if (c->queued_bytes + len > RPC_CONN_MAX_QUEUED_BYTES) {
        /* The message cannot be finished: the client gets nothing more. */
        c->queued_messages--;
        rpc_conn_abort(c, "client is not reading its messages (outgoing queue full)");
        s->dropped = true;
        return;
    }
    c->queued_bytes += len;
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, data, len);
    c->ops->send_part(c, copy, len, last);
}

void rpc_conn_stream_write(struct rpc_conn_stream *s, const char *data, size_t len)
{
    if (len)
        stream_piece(s, data, len, false);
}

void rpc_conn_stream_end(struct rpc_conn_stream *s)
{
    stream_piece(s, "", 0, true);
    free(s->gathered);
    s->gathered = NULL;
}

static void release_resources(struct rpc_conn *c)
{
    while (c->resources) {
        struct rpc_conn_resource *r = c->resources;
        c->resources = r->next;
        r->next = NULL;
        r->on_close(r);
    }
}

void rpc_conn_close(struct rpc_conn *c, const char *reason)
{
    if (c->closing)
        return;
    c->closing = true;
    if (reason)
        fprintf(stderr, "codex app-server: closing connection %s: %s\n", c->label, reason);
    release_resources(c);
    c->ops->close(c);
}

void rpc_conn_input_ended(struct rpc_conn *c)
{
    if (c->closing || c->input_ended)
        return;
    c->input_ended = true;
    release_resources(c);
    if (json_object_size(c->inflight) == 0)
        rpc_conn_close(c, NULL);
}

void rpc_conn_abort(struct rpc_conn *c, const char *reason)
{
    c->aborting = true;
    rpc_conn_close(c, reason);
}

void rpc_conn_transport_closed(struct rpc_conn *c)
{
    c->closing = true;
    release_resources(c);
    c->host->closed(c);
    rpc_conn_unref(c);
}

void rpc_conn_request_started(struct rpc_conn *c, const char *id_key)
{
    json_object_set_new(c->inflight, id_key, json_true());
    rpc_conn_ref(c);
}

void rpc_conn_request_done(struct rpc_conn *c, const char *id_key)
{
    json_object_del(c->inflight, id_key);
    if (c->input_ended && !c->closing && json_object_size(c->inflight) == 0)
        rpc_conn_close(c, NULL);
    rpc_conn_unref(c);
}

bool rpc_conn_request_in_flight(const struct rpc_conn *c, const char *id_key)
{
    return json_object_get(c->inflight, id_key) != NULL;
}

void rpc_conn_add_resource(struct rpc_conn *c, struct rpc_conn_resource *r)
{
    r->next = c->resources;
    c->resources = r;
}

void rpc_conn_remove_resource(struct rpc_conn *c, struct rpc_conn_resource *r)
{
    for (struct rpc_conn_resource **p = &c->resources; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            r->next = NULL;
            return;
        }
    }
}

void rpc_conn_ref(struct rpc_conn *c)
{
    c->refs++;
}

void rpc_conn_unref(struct rpc_conn *c)
{
    if (--c->refs > 0)
        return;
    json_decref(c->inflight);
    strvec_free(&c->opt_out_notifications);
    free(c->client_name);
    free(c->client_version);
    free(c);
}
