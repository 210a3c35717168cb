"""The app server's MCP methods against the fixture server: one session of
requests whose answers the reference 0.169 gave (data/app_server_reference.json,
written by record_app_server_reference.py) and ours must give.

Configured: fx (the fixture), off (disabled), broken (a program that does
not exist) and web (an HTTP server nobody listens on)."""
import json
import os
import pathlib
import queue
import re
import subprocess
import threading
import time

from mcp_helpers import FIXTURE, toml_str

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE = HERE / "data" / "app_server_reference.json"
NO_THREAD = "00000000-0000-0000-0000-000000000000"


def config(log):
    return (f'model = "gpt-5.5"\n'
            f'[mcp_servers.fx]\ncommand = "python3"\nargs = [{toml_str(FIXTURE)}, "--log", {toml_str(log)}]\n'
            f'[mcp_servers.off]\ncommand = "python3"\nargs = [{toml_str(FIXTURE)}]\nenabled = false\n'
            '[mcp_servers.broken]\ncommand = "/nonexistent/prog"\n'
            '[mcp_servers.web]\nurl = "http://127.0.0.1:9/mcp"\n')


def call(thread, tool, args=None, server="fx", **extra):
    p = {"server": server, "tool": tool, "threadId": thread, **extra}
    if args is not None:
        p["arguments"] = args
    return p


# (name, method, params); "$THREAD" is the thread thread/start made.
CASES = [
    ("status_all", "mcpServerStatus/list", {}),
    ("status_page", "mcpServerStatus/list", {"detail": "toolsAndAuthOnly", "limit": 1}),
    ("status_page2", "mcpServerStatus/list", {"detail": "toolsAndAuthOnly", "cursor": "1", "limit": 2}),
    ("status_one", "mcpServerStatus/list", {"serverName": "fx"}),
    ("status_unknown", "mcpServerStatus/list", {"serverName": "nope"}),
    ("status_bad_cursor", "mcpServerStatus/list", {"cursor": "zz"}),
    ("status_no_thread", "mcpServerStatus/list", {"threadId": NO_THREAD}),
    ("call_no_thread", "mcpServer/tool/call", call(NO_THREAD, "echo", {"message": "hi"})),
    ("call_bad_thread", "mcpServer/tool/call", call("x", "echo")),
    ("call_missing", "mcpServer/tool/call", {"server": "fx", "tool": "echo"}),
    ("call_empty", "mcpServer/tool/call", {}),
    ("read_fresh", "mcpServer/resource/read", {"server": "fx", "uri": "fixture://hello"}),
    ("read_unknown", "mcpServer/resource/read", {"server": "nope", "uri": "fixture://hello"}),
    ("read_broken", "mcpServer/resource/read", {"server": "broken", "uri": "fixture://hello"}),
    ("read_disabled", "mcpServer/resource/read", {"server": "off", "uri": "fixture://hello"}),
    ("read_missing_uri", "mcpServer/resource/read", {"server": "fx"}),
    ("read_empty", "mcpServer/resource/read", {}),
    ("thread", "thread/start", {}),
    ("wait", None, 3),
    ("call_echo", "mcpServer/tool/call", call("$THREAD", "echo", {"message": "hi"})),
    ("call_meta", "mcpServer/tool/call", call("$THREAD", "echo", {"message": "m"}, _meta={"k": "v"})),
    ("call_structured", "mcpServer/tool/call", call("$THREAD", "structured")),
    ("call_fail", "mcpServer/tool/call", call("$THREAD", "fail", {"reason": "x"})),
    ("call_rpc_error", "mcpServer/tool/call", call("$THREAD", "rpc_error")),
    ("call_unknown_tool", "mcpServer/tool/call", call("$THREAD", "nosuch")),
    ("call_unknown_server", "mcpServer/tool/call", call("$THREAD", "echo", server="nope")),
    ("call_broken", "mcpServer/tool/call", call("$THREAD", "echo", server="broken")),
    ("call_disabled", "mcpServer/tool/call", call("$THREAD", "echo", server="off")),
    ("call_image", "mcpServer/tool/call", call("$THREAD", "image")),
    ("call_string_args", "mcpServer/tool/call", call("$THREAD", "echo", "str")),
    ("read_thread", "mcpServer/resource/read",
     {"server": "fx", "uri": "fixture://hello", "threadId": "$THREAD"}),
    ("read_thread_unknown", "mcpServer/resource/read",
     {"server": "nope", "uri": "fixture://hello", "threadId": "$THREAD"}),
    ("status_thread", "mcpServerStatus/list", {"threadId": "$THREAD", "detail": "toolsAndAuthOnly"}),
    ("login_unknown", "mcpServer/oauth/login", {"name": "nope"}),
    ("login_stdio", "mcpServer/oauth/login", {"name": "fx"}),
    ("login_missing", "mcpServer/oauth/login", {}),
]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Why a server could not start is worded by each implementation's own
# transport (the reference prints its Rust types); what comes before is
# compared.
STARTUP = re.compile(r"(MCP startup failed: ).*")


