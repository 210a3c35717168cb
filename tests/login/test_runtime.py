"""ChatGPT credentials at run time: requests to the Codex backend, token
refresh (on expiry, on age, on 401), two processes refreshing at once, a
revoked refresh token, personal access tokens, and logout."""
import json
import os
import subprocess
import threading
import time

import pytest

from conftest import IS_REFERENCE, files_under, secrets_of


@pytest.fixture
def idp(tls_idp):
    """The backend over TLS, as the reference insists on: this also checks
    that CODEX_CA_CERTIFICATE reaches every HTTPS connection."""
    return tls_idp


@pytest.fixture
def login_env(tls_idp):
    return {"CODEX_REFRESH_TOKEN_URL_OVERRIDE": tls_idp.base + "/oauth/token",
            "CODEX_REVOKE_TOKEN_URL_OVERRIDE": tls_idp.base + "/oauth/revoke",
            "CODEX_AUTHAPI_BASE_URL": tls_idp.base + "/api/accounts",
            "CODEX_CA_CERTIFICATE": str(tls_idp.ca)}


def exec_(run_codex, repo_dir, *args, env=None, timeout=60):
    return run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", *args,
                     "say hi", env=env, cwd=repo_dir, timeout=timeout)


@pytest.fixture
def workdir(tmp_path):
    d = tmp_path / "work"
    d.mkdir()
    return d


def responses(idp):
    return idp.find("/backend-api/codex/responses", "POST")


def test_requests_go_to_the_codex_backend(run_codex, idp, chatgpt_config, auth_file, workdir,
                                          login_env):
    chatgpt_config(idp)
    auth_file.write(idp.auth_json())
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 0, r.stderr
    assert "signed in fine" in r.stdout
    posts = responses(idp)
    assert len(posts) == 1
    h = posts[0]["headers"]
    assert h["authorization"] == "Bearer " + auth_file.read()["tokens"]["access_token"]
    assert h["chatgpt-account-id"] == idp.account_id
    assert h["originator"] == "codex_exec"
    assert h.get("content-encoding") == "zstd"
    assert posts[0]["body"]["model"] == "gpt-5.5"
    assert idp.find("/oauth/token") == []   # a fresh token is not refreshed


def test_refresh_when_the_access_token_has_expired(run_codex, idp, chatgpt_config, auth_file,
                                                   workdir, login_env):
    chatgpt_config(idp)
    old = idp.auth_json(access_ttl=-30)
    idp.live_access.discard(old["tokens"]["access_token"])
    auth_file.write(old)
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 0, r.stderr
    refresh = idp.find("/oauth/token")
    assert len(refresh) == 1
    assert refresh[0]["headers"]["content-type"] == "application/json"
    assert refresh[0]["body"] == {"client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
                                  "grant_type": "refresh_token",
                                  "refresh_reason": "proactive_expiry",
                                  "refresh_token": old["tokens"]["refresh_token"]}
    new = auth_file.read()
    assert new["tokens"]["refresh_token"] != old["tokens"]["refresh_token"]
    assert new["tokens"]["refresh_token"] in idp.live_refresh
    assert new["last_refresh"] > old["last_refresh"]
    assert auth_file.mode() == 0o600
    assert responses(idp)[0]["headers"]["authorization"] == \
        "Bearer " + new["tokens"]["access_token"]


@pytest.mark.beyond_reference
def test_refresh_when_last_refresh_is_older_than_eight_days(run_codex, idp, chatgpt_config,
                                                            auth_file, workdir, login_env):
    chatgpt_config(idp)
    auth_file.write(idp.auth_json(last_refresh="2020-01-01T00:00:00.000000000Z"))
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 0, r.stderr
    assert [q["body"]["refresh_reason"] for q in idp.find("/oauth/token")] == ["proactive_expiry"]
    assert auth_file.read()["last_refresh"] > "2026"


