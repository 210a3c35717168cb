"""`--listen unix://PATH` and bare `unix://`: WebSocket frames on a Unix
socket, as the reference's control socket speaks them.  The socket is the
owner's only, a live one is never stolen, a stale one is replaced, and it
goes away with the server."""
import os
import re
import signal
import socket
import stat
import subprocess

import pytest

from appserver import CODEX_BIN
from wsclient import WsClient


def start(env, url):
    proc = subprocess.Popen([str(CODEX_BIN), "app-server", "--listen", url],
                            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    line = ""
    while "listening on:" not in line:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError("server exited: %s" % proc.stderr.read())
    return proc, re.search(r"listening on: unix://(\S+)", line).group(1)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    err = proc.stderr.read()
    assert "ERROR: AddressSanitizer" not in err and "runtime error" not in err, err


@pytest.fixture
def sock_dir(tmp_path):
    # Short, so the path fits sun_path directly.
    d = tmp_path / "s"
    d.mkdir()
    return d


def test_session_over_a_unix_socket(server_env, sock_dir):
    path = sock_dir / "ctl.sock"
    proc, bound = start(server_env, "unix://%s" % path)
    assert bound == str(path)
    st = os.lstat(path)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    c = WsClient(str(path))
    assert c.status.startswith("HTTP/1.1 101")
    c.initialize()
    r = c.call("thread/list", {})
    assert "result" in r and r["result"]["data"] == []
    c.close()
    stop(proc)
    assert not path.exists()


def test_bare_unix_uses_the_control_socket_in_codex_home(server_env, codex_home):
    proc, bound = start(server_env, "unix://")
    expected = codex_home / "app-server-control" / "app-server-control.sock"
    assert bound == str(expected)
    c = WsClient(str(expected))
    c.initialize()
    c.close()
    stop(proc)
    assert not os.path.lexists(expected)


def test_a_live_socket_is_not_stolen(server_env, sock_dir):
    path = sock_dir / "ctl.sock"
    proc, _ = start(server_env, "unix://%s" % path)
    second = subprocess.run([str(CODEX_BIN), "app-server", "--listen", "unix://%s" % path],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=server_env, timeout=30)
    assert second.returncode == 1
    assert second.stderr.strip() == ("Error: app-server control socket is already in use at %s"
                                     % path)
    # The first server still answers.
    c = WsClient(str(path))
    c.initialize()
    c.close()
    stop(proc)


def test_a_stale_socket_is_replaced(server_env, sock_dir):
    path = sock_dir / "ctl.sock"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # bound, never listened on, closed: what a kill -9 leaves
    proc, _ = start(server_env, "unix://%s" % path)
    c = WsClient(str(path))
    c.initialize()
    c.close()
    stop(proc)


def test_a_regular_file_is_not_replaced(server_env, sock_dir):
    path = sock_dir / "notes.txt"
    path.write_text("keep me\n")
    r = subprocess.run([str(CODEX_BIN), "app-server", "--listen", "unix://%s" % path],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, env=server_env,
                       timeout=30)
    assert r.returncode == 1
    assert "exists and is not a socket" in r.stderr
    assert path.read_text() == "keep me\n"


def test_a_long_path_is_bound_through_a_symlink(server_env, tmp_path):
    deep = tmp_path / ("d" * 100) / ("e" * 40)
    deep.mkdir(parents=True)
    path = deep / "ctl.sock"
    assert len(str(path)) > 108
    proc, bound = start(server_env, "unix://%s" % path)
    assert bound == str(path) and os.path.islink(path)
    target = os.readlink(path)
    c = WsClient(str(path))
    c.initialize()
    c.close()
    stop(proc)
    assert not os.path.lexists(path) and not os.path.exists(target)


def test_a_relative_path_is_a_usage_error(server_env):
    r = subprocess.run([str(CODEX_BIN), "app-server", "--listen", "unix://rel.sock"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, env=server_env,
                       timeout=30)
    assert r.returncode == 2
    assert "must be absolute" in r.stderr
