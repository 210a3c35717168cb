/* Host names and domain patterns as the network proxy and the permission
 * profiles compare them.
 *
 * A host is normalized before any comparison: surrounding blanks and a
 * trailing dot go, letters are lower-cased, brackets around an IPv6 literal
 * and a ":port" suffix are removed.  A pattern is one of
 *
 *   example.com        that host only
 *   *.example.com      its subdomains, not the apex
 *   **.example.com     the apex and its subdomains
 *   region*.example.com  a glob: '*' any run of characters, '?' one
 *   :common_dependencies  a preset: every domain of the cloud agent's
 *                      "Common dependencies" list, apex and subdomains
 *
 * A pattern that would match every host ("*", "*.", "**") is refused: the
 * configuration says so with dangerously_allow_all_domains instead. */
#ifndef CODEX_UTIL_DOMAIN_H
#define CODEX_UTIL_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define DOMAIN_MAX_LEN 253

enum domain_pattern_kind {
    DOMAIN_EXACT,
    DOMAIN_SUBDOMAINS,      /* *.x */
    DOMAIN_APEX_AND_SUBDOMAINS, /* **.x */
    DOMAIN_GLOB,
};

struct domain_pattern {
    enum domain_pattern_kind kind;
    char *text; /* normalized domain (or glob) without the wildcard prefix */
};

/* Normalize host into out (at most outlen bytes with the NUL).  Returns 0,
 * or -1 when the result would be empty, too long, or holds characters no
 * host name or IP literal has. */
int domain_normalize_host(const char *host, size_t len, char *out, size_t outlen);

/* Parse one pattern.  Presets are not patterns: expand them with
 * domain_preset() first.  Returns 0, or -1 with err set (one line naming the
 * pattern). */
int domain_pattern_parse(const char *text, struct domain_pattern *out, struct codex_error *err);
void domain_pattern_free(struct domain_pattern *p);
/* Does the normalized host match? */
bool domain_pattern_match(const struct domain_pattern *p, const char *host);
/* Would the pattern text match every host ("*", "*.", "**.", "?*")? */
bool domain_pattern_matches_everything(const char *text);
/* Does every host `inner` matches also match `outer`?  (A managed
 * allowlist entry covering a user's entry.)  Globs cover only what equals
 * them. */
bool domain_pattern_covers(const struct domain_pattern *outer, const struct domain_pattern *inner);
/* The text a pattern was parsed from, normalized (caller frees). */
char *domain_pattern_text(const struct domain_pattern *p);

/* The domains of a preset (":common_dependencies"), NULL-terminated, or
 * NULL when name is not a preset.  Each covers its subdomains. */
const char *const *domain_preset(const char *name);

/* A parsed IP address. */
struct ip_addr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t bytes[16];
};

/* Parse an IP literal (dotted IPv4, or IPv6 without brackets or scope). */
bool ip_parse(const char *text, struct ip_addr *out);
/* Loopback, private, link-local, CGNAT, documentation, multicast and other
 * addresses that are not on the public internet (IPv4-mapped IPv6 too). */
bool ip_is_non_public(const struct ip_addr *a);
/* "localhost" and names under .localhost, or a loopback IP literal. */
bool host_is_loopback_name(const char *normalized_host);
/* Format into out ("127.0.0.1", "::1"). */
void ip_format(const struct ip_addr *a, char *out, size_t outlen);

/* Glob match with '*' (any run) and '?' (one character), ASCII
 * case-insensitive.  Linear in practice: one backtrack point. */
bool domain_glob_match(const char *pattern, const char *text);

#endif
