"""experimentalFeature/enablement/set, modelProvider/config/write and
feedback/save: what the reference 0.169.0 answers, and what they change."""
import json
import zipfile


def feature(server, name):
    data = server.call("experimentalFeature/list", {})["result"]["data"]
    return next(f for f in data if f["name"] == name)


def test_feature_enablement_applies_the_reference_allowlist(server):
    assert server.call("experimentalFeature/enablement/set",
                       {"enablement": {}})["result"] == {"enablement": {}}
    assert feature(server, "memories")["enabled"] is False
    r = server.call("experimentalFeature/enablement/set",
                    {"enablement": {"memories": True, "apps": False, "no_such_feature": True}})
    # Only the names the reference lets a client switch are applied.
    assert r["result"] == {"enablement": {"memories": True}}
    assert feature(server, "memories")["enabled"] is True
    assert feature(server, "apps")["enabled"] is True
    r = server.call("experimentalFeature/enablement/set", {"enablement": {"memories": False}})
    assert r["result"] == {"enablement": {"memories": False}}
    assert feature(server, "memories")["enabled"] is False


def test_feature_enablement_bad_params(server):
    r = server.call("experimentalFeature/enablement/set", {"enablement": {"mentions_v2": "yes"}})
    assert r["error"] == {"code": -32600, "message":
                          "Invalid request: invalid type: string \"yes\", expected a boolean"}
    r = server.call("experimentalFeature/enablement/set", {})
    assert r["error"] == {"code": -32600, "message": "Invalid request: missing field `enablement`"}


def test_model_provider_config_write_custom_gateway(server, codex_home):
    r = server.call("modelProvider/config/write", {"settings": {
        "type": "customGateway", "name": "My GW", "baseUrl": "http://gw.example/v1",
        "envKey": "GW_KEY"}})
    assert r["result"] == {"provider": {
        "id": "my-gw", "name": "My GW", "canEdit": True, "baseUrl": "http://gw.example/v1",
        "settings": {"type": "customGateway",
                     "auth": {"mode": "environmentVariable", "envKey": "GW_KEY"}}}}
    text = (codex_home / "config.toml").read_text()
    assert "[model_providers.my-gw]" in text and 'env_key = "GW_KEY"' in text
    assert 'wire_api = "responses"' in text
    # The same name again gets an id of its own.
    r = server.call("modelProvider/config/write", {"settings": {"type": "customGateway",
                                                                "name": "My GW"}})
    assert r["result"]["provider"]["id"] == "my-gw-2"
    # Patch: given fields replace, null clears, absent ones stay.
    r = server.call("modelProvider/config/write", {"settings": {
        "type": "customGateway", "providerId": "my-gw", "name": "Renamed", "envKey": None}})
    p = r["result"]["provider"]
    assert p["id"] == "my-gw" and p["name"] == "Renamed"
    assert p["baseUrl"] == "http://gw.example/v1" and p["settings"]["auth"] == {"mode": "none"}
    listed = server.call("modelProvider/list", {})["result"]["data"]
    assert {"my-gw", "my-gw-2", "openai"} <= {x["id"] for x in listed}


def test_model_provider_config_write_errors(server, codex_home):
    def err(settings):
        return server.call("modelProvider/config/write", {"settings": settings})["error"]
    assert err({"type": "customGateway", "providerId": "nope", "name": "x"}) == {
        "code": -32600, "message": "Unknown provider ID.",
        "data": {"config_write_error_code": "configPathNotFound"}}
    assert err({"type": "customGateway", "providerId": "openai", "name": "x"}) == {
        "code": -32600, "message": "A custom provider or gateway cannot use a built-in provider ID.",
        "data": {"config_write_error_code": "configValidationError"}}
    assert err({"type": "customGateway"})["message"] == "Enter a provider name."
    assert err({"type": "customGateway", "name": ""})["message"] == "Enter a provider name."
    assert err({"type": "customGateway", "name": "A", "extra": 1})["message"] == (
        "Invalid request: unknown field `extra`, expected one of `providerId`, `name`, "
        "`baseUrl`, `envKey`")
    assert err({"type": "openai"})["message"] == (
        "Invalid request: unknown variant `openai`, expected one of `customGateway`, `bedrock`, "
        "`gcp`")
    assert "not supported by codex-c" in err({"type": "bedrock", "providerId": "amazon-bedrock"})[
        "message"]
    assert not (codex_home / "config.toml").exists() or \
        "model_providers" not in (codex_home / "config.toml").read_text()


def test_feedback_save_writes_a_local_zip(server, tmp_path):
    thread = server.call("thread/start", {"cwd": str(tmp_path), "ephemeral": False})
    tid = thread["result"]["thread"]["id"]
    extra = tmp_path / "notes.md"
    extra.write_text("# notes\n")
    path = tmp_path / "fb.zip"
    r = server.call("feedback/save", {"classification": "bug", "savePath": str(path),
                                      "includeLogs": True, "threadId": tid, "reason": "why",
                                      "tags": {"team": "x"}, "extraLogFiles": [str(extra)]})
    res = r["result"]
    assert res["savedPath"] == str(path) and res["threadId"] == tid
    assert len(res["promptHash"]) == 64
    with zipfile.ZipFile(path) as z:
        report = json.loads(z.read("report.json"))
        manifest = json.loads(z.read("manifest.json"))
        assert report["message"] == f"[Bug]: Codex session {tid}"
        assert report["exception"]["values"][0]["value"] == "why"
        assert report["tags"]["team"] == "x" and report["tags"]["classification"] == "bug"
        names = [m["filename"] for m in manifest]
        assert names[0].startswith("rollout-") and names[0].endswith(f"{tid}.jsonl")
        assert names[1] == "notes.md" and manifest[1]["contentType"] == "text/markdown"
        assert z.read(manifest[1]["entry"]) == b"# notes\n"
    # Without logs: the report alone; without a thread: a made-up id.
    r = server.call("feedback/save", {"classification": "good_result", "includeLogs": False,
                                      "savePath": str(tmp_path / "fb2.zip")})
    assert r["result"]["threadId"].startswith("no-active-thread-")
    assert r["result"]["promptHash"] is None
    with zipfile.ZipFile(tmp_path / "fb2.zip") as z:
        assert sorted(z.namelist()) == ["manifest.json", "report.json"]
        assert json.loads(z.read("report.json"))["message"].startswith("[Good result]: ")


def test_feedback_save_errors(server, tmp_path):
    path = tmp_path / "fb.zip"
    path.write_text("taken")
    r = server.call("feedback/save", {"classification": "bug", "savePath": str(path),
                                      "includeLogs": False})
    assert r["error"] == {"code": -32603,
                          "message": "failed to save feedback: feedback save path already exists"}
    assert path.read_text() == "taken"
    r = server.call("feedback/save", {"classification": "bug", "savePath": "rel.zip",
                                      "includeLogs": True})
    assert r["error"] == {"code": -32600,
                          "message": "feedback savePath must be an absolute host path"}
    r = server.call("feedback/save", {"savePath": str(tmp_path / "x.zip"), "includeLogs": False})
    assert r["error"] == {"code": -32600, "message": "Invalid request: missing field `classification`"}
    r = server.call("feedback/save", {"classification": "bug", "includeLogs": False,
                                      "savePath": str(tmp_path / "no" / "x.zip")})
    assert r["error"]["code"] == -32603 and "No such file or directory" in r["error"]["message"]
