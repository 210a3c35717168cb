"""The app server's account methods on the login library: account/read,
account/login/start (API key and ChatGPT device code against the test
identity provider), account/login/cancel and account/logout, with the
account/login/completed and account/updated notifications.  Every message
is checked against the protocol schema."""
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))

from appserver import CODEX_BIN, AppServer, load_schema  # noqa: E402

load_schema()


def server_for(codex_home, tmp_path, idp=None, config=""):
    (codex_home / "config.toml").write_text(config)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    if idp:
        env["CODEX_APP_SERVER_LOGIN_ISSUER"] = idp.base
    s = AppServer(CODEX_BIN, env, cwd=tmp_path)
    s.initialize()
    return s


def wait_note(s, method, timeout=30):
    deadline = time.time() + timeout
    for i, m in enumerate(s.pending if hasattr(s, "pending") else []):
        if m.get("method") == method:
            return s.pending.pop(i)
    while time.time() < deadline:
        m = s.read(timeout=max(1, deadline - time.time()))
        if m.get("method") == method:
            return m
    raise AssertionError(f"no {method}")


def test_signed_out_then_an_api_key_then_signed_out_again(codex_home, tmp_path, auth_file):
    s = server_for(codex_home, tmp_path)
    try:
        r = s.call("account/read", {})
        assert r["result"] == {"account": None, "requiresOpenaiAuth": True}
        r = s.call("account/login/start", {"type": "apiKey", "apiKey": "sk-test-key"})
        assert r["result"] == {"type": "apiKey"}
        done = wait_note(s, "account/login/completed")
        assert done["params"]["success"] is True
        updated = wait_note(s, "account/updated")
        assert updated["params"]["authMode"] == "apikey"
        assert auth_file.read()["OPENAI_API_KEY"] == "sk-test-key"
        assert auth_file.mode() == 0o600
        r = s.call("account/read", {})
        assert r["result"]["account"] == {"type": "apiKey"}
        assert "error" in s.call("account/rateLimits/read")  # the plan's limits need ChatGPT
        r = s.call("account/logout")
        assert r["result"] == {}
        assert wait_note(s, "account/updated")["params"]["authMode"] is None
        assert not auth_file.exists()
        assert s.call("account/read", {})["result"]["account"] is None
    finally:
        assert s.close() == 0, s.stderr


def test_device_code_sign_in(codex_home, tmp_path, idp, auth_file):
    s = server_for(codex_home, tmp_path, idp,
                   config=f'chatgpt_base_url = "{idp.base}/backend-api/"\n')
    try:
        r = s.call("account/login/start", {"type": "chatgptDeviceCode"})
        res = r["result"]
        assert res["type"] == "chatgptDeviceCode" and res["userCode"] == "ABCD-1234"
        assert res["verificationUrl"] == idp.base + "/codex/device"
        done = wait_note(s, "account/login/completed", timeout=60)
        assert done["params"] == {"loginId": res["loginId"], "success": True, "error": None}
        assert wait_note(s, "account/updated")["params"] == {"authMode": "chatgpt",
                                                             "planType": "pro"}
        assert auth_file.read()["auth_mode"] == "chatgpt"
        r = s.call("account/read", {})
        assert r["result"]["account"] == {"type": "chatgpt", "email": "user@example.com",
                                          "planType": "pro"}
        limits = s.call("account/rateLimits/read")["result"]
        snap = limits["rateLimits"]
        assert snap["primary"] == {"usedPercent": 12, "windowDurationMins": 300,
                                   "resetsAt": 1800000000}
        assert snap["secondary"] is None and snap["planType"] == "pro"
        assert limits["rateLimitsByLimitId"]["codex"] == snap
        assert limits["ordinaryUsageAllowed"] is True
        assert idp.find("/backend-api/wham/usage")
    finally:
        assert s.close() == 0, s.stderr


def test_cancel_and_bad_input(codex_home, tmp_path, idp):
    s = server_for(codex_home, tmp_path, idp)
    try:
        r = s.call("account/login/cancel", {"loginId": "nope"})
        assert r["result"] == {"status": "notFound"}
        r = s.call("account/login/start", {"type": "amazonBedrock", "apiKey": "x", "region": "y"})
        assert "error" in r
        r = s.call("account/login/start", {"type": "apiKey"})
        assert "error" in r
    finally:
        assert s.close() == 0, s.stderr


def test_a_provider_of_its_own_needs_no_openai_account(codex_home, tmp_path):
    s = server_for(codex_home, tmp_path, config='model_provider = "mock"\n[model_providers.mock]\n'
                   'name = "mock"\nbase_url = "http://127.0.0.1:9/v1"\nenv_key = "X"\n')
    try:
        r = s.call("account/read", {})
        assert r["result"] == {"account": None, "requiresOpenaiAuth": False}
    finally:
        assert s.close() == 0, s.stderr
