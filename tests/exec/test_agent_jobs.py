"""spawn_agents_on_csv (features.enable_fanout): one worker subagent per CSV
row, at most max_concurrency (capped by agents.max_threads) at a time; each
worker reports through report_agent_job_result; the call answers with the
reference's summary and writes the output CSV.  A row that does not fit
the header, a worker that never reports and one that outlives
agents.job_max_runtime_seconds fail their row and the job goes on.

The mock routes on the first word of the last user message: the parent's
prompt starts "PARENT:", a worker's prompt starts with its instruction
("WORKER: ..."), and {{line:Job ID}} / {{line:Item ID}} copy the ids the
worker was given into its report."""
import csv
import io
import json

from exec_helpers import MockServer, write_config

FANOUT = "[features]\nenable_fanout = true\n"


def say(text):
    return [{"type": "message", "text": text}]


def fn(name, call_id, **args):
    return {"type": "function_call", "name": name, "call_id": call_id, "arguments": args}


def report(call_id="w_rep", **result):
    return [fn("report_agent_job_result", call_id, job_id="{{line:Job ID}}",
               item_id="{{line:Item ID}}", result=result or {"seen": "{{line:Item ID}}"})]


def run(run_codex, codex_home, repo, tmp_path, scenarios, top="", timeout=120):
    server = MockServer(tmp_path, [say("unscripted")], repeat_last=True, scenarios=scenarios)
    try:
        write_config(codex_home, server.port, extra_top=top + FANOUT)
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-s", "danger-full-access",
                      "PARENT: go", env={"MOCK_API_KEY": "k"}, cwd=repo, timeout=timeout)
        return r, server.requests()
    finally:
        server.stop()


def output_of(reqs, call_id):
    for q in reversed(reqs):
        for it in q["body"]["input"]:
            if it.get("type") == "function_call_output" and it.get("call_id") == call_id:
                return it["output"]
    return None


def last_user(req):
    texts = [c.get("text", "") for it in req["body"]["input"] if it.get("role") == "user"
             for c in it["content"] if not c.get("text", "").startswith("<")]
    return texts[-1] if texts else ""


