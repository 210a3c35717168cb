"""The toml-test suite (Debian's golang-github-burntsushi-toml-dev) against
build/tests/toml-decoder: every valid/*.toml must decode to the tagged JSON
beside it, every invalid/*.toml must be rejected.  Values are compared the
way toml-test compares them: tables unordered, floats numerically (nan and
inf by spelling), date-times as points in time."""
import datetime
import json
import math
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
DECODER = BUILD / "tests" / "toml-decoder"
SUITE = pathlib.Path("/usr/share/gocode/src/github.com/BurntSushi/toml/internal/toml-test/tests")


def cases(kind):
    if not SUITE.is_dir():
        return ["<suite missing>"]
    return sorted(str(p.relative_to(SUITE / kind)) for p in (SUITE / kind).rglob("*.toml"))


def require_suite():
    if not SUITE.is_dir():
        pytest.fail(f"toml-test suite not found at {SUITE}: run scripts/install-deps "
                    "(it installs golang-github-burntsushi-toml-dev)")
    assert DECODER.is_file(), f"{DECODER} is missing: run make tests"


def decode(path):
    return subprocess.run([str(DECODER)], stdin=open(path, "rb"), capture_output=True, timeout=30)


DT = re.compile(r"^(?:(\d{4})-(\d{2})-(\d{2}))?[T ]?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$")


def datetime_key(kind, text):
    m = DT.match(text.replace("t", "T").replace("z", "Z"))
    assert m, f"not a {kind}: {text!r}"
    y, mo, d, h, mi, s, frac, off = m.groups()
    frac_ns = int((frac or "0").ljust(9, "0")[:9])
    if kind == "datetime":
        sign = 0 if off == "Z" else (1 if off[0] == "+" else -1)
        minutes = 0 if off == "Z" else int(off[1:3]) * 60 + int(off[4:6])
        t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), min(int(s), 59),
                              tzinfo=datetime.timezone(sign * datetime.timedelta(minutes=minutes)))
        return (t.astimezone(datetime.timezone.utc), frac_ns, s == "60")
    return (y, mo, d, h, mi, s, frac_ns)


def compare(want, have, key="<root>"):
    if isinstance(want, list):
        assert isinstance(have, list), f"{key}: expected an array, got {have!r}"
        assert len(want) == len(have), f"{key}: array lengths differ: {len(want)} vs {len(have)}"
        for i, (w, h) in enumerate(zip(want, have)):
            compare(w, h, f"{key}[{i}]")
        return
    assert isinstance(have, dict), f"{key}: expected a table or value, got {have!r}"
    is_value = set(want) == {"type", "value"} and isinstance(want.get("type"), str)
    if is_value:
        assert set(have) == {"type", "value"}, f"{key}: expected a value, got {have!r}"
        assert want["type"] == have["type"], f"{key}: type {want['type']} expected, got {have['type']}"
        kind, w, h = want["type"], want["value"], have["value"]
        if kind == "array":
            compare(w, h, key)
        elif kind == "float":
            if w.endswith("nan") or h.endswith("nan"):
                assert w == h, f"{key}: {w} expected, got {h}"
            else:
                assert float(w) == float(h), f"{key}: {w} expected, got {h}"
        elif kind in ("datetime", "datetime-local", "date-local", "time-local"):
            assert datetime_key(kind, w) == datetime_key(kind, h), f"{key}: {w} expected, got {h}"
        else:
            assert w == h, f"{key}: {w!r} expected, got {h!r}"
        return
    assert set(want) == set(have), f"{key}: keys {sorted(want)} expected, got {sorted(have)}"
    for k in want:
        compare(want[k], have[k], f"{key}.{k}")


@pytest.mark.parametrize("name", cases("valid"))
def test_valid(name):
    require_suite()
    path = SUITE / "valid" / name
    r = decode(path)
    assert r.returncode == 0, f"{name} rejected: {r.stderr.decode(errors='replace')}"
    want = json.loads((path.with_suffix(".json")).read_text(encoding="utf-8"))
    have = json.loads(r.stdout.decode("utf-8"))
    compare(want, have)


@pytest.mark.parametrize("name", cases("invalid"))
def test_invalid(name):
    require_suite()
    r = decode(SUITE / "invalid" / name)
    assert r.returncode == 1, f"{name} accepted (exit {r.returncode}): {r.stdout[:300]!r} {r.stderr[:300]!r}"
    err = r.stderr.decode(errors="replace")
    # One line: "<stdin>:LINE:COL: message".
    assert re.match(r"^<stdin>:\d+:\d+: \S", err), err
