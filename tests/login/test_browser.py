"""codex login (the browser flow): the test plays the browser against the
callback server on 127.0.0.1 and the test identity provider.

The reference's CLI keeps its browser flow on auth.openai.com whatever
--experimental_issuer says, so these tests run codex-c only; the same flow
through the app server (CODEX_APP_SERVER_LOGIN_ISSUER) is compared with
the reference in test_app_server_login.py."""
import http.client
import os
import signal
import subprocess
import time
import urllib.parse

import pytest

from conftest import files_under, secrets_of

pytestmark = [pytest.mark.beyond_reference, pytest.mark.usefixtures("callback_port_lock")]


def start_login(tmp_path, codex_home, idp, *extra, env=None):
    user_home = tmp_path / "home"
    user_home.mkdir(exist_ok=True)
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(user_home),
         "CODEX_HOME": str(codex_home),
         "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    e.update(env or {})
    proc = subprocess.Popen([os.environ["CODEX_BIN"], "login", "--experimental_issuer", idp.base,
                             *extra], env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stderr.readline()   # the URL arrives within a second or two
        if not line:
            break
        lines.append(line)
        if line.startswith(idp.base + "/oauth/authorize?"):
            return proc, line.strip(), lines
    proc.kill()
    raise AssertionError("no authorization URL: %r" % lines)


def get(url):
    """One GET without following redirects: (status, headers, body)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("GET", u.path + ("?" + u.query if u.query else ""))
    resp = conn.getresponse()
    body = resp.read().decode(errors="replace")
    conn.close()
    return resp.status, dict(resp.getheaders()), body


def finish(proc):
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def test_browser_sign_in(tmp_path, codex_home, idp, auth_file):
    proc, url, lines = start_login(tmp_path, codex_home, idp)
    text = "".join(lines)
    assert "Starting local login server on http://localhost:" in text
    assert "If your browser did not open, navigate to this URL to authenticate:" in text
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    port = int(urllib.parse.urlsplit(q["redirect_uri"]).port)
    assert q["redirect_uri"] == "http://127.0.0.1:%d/auth/callback" % port
    assert port in (1455, 1457)
    assert q["response_type"] == "code" and q["client_id"] == "app_EMoamEEZ73f0CkXaXp7hrann"
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["scope"] == ("openid profile email offline_access api.connectors.read "
                          "api.connectors.invoke")
    assert q["originator"] == "codex_cli_rs" and len(q["state"]) >= 43
    assert q["id_token_add_organizations"] == "true"

    status, headers, _ = get(url)                  # the consent page
    assert status == 302
    callback = headers["Location"]
    status, headers, _ = get(callback)             # the browser comes back
    assert status == 302, headers
    success = headers["Location"]
    assert success.startswith("http://127.0.0.1:%d/success?" % port)
    sq = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(success).query))
    assert sq["plan_type"] == "pro" and sq["needs_setup"] == "false"
    assert "id_token" not in sq  # a token has no business in the browser's history
    status, headers, body = get(success)
    assert status == 200 and "signed in" in body.lower()

    rc, out, err = finish(proc)
    assert rc == 0, err
    assert err.strip().endswith("Successfully logged in")
    token_calls = [q["body"] for q in idp.find("/oauth/token")]
    assert [b["grant_type"] for b in token_calls] == [
        "authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"]
    assert token_calls[0]["redirect_uri"] == q["redirect_uri"]
    assert token_calls[1]["requested_token"] == "openai-api-key"
    assert token_calls[1]["subject_token_type"] == "urn:ietf:params:oauth:token-type:id_token"
    auth = auth_file.read()
    assert auth["auth_mode"] == "chatgpt"
    assert auth["OPENAI_API_KEY"].startswith("sk-exchanged-")
    assert auth["tokens"]["account_id"] == idp.account_id
    assert auth_file.mode() == 0o600
    leaked = secrets_of(idp)
    for path in files_under(codex_home):
        if path.name != "auth.json":
            assert not [s for s in leaked if s in path.read_text(errors="replace")], path
    assert not [s for s in leaked if s in out + err + "".join(lines)]


def test_wrong_state_is_rejected_without_spending_the_code(tmp_path, codex_home, idp, auth_file):
    proc, url, _ = start_login(tmp_path, codex_home, idp)
    _, headers, _ = get(url)
    callback = headers["Location"]
    u = urllib.parse.urlsplit(callback)
    q = dict(urllib.parse.parse_qsl(u.query))
    forged = "%s://%s%s?%s" % (u.scheme, u.netloc, u.path,
                               urllib.parse.urlencode({"code": q["code"], "state": "forged"}))
    status, _, body = get(forged)
    assert status == 400 and "State mismatch" in body
    assert idp.find("/oauth/token") == []          # the code was not sent anywhere
    status, headers, _ = get(callback)             # the genuine callback still works
    assert status == 302
    get(headers["Location"])
    rc, _, err = finish(proc)
    assert rc == 0, err
    assert auth_file.read()["auth_mode"] == "chatgpt"


def test_denied_consent(tmp_path, codex_home, idp, auth_file):
    idp.consent = "deny"
    proc, url, _ = start_login(tmp_path, codex_home, idp)
    _, headers, _ = get(url)
    status, _, body = get(headers["Location"])
    assert status == 200 and "Sign-in could not be completed" in body
    assert "access_denied" in body
    rc, _, err = finish(proc)
    assert rc == 1
    assert "Error logging in: Sign-in failed: consent was denied" in err
    assert not auth_file.exists()
    assert idp.find("/oauth/token") == []


def test_token_endpoint_answering_html(tmp_path, codex_home, idp, auth_file):
    proc, url, _ = start_login(tmp_path, codex_home, idp)
    _, headers, _ = get(url)
    idp.consent = "html"
    status, _, body = get(headers["Location"])
    assert status == 200 and "Token exchange failed" in body
    rc, _, err = finish(proc)
    assert rc == 1
    errors = [l for l in err.splitlines() if l.startswith("Error")]
    assert len(errors) == 1 and "HTML" in errors[0], err
    assert not auth_file.exists()


def test_ctrl_c_cancels(tmp_path, codex_home, idp, auth_file):
    proc, url, _ = start_login(tmp_path, codex_home, idp)
    proc.send_signal(signal.SIGINT)
    rc, _, err = finish(proc)
    assert rc == 130 and "Login was not completed" in err
    assert not auth_file.exists()


def test_a_second_login_takes_over_the_port(tmp_path, codex_home, idp, auth_file):
    first, url1, _ = start_login(tmp_path, codex_home, idp)
    port1 = urllib.parse.urlsplit(
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url1).query))["redirect_uri"]).port
    second, url2, _ = start_login(tmp_path, codex_home, idp)
    rc, _, err = finish(first)
    assert rc == 1 and "Error logging in: Login cancelled" in err
    port2 = urllib.parse.urlsplit(
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url2).query))["redirect_uri"]).port
    assert port2 == port1
    second.send_signal(signal.SIGINT)
    finish(second)


def test_unknown_paths_and_early_success_are_not_served(tmp_path, codex_home, idp, auth_file):
    proc, url, _ = start_login(tmp_path, codex_home, idp)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    base = q["redirect_uri"].rsplit("/auth/callback", 1)[0]
    assert get(base + "/favicon.ico")[0] == 404
    assert get(base + "/success")[0] == 404   # no sign-in has happened
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    finish(proc)
