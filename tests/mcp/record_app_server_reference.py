#!/usr/bin/python3
"""Record the reference's answers to app_server_cases.py.

Usage: REF=/path/to/reference/codex record_app_server_reference.py SCRATCH_DIR
SCRATCH_DIR must not be under /tmp (the reference warns about that)."""
import json
import os
import pathlib
import shutil
import sys

import app_server_cases as cases


def main():
    scratch = pathlib.Path(sys.argv[1]).resolve()
    shutil.rmtree(scratch, ignore_errors=True)
    answers, startup, _, _, _ = cases.run_session(os.environ["REF"], scratch)
    cases.REFERENCE.write_text(json.dumps({"answers": answers, "startup": startup}, indent=1) + "\n")
    print(f"recorded {len(answers)} answers")


if __name__ == "__main__":
    main()
