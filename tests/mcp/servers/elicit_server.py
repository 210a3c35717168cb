#!/usr/bin/env python3
"""An MCP server (stdio) whose tools ask the client things, for tests
(stdlib only).

    elicit_server.py [--log FILE]

Tools:
  ask{question}  sends elicitation/create (form mode, one string field
                 `answer` and a boolean `sure`) and returns the client's
                 answer as text: the result's JSON.
  confirm{}      readOnlyHint; sends elicitation/create with a form of no
                 fields (a bare confirmation) and returns the answer's JSON.
  link{}         readOnlyHint; sends a URL-mode elicitation/create and
                 returns the answer's JSON.
  write{text}    no annotations (so it needs approval under `auto`);
                 returns "wrote: <text>".
  poke{}         no annotations either; returns "poked".
  look{}         readOnlyHint; returns "looked".
Every message in and out is logged to FILE as {"dir", "msg"}.
"""
import json
import sys
import threading
import time

LOG = None
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if a == "--log":
        LOG = args.pop(0)

lock = threading.Lock()


def log(entry):
    if LOG:
        with lock, open(LOG, "a") as fh:
            fh.write(json.dumps(dict(entry, ts=time.time())) + "\n")


def send(obj):
    log({"dir": "out", "msg": obj})
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


TOOLS = [
    {"name": "ask", "description": "Asks the user a question",
     "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"question": {"type": "string"}}}},
    {"name": "confirm", "description": "Asks the user to confirm",
     "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
    {"name": "link", "description": "Sends the user to a page",
     "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
    {"name": "write", "description": "Writes something somewhere",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}},
    {"name": "poke", "description": "Pokes something",
     "inputSchema": {"type": "object", "properties": {}}},
    {"name": "look", "description": "Looks at something",
     "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
]
FORM = {"type": "object",
        "properties": {"answer": {"type": "string", "title": "Answer"},
                       "sure": {"type": "boolean", "title": "Sure?"}},
        "required": ["answer"]}

next_id = [1000]
waiting = {}  # our request id -> the tools/call id it answers


def text_result(rid, text):
    send({"jsonrpc": "2.0", "id": rid,
          "result": {"content": [{"type": "text", "text": text}], "isError": False}})


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    msg = json.loads(line)
    log({"dir": "in", "msg": msg})
    method = msg.get("method")
    rid = msg.get("id")
    if method is None and rid in waiting:
        call_id = waiting.pop(rid)
        text_result(call_id, json.dumps(msg.get("result", {"error": msg.get("error")}),
                                        sort_keys=True))
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {
            "protocolVersion": msg["params"].get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}}, "serverInfo": {"name": "elicit", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = msg["params"].get("name")
        arguments = msg["params"].get("arguments") or {}
        if name == "ask":
            next_id[0] += 1
            waiting[next_id[0]] = rid
            send({"jsonrpc": "2.0", "id": next_id[0], "method": "elicitation/create",
                  "params": {"message": arguments.get("question", "?"), "requestedSchema": FORM}})
        elif name == "confirm":
            next_id[0] += 1
            waiting[next_id[0]] = rid
            send({"jsonrpc": "2.0", "id": next_id[0], "method": "elicitation/create",
                  "params": {"message": "Go ahead?",
                             "requestedSchema": {"type": "object", "properties": {}}}})
        elif name == "link":
            next_id[0] += 1
            waiting[next_id[0]] = rid
            send({"jsonrpc": "2.0", "id": next_id[0], "method": "elicitation/create",
                  "params": {"mode": "url", "message": "Sign in, please",
                             "url": "https://example.com/auth?x=1", "elicitationId": "e-1"}})
        elif name == "write":
            text_result(rid, "wrote: " + str(arguments.get("text")))
        elif name == "poke":
            text_result(rid, "poked")
        elif name == "look":
            text_result(rid, "looked")
        else:
            send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": "no tool"}})
    elif rid is not None and method is not None:
        send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "no method"}})
