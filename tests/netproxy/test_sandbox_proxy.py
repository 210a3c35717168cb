"""`codex sandbox` with a permission profile whose network goes through the
managed proxy: the command's own namespace, its environment, and what the
proxy lets through, for both pipelines."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from np_support import (CODEX_BIN, CURL, HTTP_PORT, HTTPS_PORT, ORIGIN_IP, PY, curl_code, needs_netns, profile,
                        test_ca, wait_for, world)  # noqa: F401

pytestmark = needs_netns

PIPELINES = ["bwrap", "landlock", "landlock-narrow"]
DOMAINS = {"allowed.test": "allow", "*.corp.test": "allow", "denied.test": "deny", "rebind.test": "allow"}


def codes(out):
    return [line for line in out.splitlines() if re.fullmatch(r"\d{3}", line)]


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_allowed_denied_and_unlisted(world, pipeline):
    world.config(profile(DOMAINS))
    script = "; ".join([
        curl_code(f"http://allowed.test:{HTTP_PORT}/a"),
        curl_code(f"http://api.corp.test:{HTTP_PORT}/b"),
        curl_code(f"http://denied.test:{HTTP_PORT}/c"),
        curl_code(f"http://other.test:{HTTP_PORT}/d"),
    ])
    r = world.sandbox(script, pipeline=pipeline)
    assert r.returncode == 0, r.stderr
    assert codes(r.stdout) == ["200", "200", "403", "403"], (r.stdout, r.stderr)
    decisions = [(e.get("host"), e["decision"], e.get("reason")) for e in world.log() if e.get("protocol") == "http"]
    assert ("allowed.test", "allow", None) in decisions
    assert ("denied.test", "deny", "denied") in decisions
    assert ("other.test", "deny", "not_allowed") in decisions


def test_refusal_bodies_are_the_references(world):
    world.config(profile(DOMAINS))
    r = world.sandbox(f"{CURL} -i http://denied.test:{HTTP_PORT}/x; echo; {CURL} -i http://other.test:{HTTP_PORT}/y")
    assert "x-proxy-error: blocked-by-denylist" in r.stdout
    assert "x-proxy-error: blocked-by-allowlist" in r.stdout
    bodies = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert bodies[0] == {"status": "blocked", "host": "denied.test", "reason": "denied", "decision": "deny",
                         "source": "baseline_policy", "protocol": "http", "port": HTTP_PORT,
                         "message": "Domain denied by the sandbox policy."}
    assert bodies[1]["reason"] == "not_allowed" and bodies[1]["message"] == "Domain not in allowlist."


def test_https_through_connect_in_full_mode(world):
    world.config(profile(DOMAINS))
    # The command trusts the origin's test CA itself: full mode tunnels CONNECT untouched.
    r = world.sandbox(f"{CURL} --cacert {world.ca} https://allowed.test:{HTTPS_PORT}/tls; echo; "
                      f"{CURL} -o /dev/null -w '%{{http_code}}\\n' --cacert {world.ca} "
                      f"https://denied.test:{HTTPS_PORT}/ || true; env | grep -c CODEX_CA_CERTIFICATE || true")
    first = json.loads(r.stdout.splitlines()[0])
    assert first["tls"] is True and first["path"] == "/tls"
    assert "CONNECT tunnel failed, response 403" in r.stderr or "403" in r.stdout
    assert r.stdout.strip().endswith("0"), "full mode hands out no CA"


def test_environment_is_the_references(world):
    world.config(profile(DOMAINS))
    r = world.sandbox("env", env={"HTTPS_PROXY": "http://codex-own-proxy:1", "NO_PROXY": "codex-own"})
    env = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    http = env["HTTP_PROXY"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", http)
    for k in ["HTTPS_PROXY", "http_proxy", "https_proxy", "WS_PROXY", "WSS_PROXY", "ws_proxy", "wss_proxy",
              "NPM_CONFIG_PROXY", "npm_config_https_proxy", "YARN_HTTP_PROXY", "BUNDLE_HTTPS_PROXY",
              "DOCKER_HTTP_PROXY", "PIP_PROXY"]:
        assert env[k] == http, k
    assert re.fullmatch(r"socks5h://127\.0\.0\.1:\d+", env["ALL_PROXY"])
    assert env["all_proxy"] == env["FTP_PROXY"] == env["ftp_proxy"] == env["ALL_PROXY"]
    assert env["NO_PROXY"] == "" and env["no_proxy"] == ""
    assert env["CODEX_NETWORK_PROXY_ACTIVE"] == "1"
    assert env["CODEX_NETWORK_ALLOW_LOCAL_BINDING"] == "0"
    assert env["ELECTRON_GET_USE_PROXY"] == "true" and env["NODE_USE_ENV_PROXY"] == "1"
    assert "CODEX_CA_CERTIFICATE" not in env


def test_socks5_off_points_all_proxy_at_http(world):
    world.config(profile(DOMAINS, network_extra="enable_socks5 = false"))
    r = world.sandbox("echo $ALL_PROXY $HTTP_PROXY")
    a, h = r.stdout.split()
    assert a == h and a.startswith("http://")


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_socks5(world, pipeline):
    world.config(profile(DOMAINS))
    script = "; ".join([
        curl_code(f"http://allowed.test:{HTTP_PORT}/", '--proxy "$ALL_PROXY"'),
        curl_code(f"http://other.test:{HTTP_PORT}/", '--proxy "$ALL_PROXY"'),
    ])
    r = world.sandbox(script, pipeline=pipeline)
    assert codes(r.stdout) == ["200", "000"], (r.stdout, r.stderr)
    assert any(e.get("protocol") == "socks5_tcp" and e.get("host") == "other.test" and e["decision"] == "deny"
               for e in world.log())


def test_socks5_udp_when_enabled(world):
    """A datagram to an allowed host reaches it; the answer comes back wrapped."""
    world.config(profile(DOMAINS, network_extra="enable_socks5_udp = true"))
    udp_echo = subprocess.Popen(["ip", "netns", "exec", world.ns, PY, "-c", f"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("{ORIGIN_IP}", 9999))
print("ready", flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(b"echo:" + data, addr)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert udp_echo.stdout.readline().strip() == "ready"
        client = f"""
