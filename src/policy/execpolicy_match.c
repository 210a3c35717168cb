/* The policy store and command matching: rules are grouped by program (their
 * first pattern word) so evaluating a command only looks at the rules that
 * could possibly cover it. */
#include "policy/execpolicy_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

const char *ep_decision_name(enum ep_decision d)
{
    switch (d) {
    case EP_ALLOW:
        return "allow";
    case EP_PROMPT:
        return "prompt";
    case EP_FORBIDDEN:
        return "forbidden";
    }
    return "forbidden";
}

int ep_decision_parse(const char *s, size_t len, enum ep_decision *out)
{
    static const enum ep_decision all[] = {EP_ALLOW, EP_PROMPT, EP_FORBIDDEN};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *name = ep_decision_name(all[i]);
        if (strlen(name) == len && memcmp(name, s, len) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

struct ep_policy *ep_policy_new(void)
{
    return xcalloc(1, sizeof(struct ep_policy));
}

void ep_rule_free(struct ep_rule *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nrest; i++) {
        for (size_t j = 0; j < r->rest[i].nalts; j++)
            free(r->rest[i].alts[j]);
        free(r->rest[i].alts);
        free(r->rest[i].lens);
    }
    free(r->rest);
    free(r->program);
    free(r->justification);
    free(r);
}

void ep_policy_set_home(struct ep_policy *p, const char *home)
{
    free(p->home);
    p->home = home ? xstrdup(home) : NULL;
}

void ep_policy_free(struct ep_policy *p)
{
    if (!p)
        return;
    free(p->home);
    for (size_t i = 0; i < p->nrules; i++)
        ep_rule_free(p->rules[i]);
    free(p->rules);
    for (size_t i = 0; i < p->nbuckets; i++)
        free(p->buckets[i].rules);
    free(p->buckets);
    for (size_t i = 0; i < p->nhosts; i++) {
        free(p->hosts[i].name);
        for (size_t j = 0; j < p->hosts[i].npaths; j++)
            free(p->hosts[i].paths[j]);
        free(p->hosts[i].paths);
    }
    free(p->hosts);
    for (size_t i = 0; i < p->nnetwork_rules; i++) {
        free(p->network_rules[i].host);
        free(p->network_rules[i].protocol);
    }
    free(p->network_rules);
    free(p);
}

size_t ep_policy_network_rules(const struct ep_policy *p, const struct ep_network_rule **out)
{
    *out = p->network_rules;
    return p->nnetwork_rules;
}

size_t ep_policy_rule_count(const struct ep_policy *p)
{
    return p->nrules;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static struct ep_rule_list *find_bucket(struct ep_rule_list *buckets, size_t nbuckets, const char *key,
                                        size_t len)
{
    size_t mask = nbuckets - 1;
    for (size_t i = hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
        struct ep_rule_list *b = &buckets[i];
        if (!b->key || (b->key_len == len && memcmp(b->key, key, len) == 0))
            return b;
    }
}

static void grow_buckets(struct ep_policy *p)
{
    size_t n = p->nbuckets ? p->nbuckets * 2 : 64;
    struct ep_rule_list *nb = xcalloc(n, sizeof *nb);
    for (size_t i = 0; i < p->nbuckets; i++)
        if (p->buckets[i].key)
            *find_bucket(nb, n, p->buckets[i].key, p->buckets[i].key_len) = p->buckets[i];
    free(p->buckets);
    p->buckets = nb;
    p->nbuckets = n;
}

void ep_policy_add_rule(struct ep_policy *p, struct ep_rule *r)
{
    if (p->nrules == p->rules_cap) {
        p->rules_cap = p->rules_cap ? p->rules_cap * 2 : 16;
        p->rules = xrealloc(p->rules, p->rules_cap * sizeof *p->rules);
    }
    p->rules[p->nrules++] = r;
    if ((p->nused + 1) * 4 > p->nbuckets * 3)
        grow_buckets(p);
    struct ep_rule_list *b = find_bucket(p->buckets, p->nbuckets, r->program, r->program_len);
    if (!b->key) {
        b->key = r->program;
        b->key_len = r->program_len;
        p->nused++;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        b->rules = xrealloc(b->rules, b->cap * sizeof *b->rules);
    }
    b->rules[b->n++] = r;
}

const struct ep_rule_list *ep_policy_rules_for(const struct ep_policy *p, const char *name, size_t len)
{
    if (!p->nbuckets)
        return NULL;
    const struct ep_rule_list *b = find_bucket(p->buckets, p->nbuckets, name, len);
    return b->key ? b : NULL;
}

void ep_policy_set_host(struct ep_policy *p, char *name, char **paths, size_t npaths)
{
    for (size_t i = 0; i < p->nhosts; i++) {
        struct ep_host_exec *h = &p->hosts[i];
        if (strcmp(h->name, name) == 0) {
            for (size_t j = 0; j < h->npaths; j++)
                free(h->paths[j]);
            free(h->paths);
            free(name);
            h->paths = paths;
            h->npaths = npaths;
            return;
        }
    }
    if (p->nhosts == p->hosts_cap) {
        p->hosts_cap = p->hosts_cap ? p->hosts_cap * 2 : 4;
        p->hosts = xrealloc(p->hosts, p->hosts_cap * sizeof *p->hosts);
    }
    p->hosts[p->nhosts++] = (struct ep_host_exec){name, paths, npaths};
}

const struct ep_host_exec *ep_policy_host(const struct ep_policy *p, const char *name)
{
    for (size_t i = 0; i < p->nhosts; i++)
        if (strcmp(p->hosts[i].name, name) == 0)
            return &p->hosts[i];
    return NULL;
}

/* Pattern strings never hold NUL here: the parser drops alternatives that
 * do (no C-string argument can equal them) and flags such programs. */
static bool word_equals(const char *pat, size_t pat_len, const char *arg)
{
    return strncmp(pat, arg, pat_len) == 0 && arg[pat_len] == '\0';
}

bool ep_rule_matches(const struct ep_rule *r, const char *program, const char *const *args, size_t nargs)
{
    if (nargs < r->nrest || r->program_has_nul || !word_equals(r->program, r->program_len, program))
        return false;
    for (size_t i = 0; i < r->nrest; i++) {
        const struct ep_word *w = &r->rest[i];
        bool any = false;
        for (size_t j = 0; j < w->nalts && !any; j++)
            any = word_equals(w->alts[j], w->lens[j], args[i]);
        if (!any)
            return false;
    }
    return true;
}

/* Path helpers: the reference's Path::file_name and lexical absolutize. */

char *ep_path_basename(const char *path)
{
    const char *end = path + strlen(path);
    for (;;) {
        while (end > path && end[-1] == '/')
            end--;
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        size_t n = (size_t)(end - start);
        if (n == 0)
            return NULL;
        if (n == 1 && start[0] == '.') {
            if (start == path)
                return NULL; /* a leading "." is the current directory */
            end = start;
            continue;
        }
        if (n == 2 && start[0] == '.' && start[1] == '.')
            return NULL;
        return xstrndup(start, n);
    }
}

char *ep_path_absolutize(const char *path, const char *home)
{
    struct buf joined = BUF_INIT;
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        if (!home || home[0] != '/')
            return NULL;
        buf_puts(&joined, home);
        buf_putc(&joined, '/');
        buf_puts(&joined, path + 1);
    } else if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        buf_puts(&joined, cwd);
        buf_putc(&joined, '/');
        buf_puts(&joined, path);
        free(cwd);
    } else {
        buf_puts(&joined, path);
    }
    /* Lexical normalization: drop "", "." and resolve ".." against the
     * components kept so far (never above the root). */
    char *src = buf_detach(&joined, NULL);
    size_t *starts = xmalloc((strlen(src) / 2 + 2) * sizeof *starts);
    size_t ncomp = 0;
    struct buf out = BUF_INIT;
    const char *s = src;
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (ncomp > 0)
                buf_truncate(&out, starts[--ncomp]);
        } else {
            starts[ncomp++] = out.len;
            buf_putc(&out, '/');
            buf_append(&out, s, n);
        }
        s = e;
    }
    if (out.len == 0)
        buf_putc(&out, '/');
    free(starts);
    free(src);
    return buf_detach(&out, NULL);
}

