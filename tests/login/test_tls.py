"""CODEX_CA_CERTIFICATE (then SSL_CERT_FILE) for every HTTPS connection,
sign-in included; plain http only for a backend on this machine."""
import pytest


def device_login(run_codex, server, env):
    return run_codex("login", "--device-auth", "--experimental_issuer", server.base, env=env,
                     timeout=60)


def test_sign_in_trusts_codex_ca_certificate(run_codex, tls_idp, auth_file):
    r = device_login(run_codex, tls_idp, {"CODEX_CA_CERTIFICATE": str(tls_idp.ca)})
    assert r.returncode == 0, r.stderr
    assert auth_file.read()["auth_mode"] == "chatgpt"


def test_ssl_cert_file_is_the_fallback(run_codex, tls_idp, auth_file):
    r = device_login(run_codex, tls_idp, {"SSL_CERT_FILE": str(tls_idp.ca)})
    assert r.returncode == 0, r.stderr


def test_an_unknown_issuer_certificate_is_refused(run_codex, tls_idp, auth_file):
    r = device_login(run_codex, tls_idp, {"SSL_CERT_FILE": "", "CODEX_CA_CERTIFICATE": ""})
    assert r.returncode == 1
    assert "Error logging in" in r.stderr
    assert not auth_file.exists()
    assert tls_idp.requests == []


@pytest.mark.beyond_reference
def test_unreadable_ca_bundle_is_named(run_codex, tmp_path):
    missing = tmp_path / "nope.pem"
    r = run_codex("login", "status", env={"CODEX_CA_CERTIFICATE": str(missing)})
    assert r.returncode == 1
    assert "CODEX_CA_CERTIFICATE=%s: cannot read the CA bundle" % missing in r.stderr


@pytest.mark.beyond_reference
def test_chatgpt_tokens_never_go_over_plain_http_to_another_host(run_codex, idp, codex_home,
                                                                 auth_file, tmp_path):
    (codex_home / "config.toml").write_text(
        'model = "gpt-5.5"\nchatgpt_base_url = "http://chatgpt.example/backend-api/"\n')
    auth_file.write(idp.auth_json())
    r = run_codex("exec", "--skip-git-repo-check", "hi", cwd=tmp_path)
    assert r.returncode == 1
    assert "chatgpt_base_url must be an https:// URL" in r.stderr


@pytest.mark.beyond_reference
def test_a_backend_on_loopback_may_use_plain_http(run_codex, idp, chatgpt_config, auth_file,
                                                  tmp_path):
    chatgpt_config(idp)
    auth_file.write(idp.auth_json())
    r = run_codex("exec", "--skip-git-repo-check", "hi", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "signed in fine" in r.stdout
