"""fs/watch and fs/unwatch: changes under a watched path come as one
fs/changed per batch, with every path touched, as the reference sends
them (answers recorded from 0.169.0)."""
import queue


def changed(server, timeout=10):
    """The next fs/changed notification's params."""
    for m in server.notifications("fs/changed"):
        return m["params"]
    while True:
        m = server.read(timeout=timeout)
        if m.get("method") == "fs/changed":
            return m["params"]
        server.pending.append(m)


def nothing_more(server, seconds=1.0):
    try:
        m = server.read(timeout=seconds)
    except queue.Empty:
        return True
    return m.get("method") != "fs/changed"


def test_a_directory_batches_its_changes(server, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    r = server.call("fs/watch", {"watchId": "w1", "path": str(d)})
    assert r["result"] == {"path": str(d)}
    (d / "f1.txt").write_text("x")
    (d / "f2.txt").write_text("y")
    assert changed(server) == {"watchId": "w1", "changedPaths": [str(d / "f1.txt"), str(d / "f2.txt")]}
    (d / "f1.txt").unlink()
    assert changed(server) == {"watchId": "w1", "changedPaths": [str(d / "f1.txt")]}
    assert server.call("fs/unwatch", {"watchId": "w1"})["result"] == {}
    (d / "f3.txt").write_text("z")
    assert nothing_more(server)


def test_a_path_that_appears_later(server, tmp_path):
    target = tmp_path / "later.txt"
    r = server.call("fs/watch", {"watchId": "w", "path": str(target)})
    assert r["result"] == {"path": str(target)}
    (tmp_path / "other.txt").write_text("not this one")
    target.write_text("here now")
    assert changed(server) == {"watchId": "w", "changedPaths": [str(target)]}


def test_ids_and_paths_are_checked(server, tmp_path):
    assert "result" in server.call("fs/watch", {"watchId": "w1", "path": str(tmp_path)})
    r = server.call("fs/watch", {"watchId": "w1", "path": str(tmp_path)})
    assert r["error"] == {"code": -32600, "message": "watchId already exists: w1"}
    r = server.call("fs/watch", {"watchId": "w2", "path": "relative/path"})
    assert r["error"]["code"] == -32600
    assert r["error"]["message"] == "Invalid request: AbsolutePathBuf deserialized without a base path"
    # Unwatching an unknown id answers as the reference does.
    assert server.call("fs/unwatch", {"watchId": "nope"})["result"] == {}
    # A watch still open when the client leaves is closed with it (the
    # fixture checks a clean exit under the sanitizers).
