"""An identity provider and ChatGPT backend that the login tests own, on
loopback (stdlib only).  It plays auth.openai.com and chatgpt.com as the
reference uses them:

  identity provider (issuer = base URL)
    GET  /oauth/authorize          the consent page: redirects to redirect_uri
                                   with code+state (or error=access_denied)
    POST /oauth/token              form: authorization_code (checks the PKCE
                                   verifier), token exchange for an API key;
                                   JSON: refresh_token (rotates refresh tokens)
    POST /oauth/revoke             JSON {token, token_type_hint, client_id}
    POST /api/accounts/deviceauth/usercode, /deviceauth/token
    GET  /api/accounts/v1/user-auth-credential/whoami   (personal access tokens)
  backend
    GET  /backend-api/wham/accounts/check, other side calls
    GET  /backend-api/codex/responses   WebSocket upgrade: 426
    POST /backend-api/codex/responses   SSE answer; 401 unless the bearer is a
                                        live access token (zstd bodies decoded)

Every request is recorded (method, path, headers, body) in .requests.
Tokens are unsigned JWTs whose strings are unique per run, so a test can
look for them in every file a session writes."""
import base64
import hashlib
import json
import secrets
import ssl
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims):
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    return "%s.%s.%s" % (header, payload, b64url(secrets.token_bytes(16)))


