#include "tui/highlight.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Published palettes of these themes; the roles follow what bat-style
 * highlighters give each token. */
static const struct {
    const char *name;
    struct hl_palette p;
} themes[] = {
    {"catppuccin-frappe", {TC_HEX(0xc6d0f5), TC_HEX(0xca9ee6), TC_HEX(0xa6d189), TC_HEX(0xf4b8e4),
                           TC_HEX(0xef9f76), TC_HEX(0x8caaee), TC_HEX(0x949cbb), TC_HEX(0x838ba7),
                           TC_HEX(0xe5c890), TC_HEX(0x81c8be)}},
    {"catppuccin-latte", {TC_HEX(0x4c4f69), TC_HEX(0x8839ef), TC_HEX(0x40a02b), TC_HEX(0xea76cb),
                          TC_HEX(0xfe640b), TC_HEX(0x1e66f5), TC_HEX(0x7c7f93), TC_HEX(0x8c8fa1),
                          TC_HEX(0xdf8e1d), TC_HEX(0x179299)}},
    {"catppuccin-macchiato", {TC_HEX(0xcad3f5), TC_HEX(0xc6a0f6), TC_HEX(0xa6da95), TC_HEX(0xf5bde6),
                              TC_HEX(0xf5a97f), TC_HEX(0x8aadf4), TC_HEX(0x939ab7), TC_HEX(0x8087a2),
                              TC_HEX(0xeed49f), TC_HEX(0x8bd5ca)}},
    {"catppuccin-mocha", {TC_HEX(0xcdd6f4), TC_HEX(0xcba6f7), TC_HEX(0xa6e3a1), TC_HEX(0xf5c2e7),
                          TC_HEX(0xfab387), TC_HEX(0x89b4fa), TC_HEX(0x9399b2), TC_HEX(0x7f849c),
                          TC_HEX(0xf9e2af), TC_HEX(0x94e2d5)}},
    {"dracula", {TC_HEX(0xf8f8f2), TC_HEX(0xff79c6), TC_HEX(0xf1fa8c), TC_HEX(0xff5555),
                 TC_HEX(0xbd93f9), TC_HEX(0x50fa7b), TC_HEX(0xf8f8f2), TC_HEX(0x6272a4),
                 TC_HEX(0x8be9fd), TC_HEX(0xff79c6)}},
    {"gruvbox-dark", {TC_HEX(0xebdbb2), TC_HEX(0xfb4934), TC_HEX(0xb8bb26), TC_HEX(0xfe8019),
                      TC_HEX(0xd3869b), TC_HEX(0xfabd2f), TC_HEX(0xa89984), TC_HEX(0x928374),
                      TC_HEX(0xfabd2f), TC_HEX(0x8ec07c)}},
    {"monokai-extended", {TC_HEX(0xf8f8f2), TC_HEX(0xf92672), TC_HEX(0xe6db74), TC_HEX(0xae81ff),
                          TC_HEX(0xae81ff), TC_HEX(0xa6e22e), TC_HEX(0xf8f8f2), TC_HEX(0x75715e),
                          TC_HEX(0x66d9ef), TC_HEX(0xf92672)}},
    {"nord", {TC_HEX(0xd8dee9), TC_HEX(0x81a1c1), TC_HEX(0xa3be8c), TC_HEX(0xebcb8b),
              TC_HEX(0xb48ead), TC_HEX(0x88c0d0), TC_HEX(0xeceff4), TC_HEX(0x616e88),
              TC_HEX(0x8fbcbb), TC_HEX(0x81a1c1)}},
    {"solarized-dark", {TC_HEX(0x839496), TC_HEX(0x859900), TC_HEX(0x2aa198), TC_HEX(0xdc322f),
                        TC_HEX(0xd33682), TC_HEX(0x268bd2), TC_HEX(0x93a1a1), TC_HEX(0x586e75),
                        TC_HEX(0xb58900), TC_HEX(0x859900)}},
    {"solarized-light", {TC_HEX(0x657b83), TC_HEX(0x859900), TC_HEX(0x2aa198), TC_HEX(0xdc322f),
                         TC_HEX(0xd33682), TC_HEX(0x268bd2), TC_HEX(0x586e75), TC_HEX(0x93a1a1),
                         TC_HEX(0xb58900), TC_HEX(0x859900)}},
};
#define N_THEMES (sizeof themes / sizeof themes[0])
#define MOCHA 3

