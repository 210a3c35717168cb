/* libFuzzer harness for json_compact_check: whatever it accepts, jansson
 * parses and dumps back to the very same bytes (the promise that lets a
 * resumed history be sent from the rollout's own text), the span it gives
 * for "payload" is that member's dump, and the brief of accepted text is
 * the brief of its tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_compact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t off, len;
    if (!json_compact_check(text, size, "payload", &off, &len))
        return 0;
    json_t *v = json_loadb(text, size, 0, NULL);
    if (!v)
        abort();
    char *dump = json_dumps(v, JSON_COMPACT);
    if (!dump || strlen(dump) != size || memcmp(dump, text, size) != 0)
        abort();
    free(dump);
    json_t *payload = json_object_get(v, "payload");
    if (!payload != (len == 0))
        abort();
    if (payload) {
        char *p = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!p || strlen(p) != len || memcmp(p, text + off, len) != 0)
            abort();
        free(p);
    }
    json_t *a = json_compact_brief(text, size), *b = json_compact_brief_of(v);
    /* The text's brief goes by the escaped length, the tree's by the
     * decoded one: the tree's never has fewer members. */
    const char *k;
    json_t *m;
    json_object_foreach(a, k, m)
        if (!json_equal(m, json_object_get(v, k)))
            abort();
    json_decref(a);
    json_decref(b);
    json_decref(v);
    return 0;
}
