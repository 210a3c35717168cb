"""Value-free structure of exec --json output, for comparing with the
reference capture (same reduction as the reference harness's skeleton.py)."""


def exec_skeleton(events):
    out = []
    for ev in events:
        s = {"type": ev.get("type")}
        item = ev.get("item")
        if isinstance(item, dict):
            s["item_type"] = item.get("type")
            s["item_keys"] = sorted(item.keys())
            if "status" in item:
                s["status"] = item["status"]
        if ev.get("usage"):
            s["usage_keys"] = sorted(ev["usage"].keys())
        out.append(s)
    return out


def without_parallel_noise(skeleton):
    """Parallel tool calls finish in any order: compare command events as a
    multiset and everything else in sequence."""
    commands = sorted((e for e in skeleton if e.get("item_type") == "command_execution"),
                      key=lambda e: (e["type"], e.get("status", "")))
    rest = [e for e in skeleton if e.get("item_type") != "command_execution"]
    return commands, rest
