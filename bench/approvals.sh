#!/usr/bin/env bash
# Cost of rules and approvals in codex exec, ours vs the reference, side by
# side: one turn in which the model runs one command (`ls`) and a forbidden
# one (`rm -rf x`), with (a) no rules files and (b) 1,000 rules files of 10
# prefix rules each in CODEX_HOME/rules, loaded at thread start.
# Prints the median wall time of N runs and the max RSS (/usr/bin/time -v).
#
#   bench/approvals.sh [N]      (default N=5)
#   OURS_CODEX=... REF_CODEX=... bench/approvals.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
N="${1:-5}"
OURS="${OURS_CODEX:-$ROOT/build/codex}"
REF="${REF_CODEX:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}"
MOCK="$ROOT/tests/mock/responses_mock.py"
WORK="$(mktemp -d /var/tmp/codex-bench-approvals.XXXXXX)"
MOCK_PID=""
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

cat > "$WORK/script.json" <<'JSON'
[[{"type": "function_call", "name": "exec_command", "call_id": "c1", "arguments": "{\"cmd\": \"ls\"}"},
  {"type": "function_call", "name": "exec_command", "call_id": "c2", "arguments": "{\"cmd\": \"rm -rf x\"}"}],
 [{"type": "message", "text": "done"}]]
JSON

start_mock() {
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$WORK/port"
    python3 "$MOCK" "$WORK/script.json" "$WORK/requests.jsonl" > "$WORK/port" &
    MOCK_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.02; done
    PORT="$(awk '{print $2}' "$WORK/port")"
}

setup_home() { # DIR NFILES
    rm -rf "$1"; mkdir -p "$1/codex_home/rules" "$1/home" "$1/repo" "$1/tmp"
    echo 'prefix_rule(pattern=["rm"], decision="forbidden")' > "$1/codex_home/rules/default.rules"
    python3 - "$1/codex_home/rules" "$2" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
for f in range(n):
    with open(f"{d}/r{f:04d}.rules", "w") as fh:
        for r in range(10):
            fh.write(f'prefix_rule(pattern=["tool{f}", ["sub{r}", "alt{r}"]], decision="prompt", '
                     f'justification="bench {f} {r}")\n')
PY
}

write_config() { # DIR
    cat > "$1/codex_home/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "mock"
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
TOML
}

run_once() { # BIN DIR -> "wall rss"
    local bin="$1" dir="$2"
    start_mock
    write_config "$dir"
    (cd "$dir/repo" && env -i PATH=/usr/bin:/bin HOME="$dir/home" CODEX_HOME="$dir/codex_home" \
        TMPDIR="$dir/tmp" MOCK_API_KEY=k /usr/bin/time -v -o "$dir/time.txt" \
        "$bin" exec --skip-git-repo-check --json -s workspace-write "bench" </dev/null >/dev/null 2>&1) || true
    python3 - "$dir/time.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
secs = (int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3)))
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
print(f"{secs:.4f} {rss}")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-30s %12s %12s\n' "case" "median s" "max RSS kB"
for files in 0 1000; do
    for who in ours ref; do
        bin="$OURS"; [ "$who" = ref ] && bin="$REF"
        [ -x "$bin" ] || { echo "skip $who: $bin missing"; continue; }
        dir="$WORK/$who-$files"
        setup_home "$dir" "$files"
        : > "$dir/results"
        for _ in $(seq 1 "$N"); do run_once "$bin" "$dir" >> "$dir/results"; done
        wall="$(awk '{print $1}' "$dir/results" | median)"
        rss="$(awk '{print $2}' "$dir/results" | sort -n | tail -1)"
        printf '%-30s %12s %12s\n' "$who, $files rules files" "$wall" "$rss"
    done
done
