"""The escape suite: every way out we know of must be closed.

Each test first shows the operation works without the sandboxing
(danger-full-access, or the host itself), so the test can fail, then that
workspace-write (or read-only) denies it, checking the host's state rather
than only an exit status."""
import fcntl
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time

import pytest

from sandbox_support import CODEX_BIN, SPAWN_TOOL, have_bwrap, pipeline, sbx, unique, without_sys_admin  # noqa: F401

PY = "/usr/bin/python3"


def must_deny(r, path=None):
    assert r.returncode != 0, (r.stdout, r.stderr)
    if path is not None:
        assert not pathlib.Path(path).exists(), f"{path} was created"


# ---- writes outside the writable roots -------------------------------------

def test_write_outside_direct(sbx, pipeline):
    target = sbx.outside / "direct"
    ok = sbx.sandbox(f"echo x > {target}", mode="danger-full-access", pipeline=pipeline)
    assert ok.returncode == 0 and target.exists()
    target.unlink()
    must_deny(sbx.sandbox(f"echo x > {target}", pipeline=pipeline), target)


def test_write_outside_via_dotdot(sbx, pipeline):
    target = sbx.outside / "dotdot"
    must_deny(sbx.sandbox("echo x > ../outside/dotdot", pipeline=pipeline), target)
    assert sbx.sandbox("echo x > ../outside/dotdot", mode="danger-full-access",
                       pipeline=pipeline).returncode == 0
    assert target.exists()


def test_write_outside_via_symlink_made_inside(sbx, pipeline):
    target = sbx.outside / "vialink"
    (sbx.ws / "sub").mkdir()
    r = sbx.sandbox(f"ln -s {sbx.outside} sub/link && echo x > sub/link/vialink", pipeline=pipeline)
    must_deny(r, target)
    # The link itself could be made (the root is writable): the write through it failed.
    assert (sbx.ws / "sub" / "link").is_symlink()
    ok = sbx.sandbox("echo x > sub/link/vialink", mode="danger-full-access", pipeline=pipeline)
    assert ok.returncode == 0 and target.exists()


def test_write_outside_via_hard_link(sbx, pipeline):
    victim = sbx.outside / "victim"
    victim.write_text("original\n")
    r = sbx.sandbox(f"ln {victim} hl; echo changed > hl; cat {victim}", pipeline=pipeline)
    assert victim.read_text() == "original\n"
    assert not (sbx.ws / "hl").exists() or (sbx.ws / "hl").stat().st_ino != victim.stat().st_ino
    ok = sbx.sandbox(f"ln {victim} hl2 && echo changed > hl2", mode="danger-full-access",
                     pipeline=pipeline)
    assert ok.returncode == 0 and victim.read_text() == "changed\n"


def test_write_outside_via_proc_self_root(sbx, pipeline):
    target = sbx.outside / "procroot"
    must_deny(sbx.sandbox(f"echo x > /proc/self/root{target}", pipeline=pipeline), target)
    ok = sbx.sandbox(f"echo x > /proc/self/root{target}", mode="danger-full-access", pipeline=pipeline)
    assert ok.returncode == 0 and target.exists()


