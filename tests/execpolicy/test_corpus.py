"""Replay the differential corpus (recorded from the reference by
gen_corpus.py) against our binary: same stdout, same exit code."""
import json
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cases  # noqa: E402
from gen_corpus import run_case  # noqa: E402
from conftest import CODEX_BIN  # noqa: E402

CORPUS = json.loads((pathlib.Path(__file__).resolve().parent / "corpus.json").read_text())["cases"]
ASAN_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
LOCATION = re.compile(r"r\d\.rules:\d+:\d+: ")


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 200


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_case(case, tmp_path):
    stdout, code, stderr = run_case(str(CODEX_BIN), case, tmp_path, ASAN_ENV)
    assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr
    if case["name"] in cases.DELIBERATE_DIVERGENCE:
        assert (stdout, code) == ("", 1), stderr
        assert LOCATION.search(stderr) and "not supported" in stderr or "expected a call" in stderr, stderr
        return
    assert (stdout, code) == (case["stdout"], case["exit"]), stderr
    if code == 1 and case["rules"][0] is not None and "error_second_file_bad" != case["name"]:
        # A bad file is named with the line and column of the problem.
        assert stderr.startswith("Error: failed to "), stderr
        assert LOCATION.search(stderr), stderr
        assert stderr.count("\n") == 1, stderr
