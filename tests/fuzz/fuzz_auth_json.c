/* libFuzzer harness for auth.json as the store reads it (the file may have
 * been written by hand, by the reference or by a CI script): parsing,
 * writing back and parsing again must agree, and the JWT claim reader must
 * cope with whatever the tokens hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "login/jwt.h"
#include "store/auth.h"

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct auth_record r;
    struct codex_error err = CODEX_ERROR_INIT;
    if (auth_record_parse((const char *)data, size, "auth.json", &r, &err) != 0) {
        if (!codex_error_is_set(&err))
            abort();
        codex_error_clear(&err);
        return 0;
    }
    char *text = auth_record_serialize(&r, true);
    struct auth_record back;
    if (auth_record_parse(text, strlen(text), "again", &back, &err) != 0)
        abort();
    if (!same(r.auth_mode, back.auth_mode) || !same(r.api_key, back.api_key) ||
        r.has_tokens != back.has_tokens || !same(r.tokens.access_token, back.tokens.access_token) ||
        !same(r.tokens.account_id, back.tokens.account_id) ||
        !same(r.personal_access_token, back.personal_access_token))
        abort();
    struct chatgpt_claims c;
    if (chatgpt_claims_read(r.tokens.id_token, &c))
        chatgpt_claims_free(&c);
    if (chatgpt_claims_read(r.tokens.access_token, &c))
        chatgpt_claims_free(&c);
    auth_parse_rfc3339(r.last_refresh);
    free(text);
    auth_record_free(&back);
    auth_record_free(&r);
    return 0;
}