const char *const hl_theme_names[] = {
    "catppuccin-frappe", "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula",
    "gruvbox-dark", "monokai-extended", "nord", "solarized-dark", "solarized-light", NULL,
};

static size_t current = MOCHA;
const struct hl_palette *hl_theme = &themes[MOCHA].p;

bool hl_set_theme(const char *name)
{
    for (size_t i = 0; name && i < N_THEMES; i++)
        if (strcmp(themes[i].name, name) == 0) {
            current = i;
            hl_theme = &themes[i].p;
            return true;
        }
    return false;
}

const char *hl_theme_name(void)
{
    return themes[current].name;
}

enum family {
    F_PLAIN,
    F_C,
    F_PY,
    F_RS,
    F_GO,
    F_JS,
    F_JAVA,
    F_SH,
    F_JSON,
    F_TOML,
    F_YAML,
    F_RB,
    F_SQL,
    F_LUA,
};

static const struct {
    const char *name;
    enum family fam;
} aliases[] = {
    {"c", F_C},        {"h", F_C},         {"cpp", F_C},     {"cc", F_C},
    {"cxx", F_C},      {"hpp", F_C},       {"c++", F_C},     {"objc", F_C},
    {"m", F_C},        {"cuda", F_C},      {"cu", F_C},      {"py", F_PY},
    {"python", F_PY},  {"python3", F_PY},  {"pyi", F_PY},    {"rs", F_RS},
    {"rust", F_RS},    {"go", F_GO},       {"golang", F_GO}, {"js", F_JS},
    {"javascript", F_JS}, {"jsx", F_JS},   {"ts", F_JS},     {"typescript", F_JS},
    {"tsx", F_JS},     {"mjs", F_JS},      {"cjs", F_JS},    {"java", F_JAVA},
    {"kt", F_JAVA},    {"kotlin", F_JAVA}, {"swift", F_JAVA}, {"cs", F_JAVA},
    {"csharp", F_JAVA}, {"scala", F_JAVA}, {"dart", F_JAVA}, {"sh", F_SH},
    {"bash", F_SH},    {"zsh", F_SH},      {"shell", F_SH},  {"console", F_SH},
    {"shellsession", F_SH}, {"json", F_JSON}, {"jsonc", F_JSON}, {"toml", F_TOML},
    {"ini", F_TOML},   {"yaml", F_YAML},   {"yml", F_YAML},  {"rb", F_RB},
    {"ruby", F_RB},    {"sql", F_SQL},     {"lua", F_LUA},   {"makefile", F_SH},
    {"mk", F_SH},      {"dockerfile", F_SH},
};

static const char *const family_names[] = {
    [F_PLAIN] = NULL, [F_C] = "c",       [F_PY] = "py",     [F_RS] = "rs",
    [F_GO] = "go",    [F_JS] = "js",     [F_JAVA] = "java", [F_SH] = "sh",
    [F_JSON] = "json", [F_TOML] = "toml", [F_YAML] = "yaml", [F_RB] = "rb",
    [F_SQL] = "sql",  [F_LUA] = "lua",
};

const char *hl_language(const char *name)
{
    if (!name || !*name)
        return NULL;
    /* A file name: its extension (or the whole base name, for Makefile). */
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    const char *keys[2] = {dot ? dot + 1 : base, base};
    /* A code block info string may carry more words ("python title=x"). */
    char word[32];
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        while (keys[k][n] && !isspace((unsigned char)keys[k][n]) && keys[k][n] != '{' &&
               n < sizeof word - 1) {
            word[n] = (char)tolower((unsigned char)keys[k][n]);
            n++;
        }
        word[n] = '\0';
        for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
            if (strcmp(word, aliases[i].name) == 0)
                return family_names[aliases[i].fam];
    }
    return NULL;
}

static enum family family_of(const char *lang)
{
    if (!lang)
        return F_PLAIN;
    for (size_t i = 1; i < sizeof family_names / sizeof family_names[0]; i++)
        if (family_names[i] && strcmp(lang, family_names[i]) == 0)
            return (enum family)i;
    return F_PLAIN;
}