def normalize(value):
    return json.loads(UUID.sub("UUID", json.dumps(_cut(value))))


def _cut(v):
    if isinstance(v, dict):
        return {k: _cut(x) for k, x in v.items() if k != "emittedAtMs"}
    if isinstance(v, list):
        return [_cut(x) for x in v]
    if isinstance(v, str):
        return STARTUP.sub(r"\1...", v)
    return v


def run_session(binary, scratch, on_message=None):
    """Run CASES against `binary app-server` with CODEX_HOME under scratch.
    Returns (answers by case name, startup notifications, fixture log path)."""
    scratch = pathlib.Path(scratch)
    for d in ("home", "ch", "tmp", "w"):
        (scratch / d).mkdir(parents=True, exist_ok=True)
    log = scratch / "fx.log"
    (scratch / "ch" / "config.toml").write_text(config(log))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch / "home"),
           "CODEX_HOME": str(scratch / "ch"), "TMPDIR": str(scratch / "tmp"), "TERM": "xterm",
           "OPENAI_API_KEY": "sk-test", "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
    p = subprocess.Popen([str(binary), "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=scratch / "w")
    lines = queue.Queue()
    err = []
    threading.Thread(target=lambda: [lines.put(l) for l in p.stdout] + [lines.put(None)],
                     daemon=True).start()
    threading.Thread(target=lambda: err.extend(p.stderr), daemon=True).start()
    notes = []

    def read(timeout):
        line = lines.get(timeout=timeout)
        if line is None:
            raise EOFError("".join(err))
        m = json.loads(line)
        if on_message:
            on_message(m)
        if "method" in m and "id" not in m:
            notes.append(m)
        return m

    def ask(id_, method, params):
        msg = {"id": id_, "method": method}
        if params is not None:
            msg["params"] = params
        if on_message:
            on_message(msg, sent=True)
        p.stdin.write(json.dumps(msg) + "\n")
        p.stdin.flush()
        while True:
            m = read(60)
            if m.get("id") == id_ and "method" not in m:
                return m

    ask("init", "initialize", {"clientInfo": {"name": "t", "version": "1"}})
    p.stdin.write(json.dumps({"method": "initialized"}) + "\n")
    p.stdin.flush()
    answers = {}
    thread = None
    for i, (name, method, params) in enumerate(CASES):
        if method is None:
            end = time.time() + params
            while time.time() < end:
                try:
                    read(max(0.05, end - time.time()))
                except queue.Empty:
                    break
            continue
        if thread:
            params = json.loads(json.dumps(params).replace("$THREAD", thread))
        got = ask(i, method, params)
        if method == "thread/start":
            thread = got["result"]["thread"]["id"]
            continue
        answers[name] = normalize({k: v for k, v in got.items() if k != "id"})
    p.stdin.close()
    while True:
        try:
            read(30)
        except EOFError:
            break
    rc = p.wait(timeout=30)
    startup = [normalize(m["params"]) for m in notes if m["method"] == "mcpServer/startupStatus/updated"]
    return answers, startup, log, rc, "".join(err)
