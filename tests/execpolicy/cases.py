"""The differential corpus: rules files and commands whose `execpolicy check`
output was recorded from the reference binary (see gen_corpus.py).

Each case is a dict: name, rules (list of file texts, passed as --rules in
order), argv (the command), flags (extra check flags).  Outputs that depend
on the working directory or HOME are recorded with <CWD> / <HOME> in place of
the actual paths."""

# Rules files exercised against several commands each.
POLICIES = {
    "git_basic": '''
prefix_rule(pattern=["git", ["status", "log", "diff"]], decision="allow", justification="read-only git")
prefix_rule(pattern=["git", "push"], decision="prompt")
prefix_rule(pattern=["git", "push", "--force"], decision="forbidden", justification="no force pushes")
prefix_rule(pattern=["git"], decision="prompt")
''',
    "alternatives_head": '''
# first-position alternatives expand to one rule per program
prefix_rule(pattern=[["python", "python3"], "-c"], decision="prompt")
prefix_rule(pattern=[["ls", "cat", "head"]], decision="allow")
''',
    "single_alt_list": '''
prefix_rule(pattern=[["npm"], ["test"]], decision="allow");
prefix_rule(pattern=["npm", ["install", "i", "ci"]], decision="prompt",)
''',
    "forbidden_rm": '''
prefix_rule(
    pattern = ["rm", ["-rf", "-fr", "-r"]],
    decision = "forbidden",
    justification = "use trash instead",
)
prefix_rule(pattern = ["rm"], decision = "prompt")
''',
    "string_forms": "\n".join([
        r"""prefix_rule(pattern=['echo', "a\tb"], decision="allow")""",
        r"""prefix_rule(pattern=[r"grep", r"\d+"], decision="prompt", justification='raw \d kept')""",
        r"""prefix_rule(pattern=["grep", "\d"], decision="forbidden")""",
        r'''prefix_rule(pattern=["""printf""", ''' + r"""'''%s\n'''], decision="allow", justification=""" + '"""multi\nline""")',
        r"""prefix_rule(pattern=["say", "caf\u00e9", "\x41\102"], decision="prompt")""",
    ]),
    "justifications": '''
prefix_rule(pattern=["curl"], decision="prompt", justification="network: \\"quoted\\" and \\\\ backslash")
prefix_rule(pattern=["wget"], decision="forbidden", justification="tab\\there, bell\\a, nul\\0 end")
prefix_rule(pattern=["ssh"], decision="allow", justification="unicode \u2713 ok")
''',
    "examples_ok": '''
prefix_rule(
    pattern=["cargo", ["build", "test"]],
    decision="allow",
    match=["cargo build", ["cargo", "test", "--all"], "cargo test 'with space'"],
    not_match=["cargo run", "cargo", ["cargo", "bench"]],
)
''',
    "host_exec": '''
prefix_rule(pattern=["git", "status"], decision="allow")
prefix_rule(pattern=["git"], decision="prompt")
host_executable(name="git", paths=["/usr/bin/git", "/opt/homebrew/bin/git", "/usr/bin/git"])
prefix_rule(pattern=["rg"], decision="allow")
''',
    "host_exec_empty": '''
prefix_rule(pattern=["node"], decision="allow")
host_executable(name="node", paths=[])
prefix_rule(pattern=["/usr/local/bin/node"], decision="forbidden")
''',
    "literal_path_rule": '''
prefix_rule(pattern=["python3"], decision="allow")
prefix_rule(pattern=["/usr/bin/python3", "-m"], decision="forbidden", justification="no modules")
''',
    "positional_args": '''
prefix_rule(["make"], "allow", ["make all"], ["cmake"], "build")
prefix_rule(["make", "install"], "forbidden")
host_executable("make", ["/usr/bin/make"])
''',
    "network_rules_ignored": '''
network_rule(host="example.com", protocol="https", decision="deny")
network_rule(host="api.example.com:443", protocol="http", decision="allow", justification="api")
prefix_rule(pattern=["curl"], decision="prompt")
''',
    "comments_semicolons": '''
# leading comment
prefix_rule(pattern=["a"]) ; prefix_rule(pattern=["a", "b"], decision="prompt")  # trailing
prefix_rule(pattern=["c"],
            # comment inside the call
            decision="forbidden",   # another
           )
prefix_rule(pattern=["d"]) \\
; prefix_rule(pattern=["e"])
''',
    "many_rules_same_program": '''
prefix_rule(pattern=["docker"], decision="prompt")
prefix_rule(pattern=["docker", "ps"], decision="allow")
prefix_rule(pattern=["docker", ["ps", "images"]], decision="allow", justification="listing")
prefix_rule(pattern=["docker", "run", "--privileged"], decision="forbidden")
prefix_rule(pattern=["docker", "run"], decision="prompt", justification="runs containers")
''',
    "default_decision": '''
prefix_rule(pattern=["pwd"])
prefix_rule(pattern=["whoami"], justification="harmless")
''',
    "empty_file": '',
    "only_comments": '''# nothing here
# at all
''',
    "crlf": 'prefix_rule(pattern=["a"], decision="prompt")\r\nprefix_rule(pattern=["b"])\r\n',
    "deep_alternatives": '''
prefix_rule(pattern=["kubectl", ["get", "describe"], ["pods", "po", "deployments"], "-n"], decision="allow")
prefix_rule(pattern=["kubectl", "delete"], decision="forbidden")
''',
    "fstring_plain": '''
prefix_rule(pattern=[f"terraform", f"plan"], decision="allow", justification=f"no {{interp}}")
''',
    "unicode_program": '''
prefix_rule(pattern=["éditeur", "ファイル"], decision="prompt")
''',
    "special_chars": '''
prefix_rule(pattern=["sh", "-c"], decision="forbidden")
prefix_rule(pattern=["find", ".", "-name", "*.py"], decision="allow")
prefix_rule(pattern=["echo", ""], decision="prompt")
''',
}