def test_write_outside_via_proc_pid_cwd(sbx, pipeline):
    """A process outside the sandbox whose cwd is outside the roots."""
    target = sbx.outside / "pidcwd"
    sleeper = subprocess.Popen(["sleep", "60"], cwd=sbx.outside)
    try:
        cmd = f"echo x > /proc/{sleeper.pid}/cwd/pidcwd"
        must_deny(sbx.sandbox(cmd, pipeline=pipeline), target)
        ok = sbx.sandbox(cmd, mode="danger-full-access", pipeline=pipeline)
        assert ok.returncode == 0 and target.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def _high_fd(path):
    """A directory fd numbered above anything pytest or the sandbox uses."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 60)
    os.close(fd)
    return high


def test_inherited_directory_descriptor_reaches_nothing(sbx, pipeline):
    """A directory fd codex's own caller left open must not carry the
    command past the mount view (/proc/self/fd/N/...)."""
    fd = _high_fd(sbx.outside)
    try:
        args = [str(CODEX_BIN), "sandbox"] + (["landlock"] if pipeline.startswith("landlock") else [])
        if pipeline == "landlock-narrow":
            args = without_sys_admin(args)
        env = sbx.env()

        def attempt(mode, name):
            return subprocess.run(args + ["-c", f"sandbox_mode={mode}", "--", "/bin/sh", "-c",
                                          f"echo x > /proc/self/fd/{fd}/{name}"],
                                  pass_fds=(fd,), cwd=sbx.ws, env=env, capture_output=True, text=True,
                                  timeout=60)
        r = attempt("workspace-write", "leak")
        assert r.returncode != 0 and not (sbx.outside / "leak").exists()
        ok = attempt("danger-full-access", "control")
        assert ok.returncode == 0 and (sbx.outside / "control").exists()
    finally:
        os.close(fd)


@pytest.mark.skipif(not SPAWN_TOOL.exists(), reason="build/tests/sandbox_spawn not built")
def test_inherited_descriptor_with_a_hookless_spawner(sbx):
    fd = _high_fd(sbx.outside)
    try:
        r = subprocess.run([str(SPAWN_TOOL), "-H", "-p", "bwrap", "--", "/bin/sh", "-c",
                            f"echo x > /proc/self/fd/{fd}/leak"], pass_fds=(fd,), cwd=sbx.ws, env=sbx.env(),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and not (sbx.outside / "leak").exists()
    finally:
        os.close(fd)


def test_read_only_mode_denies_cwd_and_tmp(sbx, pipeline, unique):
    tmp_target = pathlib.Path(f"/tmp/codex-sbx-ro-{unique}")
    r = sbx.sandbox(f"echo x > inside; echo x > {tmp_target}", mode="read-only", pipeline=pipeline)
    must_deny(r, sbx.ws / "inside")
    assert not tmp_target.exists()


def test_excluded_tmp_is_not_writable(sbx, pipeline, unique):
    tmp_target = pathlib.Path(f"/tmp/codex-sbx-ex-{unique}")
    tmpdir = sbx.base / "tmpdir"
    tmpdir.mkdir()
    cfg = ["sandbox_workspace_write.exclude_slash_tmp=true",
           "sandbox_workspace_write.exclude_tmpdir_env_var=true"]
    r = sbx.sandbox(f"echo x > {tmp_target}", pipeline=pipeline, config=cfg,
                    env={"TMPDIR": str(tmpdir)})
    must_deny(r, tmp_target)
    r = sbx.sandbox(f"echo x > {tmpdir}/f", pipeline=pipeline, config=cfg, env={"TMPDIR": str(tmpdir)})
    must_deny(r, tmpdir / "f")
    # Without the exclusions both are writable (below the top level, for
    # the narrowed Landlock pipeline).
    (tmpdir / "sub").mkdir()
    r = sbx.sandbox(f"echo x > {tmpdir}/sub/f", pipeline=pipeline, env={"TMPDIR": str(tmpdir)})
    assert r.returncode == 0 and (tmpdir / "sub" / "f").exists()


# ---- protected paths ---------------------------------------------------------

PROTECTED = [".git", ".codex", ".agents", ".aws"]


@pytest.mark.parametrize("name", PROTECTED)
def test_existing_protected_dir_is_read_only(sbx, pipeline, name):
    d = sbx.ws / name
    (d / "sub").mkdir(parents=True)
    (d / "config").write_text("original\n")
    attempts = [
        f"echo evil > {name}/config",
        f"echo evil > {name}/new",
        f"echo evil > {name}/sub/deep",
        f"mkdir {name}/hooks",
        f"mv {name} moved",
        f"rm -rf {name}",
    ]
    # One sandboxed shell tries them all and reports each status.
    script = "; ".join(f"( {a} ) 2>/dev/null; echo \"$?\"" for a in attempts)
    r = sbx.sandbox(script, pipeline=pipeline)
    statuses = r.stdout.split()
    assert len(statuses) == len(attempts), r.stdout + r.stderr
    for attempt, status in zip(attempts, statuses):
        assert status != "0", attempt
    assert (d / "config").read_text() == "original\n"
    assert d.is_dir() and not (d / "new").exists() and not (d / "sub" / "deep").exists()
    assert not (d / "hooks").exists() and not (sbx.ws / "moved").exists()
    ok = sbx.sandbox(f"echo evil > {name}/config", mode="danger-full-access", pipeline=pipeline)
    assert ok.returncode == 0 and (d / "config").read_text() == "evil\n"


@pytest.mark.parametrize("name", PROTECTED)
def test_missing_protected_name_cannot_be_created(sbx, pipeline, name):
    attempts = [f"mkdir {name}", f"echo x > {name}", f"mkdir -p {name}/hooks"]
    script = "; ".join(f"( {a} ) 2>/dev/null; echo \"$?\"" for a in attempts)
    r = sbx.sandbox(script, pipeline=pipeline)
    statuses = r.stdout.split()
    assert len(statuses) == len(attempts), r.stdout + r.stderr
    for attempt, status in zip(attempts, statuses):
        assert status != "0", attempt
    # Nothing is left behind in the workspace either.
    assert sorted(p.name for p in sbx.ws.iterdir()) == []
    ok = sbx.sandbox(f"mkdir {name}", mode="danger-full-access", pipeline=pipeline)
    assert ok.returncode == 0 and (sbx.ws / name).is_dir()


def test_dot_git_file_protects_the_resolved_gitdir(sbx, pipeline):
    gitdir = sbx.base / "real-gitdir"
    (gitdir / "hooks").mkdir(parents=True)
    (sbx.ws / ".git").write_text(f"gitdir: {gitdir}\n")
    # The resolved gitdir is inside another writable root, so only the
    # protection of the pointer target keeps it read-only.
    cfg = [f'sandbox_workspace_write.writable_roots=["{sbx.base}"]']
    r = sbx.sandbox(f"echo evil > {gitdir}/hooks/pre-commit", pipeline=pipeline, config=cfg)
    must_deny(r, gitdir / "hooks" / "pre-commit")
    r = sbx.sandbox("echo evil > .git", pipeline=pipeline, config=cfg)
    assert r.returncode != 0
    assert (sbx.ws / ".git").read_text() == f"gitdir: {gitdir}\n"
    ok = sbx.sandbox(f"echo ok > {sbx.outside}/elsewhere", pipeline=pipeline, config=cfg)
    assert ok.returncode == 0


def test_protected_names_in_extra_roots_and_tmpdir(sbx, pipeline):
    extra = sbx.base / "extra"
    tmpdir = sbx.base / "tmpdir"
    for d in (extra, tmpdir):
        (d / ".git").mkdir(parents=True)
    cfg = [f'sandbox_workspace_write.writable_roots=["{extra}"]']
    env = {"TMPDIR": str(tmpdir)}
    for d in (extra, tmpdir):
        r = sbx.sandbox(f"echo x > {d}/.git/config", pipeline=pipeline, config=cfg, env=env)
        must_deny(r, d / ".git" / "config")
        r = sbx.sandbox(f"mkdir {d}/.codex", pipeline=pipeline, config=cfg, env=env)
        must_deny(r, d / ".codex")
    if pipeline != "landlock-narrow":
        r = sbx.sandbox(f"echo x > {extra}/file && echo y > {tmpdir}/file", pipeline=pipeline,
                        config=cfg, env=env)
        assert r.returncode == 0, r.stderr


def test_slash_tmp_protected_names(sbx, pipeline):
    absent = [n for n in PROTECTED if not os.path.lexists(f"/tmp/{n}")]
    if not absent:
        pytest.skip("every protected name already exists in /tmp on this machine")
    name = absent[0]
    r = sbx.sandbox(f"mkdir /tmp/{name} || echo x > /tmp/{name}/f", pipeline=pipeline)
    assert r.returncode != 0
    assert not os.path.exists(f"/tmp/{name}/f")
    ok = sbx.sandbox(f"test -d /tmp/{name} || echo x > /tmp/{name}", mode="danger-full-access",
                     pipeline=pipeline)
    assert ok.returncode == 0
    os.remove(f"/tmp/{name}")


def test_placeholders_are_removed_after_the_command(sbx, pipeline):
    r = sbx.sandbox("ls -a; echo done", pipeline=pipeline)
    assert r.returncode == 0
    assert sorted(p.name for p in sbx.ws.iterdir()) == []


# ---- network -----------------------------------------------------------------

class _Listener:
    def __init__(self, sock):
        self.sock = sock
        self.stopped = False

    def getsockname(self):
        return self.sock.getsockname()


def _tcp_listener(family=socket.AF_INET, addr="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(8)
    s.settimeout(0.2)
    accepted = []
    wrapper = _Listener(s)

    def loop():
        while not wrapper.stopped:
            try:
                c, _ = s.accept()
                accepted.append(1)
                c.close()
            except OSError:
                pass
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    return wrapper, accepted


def _stop(listener):
    listener.stopped = True
    listener.sock.close()


@pytest.mark.parametrize("family,addr", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def test_tcp_connect_denied(sbx, pipeline, family, addr):
    try:
        s, accepted = _tcp_listener(family, addr)
    except OSError as e:
        pytest.skip(f"cannot listen on {addr}: {e}")
    port = s.getsockname()[1]
    fam = "AF_INET6" if family == socket.AF_INET6 else "AF_INET"
    code = (f"import socket; s=socket.socket(socket.{fam}); s.settimeout(3); "
            f"s.connect(('{addr}', {port})); print('connected')")
    try:
        r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code])
        assert r.returncode != 0 and "connected" not in r.stdout
        ok = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code],
                         config=["sandbox_workspace_write.network_access=true"])
        assert ok.returncode == 0 and "connected" in ok.stdout, ok.stderr
    finally:
        _stop(s)


def test_udp_and_dns_query_denied(sbx, pipeline):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(2)
    port = u.getsockname()[1]
    # A DNS query for example.com, sent the way a resolver does.
    query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"
    code = (f"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
            f"s.sendto({query!r}, ('127.0.0.1', {port})); print('sent')")
    try:
        r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code])
        assert r.returncode != 0 and "sent" not in r.stdout
        with pytest.raises(socket.timeout):
            u.settimeout(0.3)
            u.recvfrom(512)
        ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline, argv=[PY, "-c", code])
        assert ok.returncode == 0
        u.settimeout(2)
        assert u.recvfrom(512)[0] == query
    finally:
        u.close()


def test_raw_and_packet_sockets_denied(sbx, pipeline):
    code = ("import socket\n"
            "for fam, typ, proto in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),"
            " (socket.AF_PACKET, socket.SOCK_RAW, 0), (socket.AF_NETLINK, socket.SOCK_RAW, 0)]:\n"
            "    try:\n"
            "        socket.socket(fam, typ, proto); print('opened', fam)\n"
            "    except OSError as e:\n"
            "        print('denied', fam, e.errno)\n")
    r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code])
    assert "opened" not in r.stdout and r.stdout.count("denied") == 3, r.stdout + r.stderr
    ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline, argv=[PY, "-c", code])
    assert "opened" in ok.stdout


def test_unix_sockets_reach_nothing(sbx, pipeline, unique):
    path = str(sbx.outside / "docker.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind(f"\0codex-sbx-{unique}")
    abstract.listen(4)
    code = ("import socket,sys\n"
            "for a in sys.argv[1:]:\n"
            "    s = socket.socket(socket.AF_UNIX)\n"
            "    try:\n"
            "        s.connect(a.replace('@', '\\0')); print('connected', a)\n"
            "    except OSError as e:\n"
            "        print('denied', a, e.errno)\n"
            "p = socket.socketpair(); p[0].send(b'x'); print('pair', p[1].recv(1))\n")
    args = [PY, "-c", code, path, f"@codex-sbx-{unique}"]
    try:
        r = sbx.sandbox("", pipeline=pipeline, argv=args)
        assert "connected" not in r.stdout and r.stdout.count("denied") == 2, r.stdout + r.stderr
        ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline, argv=args)
        assert ok.stdout.count("connected") == 2
    finally:
        srv.close()
        abstract.close()


def test_unix_datagram_to_named_socket_denied(sbx, pipeline):
    path = str(sbx.outside / "log.sock")
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d.bind(path)
    d.settimeout(0.3)
    code = ("import socket,sys\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
            "s.sendmsg([b'hi'], [], 0, sys.argv[1]); print('sent')\n")
    try:
        r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code, path])
        assert "sent" not in r.stdout
        with pytest.raises(socket.timeout):
            d.recv(16)
        ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline, argv=[PY, "-c", code, path])
        assert "sent" in ok.stdout
    finally:
        d.close()


# ---- proxy-only egress (a permission profile behind the managed proxy) --------

PROXY_PROFILE = """default_permissions = "net"
[features]
network_proxy = true
[permissions.net.filesystem]
":root" = "read"
":project_roots" = "write"
[permissions.net.network]
enabled = true
enable_socks5_udp = true
[permissions.net.network.domains]
"allowed.test" = "allow"
"""


@pytest.fixture
def proxied(sbx):
    (sbx.home / ".codex-home" / "config.toml").write_text(PROXY_PROFILE)
    return sbx


def _proxy_run(sbx, code, pipeline, *args):
    return sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code] + [str(a) for a in args])


def test_proxied_command_cannot_reach_host_listeners(proxied, pipeline):
    """The command's namespace holds only loopback and the proxy's listeners:
    the host's own listeners are elsewhere, over TCP and UDP alike."""
    s, accepted = _tcp_listener()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(0.5)
    code = ("import socket,sys\n"
            "t = socket.socket(); t.settimeout(3)\n"
            "try:\n    t.connect(('127.0.0.1', int(sys.argv[1]))); print('tcp connected')\n"
            "except OSError as e:\n    print('tcp', e.errno)\n"
            "d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "d.sendto(b'leak', ('127.0.0.1', int(sys.argv[2]))); print('udp sent')\n"
            "try:\n    t2 = socket.socket(); t2.settimeout(3); t2.connect(('10.255.255.1', 80)); print('out connected')\n"
            "except OSError as e:\n    print('out', e.errno)\n")
    try:
        r = _proxy_run(proxied, code, pipeline, s.getsockname()[1], u.getsockname()[1])
        assert "tcp 111" in r.stdout, r.stdout + r.stderr  # ECONNREFUSED: nothing listens there
        assert "out 101" in r.stdout  # ENETUNREACH: no route but loopback
        assert not accepted
        with pytest.raises(socket.timeout):
            u.recvfrom(16)
        ok = proxied.sandbox("", pipeline=pipeline, argv=[PY, "-c", code, str(s.getsockname()[1]),
                                                          str(u.getsockname()[1])],
                             config=["default_permissions=\":danger-no-sandbox\""])
        assert "tcp connected" in ok.stdout, ok.stdout + ok.stderr
    finally:
        _stop(s)
        u.close()


