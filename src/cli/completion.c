/* `codex completion [SHELL]`: print a completion script for bash (the
 * default, as in the reference), zsh or fish.  The scripts are generated from
 * the same tables as --help: the subcommands, the shared flags and the
 * feature names. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_flags.h"
#include "config/features.h"

static void print_help(void)
{
    fputs("Generate shell completion scripts\n\n"
          "Usage: codex completion [OPTIONS] [SHELL]\n\n"
          "Arguments:\n"
          "  [SHELL]\n"
          "          Shell to write the script for [default: bash] [possible values: bash, fish, zsh]\n\n"
          "Options:\n",
          stdout);
    cli_print_flags(stdout, CLI_FLAGS_CONFIG);
    cli_print_option(stdout, "-h, --help", "Print help");
}

static void print_feature_names(FILE *out)
{
    for (const struct feature_info *f = feature_table; f->name; f++)
        fprintf(out, "%s%s", f == feature_table ? "" : " ", f->name);
}

static void print_flag_words(FILE *out, unsigned mask)
{
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        if (!(f->shown_in & mask))
            continue;
        if (f->short_name)
            fprintf(out, "-%c ", f->short_name);
        fprintf(out, "--%s ", f->long_name);
    }
    fputs("-h --help", out);
}

static void bash_value_cases(FILE *out)
{
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        if (f->value_kind == CLI_VALUE_NONE)
            continue;
        fputs("        ", out);
        if (f->short_name)
            fprintf(out, "-%c|", f->short_name);
        fprintf(out, "--%s)\n            ", f->long_name);
        switch (f->value_kind) {
        case CLI_VALUE_FILE:
            fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", out);
            break;
        case CLI_VALUE_DIR:
            fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", out);
            break;
        case CLI_VALUE_FEATURE:
            fputs("COMPREPLY=($(compgen -W \"$features\" -- \"$cur\"))", out);
            break;
        case CLI_VALUE_CHOICE:
            fprintf(out, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))", f->choices);
            break;
        default:
            fputs("COMPREPLY=()", out);
            break;
        }
        fputs("\n            return ;;\n", out);
    }
}

static void print_bash(FILE *out)
{
    fputs("# bash completion for codex (codex-c). Load with: source <(codex completion bash)\n"
          "_codex() {\n"
          "    local cur prev cmd sub i\n"
          "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
          "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
          "    local features=\"",
          out);
    print_feature_names(out);
    fputs("\"\n    case \"$prev\" in\n", out);
    bash_value_cases(out);
    fputs("    esac\n"
          "    # Find the subcommand (and its own subcommand), skipping flags and their values.\n"
          "    cmd=\"\"; sub=\"\"\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case \"${COMP_WORDS[i]}\" in\n",
          out);
    fputs("            ", out);
    bool first = true;
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        if (f->value_kind == CLI_VALUE_NONE)
            continue;
        if (f->short_name)
            fprintf(out, "%s-%c", first ? "" : "|", f->short_name), first = false;
        fprintf(out, "%s--%s", first ? "" : "|", f->long_name);
        first = false;
    }
    fputs(") ((i++)) ;;\n"
          "            -*) ;;\n"
          "            *) if [[ -z \"$cmd\" ]]; then cmd=\"${COMP_WORDS[i]}\"; elif [[ -z \"$sub\" ]]; then sub=\"${COMP_WORDS[i]}\"; fi ;;\n"
          "        esac\n"
          "    done\n"
          "    local words\n"
          "    case \"$cmd\" in\n"
          "        \"\")\n"
          "            words=\"",
          out);
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "%s ", c->name);
    fputs("help ", out);
    print_flag_words(out, CLI_FLAGS_ROOT);
    fputs(" -V --version\" ;;\n"
          "        features)\n"
          "            case \"$sub\" in\n"
          "                \"\") words=\"list enable disable help -c --config --enable --disable -h --help\" ;;\n"
          "                enable|disable) words=\"$features\" ;;\n"
          "                *) words=\"-c --config --enable --disable -h --help\" ;;\n"
          "            esac ;;\n"
          "        completion)\n"
          "            words=\"bash zsh fish -h --help\" ;;\n"
          "        exec|e)\n"
          "            words=\"",
          out);
    print_flag_words(out, CLI_FLAGS_EXEC);
    fputs("\" ;;\n"
          "        *)\n"
          "            words=\"-c --config --enable --disable -h --help\" ;;\n"
          "    esac\n"
          "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
          "}\n"
          "complete -o default -F _codex codex\n",
          out);
}

/* The first clause of a flag's help, short enough for a completion menu. */
static void short_desc(const char *help, char *out, size_t len)
{
    size_t n = strcspn(help, ".;(");
    if (n >= len)
        n = len - 1;
    while (n > 0 && help[n - 1] == ' ')
        n--;
    memcpy(out, help, n);
    out[n] = '\0';
}

/* zsh descriptions go inside '...' and [...]: keep them free of quotes,
 * brackets and colons. */
static void zsh_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'' || *s == '[' || *s == ']' || *s == ':' || *s == '`')
            continue;
        fputc(*s, out);
    }
}

