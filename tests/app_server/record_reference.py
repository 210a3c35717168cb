#!/usr/bin/python3
"""Record the reference's answers to reference_cases.py.

Usage: REF=/path/to/reference/codex record_reference.py SCRATCH_DIR
SCRATCH_DIR must not be under /tmp (the reference warns about that)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import reference_cases as rc

HERE = pathlib.Path(__file__).resolve().parent


def run_session(ref, scratch, w, cases, initialize_first):
    env = {"PATH": os.environ["PATH"], "HOME": f"{scratch}/home", "CODEX_HOME": f"{scratch}/ch",
           "TMPDIR": f"{scratch}/tmp", "TERM": "xterm"}
    lines = []
    if initialize_first:
        lines.append({"id": "init", "method": "initialize",
                      "params": {"clientInfo": {"name": "t", "version": "1"}}})
        lines.append({"method": "initialized"})
    for i, (name, method, params) in enumerate(cases):
        lines.append(rc.build_request(i, method, params, w))
    proc = subprocess.Popen([ref, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    # One request at a time: the reference answers some methods
    # concurrently, and end of input drops unanswered requests.
    answers = {}
    for m in lines:
        proc.stdin.write(json.dumps(m) + "\n")
        proc.stdin.flush()
        if "id" not in m:
            continue
        while True:
            got = json.loads(proc.stdout.readline())
            if got.get("id") == m["id"]:
                break
        if isinstance(m["id"], int):
            answers[cases[m["id"]][0]] = rc.normalize({k: v for k, v in got.items() if k != "id"}, w)
    proc.stdin.close()
    proc.wait(timeout=30)
    return answers


def main():
    ref = os.environ["REF"]
    scratch = pathlib.Path(sys.argv[1]).resolve()
    shutil.rmtree(scratch, ignore_errors=True)
    for d in ("home", "ch", "tmp", "w"):
        (scratch / d).mkdir(parents=True)
    w = str(scratch / "w")
    rc.setup_tree(w)
    answers = run_session(ref, scratch, w, rc.PRE_INIT_CASES, False)
    answers.update(run_session(ref, scratch, w, rc.CASES, True))
    (HERE / "reference_answers.json").write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(answers)} answers")


if __name__ == "__main__":
    main()
