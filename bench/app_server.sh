#!/bin/sh
# app-server: JSON-RPC round trip of a trivial request (fs/getMetadata) over
# stdio, ours vs the reference; median of 1000 sequential requests per run,
# three runs each, plus the server's peak memory (/usr/bin/time -v).
#
# Usage: bench/app_server.sh [N]   (REF=path/to/reference/codex to override)
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000}
OURS=${OURS:-build/codex}
REF=${REF:-/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
PY=/usr/bin/python3

[ -x "$OURS" ] || make -s release
# Scratch homes outside /tmp: the reference warns about helper binaries there.
SCRATCH=$(mktemp -d /var/tmp/bench-app-server.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/home" "$SCRATCH/codex_home" "$SCRATCH/tmp"

run() { # name binary
    for i in 1 2 3; do
        env HOME="$SCRATCH/home" CODEX_HOME="$SCRATCH/codex_home" TMPDIR="$SCRATCH/tmp" \
            $PY bench/app_server_rtt.py "$2" "$N" | sed "s/^/$1 run $i: /"
    done
    # Peak RSS of the server process alone for one run.
    printf '%s\n' '{"id":0,"method":"initialize","params":{"clientInfo":{"name":"b","version":"1"}}}' \
        '{"id":1,"method":"fs/getMetadata","params":{"path":"/"}}' |
        env HOME="$SCRATCH/home" CODEX_HOME="$SCRATCH/codex_home" TMPDIR="$SCRATCH/tmp" \
            /usr/bin/time -v "$2" app-server 2>&1 >/dev/null |
        awk -v n="$1" '/Maximum resident set size/ {print n " max RSS (kB): " $NF}'
}

run ours "$OURS"
if [ -x "$REF" ]; then
    run reference "$REF"
else
    echo "reference binary not found at $REF; skipped"
fi