static const char *const kw_c[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "NULL", "class",
    "namespace", "template", "typename", "public", "private", "protected", "virtual", "new",
    "delete", "this", "nullptr", "using", "try", "catch", "throw", "constexpr", "auto", "size_t",
    "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t",
    NULL};
static const char *const kw_py[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield", "self", "match", "case", NULL};
static const char *const kw_rs[] = {
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "i8", "i16", "i32", "i64", "i128", "isize", "u8",
    "u16", "u32", "u64", "u128", "usize", "f32", "f64", "bool", "char", "str", NULL};
static const char *const kw_go[] = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
    "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return",
    "select", "struct", "switch", "type", "var", "nil", "true", "false", "int", "string", "bool",
    "byte", "rune", "error", "float64", "int64", "uint", NULL};
static const char *const kw_js[] = {
    "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "export", "extends", "false", "finally", "for", "from",
    "function", "if", "import", "in", "instanceof", "interface", "let", "new", "null", "of",
    "return", "static", "super", "switch", "this", "throw", "true", "try", "type", "typeof",
    "undefined", "var", "void", "while", "yield", "enum", "implements", "private", "public",
    "readonly", "string", "number", "boolean", "any", NULL};
static const char *const kw_java[] = {
    "abstract", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
    "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
    "float", "for", "if", "implements", "import", "instanceof", "int", "interface", "long", "new",
    "package", "private", "protected", "public", "return", "short", "static", "super", "switch",
    "this", "throw", "throws", "try", "void", "while", "true", "false", "null", "fun", "val",
    "var", "func", "let", "override", "var", "when", NULL};
static const char *const kw_sh[] = {
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "function", "return", "local", "export", "readonly", NULL};
static const char *const kw_rb[] = {
    "alias", "and", "begin", "break", "case", "class", "def", "do", "else", "elsif", "end",
    "ensure", "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo", "rescue",
    "retry", "return", "self", "super", "then", "true", "undef", "unless", "until", "when",
    "while", "yield", "require", NULL};
static const char *const kw_sql[] = {
    "select", "from", "where", "insert", "into", "values", "update", "set", "delete", "create",
    "table", "drop", "alter", "index", "join", "left", "right", "inner", "outer", "on", "and",
    "or", "not", "null", "as", "group", "by", "order", "having", "limit", "primary", "key",
    "integer", "text", "varchar", NULL};
static const char *const kw_lua[] = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", NULL};
static const char *const kw_data[] = {"true", "false", "null", NULL};

static const char *const *keywords(enum family f)
{
    switch (f) {
    case F_C: return kw_c;
    case F_PY: return kw_py;
    case F_RS: return kw_rs;
    case F_GO: return kw_go;
    case F_JS: return kw_js;
    case F_JAVA: return kw_java;
    case F_SH: return kw_sh;
    case F_RB: return kw_rb;
    case F_SQL: return kw_sql;
    case F_LUA: return kw_lua;
    case F_JSON:
    case F_TOML:
    case F_YAML: return kw_data;
    case F_PLAIN: break;
    }
    return NULL;
}

static bool is_keyword(enum family f, const char *w, size_t n)
{
    const char *const *kw = keywords(f);
    for (; kw && *kw; kw++) {
        if (strlen(*kw) != n)
            continue;
        if (f == F_SQL ? strncasecmp(*kw, w, n) == 0 : strncmp(*kw, w, n) == 0)
            return true;
    }
    return false;
}

static bool hash_comments(enum family f)
{
    return f == F_PY || f == F_SH || f == F_TOML || f == F_YAML || f == F_RB;
}

static bool slash_comments(enum family f)
{
    return f == F_C || f == F_RS || f == F_GO || f == F_JS || f == F_JAVA || f == F_JSON;
}

static bool is_ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static void put(struct tline *out, const char *s, size_t n, tcolor c)
{
    tline_add(out, s, n, tstyle_fg(c));
}

enum { ST_BLOCK_COMMENT = 1, ST_TRIPLE_DQ = 2, ST_TRIPLE_SQ = 3 };

/* A string body from s[i] (after the opening quote) to its close; returns
 * the index after the closing quote (or len). */
