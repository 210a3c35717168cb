#include "rpc/inproc_transport.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "rpc/conn.h"
#include "util/xalloc.h"

struct msg {
    char *data;
    size_t len;
    struct msg *next;
};

struct queue {
    struct msg *head, *tail;
};

struct rpc_inproc {
    struct rpc_conn *conn;
    struct rpc_inproc_client client;
    struct queue to_server, to_client;
    uv_idle_t idle; /* runs while a queue holds something */
    bool idle_active;
    bool client_gone;     /* rpc_inproc_close was called */
    bool server_closed;   /* the connection asked us to close */
    bool conn_released;   /* rpc_conn_transport_closed was called */
    bool handle_closed;
};

static void push(struct queue *q, char *data, size_t len)
{
    struct msg *m = xmalloc(sizeof *m);
    m->data = data;
    m->len = len;
    m->next = NULL;
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
}

static struct msg *pop(struct queue *q)
{
    struct msg *m = q->head;
    if (m) {
        q->head = m->next;
        if (!q->head)
            q->tail = NULL;
    }
    return m;
}

static void drop_all(struct queue *q)
{
    struct msg *m;
    while ((m = pop(q))) {
        free(m->data);
        free(m);
    }
}

static void on_handle_closed(uv_handle_t *h)
{
    struct rpc_inproc *t = h->data;
    drop_all(&t->to_server);
    drop_all(&t->to_client);
    free(t);
}

/* Both sides are done with t: give the connection back and free t. */
static void maybe_finish(struct rpc_inproc *t)
{
    if (!t->server_closed || !t->client_gone || t->handle_closed)
        return;
    if (!t->conn_released) {
        t->conn_released = true;
        rpc_conn_transport_closed(t->conn);
    }
    t->handle_closed = true;
    uv_idle_stop(&t->idle);
    uv_close((uv_handle_t *)&t->idle, on_handle_closed);
}

static void pump(uv_idle_t *h)
{
    struct rpc_inproc *t = h->data;
    /* Messages queued while these are delivered wait for the next turn of
     * the loop, so a long exchange cannot starve other handles. */
    struct queue server_batch = t->to_server, client_batch = t->to_client;
    t->to_server = (struct queue){NULL, NULL};
    t->to_client = (struct queue){NULL, NULL};
    struct msg *m;
    while ((m = pop(&server_batch))) {
        if (!t->client_gone && !t->server_closed)
            rpc_conn_receive(t->conn, m->data, m->len);
        free(m->data);
        free(m);
    }
    while ((m = pop(&client_batch))) {
        if (!t->client_gone && !t->conn_released)
            rpc_conn_sent(t->conn, m->len);
        if (!t->client_gone)
            t->client.deliver(t->client.ud, m->data, m->len);
        free(m->data);
        free(m);
    }
    if (t->server_closed && !t->conn_released && !t->to_client.head) {
        /* Everything the server said before closing has been delivered. */
        t->conn_released = true;
        rpc_conn_transport_closed(t->conn);
        if (!t->client_gone && t->client.closed)
            t->client.closed(t->client.ud);
    }
    if (!t->to_server.head && !t->to_client.head) {
        uv_idle_stop(&t->idle);
        t->idle_active = false;
    }
    maybe_finish(t);
}

static void wake(struct rpc_inproc *t)
{
    if (!t->idle_active && !t->handle_closed) {
        t->idle_active = true;
        uv_idle_start(&t->idle, pump);
    }
}

static void server_send(struct rpc_conn *c, char *data, size_t len)
{
    struct rpc_inproc *t = c->transport;
    if (t->client_gone) {
        rpc_conn_sent(c, len);
        free(data);
        return;
    }
    push(&t->to_client, data, len);
    wake(t);
}

static void server_close(struct rpc_conn *c)
{
    struct rpc_inproc *t = c->transport;
    t->server_closed = true;
    if (c->aborting)
        drop_all(&t->to_client);
    wake(t);
}

static const struct rpc_transport_ops inproc_ops = {
    .send = server_send,
    .close = server_close,
};

struct rpc_inproc *rpc_inproc_open(struct rpc_server *server, const struct rpc_inproc_client *client)
{
    struct rpc_inproc *t = xcalloc(1, sizeof *t);
    t->client = *client;
    uv_idle_init(server->loop, &t->idle);
    t->idle.data = t;
    t->conn = rpc_server_open_conn(server, &inproc_ops, t, "in-process");
    return t;
}

void rpc_inproc_send(struct rpc_inproc *t, const char *text, size_t len)
{
    if (t->client_gone || t->server_closed)
        return;
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    push(&t->to_server, copy, len);
    wake(t);
}

void rpc_inproc_close(struct rpc_inproc *t)
{
    if (t->client_gone)
        return;
    t->client_gone = true;
    drop_all(&t->to_server);
    if (!t->server_closed) {
        /* Closing releases the connection's threads and processes; the
         * server then calls server_close. */
        rpc_conn_close(t->conn, NULL);
    }
    wake(t);
}
