#!/usr/bin/env python3
"""A scripted stand-in for the OpenAI Responses API, for tests (stdlib only).

    python3 responses_mock.py SCRIPT.json LOG.jsonl [--repeat-last] [--strict-calls]
                              [--scenarios FILE] [--raw-bodies DIR]

Prints "PORT <n>" on stdout once listening on 127.0.0.1.  Each POST to a
path ending in /responses consumes the next entry of the script and answers
it as an SSE stream; every request is appended to LOG.jsonl as
{"path", "headers", "body", "t"} (t: when it arrived, Unix seconds).  Past the end of the script the last entry is
replayed with --repeat-last, otherwise a plain "done" message is sent.
With --strict-calls a request that carries a tool call without its output
is answered 400, as the real API does (it does not consume a script entry).
With --max-request-bytes N a request body over N bytes is answered 400 with
the real API's context_length_exceeded error (no script entry consumed).
With --raw-bodies DIR each request body is also written as received to
DIR/<n>.json (n from 0 in arrival order), for tests that compare bytes.

A script entry is a list of output items, or an object:
  {"items": [...],            output items (see below)
   "status": 500, "error": {...}   answer with that HTTP error instead
   "fail": {"code", "message"}     end with response.failed
   "incomplete": "reason"          end with response.incomplete
   "no_completed": true            end the stream without a terminal event
   "hang": true                    send headers, then nothing (idle timeout)
   "usage": {...} | false          usage of response.completed
   "minimal": true                 only output_item.done + response.completed
   "event_delay_ms": N             pause between SSE events (a slow stream)
   "delta_size": N                 characters per output_text.delta (default 8)
   "no_event_line": true           data: lines only
   "mode": "minimal"               same as minimal (reference script form)}
A script object may also hold "keyed": [{"match": "substring", ...entry}]: a
request whose JSON body contains the substring is answered by that entry
(reused every time) without consuming the sequence, so a side request (a
thread title asked for with text.format json_schema) may come at any point.
Output items: {"type": "message", "text", "phase"?}, {"type": "reasoning",
"summary": [...]}, {"type": "function_call", "name", "arguments", "call_id", "namespace"?},
{"type": "custom_tool_call", "name", "input", "call_id"},
{"type": "local_shell_call", "action", "call_id"},
{"type": "raw_event", "event": {...}} (sent as is),
{"type": "raw_line", "line": "..."} (sent as a raw SSE data line).

A string "{{out:CALL_ID:FIELD}}" anywhere in a turn is replaced by FIELD of
the JSON output the request carries for that call (for example the id of
an agent that spawn_agent started).

With --scenarios FILE ({"KEYWORD": [turn, turn, ...]}), a request whose last
user message starts with "KEYWORD:" is answered by that scenario's turn for
the number of tool-output rounds since that message (the script is not
consumed).  A thread-title side request (a json_schema text.format with a
`title` property, or a first message asking to name the session) is
answered {"title": "Run <keyword> scenario"}.
"""
import json
import os
import re
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    def __init__(self, path, repeat_last):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        self.turns = data.get("turns", []) if isinstance(data, dict) else data
        self.keyed = data.get("keyed", []) if isinstance(data, dict) else []
        self.repeat_last = repeat_last
        self.next = 0
        self.lock = threading.Lock()

    def take(self, raw=b""):
        text = raw.decode("utf-8", "replace")
        for entry in self.keyed:
            if entry["match"] in text:
                return entry
        with self.lock:
            i = self.next
            self.next += 1
        if i < len(self.turns):
            turn = self.turns[i]
        elif self.repeat_last and self.turns:
            turn = self.turns[-1]
        else:
            turn = [{"type": "message", "text": "done"}]
        return turn if isinstance(turn, dict) else {"items": turn}


def new_id(prefix):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:24])


def output_item(spec):
    kind = spec.get("type")
    if kind == "message":
        item = {"type": "message", "role": "assistant", "id": spec.get("id") or new_id("msg"),
                "status": "completed",
                "content": [{"type": "output_text", "text": spec.get("text", ""), "annotations": []}]}
        if spec.get("phase"):
            item["phase"] = spec["phase"]
        return item
    if kind == "reasoning":
        return {"type": "reasoning", "id": spec.get("id") or new_id("rs"),
                "summary": [{"type": "summary_text", "text": s} for s in spec.get("summary", [])]}
    if kind == "function_call":
        args = spec.get("arguments", {})
        item = {"type": "function_call", "id": spec.get("id") or new_id("fc"), "status": "completed",
                "name": spec["name"], "call_id": spec.get("call_id") or new_id("call"),
                "arguments": args if isinstance(args, str) else json.dumps(args)}
        if spec.get("namespace"):
            item["namespace"] = spec["namespace"]
        return item
    if kind == "raw_item":
        return spec["item"]
    if kind == "local_shell_call":
        return {"type": "local_shell_call", "id": spec.get("id") or new_id("lsh"), "status": "completed",
                "call_id": spec.get("call_id") or new_id("call"), "action": spec["action"]}
    if kind == "custom_tool_call":
        return {"type": "custom_tool_call", "id": spec.get("id") or new_id("ctc"),
                "status": "completed", "name": spec["name"],
                "call_id": spec.get("call_id") or new_id("call"), "input": spec.get("input", "")}
    raise ValueError("unknown item type %r" % kind)