def tool_names(req):
    return [t.get("name") for t in req["body"]["tools"]]


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_twenty_rows_fan_out_within_max_threads(run_codex, codex_home, repo, tmp_path):
    rows = ["name"] + ["n%02d" % i for i in range(20)]
    (repo / "rows.csv").write_text("\n".join(rows) + "\n")
    live = tmp_path / "live"
    live.mkdir()
    counts = tmp_path / "counts"
    # Each worker marks itself live, records how many are live, lingers, leaves.
    cmd = ("touch %s/$$; ls %s | wc -l >> %s; sleep 0.3; rm %s/$$" % (live, live, counts, live))
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="rows.csv",
                       instruction="WORKER: handle {name}", output_csv_path="out/result.csv")],
                   say("PARENT DONE")],
        "WORKER": [[fn("exec_command", "w_cmd", cmd=cmd, yield_time_ms=30000)],
                   report(),
                   say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, top="[agents]\nmax_threads = 3\n")
    assert r.returncode == 0, r.stderr

    # The parent is offered the tool; workers get report_agent_job_result and not it.
    parent_reqs = [q for q in reqs if last_user(q).startswith("PARENT")]
    assert "spawn_agents_on_csv" in tool_names(parent_reqs[0])
    assert "report_agent_job_result" not in tool_names(parent_reqs[0])
    worker_reqs = [q for q in reqs if last_user(q).startswith("WORKER")]
    assert "report_agent_job_result" in tool_names(worker_reqs[0])
    assert "spawn_agents_on_csv" not in tool_names(worker_reqs[0])

    out = json.loads(output_of(reqs, "p_job"))
    assert list(out) == ["job_id", "status", "output_csv_path", "total_items", "completed_items",
                         "failed_items", "job_error", "failed_item_errors"]
    assert out["status"] == "completed"
    assert (out["total_items"], out["completed_items"], out["failed_items"]) == (20, 20, 0)
    assert out["job_error"] is None and out["failed_item_errors"] is None
    assert out["output_csv_path"] == str(repo / "out" / "result.csv")

    # Every row got its own worker, given its row's values and ids.
    firsts = [q for q in worker_reqs if not any(it.get("type") == "function_call_output"
                                               for it in q["body"]["input"])]
    assert sorted(last_user(q).split("\n")[0] for q in firsts) == \
        sorted("WORKER: handle " + n for n in rows[1:])
    first = firsts[0]
    h = first["headers"]
    assert h["x-openai-subagent"] == "agent_job:" + out["job_id"]
    assert len({q["headers"]["thread-id"] for q in firsts}) == 20

    # Never more than max_threads workers at once.
    seen = [int(x) for x in counts.read_text().split()]
    assert len(seen) == 20 and max(seen) <= 3

    table = read_csv(repo / "out" / "result.csv")
    assert len(table) == 20
    assert list(table[0]) == ["name", "job_id", "item_id", "row_index", "source_id", "status",
                              "attempt_count", "last_error", "result_json", "reported_at",
                              "completed_at"]
    by_name = {row["name"]: row for row in table}
    for i, name in enumerate(rows[1:]):
        row = by_name[name]
        assert row["status"] == "completed" and row["item_id"] == "row-%d" % (i + 1)
        assert row["row_index"] == str(i) and row["attempt_count"] == "1"
        assert json.loads(row["result_json"]) == {"seen": "row-%d" % (i + 1)}
        assert row["reported_at"] and row["completed_at"]

    # Each worker has its own rollout, marked as a job worker of the parent.
    metas = [json.loads(p.read_text().splitlines()[0])["payload"]
             for p in (codex_home / "sessions").rglob("rollout-*.jsonl")]
    workers = [m for m in metas if m.get("source") == {"subagent": {"other": "agent_job:" + out["job_id"]}}]
    assert len(workers) == 20


def test_bad_row_is_reported_and_the_job_goes_on(run_codex, codex_home, repo, tmp_path):
    (repo / "in.csv").write_text("id,name\na1,alpha\nbroken\na3,gamma,extra\na4,delta\n")
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv", id_column="id",
                       instruction="WORKER: {name}")],
                   say("PARENT DONE")],
        "WORKER": [report(), say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    out = json.loads(output_of(reqs, "p_job"))
    assert out["status"] == "completed"
    assert (out["total_items"], out["completed_items"], out["failed_items"]) == (4, 2, 2)
    assert out["failed_item_errors"] == [
        {"item_id": "broken", "source_id": "broken",
         "last_error": "csv row 3 has 1 fields but header has 2"},
        {"item_id": "a3", "source_id": "a3", "last_error": "csv row 4 has 3 fields but header has 2"},
    ]
    # Only the good rows ran, and the default output sits beside the input.
    workers = {last_user(q).split("\n")[0] for q in reqs if last_user(q).startswith("WORKER")}
    assert workers == {"WORKER: alpha", "WORKER: delta"}
    assert out["output_csv_path"] == str(repo / ("in.agent-job-%s.csv" % out["job_id"][:8]))
    table = {row["item_id"]: row for row in read_csv(repo / out["output_csv_path"])}
    assert table["a1"]["status"] == "completed" and table["a4"]["status"] == "completed"
    assert table["broken"]["status"] == "failed" and table["broken"]["attempt_count"] == "0"
    assert table["broken"]["name"] == "" and table["broken"]["row_index"] == "1"
    assert table["a3"]["last_error"] == "csv row 4 has 3 fields but header has 2"


def test_worker_past_job_max_runtime_fails_its_row(run_codex, codex_home, repo, tmp_path):
    (repo / "in.csv").write_text("task\nslow\nquick\n")
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv",
                       instruction="WORKER: {task}")],
                   say("PARENT DONE")],
        # The slow row's command outlives the 1 s limit; the quick one reports.
        "WORKER": [[fn("exec_command", "w_cmd", yield_time_ms=30000,
                       cmd="if [ '{{line:Item ID}}' = row-1 ]; then sleep 60; fi; echo ok")],
                   report(), say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios,
                  top="[agents]\njob_max_runtime_seconds = 1\n")
    assert r.returncode == 0, r.stderr
    assert "job_max_runtime_seconds" not in r.stderr  # acted on, not warned about
    out = json.loads(output_of(reqs, "p_job"))
    assert (out["total_items"], out["completed_items"], out["failed_items"]) == (2, 1, 1)
    assert out["failed_item_errors"] == [
        {"item_id": "row-1", "source_id": None, "last_error": "worker exceeded max runtime of 1s"}]


