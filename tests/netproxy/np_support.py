"""Shared pieces of the network proxy suite (imported by the test modules;
not a conftest.py, whose module name would clash with other suites').

Each test gets a private network namespace (`ip netns add`) holding only a
loopback interface that also carries ORIGIN_IP, a public-looking address,
so that the proxy's guard against local addresses can be tested at the same
time as allowed origins.  The origin servers (origin.py: HTTP, HTTPS with a
test CA, HTTP on a Unix socket) and codex itself run inside it; names reach
the proxy's resolver through CODEX_NETWORK_PROXY_RESOLVE, which only the
front end reads."""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))
HARNESS = BUILD / "tests" / "netproxy_harness"
HERE = pathlib.Path(__file__).resolve().parent
PY = "/usr/bin/python3"

ORIGIN_IP = "11.7.0.2"
HTTP_PORT = 8080
HTTPS_PORT = 8443
NAMES = {
    "allowed.test": ORIGIN_IP,
    "api.corp.test": ORIGIN_IP,
    "denied.test": ORIGIN_IP,
    "other.test": ORIGIN_IP,
    "rebind.test": "127.0.0.1",
}


def can_make_netns():
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    name = "npcheck-" + uuid.uuid4().hex[:8]
    ok = subprocess.run(["ip", "netns", "add", name], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return ok


NETNS_OK = can_make_netns()
needs_netns = pytest.mark.skipif(not NETNS_OK, reason="needs root and `ip netns`")


def make_ca(dirpath):
    d = pathlib.Path(dirpath)
    cnf = d / "leaf.cnf"
    cnf.write_text(
        "[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=" +
        ",".join([f"DNS:{n}" for n in NAMES] + [f"IP:{ORIGIN_IP}"]) +
        "\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=d)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "30", "-subj", "/CN=codex-c test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", "/CN=allowed.test", "-config", "leaf.cnf")
    run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "leaf.pem", "-days", "30", "-extfile", "leaf.cnf", "-extensions", "ext")
    return d / "ca.pem", d / "leaf.pem", d / "leaf.key"


@pytest.fixture(scope="session")
def test_ca():
    d = tempfile.mkdtemp(prefix="codex-np-ca-")
    try:
        yield make_ca(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


class World:
    """A network namespace with origin servers, a CODEX_HOME and a workspace."""

    def __init__(self, base, ca):
        self.base = base
        self.ns = "np-" + uuid.uuid4().hex[:10]
        self.home = base / "home"
        self.ws = base / "ws"
        self.sock = base / "origin.sock"
        self.other_sock = base / "other.sock"
        for d in (self.home, self.ws):
            d.mkdir()
        self.ca, self.cert, self.key = ca
        self.procs = []
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        self.ip("link", "set", "lo", "up")
        self.ip("addr", "add", f"{ORIGIN_IP}/32", "dev", "lo")
        self.origin = self.spawn_origin(["--http", f"{ORIGIN_IP}:{HTTP_PORT}", "--https",
                                         f"{ORIGIN_IP}:{HTTPS_PORT}", "--cert", str(self.cert), "--key",
                                         str(self.key), "--unix", str(self.sock)])
        self.loopback_origin = self.spawn_origin(["--http", f"127.0.0.1:{HTTP_PORT}", "--unix",
                                                  str(self.other_sock)])

    def ip(self, *args):
        subprocess.run(["ip", "-n", self.ns] + list(args), check=True)

    def spawn_origin(self, args):
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, PY, str(HERE / "origin.py")] + args,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)

    def env(self, extra=None):
        e = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.base),
            "CODEX_HOME": str(self.home),
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
            "LC_ALL": "C",
            "SSL_CERT_FILE": str(self.ca),
            "CODEX_NETWORK_PROXY_RESOLVE": ",".join(f"{k}={v}" for k, v in NAMES.items()),
        }
        if extra:
            e.update(extra)
        return e

    def config(self, text):
        (self.home / "config.toml").write_text(text)

    def in_ns(self, argv, env=None, timeout=60, **kw):
        return subprocess.run(["ip", "netns", "exec", self.ns] + argv, cwd=self.ws, env=self.env(env),
                              capture_output=True, text=True, timeout=timeout, **kw)

    def sandbox(self, script, args=(), env=None, timeout=60, pipeline="bwrap"):
        argv = [str(CODEX_BIN), "sandbox"]
        if pipeline.startswith("landlock"):
            argv.append("landlock")
        extra = dict(env or {})
        if pipeline == "landlock-narrow":
            # Without CAP_SYS_ADMIN: no mount namespace for the Landlock pipeline.
            argv = ["setpriv", "--bounding-set", "-sys_admin", "--"] + argv
        argv += list(args) + ["--", "/bin/sh", "-c", script]
        return self.in_ns(argv, env=extra, timeout=timeout)

    def log(self):
        path = self.home / "log" / "network-proxy.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def world(test_ca):
    if not NETNS_OK:
        pytest.skip("needs root and `ip netns`")
    base = pathlib.Path(tempfile.mkdtemp(prefix="codex-np-", dir="/var/tmp"))
    w = World(base, test_ca)
    try:
        yield w
    finally:
        w.close()
        shutil.rmtree(base, ignore_errors=True)


