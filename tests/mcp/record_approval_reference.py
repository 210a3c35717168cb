#!/usr/bin/python3
"""Record the reference's answers to approval_cases.py.

Usage: REF=/path/to/reference/codex record_approval_reference.py SCRATCH_DIR
SCRATCH_DIR must not be under /tmp (the reference warns about that)."""
import json
import os
import pathlib
import shutil
import sys

import approval_cases as cases


def main():
    scratch = pathlib.Path(sys.argv[1]).resolve()
    shutil.rmtree(scratch, ignore_errors=True)
    turns, outputs, log, rc, err = cases.run_session(os.environ["REF"], scratch / "s")
    required, rrc, rerr = cases.run_required(os.environ["REF"], scratch / "r")
    resumed, _, _ = cases.run_required_resume(os.environ["REF"], scratch / "rr")
    policies = {}
    for approval, sandbox in cases.POLICIES:
        got, answers, _, _ = cases.run_policy(os.environ["REF"], scratch / f"p-{approval}-{sandbox}",
                                              approval, sandbox)
        policies[f"{approval} {sandbox}"] = {"requests": got, "answers": answers}
    server_log = [json.loads(l)["msg"] for l in pathlib.Path(log).read_text().splitlines()]
    elicit_answers = [cases.normalize(m) for m in server_log
                      if "method" not in m and m.get("id", 0) > 1000]
    cases.REFERENCE.write_text(json.dumps({"turns": turns, "outputs": outputs,
                                           "elicitation_answers": elicit_answers,
                                           "required": cases.normalize(required),
                                           "required_resume": cases.normalize(resumed),
                                           "policies": policies},
                                          indent=1) + "\n")
    print(f"recorded {len(turns)} turns, rc {rc} {rrc}")


if __name__ == "__main__":
    main()
