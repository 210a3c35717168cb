/* Host normalization, domain patterns, and which addresses count as local. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/domain.h"
#include "util/xalloc.h"

static bool host_char(unsigned char c, bool pattern)
{
    if (isalnum(c) || c == '-' || c == '_' || c == '.')
        return true;
    return pattern && (c == '*' || c == '?');
}

/* Lower-case, validate and copy an unbracketed host; a trailing dot goes. */
static int finish_host(const char *s, size_t n, bool pattern, char *out, size_t outlen)
{
    while (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n >= outlen || n > DOMAIN_MAX_LEN)
        return -1;
    char tmp[DOMAIN_MAX_LEN + 1];
    for (size_t i = 0; i < n; i++)
        tmp[i] = (char)tolower((unsigned char)s[i]);
    tmp[n] = '\0';
    struct ip_addr ip;
    if (memchr(tmp, ':', n)) {
        /* An IPv6 literal, perhaps with a zone ("fe80::1%eth0", "%25"). */
        char addr[64], *pct = strchr(tmp, '%');
        size_t alen = pct ? (size_t)(pct - tmp) : n;
        if (alen >= sizeof addr)
            return -1;
        memcpy(addr, tmp, alen);
        addr[alen] = '\0';
        if (!ip_parse(addr, &ip) || ip.family != AF_INET6)
            return -1;
        char canon[64];
        ip_format(&ip, canon, sizeof canon);
        const char *zone = NULL;
        if (pct)
            zone = strncmp(pct, "%25", 3) == 0 && pct[3] ? pct + 3 : pct + 1;
        if (zone) {
            if (!*zone)
                return -1;
            for (const char *z = zone; *z; z++)
                if (!isalnum((unsigned char)*z) && *z != '-' && *z != '_' && *z != '.')
                    return -1;
        }
        int w = snprintf(out, outlen, "%s%s%s", canon, zone ? "%" : "", zone ? zone : "");
        return w > 0 && (size_t)w < outlen ? 0 : -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!host_char((unsigned char)tmp[i], pattern))
            return -1;
    /* Empty labels ("a..b", ".a") name no host. */
    if (tmp[0] == '.' || strstr(tmp, ".."))
        return -1;
    memcpy(out, tmp, n + 1);
    return 0;
}

static int normalize(const char *host, size_t len, bool pattern, char *out, size_t outlen)
{
    const char *s = host, *e = host + len;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (s < e && *s == '[') {
        const char *close = memchr(s, ']', (size_t)(e - s));
        if (!close)
            return -1;
        return finish_host(s + 1, (size_t)(close - s - 1), false, out, outlen) == 0 &&
                       memchr(out, ':', strlen(out))
                   ? 0
                   : -1;
    }
    size_t colons = 0;
    const char *colon = NULL;
    for (const char *p = s; p < e; p++)
        if (*p == ':') {
            colons++;
            colon = p;
        }
    if (colons == 1) {
        /* host:port; the port must be digits. */
        for (const char *p = colon + 1; p < e; p++)
            if (!isdigit((unsigned char)*p))
                return -1;
        e = colon;
    }
    return finish_host(s, (size_t)(e - s), pattern, out, outlen);
}

int domain_normalize_host(const char *host, size_t len, char *out, size_t outlen)
{
    return normalize(host, len, false, out, outlen);
}

bool domain_glob_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern == '?' ||
                   (*pattern && tolower((unsigned char)*pattern) == tolower((unsigned char)*text))) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

bool domain_pattern_matches_everything(const char *text)
{
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    bool any_star = false;
    size_t questions = 0;
    for (; *s && !isspace((unsigned char)*s); s++) {
        if (*s == '*')
            any_star = true;
        else if (*s == '?')
            questions++;
        else if (*s != '.')
            return false;
    }
    while (isspace((unsigned char)*s))
        s++;
    /* Only wildcards and dots left: "*", "*.", "**", "**.", "?*" ... */
    return *s == '\0' && any_star;
}