def test_proxied_command_sees_only_loopback(proxied, pipeline):
    code = "import socket; print(sorted(n for _, n in socket.if_nameindex()))"
    r = _proxy_run(proxied, code, pipeline)
    assert r.stdout.strip() == "['lo']", r.stdout + r.stderr


def test_proxied_command_cannot_use_unix_sockets(proxied, pipeline, unique):
    path = str(proxied.outside / "docker.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    code = ("import socket,sys\n"
            "try:\n    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print('connected')\n"
            "except OSError as e:\n    print('denied', e.errno)\n"
            "p = socket.socketpair(); p[0].send(b'x'); print('pair', p[1].recv(1))\n")
    try:
        r = _proxy_run(proxied, code, pipeline, path)
        assert "denied 1" in r.stdout and "pair b'x'" in r.stdout, r.stdout + r.stderr
    finally:
        srv.close()


def test_proxied_command_cannot_join_or_steal_namespaces(proxied, pipeline):
    """setns into codex's namespace, taking a descriptor from another
    process, raw sockets and other netlink families are all refused."""
    code = r"""
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/proc/self/ns/net", os.O_RDONLY)
print("setns", libc.setns(fd, 0), ctypes.get_errno())
pidfd = libc.syscall(434, os.getppid(), 0)
print("pidfd_getfd", libc.syscall(438, pidfd, 0, 0), ctypes.get_errno())
for fam, typ, proto in [(socket.AF_PACKET, socket.SOCK_RAW, 0), (socket.AF_NETLINK, socket.SOCK_RAW, 9),
                        (socket.AF_NETLINK, socket.SOCK_RAW, 15), (40, socket.SOCK_STREAM, 0)]:
    try:
        socket.socket(fam, typ, proto); print("opened", fam, proto)
    except OSError as e:
        print("denied", fam, proto, e.errno)
r = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print("route ok")
"""
    r = _proxy_run(proxied, code, pipeline)
    assert "setns -1 1" in r.stdout, r.stdout + r.stderr
    assert "pidfd_getfd -1 1" in r.stdout
    assert "opened" not in r.stdout and r.stdout.count("denied") == 4
    assert "route ok" in r.stdout  # getaddrinfo needs it; it sees only this namespace


