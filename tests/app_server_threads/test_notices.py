"""The agent's warnings and deprecation notices reach app-server clients as
`warning` and `deprecationNotice` notifications, after thread/started (the
order 0.169 sends them in), never as `error`, which clients show as a
failure."""


def test_deprecation_notice_follows_thread_started(threads_server, repo, codex_home):
    server, _ = threads_server([[{"type": "message", "text": "hi"}]], repeat_last=True)
    config = codex_home / "config.toml"
    config.write_text("[features]\ncodex_hooks = true\n" + config.read_text())
    r = server.call("thread/start", {"cwd": str(repo)})
    assert "result" in r, r
    seen = []
    notice = None
    while notice is None:
        m = server.read()
        seen.append(m.get("method"))
        if m.get("method") == "deprecationNotice":
            notice = m
    assert seen.index("deprecationNotice") > seen.index("thread/started")
    assert notice["params"] == {
        "summary": "`[features].codex_hooks` is deprecated. Use `[features].hooks` instead.",
        "details": "Enable it with `--enable hooks` or `[features].hooks` in config.toml. See "
                   "https://developers.openai.com/codex/config-basic#feature-flags for details."}
    assert "error" not in seen
