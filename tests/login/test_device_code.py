"""codex login --device-auth against the test identity provider."""
import json
import os
import stat

import pytest

from conftest import IS_REFERENCE, files_under, secrets_of


def device_login(run_codex, idp, *extra, env=None):
    return run_codex("login", "--device-auth", "--experimental_issuer", idp.base, *extra,
                     env=env, timeout=60)


def test_device_code_signs_in_and_stores_tokens(run_codex, idp, codex_home, auth_file):
    r = device_login(run_codex, idp)
    assert r.returncode == 0, r.stderr
    assert "Follow these steps to sign in with ChatGPT using device code authorization" in r.stdout
    assert idp.base + "/codex/device" in r.stdout
    assert "ABCD-1234" in r.stdout
    assert r.stderr.strip().endswith("Successfully logged in")

    calls = [(q["method"], q["path"]) for q in idp.requests]
    assert calls[0] == ("POST", "/api/accounts/deviceauth/usercode")
    assert idp.requests[0]["body"] == {"client_id": "app_EMoamEEZ73f0CkXaXp7hrann"}
    polls = idp.find("/api/accounts/deviceauth/token")
    assert len(polls) == 2  # one "pending", then the code
    assert polls[0]["body"] == {"device_auth_id": "dev-123", "user_code": "ABCD-1234"}
    exchange = idp.find("/oauth/token")
    assert len(exchange) == 1
    form = exchange[0]["body"]
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == idp.base + "/deviceauth/callback"
    assert form["client_id"] == "app_EMoamEEZ73f0CkXaXp7hrann"
    assert form["code"].startswith("devcode-")
    # No API key exchange on the device flow.
    assert all(q["body"].get("grant_type") == "authorization_code" for q in exchange)

    auth = auth_file.read()
    assert auth["auth_mode"] == "chatgpt"
    assert auth["OPENAI_API_KEY"] is None
    tokens = auth["tokens"]
    assert tokens["account_id"] == idp.account_id
    assert tokens["id_token"] in idp.issued and tokens["access_token"] in idp.issued
    assert tokens["refresh_token"] in idp.live_refresh
    assert tokens["oauth_provenance"] == {"issuer": idp.base,
                                          "client_id": "app_EMoamEEZ73f0CkXaXp7hrann"}
    assert auth["last_refresh"].endswith("Z")
    assert auth_file.mode() == 0o600
    if not IS_REFERENCE:  # the reference leaves CODEX_HOME as it found it
        assert stat.S_IMODE(os.stat(codex_home).st_mode) == 0o700

    log = codex_home / "log" / "codex-login.log"
    assert "device code login" in log.read_text()

    r = run_codex("login", "status")
    assert r.returncode == 0 and "Logged in using ChatGPT" in r.stderr

    # Nothing but auth.json holds a token; nothing printed one either.
    leaked = secrets_of(idp)
    for path in files_under(codex_home):
        if path.name == "auth.json":
            continue
        text = path.read_bytes().decode(errors="replace")
        assert not [s for s in leaked if s in text], path
    assert not [s for s in leaked if s in r.stdout + r.stderr]


def test_device_code_not_enabled(run_codex, idp, auth_file):
    idp.device_mode = "disabled"
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    assert ("Error logging in: device code login is not enabled for this Codex server. Use the "
            "browser login or verify the server URL.") in r.stderr
    assert not auth_file.exists()


def test_expired_device_code(run_codex, idp, auth_file):
    idp.device_mode = "expired"
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    assert "Error logging in: device auth failed with status 410 Gone" in r.stderr
    assert not auth_file.exists()


@pytest.mark.beyond_reference
def test_identity_provider_answering_html(run_codex, idp, auth_file):
    idp.device_mode = "html"
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.startswith("Error")]
    assert len(lines) == 1 and "HTML" in lines[0], r.stderr
    assert not auth_file.exists()


@pytest.mark.beyond_reference
def test_token_without_the_expected_claims_is_not_stored(run_codex, idp, auth_file):
    idp.consent = "missing_claims"
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    assert "id_token" in r.stderr and "claims" in r.stderr
    assert not auth_file.exists()


def test_workspace_restriction(run_codex, idp, codex_home, auth_file):
    (codex_home / "config.toml").write_text('forced_chatgpt_workspace_id = "ws-other"\n')
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    assert "Login is restricted to workspace id(s) ws-other." in r.stderr
    assert not auth_file.exists()


def test_chatgpt_login_disabled_by_config(run_codex, idp, codex_home, auth_file):
    (codex_home / "config.toml").write_text('forced_login_method = "api"\n')
    r = device_login(run_codex, idp)
    assert r.returncode == 1
    assert "ChatGPT login is disabled. Use API key login instead." in r.stderr
    assert idp.requests == []


@pytest.mark.beyond_reference
def test_malformed_auth_json_is_replaced_only_by_a_sign_in(run_codex, idp, auth_file):
    auth_file.path.write_text('{"auth_mode": "chatgpt", "tokens": ')
    r = run_codex("login", "status")
    assert r.returncode == 1
    assert str(auth_file.path) + ":1:" in r.stderr and "invalid JSON" in r.stderr
    assert auth_file.path.read_text() == '{"auth_mode": "chatgpt", "tokens": '
    r = device_login(run_codex, idp)
    assert r.returncode == 0, r.stderr
    assert auth_file.read()["auth_mode"] == "chatgpt"
