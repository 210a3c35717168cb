"""Differential test: run codex-c's apply_patch on every recorded case and
compare stdout, stderr, exit status and the files left behind with what the
reference produced (see gen_corpus.py; cases with a "why" record where we
deliberately differ)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from casefmt import CWD_TOKEN, populate, snapshot  # noqa: E402

ROOT = HERE.parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))
CASES = sorted((HERE / "corpus").glob("*.json"))


def test_corpus_is_large_enough():
    assert len(CASES) >= 300


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_case(case_file, tmp_path):
    case = json.loads(case_file.read_text())
    work = tmp_path / "work"
    work.mkdir()
    populate(work, case["files"])
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "CODEX_HOME": str(home),
           "ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS": "halt_on_error=1"}
    exe = str(CODEX_BIN)
    stdin = b""
    invoke = case["invoke"]
    if invoke == "flag":
        argv = [exe, "--codex-run-as-apply-patch", case["patch"]]
    elif invoke == "flag-noarg":
        argv = [exe, "--codex-run-as-apply-patch"]
    elif invoke == "argv0":
        argv = ["apply_patch", case["patch"]]
    elif invoke == "argv0-two":
        argv = ["apply_patch", case["patch"], "extra"]
    elif invoke == "stdin":
        argv, stdin = ["apply_patch"], case["patch"].encode()
    elif invoke == "applypatch-stdin":
        argv, stdin = ["applypatch"], case["patch"].encode()
    else:
        raise AssertionError("unknown invocation " + invoke)
    proc = subprocess.run(argv, executable=exe, cwd=work, env=env, input=stdin,
                          capture_output=True, timeout=60)
    cwd = os.path.realpath(work)
    exp = case["expected"]
    got_stderr = proc.stderr.decode("utf-8", "replace").replace(cwd, CWD_TOKEN)
    got_stdout = proc.stdout.decode("utf-8", "replace").replace(cwd, CWD_TOKEN)
    assert (proc.returncode, got_stdout, got_stderr) == (exp["exit"], exp["stdout"], exp["stderr"])
    assert snapshot(work) == exp["files"]