COMMANDS = {
    "git_basic": [["git", "status"], ["git", "log", "--oneline"], ["git", "push"], ["git", "push", "--force"],
                  ["git", "push", "origin"], ["git"], ["git", "commit"], ["gitk"], ["/usr/bin/git", "status"],
                  ["git", "diff", "HEAD"]],
    "alternatives_head": [["python", "-c", "print(1)"], ["python3", "-c", "x"], ["python3"], ["ls"], ["cat", "f"],
                          ["head", "-n1"], ["tail"], ["python2", "-c"]],
    "single_alt_list": [["npm", "test"], ["npm", "i"], ["npm", "ci", "--x"], ["npm", "run"], ["npm"]],
    "forbidden_rm": [["rm", "-rf", "/"], ["rm", "-fr", "x"], ["rm", "x"], ["rm"], ["rm", "-r"], ["rmdir", "x"]],
    "string_forms": [["echo", "a\tb"], ["echo", "a\\tb"], ["grep", "\\d+"], ["grep", "\\d"], ["grep", "d"],
                     ["printf", "%s\n"], ["printf", "%s\\n"], ["say", "café", "AB"], ["say", "cafe", "AB"]],
    "justifications": [["curl", "x"], ["wget"], ["ssh", "host"]],
    "examples_ok": [["cargo", "build"], ["cargo", "test", "--all"], ["cargo", "run"], ["cargo"]],
    "host_exec": [["git", "status"], ["/usr/bin/git", "status"], ["/usr/local/bin/git", "status"],
                  ["/opt/homebrew/bin/git", "push"], ["/usr/bin/rg", "foo"], ["/usr/bin/../bin/git", "status"],
                  ["/usr//bin/./git", "log"], ["/bin/rg"], ["/usr/bin/git/", "status"], ["/usr/bin/git/..", "x"]],
    "host_exec_empty": [["node", "x"], ["/usr/bin/node", "x"], ["/usr/local/bin/node"], ["/usr/local/bin/node", "y"]],
    "literal_path_rule": [["/usr/bin/python3", "-m", "http.server"], ["/usr/bin/python3", "x.py"],
                          ["/usr/local/bin/python3", "-m"], ["python3", "-m"]],
    "positional_args": [["make"], ["make", "install"], ["/usr/bin/make", "install"], ["/bin/make", "all"]],
    "network_rules_ignored": [["curl", "https://example.com"], ["example.com"]],
    "comments_semicolons": [["a"], ["a", "b"], ["c"], ["d"], ["e"], ["b"]],
    "many_rules_same_program": [["docker", "ps"], ["docker", "images"], ["docker", "run", "--privileged", "x"],
                                ["docker", "run", "x"], ["docker", "build"], ["docker"]],
    "default_decision": [["pwd"], ["whoami"], ["id"]],
    "empty_file": [["anything"], ["git", "status"]],
    "only_comments": [["ls"]],
    "crlf": [["a"], ["b", "c"]],
    "deep_alternatives": [["kubectl", "get", "pods", "-n", "x"], ["kubectl", "describe", "po", "-n"],
                          ["kubectl", "get", "svc", "-n"], ["kubectl", "get", "pods"], ["kubectl", "delete", "x"]],
    "fstring_plain": [["terraform", "plan"], ["terraform", "apply"]],
    "unicode_program": [["éditeur", "ファイル"], ["éditeur"]],
    "special_chars": [["sh", "-c", "ls"], ["find", ".", "-name", "*.py"], ["find", ".", "-name", "x"],
                      ["echo", ""], ["echo", "x"]],
}

