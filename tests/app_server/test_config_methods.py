"""config/*, configRequirements/read, experimentalFeature/list, model/list."""

USER_CONFIG = '# my config\nmodel = "o3"  # keep\n\n[tui]\nnotifications = true\n'
# Versions the reference (0.169.0) answered for the same file and edits.
REF_VERSION_START = "sha256:956c11e0a93f4c2aefd823c23dc024b908232152b0133ce39f4efd52fadd31b9"
REF_VERSION_AFTER_MODEL = "sha256:81534ab70e438f2a78fcf0a4fe031a4bbc4f916ae26591744e8b64515087a8ac"
REF_VERSION_AFTER_UPSERT = "sha256:26e23f25db5911175a4839e8f4103f4d8dd2574627f197248a1367727f45f5a4"
REF_VERSION_AFTER_BATCH = "sha256:fb5f42c6d4393ecb8a3d7d5cdf8b240b2d88b543eb0ae5b49d6fafe82875c8d9"


def test_config_read_reports_user_layer(start_server, codex_home):
    (codex_home / "config.toml").write_text(USER_CONFIG)
    s = start_server()
    s.initialize()
    r = s.call("config/read", {"includeLayers": True})["result"]
    assert r["config"]["model"] == "o3"
    assert r["config"]["tui"]["notifications"] is True
    path = str(codex_home / "config.toml")
    meta = {"name": {"type": "user", "file": path, "profile": None}, "version": REF_VERSION_START}
    assert r["origins"] == {"model": meta, "tui.notifications": meta}
    assert r["layers"] == [{**meta, "config": {"model": "o3", "tui": {"notifications": True}}}]
    assert "layers" not in s.call("config/read")["result"]
    assert s.close() == 0


