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
    if (!json_is_array(rs.history))
        abort();
    for (size_t i = 0; i < rs.warnings.n; i++)
        if (!rs.warnings.v[i][0])
            abort();
    rollout_session_free(&rs);
    return 0;
}
