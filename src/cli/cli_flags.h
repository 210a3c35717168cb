/* The shared flags as data: one table drives --help output and the shell
 * completion scripts, so the three cannot drift apart. */
#ifndef CODEX_CLI_CLI_FLAGS_H
#define CODEX_CLI_CLI_FLAGS_H

#include <stdio.h>

/* Which commands show a flag in their help (a flag may be in several). */
enum {
    CLI_FLAGS_CONFIG = 1 << 0, /* -c, --enable, --disable: every subcommand */
    CLI_FLAGS_EXEC = 1 << 1,   /* what `codex exec` shares with `codex` */
    CLI_FLAGS_ROOT = 1 << 2,   /* `codex` itself (interactive session) */
};
#define CLI_FLAGS_ALL (CLI_FLAGS_CONFIG | CLI_FLAGS_EXEC | CLI_FLAGS_ROOT)

/* What a flag's value is, for completion. */
enum cli_value_kind { CLI_VALUE_NONE, CLI_VALUE_TEXT, CLI_VALUE_FILE, CLI_VALUE_DIR,
                      CLI_VALUE_FEATURE, CLI_VALUE_CHOICE };

struct cli_flag {
    char short_name;        /* 0 when none */
    const char *long_name;  /* without the dashes */
    const char *value_name; /* "<MODEL>", or NULL for a switch */
    enum cli_value_kind value_kind;
    const char *choices;    /* CLI_VALUE_CHOICE: space-separated */
    unsigned shown_in;      /* CLI_FLAGS_* */
    const char *help;
};

extern const struct cli_flag cli_shared_flags[]; /* terminated by long_name NULL */

/* Print the flags shown for mask in the help layout used by every command
 * (flag line, then its help indented on the following lines). */
void cli_print_flags(FILE *out, unsigned mask);

/* Print one option entry in that layout; for a subcommand's own flags. */
void cli_print_option(FILE *out, const char *names, const char *help);

#endif