def test_401_reads_the_store_again_then_refreshes(run_codex, idp, chatgpt_config, auth_file,
                                                  workdir, login_env):
    chatgpt_config(idp)
    old = idp.auth_json()
    idp.live_access.discard(old["tokens"]["access_token"])  # revoked server-side
    auth_file.write(old)
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 0, r.stderr
    posts = responses(idp)
    assert len(posts) == 3
    stale = "Bearer " + old["tokens"]["access_token"]
    assert [p["headers"]["authorization"] == stale for p in posts] == [True, True, False]
    assert [q["body"]["refresh_reason"] for q in idp.find("/oauth/token")] == \
        ["unauthorized_recovery"]


def test_revoked_refresh_token(run_codex, idp, chatgpt_config, auth_file, workdir, login_env):
    chatgpt_config(idp)
    old = idp.auth_json(access_ttl=-30)
    auth_file.write(old)
    before = auth_file.path.read_text()
    idp.refresh_mode = "revoked"
    r = exec_(run_codex, workdir, "--json", env=login_env)
    assert r.returncode == 1
    assert ("Your access token could not be refreshed because your refresh token was revoked. "
            "Please log out and sign in again.") in r.stdout + r.stderr
    assert auth_file.path.read_text() == before
    if not IS_REFERENCE:  # the reference still sends the expired token, twice
        assert responses(idp) == []


def test_two_processes_refreshing_at_once(run_codex, idp, chatgpt_config, auth_file, tmp_path,
                                          login_env):
    chatgpt_config(idp)
    auth_file.write(idp.auth_json(access_ttl=-30))
    idp.token_delay = 1.0   # the second process arrives while the first refreshes
    results = [None, None]

    def run(i):
        d = tmp_path / ("w%d" % i)
        d.mkdir()
        results[i] = exec_(run_codex, d, env=login_env)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert r.returncode == 0, r.stderr
    assert idp.refresh_count == 1
    if not IS_REFERENCE:
        # The second process waited for the first one's refresh and used its
        # tokens: the spent refresh token was never sent twice (the
        # reference sends it again and recovers from the rejection).
        assert len(idp.find("/oauth/token")) == 1
    final = auth_file.read()
    assert final["tokens"]["refresh_token"] in idp.live_refresh
    tokens = {p["headers"]["authorization"] for p in responses(idp)}
    assert tokens == {"Bearer " + final["tokens"]["access_token"]}


def test_reference_auth_json_is_read_as_is(run_codex, idp, chatgpt_config, auth_file, workdir,
                                           login_env):
    chatgpt_config(idp)
    doc = idp.auth_json(access_ttl=-30)
    # As 0.169 writes it after a login: extra token fields, its key order.
    t = doc["tokens"]
    doc["tokens"] = {"id_token": t["id_token"], "access_token": t["access_token"],
                     "refresh_token": t["refresh_token"],
                     "oauth_provenance": {"issuer": "https://auth.openai.com",
                                          "client_id": "app_EMoamEEZ73f0CkXaXp7hrann"},
                     "login_owner_id": "owner-opaque-1", "account_id": t["account_id"]}
    auth_file.write(doc)
    r = run_codex("login", "status")
    assert r.returncode == 0 and "Logged in using ChatGPT" in r.stderr
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 0, r.stderr
    after = auth_file.read()
    assert after["tokens"]["login_owner_id"] == "owner-opaque-1"
    if not IS_REFERENCE:  # the reference drops it on refresh
        assert after["tokens"]["oauth_provenance"]["issuer"] == "https://auth.openai.com"
    assert after["tokens"]["access_token"] != t["access_token"]


def test_logout_revokes_and_removes(run_codex, idp, auth_file, login_env):
    doc = idp.auth_json()
    auth_file.write(doc)
    r = run_codex("logout", env=login_env)
    assert r.returncode == 0 and "Successfully logged out" in r.stderr
    assert not auth_file.exists()
    revoke = idp.find("/oauth/revoke")
    assert len(revoke) == 1
    assert revoke[0]["body"] == {"token": doc["tokens"]["refresh_token"],
                                 "token_type_hint": "refresh_token",
                                 "client_id": "app_EMoamEEZ73f0CkXaXp7hrann"}
    r = run_codex("logout", env=login_env)
    assert r.returncode == 0 and "Not logged in" in r.stderr


