"""OAuth for streamable HTTP servers, against an authorization server the
tests own (servers/oauth_server.py): `codex mcp login` discovers it
(RFC 9728, RFC 8414), registers a client, runs authorization code + PKCE
through the loopback callback, stores the tokens 0600; sessions send the
token and refresh it after a 401; `codex mcp logout` forgets it."""
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from mcp_helpers import call

HERE = pathlib.Path(__file__).resolve().parent
SERVER = HERE / "servers" / "oauth_server.py"
DONE = [{"type": "message", "text": "done"}]


@pytest.fixture
def oauth_server(tmp_path):
    port_file, log = tmp_path / "oauth_port", tmp_path / "oauth.log"
    p = subprocess.Popen([sys.executable, str(SERVER), "--port-file", str(port_file), "--log", str(log)])
    for _ in range(400):
        if port_file.exists():
            break
        time.sleep(0.025)
    yield int(port_file.read_text()), log
    p.kill()
    p.wait()


def entries(log):
    return [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []


def codex_env(codex_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "CODEX_HOME": str(codex_home), "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}


def login(codex_bin, env, name="web", extra=()):
    """Run `codex mcp login`, play the browser (follow the printed URL to the
    callback), return (rc, stdout, stderr, the URL)."""
    p = subprocess.Popen([codex_bin, "mcp", "login", name, "--no-browser", *extra], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith("http://"):
            url = line.strip()
            break
    if url:
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "Signed in" in page
    out, err = p.communicate(timeout=30)
    return p.returncode, "".join(lines) + out, err, url


def reference_store_key(name, url):
    """The reference's .credentials.json key: the name and 16 hex digits of
    the SHA-256 of its compact JSON {"type":"http","url":URL,"headers":{}}
    (found by asking 0.169's `mcp logout` which of two spellings it removes)."""
    payload = json.dumps({"type": "http", "url": url, "headers": {}}, separators=(",", ":"))
    return name + "|" + hashlib.sha256(payload.encode()).hexdigest()[:16]


def test_credentials_written_by_the_reference_are_used_and_removed(run_codex, codex_home):
    url = "http://127.0.0.1:9/mcp"
    (codex_home / "config.toml").write_text(f'[mcp_servers.docs]\nurl = "{url}"\n')
    creds = codex_home / ".credentials.json"
    # As 0.169 writes it (compact, its key, expires_at in milliseconds), with
    # a second server's entry that must survive.
    later_ms = int(time.time() * 1000) + 3600 * 1000
    other = {"server_name": "other", "server_url": "http://x/mcp", "client_id": "c",
             "access_token": "o", "expires_at": later_ms, "refresh_token": None, "scopes": []}
    creds.write_text(json.dumps({
        reference_store_key("docs", url): {
            "server_name": "docs", "server_url": url, "client_id": "cid", "access_token": "at",
            "expires_at": later_ms, "refresh_token": "rt", "scopes": ["a"]},
        reference_store_key("other", "http://x/mcp"): other}, separators=(",", ":")))
    creds.chmod(0o600)
    listing = run_codex("mcp", "list", "--json")
    assert json.loads(listing.stdout)[0]["auth_status"] == "o_auth"
    r = run_codex("mcp", "logout", "docs")
    assert r.returncode == 0 and "Removed OAuth credentials for 'docs'." in r.stdout
    assert list(json.loads(creds.read_text()).values()) == [other]


def test_login_discovers_registers_and_stores_tokens(run_codex, codex_home, tmp_path, oauth_server):
    port, log = oauth_server
    r = run_codex("mcp", "add", "web", "--url", f"http://127.0.0.1:{port}/mcp")
    assert r.returncode == 0, r.stderr
    rc, out, err, url = login(os.environ.get("CODEX_BIN", "build/asan/codex"), codex_env(codex_home, tmp_path))
    assert rc == 0, err
    assert "Successfully logged in to MCP server 'web'." in out
    seen = entries(log)
    paths = [e["path"] for e in seen]
    assert paths.index("/.well-known/oauth-protected-resource/mcp") < paths.index("/register")
    assert paths.index("/register") < paths.index("/authorize") < paths.index("/token")
    auth = next(e for e in seen if e["path"] == "/authorize")["query"]
    assert auth["code_challenge_method"] == "S256" and len(auth["code_challenge"]) == 43
    assert auth["scope"] == "tools.read tools.call"  # the resource's scopes_supported
    assert auth["redirect_uri"].startswith("http://127.0.0.1:") and auth["redirect_uri"].endswith("/callback")
    token = next(e for e in seen if e["path"] == "/token")["form"]
    assert token["grant_type"] == "authorization_code"  # verifier checked by the server
    creds = codex_home / ".credentials.json"
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    stored = json.loads(creds.read_text())
    ((key, entry),) = stored.items()
    assert entry["access_token"] == "at-2" and entry["refresh_token"] == "rt-2"
    assert entry["server_name"] == "web"
    assert key == reference_store_key("web", f"http://127.0.0.1:{port}/mcp")
    # expires_at in milliseconds, as the reference writes and reads it.
    assert abs(entry["expires_at"] - time.time() * 1000) < 86400 * 1000
    listing = run_codex("mcp", "list", "--json")
    assert json.loads(listing.stdout)[0]["auth_status"] == "o_auth"
    r = run_codex("mcp", "logout", "web")
    assert r.returncode == 0 and "Removed OAuth credentials for 'web'." in r.stdout
    assert not creds.exists(), "the last entry gone, the file goes, as in the reference"
    r = run_codex("mcp", "logout", "web")
    assert r.returncode == 0 and "No OAuth credentials stored for 'web'." in r.stdout


def test_scopes_flag_and_a_refused_state(run_codex, codex_home, tmp_path, oauth_server):
    port, log = oauth_server
    run_codex("mcp", "add", "web", "--url", f"http://127.0.0.1:{port}/mcp")
    env = codex_env(codex_home, tmp_path)
    bin_ = os.environ.get("CODEX_BIN", "build/asan/codex")
    p = subprocess.Popen([bin_, "mcp", "login", "web", "--no-browser", "--scopes", "only.this"], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    for line in p.stdout:
        if line.startswith("http://"):
            url = line.strip()
            break
    assert "scope=only.this" in url
    # A pasted redirect with someone else's state is refused, and nothing is stored.
    redirect = url.split("redirect_uri=")[1].split("&")[0]
    redirect = urllib.parse.unquote(redirect)
    out, err = p.communicate(input=redirect + "?code=forged&state=not-ours\n", timeout=30)
    assert p.returncode == 1
    assert "state" in err
    assert not (codex_home / ".credentials.json").exists()


def test_sessions_send_the_token_and_refresh_it_after_a_401(mcp_exec, run_codex, codex_home,
                                                          tmp_path, oauth_server):
    port, log = oauth_server
    servers = f'[mcp_servers.web]\nurl = "http://127.0.0.1:{port}/mcp"\n'
    (codex_home / "config.toml").write_text(servers)
    rc, _, err, _ = login(os.environ.get("CODEX_BIN", "build/asan/codex"), codex_env(codex_home, tmp_path))
    assert rc == 0, err
    script = [[call("echo", {"message": "hi"}, "c1", namespace="mcp__web")], DONE]
    r, mock, _ = mcp_exec(script, servers)
    assert r.returncode == 0, r.stderr
    used = {e["token"] for e in entries(log) if e["path"] == "/mcp" and e["method"] == "POST"}
    assert used == {"at-2"}
    # Every token dies: the next session gets a 401, refreshes, and goes on.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/revoke-all", data=b"",
                                                  method="POST"), timeout=10)
    before = len(entries(log))
    r, mock, _ = mcp_exec(script, servers)
    assert r.returncode == 0, r.stderr
    later = entries(log)[before:]
    refresh = [e for e in later if e["path"] == "/token"]
    assert refresh and refresh[0]["form"]["grant_type"] == "refresh_token"
    assert refresh[0]["form"]["refresh_token"] == "rt-2"
    assert any(e["path"] == "/mcp" and e.get("token") == "at-3" for e in later)
    stored = next(iter(json.loads((codex_home / ".credentials.json").read_text()).values()))
    assert stored["access_token"] == "at-3" and stored["refresh_token"] == "rt-3"


def test_mcp_oauth_callback_port_and_url(run_codex, codex_home, tmp_path, oauth_server):
    import socket
    port, log = oauth_server
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    (codex_home / "config.toml").write_text(
        f'mcp_oauth_callback_port = {free}\n\n[mcp_servers.web]\nurl = "http://127.0.0.1:{port}/mcp"\n')
    rc, out, err, url = login(os.environ.get("CODEX_BIN", "build/asan/codex"), codex_env(codex_home, tmp_path))
    assert rc == 0, err
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{free}%2Fcallback" in url
    # An announced redirect URL replaces the loopback one (a proxy forwards it).
    (codex_home / "config.toml").write_text(
        f'mcp_oauth_callback_port = {free}\nmcp_oauth_callback_url = "https://relay.example/cb"\n\n'
        f'[mcp_servers.web]\nurl = "http://127.0.0.1:{port}/mcp"\n')
    bin_ = os.environ.get("CODEX_BIN", "build/asan/codex")
    p = subprocess.Popen([bin_, "mcp", "login", "web", "--no-browser"], env=codex_env(codex_home, tmp_path),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.startswith("http://"):
            assert "redirect_uri=https%3A%2F%2Frelay.example%2Fcb" in line
            break
    # The code still arrives on the configured port.
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(line.strip()).query)["state"][0]
    urllib.request.urlopen(f"http://127.0.0.1:{free}/callback?code=x&state={state}", timeout=10).read()
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "token endpoint refused" in err  # the code was not one it issued
    (codex_home / "config.toml").write_text('mcp_oauth_callback_port = 70000\n\n[mcp_servers.web]\n'
                                            f'url = "http://127.0.0.1:{port}/mcp"\n')
    r = run_codex("mcp", "login", "web", "--no-browser")
    assert r.returncode == 1 and "mcp_oauth_callback_port must be a port number" in r.stderr
