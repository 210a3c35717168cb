#!/usr/bin/env python3
"""Grow a recorded session into a long one, for the resume benchmarks.

gen_rollout.py SOURCE.jsonl OUT_CODEX_HOME MEGABYTES [OUTPUT_KB]

SOURCE is a real rollout (record one with `codex exec` against the mock:
bench/resume.sh does).  Its session_meta and first turn's context lines
are kept; then its turns are replayed with fresh ids until the file
reaches MEGABYTES, each command output padded to OUTPUT_KB (default 20),
the way a long session of builds and test runs grows.  The result is
filed under OUT_CODEX_HOME/sessions/YYYY/MM/DD/ with a new thread id and
its path printed."""
import json
import pathlib
import sys
import uuid


def main():
    src, home, megabytes = sys.argv[1], pathlib.Path(sys.argv[2]), float(sys.argv[3])
    out_kb = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    lines = [json.loads(l) for l in open(src) if l.strip()]
    meta = lines[0]
    assert meta["type"] == "session_meta", "the source must start with session_meta"
    old_id = meta["payload"]["id"]
    new_id = str(uuid.uuid4())
    # One turn: from its task_started to its task_complete.
    starts = [i for i, l in enumerate(lines)
              if l["type"] == "event_msg" and l["payload"].get("type") == "task_started"]
    ends = [i for i, l in enumerate(lines)
            if l["type"] == "event_msg" and l["payload"].get("type") == "task_complete"]
    assert starts and ends, "the source has no complete turn"
    head = lines[:starts[0]]
    turn = lines[starts[0]:ends[0] + 1]
    filler = ("build output line that a long session keeps seeing over and over\n" * 1024)
    pad = filler[:out_kb * 1024]
    day = home / "sessions" / "2026" / "12" / "01"
    day.mkdir(parents=True, exist_ok=True)
    path = day / f"rollout-2026-12-01T10-00-00-{new_id}.jsonl"
    limit = int(megabytes * 1024 * 1024)
    ordinal = 0
    with open(path, "w") as f:
        def emit(line):
            nonlocal ordinal
            line = dict(line)
            line["ordinal"] = ordinal
            ordinal += 1
            f.write(json.dumps(line, separators=(",", ":")) + "\n")

        text = json.dumps(head).replace(old_id, new_id)
        for l in json.loads(text):
            emit(l)
        n = 0
        while f.tell() < limit:
            n += 1
            turn_id = str(uuid.uuid4())
            text = json.dumps(turn).replace(old_id, new_id)
            for l in json.loads(text):
                p = l["payload"]
                if isinstance(p, dict):
                    for k in ("turn_id", "root_turn_id"):
                        if k in p:
                            p[k] = turn_id
                    if p.get("type") == "function_call_output":
                        p["output"] = p["output"] + pad
                    item = p.get("item")
                    if isinstance(item, dict) and "aggregated_output" in item:
                        item["aggregated_output"] = item["aggregated_output"] + pad
                    if p.get("type") == "message" and p.get("role") == "user":
                        p["content"] = [{"type": "input_text", "text": "step %d: run the build again" % n}]
                emit(l)
    print(path)


if __name__ == "__main__":
    main()
