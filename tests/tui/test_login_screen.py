"""The sign-in screen: with the OpenAI provider and no stored sign-in, the
TUI offers the reference's three ways in before anything else; with a
provider that has its own key it does not."""
import socket

from tuihelp import write_config


def no_openai_config(work):
    (work / "home" / "config.toml").write_text(
        '[projects."%s"]\ntrust_level = "trusted"\n' % (work / "repo"))


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_welcome_when_nobody_is_signed_in(tui, work):
    no_openai_config(work)
    t = tui(write=False, env={"OPENAI_API_KEY": ""})
    s = t.wait_for(r"Welcome to Codex, OpenAI's command-line coding agent")
    for label in ["1. Sign in with ChatGPT", "2. Sign in with Device Code", "3. Sign in another way",
                  "Press enter to continue"]:
        assert label in s
    t.keys("Down")
    t.keys("Down")
    t.keys("Enter")
    t.wait_for(r"codex login --with-api-key")
    t.wait_for(r"Ask Codex to do anything")


def test_device_code_failure_is_said_once(tui, work):
    no_openai_config(work)
    issuer = "http://127.0.0.1:%d" % dead_port()
    t = tui(write=False, env={"OPENAI_API_KEY": "", "CODEX_APP_SERVER_LOGIN_ISSUER": issuer})
    t.wait_for(r"2\. Sign in with Device Code")
    t.keys("Down")
    t.keys("Enter")
    s = t.wait_for(r"failed to request device code")
    assert s.count("failed to request device code") == 1


def test_no_welcome_with_a_provider_key(tui, work, mock):
    t = tui()
    t.wait_for(r"Ask Codex to do anything")
    t.wait_for(r"GPT-5\.5")
    assert "Welcome to Codex" not in t.screen()