# Which flags each policy's commands run with (besides the default none).
RESOLVE = {"host_exec", "host_exec_empty", "literal_path_rule", "positional_args"}

# Single cases: (name, rules texts, argv, flags)
SINGLE = [
    ("pretty_match", ['prefix_rule(pattern=["git", "status"], decision="allow", justification="j")\n'
                      'prefix_rule(pattern=["git"], decision="prompt")'], ["git", "status"], ["--pretty"]),
    ("pretty_nomatch", ['prefix_rule(pattern=["git"])'], ["ls"], ["--pretty"]),
    ("pretty_resolved", ['prefix_rule(pattern=["git"])'], ["/usr/bin/git", "x"],
     ["--pretty", "--resolve-host-executables"]),
    ("two_files_order", ['prefix_rule(pattern=["a"], decision="forbidden")',
                         'prefix_rule(pattern=["a"], decision="allow")'], ["a"], []),
    ("two_files_host_override", ['host_executable(name="a", paths=["/x/a"])\nprefix_rule(pattern=["a"])',
                                 'host_executable(name="a", paths=["/y/a"])'], ["/y/a"],
     ["--resolve-host-executables"]),
    ("two_files_host_override_old", ['host_executable(name="a", paths=["/x/a"])\nprefix_rule(pattern=["a"])',
                                     'host_executable(name="a", paths=["/y/a"])'], ["/x/a"],
     ["--resolve-host-executables"]),
    ("resolve_relative", ['prefix_rule(pattern=["tool"])'], ["bin/tool", "x"], ["--resolve-host-executables"]),
    ("resolve_dot_relative", ['prefix_rule(pattern=["tool"])'], ["./tool"], ["--resolve-host-executables"]),
    ("resolve_home", ['prefix_rule(pattern=["tool"])'], ["~/bin/tool"], ["--resolve-host-executables"]),
    ("resolve_home_listed", ['prefix_rule(pattern=["tool"])\nhost_executable(name="tool", paths=["/nowhere/tool"])'],
     ["~/bin/tool"], ["--resolve-host-executables"]),
    ("resolve_root_dotdot", ['prefix_rule(pattern=["git"])'], ["/a/../../git"], ["--resolve-host-executables"]),
    ("resolve_without_flag", ['prefix_rule(pattern=["git"])'], ["/usr/bin/git"], []),
    ("resolve_exact_wins", ['prefix_rule(pattern=["git"], decision="prompt")\n'
                            'prefix_rule(pattern=["/usr/bin/git"], decision="allow")'],
     ["/usr/bin/git"], ["--resolve-host-executables"]),
    ("resolve_exact_mismatch_falls_back", ['prefix_rule(pattern=["git"], decision="prompt")\n'
                                           'prefix_rule(pattern=["/usr/bin/git", "x"], decision="allow")'],
     ["/usr/bin/git", "y"], ["--resolve-host-executables"]),
    ("dash_command", ['prefix_rule(pattern=["-x"], decision="forbidden")'], ["-x"], []),
    ("command_after_double_dash_flaglike", ['prefix_rule(pattern=["--pretty"], decision="prompt")'],
     ["--pretty"], []),
    ("unknown_flag_starts_command", ['prefix_rule(pattern=["--bogus"], decision="prompt")'], ["--bogus", "x"],
     ["NO_DASHDASH"]),
    ("rules_after_command_is_argument", ['prefix_rule(pattern=["git"])'], ["git", "--rules", "x"],
     ["NO_DASHDASH"]),
    ("json_escapes_in_argv", ['prefix_rule(pattern=["echo"])'], ["echo", "q\"b\\s\u0001\u007f/é"], []),
    ("newline_in_argv", ['prefix_rule(pattern=["echo", "a\\nb"])'], ["echo", "a\nb"], []),
    ("match_with_host_resolution",
     ['prefix_rule(pattern=["git"], match=["/usr/bin/git status"])\nhost_executable(name="git", paths=["/usr/bin/git"])'],
     ["git"], []),
    ("raw_escaped_quote", ["prefix_rule(pattern=['a'], justification=r'x\\'y')"], ["a"], []),
    ("raw_double_backslash", ['prefix_rule(pattern=["a"], justification=r"a\\\\b")'], ["a"], []),
    ("raw_backslash_newline", ["prefix_rule(pattern=['a'], justification=r'a\\\nb')"], ["a"], []),
    ("escape_octal_big", ['prefix_rule(pattern=["a"], justification="\\777\\0\\1")'], ["a"], []),
    ("escape_hex_unicode", ['prefix_rule(pattern=["a"], justification="\\x4a\\u00E9\\U0001F600\\N{X}\\8")'],
     ["a"], []),
    ("line_continuation_in_string", ['prefix_rule(pattern=["a"], justification="one \\\ntwo")'], ["a"], []),
    ("triple_single", ["prefix_rule(pattern=['a'], justification='''x'y''z''')"], ["a"], []),
    ("trailing_semicolon", ['prefix_rule(pattern=["a"]);'], ["a"], []),
    ("justification_whitespace_inside", ['prefix_rule(pattern=["a"], justification=" x ")'], ["a"], []),
    ("paren_value", ['prefix_rule(pattern=(["a"]), decision=("prompt"))'], ["a"], []),
    ("blank_lines_inside_call", ['prefix_rule(\n\n  pattern=["a"],\n\n  decision="prompt"\n\n)'], ["a"], []),
    ("indented_comment_line", ['  # indented comment\nprefix_rule(pattern=["a"])'], ["a"], []),
    ("host_exec_normalized_path", ['prefix_rule(pattern=["git"])\nhost_executable(name="git", paths=["/usr/bin/../bin/git"])'],
     ["/usr/bin/git"], ["--resolve-host-executables"]),
    ("host_exec_name_dotted", ['prefix_rule(pattern=["a.sh"])\nhost_executable(name="a.sh", paths=["/x/a.sh"])'],
     ["/x/a.sh"], ["--resolve-host-executables"]),
    ("unicode_whitespace_justification_ok", ['prefix_rule(pattern=["a"], justification="\\u00a0x")'], ["a"], []),
    ("many_rules_file", ["\n".join('prefix_rule(pattern=["p%d", "x"], decision="%s")' %
                                   (i, ["allow", "prompt", "forbidden"][i % 3]) for i in range(300))],
     ["p151", "x", "y"], []),
]

