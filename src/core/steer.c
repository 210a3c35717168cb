/* Steering: input a user adds while a turn runs.  It waits in
 * steer_inputs and enters the history right before the next model request
 * of the turn (or of the next turn), each as its own user message with its
 * userMessage item, so the model reads it where the user said it. */
#include <stdlib.h>
#include <string.h>

#include "core/agent_internal.h"
#include "util/uuid.h"
#include "util/xalloc.h"

void agent_steer(struct agent *a, const char *text, const struct strvec *image_urls)
{
    json_t *content = json_array();
    json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_text", "text", text));
    for (size_t i = 0; image_urls && i < image_urls->n; i++)
        json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_image", "image_url",
                                                 image_urls->v[i]));
    if (!a->steer_inputs)
        a->steer_inputs = json_array();
    json_array_append_new(a->steer_inputs, json_pack("{s:s s:s s:o}", "type", "message", "role",
                                                     "user", "content", content));
}

bool agent_reviewing(const struct agent *a)
{
    return a->review != NULL;
}

bool agent_has_pending_input(const struct agent *a)
{
    return json_array_size(a->steer_inputs) || json_array_size(a->quiet_inputs);
}

void agent_queue_quiet_input(struct agent *a, json_t *item)
{
    if (!a->quiet_inputs)
        a->quiet_inputs = json_array();
    json_array_append_new(a->quiet_inputs, item);
}

bool agent_steer_flush(struct agent *a)
{
    /* Notes (an auto-review override) go first; alone they do not make a
     * turn sample again. */
    size_t k;
    json_t *note;
    json_array_foreach(a->pending_notes, k, note)
        agent_record_item(a, note);
    json_array_clear(a->pending_notes);
    size_t i;
    json_t *msg;
    bool quiet = json_array_size(a->quiet_inputs) > 0;
    json_array_foreach(a->quiet_inputs, i, msg)
        agent_record_item(a, msg);
    json_array_clear(a->quiet_inputs);
    if (!json_array_size(a->steer_inputs))
        return quiet;
    json_array_foreach(a->steer_inputs, i, msg) {
        agent_record_item(a, msg);
        const char *text = json_string_value(
            json_object_get(json_array_get(json_object_get(msg, "content"), 0), "text"));
        char id[UUID_STR_LEN];
        uuid_v7(id);
        json_t *item = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "userMessage", "id", id,
                                 "content", "type", "text", "text", text ? text : "");
        struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
        agent_emit(a, &started);
        struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
        agent_emit(a, &completed);
        json_decref(item);
    }
    json_array_clear(a->steer_inputs);
    return true;
}

void agent_inject_items(struct agent *a, const json_t *items)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        if (a->done) {
            agent_queue_quiet_input(a, json_deep_copy(item));
        } else {
            json_t *copy = json_deep_copy(item);
            agent_ensure_context(a);
            agent_record_item(a, copy);
            json_decref(copy);
        }
    }
}
