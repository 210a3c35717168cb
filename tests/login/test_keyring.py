"""cli_auth_credentials_store: the Secret Service keyring, and auto falling
back to auth.json when no keyring answers.  The keyring tests run a private
D-Bus session with gnome-keyring when those are installed."""
import os
import shutil
import subprocess
import time

import pytest


def write_store(codex_home, mode):
    (codex_home / "config.toml").write_text('cli_auth_credentials_store = "%s"\n' % mode)


NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/codex-test-bus", "DISPLAY": ""}


def test_auto_falls_back_to_the_file_without_a_keyring(run_codex, codex_home):
    write_store(codex_home, "auto")
    r = run_codex("login", "--with-api-key", input="sk-auto-1234567890\n", env=NO_BUS)
    assert r.returncode == 0, r.stderr
    assert (codex_home / "auth.json").exists()
    r = run_codex("login", "status", env=NO_BUS)
    assert r.returncode == 0 and "sk-auto-***67890" in r.stderr


@pytest.mark.beyond_reference
def test_auto_logout_without_a_keyring(run_codex, codex_home):
    """The reference fails to log out here: the unreachable keyring's error
    wins over the file it could remove."""
    write_store(codex_home, "auto")
    run_codex("login", "--with-api-key", input="sk-auto-1234567890\n", env=NO_BUS)
    r = run_codex("logout", env=NO_BUS)
    assert r.returncode == 0 and "Successfully logged out" in r.stderr
    assert not (codex_home / "auth.json").exists()


@pytest.mark.beyond_reference
def test_keyring_mode_without_a_keyring_fails_clearly(run_codex, codex_home):
    write_store(codex_home, "keyring")
    r = run_codex("login", "--with-api-key", input="sk-kr-1234567890\n", env=NO_BUS)
    assert r.returncode == 1
    assert "keyring" in r.stderr.lower() or "libsecret" in r.stderr
    assert not (codex_home / "auth.json").exists()


def test_unknown_store_is_refused(run_codex, codex_home):
    write_store(codex_home, "vault")
    r = run_codex("login", "status")
    assert r.returncode == 1
    assert "config.toml:1:" in r.stderr and "vault" in r.stderr


@pytest.fixture
def keyring_session(tmp_path):
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("dbus-daemon and gnome-keyring-daemon are needed for a private keyring")
    home = tmp_path / "krhome"
    home.mkdir()
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = bus.stdout.readline().strip()
    env = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime),
           "HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    keyring = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock",
                                "--components=secrets"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    keyring.stdin.write(b"test-password")
    keyring.stdin.close()
    time.sleep(0.5)
    yield {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime),
           "DISPLAY": ""}
    for p in (keyring, bus):
        p.kill()
        p.wait()


@pytest.mark.parametrize("mode", ["keyring", "auto"])
def test_credentials_live_in_the_keyring(run_codex, codex_home, keyring_session, mode):
    write_store(codex_home, mode)
    r = run_codex("login", "--with-api-key", input="sk-keyring-1234567890\n",
                  env=keyring_session)
    assert r.returncode == 0, r.stderr
    assert not (codex_home / "auth.json").exists()
    r = run_codex("login", "status", env=keyring_session)
    assert r.returncode == 0 and "sk-keyri***67890" in r.stderr
    # The entry the reference would find: service "Codex Auth", account cli|<hash>.
    if shutil.which("secret-tool"):
        import hashlib
        key = "cli|" + hashlib.sha256(str(codex_home.resolve()).encode()).hexdigest()[:16]
        env = dict(os.environ, **keyring_session)
        out = subprocess.run(["secret-tool", "lookup", "service", "Codex Auth", "username", key],
                             env=env, capture_output=True, text=True).stdout
        assert '"OPENAI_API_KEY":"sk-keyring-1234567890"' in out
    r = run_codex("logout", env=keyring_session)
    assert r.returncode == 0 and "Successfully logged out" in r.stderr
    r = run_codex("login", "status", env=keyring_session)
    assert r.returncode == 1 and "Not logged in" in r.stderr