# Rules that must fail to load: (name, rules text).  Only the exit code and
# an empty stdout are compared; stderr differs by design (we print
# file:line:col).
ERRORS = [
    ("syntax_unclosed_list", 'prefix_rule(pattern=["git" '),
    ("syntax_unclosed_call", 'prefix_rule(pattern=["git"]'),
    ("syntax_double_comma", 'prefix_rule(pattern=["a"],,)'),
    ("syntax_double_semicolon", 'prefix_rule(pattern=["a"]);;'),
    ("syntax_two_statements_one_line", 'prefix_rule(pattern=["a"]) prefix_rule(pattern=["b"])'),
    ("syntax_indent", ' prefix_rule(pattern=["a"])'),
    ("syntax_tab", 'prefix_rule(pattern=["a"],\tdecision="allow")'),
    ("syntax_unterminated_string", 'prefix_rule(pattern=["a])'),
    ("syntax_newline_in_string", 'prefix_rule(pattern=["a\nb"])'),
    ("syntax_adjacent_strings", 'prefix_rule(pattern=["a" "b"])'),
    ("syntax_bad_hex_escape", 'prefix_rule(pattern=["\\x4"])'),
    ("syntax_surrogate_escape", 'prefix_rule(pattern=["\\ud800"])'),
    ("syntax_too_big_escape", 'prefix_rule(pattern=["\\U00110000"])'),
    ("syntax_uppercase_raw", 'prefix_rule(pattern=[R"a"])'),
    ("syntax_repeated_named", 'prefix_rule(pattern=["a"], pattern=["b"])'),
    ("syntax_positional_after_named", 'prefix_rule(pattern=["a"], "allow")'),
    ("unsupported_variable", 'x = ["a"]\nprefix_rule(pattern=x)'),
    ("unsupported_variable_ref", 'prefix_rule(pattern=PATTERN)'),
    ("unsupported_concat", 'prefix_rule(pattern=["a"] + ["b"])'),
    ("unsupported_comprehension", 'prefix_rule(pattern=[x for x in ["a"]])'),
    ("unsupported_def", 'def f():\n    pass\n'),
    ("unsupported_load", 'load("x.star", "y")'),
    ("unsupported_dict", 'prefix_rule(pattern={"a": 1})'),
    ("unsupported_fstring_interp", 'prefix_rule(pattern=[f"{1}"])'),
    ("unknown_function", 'foo()'),
    ("unknown_function_print", 'print("x")'),
    ("missing_pattern", 'prefix_rule()'),
    ("missing_paths", 'host_executable(name="git")'),
    ("extra_named", 'prefix_rule(pattern=["git"], foo=1)'),
    ("too_many_positional", 'prefix_rule(["a"], "allow", [], [], "j", 1)'),
    ("decision_bogus", 'prefix_rule(pattern=["git"], decision="bogus")'),
    ("decision_capitalized", 'prefix_rule(pattern=["git"], decision="Allow")'),
    ("decision_deny", 'prefix_rule(pattern=["git"], decision="deny")'),
    ("decision_int", 'prefix_rule(pattern=["git"], decision=1)'),
    ("decision_none", 'prefix_rule(pattern=["git"], decision=None)'),
    ("justification_empty", 'prefix_rule(pattern=["git"], justification="")'),
    ("justification_blank", 'prefix_rule(pattern=["git"], justification=" \\n\\t ")'),
    ("justification_bytes", 'prefix_rule(pattern=["git"], justification=b"x")'),
    ("pattern_empty", 'prefix_rule(pattern=[])'),
    ("pattern_string", 'prefix_rule(pattern="git")'),
    ("pattern_tuple", 'prefix_rule(pattern=("git",))'),
    ("pattern_int_element", 'prefix_rule(pattern=["git", 1])'),
    ("pattern_empty_alternatives", 'prefix_rule(pattern=["git", []])'),
    ("pattern_nested_list", 'prefix_rule(pattern=["git", [["a"]]])'),
    ("pattern_bool_element", 'prefix_rule(pattern=[True])'),
    ("match_string_not_list", 'prefix_rule(pattern=["a"], match="a")'),
    ("match_none", 'prefix_rule(pattern=["a"], match=None)'),
    ("match_empty_string", 'prefix_rule(pattern=["a"], match=[""])'),
    ("match_empty_list", 'prefix_rule(pattern=["a"], match=[[]])'),
    ("match_bad_shell", 'prefix_rule(pattern=["a"], match=["a \\"b"])'),
    ("match_int_token", 'prefix_rule(pattern=["a"], match=[["a", 1]])'),
    ("match_tuple", 'prefix_rule(pattern=["a"], match=[("a",)])'),
    ("match_fails", 'prefix_rule(pattern=["git"], decision="allow", match=["hg x"])'),
    ("match_fails_too_short", 'prefix_rule(pattern=["git", "status"], match=["git"])'),
    ("not_match_hits", 'prefix_rule(pattern=["git"], not_match=["git x"])'),
    ("not_match_hits_via_host", 'prefix_rule(pattern=["git"], not_match=["/usr/bin/git"])'),
    ("match_blocked_by_host_list",
     'prefix_rule(pattern=["git"], match=["/usr/bin/git status"])\nhost_executable(name="git", paths=["/opt/git"])'),
    ("host_relative_path", 'host_executable(name="git", paths=["bin/git"])'),
    ("host_home_path", 'host_executable(name="git", paths=["~/bin/git"])'),
    ("host_wrong_basename", 'host_executable(name="git", paths=["/bin/gitx"])'),
    ("host_name_with_slash", 'host_executable(name="a/b", paths=[])'),
    ("host_name_empty", 'host_executable(name="", paths=[])'),
    ("host_name_dotdot", 'host_executable(name="..", paths=[])'),
    ("host_path_int", 'host_executable(name="git", paths=[1])'),
    ("host_paths_string", 'host_executable(name="git", paths="/usr/bin/git")'),
    ("host_path_dotdot_basename", 'host_executable(name="git", paths=["/usr/bin/git/.."])'),
    ("network_bad_protocol", 'network_rule(host="a.com", protocol="ftp", decision="deny")'),
    ("network_bad_decision", 'network_rule(host="a.com", protocol="https", decision="ask")'),
    ("network_wildcard_host", 'network_rule(host="*.a.com", protocol="https", decision="deny")'),
    ("network_url_host", 'network_rule(host="https://a.com", protocol="https", decision="deny")'),
    ("invalid_utf8", b'prefix_rule(pattern=["a"], justification="x\xffy")'),
    ("error_after_valid_rules", 'prefix_rule(pattern=["a"])\nprefix_rule(pattern=["b"], decision="nope")'),
    ("deep_nesting", 'prefix_rule(pattern=' + '[' * 200 + ']' * 200 + ')'),
    ("expression_statement", '"just a string"'),
    ("number_statement", '42'),
]