def test_proxied_command_cannot_add_a_route_out(proxied, pipeline):
    r = proxied.sandbox("ip link add veth-esc type veth peer name veth-esc2 2>&1; echo rc=$?; "
                        "ip addr add 10.9.9.9/24 dev lo 2>&1; echo rc2=$?", pipeline=pipeline)
    assert "rc=0" not in r.stdout and "rc2=0" not in r.stdout, r.stdout


def test_the_proxy_refuses_to_reach_back_into_the_host(proxied, pipeline):
    """Through the proxy itself: local targets are refused, by name, by
    literal, and by an allowed name that resolves to loopback; only an exact
    IP literal entry opens one."""
    s, accepted = _tcp_listener()
    port = s.getsockname()[1]
    script = "; ".join(f'curl -s -o /dev/null -w "%{{http_code}}\\n" http://{h}:{port}/'
                       for h in ("localhost", "127.0.0.1", "allowed.test"))
    env = {"CODEX_NETWORK_PROXY_RESOLVE": "allowed.test=127.0.0.1"}
    try:
        r = proxied.sandbox(script, pipeline=pipeline, env=env)
        assert [l for l in r.stdout.split() if l.isdigit()] == ["403", "403", "403"], r.stdout + r.stderr
        assert not accepted
        ok = proxied.sandbox(script, pipeline=pipeline, env=env,
                             config=['permissions.net.network.domains."127.0.0.1"="allow"'])
        assert [l for l in ok.stdout.split() if l.isdigit()][1] == "000"  # reached: our listener just hangs up
        assert accepted
    finally:
        _stop(s)


