#!/usr/bin/env bash
# codex exec against the scripted mock, ours vs the reference, side by side:
#   one-turn exec (one request, one message) and the six-request demo.
# Prints the median wall time of N runs (nanosecond clock around the whole
# launch) and the max RSS (from /usr/bin/time -v).  "spawn_floor" is the same
# launch of /bin/true: what process creation alone costs on this machine.
# The *_static lines answer from bench/static_sse.py (always warm, no
# scripting) so that the client's own time is not hidden by the mock's.
#
#   bench/exec.sh [N]          (default N=5)
#   REF_CODEX=/path/to/codex bench/exec.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
N="${1:-5}"
OURS="${OURS_CODEX:-$ROOT/build/codex}"
REF="${REF_CODEX:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}"
MOCK="$ROOT/tests/mock/responses_mock.py"
DATA="$ROOT/tests/exec/data"
WORK="$(mktemp -d /var/tmp/codex-bench-exec.XXXXXX)"
MOCK_PID=""
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start_mock() { # SCRIPT
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$WORK/port"
    python3 "$MOCK" "$1" "$WORK/requests.jsonl" > "$WORK/port" &
    MOCK_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.02; done
    PORT="$(awk '{print $2}' "$WORK/port")"
}

setup_home() { # DIR
    rm -rf "$1"; mkdir -p "$1/codex_home" "$1/home" "$1/repo" "$1/tmp"
    cat > "$1/codex_home/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "mock"
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
[tools.update_plan]
enabled = true
TOML
    (cd "$1/repo" && git init -q . && echo hi > README.md && git add . &&
     git -c user.name=b -c user.email=b@b commit -qm init)
}

run_once() { # BIN DIR SANDBOX -> prints "wall rss"
    local bin="$1" dir="$2" sb="$3"
    (cd "$dir/repo" && git checkout -q . && git clean -qfd)
    local t0 t1
    t0="$(date +%s%N)"
    (cd "$dir/repo" && env -i PATH=/usr/bin:/bin HOME="$dir/home" CODEX_HOME="$dir/codex_home" \
        TMPDIR="$dir/tmp" MOCK_API_KEY=k /usr/bin/time -v -o "$dir/time.txt" \
        "$bin" exec --skip-git-repo-check --json -s "$sb" "bench" </dev/null >/dev/null 2>&1) || true
    t1="$(date +%s%N)"
    python3 - "$dir/time.txt" "$((t1 - t0))" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
secs = int(sys.argv[2]) / 1e9
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
print(f"{secs:.4f} {rss}")
PY
}

bench() { # LABEL SCRIPT BIN SANDBOX
    local label="$1" script="$2" bin="$3" sb="$4" dir="$WORK/$1"
    start_mock "$script"
    setup_home "$dir"
    run_once "$bin" "$dir" "$sb" > /dev/null  # warm-up (cold CODEX_HOME set-up)
    local walls=() rss=0
    for _ in $(seq 1 "$N"); do
        start_mock "$script"
        sed -i "s#127.0.0.1:[0-9]*/v1#127.0.0.1:$PORT/v1#" "$dir/codex_home/config.toml"
        read -r w r < <(run_once "$bin" "$dir" "$sb")
        walls+=("$w"); [ "$r" -gt "$rss" ] && rss="$r"
    done
    local med
    med="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    printf '%-28s median wall %8.4f s   max RSS %7d kB   (%d runs)\n' "$label" "$med" "$rss" "$N"
}

start_static() { # writes the one-turn answer's SSE body, serves it on PORT
    start_mock "$DATA/one_turn.json"
    curl -s -X POST -d '{}' "http://127.0.0.1:$PORT/v1/responses" > "$WORK/one_turn.sse"
    kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$WORK/port"
    python3 "$HERE/static_sse.py" "$WORK/one_turn.sse" > "$WORK/port" &
    MOCK_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.02; done
    PORT="$(awk '{print $2}' "$WORK/port")"
}

bench_static() { # LABEL BIN SANDBOX
    local label="$1" bin="$2" sb="$3" dir="$WORK/$1"
    start_static
    setup_home "$dir"
    run_once "$bin" "$dir" "$sb" > /dev/null
    local walls=() rss=0
    for _ in $(seq 1 "$N"); do
        read -r w r < <(run_once "$bin" "$dir" "$sb")
        walls+=("$w"); [ "$r" -gt "$rss" ] && rss="$r"
    done
    local med
    med="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    printf '%-28s median wall %8.4f s   max RSS %7d kB   (%d runs)\n' "$label" "$med" "$rss" "$N"
    kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""
}

bench_static spawn_floor /bin/true danger-full-access
for which in ours ref; do
    bin="$OURS"; [ "$which" = ref ] && bin="$REF"
    [ -x "$bin" ] || { echo "$which: $bin not found, skipped"; continue; }
    # The reference sandboxes with bwrap; ours refuses to run commands without
    # a sandbox it can enforce, so the demo runs with danger-full-access.
    sb=workspace-write; [ "$which" = ours ] && sb=danger-full-access
    bench "one_turn_$which" "$DATA/one_turn.json" "$bin" "$sb"
    bench "exec_demo_$which" "$DATA/exec_demo.json" "$bin" "$sb"
    bench_static "one_turn_static_$which" "$bin" "$sb"
done

# Request serialization with 1 MB of history (the agent encodes each history
# item once, so a request only copies the encoded history).
cc -std=c17 -D_GNU_SOURCE -O2 -I"$ROOT/src" "$ROOT/tests/tools/bench_request.c" \
    "$ROOT/build/libcodex.a" "$(pkg-config --variable=libdir jansson)/libjansson.a" \
    "$(pkg-config --variable=libdir jansson)/libuv_a.a" -lpthread -ldl -lm -o "$WORK/bench_request"
"$WORK/bench_request" $((1024 * 1024)) 21
