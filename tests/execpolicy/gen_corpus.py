#!/usr/bin/env python3
"""Record the reference's `codex execpolicy check` output for every case in
cases.py into corpus.json (committed).  Run it again after editing cases.py:

    /usr/bin/python3 tests/execpolicy/gen_corpus.py [REFERENCE_CODEX_BINARY]

The test runner (test_corpus.py) replays the recorded cases against our
binary."""
import base64
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import cases

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_REF = ("/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
               "x86_64-unknown-linux-musl/bin/codex")


def encode_rules(text):
    if isinstance(text, bytes):
        return {"base64": base64.b64encode(text).decode()}
    return text


def all_cases():
    out = []
    for policy, text in cases.POLICIES.items():
        for i, argv in enumerate(cases.COMMANDS[policy]):
            flags = ["--resolve-host-executables"] if policy in cases.RESOLVE else []
            out.append({"name": f"{policy}_{i}", "rules": [text], "argv": argv, "flags": flags})
            if policy in cases.RESOLVE:
                out.append({"name": f"{policy}_{i}_noresolve", "rules": [text], "argv": argv, "flags": []})
    for name, rules, argv, flags in cases.SINGLE:
        out.append({"name": name, "rules": rules, "argv": argv, "flags": flags})
    for name, text in cases.ERRORS:
        out.append({"name": "error_" + name, "rules": [text], "argv": ["git", "status"], "flags": []})
    out.append({"name": "error_missing_file", "rules": [None], "argv": ["git"], "flags": []})
    out.append({"name": "error_second_file_bad", "rules": ['prefix_rule(pattern=["git"])', "oops("],
                "argv": ["git"], "flags": []})
    return out


def check_argv(binary, case, rule_paths):
    flags = [f for f in case["flags"] if f != "NO_DASHDASH"]
    argv = [binary, "execpolicy", "check"]
    for p in rule_paths:
        argv += ["--rules", p]
    argv += flags
    if "NO_DASHDASH" not in case["flags"]:
        argv.append("--")
    return argv + case["argv"]


def run_case(binary, case, root, extra_env=None):
    """Run one case in a fresh work dir under root; returns (stdout, code)."""
    work = root / "work"
    home = root / "home"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    home.mkdir(exist_ok=True)
    paths = []
    for i, text in enumerate(case["rules"]):
        name = f"r{i}.rules"
        paths.append(name)
        if text is None:
            continue
        if isinstance(text, dict):
            data = base64.b64decode(text["base64"])
        else:
            data = text if isinstance(text, bytes) else text.encode()
        (work / name).write_bytes(data)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(home / ".codex"), "RUST_BACKTRACE": "0"}
    if extra_env:
        env.update(extra_env)
    p = subprocess.run(check_argv(binary, case, paths), cwd=work, env=env, capture_output=True, timeout=60)
    stdout = p.stdout.decode("utf-8", "replace")
    stdout = stdout.replace(str(home), "<HOME>").replace(str(work), "<CWD>")
    return stdout, p.returncode, p.stderr.decode("utf-8", "replace")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_REF
    root = pathlib.Path(tempfile.mkdtemp(prefix="execpolicy-corpus-", dir="/var/tmp"))
    recorded = []
    try:
        for case in all_cases():
            stdout, code, _ = run_case(binary, case, root)
            rec = dict(case)
            rec["rules"] = [None if t is None else encode_rules(t) for t in case["rules"]]
            rec["stdout"] = stdout
            rec["exit"] = code
            recorded.append(rec)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    (HERE / "corpus.json").write_text(json.dumps({"reference": version, "cases": recorded},
                                                 indent=1, ensure_ascii=False) + "\n")
    print(f"recorded {len(recorded)} cases from {version}")


if __name__ == "__main__":
    main()