# Cases where the reference, which embeds a full Starlark interpreter,
# accepts the file but we deliberately refuse it (variables, operators,
# comprehensions, def, f-string interpolation, bare expressions): the
# recorded output is kept for reference and the runner expects our exit 1
# with a file:line:col "not supported" style error instead.
DELIBERATE_DIVERGENCE = {
    "error_keyword_if",
    "error_unsupported_variable",
    "error_unsupported_concat",
    "error_unsupported_comprehension",
    "error_unsupported_def",
    "error_unsupported_fstring_interp",
    "error_expression_statement",
    "error_number_statement",
}

# Lexical and example-splitting corners.
SINGLE += [
    ("comment_with_tab", ['# a\tcomment\nprefix_rule(pattern=["a"])'], ["a"], []),
    ("raw_trailing_double_backslash", ["prefix_rule(pattern=['a'], justification=r'x\\\\')"], ["a"], []),
    ("escaped_single_quote", ["prefix_rule(pattern=['it\\'s'])"], ["it's"], []),
    ("escaped_quote_in_double", ['prefix_rule(pattern=["\\\'x\\""])'], ["'x\""], []),
    ("octal_three_digits_then_digit", ['prefix_rule(pattern=["\\1234"])'], ["S4"], []),
    ("empty_string_word", ['prefix_rule(pattern=["a", ""])'], ["a", ""], []),
    ("spaces_around_equals", ['prefix_rule( pattern = [ "a" , "b" ] , decision = "prompt" )'], ["a", "b"], []),
    ("example_quoted_word", ['prefix_rule(pattern=["a", "b c"], match=["a \'b c\' d", "a \\"b c\\"", "a b\\\\ c"])'],
     ["a", "b c"], []),
    ("example_shell_comment", ['prefix_rule(pattern=["a", "b"], match=["a b # c d"], not_match=["a # b"])'],
     ["a", "b"], []),
    ("example_double_quote_escapes", ['prefix_rule(pattern=["a", "x\\"y$"], match=["a \\"x\\\\\\"y\\\\$\\""])'],
     ["a", "x\"y$"], []),
    ("not_match_blocked_by_host_list",
     ['prefix_rule(pattern=["git"], not_match=["/opt/git x"])\nhost_executable(name="git", paths=["/usr/bin/git"])'],
     ["git"], []),
    ("match_alternative_heads", ['prefix_rule(pattern=[["a", "b"], "x"], match=["a x", "b x y"], not_match=["c x"])'],
     ["b", "x"], []),
    ("blank_lines_with_spaces", ['   \n\nprefix_rule(pattern=["a"])\n   \n'], ["a"], []),
    ("pretty_unicode_justification", ['prefix_rule(pattern=["a"], justification="naïve ✓ \\u0007")'], ["a"],
     ["--pretty"]),
    ("long_argv", ['prefix_rule(pattern=["a", "b"])'], ["a", "b"] + ["x%d" % i for i in range(200)], []),
    ("true_false_none_words", ['prefix_rule(pattern=["True", "None"])'], ["True", "None"], []),
    ("prefix_longer_than_command", ['prefix_rule(pattern=["a", "b", "c"])'], ["a", "b"], []),
    ("alternatives_dedupe_not_needed", ['prefix_rule(pattern=["a", ["b", "b"]])'], ["a", "b"], []),
    ("same_rule_twice", ['prefix_rule(pattern=["a"])\nprefix_rule(pattern=["a"])'], ["a"], []),
    ("host_exec_declared_twice_same_file", ['prefix_rule(pattern=["a"])\nhost_executable(name="a", paths=["/x/a"])\n'
                                            'host_executable(name="a", paths=["/y/a"])'], ["/x/a"],
     ["--resolve-host-executables"]),
    ("host_exec_without_rules", ['host_executable(name="a", paths=["/x/a"])'], ["/x/a"],
     ["--resolve-host-executables"]),
    ("resolve_plain_name_no_rule", ['prefix_rule(pattern=["b"])'], ["a"], ["--resolve-host-executables"]),
]
ERRORS += [
    ("justification_none", 'prefix_rule(pattern=["a"], justification=None)'),
    ("justification_empty_triple", 'prefix_rule(pattern=["a"], justification="""""")'),
    ("decision_positional_and_named", 'prefix_rule(["a"], "prompt", decision="allow")'),
    ("match_bool", 'prefix_rule(pattern=["a"], match=[True])'),
    ("match_unbalanced_single_quote", 'prefix_rule(pattern=["a"], match=["a \'b"])'),
    ("match_trailing_backslash", 'prefix_rule(pattern=["a"], match=["a \\\\"])'),
    ("match_only_comment", 'prefix_rule(pattern=["a"], match=["# nothing"])'),
    ("unknown_host_exec_arg", 'host_executable(name="a", paths=[], extra=1)'),
    ("host_name_int", 'host_executable(name=1, paths=[])'),
    ("tab_in_leading_indent", '\tprefix_rule(pattern=["a"])'),
    ("unclosed_triple", 'prefix_rule(pattern=["""a"])'),
    ("stray_close", 'prefix_rule(pattern=["a"]))'),
    ("keyword_if", 'if True:\n    prefix_rule(pattern=["a"])'),
    ("semicolon_only", ';'),
]
