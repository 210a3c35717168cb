/* PKCE (RFC 7636, S256) and the OAuth state parameter. */
#ifndef CODEX_LOGIN_PKCE_H
#define CODEX_LOGIN_PKCE_H

struct pkce {
    char verifier[96];  /* base64url of 64 random bytes (86 characters) */
    char challenge[48]; /* base64url of SHA-256(verifier) (43 characters) */
};

void pkce_generate(struct pkce *p);
/* base64url of 32 random bytes, into out (at least 44 bytes). */
void login_random_state(char out[44]);

#endif