def test_proxy_gone_means_no_network(proxied, pipeline):
    """A profile that wants the proxy runs nothing unproxied: when the proxy
    cannot start, the command does not run."""
    r = proxied.sandbox("echo ran", pipeline=pipeline,
                        env={"SSL_CERT_FILE": "/nonexistent/ca.pem"},
                        config=["permissions.net.network.mode=\"limited\""])
    assert "ran" not in r.stdout and r.returncode != 0, r.stdout + r.stderr
    assert "network proxy" in r.stderr


# ---- syscalls: io_uring, ptrace, mount, capabilities, signals ----------------

IO_URING = r"""
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
params = (ctypes.c_char * 120)()
fd = libc.syscall(425, 4, params)
print('fd', fd, 'errno', ctypes.get_errno())
"""


def test_io_uring_denied(sbx, pipeline):
    ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline, argv=[PY, "-c", IO_URING])
    if "errno 38" in ok.stdout or "fd -1" in ok.stdout:
        pytest.skip(f"io_uring is not usable on this host ({ok.stdout.strip()})")
    assert ok.stdout.startswith("fd ") and not ok.stdout.startswith("fd -1")
    r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", IO_URING])
    assert "fd -1 errno 1" in r.stdout, r.stdout + r.stderr


PTRACE = r"""
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
r = libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
print('attach', r, ctypes.get_errno())
"""