def test_worker_without_report_and_argument_errors(run_codex, codex_home, repo, tmp_path):
    (repo / "in.csv").write_text("a,a\n1,2\n")
    (repo / "ok.csv").write_text("x\n1\n")
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_dup", csv_path="in.csv", instruction="WORKER: x"),
                    fn("spawn_agents_on_csv", "p_missing", csv_path="nope.csv", instruction="WORKER: x"),
                    fn("spawn_agents_on_csv", "p_blank", csv_path="ok.csv", instruction="  "),
                    fn("spawn_agents_on_csv", "p_idcol", csv_path="ok.csv", instruction="WORKER: x",
                       id_column="zz"),
                    fn("spawn_agents_on_csv", "p_zero", csv_path="ok.csv", instruction="WORKER: x",
                       max_runtime_seconds=0)],
                   [fn("spawn_agents_on_csv", "p_silent", csv_path="ok.csv", instruction="WORKER: {x}")],
                   say("PARENT DONE")],
        "WORKER": [say("I did not report")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    assert output_of(reqs, "p_dup") == "csv header a is duplicated"
    assert output_of(reqs, "p_missing") == \
        "failed to read csv input %s: No such file or directory (os error 2)" % (repo / "nope.csv")
    assert output_of(reqs, "p_blank") == "instruction must be non-empty"
    assert output_of(reqs, "p_idcol") == "id_column zz was not found in csv headers"
    assert output_of(reqs, "p_zero") == "max_runtime_seconds must be >= 1"
    out = json.loads(output_of(reqs, "p_silent"))
    assert out["failed_item_errors"] == [{"item_id": "row-1", "source_id": None, "last_error":
                                          "worker finished without calling report_agent_job_result"}]


def test_stop_cancels_the_remaining_rows(run_codex, codex_home, repo, tmp_path):
    (repo / "in.csv").write_text("n\n" + "\n".join(str(i) for i in range(6)) + "\n")
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv", instruction="WORKER: {n}",
                       max_concurrency=1)],
                   say("PARENT DONE")],
        "WORKER": [[fn("report_agent_job_result", "w_rep", job_id="{{line:Job ID}}",
                       item_id="{{line:Item ID}}", result={"n": 1}, stop=True)],
                   say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    out = json.loads(output_of(reqs, "p_job"))
    assert out["status"] == "cancelled"
    assert (out["total_items"], out["completed_items"], out["failed_items"]) == (6, 1, 0)
    assert output_of(reqs, "w_rep") == '{"accepted":true}'
    table = read_csv(repo / out["output_csv_path"])
    assert [row["status"] for row in table] == ["completed"] + ["pending"] * 5


def test_tool_is_off_without_the_feature(run_codex, codex_home, repo, tmp_path):
    server = MockServer(tmp_path, [say("hi")], repeat_last=True)
    try:
        write_config(codex_home, server.port)
        r = run_codex("exec", "--skip-git-repo-check", "--json", "hello",
                      env={"MOCK_API_KEY": "k"}, cwd=repo)
        reqs = server.requests()
    finally:
        server.stop()
    assert r.returncode == 0, r.stderr
    assert "spawn_agents_on_csv" not in json.dumps(reqs[0]["body"]["tools"])


def test_interrupting_the_parent_stops_every_worker(tmp_path, codex_home, repo):
    """Ctrl-C while a job runs: exec ends with 128+SIGINT and no worker's
    command is left behind."""
    import os
    import signal
    import subprocess
    import time
    (repo / "in.csv").write_text("n\n1\n2\n3\n")
    pids = tmp_path / "pids"
    pids.mkdir()
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv", instruction="WORKER: {n}")],
                   say("PARENT DONE")],
        "WORKER": [[fn("exec_command", "w_cmd", yield_time_ms=30000, login=False,
                       cmd="echo $$ > %s/{{line:Item ID}}; exec sleep 60" % pids)],
                   report(), say("WORKER DONE")],
    }
    server = MockServer(tmp_path, [say("unscripted")], repeat_last=True, scenarios=scenarios)
    try:
        write_config(codex_home, server.port, extra_top=FANOUT)
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CODEX_HOME": str(codex_home),
               "MOCK_API_KEY": "k", "ASAN_OPTIONS": "detect_leaks=1"}
        proc = subprocess.Popen([os.environ["CODEX_BIN"], "exec", "--skip-git-repo-check", "--json",
                                 "-s", "danger-full-access", "PARENT: go"], cwd=repo, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        for _ in range(400):
            if len([p for p in pids.iterdir() if p.read_text().strip()]) == 3:
                break
            time.sleep(0.05)
        children = [int(p.read_text()) for p in pids.iterdir()]
        assert len(children) == 3
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        server.stop()
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "AddressSanitizer" not in err and "runtime error" not in err, err
    for child in children:
        for _ in range(100):
            if not os.path.exists(f"/proc/{child}") or \
                    open(f"/proc/{child}/stat").read().split()[2] == "Z":
                break
            time.sleep(0.05)
        else:
            raise AssertionError("a worker's command outlived codex")


def test_bad_job_max_runtime_is_named_and_the_default_kept(run_codex, codex_home, repo, tmp_path):
    (repo / "in.csv").write_text("n\n1\n")
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv", instruction="WORKER: {n}")],
                   say("PARENT DONE")],
        "WORKER": [report(), say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios,
                  top="[agents]\njob_max_runtime_seconds = 0\n")
    assert r.returncode == 0, r.stderr
    assert "agents.job_max_runtime_seconds (line" in r.stderr and "at least 1" in r.stderr
    out = json.loads(output_of(reqs, "p_job"))
    assert (out["completed_items"], out["failed_items"]) == (1, 0)


