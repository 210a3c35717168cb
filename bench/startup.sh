#!/bin/sh
# Start-up cost of `codex --version`: ours vs a trivial C program vs the
# reference.  A small C driver spawns them in turn RUNS times each and reports
# the median and mean of one run; /usr/bin/time -v gives the maximum resident
# set size.
#
# usage: bench/startup.sh [RUNS]   (default 300; runs `make release` first)
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-300}
OUT=build/bench
REF=${CODEX_REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
mkdir -p "$OUT"
make -s release
cc -O2 -o "$OUT/spawn" bench/spawn.c
cc -O2 -o "$OUT/trivial" bench/trivial.c

# The reference wants HOME/CODEX_HOME outside /tmp to stay quiet.
SCRATCH=$(mktemp -d /var/tmp/codex-bench.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
export HOME="$SCRATCH" CODEX_HOME="$SCRATCH"

OURS="$(pwd)/build/codex"
set -- "$OUT/trivial" -- "$OURS" --version
NAMES="trivial-C codex-c"
if [ -x "$REF" ]; then
    set -- "$@" -- "$REF" --version
    NAMES="$NAMES reference"
else
    echo "reference binary not found at $REF (set CODEX_REF); measuring ours only" >&2
fi

max_rss_kb() {
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

echo "startup: $RUNS runs each, interleaved"
"$OUT/spawn" "$RUNS" "$@" > "$OUT/startup.txt"
i=1
for name in $NAMES; do
    case $name in
        trivial-C) rss=$(max_rss_kb "$OUT/trivial") ;;
        codex-c) rss=$(max_rss_kb "$OURS" --version) ;;
        reference) rss=$(max_rss_kb "$REF" --version) ;;
    esac
    printf '%-10s %s  max RSS %s kB\n' "$name" "$(sed -n "${i}p" "$OUT/startup.txt")" "$rss"
    i=$((i + 1))
done

# Loading the configuration: `features list` parses and layers config.toml
# (a small realistic one) and prints every flag.
cat > "$SCRATCH/config.toml" <<'TOML'
model = "gpt-5.4"
approval_policy = "on-request"
sandbox_mode = "workspace-write"

[sandbox_workspace_write]
network_access = false

[features]
unified_exec = true

[model_providers.local]
name = "Local"
base_url = "http://127.0.0.1:8080/v1"

[projects."/tmp"]
trust_level = "trusted"
TOML
set -- "$OURS" features list
NAMES="codex-c"
if [ -x "$REF" ]; then
    set -- "$@" -- "$REF" features list
    NAMES="$NAMES reference"
fi
echo "features list (config load): $RUNS runs each, interleaved"
"$OUT/spawn" "$RUNS" "$@" > "$OUT/features.txt"
i=1
for name in $NAMES; do
    case $name in
        codex-c) rss=$(max_rss_kb "$OURS" features list) ;;
        reference) rss=$(max_rss_kb "$REF" features list) ;;
    esac
    printf '%-10s %s  max RSS %s kB\n' "$name" "$(sed -n "${i}p" "$OUT/features.txt")" "$rss"
    i=$((i + 1))
done
