#include "model/stream.h"

#include <string.h>

#include "util/uuid.h"
#include "util/xalloc.h"

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

static void emit_delta(struct response_stream *rs, enum stream_event_kind kind, const json_t *ev)
{
    const char *delta = str_at(ev, "delta");
    if (!delta)
        return;
    struct stream_event se = {.kind = kind, .item_id = str_at(ev, "item_id"), .text = delta};
    rs->on_event(rs->ud, &se);
}

/* Tool calls without an id get one, as the reference does, so that history
 * replays stay well formed. */
static void ensure_item_id(json_t *item)
{
    const char *type = str_at(item, "type");
    if (json_object_get(item, "id") || !type || strcmp(type, "function_call") != 0)
        return;
    char hex[33];
    random_hex(hex, 12);
    json_object_set_new(item, "id", json_sprintf("fc_%s", hex));
}

static void handle_item_done(struct response_stream *rs, json_t *ev)
{
    json_t *item = json_object_get(ev, "item");
    if (!json_is_object(item) || !str_at(item, "type"))
        return;
    ensure_item_id(item);
    struct stream_event se = {.kind = STREAM_EV_ITEM_DONE, .item_id = str_at(item, "id"), .item = item};
    rs->on_event(rs->ud, &se);
}

static void handle_terminal(struct response_stream *rs, const char *type, const json_t *ev)
{
    const json_t *resp = json_object_get(ev, "response");
    set_str(&rs->response_id, str_at(resp, "id"));
    token_usage_from_json(&rs->usage, json_object_get(resp, "usage"));
    if (strcmp(type, "response.completed") == 0) {
        rs->outcome = STREAM_COMPLETED;
    } else if (strcmp(type, "response.failed") == 0) {
        const json_t *err = json_object_get(resp, "error");
        rs->outcome = STREAM_FAILED;
        set_str(&rs->error_code, str_at(err, "code"));
        set_str(&rs->error_message, str_at(err, "message"));
    } else {
        const json_t *details = json_object_get(resp, "incomplete_details");
        rs->outcome = STREAM_INCOMPLETE;
        set_str(&rs->error_message, str_at(details, "reason"));
    }
}

static int on_sse(void *ud, const char *event, const char *data, size_t len)
{
    struct response_stream *rs = ud;
    (void)event; /* the payload's "type" is authoritative; event: lines are optional */
    if (rs->outcome != STREAM_PENDING)
        return 0; /* nothing after the terminal event matters */
    json_t *ev = json_loadb(data, len, 0, NULL);
    const char *type = str_at(ev, "type");
    if (!type) {
        json_decref(ev);
        return 0; /* not JSON or untyped: skipped like the reference does */
    }
    if (strcmp(type, "response.output_text.delta") == 0)
        emit_delta(rs, STREAM_EV_TEXT_DELTA, ev);
    else if (strcmp(type, "response.reasoning_summary_text.delta") == 0 ||
             strcmp(type, "response.reasoning_text.delta") == 0)
        emit_delta(rs, STREAM_EV_REASONING_DELTA, ev);
    else if (strcmp(type, "response.output_item.done") == 0)
        handle_item_done(rs, ev);
    else if (strcmp(type, "response.completed") == 0 || strcmp(type, "response.failed") == 0 ||
             strcmp(type, "response.incomplete") == 0)
        handle_terminal(rs, type, ev);
    else if (strcmp(type, "response.created") == 0)
        set_str(&rs->response_id, str_at(json_object_get(ev, "response"), "id"));
    json_decref(ev);
    return 0;
}

void response_stream_init(struct response_stream *rs, size_t max_event_bytes, stream_event_fn fn,
                          void *ud)
{
    memset(rs, 0, sizeof *rs);
    sse_init(&rs->sse, max_event_bytes, on_sse, rs);
    rs->on_event = fn;
    rs->ud = ud;
}

int response_stream_feed(struct response_stream *rs, const char *bytes, size_t n)
{
    return sse_feed(&rs->sse, bytes, n);
}

void response_stream_reset(struct response_stream *rs)
{
    sse_reset(&rs->sse);
    rs->outcome = STREAM_PENDING;
    memset(&rs->usage, 0, sizeof rs->usage);
    set_str(&rs->response_id, NULL);
    set_str(&rs->error_code, NULL);
    set_str(&rs->error_message, NULL);
}

void response_stream_free(struct response_stream *rs)
{
    sse_free(&rs->sse);
    set_str(&rs->response_id, NULL);
    set_str(&rs->error_code, NULL);
    set_str(&rs->error_message, NULL);
}