def default_usage(request_len):
    n = max(1, request_len // 4)
    return {"input_tokens": n, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 5,
            "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": n + 5}


class Stream:
    def __init__(self, handler, event_lines, delay_ms=0):
        self.h = handler
        self.event_lines = event_lines
        self.delay = delay_ms / 1000.0

    def chunk(self, data):
        self.h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.h.wfile.flush()

    def send(self, event):
        if self.delay:
            time.sleep(self.delay)
        payload = json.dumps(event)
        text = ("event: %s\ndata: %s\n\n" % (event["type"], payload)) if self.event_lines \
            else "data: %s\n\n" % payload
        self.chunk(text.encode())

    def end(self):
        self.h.wfile.write(b"0\r\n\r\n")
        self.h.wfile.flush()


def stream_items(s, turn, minimal):
    for idx, spec in enumerate(turn.get("items", [])):
        if spec.get("type") == "raw_event":
            s.send(spec["event"])
            continue
        if spec.get("type") == "raw_line":
            s.chunk(("data: %s\n\n" % spec["line"]).encode())
            continue
        item = output_item(spec)
        if not minimal:
            s.send({"type": "response.output_item.added", "output_index": idx, "item": item})
            if item["type"] == "message":
                text = spec.get("text", "")
                step = int(turn.get("delta_size", 8)) or 8
                for k in range(0, len(text), step):
                    s.send({"type": "response.output_text.delta", "item_id": item["id"],
                            "output_index": idx, "delta": text[k:k + step]})
        s.send({"type": "response.output_item.done", "output_index": idx, "item": item})


def stream_turn(s, turn, request_len):
    minimal = turn.get("minimal") or turn.get("mode") == "minimal"
    rid = new_id("resp")
    if not minimal:
        s.send({"type": "response.created", "response": {"id": rid}})
    stream_items(s, turn, minimal)
    if turn.get("no_completed"):
        return
    if turn.get("fail"):
        s.send({"type": "response.failed", "response": {"id": rid, "error": turn["fail"]}})
    elif turn.get("incomplete"):
        s.send({"type": "response.incomplete",
                "response": {"id": rid, "incomplete_details": {"reason": turn["incomplete"]}}})
    else:
        resp = {"id": rid}
        usage = turn.get("usage", True)
        if usage is not False:
            resp["usage"] = usage if isinstance(usage, dict) else default_usage(request_len)
        s.send({"type": "response.completed", "response": resp})


def user_texts(body):
    """The texts of the request's user messages, oldest first, with the
    index of each in the input."""
    out = []
    for i, it in enumerate((body or {}).get("input") or []):
        if not isinstance(it, dict) or it.get("role") != "user":
            continue
        text = "\n".join(c.get("text", "") for c in it.get("content") or []
                         if isinstance(c, dict) and isinstance(c.get("text"), str))
        if text.startswith("<"):
            continue  # environment context, AGENTS.md and the like
        out.append((i, text))
    return out


def title_request(body):
    """The TUI's thread-title request: its prompt, or (with scenarios, as the
    reference sends it) a json_schema format with a `title` property."""
    texts = user_texts(body)
    if texts and texts[0][1].startswith("Name this coding session."):
        return True
    fmt = ((body or {}).get("text") or {}).get("format") or {}
    props = (fmt.get("schema") or {}).get("properties") or {}
    return bool(SCENARIOS) and fmt.get("type") == "json_schema" and "title" in props


def scenario_turn(body):
    texts = user_texts(body)
    inp = (body or {}).get("input") or []
    if title_request(body):
        alltext = json.dumps(inp).lower()
        title = "Scripted session"
        for key in SCENARIOS or {}:
            if key.lower() + ":" in alltext:
                title = "Run %s scenario" % key.lower()
                break
        return {"items": [{"type": "message", "text": json.dumps({"title": title})}]}
    if not SCENARIOS or not texts:
        return None
    last_index, text = texts[-1]
    rounds, prev_output = 0, False
    for it in inp[last_index + 1:]:
        kind = it.get("type") if isinstance(it, dict) else None
        if kind in ("function_call_output", "custom_tool_call_output", "tool_search_output"):
            if not prev_output:
                rounds += 1
            prev_output = True
        else:
            prev_output = False
    for key, turns in SCENARIOS.items():
        if text.strip().lower().startswith(key.lower() + ":"):
            if rounds < len(turns):
                turn = turns[rounds]
                return turn if isinstance(turn, dict) else {"items": turn}
            return {"items": [{"type": "message", "text": "(scenario %s finished)" % key}]}
    return None


def call_outputs(body):
    """call_id -> the parsed JSON output of each tool output in the request."""
    out = {}
    for it in (body or {}).get("input") or []:
        if isinstance(it, dict) and str(it.get("type", "")).endswith("_output"):
            try:
                out[it.get("call_id")] = json.loads(it.get("output") or "")
            except (TypeError, ValueError):
                pass
    return out


def fill_outputs(turn, body):
    """Replace {{out:CALL:FIELD}} with the field of that call's output."""
    text = json.dumps(turn)
    if "{{out:" not in text:
        return turn
    outputs = call_outputs(body)

    def value(m):
        got = outputs.get(m.group(1))
        got = got.get(m.group(2)) if isinstance(got, dict) else None
        return json.dumps(str(got if got is not None else ""))[1:-1]
    return json.loads(re.sub(r"\{\{out:([^:}]+):([^}]+)\}\}", value, text))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Small SSE chunks must not wait for delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with LOG_LOCK:
            with open(LOG_PATH, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                     "body": body, "t": time.time()}) + "\n")
            if RAW_BODIES:
                n = len(os.listdir(RAW_BODIES))
                with open(os.path.join(RAW_BODIES, f"{n}.json"), "wb") as fh:
                    fh.write(raw)
        if not self.path.split("?")[0].endswith("/responses"):
            self.send_error(404)
            return
        if MAX_REQUEST_BYTES and len(raw) > MAX_REQUEST_BYTES:
            data = json.dumps({"error": {
                "message": "Your input exceeds the context window of this model. "
                           "Please adjust your input and try again.",
                "type": "invalid_request_error", "param": "input",
                "code": "context_length_exceeded"}}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        dangling = dangling_call(body) if STRICT_CALLS else None
        if dangling:
            data = json.dumps({"error": {"message": "No tool output found for function call %s." % dangling,
                                         "type": "invalid_request_error", "param": "input",
                                         "code": None}}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        turn = scenario_turn(body)
        if turn is None:
            turn = SCRIPT.take(raw)
        turn = fill_outputs(turn, body)
        if turn.get("delay_ms"):
            time.sleep(turn["delay_ms"] / 1000.0)
        status = int(turn.get("status", 200))
        if status != 200:
            data = json.dumps({"error": turn.get("error") or {"message": "scripted error"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if turn.get("retry_after") is not None:
                self.send_header("Retry-After", str(turn["retry_after"]))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if turn.get("hang"):
            time.sleep(float(turn.get("hang_seconds", 30)))
            return
        s = Stream(self, not turn.get("no_event_line"), int(turn.get("event_delay_ms", 0)))
        stream_turn(s, turn, len(raw))
        s.end()


def dangling_call(body):
    """The call_id of a tool call in the request without an output, or None."""
    items = (body or {}).get("input") or []
    answered = {i.get("call_id") for i in items if str(i.get("type", "")).endswith("_output")}
    for i in items:
        if i.get("type") in ("function_call", "custom_tool_call", "local_shell_call") \
                and i.get("call_id") not in answered:
            return i.get("call_id")
    return None


STRICT_CALLS = False
MAX_REQUEST_BYTES = 0
RAW_BODIES = None


def main():
    global SCRIPT, LOG_PATH, STRICT_CALLS, MAX_REQUEST_BYTES, SCENARIOS, RAW_BODIES
    SCRIPT = Script(sys.argv[1], "--repeat-last" in sys.argv)
    STRICT_CALLS = "--strict-calls" in sys.argv
    if "--max-request-bytes" in sys.argv:
        MAX_REQUEST_BYTES = int(sys.argv[sys.argv.index("--max-request-bytes") + 1])
    if "--scenarios" in sys.argv:
        with open(sys.argv[sys.argv.index("--scenarios") + 1], encoding="utf-8") as fh:
            SCENARIOS = json.load(fh)
    if "--raw-bodies" in sys.argv:
        RAW_BODIES = sys.argv[sys.argv.index("--raw-bodies") + 1]
    LOG_PATH = sys.argv[2]
    open(LOG_PATH, "w").close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


LOG_LOCK = threading.Lock()
SCRIPT = None
LOG_PATH = None
SCENARIOS = None

if __name__ == "__main__":
    main()
