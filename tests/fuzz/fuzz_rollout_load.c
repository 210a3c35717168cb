/* libFuzzer harness for the resume reader (rollout_load): any bytes as a
 * rollout file.  It loads or refuses with an error naming the file; a loaded
 * session always has a history array, and a warning is never empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout.h"

static char path[] = "/tmp/fuzz_rollout_load.XXXXXX";
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0 && (fd = mkstemp(path)) < 0)
        abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    if (rollout_load(path, &rs, &err) < 0) {
        if (!err.message || !strstr(err.message, path))
            abort();
        codex_error_clear(&err);
        return 0;
    }
    /* The history's text is the items' serializations joined by ',': it
     * parses as an array of exactly those items. */
    size_t len;
    const char *text = json_items_text(&rs.history, &len);
    char *wrapped = malloc(len + 2);
    wrapped[0] = '[';
    memcpy(wrapped + 1, text, len);
    wrapped[len + 1] = ']';
    json_t *parsed = json_loadb(wrapped, len + 2, 0, NULL);
    json_t *items = json_items_to_array(&rs.history);
    if (!json_is_array(parsed) || !json_equal(parsed, items))
        abort();
    json_decref(parsed);
    json_decref(items);
    free(wrapped);
    for (size_t i = 0; i < rs.warnings.n; i++)
        if (!rs.warnings.v[i][0])
            abort();
    rollout_session_free(&rs);
    return 0;
}