@pytest.mark.beyond_reference
def test_logout_when_the_issuer_is_unreachable(run_codex, idp, auth_file):
    auth_file.write(idp.auth_json())
    r = run_codex("logout", env={"CODEX_REVOKE_TOKEN_URL_OVERRIDE": "http://127.0.0.1:9/revoke"})
    assert r.returncode == 0 and "Successfully logged out" in r.stderr
    assert not auth_file.exists()


def test_personal_access_token_login(run_codex, idp, auth_file, login_env):
    idp.whoami = {"email": "pat@example.com", "chatgpt_user_id": "user-9",
                  "chatgpt_account_id": idp.account_id, "chatgpt_plan_type": "enterprise",
                  "chatgpt_account_is_fedramp": False}
    r = run_codex("login", "--with-access-token", input="at-personal-123\n", env=login_env)
    assert r.returncode == 0, r.stderr
    assert "Reading access token from stdin..." in r.stderr
    assert auth_file.read() == {"OPENAI_API_KEY": None, "personal_access_token": "at-personal-123"}
    assert auth_file.mode() == 0o600
    whoami = idp.find("/api/accounts/v1/user-auth-credential/whoami")
    assert whoami[0]["headers"]["authorization"] == "Bearer at-personal-123"
    r = run_codex("login", "status", env=login_env)
    assert r.returncode == 0 and "Logged in using personal access token" in r.stderr


def test_personal_access_token_rejected(run_codex, idp, auth_file, login_env):
    idp.whoami = None
    r = run_codex("login", "--with-access-token", input="at-bad\n", env=login_env)
    assert r.returncode == 1
    assert ("Error logging in with access token: personal access token metadata request failed "
            "with status 401 Unauthorized") in r.stderr
    assert not auth_file.exists()


def test_chatgpt_access_token_is_not_an_agent_identity(run_codex, idp, auth_file, login_env):
    r = run_codex("login", "--with-access-token", input=idp.access_token() + "\n", env=login_env)
    assert r.returncode == 1
    assert "Error logging in with access token: failed to decode agent identity JWT" in r.stderr
    assert not auth_file.exists()


def test_codex_access_token_from_the_environment(run_codex, idp, chatgpt_config, codex_home,
                                                 workdir, login_env):
    chatgpt_config(idp)
    idp.whoami = {"email": "pat@example.com", "chatgpt_user_id": "user-9",
                  "chatgpt_account_id": idp.account_id, "chatgpt_plan_type": "plus",
                  "chatgpt_account_is_fedramp": False}
    idp.live_access.add("at-env-456")
    r = exec_(run_codex, workdir, env=dict(login_env, CODEX_ACCESS_TOKEN="at-env-456"))
    assert r.returncode == 0, r.stderr
    h = responses(idp)[0]["headers"]
    assert h["authorization"] == "Bearer at-env-456"
    assert h["chatgpt-account-id"] == idp.account_id
    assert not (codex_home / "auth.json").exists()