def test_ptrace_of_an_outside_process_and_the_parent_denied(sbx, pipeline):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", PTRACE, str(sleeper.pid)])
        assert "attach -1" in r.stdout, r.stdout + r.stderr
        # The sandboxed program's own parent (codex, or bwrap's init).
        r = sbx.sandbox("", pipeline=pipeline,
                        argv=["/bin/sh", "-c", f'exec {PY} -c "$1" $PPID', "sh", PTRACE])
        assert "attach -1" in r.stdout, r.stdout + r.stderr
        ok = sbx.sandbox("", mode="danger-full-access", pipeline=pipeline,
                         argv=[PY, "-c", PTRACE, str(sleeper.pid)])
        assert "attach 0" in ok.stdout, ok.stdout + ok.stderr
    finally:
        sleeper.kill()
        sleeper.wait()


def test_mount_denied(sbx, pipeline):
    (sbx.ws / "mnt").mkdir()
    cmd = "mount -t tmpfs none mnt && touch mnt/f && ls mnt"
    r = sbx.sandbox(cmd, pipeline=pipeline)
    assert r.returncode != 0
    r = sbx.sandbox("unshare -m sh -c 'mount -t tmpfs none mnt'", pipeline=pipeline)
    assert r.returncode != 0
    r = sbx.sandbox("mount -o remount,rw /", pipeline=pipeline)
    assert r.returncode != 0
    # The control runs with every capability codex itself has (the narrow
    # mode's own stand-in for a container drops CAP_SYS_ADMIN from codex).
    ok = sbx.sandbox("unshare -m sh -c 'mount -t tmpfs none mnt && touch mnt/f'",
                     mode="danger-full-access", pipeline="landlock" if pipeline == "landlock-narrow" else pipeline)
    if os.geteuid() != 0:
        pytest.skip("the control needs root")
    assert ok.returncode == 0, ok.stderr


