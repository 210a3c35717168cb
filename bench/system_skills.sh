#!/usr/bin/env bash
# The bundled system skills' cost on a one-turn `codex exec --json`: with
# the bundle up to date (one read of the marker, then the four SKILL.md
# front matters in the list), with `[skills.bundled] enabled = false`, and
# on a first run (the folder removed before every run, so it is written).
# Ours vs the reference, median wall of N runs and max RSS.
#
#   bench/system_skills.sh [N]          (default N=9)
#   OURS_CODEX=... REF_CODEX=... bench/system_skills.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
N="${1:-9}"
OURS="${OURS_CODEX:-$ROOT/build/codex}"
REF="${REF_CODEX:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}"
MOCK="$ROOT/tests/mock/responses_mock.py"
DATA="$ROOT/tests/exec/data"
WORK="$(mktemp -d /var/tmp/codex-bench-sysskills.XXXXXX)"
MOCK_PID=""
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start_mock() {
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$WORK/port"
    python3 "$MOCK" "$DATA/one_turn.json" "$WORK/requests.jsonl" > "$WORK/port" &
    MOCK_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.02; done
    PORT="$(awk '{print $2}' "$WORK/port")"
}

setup_home() { # DIR EXTRA_TOML
    rm -rf "$1"; mkdir -p "$1/codex_home" "$1/home" "$1/repo" "$1/tmp"
    printf 'model = "gpt-5.5"\nmodel_provider = "mock"\n%b\n[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:%s/v1"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n' \
        "$2" "$PORT" > "$1/codex_home/config.toml"
    (cd "$1/repo" && git init -q . && echo hi > README.md && git add . &&
     git -c user.name=b -c user.email=b@b commit -qm init)
}

run_once() { # BIN DIR SANDBOX -> "wall rss"
    local t0 t1
    t0="$(date +%s%N)"
    (cd "$2/repo" && env -i PATH=/usr/bin:/bin HOME="$2/home" CODEX_HOME="$2/codex_home" \
        TMPDIR="$2/tmp" MOCK_API_KEY=k /usr/bin/time -v -o "$2/time.txt" \
        "$1" exec --skip-git-repo-check --json -s "$3" "bench" </dev/null >/dev/null 2>&1) || true
    t1="$(date +%s%N)"
    python3 - "$2/time.txt" "$((t1 - t0))" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
print(f"{int(sys.argv[2]) / 1e9:.4f} {rss}")
PY
}

bench() { # LABEL BIN SANDBOX EXTRA_TOML FRESH
    local dir="$WORK/$1"
    start_mock
    setup_home "$dir" "$4"
    run_once "$2" "$dir" "$3" > /dev/null
    local walls=() rss=0
    for _ in $(seq 1 "$N"); do
        start_mock
        sed -i "s#127.0.0.1:[0-9]*/v1#127.0.0.1:$PORT/v1#" "$dir/codex_home/config.toml"
        [ "$5" = fresh ] && rm -rf "$dir/codex_home/skills"
        read -r w r < <(run_once "$2" "$dir" "$3")
        walls+=("$w"); [ "$r" -gt "$rss" ] && rss="$r"
    done
    local med
    med="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    printf '%-26s median wall %8.4f s   max RSS %7d kB  (%d runs)\n' "$1" "$med" "$rss" "$N"
}

for which in ours ref; do
    bin="$OURS"; [ "$which" = ref ] && bin="$REF"
    [ -x "$bin" ] || { echo "$which: $bin not found, skipped"; continue; }
    sb=workspace-write; [ "$which" = ours ] && sb=danger-full-access
    bench "up_to_date_$which" "$bin" "$sb" "" keep
    bench "bundled_off_$which" "$bin" "$sb" '[skills.bundled]\nenabled = false' keep
    bench "first_run_$which" "$bin" "$sb" "" fresh
done
