"""Differential test: the same `codex plugin` commands against reference
0.169.0 and ours, in two fresh CODEX_HOMEs over one marketplace.  stdout,
exit codes and the config.toml written must be the same (paths under each
CODEX_HOME shown as HOME).  Skipped when the reference binary is not there
(CODEX_REFERENCE_BIN, default under /tmp/peerwork).

Known, deliberate differences are left out of the comparison: two error
messages where ours names more (the path that could not be resolved, the
manifest that is missing), and the blank line the reference leaves at the
top of config.toml after removing its first table."""
import os
import subprocess

import pytest

from plugin_fixture import CODEX_BIN, REFERENCE, write_marketplace

pytestmark = pytest.mark.skipif(not REFERENCE.exists(), reason="reference binary not installed")

STEPS = [
    ("plugin", "marketplace", "list"),
    ("plugin", "marketplace", "list", "--json"),
    ("plugin", "list"),
    ("plugin", "list", "--json"),
    ("plugin", "marketplace", "add", "{M}"),
    ("plugin", "marketplace", "add", "{M}"),
    ("plugin", "marketplace", "add", "{M}", "--json"),
    ("plugin", "marketplace", "list"),
    ("plugin", "marketplace", "list", "--json"),
    ("plugin", "list"),
    ("plugin", "list", "--available", "--json"),
    ("plugin", "list", "-m", "nomkt"),
    ("plugin", "list", "-m", "debug", "--json"),
    ("plugin", "marketplace", "add", "mkt"),
    ("plugin", "add", "sample@debug"),
    ("plugin", "list"),
    ("plugin", "list", "--json"),
    ("plugin", "add", "sample@debug", "--json"),
    ("plugin", "add", "nope@debug"),
    ("plugin", "add", "sample@nomkt"),
    ("plugin", "add", "sample"),
    ("plugin", "remove", "sample@debug", "--json"),
    ("plugin", "add", "sample", "-m", "debug"),
    ("plugin", "remove", "nope@debug"),
    ("plugin", "marketplace", "remove", "nomkt"),
    ("plugin", "marketplace", "add", "/nonexistent"),
    ("plugin", "marketplace", "add", "file:///x/y"),
    ("plugin", "marketplace", "add", "{M}", "--ref", "main"),
    ("plugin", "marketplace", "upgrade"),
    ("plugin", "marketplace", "upgrade", "debug"),
    ("plugin", "marketplace", "remove", "debug"),
    ("plugin", "list"),
]


def run_all(binary, home, market, workdir):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
           "CODEX_HOME": str(home), "RUST_BACKTRACE": "0", "RUST_LOG": "off"}
    seen = []
    for step in STEPS:
        argv = [a.replace("{M}", str(market)) for a in step]
        r = subprocess.run([str(binary), *argv], env=env, capture_output=True, text=True,
                           cwd=workdir, timeout=60)
        first_error = next((l for l in r.stderr.splitlines() if l.startswith("Error:")), None)
        seen.append((" ".join(step), r.returncode, r.stdout.replace(str(home), "HOME"), first_error))
    config = (home / "config.toml").read_text().lstrip("\n") if (home / "config.toml").exists() else None
    seen_files = sorted(str(p.relative_to(home)) for p in (home / "plugins").rglob("*")) \
        if (home / "plugins").exists() else []
    return seen, config, seen_files


def test_cli_matches_the_reference(tmp_path, codex_home):
    market = write_marketplace(tmp_path / "mkt")
    ref_home, our_home = tmp_path / "ref_home", tmp_path / "our_home"
    ref_home.mkdir()
    our_home.mkdir()
    ref = run_all(REFERENCE, ref_home, market, tmp_path)
    ours = run_all(CODEX_BIN, our_home, market, tmp_path)
    for (step, rc_r, out_r, err_r), (_, rc_o, out_o, err_o) in zip(ref[0], ours[0]):
        assert (step, rc_o, out_o) == (step, rc_r, out_r)
        if step not in ("plugin marketplace add /nonexistent",):
            assert (step, err_o) == (step, err_r)
    assert ours[1] == ref[1]
    assert ours[2] == ref[2]