def test_many_rows_with_one_repeated_id_are_named_quickly(run_codex, codex_home, repo, tmp_path):
    """Item ids are made unique through a set, not by comparing each new id
    with every earlier one: 20000 rows sharing one id_column value used to
    take hours of the event loop (each suffix tried scanned every row)."""
    (repo / "in.csv").write_text("id,n\n" + "".join("same,%d\n" % i for i in range(20000)))
    scenarios = {
        "PARENT": [[fn("spawn_agents_on_csv", "p_job", csv_path="in.csv", id_column="id",
                       instruction="WORKER: {n}", max_concurrency=1)],
                   say("PARENT DONE")],
        "WORKER": [[fn("report_agent_job_result", "w_rep", job_id="{{line:Job ID}}",
                       item_id="{{line:Item ID}}", result={"ok": 1}, stop=True)],
                   say("WORKER DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, timeout=90)
    assert r.returncode == 0, r.stderr
    out = json.loads(output_of(reqs, "p_job"))
    assert (out["status"], out["total_items"], out["completed_items"]) == ("cancelled", 20000, 1)
    table = read_csv(repo / out["output_csv_path"])
    assert [row["item_id"] for row in table[:3]] == ["same", "same-2", "same-3"]
    assert table[-1]["item_id"] == "same-20000"
    assert len({row["item_id"] for row in table}) == 20000
