#include "login/pkce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/sha256.h"
#include "util/uuid.h"

void pkce_generate(struct pkce *p)
{
    unsigned char raw[64];
    random_bytes(raw, sizeof raw);
    char *v = base64url_encode(raw, sizeof raw);
    snprintf(p->verifier, sizeof p->verifier, "%s", v);
    free(v);
    struct sha256 s;
    unsigned char digest[32];
    sha256_init(&s);
    sha256_update(&s, p->verifier, strlen(p->verifier));
    sha256_final(&s, digest);
    char *c = base64url_encode(digest, sizeof digest);
    snprintf(p->challenge, sizeof p->challenge, "%s", c);
    free(c);
}

void login_random_state(char out[44])
{
    unsigned char raw[32];
    random_bytes(raw, sizeof raw);
    char *s = base64url_encode(raw, sizeof raw);
    snprintf(out, 44, "%s", s);
    free(s);
}