/* Evaluations. */

void ep_evaluation_free(struct ep_evaluation *e)
{
    for (size_t i = 0; i < e->n; i++) {
        for (size_t j = 0; j < e->matches[i].nprefix; j++)
            free(e->matches[i].prefix[j]);
        free(e->matches[i].prefix);
        free(e->matches[i].resolved_program);
    }
    free(e->matches);
    memset(e, 0, sizeof *e);
}

static void push_match(struct ep_evaluation *out, const struct ep_rule *r, const char *program,
                       const char *const *args, const char *resolved)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 4;
        out->matches = xrealloc(out->matches, out->cap * sizeof *out->matches);
    }
    struct ep_match *m = &out->matches[out->n++];
    m->nprefix = r->nrest + 1;
    m->prefix = xmalloc(m->nprefix * sizeof *m->prefix);
    m->prefix[0] = xstrdup(program);
    for (size_t i = 0; i < r->nrest; i++)
        m->prefix[i + 1] = xstrdup(args[i]);
    m->decision = r->decision;
    m->justification = r->justification;
    m->justification_len = r->justification_len;
    m->resolved_program = resolved ? xstrdup(resolved) : NULL;
    if (out->n == 1 || r->decision > out->decision)
        out->decision = r->decision;
}

/* The words after the program, with their lengths measured once: a
 * command is compared against every candidate rule of its program. */
static bool rest_matches(const struct ep_rule *r, const char *const *args, const size_t *lens, size_t nargs)
{
    if (nargs < r->nrest)
        return false;
    for (size_t i = 0; i < r->nrest; i++) {
        const struct ep_word *w = &r->rest[i];
        bool any = false;
        for (size_t j = 0; j < w->nalts && !any; j++)
            any = w->lens[j] == lens[i] && memcmp(w->alts[j], args[i], lens[i]) == 0;
        if (!any)
            return false;
    }
    return true;
}

