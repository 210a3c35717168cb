/* The model's output becoming items: agent messages and reasoning are
 * announced as they complete; function calls wait for the round of tool
 * calls (tool_calls.c). */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "model/stream.h"
#include "store/rollout_items.h"
#include "util/xalloc.h"

static char *joined_text(const json_t *parts, const char *type, const char *sep)
{
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part) {
        const char *t = json_string_value(json_object_get(part, "type"));
        const char *text = json_string_value(json_object_get(part, "text"));
        if (!t || !text || strcmp(t, type) != 0)
            continue;
        if (b.len && sep)
            buf_puts(&b, sep);
        buf_puts(&b, text);
    }
    return buf_detach(&b, NULL);
}

static void announce_item(struct agent *a, json_t *item)
{
    struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
    agent_emit(a, &started);
    struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
    agent_emit(a, &completed);
}

void agent_on_output_item(struct agent *a, const json_t *item)
{
    json_t *kept = json_deep_copy(item);
    const char *type = json_string_value(json_object_get(item, "type"));
    if (type && strcmp(type, "reasoning") == 0) {
        /* Stored and sent back with both keys present, as the reference does. */
        if (!json_object_get(kept, "content"))
            json_object_set_new(kept, "content", json_null());
        if (!json_object_get(kept, "encrypted_content"))
            json_object_set_new(kept, "encrypted_content", json_null());
    }
    if (type && strcmp(type, "tool_search_call") == 0) {
        /* Replayed in the reference's shape, with an id of our own when the
         * model sent none. */
        char id[UUID_STR_LEN + 4];
        const char *given = json_string_value(json_object_get(kept, "id"));
        if (!given) {
            memcpy(id, "tsc_", 4);
            uuid_v7(id + 4);
        }
        json_t *shaped = json_pack("{s:s s:s}", "type", type, "id", given ? given : id);
        static const char *const keys[] = {"call_id", "status", "execution", "arguments"};
        for (size_t k = 0; k < 4; k++)
            if (json_object_get(kept, keys[k]))
                json_object_set(shaped, keys[k], json_object_get(kept, keys[k]));
        json_object_update_missing(shaped, kept);
        json_decref(kept);
        kept = shaped;
    }
    json_array_append_new(a->attempt_items, kept);
    const char *id = json_string_value(json_object_get(item, "id"));
    if (strcmp(type, "message") == 0) {
        char *text = joined_text(json_object_get(item, "content"), "output_text", NULL);
        json_t *ev = json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", id ? id : "",
                               "text", text);
        const char *phase = json_string_value(json_object_get(item, "phase"));
        if (phase)
            json_object_set_new(ev, "phase", json_string(phase));
        if (a->collab_mode == COLLAB_PLAN) {
            /* The plan is an item of its own; the message keeps the rest. */
            agent_plan_message_done(a, ev);
            free(text);
            text = xstrdup(json_string_value(json_object_get(ev, "text")));
        }
        announce_item(a, ev);
        json_decref(ev);
        free(a->last_message);
        a->last_message = text;
    } else if (strcmp(type, "reasoning") == 0) {
        json_t *summary = json_array();
        size_t i;
        const json_t *part;
        json_array_foreach(json_object_get(item, "summary"), i, part) {
            const char *t = json_string_value(json_object_get(part, "text"));
            if (t)
                json_array_append_new(summary, json_string(t));
        }
        json_t *ev = json_pack("{s:s s:s s:o s:[]}", "type", "reasoning", "id", id ? id : "",
                               "summary", summary, "content");
        announce_item(a, ev);
        json_decref(ev);
    } else if (strcmp(type, "web_search_call") == 0) {
        /* Searched by the server: nothing to run, only to show. */
        json_t *ev = web_search_item_from_call(item);
        announce_item(a, ev);
        json_decref(ev);
    }
}

void agent_on_stream_event(void *ud, const struct stream_event *se)
{
    struct agent *a = ud;
    struct agent_event ev = {.item_id = se->item_id, .delta = se->text};
    if (!a->first_output_ms)
        a->first_output_ms = agent_now_ms();
    switch (se->kind) {
    case STREAM_EV_TEXT_DELTA:
        if (a->collab_mode == COLLAB_PLAN) {
            agent_plan_stream_delta(a, se->item_id, se->text);
            break;
        }
        ev.kind = AGENT_EV_AGENT_MESSAGE_DELTA;
        agent_emit(a, &ev);
        break;
    case STREAM_EV_REASONING_DELTA:
        ev.kind = AGENT_EV_REASONING_DELTA;
        agent_emit(a, &ev);
        break;
    case STREAM_EV_ITEM_DONE:
        agent_on_output_item(a, se->item);
        break;
    }
}