static size_t string_body(const char *s, size_t i, size_t len, char q, bool triple,
                          struct tline *out, bool *closed)
{
    size_t run = i;
    *closed = false;
    while (i < len) {
        if (s[i] == '\\' && i + 1 < len) {
            put(out, s + run, i - run, HL_STRING);
            put(out, s + i, 2, HL_ESCAPE);
            i += 2;
            run = i;
            continue;
        }
        if (s[i] == q && (!triple || (i + 2 < len && s[i + 1] == q && s[i + 2] == q))) {
            size_t end = i + (triple ? 3 : 1);
            put(out, s + run, end - run, HL_STRING);
            *closed = true;
            return end;
        }
        i++;
    }
    put(out, s + run, len - run, HL_STRING);
    return len;
}

void hl_line(const char *lang, const char *s, size_t len, struct tline *out, int *state)
{
    enum family f = family_of(lang);
    if (f == F_PLAIN) {
        tline_add(out, s, len, tstyle_fg(HL_TEXT));
        return;
    }
    if (f == F_SH) {
        hl_shell(s, len, out);
        return;
    }
    size_t i = 0;
    /* Continue what the previous line left open. */
    if (*state == ST_BLOCK_COMMENT) {
        const char *end = NULL;
        for (size_t k = 0; k + 1 < len; k++)
            if (s[k] == '*' && s[k + 1] == '/') {
                end = s + k + 2;
                break;
            }
        size_t n = end ? (size_t)(end - s) : len;
        put(out, s, n, HL_COMMENT);
        i = n;
        if (end)
            *state = 0;
    } else if (*state == ST_TRIPLE_DQ || *state == ST_TRIPLE_SQ) {
        bool closed;
        i = string_body(s, 0, len, *state == ST_TRIPLE_DQ ? '"' : '\'', true, out, &closed);
        if (closed)
            *state = 0;
    }
    /* A C preprocessor line: the directive is a keyword. */
    if (f == F_C && i == 0) {
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k < len && s[k] == '#') {
            size_t e = k + 1;
            while (e < len && isalpha((unsigned char)s[e]))
                e++;
            put(out, s, k, HL_TEXT);
            put(out, s + k, e - k, HL_KEYWORD);
            i = e;
            size_t w = i;
            while (w < len && s[w] == ' ')
                w++;
            if (w < len && s[w] == '<') {
                const char *gt = memchr(s + w, '>', len - w);
                if (gt) {
                    put(out, s + i, w - i, HL_TEXT);
                    put(out, s + w, (size_t)(gt - s) + 1 - w, HL_STRING);
                    i = (size_t)(gt - s) + 1;
                }
            }
        }
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            size_t e = i;
            while (e < len && (s[e] == ' ' || s[e] == '\t'))
                e++;
            put(out, s + i, e - i, HL_TEXT);
            i = e;
            continue;
        }
        if ((slash_comments(f) && c == '/' && i + 1 < len && s[i + 1] == '/') ||
            (hash_comments(f) && c == '#') ||
            ((f == F_SQL || f == F_LUA) && c == '-' && i + 1 < len && s[i + 1] == '-')) {
            put(out, s + i, len - i, HL_COMMENT);
            return;
        }
        if (slash_comments(f) && c == '/' && i + 1 < len && s[i + 1] == '*') {
            size_t e = i + 2;
            bool closed = false;
            for (; e + 1 < len; e++)
                if (s[e] == '*' && s[e + 1] == '/') {
                    closed = true;
                    e += 2;
                    break;
                }
            if (!closed) {
                e = len;
                *state = ST_BLOCK_COMMENT;
            }
            put(out, s + i, e - i, HL_COMMENT);
            i = e;
            continue;
        }
        if (c == '"' || c == '\'' || (c == '`' && (f == F_JS || f == F_GO))) {
            bool triple = f == F_PY && i + 2 < len && s[i + 1] == (char)c && s[i + 2] == (char)c;
            /* Rust lifetimes and C char literals look alike; a quote that
             * does not close on this line is just a mark in Rust. */
            put(out, s + i, triple ? 3 : 1, HL_STRING);
            bool closed;
            i = string_body(s, i + (triple ? 3 : 1), len, (char)c, triple, out, &closed);
            if (!closed && triple)
                *state = c == '"' ? ST_TRIPLE_DQ : ST_TRIPLE_SQ;
            continue;
        }
        if (isdigit(c)) {
            size_t e = i;
            while (e < len && (isalnum((unsigned char)s[e]) || s[e] == '.' || s[e] == '_'))
                e++;
            put(out, s + i, e - i, HL_NUMBER);
            i = e;
            continue;
        }
        if (is_ident_start(c)) {
            size_t e = i;
            while (e < len && is_ident((unsigned char)s[e]))
                e++;
            size_t k = e;
            while (k < len && s[k] == ' ')
                k++;
            tcolor col = HL_TEXT;
            if (is_keyword(f, s + i, e - i))
                col = HL_KEYWORD;
            else if (k < len && (s[k] == '(' || (f == F_RS && s[k] == '!')))
                col = HL_FUNCTION;
            else if ((f == F_TOML || f == F_YAML) && k < len && (s[k] == '=' || s[k] == ':'))
                col = HL_FUNCTION;
            else if (isupper(c) && f != F_SQL)
                col = HL_TYPE;
            put(out, s + i, e - i, col);
            i = e;
            continue;
        }
        if (strchr("(){}[];,.", c)) {
            put(out, s + i, 1, HL_PUNCT);
            i++;
            continue;
        }
        if (c < 0x80) {
            put(out, s + i, 1, strchr("+-*/=<>!&|^%?:~@", c) ? HL_OPERATOR : HL_TEXT);
            i++;
            continue;
        }
        /* Other non-ASCII text: a whole UTF-8 sequence as text. */
        size_t e = i + 1;
        while (e < len && ((unsigned char)s[e] & 0xC0) == 0x80)
            e++;
        put(out, s + i, e - i, HL_TEXT);
        i = e;
    }
}