int domain_pattern_parse(const char *text, struct domain_pattern *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    if (domain_pattern_matches_everything(text)) {
        codex_error_set(err,
                        "domain pattern \"%s\" would match every host; list the domains instead, or set "
                        "dangerously_allow_all_domains = true",
                        text);
        return -1;
    }
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    enum domain_pattern_kind kind = DOMAIN_EXACT;
    if (strncmp(s, "**.", 3) == 0) {
        kind = DOMAIN_APEX_AND_SUBDOMAINS;
        s += 3;
    } else if (strncmp(s, "*.", 2) == 0) {
        kind = DOMAIN_SUBDOMAINS;
        s += 2;
    }
    char norm[DOMAIN_MAX_LEN + 1];
    if (normalize(s, strlen(s), true, norm, sizeof norm) != 0) {
        codex_error_set(err,
                        "invalid domain pattern \"%s\"; use a host name (example.com), *.example.com, "
                        "**.example.com or an IP address",
                        text);
        return -1;
    }
    if (kind == DOMAIN_EXACT && strpbrk(norm, "*?"))
        kind = DOMAIN_GLOB;
    else if (kind != DOMAIN_EXACT && strpbrk(norm, "*?")) {
        /* "*.a*.com": the whole text is a glob. */
        char *glob = xasprintf("%s%s", kind == DOMAIN_SUBDOMAINS ? "?*." : "*", norm);
        out->kind = DOMAIN_GLOB;
        out->text = glob;
        if (kind == DOMAIN_APEX_AND_SUBDOMAINS) {
            /* "**.a*.com" = apex or subdomains: a glob "*a*.com" is wider
             * (it matches "xa1.com"); refuse rather than guess. */
            free(glob);
            out->text = NULL;
            codex_error_set(err, "domain pattern \"%s\" mixes ** with other wildcards; write *.x and x separately",
                            text);
            return -1;
        }
        return 0;
    }
    out->kind = kind;
    out->text = xstrdup(norm);
    return 0;
}

void domain_pattern_free(struct domain_pattern *p)
{
    free(p->text);
    p->text = NULL;
}

static bool is_strict_subdomain(const char *host, const char *parent)
{
    size_t h = strlen(host), p = strlen(parent);
    return h > p + 1 && host[h - p - 1] == '.' && strcmp(host + h - p, parent) == 0;
}

bool domain_pattern_match(const struct domain_pattern *p, const char *host)
{
    switch (p->kind) {
    case DOMAIN_EXACT:
        return strcmp(p->text, host) == 0;
    case DOMAIN_SUBDOMAINS:
        return is_strict_subdomain(host, p->text);
    case DOMAIN_APEX_AND_SUBDOMAINS:
        return strcmp(p->text, host) == 0 || is_strict_subdomain(host, p->text);
    case DOMAIN_GLOB:
        return domain_glob_match(p->text, host);
    }
    return false;
}

bool domain_pattern_covers(const struct domain_pattern *outer, const struct domain_pattern *inner)
{
    const char *o = outer->text, *i = inner->text;
    bool same = strcmp(o, i) == 0;
    bool under = is_strict_subdomain(i, o);
    switch (outer->kind) {
    case DOMAIN_EXACT:
        return inner->kind == DOMAIN_EXACT && same;
    case DOMAIN_SUBDOMAINS:
        if (inner->kind == DOMAIN_EXACT)
            return under;
        if (inner->kind == DOMAIN_SUBDOMAINS)
            return same || under;
        if (inner->kind == DOMAIN_APEX_AND_SUBDOMAINS)
            return under;
        return false;
    case DOMAIN_APEX_AND_SUBDOMAINS:
        return inner->kind != DOMAIN_GLOB ? same || under : false;
    case DOMAIN_GLOB:
        return inner->kind == DOMAIN_EXACT ? domain_glob_match(o, i) : inner->kind == DOMAIN_GLOB && same;
    }
    return false;
}

char *domain_pattern_text(const struct domain_pattern *p)
{
    switch (p->kind) {
    case DOMAIN_SUBDOMAINS:
        return xasprintf("*.%s", p->text);
    case DOMAIN_APEX_AND_SUBDOMAINS:
        return xasprintf("**.%s", p->text);
    case DOMAIN_EXACT:
    case DOMAIN_GLOB:
        break;
    }
    return xstrdup(p->text);
}

