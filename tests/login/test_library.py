"""The login library as the app server's account module and the TUI use it
(account read, usage / rate limits, forced refresh), through
build/tests/account_probe."""
import json
import os
import pathlib
import subprocess

import pytest

BUILD = pathlib.Path(os.environ.get("CODEX_BUILD",
                                    pathlib.Path(__file__).resolve().parents[2] / "build"))

pytestmark = pytest.mark.beyond_reference
PROBE = BUILD / "tests" / "account_probe"


def probe(codex_home, *args, env=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": str(codex_home),
         "ASAN_OPTIONS": "detect_leaks=1"}
    e.update(env or {})
    r = subprocess.run([str(PROBE), *args], env=e, capture_output=True, text=True, timeout=60)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return r.returncode, lines, r.stderr


def test_account_read(idp, codex_home, auth_file):
    auth_file.write(idp.auth_json())
    rc, out, err = probe(codex_home, "read")
    assert rc == 0, err
    assert out == [{"kind": "chatgpt", "email": "user@example.com", "plan": "pro",
                    "account": idp.account_id}]
    auth_file.write({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"})
    none = {"email": None, "plan": None, "account": None}
    assert probe(codex_home, "read")[1] == [dict(none, kind="apikey")]
    os.unlink(auth_file.path)
    assert probe(codex_home, "read")[1] == [dict(none, kind=None)]


def test_usage_refreshes_an_expired_token_first(idp, codex_home, auth_file, login_env):
    auth_file.write(idp.auth_json(access_ttl=-30))
    rc, out, err = probe(codex_home, "usage", idp.base + "/backend-api/", env=login_env)
    assert rc == 0, err
    assert out[0]["plan_type"] == "pro"
    assert out[0]["rate_limit"]["primary_window"]["used_percent"] == 12
    usage = idp.find("/backend-api/wham/usage")[0]["headers"]
    assert usage["authorization"] == "Bearer " + auth_file.read()["tokens"]["access_token"]
    assert usage["chatgpt-account-id"] == idp.account_id
    assert [q["body"]["refresh_reason"] for q in idp.find("/oauth/token")] == ["proactive_expiry"]


def test_usage_needs_chatgpt(idp, codex_home, auth_file):
    auth_file.write({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"})
    rc, out, _ = probe(codex_home, "usage", idp.base + "/backend-api/")
    assert rc == 1 and "chatgpt authentication required" in out[0]["error"]


def test_forced_refresh(idp, codex_home, auth_file, login_env):
    auth_file.write(idp.auth_json())
    rc, out, err = probe(codex_home, "refresh", env=login_env)
    assert rc == 0 and out == [{"ok": True}], err
    assert [q["body"]["refresh_reason"] for q in idp.find("/oauth/token")] == ["forced"]
