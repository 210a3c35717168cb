"""Fixtures and helpers for the sandbox suite (imported by each test module
with `from sandbox_support import ...`; not a conftest.py, whose module name
would clash with the other suites' conftest files).

Every workspace lives under /var/tmp, not /tmp: /tmp is itself a writable
root under workspace-write, so "outside the roots" must be elsewhere.

`sandbox(cmd, mode=..., pipeline=...)` runs a shell snippet through
`codex sandbox`; pipeline "bwrap" is the default one, "landlock" forces the
Landlock pipeline (with its private mount namespace), "landlock-narrow" the
Landlock pipeline without a mount namespace (what a container without
CAP_SYS_ADMIN gets)."""
import os
import pathlib
import shutil
import subprocess
import tempfile
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))
SPAWN_TOOL = BUILD / "tests" / "sandbox_spawn"

PIPELINES = ["bwrap", "landlock", "landlock-narrow"]


def without_sys_admin(argv):
    """argv run with CAP_SYS_ADMIN dropped from the bounding set, as in a
    container that cannot make mount namespaces: the Landlock pipeline then
    runs without its private mount view (the "narrow" mode)."""
    return ["setpriv", "--bounding-set", "-sys_admin", "--"] + list(argv)


def fake_bin(base, bwrap=None, links=("sh",)):
    """A PATH directory with symlinks to a few host programs and, when
    bwrap is given, a `bwrap` that runs that script instead."""
    d = base / "fakebin"
    d.mkdir(exist_ok=True)
    for name in links:
        target = shutil.which(name)
        if target and not (d / name).exists():
            os.symlink(target, d / name)
    if bwrap is not None:
        (d / "bwrap").write_text("#!/bin/sh\n" + bwrap + "\n")
        (d / "bwrap").chmod(0o755)
    return d


def have_bwrap():
    return shutil.which("bwrap") is not None


def landlock_abi():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(444, None, 0, 1)


class Env:
    def __init__(self, base):
        self.base = base
        self.ws = base / "ws"
        self.outside = base / "outside"
        self.home = base / "home"
        for d in (self.ws, self.outside, self.home, self.home / ".codex-home"):
            d.mkdir()

    def env(self, extra=None):
        e = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.home),
            "CODEX_HOME": str(self.home / ".codex-home"),
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
            "LC_ALL": "C",
        }
        if extra:
            e.update(extra)
        return e

    def sandbox(self, cmd, mode="workspace-write", pipeline="bwrap", config=(), cwd=None,
                env=None, timeout=60, argv=None):
        args = [str(CODEX_BIN), "sandbox"]
        extra = dict(env or {})
        if pipeline.startswith("landlock"):
            args.append("landlock")
        if pipeline == "landlock-narrow":
            args = without_sys_admin(args)
        args += ["-c", f"sandbox_mode={mode}"]
        for c in config:
            args += ["-c", c]
        args.append("--")
        args += argv if argv is not None else ["/bin/sh", "-c", cmd]
        return subprocess.run(args, cwd=cwd or self.ws, env=self.env(extra), capture_output=True,
                              text=True, timeout=timeout)

    def host(self, cmd, cwd=None):
        return subprocess.run(["/bin/sh", "-c", cmd], cwd=cwd or self.ws, env=self.env(),
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def sbx():
    base = pathlib.Path(tempfile.mkdtemp(prefix="codex-sbx-", dir="/var/tmp"))
    try:
        yield Env(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=PIPELINES)
def pipeline(request):
    if request.param == "bwrap" and not have_bwrap():
        pytest.skip("bubblewrap is not installed")
    if request.param.startswith("landlock") and landlock_abi() < 1:
        pytest.skip("Landlock is not enabled in this kernel")
    return request.param


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:12]
