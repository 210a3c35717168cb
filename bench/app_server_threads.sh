#!/bin/sh
# Threads in the app server, ours and the reference's:
#  - thread/list over N (10,000) stored sessions, CALLS (1,000) calls;
#  - 50 threads each running a turn against the mock on one server.
# Usage: bench/app_server_threads.sh [N] [CALLS]
set -e
cd "$(dirname "$0")/.."
REF=/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex
make -s -j2 build/codex
for bin in "$PWD/build/codex" "$REF"; do
    [ -x "$bin" ] || continue
    timeout 900 /usr/bin/python3 bench/app_server_threads.py "$bin" "${1:-10000}" "${2:-1000}" ||
        echo "$bin: thread/list bench failed"
    timeout 300 /usr/bin/python3 bench/app_server_threads_concurrent.py "$bin" 50 ||
        echo "$bin: concurrent bench failed"
done
