"""Fixtures for the sign-in tests: an identity provider and ChatGPT backend
on loopback (idp.py), a CODEX_HOME whose config points at it, and helpers
to seed and read auth.json."""
import fcntl
import json
import os
import pathlib
import subprocess

import pytest

from idp import IdP, https_context

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture
def idp():
    server = IdP()
    yield server
    server.stop()


@pytest.fixture
def tls_idp(tmp_path):
    ctx, ca = https_context(tmp_path)
    server = IdP(https_context=ctx)
    server.ca = ca
    yield server
    server.stop()


@pytest.fixture
def chatgpt_config(codex_home):
    """config.toml pointing chatgpt_base_url at a backend."""
    def write(server, extra=""):
        (codex_home / "config.toml").write_text(
            f'model = "gpt-5.5"\nchatgpt_base_url = "{server.base}/backend-api/"\n{extra}\n')
    return write


@pytest.fixture
def auth_file(codex_home):
    path = codex_home / "auth.json"

    class AuthFile:
        def write(self, data, mode=0o600):
            path.write_text(json.dumps(data, indent=2))
            os.chmod(path, mode)

        def read(self):
            return json.loads(path.read_text())

        def exists(self):
            return path.exists()

        def mode(self):
            return os.stat(path).st_mode & 0o777

    AuthFile.path = path
    return AuthFile()


@pytest.fixture
def callback_port_lock():
    """Browser sign-in listens on the fixed port 1455: one test at a time."""
    with open("/tmp/codex-c-login-tests.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


@pytest.fixture
def login_env(idp):
    """The reference's test overrides, pointed at the test IdP."""
    return {"CODEX_REFRESH_TOKEN_URL_OVERRIDE": idp.base + "/oauth/token",
            "CODEX_REVOKE_TOKEN_URL_OVERRIDE": idp.base + "/oauth/revoke",
            "CODEX_AUTHAPI_BASE_URL": idp.base + "/api/accounts"}


def files_under(root):
    for dirpath, _, names in os.walk(root):
        for n in names:
            yield pathlib.Path(dirpath) / n


def secrets_of(idp):
    """Every token the IdP issued, and each segment of those that are JWTs."""
    out = set()
    for tok in idp.issued:
        out.add(tok)
        if tok.count(".") == 2:
            out.update(p for p in tok.split(".")[1:] if len(p) > 8)
    return out


def binary_is_reference():
    """True when CODEX_BIN is the reference CLI: the tests marked
    beyond_reference check what codex-c does better and are skipped."""
    bin_ = os.environ.get("CODEX_BIN", "")
    try:
        out = subprocess.run([bin_, "--version"], capture_output=True, text=True,
                             timeout=10).stdout
    except OSError:
        return False
    return out.startswith("codex-cli ")


IS_REFERENCE = binary_is_reference()


def pytest_configure(config):
    config.addinivalue_line("markers", "beyond_reference: codex-c does better than the "
                            "reference here; skipped when CODEX_BIN is the reference")


def pytest_collection_modifyitems(config, items):
    if not IS_REFERENCE:
        return
    skip = pytest.mark.skip(reason="checks what codex-c does beyond the reference")
    for item in items:
        if "beyond_reference" in item.keywords:
            item.add_marker(skip)
