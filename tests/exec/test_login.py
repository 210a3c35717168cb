"""codex login --with-api-key / login status / logout."""
import json
import os
import stat


def test_login_status_logout_cycle(run_codex, codex_home):
    r = run_codex("login", "status")
    assert r.returncode == 1 and "Not logged in" in r.stderr
    r = run_codex("login", "--with-api-key", input="  sk-test-1234567890abcdef \n")
    assert r.returncode == 0, r.stderr
    auth = codex_home / "auth.json"
    assert json.loads(auth.read_text()) == {"auth_mode": "apikey",
                                            "OPENAI_API_KEY": "sk-test-1234567890abcdef"}
    assert stat.S_IMODE(os.stat(auth).st_mode) == 0o600
    r = run_codex("login", "status")
    assert r.returncode == 0
    assert "API key configured - sk-test-***bcdef" in r.stderr
    assert "1234567890" not in r.stderr + r.stdout
    r = run_codex("logout")
    assert r.returncode == 0 and "Successfully logged out" in r.stderr
    assert not auth.exists()
    r = run_codex("logout")
    assert r.returncode == 0 and "Not logged in" in r.stderr


def test_empty_key_is_refused(run_codex, codex_home):
    r = run_codex("login", "--with-api-key", input="\n")
    assert r.returncode == 1 and "No API key provided via stdin." in r.stderr
    assert not (codex_home / "auth.json").exists()


def test_stored_key_is_used_for_openai(exec_run, codex_home, run_codex):
    run_codex("login", "--with-api-key", input="sk-stored\n")
    script = [[{"type": "message", "text": "ok"}]]
    top = 'openai_base_url = "http://127.0.0.1:PORT/v1"'
    # Point the built-in openai provider at the mock through openai_base_url.
    r, server, _ = exec_run(script, "x", top="")
    port = server.port
    (codex_home / "config.toml").write_text(
        top.replace("PORT", str(port)) + '\nmodel = "gpt-5.5"\n')
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "x", input="",
                  env={"OPENAI_API_KEY": ""})
    assert r.returncode == 0, r.stderr
    auth = server.requests()[-1]["headers"]
    assert {k.lower(): v for k, v in auth.items()}["authorization"] == "Bearer sk-stored"
