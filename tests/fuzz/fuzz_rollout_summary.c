/* libFuzzer harness for the store's rollout readers behind thread/read and
 * thread/list: any bytes as a rollout file, read as a head-and-tail summary
 * and with every turn.  A summary must have an id, the turns must be an
 * array, and the head-and-tail reader (which parses only the lines it
 * needs) must agree with the full one on everything a summary holds. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout_summary.h"
#include "store/rollout_turn_index.h"
#include "util/json_hollow.h"

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static char path[] = "/tmp/fuzz_rollout_summary.XXXXXX";
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0 && (fd = mkstemp(path)) < 0)
        abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    struct rollout_summary head, full;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = rollout_summary_read(path, &head, &err);
    codex_error_clear(&err);
    if (rc == 0 && (!head.id || !head.preview))
        abort();
    json_t *turns = rollout_read_turns(path, false, &full, &err);
    codex_error_clear(&err);
    if (turns && !json_is_array(turns))
        abort();
    /* The head finds the first session_meta with an id, as the full read. */
    if ((rc == 0) != (turns != NULL))
        abort();
    if (turns && (!same(head.id, full.id) || !same(head.preview, full.preview) ||
                  !same(head.model, full.model) || !same(head.effort, full.effort) ||
                  !same(head.cwd, full.cwd) || head.created_at != full.created_at))
        abort();
    /* A turn built with its long outputs kept as text dumps to the same
     * bytes as the whole turn, or says it cannot. */
    struct rollout_turn_index *ix = rollout_turn_index_open(path, false, NULL, &err);
    codex_error_clear(&err);
    struct json_hollow h = JSON_HOLLOW_INIT;
    for (size_t i = 0; ix && i < rollout_turn_index_count(ix); i++) {
        json_t *lean = rollout_turn_index_turn_hollow(ix, i, &h, &err);
        json_t *whole = json_array_get(turns, i);
        if (!lean || !whole)
            abort();
        char *a = json_dumps(lean, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *b = json_dumps(whole, JSON_COMPACT | JSON_PRESERVE_ORDER);
        size_t n;
        char *filled = h.n ? json_hollow_fill(&h, a, strlen(a), &n) : strdup(a);
        if (filled && strcmp(filled, b) != 0)
            abort();
        free(filled);
        free(a);
        free(b);
        json_decref(lean);
    }
    json_hollow_free(&h);
    rollout_turn_index_close(ix);
    if (rc == 0)
        rollout_summary_free(&head);
    if (turns)
        rollout_summary_free(&full);
    json_decref(turns);
    return 0;
}
