"""fuzzyFileSearch and the fuzzyFileSearch/session* methods.

The one-shot answers are compared with the reference's, recorded over the
same tree by record_fuzzy_reference.py (fuzzy_reference.json)."""
import json
import pathlib
import time

import pytest

import fuzzy_tree

RECORDED = json.loads((pathlib.Path(__file__).parent / "fuzzy_reference.json").read_text())


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    fuzzy_tree.build(str(root))
    return str(root)


def test_answers_match_the_reference(server, tree):
    mismatches = []
    for query in fuzzy_tree.QUERIES:
        r = server.call("fuzzyFileSearch", {"query": query, "roots": [tree]})
        got = fuzzy_tree.normalize(r["result"]["files"], tree)
        if got != RECORDED[query]:
            mismatches.append(f"{query!r}:\n  ours: {got}\n  ref:  {RECORDED[query]}")
    assert not mismatches, "\n".join(mismatches)


def test_roots_are_echoed_and_relative_ones_taken_from_the_server(start_server, tmp_path):
    fuzzy_tree.build(str(tmp_path / "tree"))  # the server runs in tmp_path
    s = start_server()
    s.initialize()
    files = s.call("fuzzyFileSearch", {"query": "main.c", "roots": ["tree/src/"]})["result"]["files"]
    assert [(f["root"], f["path"], f["score"]) for f in files] == [
        ("tree/src/", "main.c", 3 * 65536 + 159)]
    # Missing roots, a file as a root and no roots: no files, no error.
    for roots in (["no/such"], [str(tmp_path / "tree" / "Makefile")], []):
        assert s.call("fuzzyFileSearch", {"query": "a", "roots": roots})["result"] == {"files": []}
    # Two roots, one inside the other: a file belongs to the deeper root.
    outer, inner = str(tmp_path / "tree"), str(tmp_path / "tree" / "src")
    files = s.call("fuzzyFileSearch", {"query": "main.c", "roots": [outer, inner]})["result"]["files"]
    assert [(f["root"], f["path"]) for f in files] == [(inner, "main.c")]
    assert s.close() == 0


def test_bad_params_are_worded_like_the_reference(server):
    assert server.call("fuzzyFileSearch", {"query": "x"})["error"] == {
        "code": -32600, "message": "Invalid request: missing field `roots`"}
    assert server.call("fuzzyFileSearch", {"roots": []})["error"] == {
        "code": -32600, "message": "Invalid request: missing field `query`"}
    assert server.call("fuzzyFileSearch", {"query": 5, "roots": []})["error"] == {
        "code": -32600, "message": "Invalid request: invalid type: integer `5`, expected a string"}


def test_a_cancellation_token_cancels_the_earlier_search(server, tree):
    first = server.request("fuzzyFileSearch", {"query": "main", "roots": [tree],
                                               "cancellationToken": "t"})
    second = server.request("fuzzyFileSearch", {"query": "main", "roots": [tree],
                                                "cancellationToken": "t"})
    a = server.response(first)["result"]["files"]
    b = server.response(second)["result"]["files"]
    # The first is cancelled unless it finished before the second arrived.
    assert a in ([], b)
    assert [f["path"] for f in b] == [f["path"] for f in RECORDED["main"]]


def wait_for(server, method, session_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in server.notifications(method):
            if m["params"]["sessionId"] == session_id:
                return m["params"]
        try:
            server.pending.append(server.read(timeout=1))
        except Exception:
            pass
    raise AssertionError(f"no {method} for {session_id}")


def test_sessions_walk_once_and_answer_each_query(start_server, tree):
    s = start_server()
    s.initialize(capabilities={"experimentalApi": True})
    assert s.call("fuzzyFileSearch/sessionStart", {"sessionId": "s1", "roots": [tree]}) \
        .get("result") == {}
    wait_for(s, "fuzzyFileSearch/sessionCompleted", "s1")  # the walk is done
    s.notifications()
    for query in ("m", "ma", "mai", "main"):
        assert s.call("fuzzyFileSearch/sessionUpdate",
                      {"sessionId": "s1", "query": query})["result"] == {}
        wait_for(s, "fuzzyFileSearch/sessionCompleted", "s1")
        updates = [m["params"] for m in s.notifications("fuzzyFileSearch/sessionUpdated")]
        assert updates and updates[-1]["query"] == query
    got = fuzzy_tree.normalize(updates[-1]["files"], tree)
    assert got == RECORDED["main"]
    # Files created after the walk are not seen: the session walked once.
    (pathlib.Path(tree) / "src" / "mainline.c").write_text("x")
    s.call("fuzzyFileSearch/sessionUpdate", {"sessionId": "s1", "query": "mainline"})
    wait_for(s, "fuzzyFileSearch/sessionCompleted", "s1")
    updates = [m["params"] for m in s.notifications("fuzzyFileSearch/sessionUpdated")]
    assert updates[-1]["files"] == []
    assert s.call("fuzzyFileSearch/sessionStop", {"sessionId": "s1"})["result"] == {}
    assert s.call("fuzzyFileSearch/sessionStop", {"sessionId": "s1"})["result"] == {}
    err = s.call("fuzzyFileSearch/sessionUpdate", {"sessionId": "s1", "query": "x"})["error"]
    assert err == {"code": -32600, "message": "fuzzy file search session not found: s1"}
    err = s.call("fuzzyFileSearch/sessionStart", {"sessionId": "s2", "roots": []})["error"]
    assert err == {"code": -32603, "message": "failed to start fuzzy file search session: "
                   "at least one search directory is required"}
    assert s.close() == 0


def test_sessions_need_the_experimental_api(server, tree):
    for method, params in (("fuzzyFileSearch/sessionStart", {"sessionId": "s", "roots": [tree]}),
                           ("fuzzyFileSearch/sessionUpdate", {"sessionId": "s", "query": "a"}),
                           ("fuzzyFileSearch/sessionStop", {"sessionId": "s"})):
        assert server.call(method, params)["error"] == {
            "code": -32600, "message": f"{method} requires experimentalApi capability"}


def test_a_session_ends_with_its_connection(start_server, tree):
    s = start_server()
    s.initialize(capabilities={"experimentalApi": True})
    s.call("fuzzyFileSearch/sessionStart", {"sessionId": "s1", "roots": [tree]})
    s.request("fuzzyFileSearch/sessionUpdate", {"sessionId": "s1", "query": "main"})
    assert s.close() == 0  # under ASan: nothing leaked, nothing used after free
