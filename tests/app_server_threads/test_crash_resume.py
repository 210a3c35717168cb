"""Crash paths of the app server: the server killed with SIGKILL while a
turn waits for the client's approval; a new server resumes the thread, the
unanswered command is never run, and the model hears it was aborted."""
import signal

from test_approvals import approval_request, tool_output
from test_threads import run_turn, start_thread, turn_completed


def test_killed_while_an_approval_is_pending(threads_server, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c_pending",
                "arguments": {"cmd": "touch never-approved.txt", "login": False}}]]
    server, _ = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    run_turn(server, t["id"], "make the file")
    approval_request(server, "item/commandExecution/requestApproval")
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)

    server, mock = threads_server([[{"type": "message", "text": "carried on"}]])
    r = server.call("thread/resume", {"threadId": t["id"]})
    assert "result" in r, r
    turns = r["result"]["thread"]["turns"]
    # As 0.169 shows it: the turn interrupted, holding only the user's message.
    assert [(u["status"], [i["type"] for i in u["items"]]) for u in turns] == \
        [("interrupted", ["userMessage"])]
    run_turn(server, t["id"], "go on")
    done = turn_completed(server, t["id"])
    assert done["status"] == "completed"
    assert tool_output(mock, "c_pending") == "aborted"
    assert not (repo / "never-approved.txt").exists()
