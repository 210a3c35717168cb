/* libFuzzer harness for host names and domain patterns: normalizing is
 * idempotent, a parsed pattern matches what it was written for, and
 * coverage is reflexive.  The input is "pattern\nhost". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *host = strchr(text, '\n');
    if (host)
        *host++ = '\0';
    else
        host = text;
    char norm[DOMAIN_MAX_LEN + 1], again[DOMAIN_MAX_LEN + 1];
    if (domain_normalize_host(host, strlen(host), norm, sizeof norm) == 0) {
        if (domain_normalize_host(norm, strlen(norm), again, sizeof again) != 0 || strcmp(norm, again) != 0)
            abort();
        host_is_loopback_name(norm);
    }
    struct domain_pattern p;
    struct codex_error err = CODEX_ERROR_INIT;
    if (domain_pattern_parse(text, &p, &err) == 0) {
        if (domain_pattern_matches_everything(text))
            abort();
        if (!domain_pattern_covers(&p, &p))
            abort();
        if (p.kind == DOMAIN_EXACT && !domain_pattern_match(&p, p.text))
            abort();
        if (p.kind == DOMAIN_APEX_AND_SUBDOMAINS && !domain_pattern_match(&p, p.text))
            abort();
        domain_pattern_match(&p, norm);
        char *t = domain_pattern_text(&p);
        free(t);
        domain_pattern_free(&p);
    } else if (!err.message) {
        abort();
    }
    codex_error_clear(&err);
    struct ip_addr ip;
    if (ip_parse(text, &ip)) {
        char out[64];
        ip_format(&ip, out, sizeof out);
        struct ip_addr back;
        if (!ip_parse(out, &back) || memcmp(&back, &ip, sizeof ip) != 0)
            abort();
        ip_is_non_public(&ip);
    }
    free(text);
    return 0;
}
