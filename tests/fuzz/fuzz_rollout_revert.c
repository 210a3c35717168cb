/* libFuzzer harness for the readers behind thread/revert and thread goals:
 * any bytes as a rollout in which a turn is looked for and cut back to,
 * and as thread_goals.json.  A turn found starts at a line boundary on a
 * line that names it, the cut keeps exactly the bytes before it, and a goals
 * file loads or is refused with an error naming the file. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout_revert.h"
#include "store/thread_goals.h"
#include "util/fs.h"

static char dir[] = "/tmp/fuzz_rollout_revert.XXXXXX";
static char rollout[64], goals[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rollout[0]) {
        if (!mkdtemp(dir))
            abort();
        snprintf(rollout, sizeof rollout, "%s/rollout.jsonl", dir);
        snprintf(goals, sizeof goals, "%s/thread_goals.json", dir);
    }
    if (fs_write_atomic(rollout, data, size, 0600) != 0 || fs_write_atomic(goals, data, size, 0600) != 0)
        abort();
    struct codex_error err = CODEX_ERROR_INIT;
    off_t at = 0;
    int found = rollout_turn_offset(rollout, "turn-1", &at, &err);
    if (found < 0)
        abort(); /* the file is there and readable */
    if (found) {
        if (at < 0 || (size_t)at >= size || (at > 0 && data[at - 1] != '\n'))
            abort();
        const uint8_t *end = memchr(data + at, '\n', size - (size_t)at);
        if (!end || !memmem(data + at, (size_t)(end - (data + at)), "turn-1", 6))
            abort();
        if (rollout_cut(rollout, at, &err) != 0)
            abort();
        size_t len = 0;
        char *kept = fs_read_file(rollout, size + 1, &len);
        if (!kept || len != (size_t)at || memcmp(kept, data, len) != 0)
            abort();
        free(kept);
    }
    json_t *goal = thread_goal_load(dir, "t", &err);
    if (err.message) {
        if (goal || !strstr(err.message, goals))
            abort();
        codex_error_clear(&err);
    }
    json_decref(goal);
    return 0;
}