def profile(domains=None, mode="full", extra="", network_extra="", filesystem=None, feature=True, name="net"):
    """A config.toml with one permission profile in the reference's form."""
    lines = [f'default_permissions = "{name}"', ""]
    if feature:
        lines += ["[features]", "network_proxy = true", ""]
    lines += [f"[permissions.{name}.filesystem]"]
    lines += filesystem or ['":root" = "read"', '":project_roots" = "write"']
    lines += ["", f"[permissions.{name}.network]", "enabled = true", f'mode = "{mode}"']
    if network_extra:
        lines.append(network_extra)
    if domains:
        lines += ["", f"[permissions.{name}.network.domains]"]
        lines += [f'"{k}" = "{v}"' for k, v in domains.items()]
    if extra:
        lines += ["", extra]
    return "\n".join(lines) + "\n"


CURL = "curl -s -S --max-time 10"


def curl_code(url, extra=""):
    """A shell snippet printing 'CODE' of a request (000 on failure)."""
    return f'{CURL} {extra} -o /dev/null -w "%{{http_code}}\\n" {url} || true'


class Harness:
    """The proxy through its session API (build/tests/netproxy_harness),
    inside a world's namespace, with host-side listeners."""

    def __init__(self, world, cfg):
        self.world = world
        cfg.setdefault("codex_home", str(world.home))
        cfg.setdefault("proxy_url", "http://127.0.0.1:0")
        cfg.setdefault("socks_url", "http://127.0.0.1:0")
        cfg.setdefault("enable_socks5", True)
        cfg.setdefault("hosts", [f"{k}={v}" for k, v in NAMES.items()])
        path = world.base / f"harness-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(cfg))
        self.p = subprocess.Popen(["ip", "netns", "exec", world.ns, str(HARNESS), str(CODEX_BIN), str(path)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=world.env())
        self.ready = self.event()
        assert self.ready["event"] == "ready", self.ready
        self.http = self.ready.get("http")
        self.socks = self.ready.get("socks")

    def event(self, timeout=20):
        import select
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        assert r, "no event from the harness"
        line = self.p.stdout.readline()
        assert line, "the harness ended"
        return json.loads(line)

    def send(self, obj):
        self.p.stdin.write(json.dumps(obj) + "\n")
        self.p.stdin.flush()

    def curl(self, args, timeout=30):
        """Start curl in the namespace (returns the Popen)."""
        return subprocess.Popen(["ip", "netns", "exec", self.world.ns, "curl", "-s", "-S", "--max-time", "20"]
                                + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.world.env())

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def wait_for(pred, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False
