#!/usr/bin/env bash
# The wiring of docker-compose.yml, run without Docker: the local Redis in place of the
# redis service, the same receiver command and environment on loopback, the same sender
# burst, then the same contract command. Exits non-zero if the sender or the contract
# run fails; the JUnit report lands in reports/contract.xml as in Compose.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/harness" shell >/dev/null  # builds .venv when needed
bin="$root/.venv/bin"

export RIMO_WEBHOOK_SECRET="${RIMO_WEBHOOK_SECRET:-compose_local_secret}"
export RIMO_TIMESTAMP_TOLERANCE_SECONDS=300
export RIMO_MAX_BODY_BYTES=1048576
# A database of its own on the local Redis, standing in for the compose redis service.
export RIMO_DEDUP_STORE="${RIMO_COMPOSE_REDIS_URL:-redis://127.0.0.1:6379/1}"
port="${RIMO_COMPOSE_PORT:-8000}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "compose-without-docker: RIMO_COMPOSE_PORT must be a port number, got '$port'" >&2
    exit 2
fi
mkdir -p reports

# Refuse to run the suite against some other server that already holds the port.
if "$bin/python" -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
    echo "compose-without-docker: port $port is already in use; stop what holds it or set RIMO_COMPOSE_PORT" >&2
    exit 1
fi

"$bin/rimo-receiver" serve --host 127.0.0.1 --port "$port" --workers 2 >reports/receiver.log 2>&1 &
receiver_pid=$!
trap 'kill "$receiver_pid" 2>/dev/null; wait "$receiver_pid" 2>/dev/null || true' EXIT

# The Compose healthcheck: the contract service starts only once the receiver is healthy.
healthy=""
for _ in $(seq 1 60); do
    if "$bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/webhooks/rimo/ready', timeout=2)" 2>/dev/null; then
        healthy=yes
        break
    fi
    if ! kill -0 "$receiver_pid" 2>/dev/null; then
        echo "compose-without-docker: the receiver exited; its log:" >&2
        cat reports/receiver.log >&2
        exit 1
    fi
    sleep 0.25
done
if [[ -z "$healthy" ]]; then
    echo "compose-without-docker: the receiver did not become healthy; its log:" >&2
    cat reports/receiver.log >&2
    exit 1
fi

"$bin/rimo-mock" lifecycle --url "http://127.0.0.1:$port/webhooks/rimo" --patients 50 --order shuffled --seed 7
"$bin/rimo-contract" --target "http://127.0.0.1:$port" --junitxml reports/contract.xml
