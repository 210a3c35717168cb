/* libFuzzer harness for the line-type scan (rollout_line_type): any bytes as
 * one rollout line.  Whenever the JSON parser reads the line as an object
 * whose "type" is a short printable string, the scan must tell the same type
 * (and the same payload type and turn_id), or resume and thread/read would
 * skip a line they need or give an item to the wrong turn. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/rollout_scan.h"

/* A string the scan reports as is: shorter than its buffer, printable ASCII. */
static const char *plain(const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= 24 || strlen(s) != json_string_length(v))
        return NULL;
    for (const char *p = s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return NULL;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char type[24], ptype[24], turn_id[40];
    bool found = rollout_line_turn((const char *)data, size, type, ptype, turn_id, sizeof turn_id);
    json_t *line = json_loadb((const char *)data, size, 0, NULL);
    const char *want = plain(json_object_get(line, "type"));
    if (json_is_object(line) && want) {
        if (!found || strcmp(type, want) != 0)
            abort();
        json_t *payload = json_object_get(line, "payload");
        const char *pwant = plain(json_object_get(payload, "type"));
        if (json_is_object(payload) && pwant && strcmp(ptype, pwant) != 0)
            abort();
        /* The payload's own turn_id, as the parser reads it. */
        const char *twant = plain(json_object_get(payload, "turn_id"));
        if (json_is_object(payload) && twant && strcmp(turn_id, twant) != 0)
            abort();
    }
    json_decref(line);
    return 0;
}
