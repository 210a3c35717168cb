/* What the model gets back from an MCP tool, in the reference's shape:
 *
 *   [{"type":"input_text","text":"Wall time: 0.0061 seconds\nOutput:"},
 *    {"type":"input_text","text":"Echo: hi"}, ...]
 *
 * Text stays text; an image becomes an input_image data URL; audio is
 * replaced by a notice (the model takes no audio); any other block (a
 * resource link, an embedded resource) is given as its compact JSON.  A
 * result with structuredContent is given as one string holding that JSON
 * instead.  Text beyond the output budget (12000 tokens, about 48000 bytes,
 * as the reference allows MCP output) keeps its head and tail around a
 * marker; blocks past the budget are counted, not sent. */
#include "tools/mcp_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define OUTPUT_BUDGET_BYTES (12000 * 4)

const char mcp_audio_omitted[] = "<audio content omitted because you do not support audio input>";

static char *header(double seconds)
{
    return xasprintf("Wall time: %.4f seconds\nOutput:", seconds);
}

static json_t *input_text(const char *text, size_t n)
{
    return json_pack("{s:s s:s%}", "type", "input_text", "text", text, n);
}

/* Cut text to at most budget bytes, keeping its head and tail on UTF-8
 * character boundaries. */
static char *cut(const char *text, size_t len, size_t budget)
{
    size_t head = budget / 2, tail = budget - head;
    while (head > 0 && ((unsigned char)text[head] & 0xc0) == 0x80)
        head--;
    size_t from = len - tail;
    while (from < len && ((unsigned char)text[from] & 0xc0) == 0x80)
        from++;
    struct buf b = BUF_INIT;
    buf_append(&b, text, head);
    buf_printf(&b, "\xe2\x80\xa6%zu tokens truncated\xe2\x80\xa6", (from - head + 3) / 4);
    buf_append(&b, text + from, len - from);
    return buf_detach(&b, NULL);
}

/* Append text within the remaining budget; false when nothing of it fits. */
static bool add_text(json_t *out, const char *text, size_t len, size_t *left)
{
    if (*left == 0)
        return false;
    if (len <= *left) {
        json_array_append_new(out, input_text(text, len));
        *left -= len;
        return true;
    }
    char *c = cut(text, len, *left);
    json_array_append_new(out, input_text(c, strlen(c)));
    free(c);
    *left = 0;
    return true;
}

/* MCP objects (content blocks, resources, templates) with their keys in
 * the order the reference writes them, whatever order the server used. */
json_t *mcp_canonical(const json_t *v)
{
    static const char *const order[] = {"type",     "data", "uri",  "uriTemplate", "name",
                                        "title",    "description", "mimeType",  "size",
                                        "text",     "blob", "resource", "annotations", "icons",
                                        "_meta",    NULL};
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(out, mcp_canonical(x));
        return out;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    json_t *out = json_object();
    for (int k = 0; order[k]; k++) {
        const json_t *x = json_object_get(v, order[k]);
        if (x)
            json_object_set_new(out, order[k],
                                strcmp(order[k], "resource") == 0 ? mcp_canonical(x) : json_deep_copy(x));
    }
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) if (!json_object_get(out, key))
        json_object_set_new(out, key, json_deep_copy(x));
    return out;
}

json_t *mcp_text_for_model(const char *text, double seconds)
{
    char *h = header(seconds);
    json_t *out = json_array();
    json_array_append_new(out, input_text(h, strlen(h)));
    size_t left = OUTPUT_BUDGET_BYTES;
    add_text(out, text, strlen(text), &left);
    free(h);
    return out;
}

json_t *mcp_result_for_model(const json_t *result, double seconds)
{
    char *h = header(seconds);
    const json_t *structured = json_object_get(result, "structuredContent");
    if (structured && !json_is_null(structured)) {
        char *s = json_dumps(structured, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t n = s ? strlen(s) : 0;
        char *body = n > OUTPUT_BUDGET_BYTES ? cut(s, n, OUTPUT_BUDGET_BYTES) : NULL;
        json_t *out = json_sprintf("%s\n%s", h, body ? body : s ? s : "null");
        free(body);
        free(s);
        free(h);
        return out;
    }
    json_t *out = json_array();
    json_array_append_new(out, input_text(h, strlen(h)));
    free(h);
    size_t left = OUTPUT_BUDGET_BYTES, omitted = 0;
    size_t i;
    const json_t *block;
    json_array_foreach(json_object_get(result, "content"), i, block) {
        const char *type = json_string_value(json_object_get(block, "type"));
        if (type && strcmp(type, "text") == 0) {
            size_t n = 0;
            const char *text = json_is_string(json_object_get(block, "text"))
                                   ? json_string_value(json_object_get(block, "text"))
                                   : "";
            n = json_string_length(json_object_get(block, "text"));
            if (!add_text(out, text, n, &left))
                omitted++;
            continue;
        }
        if (type && strcmp(type, "image") == 0) {
            const char *data = json_string_value(json_object_get(block, "data"));
            const char *mime = json_string_value(json_object_get(block, "mimeType"));
            if (data) {
                char *url = xasprintf("data:%s;base64,%s", mime ? mime : "image/png", data);
                json_array_append_new(out, json_pack("{s:s s:s s:s}", "type", "input_image",
                                                     "image_url", url, "detail", "original"));
                free(url);
                continue;
            }
        }
        if (type && strcmp(type, "audio") == 0) {
            if (!add_text(out, mcp_audio_omitted, strlen(mcp_audio_omitted), &left))
                omitted++;
            continue;
        }
        char *s = json_dumps(block, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!add_text(out, s ? s : "null", s ? strlen(s) : 4, &left))
            omitted++;
        free(s);
    }
    if (omitted) {
        char note[64];
        snprintf(note, sizeof note, "[omitted %zu text items ...]", omitted);
        json_array_append_new(out, input_text(note, strlen(note)));
    }
    return out;
}