def test_no_capabilities_and_no_new_privs(sbx, pipeline):
    probe = "grep -E '^(CapEff|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status"
    r = sbx.sandbox(probe, pipeline=pipeline)
    fields = dict(line.split(":\t") for line in r.stdout.strip().splitlines())
    assert fields["CapEff"] == "0000000000000000"
    assert fields["CapPrm"] == "0000000000000000"
    assert fields["NoNewPrivs"] == "1"
    assert fields["Seccomp"] == "2"
    r = sbx.sandbox("chroot / true", pipeline=pipeline)
    assert r.returncode != 0
    if os.geteuid() == 0:
        ok = sbx.sandbox(probe, mode="danger-full-access", pipeline=pipeline)
        assert "CapEff:\t0000000000000000" not in ok.stdout
        assert sbx.sandbox("chroot / true", mode="danger-full-access").returncode == 0


def test_sysctls_are_read_only(sbx, pipeline):
    """Run as root with no capabilities, a fresh procfs still lets one write
    sysctls (kernel.core_pattern would run a program on the host).  The
    probe writes a sysctl's current value back, which changes nothing."""
    knob = "/proc/sys/kernel/printk_ratelimit"
    cmd = f"v=$(cat {knob}) && echo $v > {knob}"
    r = sbx.sandbox(cmd, pipeline=pipeline)
    assert r.returncode != 0, "a sysctl was writable inside the sandbox"
    if os.geteuid() != 0:
        pytest.skip("the control needs root")
    ok = sbx.sandbox(cmd, mode="danger-full-access", pipeline=pipeline)
    if ok.returncode != 0:
        pytest.skip(f"sysctls are read-only on this host already ({ok.stderr.strip()})")


def test_cannot_kill_outside_processes(sbx, pipeline):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        r = sbx.sandbox(f"kill -TERM {sleeper.pid}", pipeline=pipeline)
        assert r.returncode != 0
        time.sleep(0.1)
        assert sleeper.poll() is None, "the outside process was killed"
        ok = sbx.sandbox(f"kill -TERM {sleeper.pid}", mode="danger-full-access", pipeline=pipeline)
        assert ok.returncode == 0
        assert sleeper.wait(timeout=5) == -signal.SIGTERM
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()


def test_killing_the_parent_does_not_reach_codex(sbx, pipeline):
    """kill $PPID from inside: codex must survive and report the exit status.
    (kill -1 is not tried: were the sandbox broken it would hit the machine.)"""
    r = sbx.sandbox("kill -KILL $PPID; echo survived; exit 3", pipeline=pipeline)
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "survived" in r.stdout


def test_a_shared_placeholder_stays_until_its_last_user_ends(sbx):
    # Sandbox A creates the .git placeholder; B starts while A runs and finds
    # it already there.  B must hold it too: if A's exit removed it, B's
    # bubblewrap could fail to bind it ("Can't find source path") or the
    # name would become creatable on the host while B still runs.
    if not have_bwrap():
        pytest.skip("bubblewrap is not installed")

    def start(seconds):
        args = [str(CODEX_BIN), "sandbox", "-c", "sandbox_mode=workspace-write", "--",
                "/bin/sh", "-c", f"sleep {seconds}"]
        return subprocess.Popen(args, cwd=sbx.ws, env=sbx.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    placeholder = sbx.ws / ".git"
    a = start(3)
    deadline = time.monotonic() + 20
    while not placeholder.is_dir() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert placeholder.is_dir(), "sandbox A never created its placeholder"
    b = start(8)
    time.sleep(1.0)
    a_out, a_err = a.communicate(timeout=60)
    assert a.returncode == 0, a_err
    assert b.poll() is None, "sandbox B ended too early for this test to mean anything"
    assert placeholder.is_dir(), "A removed the placeholder that B still relies on"
    b_out, b_err = b.communicate(timeout=60)
    assert b.returncode == 0, b_err
    assert not placeholder.exists(), "the last sandbox out must remove the placeholder"
