#!/usr/bin/env python3
"""An MCP server behind OAuth, owned by the tests: one HTTP port serving

  /.well-known/oauth-protected-resource/mcp   RFC 9728 metadata naming this origin
  /.well-known/oauth-authorization-server     RFC 8414 metadata
  /register                                   dynamic client registration (RFC 7591)
  /authorize                                  checks PKCE parameters, 302 to redirect_uri
  /token                                      authorization_code (verifier checked) and refresh_token
  /revoke-all                                 test control: every access token issued so far stops working
  /mcp                                        the fixture server's MCP, only with a live bearer token

Every request is logged as a JSON line (--log) so tests can assert what codex sent.
Usage: oauth_server.py --port-file F --log L
"""
import base64
import hashlib
import importlib.util
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fixture", os.path.join(HERE, "mcp_fixture_server.py"))
fixture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixture)

lock = threading.Lock()
state = {"clients": {}, "codes": {}, "live": set(), "refresh": {}, "n": 0}
LOG = None


def log(entry):
    if LOG:
        with lock, open(LOG, "a") as fh:
            fh.write(json.dumps(entry) + "\n")


def b64url_sha256(s):
    return base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()).rstrip(b"=").decode()


def issue(client_id, scope):
    state["n"] += 1
    access, refresh = "at-%d" % state["n"], "rt-%d" % state["n"]
    state["live"].add(access)
    state["refresh"][refresh] = (client_id, scope)
    return {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
            "refresh_token": refresh, "scope": scope}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def origin(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def reply(self, status, obj=None, headers=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        log({"method": "GET", "path": url.path, "query": q})
        if url.path == "/.well-known/oauth-protected-resource/mcp":
            self.reply(200, {"resource": self.origin() + "/mcp",
                             "authorization_servers": [self.origin()],
                             "scopes_supported": ["tools.read", "tools.call"]})
        elif url.path == "/.well-known/oauth-authorization-server":
            o = self.origin()
            self.reply(200, {"issuer": o, "authorization_endpoint": o + "/authorize",
                             "token_endpoint": o + "/token", "registration_endpoint": o + "/register",
                             "code_challenge_methods_supported": ["S256"]})
        elif url.path == "/authorize":
            ok = (q.get("response_type") == "code" and q.get("client_id") in state["clients"]
                  and q.get("code_challenge_method") == "S256" and q.get("code_challenge")
                  and q.get("redirect_uri") in state["clients"].get(q.get("client_id"), []))
            if not ok:
                self.reply(400, {"error": "invalid_request"})
                return
            with lock:
                state["n"] += 1
                code = "code-%d" % state["n"]
                state["codes"][code] = (q["client_id"], q["code_challenge"], q["redirect_uri"],
                                        q.get("scope", ""))
            target = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
            self.reply(302, None, {"Location": target})
        elif url.path == "/mcp":
            self.reply(405, {"error": "no event stream here"})
        else:
            self.reply(404, {"error": "not found"})

    def do_DELETE(self):
        self.reply(200)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = (self.rfile.read(n) if n else b"").decode()
        path = urllib.parse.urlsplit(self.path).path
        auth = self.headers.get("Authorization")
        if path == "/register":
            doc = json.loads(raw)
            log({"method": "POST", "path": path, "body": doc})
            with lock:
                client = "client-%d" % (len(state["clients"]) + 1)
                state["clients"][client] = doc.get("redirect_uris", [])
            self.reply(201, {"client_id": client, "redirect_uris": doc.get("redirect_uris", [])})
        elif path == "/token":
            form = dict(urllib.parse.parse_qsl(raw))
            log({"method": "POST", "path": path, "form": form})
            with lock:
                if form.get("grant_type") == "authorization_code":
                    got = state["codes"].pop(form.get("code"), None)
                    if (not got or got[0] != form.get("client_id") or got[2] != form.get("redirect_uri")
                            or b64url_sha256(form.get("code_verifier", "")) != got[1]):
                        self.reply(400, {"error": "invalid_grant"})
                        return
                    self.reply(200, issue(got[0], got[3]))
                elif form.get("grant_type") == "refresh_token":
                    got = state["refresh"].pop(form.get("refresh_token"), None)
                    if not got or got[0] != form.get("client_id"):
                        self.reply(400, {"error": "invalid_grant"})
                        return
                    self.reply(200, issue(*got))
                else:
                    self.reply(400, {"error": "unsupported_grant_type"})
        elif path == "/revoke-all":
            log({"method": "POST", "path": path})
            with lock:
                state["live"].clear()
            self.reply(200, {})
        elif path == "/mcp":
            msg = json.loads(raw or "null")
            token = auth.split(" ", 1)[1] if auth and auth.startswith("Bearer ") else None
            log({"method": "POST", "path": path, "token": token,
                 "rpc": msg.get("method") if isinstance(msg, dict) else None})
            if token not in state["live"]:
                self.reply(401, {"error": "invalid_token"},
                           {"WWW-Authenticate": 'Bearer resource_metadata="%s/.well-known/'
                                                'oauth-protected-resource/mcp"' % self.origin()})
                return
            resp = fixture.Session(None).handle(msg)
            extra = {"Mcp-Session-Id": "oauth-session"} if msg.get("method") == "initialize" else {}
            if resp is None:
                self.reply(202, None, extra)
            else:
                self.reply(200, resp, extra)
        else:
            self.reply(404, {"error": "not found"})


def main():
    global LOG
    argv = sys.argv[1:]
    port_file = argv[argv.index("--port-file") + 1]
    if "--log" in argv:
        LOG = argv[argv.index("--log") + 1]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(port_file + ".tmp", "w") as fh:
        fh.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