static void print_zsh(FILE *out)
{
    fputs("#compdef codex\n"
          "# zsh completion for codex (codex-c). Put it in a directory on $fpath as _codex.\n"
          "_codex() {\n"
          "    local -a commands features\n"
          "    commands=(\n",
          out);
    for (const struct cli_command *c = cli_commands; c->name; c++) {
        fprintf(out, "        '%s:", c->name);
        zsh_text(out, c->summary);
        fputs("'\n", out);
    }
    fputs("        'help:Print help'\n    )\n    features=(", out);
    print_feature_names(out);
    fputs(")\n    local -a opts\n    opts=(\n", out);
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        const char *action = "";
        char choice[256];
        switch (f->value_kind) {
        case CLI_VALUE_NONE:
            break;
        case CLI_VALUE_FILE:
            action = ":file:_files";
            break;
        case CLI_VALUE_DIR:
            action = ":directory:_files -/";
            break;
        case CLI_VALUE_FEATURE:
            action = ":feature:($features)";
            break;
        case CLI_VALUE_CHOICE:
            snprintf(choice, sizeof choice, ":value:(%s)", f->choices);
            action = choice;
            break;
        case CLI_VALUE_TEXT:
            action = ":value:";
            break;
        }
        bool repeat = f->value_kind == CLI_VALUE_TEXT || f->value_kind == CLI_VALUE_FEATURE ||
                      f->value_kind == CLI_VALUE_FILE || strcmp(f->long_name, "add-dir") == 0;
        char desc[80];
        short_desc(f->help, desc, sizeof desc);
        if (f->short_name) {
            fprintf(out, "        '%s(-%c --%s)'{-%c,--%s}'[", repeat ? "*" : "", f->short_name,
                    f->long_name, f->short_name, f->long_name);
        } else {
            fprintf(out, "        '%s--%s[", repeat ? "*" : "", f->long_name);
        }
        zsh_text(out, desc);
        fprintf(out, "]%s'\n", action);
    }
    fputs("        '(- *)'{-h,--help}'[Print help]'\n"
          "        '(- *)'{-V,--version}'[Print version]'\n"
          "    )\n"
          "    local curcontext=\"$curcontext\" state line\n"
          "    _arguments -C $opts '1: :->command' '*:: :->args'\n"
          "    case $state in\n"
          "        command) _describe -t commands 'codex command' commands ;;\n"
          "        args)\n"
          "            case $words[1] in\n"
          "                features)\n"
          "                    if (( CURRENT == 2 )); then\n"
          "                        _values 'features command' list enable disable help\n"
          "                    elif [[ $words[2] == enable || $words[2] == disable ]]; then\n"
          "                        _values 'feature' $features\n"
          "                    fi ;;\n"
          "                completion) _values 'shell' bash zsh fish ;;\n"
          "                *) _files ;;\n"
          "            esac ;;\n"
          "    esac\n"
          "}\n"
          "if [[ \"${funcstack[1]}\" == _codex ]]; then\n"
          "    _codex \"$@\"\n"
          "else\n"
          "    compdef _codex codex\n"
          "fi\n",
          out);
}

/* fish strings go inside '...'. */
static void fish_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
}

static void print_fish(FILE *out)
{
    fputs("# fish completion for codex (codex-c). Load with: codex completion fish | source\n"
          "complete -c codex -e\n",
          out);
    fputs("set -l codex_commands", out);
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(out, " %s", c->name);
    fputs(" help\n", out);
    for (const struct cli_command *c = cli_commands; c->name; c++) {
        fprintf(out, "complete -c codex -f -n \"not __fish_seen_subcommand_from $codex_commands\" -a %s -d '",
                c->name);
        fish_text(out, c->summary);
        fputs("'\n", out);
    }
    for (const struct cli_flag *f = cli_shared_flags; f->long_name; f++) {
        fputs("complete -c codex", out);
        if (f->short_name)
            fprintf(out, " -s %c", f->short_name);
        fprintf(out, " -l %s", f->long_name);
        switch (f->value_kind) {
        case CLI_VALUE_NONE:
            break;
        case CLI_VALUE_FILE:
            fputs(" -r -F", out);
            break;
        case CLI_VALUE_DIR:
            fputs(" -r -a '(__fish_complete_directories)'", out);
            break;
        case CLI_VALUE_FEATURE:
            fputs(" -x -a '", out);
            print_feature_names(out);
            fputs("'", out);
            break;
        case CLI_VALUE_CHOICE:
            fprintf(out, " -x -a '%s'", f->choices);
            break;
        case CLI_VALUE_TEXT:
            fputs(" -x", out);
            break;
        }
        fputs(" -d '", out);
        char desc[80];
        short_desc(f->help, desc, sizeof desc);
        fish_text(out, desc);
        fputs("'\n", out);
    }
    fputs("complete -c codex -f -n '__fish_seen_subcommand_from features; and not __fish_seen_subcommand_from list enable disable help' -a 'list enable disable help'\n"
          "complete -c codex -f -n '__fish_seen_subcommand_from enable disable' -a '",
          out);
    print_feature_names(out);
    fputs("'\n"
          "complete -c codex -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n",
          out);
}

int cmd_completion(struct cli_opts *o, int argc, char **argv)
{
    const char *shell = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help();
            return 0;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            bool config_flag = strncmp(arg, "-c", 2) == 0 || strncmp(arg, "--config", 8) == 0 ||
                               strncmp(arg, "--enable", 8) == 0 || strncmp(arg, "--disable", 9) == 0;
            if (!config_flag)
                return cli_usage_error("codex completion", "unexpected argument '%s' found", arg);
            if (cli_shared_flag(o, "codex completion", argc, argv, &i) < 0)
                return 2;
            continue;
        }
        if (shell)
            return cli_usage_error("codex completion", "unexpected argument '%s' found", arg);
        shell = arg;
    }
    if (!shell || strcmp(shell, "bash") == 0)
        print_bash(stdout);
    else if (strcmp(shell, "zsh") == 0)
        print_zsh(stdout);
    else if (strcmp(shell, "fish") == 0)
        print_fish(stdout);
    else
        return cli_usage_error("codex completion",
                               "invalid value '%s' for '[SHELL]'\n  [possible values: bash, fish, zsh]",
                               shell);
    return 0;
}