void hl_shell(const char *s, size_t len, struct tline *out)
{
    size_t i = 0;
    bool command_next = true; /* the next word names a command */
    bool after_redirect = false;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            size_t e = i;
            while (e < len && (s[e] == ' ' || s[e] == '\t'))
                e++;
            put(out, s + i, e - i, HL_TEXT);
            i = e;
            continue;
        }
        if (c == '#' && (i == 0 || s[i - 1] == ' ')) {
            put(out, s + i, len - i, HL_COMMENT);
            return;
        }
        if (strchr(";|&<>()", c)) {
            size_t e = i;
            while (e < len && strchr(";|&<>()", s[e]))
                e++;
            bool redirect = memchr(s + i, '>', e - i) || memchr(s + i, '<', e - i);
            put(out, s + i, e - i, HL_OPERATOR);
            command_next = !redirect;
            after_redirect = redirect;
            i = e;
            continue;
        }
        if (c == '\'' || c == '"') {
            size_t e = i + 1;
            while (e < len && s[e] != (char)c) {
                if (c == '"' && s[e] == '\\' && e + 1 < len)
                    e++;
                e++;
            }
            if (e < len)
                e++;
            put(out, s + i, e - i, HL_STRING);
            i = e;
            command_next = false;
            after_redirect = false;
            continue;
        }
        if (c == '$') {
            size_t e = i + 1;
            if (e < len && s[e] == '{') {
                while (e < len && s[e] != '}')
                    e++;
                if (e < len)
                    e++;
            } else {
                while (e < len && (is_ident((unsigned char)s[e]) || s[e] == '?' || s[e] == '@'))
                    e++;
            }
            put(out, s + i, e - i, HL_ESCAPE);
            i = e;
            continue;
        }
        size_t e = i;
        while (e < len && !strchr(" \t;|&<>()'\"", s[e]))
            e++;
        if (e == i)
            e = i + 1;
        tcolor col = HL_TEXT;
        bool numeric = true;
        for (size_t k = i; k < e; k++)
            numeric = numeric && isdigit((unsigned char)s[k]);
        if (after_redirect && numeric)
            col = HL_NUMBER;
        else if (command_next && !memchr(s + i, '=', e - i))
            col = is_keyword(F_SH, s + i, e - i) ? HL_KEYWORD : HL_FUNCTION;
        /* After `if`, `then`, `do` ... a command follows. */
        bool keyword = col == HL_KEYWORD;
        put(out, s + i, e - i, col);
        command_next = keyword;
        after_redirect = false;
        i = e;
    }
}