/* list holds the rules whose program equals program (the bucket key). */
static size_t match_list(const struct ep_rule_list *list, const char *program, const char *const *args,
                         size_t nargs, const char *resolved, struct ep_evaluation *out)
{
    if (!list)
        return 0;
    size_t stack_lens[16];
    size_t *lens = nargs <= 16 ? stack_lens : xmalloc(nargs * sizeof *lens);
    for (size_t i = 0; i < nargs; i++)
        lens[i] = strlen(args[i]);
    size_t found = 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct ep_rule *r = list->rules[i];
        if (!r->program_has_nul && rest_matches(r, args, lens, nargs)) {
            push_match(out, r, program, args, resolved);
            found++;
        }
    }
    if (lens != stack_lens)
        free(lens);
    return found;
}

void ep_policy_match(const struct ep_policy *p, const char *const *argv, size_t argc,
                     bool resolve_host_executables, struct ep_evaluation *out)
{
    if (argc == 0)
        return;
    const char *program = argv[0];
    const struct ep_rule_list *exact = ep_policy_rules_for(p, program, strlen(program));
    if (match_list(exact, program, argv + 1, argc - 1, NULL, out) > 0 || !resolve_host_executables)
        return;

    /* A rule written for the literal path would have matched above; only
     * now does the basename stand in for the path. */
    char *base = ep_path_basename(program);
    if (!base)
        return;
    char *abs = ep_path_absolutize(program, p->home);
    const struct ep_rule_list *by_name = ep_policy_rules_for(p, base, strlen(base));
    const struct ep_host_exec *host = ep_policy_host(p, base);
    bool allowed_path = abs != NULL;
    if (allowed_path && host) {
        allowed_path = false;
        for (size_t i = 0; i < host->npaths && !allowed_path; i++)
            allowed_path = strcmp(host->paths[i], abs) == 0;
    }
    if (allowed_path)
        match_list(by_name, base, argv + 1, argc - 1, abs, out);
    free(abs);
    free(base);
}

/* JSON in the layout serde_json prints (compact, or pretty with two-space
 * indentation), keys in the reference's order. */

void ep_json_string(struct buf *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        default:
            if (c < 0x20)
                buf_printf(b, "\\u%04x", c);
            else
                buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

struct jw {
    struct buf *b;
    bool pretty;
    int depth;
};

static void jw_newline(struct jw *w)
{
    if (!w->pretty)
        return;
    buf_putc(w->b, '\n');
    for (int i = 0; i < w->depth; i++)
        buf_puts(w->b, "  ");
}

static void jw_key(struct jw *w, const char *key, bool first)
{
    if (!first)
        buf_putc(w->b, ',');
    jw_newline(w);
    ep_json_string(w->b, key, strlen(key));
    buf_puts(w->b, w->pretty ? ": " : ":");
}

static void jw_open(struct jw *w, char c)
{
    buf_putc(w->b, c);
    w->depth++;
}

static void jw_close(struct jw *w, char c, bool empty)
{
    w->depth--;
    if (!empty)
        jw_newline(w);
    buf_putc(w->b, c);
}

static void write_match(struct jw *w, const struct ep_match *m)
{
    jw_open(w, '{');
    jw_key(w, "prefixRuleMatch", true);
    jw_open(w, '{');
    jw_key(w, "matchedPrefix", true);
    jw_open(w, '[');
    for (size_t i = 0; i < m->nprefix; i++) {
        if (i)
            buf_putc(w->b, ',');
        jw_newline(w);
        ep_json_string(w->b, m->prefix[i], strlen(m->prefix[i]));
    }
    jw_close(w, ']', m->nprefix == 0);
    jw_key(w, "decision", false);
    const char *d = ep_decision_name(m->decision);
    ep_json_string(w->b, d, strlen(d));
    if (m->resolved_program) {
        jw_key(w, "resolvedProgram", false);
        ep_json_string(w->b, m->resolved_program, strlen(m->resolved_program));
    }
    if (m->justification) {
        jw_key(w, "justification", false);
        ep_json_string(w->b, m->justification, m->justification_len);
    }
    jw_close(w, '}', false);
    jw_close(w, '}', false);
}

char *ep_evaluation_json(const struct ep_evaluation *e, bool pretty)
{
    struct buf b = BUF_INIT;
    struct jw w = {&b, pretty, 0};
    jw_open(&w, '{');
    jw_key(&w, "matchedRules", true);
    jw_open(&w, '[');
    for (size_t i = 0; i < e->n; i++) {
        if (i)
            buf_putc(&b, ',');
        jw_newline(&w);
        write_match(&w, &e->matches[i]);
    }
    jw_close(&w, ']', e->n == 0);
    if (e->n > 0) {
        jw_key(&w, "decision", false);
        const char *d = ep_decision_name(e->decision);
        ep_json_string(&b, d, strlen(d));
    }
    jw_close(&w, '}', false);
    return buf_detach(&b, NULL);
}
