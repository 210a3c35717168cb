#!/usr/bin/env bash
# Skills: discovery of 200 skills (each SKILL.md a front matter and a
# 64 KB body, so reading whole files would show) as a library call, and a
# one-turn `codex exec --json` with no skills and with those 200 in
# $CODEX_HOME/skills, ours vs the reference, side by side.  Median wall of N
# runs (nanosecond clock around the launch) and max RSS (/usr/bin/time -v).
#
#   bench/skills.sh [N]          (default N=5)
#   REF_CODEX=/path/to/codex bench/skills.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
N="${1:-5}"
OURS="${OURS_CODEX:-$ROOT/build/codex}"
REF="${REF_CODEX:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}"
MOCK="$ROOT/tests/mock/responses_mock.py"
DATA="$ROOT/tests/exec/data"
WORK="$(mktemp -d /var/tmp/codex-bench-skills.XXXXXX)"
MOCK_PID=""
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

make_skills() { # DIR COUNT
    python3 - "$1" "$2" <<'PY'
import pathlib, sys
root, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
body = ("Step by step instructions for this skill. " * 40 + "\n") * 40  # about 64 KB
for i in range(n):
    d = root / f"skill-{i:03d}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "SKILL.md").write_text(f"---\nname: skill-{i:03d}\ndescription: Does task number {i} "
                                f"the way this team likes it.\n---\n\n{body}")
PY
}

# ---- discovery as a library call (release build) -------------------------
make -s -C "$ROOT" release >/dev/null 2>&1 || make -s -C "$ROOT" >/dev/null
mkdir -p "$WORK/lib/codex_home/skills" "$WORK/lib/home" "$WORK/lib/repo"
make_skills "$WORK/lib/codex_home/skills" 200
cc -std=c17 -D_GNU_SOURCE -O2 -I"$ROOT/src" "$HERE/skills_discover.c" "$ROOT/build/libcodex.a" \
    -o "$WORK/skills_discover"
echo "discovery, cold page cache not controlled (library, release):"
"$WORK/skills_discover" "$WORK/lib/codex_home" "$WORK/lib/home" "$WORK/lib/repo" 21

# ---- one-turn exec, 0 vs 200 skills --------------------------------------
start_mock() {
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$WORK/port"
    python3 "$MOCK" "$DATA/one_turn.json" "$WORK/requests.jsonl" > "$WORK/port" &
    MOCK_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.02; done
    PORT="$(awk '{print $2}' "$WORK/port")"
}

setup_home() { # DIR SKILLS
    rm -rf "$1"; mkdir -p "$1/codex_home" "$1/home" "$1/repo" "$1/tmp"
    cat > "$1/codex_home/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "mock"
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
TOML
    [ "$2" -gt 0 ] && make_skills "$1/codex_home/skills" "$2"
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

bench() { # LABEL BIN SANDBOX SKILLS
    local dir="$WORK/$1"
    start_mock
    setup_home "$dir" "$4"
    run_once "$2" "$dir" "$3" > /dev/null
    local walls=() rss=0
    for _ in $(seq 1 "$N"); do
        start_mock
        sed -i "s#127.0.0.1:[0-9]*/v1#127.0.0.1:$PORT/v1#" "$dir/codex_home/config.toml"
        read -r w r < <(run_once "$2" "$dir" "$3")
        walls+=("$w"); [ "$r" -gt "$rss" ] && rss="$r"
    done
    local med
    med="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    local listed
    listed="$(python3 -c 'import json,sys
reqs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b=reqs[-1]["body"]; t=[c["text"] for i in b["input"] if i.get("role")=="developer" for c in i["content"]]
s=[x for x in t if x.startswith("<skills_instructions>")]
print(s[0].count("(file: r") if s else 0)' "$WORK/requests.jsonl")"
    printf '%-22s median wall %8.4f s   max RSS %7d kB   skills listed %4s  (%d runs)\n' \
        "$1" "$med" "$rss" "$listed" "$N"
}

for which in ours ref; do
    bin="$OURS"; [ "$which" = ref ] && bin="$REF"
    [ -x "$bin" ] || { echo "$which: $bin not found, skipped"; continue; }
    sb=workspace-write; [ "$which" = ours ] && sb=danger-full-access
    bench "no_skills_$which" "$bin" "$sb" 0
    bench "200_skills_$which" "$bin" "$sb" 200
done