def token_expired(token):
    """An access token past its exp (personal access tokens do not expire)."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    return claims.get("exp", 0) < time.time()


def zstd_decode(data):
    return subprocess.run(["zstd", "-d", "-c", "-q"], input=data, capture_output=True,
                          check=True).stdout


class IdP:
    def __init__(self, https_context=None):
        self.lock = threading.Lock()
        self.requests = []
        self.account_id = "acc-" + secrets.token_hex(4)
        self.email = "user@example.com"
        self.plan = "pro"
        self.access_ttl = 3600          # seconds of life of new access tokens
        self.device_polls_pending = 1   # 403 answers before the device code is approved
        self.device_mode = "ok"         # "ok" | "disabled" | "expired" | "html"
        self.consent = "allow"          # "allow" | "deny" | "missing_claims" | "html"
        self.token_delay = 0.0          # seconds the refresh endpoint takes
        self.refresh_mode = "ok"        # "ok" | "revoked" | "html"
        self.api_key_exchange = True
        self.responses_status = None    # force a status on /codex/responses
        self.turns = []                 # scripted answers: {"text"} or {"call": "shell command"}
        self.whoami = None              # answer for personal access tokens
        self.codes = {}                 # authorization code -> (challenge, redirect_uri)
        self.live_access = set()
        self.live_refresh = set()
        self.used_refresh = set()
        self.revoked = []
        self.issued = []                # every token string handed out
        self.refresh_count = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.scheme = "http"
        if https_context:
            self.server.socket = https_context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self):
        host = "localhost" if self.scheme == "https" else "127.0.0.1"
        return "%s://%s:%d" % (self.scheme, host, self.port)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # ---- tokens ---------------------------------------------------------
    def id_token(self, claims=True):
        body = {"email": self.email, "exp": int(time.time()) + 3600,
                "iss": self.base, "aud": CLIENT_ID}
        if claims:
            body["https://api.openai.com/auth"] = {
                "chatgpt_account_id": self.account_id, "chatgpt_plan_type": self.plan,
                "chatgpt_user_id": "user-1", "organization_id": "org-1",
                "project_id": "proj-1", "completed_platform_onboarding": True,
                "is_org_owner": False}
        return make_jwt(body)

    def access_token(self, ttl=None):
        tok = make_jwt({"exp": int(time.time()) + (self.access_ttl if ttl is None else ttl),
                        "https://api.openai.com/auth": {"chatgpt_account_id": self.account_id,
                                                        "chatgpt_plan_type": self.plan},
                        "nonce": secrets.token_hex(8)})
        self.live_access.add(tok)
        self.issued.append(tok)
        return tok

    def refresh_token(self):
        tok = "rt-" + secrets.token_urlsafe(24)
        self.live_refresh.add(tok)
        self.issued.append(tok)
        return tok

    def token_set(self, claims=True):
        with self.lock:
            ids = self.id_token(claims)
            self.issued.append(ids)
            return {"id_token": ids, "access_token": self.access_token(),
                    "refresh_token": self.refresh_token()}

    def auth_json(self, access_ttl=None, last_refresh=None):
        """An auth.json as the reference writes it after a login."""
        with self.lock:
            ids = self.id_token()
            self.issued.append(ids)
            return {"auth_mode": "chatgpt", "OPENAI_API_KEY": None,
                    "tokens": {"id_token": ids, "access_token": self.access_token(access_ttl),
                               "refresh_token": self.refresh_token(),
                               "account_id": self.account_id},
                    "last_refresh": last_refresh or
                    time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())}

    def paths(self, method=None):
        with self.lock:
            return [r["path"].split("?")[0] for r in self.requests
                    if method is None or r["method"] == method]

    def find(self, path, method=None):
        with self.lock:
            return [r for r in self.requests if r["path"].split("?")[0] == path
                    and (method is None or r["method"] == method)]

    # ---- HTTP -----------------------------------------------------------
    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _record(self, body):
                with idp.lock:
                    idp.requests.append({"method": self.command, "path": self.path,
                                         "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": body})

            def _send(self, status, body=b"", ctype="application/json", headers=None):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                elif isinstance(body, str):
                    body = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._record(None)
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/oauth/authorize":
                    return self._authorize(q)
                if url.path == "/api/accounts/v1/user-auth-credential/whoami":
                    auth = self.headers.get("Authorization", "")
                    if idp.whoami is None or not auth.startswith("Bearer at-"):
                        return self._send(401, {"error": {"code": "invalid_token"}})
                    return self._send(200, idp.whoami)
                if url.path == "/backend-api/codex/responses":
                    return self._send(426, {"error": "upgrade required"})
                if url.path == "/backend-api/wham/accounts/check":
                    return self._send(200, {
                        "accounts": [{"id": idp.account_id, "name": "Personal",
                                      "structure": "personal", "plan_type": idp.plan,
                                      "workspace_backend_origin": idp.base,
                                      "account_routing_override": "NO_CONSTRAINT"}],
                        "account_ordering": [idp.account_id],
                        "default_account_id": idp.account_id})
                if url.path == "/backend-api/wham/usage":
                    return self._send(200, {"plan_type": idp.plan, "rate_limit": {
                        "allowed": True, "limit_reached": False,
                        "primary_window": {"used_percent": 12, "limit_window_seconds": 18000,
                                           "reset_after_seconds": 600, "reset_at": 1800000000},
                        "secondary_window": None}})
                if url.path.startswith("/backend-api/"):
                    return self._send(404, {"detail": "not here"})
                return self._send(404, {"error": "not found"})

            def _authorize(self, q):
                redirect = q.get("redirect_uri", "")
                state = q.get("state", "")
                if idp.consent == "html":
                    return self._send(200, "<html>login</html>", "text/html")
                if idp.consent == "deny":
                    loc = redirect + "?" + urllib.parse.urlencode({
                        "error": "access_denied", "error_description": "consent was denied",
                        "state": state})
                    return self._send(302, b"", headers={"Location": loc})
                code = "code-" + secrets.token_hex(8)
                with idp.lock:
                    idp.codes[code] = (q.get("code_challenge"), redirect)
                loc = redirect + "?" + urllib.parse.urlencode({"code": code, "state": state})
                return self._send(302, b"", headers={"Location": loc})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                if self.headers.get("Content-Encoding") == "zstd":
                    raw = zstd_decode(raw)
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw.decode(errors="replace")
                elif "x-www-form-urlencoded" in ctype:
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                else:
                    body = raw.decode(errors="replace")
                self._record(body)
                path = urllib.parse.urlsplit(self.path).path
                if path == "/oauth/token":
                    return self._token(body)
                if path == "/oauth/revoke":
                    with idp.lock:
                        idp.revoked.append(body)
                        if isinstance(body, dict):
                            idp.live_refresh.discard(body.get("token"))
                    return self._send(200, {})
                if path == "/api/accounts/deviceauth/usercode":
                    if idp.device_mode == "disabled":
                        return self._send(404, {"error": "not found"})
                    if idp.device_mode == "html":
                        return self._send(200, "<html>maintenance</html>", "text/html")
                    return self._send(200, {"device_auth_id": "dev-123", "user_code": "ABCD-1234",
                                            "interval": "1"})
                if path == "/api/accounts/deviceauth/token":
                    return self._device_token(body)
                if path == "/backend-api/codex/responses":
                    return self._responses(body)
                if path.startswith("/backend-api/"):
                    return self._send(200, {})
                return self._send(404, {"error": "not found"})

            def _device_token(self, body):
                if idp.device_mode == "expired":
                    return self._send(410, {"error": {"code": "device_code_expired",
                                                      "message": "device code expired"}})
                with idp.lock:
                    if idp.device_polls_pending > 0:
                        idp.device_polls_pending -= 1
                        pending = True
                    else:
                        pending = False
                if pending:
                    return self._send(403, {"error": "authorization_pending"})
                verifier = b64url(secrets.token_bytes(32))
                challenge = b64url(hashlib.sha256(verifier.encode()).digest())
                code = "devcode-" + secrets.token_hex(8)
                with idp.lock:
                    idp.codes[code] = (challenge, idp.base + "/deviceauth/callback")
                return self._send(200, {"authorization_code": code, "code_challenge": challenge,
                                        "code_verifier": verifier})

            def _token(self, body):
                if isinstance(body, dict) and body.get("grant_type") == "refresh_token":
                    return self._refresh(body)
                if not isinstance(body, dict):
                    return self._send(400, {"error": "invalid_request"})
                grant = body.get("grant_type")
                if grant == "authorization_code":
                    if idp.consent == "html":
                        return self._send(200, "<html>oops</html>", "text/html")
                    with idp.lock:
                        entry = idp.codes.pop(body.get("code"), None)
                    if not entry:
                        return self._send(400, {"error": "invalid_grant",
                                                "error_description": "unknown code"})
                    challenge, redirect = entry
                    verifier = body.get("code_verifier", "")
                    if b64url(hashlib.sha256(verifier.encode()).digest()) != challenge or \
                            body.get("redirect_uri") != redirect:
                        return self._send(400, {"error": "invalid_grant",
                                                "error_description": "PKCE or redirect mismatch"})
                    return self._send(200, idp.token_set(claims=idp.consent != "missing_claims"))
                if grant == "urn:ietf:params:oauth:grant-type:token-exchange":
                    if not idp.api_key_exchange:
                        return self._send(400, {"error": "invalid_request"})
                    key = "sk-exchanged-" + secrets.token_hex(8)
                    with idp.lock:
                        idp.issued.append(key)
                    return self._send(200, {"access_token": key})
                return self._send(400, {"error": "unsupported_grant_type"})

            def _refresh(self, body):
                if idp.token_delay:
                    time.sleep(idp.token_delay)
                if idp.refresh_mode == "html":
                    return self._send(502, "<html>bad gateway</html>", "text/html")
                tok = body.get("refresh_token")
                with idp.lock:
                    if idp.refresh_mode == "revoked":
                        return self._send(401, {"error": {"code": "refresh_token_invalidated",
                                                          "message": "revoked"}})
                    if tok in idp.used_refresh:
                        return self._send(401, {"error": {"code": "refresh_token_reused"}})
                    if tok not in idp.live_refresh:
                        return self._send(401, {"error": {"code": "refresh_token_expired"}})
                    idp.live_refresh.discard(tok)
                    idp.used_refresh.add(tok)
                    idp.refresh_count += 1
                return self._send(200, idp.token_set())

            def _responses(self, body):
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
                with idp.lock:
                    live = token in idp.live_access and not token_expired(token)
                status = idp.responses_status
                if status is None and not live:
                    status = 401
                if status and status != 200:
                    return self._send(status, {"error": {"message": "unauthorized"
                                                         if status == 401 else "error"}})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                with idp.lock:
                    turn = idp.turns.pop(0) if idp.turns else {"text": "signed in fine"}
                if "call" in turn:
                    item = {"type": "function_call", "id": "fc_" + secrets.token_hex(4),
                            "status": "completed", "name": "exec_command",
                            "call_id": "call_" + secrets.token_hex(4),
                            "arguments": json.dumps({"cmd": turn["call"]})}
                else:
                    item = {"type": "message", "role": "assistant", "id": "msg_1",
                            "status": "completed",
                            "content": [{"type": "output_text", "text": turn["text"],
                                         "annotations": []}]}
                events = [{"type": "response.created", "response": {"id": "resp_1"}},
                          {"type": "response.output_item.done", "output_index": 0, "item": item},
                          {"type": "response.completed", "response": {"id": "resp_1", "usage": {
                              "input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
                              "output_tokens": 3, "output_tokens_details": {"reasoning_tokens": 0},
                              "total_tokens": 13}}}]
                for ev in events:
                    data = ("event: %s\ndata: %s\n\n" % (ev["type"], json.dumps(ev))).encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        return Handler


def https_context(tmp_path):
    """A CA and a localhost certificate made with openssl; returns
    (ssl.SSLContext for the server, path of the CA's PEM)."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=codex-test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", "/CN=localhost")
    (tmp_path / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tmp_path / "leaf.pem"), str(tmp_path / "leaf.key"))
    return ctx, tmp_path / "ca.pem"
