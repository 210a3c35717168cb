/* libFuzzer harness for the Authorization header of a WebSocket upgrade
 * (rpc/ws_auth.c): any bytes get a verdict without a crash, and none is let
 * in, since nothing the fuzzer makes carries a valid HMAC under the secret
 * or the capability token's digest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/ws_auth.h"
#include "util/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *header = malloc(size + 1);
    memcpy(header, data, size);
    header[size] = '\0';
    static unsigned char secret[] = "fuzzing-secret-that-is-long-enough-0123456789";
    struct ws_auth_policy signed_policy = {.mode = WS_AUTH_SIGNED_BEARER,
                                           .secret = secret,
                                           .secret_len = sizeof secret - 1,
                                           .issuer = "iss",
                                           .audience = "aud",
                                           .max_skew_seconds = INT64_MAX};
    if (ws_auth_check(&signed_policy, header, 1800000000) == NULL)
        abort();
    struct ws_auth_policy token_policy = {.mode = WS_AUTH_CAPABILITY_TOKEN};
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, "a token nobody guesses: 7f3c1d", 30);
    sha256_final(&s, token_policy.token_sha256);
    if (ws_auth_check(&token_policy, header, 0) == NULL)
        abort();
    free(header);
    return 0;
}
