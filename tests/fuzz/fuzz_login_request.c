/* libFuzzer harness for what the sign-in callback server reads from the
 * network: the request head parser, then the query parameters the flow
 * looks up in the target.  A parsed target always starts with '/' and
 * holds no control characters or spaces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "login/http_request.h"
#include "util/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request_head h;
    size_t used;
    if (http_request_head_parse((const char *)data, size, &h, &used) != 1)
        return 0;
    if (h.target[0] != '/' || used > size || used > HTTP_REQUEST_MAX_HEAD)
        abort();
    for (const char *p = h.target; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            abort();
    const char *q = strchr(h.target, '?');
    if (q) {
        static const char *const keys[] = {"code", "state", "error", "error_description"};
        for (int i = 0; i < 4; i++) {
            bool present;
            char *v = url_query_get(q + 1, strlen(q + 1), keys[i], &present);
            if (v && !present)
                abort();
            free(v);
        }
    }
    http_request_head_free(&h);
    return 0;
}