def test_config_writes_keep_comments_and_match_reference_versions(start_server, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text(USER_CONFIG)
    s = start_server()
    s.initialize()
    r = s.call("config/value/write", {"keyPath": "model", "value": "gpt-5",
                                      "mergeStrategy": "replace",
                                      "expectedVersion": REF_VERSION_START})["result"]
    assert r == {"status": "ok", "version": REF_VERSION_AFTER_MODEL, "filePath": str(cfg),
                 "overriddenMetadata": None}
    r = s.call("config/value/write", {"keyPath": "tui.x.y", "value": {"a": 1},
                                      "mergeStrategy": "upsert"})["result"]
    assert r["version"] == REF_VERSION_AFTER_UPSERT
    r = s.call("config/batchWrite", {"edits": [
        {"keyPath": "model_reasoning_effort", "value": "high", "mergeStrategy": "replace"},
        {"keyPath": "foo", "value": None, "mergeStrategy": "replace"}]})["result"]
    assert r["version"] == REF_VERSION_AFTER_BATCH
    text = cfg.read_text()
    assert text.startswith('# my config\nmodel = "gpt-5"  # keep\n')
    assert 'model_reasoning_effort = "high"' in text and "[tui.x.y]\na = 1" in text
    assert s.close() == 0


def test_config_write_errors_match_reference(start_server, codex_home, tmp_path):
    (codex_home / "config.toml").write_text(USER_CONFIG)
    s = start_server()
    s.initialize()
    r = s.call("config/value/write", {"keyPath": "model", "value": "x", "mergeStrategy": "replace",
                                      "expectedVersion": "bogus"})
    assert r["error"] == {"code": -32600,
                          "data": {"config_write_error_code": "configVersionConflict"},
                          "message": "Configuration was modified since last read. Fetch latest "
                                     "version and retry."}
    r = s.call("config/value/write", {"keyPath": "model", "value": "x", "mergeStrategy": "replace",
                                      "filePath": str(tmp_path / "other.toml")})
    assert r["error"] == {"code": -32600,
                          "data": {"config_write_error_code": "configLayerReadonly"},
                          "message": "Only writes to the user config are allowed"}
    r = s.call("config/value/write", {"keyPath": "", "value": "x", "mergeStrategy": "replace"})
    assert r["error"] == {"code": -32600,
                          "data": {"config_write_error_code": "configValidationError"},
                          "message": "keyPath must not be empty"}
    r = s.call("config/value/write", {"keyPath": "model", "value": "x", "mergeStrategy": "merge"})
    assert r["error"]["code"] == -32600 and "unknown variant `merge`" in r["error"]["message"]
    assert (codex_home / "config.toml").read_text() == USER_CONFIG
    assert s.close() == 0


def test_write_creates_the_config_file(server, codex_home):
    r = server.call("config/value/write", {"keyPath": "profiles.work.model", "value": "gpt-5.5",
                                           "mergeStrategy": "replace"})
    assert r["result"]["status"] == "ok"
    assert 'model = "gpt-5.5"' in (codex_home / "config.toml").read_text()
    assert server.call("config/read")["result"]["config"]["profiles"]["work"]["model"] == "gpt-5.5"


def test_requirements_read(start_server, tmp_path):
    s = start_server(env={"CODEX_REQUIREMENTS_PATH": str(tmp_path / "none.toml")})
    s.initialize()
    assert s.call("configRequirements/read", omit_params=True)["result"] == {
        "supportsIndependentSpeedModes": True, "requirements": None}
    assert s.close() == 0
    req = tmp_path / "requirements.toml"
    req.write_text('allowed_sandbox_modes = ["read-only"]\n'
                   'allowed_approval_policies = ["on-request", "never"]\n'
                   '[features]\nweb_search_request = false\n')
    s = start_server(env={"CODEX_REQUIREMENTS_PATH": str(req)})
    s.initialize()
    r = s.call("configRequirements/read", omit_params=True)["result"]["requirements"]
    assert r == {"allowedSandboxModes": ["read-only"],
                 "allowedApprovalPolicies": ["on-request", "never"],
                 "featureRequirements": {"web_search_request": False}}
    assert s.close() == 0


def test_experimental_features_follow_config(start_server, codex_home):
    (codex_home / "config.toml").write_text("[features]\nmemories = true\n")
    s = start_server()
    s.initialize()
    seen = {}
    cursor = None
    while True:
        params = {"limit": 40}
        if cursor:
            params["cursor"] = cursor
        r = s.call("experimentalFeature/list", params)["result"]
        assert len(r["data"]) <= 40
        seen.update({f["name"]: f for f in r["data"]})
        cursor = r["nextCursor"]
        if cursor is None:
            break
    assert seen["memories"]["enabled"] is True and seen["memories"]["defaultEnabled"] is False
    assert seen["plugins"]["stage"] == "stable" and seen["plugins"]["enabled"] is True
    assert len(seen) > 100
    # The flags a user may switch (/experimental) carry a label and a line
    # of description, as the reference's do; the others carry none.
    beta = {n for n, f in seen.items() if f["stage"] == "beta"}
    assert beta == {"analytics_plan_history", "login_shell_package_path", "network_proxy",
                    "prevent_idle_sleep", "respect_system_proxy"}
    assert seen["network_proxy"]["displayName"] == "Network proxy"
    assert seen["network_proxy"]["description"].startswith("Apply network proxy restrictions")
    assert all(seen[n]["displayName"] and seen[n]["description"] for n in beta)
    assert seen["memories"]["displayName"] is None and seen["memories"]["description"] is None
    assert s.close() == 0


def test_model_list_and_pagination(server):
    full = server.call("model/list")["result"]
    assert full["nextCursor"] is None
    ids = [m["id"] for m in full["data"]]
    assert ids[0] == "gpt-6.1-sol" and "gpt-5.5" in ids
    assert [m["id"] for m in full["data"] if m["isDefault"]] == ["gpt-6.1-sol"]
    paged, cursor = [], None
    while True:
        params = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = server.call("model/list", params)["result"]
        paged += [m["id"] for m in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert paged == ids
    r = server.call("model/list", {"cursor": "garbage"})
    assert r["error"]["code"] == -32600


def test_command_line_overrides_reach_config_read(start_server):
    s = start_server(args=("--listen", "stdio://", "-c", 'model="from-flag"'))
    s.initialize()
    assert s.call("config/read")["result"]["config"]["model"] == "from-flag"
    assert s.close() == 0


def test_values_of_the_wrong_type_are_not_written(server, codex_home):
    r = server.call("config/value/write", {"keyPath": "model", "value": 5,
                                           "mergeStrategy": "replace"})
    assert r["error"]["code"] == -32600
    assert r["error"]["data"] == {"config_write_error_code": "configValidationError"}
    assert r["error"]["message"].startswith("Invalid configuration: ")
    assert "`model`" in r["error"]["message"]
    assert not (codex_home / "config.toml").exists()
    # Unknown keys are accepted (with a warning), as the reference does.
    r = server.call("config/value/write", {"keyPath": "bogus_key", "value": 5,
                                           "mergeStrategy": "replace"})
    assert r["result"]["status"] == "ok"


def test_model_providers_as_the_reference_lists_them(start_server, codex_home):
    (codex_home / "config.toml").write_text(
        'model_provider = "mock"\n'
        '[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:45939/v1"\n'
        'env_key = "MOCK_API_KEY"\n'
        '[model_providers.local]\nname = "Local box"\nbase_url = "http://127.0.0.1:8080/v1"\n')
    s = start_server()
    s.initialize()
    r = s.call("modelProvider/list", {})["result"]
    # The reference (0.169.0) answered the first and last entries exactly so.
    assert r == {"data": [
        {"id": "mock", "name": "mock", "canEdit": True, "baseUrl": "http://127.0.0.1:45939/v1",
         "settings": {"type": "customGateway",
                      "auth": {"mode": "environmentVariable", "envKey": "MOCK_API_KEY"}}},
        {"id": "local", "name": "Local box", "canEdit": True, "baseUrl": "http://127.0.0.1:8080/v1",
         "settings": {"type": "customGateway", "auth": {"mode": "none"}}},
        {"id": "openai", "name": "OpenAI", "canEdit": False, "baseUrl": None,
         "settings": {"type": "openai"}}],
        "defaultProviderId": "mock", "canChangeDefault": True}
    r = s.call("modelProvider/capabilities/read", {})["result"]
    assert r == {"imageGeneration": True, "webSearch": True}
    assert s.close() == 0


def test_model_providers_without_config(server):
    r = server.call("modelProvider/list", {})["result"]
    assert [p["id"] for p in r["data"]] == ["openai"] and r["defaultProviderId"] == "openai"


def test_permission_profiles_listed_with_what_requirements_allow(start_server, codex_home, tmp_path):
    (codex_home / "config.toml").write_text(
        'default_permissions = "dev"\n'
        '[permissions.dev]\ndescription = "the usual"\n'
        '[permissions.dev.filesystem]\n":minimal" = "read"\n'
        '[permissions.dev.filesystem.":project_roots"]\n"." = "write"\n'
        '[permissions.reader.filesystem]\n":minimal" = "read"\n')
    req = tmp_path / "requirements.toml"
    req.write_text('allowed_sandbox_modes = ["read-only", "workspace-write"]\n')
    s = start_server(env={"CODEX_REQUIREMENTS_PATH": str(req)})
    s.initialize()
    r = s.call("permissionProfile/list", {})["result"]
    assert r == {"data": [
        {"id": ":read-only", "description": None, "allowed": True},
        {"id": ":workspace", "description": None, "allowed": True},
        {"id": ":danger-full-access", "description": None, "allowed": False},
        {"id": "dev", "description": "the usual", "allowed": True},
        {"id": "reader", "description": None, "allowed": True}], "nextCursor": None}
    page = s.call("permissionProfile/list", {"limit": 2})["result"]
    assert [p["id"] for p in page["data"]] == [":read-only", ":workspace"]
    rest = s.call("permissionProfile/list", {"cursor": page["nextCursor"]})["result"]
    assert [p["id"] for p in rest["data"]] == [":danger-full-access", "dev", "reader"]
    assert s.close() == 0


def test_profiles_without_default_permissions_are_listed_but_refused_elsewhere(start_server, codex_home,
                                                                                tmp_path):
    """As 0.169: [permissions.<name>] tables with no default_permissions do
    not stop permissionProfile/list, while the methods that use the
    configuration refuse it with the loader's words."""
    (codex_home / "config.toml").write_text('[permissions.foo.filesystem]\n":minimal" = "read"\n')
    s = start_server()
    s.initialize()
    r = s.call("permissionProfile/list", {})
    assert r.get("result") == {"data": [
        {"id": ":read-only", "description": None, "allowed": True},
        {"id": ":workspace", "description": None, "allowed": True},
        {"id": ":danger-full-access", "description": None, "allowed": True},
        {"id": "foo", "description": None, "allowed": True}], "nextCursor": None}, r
    why = "config defines `[permissions]` profiles but does not set `default_permissions`"
    r = s.call("config/read", {})
    assert "error" in r and why in r["error"]["message"], r
    r = s.call("thread/start", {"cwd": str(tmp_path)})
    assert "error" in r and why in r["error"]["message"], r
    assert s.close() == 0


def test_the_reference_built_in_profile_names(run_codex, tmp_path):
    """0.169 names the unsandboxed built-in `:danger-full-access`."""
    r = run_codex("sandbox", "-c", 'default_permissions=":danger-full-access"', "--", "true")
    assert r.returncode == 0, r.stderr
    r = run_codex("sandbox", "-c", 'default_permissions=":nope"', "--", "true")
    assert r.returncode != 0 and ":danger-full-access" in r.stderr
