/* libFuzzer harness for signed bearer tokens (login/jwt.c): any input is
 * refused or accepted without a crash, and a token this harness signs
 * itself with the key is always accepted with the claims it carries.  The
 * input is "claims JSON" (signed here) or a raw token after a leading '!'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "login/jwt.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "util/xalloc.h"

static const unsigned char key[] = "fuzzing-key-fuzzing-key-fuzzing-key";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    if (size && text[0] == '!') {
        json_decref(jwt_verify_hs256(text + 1, key, sizeof key - 1));
        json_decref(jwt_claims(text + 1));
        free(text);
        return 0;
    }
    json_t *claims = json_loads(text, 0, NULL);
    free(text);
    if (!json_is_object(claims)) {
        json_decref(claims);
        return 0;
    }
    char *payload = json_dumps(claims, JSON_COMPACT);
    char *h = base64url_encode((const unsigned char *)"{\"alg\":\"HS256\"}", 15);
    char *p = base64url_encode((const unsigned char *)payload, strlen(payload));
    char *signing = xasprintf("%s.%s", h, p);
    unsigned char mac[32];
    hmac_sha256(key, sizeof key - 1, signing, strlen(signing), mac);
    char *sig = base64url_encode(mac, sizeof mac);
    char *token = xasprintf("%s.%s", signing, sig);
    json_t *back = jwt_verify_hs256(token, key, sizeof key - 1);
    if (!back || !json_equal(back, claims))
        abort();
    /* The same token under another key is refused. */
    json_t *other = jwt_verify_hs256(token, (const unsigned char *)"x", 1);
    if (other)
        abort();
    json_decref(back);
    json_decref(claims);
    free(payload), free(h), free(p), free(signing), free(sig), free(token);
    return 0;
}
