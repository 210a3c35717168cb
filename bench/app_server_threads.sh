#!/bin/sh
# thread/list over 10,000 stored sessions, ours and the reference's.
# Usage: bench/app_server_threads.sh [N] [CALLS]
set -e
cd "$(dirname "$0")/.."
REF=/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex
make -s -j2 build/codex
/usr/bin/python3 bench/app_server_threads.py build/codex "${1:-10000}" "${2:-1000}"
if [ -x "$REF" ]; then
    timeout 600 /usr/bin/python3 bench/app_server_threads.py "$REF" "${1:-10000}" "${2:-1000}" ||
        echo "reference: failed"
fi
