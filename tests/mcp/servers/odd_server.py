#!/usr/bin/env python3
"""An MCP server (stdio) that misbehaves on request, for tests (stdlib only).

    odd_server.py [--mode MODE] [--log FILE]

Modes: normal | garbage (stdout lines that are not JSON, then normal) |
hang-init (never answers initialize) | evil-names (a tool whose name and
description carry control characters and quotes).
Tools: big{n} (a text block of n bytes, then a short one), flood{n} (one
line of n bytes that never ends), crash{} (exits while answering),
echo{message}.
"""
import json
import os
import sys
import time

MODE = "normal"
LOG = None
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if a == "--mode":
        MODE = args.pop(0)
    elif a == "--log":
        LOG = args.pop(0)


def log(entry):
    if LOG:
        with open(LOG, "a") as fh:
            fh.write(json.dumps(dict(entry, ts=time.time())) + "\n")


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


EVIL = "evil\x1b[31m\"name\u0007"
TOOLS = [
    {"name": "big", "description": "A long text", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    {"name": "flood", "description": "One endless line", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    {"name": "crash", "description": "Exits mid-call", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
    {"name": "echo", "description": "Echoes", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}}}},
    {"name": "not_object", "description": "A schema that is not an object",
     "inputSchema": {"type": "string"}},
]
if MODE == "evil-names":
    TOOLS.append({"name": EVIL, "description": "bad\x1b]0;title\x07\"}\n{desc",
                  "inputSchema": {"type": "object", "properties": {}}})

log({"event": "start", "pid": os.getpid()})
if MODE == "garbage":
    sys.stdout.write("not json at all\n{\"half\": \n\x1b[2J\n")
    sys.stdout.flush()
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    log({"in": msg})
    mid, method = msg.get("id"), msg.get("method")
    if mid is None or method is None:
        continue
    if method == "initialize":
        if MODE == "hang-init":
            continue
        send({"jsonrpc": "2.0", "id": mid, "result": {
            "protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
            "serverInfo": {"name": "odd", "version": "1"}, "instructions": "Odd server."}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": mid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = msg["params"]["name"]
        a = msg["params"].get("arguments") or {}
        if name == "big":
            n = int(a.get("n", 1000))
            text = "".join("line %07d abcdefghijklmnopqrstuvwxyz\n" % i for i in range(n // 40 + 1))[:n]
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [
                {"type": "text", "text": text}, {"type": "text", "text": "second block"}]}})
        elif name == "flood":
            n = int(a.get("n", 100 << 20))
            chunk = "x" * (1 << 20)
            sys.stdout.write('{"jsonrpc":"2.0","id":%d,"result":{"content":[{"type":"text","text":"' % mid)
            for _ in range(n // len(chunk)):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            time.sleep(30)
        elif name == "crash":
            log({"event": "crash"})
            os._exit(9)
        else:
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [
                {"type": "text", "text": "Echo: %s" % a.get("message", "")}]}})
    else:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "no " + method}})