@pytest.mark.beyond_reference
def test_no_token_reaches_a_file_or_a_command(run_codex, idp, chatgpt_config, codex_home,
                                              auth_file, workdir, login_env):
    """A full session: device sign-in, a turn whose command prints its
    environment, a refresh, logout.  No token may appear anywhere but
    auth.json, nor in any output.  The policy keeps variables named like
    secrets, so only the rule for Codex's own credentials keeps them out."""
    chatgpt_config(idp, "[shell_environment_policy]\nignore_default_excludes = true\n")
    r = run_codex("login", "--device-auth", "--experimental_issuer", idp.base, env=login_env)
    assert r.returncode == 0, r.stderr
    outputs = [r.stdout, r.stderr]
    doc = auth_file.read()
    idp.live_access.discard(doc["tokens"]["access_token"])     # forces a 401 and a refresh
    idp.live_access.add("at-env-secret-789")
    idp.whoami = {"email": "e", "chatgpt_user_id": "u", "chatgpt_account_id": idp.account_id,
                  "chatgpt_plan_type": "pro", "chatgpt_account_is_fedramp": False}
    idp.turns = [{"call": "env"}, {"text": "done"}]
    env = dict(login_env, OPENAI_API_KEY="sk-env-secret-123", CODEX_API_KEY="",
               CODEX_ACCESS_TOKEN="")
    r = exec_(run_codex, workdir, "--json", env=env)
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    assert idp.refresh_count == 1
    # The command ran and its output went back to the model: no credential in it.
    tool_outputs = json.dumps([p["body"] for p in responses(idp)])
    assert "PATH=" in tool_outputs
    leaked = secrets_of(idp) | {"sk-env-secret-123"}
    assert not [s for s in leaked if s in tool_outputs]
    # A personal access token from the environment stays out of commands too.
    idp.turns = [{"call": "env"}, {"text": "done"}]
    env = dict(login_env, CODEX_ACCESS_TOKEN="at-env-secret-789")
    r = exec_(run_codex, workdir, "--json", env=env)
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    r = run_codex("logout", env=login_env)
    outputs += [r.stdout, r.stderr]
    leaked = secrets_of(idp) | {"sk-env-secret-123", "at-env-secret-789"}
    files = [p for p in files_under(codex_home)]
    assert any("rollout-" in p.name for p in files)
    for path in files:
        text = path.read_bytes().decode(errors="replace")
        assert not [s for s in leaked if s in text], path
    assert not [s for s in leaked if s in "".join(outputs)]
    assert "at-env-secret-789" not in json.dumps([p["body"] for p in responses(idp)])


def test_forced_chatgpt_login_logs_out_an_api_key(run_codex, codex_home, auth_file, workdir):
    (codex_home / "config.toml").write_text('forced_login_method = "chatgpt"\n')
    auth_file.write({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-forced-123456789"})
    r = exec_(run_codex, workdir)
    assert r.returncode == 1
    assert "ChatGPT login is required, but an API key is currently being used. Logging out." \
        in r.stderr
    assert not auth_file.exists()


def test_forced_api_login_refuses_chatgpt(run_codex, idp, codex_home, auth_file, workdir):
    (codex_home / "config.toml").write_text('forced_login_method = "api"\n')
    auth_file.write(idp.auth_json())
    r = exec_(run_codex, workdir)
    assert r.returncode == 1
    assert "API key login is required, but ChatGPT is currently being used. Logging out." \
        in r.stderr
    assert not auth_file.exists()


def test_api_key_login_disabled_by_config(run_codex, codex_home, auth_file):
    (codex_home / "config.toml").write_text('forced_login_method = "chatgpt"\n')
    r = run_codex("login", "--with-api-key", input="sk-abc\n")
    assert r.returncode == 1
    assert "API key login is disabled. Use ChatGPT login instead." in r.stderr
    assert not auth_file.exists()


def test_unreachable_refresh_endpoint(run_codex, idp, chatgpt_config, auth_file, workdir,
                                      login_env):
    """A refresh that fails for a transient reason lets the request try the
    current token; when the backend refuses it too, one line says why."""
    chatgpt_config(idp)
    auth_file.write(idp.auth_json(access_ttl=-30))
    before = auth_file.path.read_text()
    idp.refresh_mode = "html"
    r = exec_(run_codex, workdir, env=login_env)
    assert r.returncode == 1
    assert "502 Bad Gateway" in r.stderr
    assert auth_file.path.read_text() == before
    if not IS_REFERENCE:
        assert "HTML page" in r.stderr
        # proactive, then the 401 recovery; nothing in between
        assert [q["body"]["refresh_reason"] for q in idp.find("/oauth/token")] == \
            ["proactive_expiry", "unauthorized_recovery"]
