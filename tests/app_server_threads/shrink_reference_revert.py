#!/usr/bin/env python3
"""Usage: shrink_reference_revert.py RECORDED_SESSIONS EXPECTED_JSON OUT_SESSIONS

Turn what record_reference_revert.py recorded into the test fixture:
- the newest segment (the thread's head) is cut before the first turn that
  expected.json's thread/read does not show: the recorder went on to run
  "seven" and "eight" after taking its answers, and the fixture must be the
  CODEX_HOME those answers were given on;
- the instructions 0.169 stores (base_instructions, developer messages, the
  skills text of world_state) are
  replaced by a short marker: they are the reference's prompt text, not ours,
  and no reader here looks at them;
- every history_base.end_byte_offset is recomputed for the shrunk base
  (the bytes of the base's lines with an ordinal below end_ordinal_exclusive).
Lines not changed are kept byte for byte."""
import json
import pathlib
import sys

ELIDED = "(elided from the recording: the reference's instructions)"


def dump(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False) + "\n"


def shrink_line(raw):
    o = json.loads(raw)
    p = o.get("payload")
    changed = False
    if o.get("type") == "session_meta" and isinstance(p.get("base_instructions"), dict):
        p["base_instructions"] = {"text": ELIDED}
        changed = True
    if (o.get("type") == "response_item" and p.get("type") == "message"
            and p.get("role") == "developer"):
        p["content"] = [{"type": "input_text", "text": ELIDED}]
        changed = True
    skills = p.get("state", {}).get("host_skills") if o.get("type") == "world_state" else None
    if isinstance(skills, dict) and "body" in skills:
        skills["body"] = ELIDED
        changed = True
    return (dump(o) if changed else raw), o


def main():
    src, expected, out = pathlib.Path(sys.argv[1]), json.loads(pathlib.Path(sys.argv[2]).read_text()), \
        pathlib.Path(sys.argv[3])
    shown = {t["id"] for t in expected["read"]["turns"]}
    files = sorted(src.rglob("rollout-*.jsonl"))
    lines = {}
    for f in files:
        lines[f] = [shrink_line(raw) for raw in f.read_text().splitlines(keepends=True)]
    bases = {json.loads(f.open().readline())["payload"].get("history_base", {}).get("thread_id")
             for f in files}
    tid = expected["thread_id"]
    for f in files:
        seg = f.stem.rsplit("_", 1)[1] if "_" in f.stem else tid
        if seg in bases:
            continue  # a base: kept whole
        kept = []
        for raw, o in lines[f]:
            p = o.get("payload") or {}
            if o.get("type") == "event_msg" and p.get("type") == "task_started" and \
                    p.get("turn_id") not in shown:
                break
            kept.append((raw, o))
        lines[f] = kept
    by_seg = {}
    for f in files:
        seg = f.stem.rsplit("_", 1)[1] if "_" in f.stem else tid
        by_seg[seg] = f
    for f in files:
        raw0, meta = lines[f][0]
        hb = meta["payload"].get("history_base")
        if hb:
            base = lines[by_seg[hb["thread_id"]]]
            hb["end_byte_offset"] = sum(len(r.encode()) for r, o in base
                                        if o["ordinal"] < hb["end_ordinal_exclusive"])
            lines[f][0] = (dump(meta), meta)
        dest = out / f.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text("".join(r for r, _ in lines[f]))


if __name__ == "__main__":
    main()