/* The cloud agent's "Common dependencies" allowlist preset. */
static const char *const common_dependencies[] = {
    "alpinelinux.org", "anaconda.com", "apache.org", "apt.llvm.org", "archlinux.org",
    "azure.com", "bitbucket.org", "bower.io", "centos.org", "cocoapods.org",
    "continuum.io", "cpan.org", "crates.io", "debian.org", "docker.com",
    "docker.io", "dot.net", "dotnet.microsoft.com", "eclipse.org", "fedoraproject.org",
    "gcr.io", "ghcr.io", "github.com", "githubusercontent.com", "gitlab.com",
    "golang.org", "google.com", "goproxy.io", "gradle.org", "hashicorp.com",
    "haskell.org", "java.com", "java.net", "jcenter.bintray.com", "json-schema.org",
    "json.schemastore.org", "k8s.io", "launchpad.net", "maven.org", "mcr.microsoft.com",
    "metacpan.org", "microsoft.com", "nodejs.org", "npmjs.com", "npmjs.org",
    "nuget.org", "oracle.com", "packagecloud.io", "packages.microsoft.com", "packagist.org",
    "pkg.go.dev", "ppa.launchpad.net", "pub.dev", "pypa.io", "pypi.org",
    "pypi.python.org", "pythonhosted.org", "quay.io", "ruby-lang.org", "rubyforge.org",
    "rubygems.org", "rubyonrails.org", "rustup.rs", "rvm.io", "sourceforge.net",
    "spring.io", "swift.org", "ubuntu.com", "visualstudio.com", "yarnpkg.com",
    NULL,
};

const char *const *domain_preset(const char *name)
{
    if (strcmp(name, ":common_dependencies") == 0 || strcmp(name, ":common-dependencies") == 0)
        return common_dependencies;
    return NULL;
}

bool ip_parse(const char *text, struct ip_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

void ip_format(const struct ip_addr *a, char *out, size_t outlen)
{
    if (!inet_ntop(a->family, a->bytes, out, (socklen_t)outlen) && outlen)
        out[0] = '\0';
}

static bool v4_in(const uint8_t *b, uint8_t a0, uint8_t a1, uint8_t a2, int prefix)
{
    uint32_t ip = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    uint32_t base = (uint32_t)a0 << 24 | (uint32_t)a1 << 16 | (uint32_t)a2 << 8;
    uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    return (ip & mask) == (base & mask);
}

static bool v4_non_public(const uint8_t *b)
{
    return v4_in(b, 0, 0, 0, 8)          /* "this network" */
           || v4_in(b, 10, 0, 0, 8)      /* private */
           || v4_in(b, 100, 64, 0, 10)   /* CGNAT */
           || v4_in(b, 127, 0, 0, 8)     /* loopback */
           || v4_in(b, 169, 254, 0, 16)  /* link-local */
           || v4_in(b, 172, 16, 0, 12)   /* private */
           || v4_in(b, 192, 0, 0, 24)    /* IETF protocol assignments */
           || v4_in(b, 192, 0, 2, 24)    /* TEST-NET-1 */
           || v4_in(b, 192, 168, 0, 16)  /* private */
           || v4_in(b, 198, 18, 0, 15)   /* benchmarking */
           || v4_in(b, 198, 51, 100, 24) /* TEST-NET-2 */
           || v4_in(b, 203, 0, 113, 24)  /* TEST-NET-3 */
           || v4_in(b, 224, 0, 0, 4)     /* multicast */
           || v4_in(b, 240, 0, 0, 4);    /* reserved, broadcast */
}

bool ip_is_non_public(const struct ip_addr *a)
{
    if (a->family == AF_INET)
        return v4_non_public(a->bytes);
    const uint8_t *b = a->bytes;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t compat[12] = {0};
    if (memcmp(b, mapped, 12) == 0)
        return v4_non_public(b + 12);
    if (memcmp(b, compat, 12) == 0)
        return true; /* ::, ::1 and the deprecated IPv4-compatible form */
    if ((b[0] & 0xfe) == 0xfc)             /* fc00::/7 unique local */
        return true;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 link-local */
        return true;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* fec0::/10 site-local (deprecated) */
        return true;
    if (b[0] == 0xff) /* multicast */
        return true;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* 2001:db8::/32 documentation */
        return true;
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) /* 64:ff9b::/96 NAT64 */
        return v4_non_public(b + 12);
    return false;
}

bool host_is_loopback_name(const char *host)
{
    size_t n = strlen(host);
    if (strcmp(host, "localhost") == 0 || (n > 10 && strcmp(host + n - 10, ".localhost") == 0))
        return true;
    struct ip_addr a;
    char addr[64];
    const char *pct = strchr(host, '%');
    size_t alen = pct ? (size_t)(pct - host) : n;
    if (alen >= sizeof addr)
        return false;
    memcpy(addr, host, alen);
    addr[alen] = '\0';
    if (!ip_parse(addr, &a))
        return false;
    if (a.family == AF_INET)
        return a.bytes[0] == 127;
    static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a.bytes, loop6, 16) == 0 || (memcmp(a.bytes, mapped, 12) == 0 && a.bytes[12] == 127);
}
