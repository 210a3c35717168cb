"""initialize / initialized and how every request gets an answer."""
import json
import re

from appserver import client_methods


def test_initialize_result(start_server, codex_home):
    s = start_server()
    result = s.initialize(name="my_ide", version="2.5")
    assert result["codexHome"] == str(codex_home)
    assert result["platformFamily"] == "unix"
    assert result["platformOs"] == "linux"
    # "<client>/<protocol version> (<os> <os version>; <arch>) <terminal>
    # (<client>; <client version>) codex-c/<our version>": clients read the
    # server's version from the first token.
    assert re.fullmatch(r"my_ide/0\.169\.0 \(\S+ [0-9.]+; \S+\) xterm \(my_ide; 2\.5\) codex-c/\S+",
                        result["userAgent"]), result["userAgent"]
    rc = s.remote_control
    assert rc["status"] == "disabled" and rc["environmentId"] is None
    assert re.fullmatch(r"[0-9a-f-]{36}", rc["installationId"])
    # The installation id is kept in CODEX_HOME and stays the same.
    s2 = start_server()
    s2.initialize()
    assert s2.remote_control["installationId"] == rc["installationId"]
    assert s2.close() == 0
    assert s.close() == 0


def test_every_schema_method_gets_an_answer(server):
    unsupported = []
    for method in client_methods():
        if method == "initialize":
            continue
        # Params the method would reject keep this from doing real work.
        r = server.call(method, {"__probe": True})
        assert r["id"] is not None
        if "error" in r and "not supported yet" in r["error"]["message"]:
            assert r["error"]["code"] == -32601
            unsupported.append(method)
    assert "thread/delete" not in unsupported
    assert "thread/start" not in unsupported
    assert "fs/readFile" not in unsupported


def test_string_ids_are_echoed(server, tmp_path):
    (tmp_path / "x").write_text("abc")
    r = server.call("fs/readFile", {"path": str(tmp_path / "x")}, id="req-7")
    assert r == {"id": "req-7", "result": {"dataBase64": "YWJj"}}


def test_notifications_and_stray_responses_are_ignored(server, tmp_path):
    server.send({"method": "bogus/notification", "params": {}})
    server.send({"id": 99, "result": {}})
    server.send({"id": 98, "error": {"code": 1, "message": "x"}})
    r = server.call("fs/getMetadata", {"path": str(tmp_path)})
    assert r["result"]["isDirectory"] is True
    assert server.notifications() == []


def test_unknown_method_lists_the_protocol(server):
    r = server.call("thread/doesNotExist")
    msg = r["error"]["message"]
    assert r["error"]["code"] == -32600
    assert msg.startswith("Invalid request: unknown variant `thread/doesNotExist`, expected one of "
                          "`initialize`, ")
    listed = re.findall(r"`([^`]+)`", msg.split("expected one of ", 1)[1])
    assert set(client_methods()) <= set(listed)


def test_wrong_param_types(server):
    r = server.call("fs/remove", {"path": "/nonexistent-x", "force": 1})
    assert r["error"] == {"code": -32600,
                          "message": "Invalid request: invalid type: integer `1`, expected a boolean"}
    r = server.call("fs/readFile", "not-an-object")
    assert r["error"]["message"] == ('Invalid request: invalid type: string "not-an-object", '
                                     'expected struct FsReadFileParams')


def test_the_schema_check_rejects_bad_messages():
    import jsonschema
    import pytest

    from appserver import validate_message
    ids = {"1": "fs/readFile"}
    validate_message({"id": 1, "result": {"dataBase64": "eA=="}}, ids)
    with pytest.raises(jsonschema.ValidationError):
        validate_message({"id": 1, "result": {"data": "eA=="}}, ids)
    with pytest.raises(jsonschema.ValidationError):
        validate_message({"method": "command/exec/outputDelta", "params": {"processId": "x"}}, ids)
    with pytest.raises(jsonschema.ValidationError):
        validate_message({"id": 1, "error": {"code": "bad", "message": "m"}}, ids)


def test_the_method_table_in_docs_is_true(server):
    """docs/app-server.md lists the methods that answer; none of them may say
    "not supported yet"."""
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "app-server.md").read_text()
    answered = doc.split("## Answered", 1)[1].split("##", 1)[0]
    listed = re.findall(r"`([a-zA-Z]+/[a-zA-Z/_]+)`", answered)
    assert len(listed) > 40
    for method in listed:
        r = server.call(method, {"__probe": True})
        assert "not supported yet" not in r.get("error", {}).get("message", ""), method