import os, socket, struct
host, port = os.environ["ALL_PROXY"].rsplit("/", 1)[1].split(":")
c = socket.create_connection((host, int(port)))
c.sendall(b"\\x05\\x01\\x00"); assert c.recv(2) == b"\\x05\\x00"
c.sendall(b"\\x05\\x03\\x00\\x01" + bytes(4) + bytes(2))
r = c.recv(10); assert r[1] == 0, r
relay = (socket.inet_ntoa(r[4:8]), struct.unpack(">H", r[8:10])[0])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
for name in (b"allowed.test", b"other.test"):
    u.sendto(b"\\x00\\x00\\x00\\x03" + bytes([len(name)]) + name + struct.pack(">H", 9999) + b"hi", relay)
    try:
        data, _ = u.recvfrom(2048); print(name.decode(), data[10:].decode())
    except socket.timeout:
        print(name.decode(), "timeout")
"""
        r = world.sandbox(f"{PY} -c '{client}'")
        assert "allowed.test echo:hi" in r.stdout, (r.stdout, r.stderr)
        assert "other.test timeout" in r.stdout
    finally:
        udp_echo.kill()
        udp_echo.wait()


def test_dns_rebinding_to_loopback_is_refused(world):
    world.config(profile(DOMAINS))
    r = world.sandbox(f"{CURL} -i http://rebind.test:{HTTP_PORT}/")
    assert "403" in r.stdout.splitlines()[0]
    assert '"reason":"not_allowed_local"' in r.stdout
    assert "Sandbox policy blocks local/private network addresses." in r.stdout
    # The control: the same request with allow_local_binding reaches the loopback origin.
    world.config(profile(DOMAINS, network_extra="allow_local_binding = true"))
    ok = world.sandbox(curl_code(f"http://rebind.test:{HTTP_PORT}/", "--noproxy ''"))
    assert codes(ok.stdout) == ["200"], (ok.stdout, ok.stderr)


def test_local_literals_need_an_exact_entry(world):
    world.config(profile(DOMAINS))
    r = world.sandbox(curl_code(f"http://127.0.0.1:{HTTP_PORT}/", "--noproxy ''") + "; " +
                      curl_code(f"http://localhost:{HTTP_PORT}/", "--noproxy ''"))
    assert codes(r.stdout) == ["403", "403"]
    world.config(profile(dict(DOMAINS, **{"127.0.0.1": "allow"})))
    r = world.sandbox(curl_code(f"http://127.0.0.1:{HTTP_PORT}/", "--noproxy ''"))
    assert codes(r.stdout) == ["200"], (r.stdout, r.stderr)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_raw_connect_bypassing_the_proxy_reaches_nothing(world, pipeline):
    world.config(profile(DOMAINS))
    probe = f"""
import socket, os
def attempt(fam, addr):
    s = socket.socket(fam); s.settimeout(3)
    try:
        s.connect(addr); print("connected", addr)
    except OSError as e:
        print("failed", addr, e.errno)
attempt(socket.AF_INET, ("{ORIGIN_IP}", {HTTP_PORT}))
attempt(socket.AF_INET, ("127.0.0.1", {HTTP_PORT}))
proxy_port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
attempt(socket.AF_INET, ("127.0.0.1", proxy_port))
try:
    socket.socket(socket.AF_UNIX); print("unix socket created")
except OSError as e:
    print("unix refused", e.errno)
"""
    r = world.sandbox(f"{PY} -c '{probe}'", pipeline=pipeline)
    assert f"failed ('{ORIGIN_IP}', {HTTP_PORT})" in r.stdout, (r.stdout, r.stderr)
    assert f"failed ('127.0.0.1', {HTTP_PORT})" in r.stdout
    assert "connected ('127.0.0.1'" in r.stdout  # the proxy's own listener is the way out
    assert "unix refused 1" in r.stdout
    # The control: outside the sandbox, in the same namespace, the origin is there.
    ok = world.in_ns([PY, "-c", probe.replace('int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])', "1")])
    assert f"connected ('{ORIGIN_IP}', {HTTP_PORT})" in ok.stdout


def test_proxy_killed_mid_command_fails_closed(world):
    world.config(profile(DOMAINS))
    marker = world.ws / "first-done"
    script = (f"{curl_code(f'http://allowed.test:{HTTP_PORT}/')}; touch {marker}; "
              f"while [ ! -e {marker}.go ]; do sleep 0.05; done; "
              f"{curl_code(f'http://allowed.test:{HTTP_PORT}/')}")
    p = subprocess.Popen(["ip", "netns", "exec", world.ns, str(CODEX_BIN), "sandbox", "--", "/bin/sh", "-c", script],
                         cwd=world.ws, env=world.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(marker.exists, 30)
        proxies = subprocess.run(["pgrep", "-f", "codex-network-proxy --control-fd"], capture_output=True,
                                 text=True).stdout.split()
        mine = [pid for pid in proxies
                if os.path.exists(f"/proc/{pid}/environ") and
                str(world.home).encode() in open(f"/proc/{pid}/environ", "rb").read()]
        assert len(mine) == 1, proxies
        os.kill(int(mine[0]), signal.SIGKILL)
        (world.ws / "first-done.go").touch()
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert codes(out) == ["200", "000"], (out, err)
    assert p.returncode != 0
    assert "network proxy was killed by signal 9 while the command ran" in err


def test_unix_socket_through_the_proxy(world):
    world.config(profile(DOMAINS, network_extra=f'allow_unix_sockets = ["{world.sock}"]'))
    r = world.sandbox(f"{CURL} -H 'x-unix-socket: {world.sock}' http://localhost/u; echo; "
                      f"{CURL} -i -H 'x-unix-socket: {world.other_sock}' http://localhost/v")
    first = json.loads(r.stdout.splitlines()[0])
    assert first["via"] == "unix" and first["path"] == "/u"
    assert "x-proxy-error: blocked-by-allowlist" in r.stdout
    assert '"host":"unix-socket"' in r.stdout


@pytest.mark.parametrize("pipeline", ["bwrap", "landlock"])
def test_limited_mode_methods_over_http_and_https(world, pipeline):
    world.config(profile(DOMAINS, mode="limited"))
    script = "; ".join([
        curl_code(f"http://allowed.test:{HTTP_PORT}/get"),
        curl_code(f"http://allowed.test:{HTTP_PORT}/head", "-I"),
        curl_code(f"http://allowed.test:{HTTP_PORT}/options", "-X OPTIONS"),
        curl_code(f"http://allowed.test:{HTTP_PORT}/post", "-d x=1"),
        # HTTPS: the proxy intercepts; the command trusts the CA it was handed.
        curl_code(f"https://allowed.test:{HTTPS_PORT}/get"),
        curl_code(f"https://allowed.test:{HTTPS_PORT}/post", "-d x=1"),
        curl_code(f"https://allowed.test:{HTTPS_PORT}/delete", "-X DELETE"),
        curl_code(f"http://allowed.test:{HTTP_PORT}/", '--proxy "$ALL_PROXY"'),
        'echo "ca=$CODEX_CA_CERTIFICATE"; echo "cert=$CODEX_PROXY_CERT"; echo "ssl=$SSL_CERT_FILE"',
    ])
    r = world.sandbox(script, pipeline=pipeline)
    assert codes(r.stdout) == ["200", "200", "200", "403", "200", "403", "403", "000"], (r.stdout, r.stderr)
    ca = re.search(r"ca=(\S+)", r.stdout).group(1)
    assert re.fullmatch(re.escape(str(world.home)) + r"/proxy/ca-bundle-[0-9a-f]{64}\.pem", ca)
    assert re.search(r"ssl=" + re.escape(ca), r.stdout)
    cert = re.search(r"cert=(\S+)", r.stdout).group(1)
    text = open(cert).read()
    assert text.startswith("-----BEGIN CERTIFICATE-----") and text in open(ca).read()
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=text, capture_output=True,
                             text=True).stdout
    assert "network_proxy MITM CA" in subject
    log = world.log()
    assert any(e.get("method") == "POST" and e.get("reason") == "method_not_allowed" and
               e.get("protocol") == "https_connect" for e in log)


def test_limited_mode_refusal_inside_tls(world):
    world.config(profile(DOMAINS, mode="limited"))
    r = world.sandbox(f"{CURL} -i -d x=1 https://allowed.test:{HTTPS_PORT}/post")
    # curl -i shows the proxy's answer to CONNECT, then the one inside TLS.
    assert r.stdout.startswith("HTTP/1.1 200 OK")
    assert "\nHTTP/1.1 403 Forbidden" in r.stdout
    assert "x-proxy-error: blocked-by-method-policy" in r.stdout
    assert r.stdout.rstrip().endswith("Method not allowed in limited mode.")


def test_limited_mode_verifies_origins(world):
    """The proxy checks the origin against codex's SSL_CERT_FILE: without the
    test CA there, the intercepted request fails."""
    world.config(profile(DOMAINS, mode="limited"))
    r = world.sandbox(curl_code(f"https://allowed.test:{HTTPS_PORT}/"),
                      env={"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"})
    assert codes(r.stdout) == ["000"], (r.stdout, r.stderr)
    assert any(e.get("decision") == "bad_request" and "certificate" in e.get("why", "") for e in world.log())


def run_while_looking(world):
    """Start a command behind the proxy; once it runs (the proxy is up by
    then), return the maps of this world's codex and proxy processes."""
    marker = world.ws / "running"
    p = subprocess.Popen(["ip", "netns", "exec", world.ns, str(CODEX_BIN), "sandbox", "--", "/bin/sh", "-c",
                          f"touch {marker}; sleep 2"],
                         cwd=world.ws, env=world.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    found = {}
    try:
        assert wait_for(marker.exists, 20)
        assert look_for_processes(world, found)
    finally:
        p.wait(timeout=30)
    return found


def test_full_mode_loads_no_openssl(world):
    world.config(profile(DOMAINS))
    found = run_while_looking(world)
    assert "libssl.so" not in found["proxy"]
    assert "libssl.so" not in found["codex"]


def look_for_processes(world, found):
    """Fill found["proxy"] and found["codex"] with the /proc maps of this
    world's codex and proxy processes; True once both are seen."""
    pids = []
    for pattern in (str(CODEX_BIN), "codex-network-proxy --control-fd"):
        pids += subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    for pid in pids:
        try:
            if str(world.home).encode() not in open(f"/proc/{pid}/environ", "rb").read():
                continue
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            kind = "proxy" if cmd.startswith(b"codex-network-proxy") else "codex"
            found[kind] = open(f"/proc/{pid}/maps").read()
        except OSError:
            pass
    return "proxy" in found and "codex" in found


def test_limited_mode_loads_openssl_only_in_the_proxy(world):
    world.config(profile(DOMAINS, mode="limited"))
    found = run_while_looking(world)
    assert "libssl.so" in found["proxy"]
    assert "libssl.so" not in found["codex"]
