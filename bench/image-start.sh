#!/usr/bin/env bash
# The shop image's size and its start time to a healthy /healthz, on the shipped deploy/compose.yaml with podman.
# For each image given: a stack of its own (PostgreSQL, `migrate`), then the web container created and started
# (timed from `podman-compose up` to the first 200 from /healthz), then started again RUNS times from stopped
# (timed from `podman start`): the database is migrated before each.
# usage: bench/image-start.sh <shop image> [<shop image>…]   (POSTGRES_IMAGE as scripts/podman-base-images.sh prints)
# RUNS=3 by default. Prints one line per run and a summary per image. With NODE_IMAGE set (the base the shop's
# image was built on), first a floor: a container of that image answering HTTP at once with a one-line Node server,
# timed the same way (`podman run`, then `podman start` from stopped).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${POSTGRES_IMAGE:?set POSTGRES_IMAGE (scripts/podman-base-images.sh prints it)}"
RUNS="${RUNS:-3}"
port=$((20000 + RANDOM % 20000))
password="bench$RANDOM$RANDOM"
# The settings as the compose file reads them: a .env beside a copy of it (the shop's services get it as env_file).
settings() {
  printf 'SHOP_IMAGE=%s\nPOSTGRES_IMAGE=%s\nPOSTGRES_PASSWORD=%s\nPGPASSWORD=%s\n' "$1" "$POSTGRES_IMAGE" "$password" "$password"
  printf 'SHOP_SECRET=%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '=+/')"
  printf 'SHOP_SECRET_KEYS=k1:%s\nPUBLIC_URL=http://127.0.0.1:%s\nWEB_1_PORT=%s\nWEB_2_PORT=%s\n' \
    "$(head -c 32 /dev/urandom | base64)" "$port" "$port" "$((port + 1))"
}
now_ms() { date +%s%3N; }

if [ -n "${NODE_IMAGE:-}" ]; then
  name="pkbenchfloor$RANDOM"
  server="require('http').createServer((q,s)=>s.end('ok')).listen(3000)"
  start=$(now_ms)
  podman run -d --name "$name" --init -p "127.0.0.1:$port:3000" "$NODE_IMAGE" node -e "$server" >/dev/null 2>&1
  until curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; do sleep 0.1; done
  first=$(($(now_ms) - start))
  times=()
  for run in $(seq 1 "$RUNS"); do
    podman stop -t 30 "$name" >/dev/null 2>&1
    start=$(now_ms)
    podman start "$name" >/dev/null 2>&1
    until curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; do sleep 0.1; done
    times+=("$(($(now_ms) - start))")
  done
  podman rm -f "$name" >/dev/null 2>&1
  echo "floor ($NODE_IMAGE, a one-line server): new container ${first} ms; restarts (ms): ${times[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))"
fi

for image in "$@"; do
  project="pkbench$RANDOM"
  dir="$(mktemp -d)"
  cp deploy/compose.yaml "$dir/"
  settings "$image" >"$dir/.env"
  pc() { (cd "$dir" && podman-compose -p "$project" "$@" >/dev/null 2>&1); }
  cleanup() {
    pc down -t 1 || true
    podman volume rm -f "${project}_pgdata" "${project}_shop-data" "${project}_backups" >/dev/null 2>&1 || true
    podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  }
  trap cleanup EXIT
  pc up -d postgres
  until podman exec "${project}_postgres_1" pg_isready -h 127.0.0.1 -U shop -d shop >/dev/null 2>&1; do sleep 0.5; done
  pc up -d migrate
  [ "$(podman wait "${project}_migrate_1")" = 0 ] || { echo "migrate failed for $image" >&2; exit 1; }
  start=$(now_ms)
  pc up -d --no-deps web-1
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
  first=$(($(now_ms) - start))
  echo "$image new container: up to healthy ${first} ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
  times=()
  for run in $(seq 1 "$RUNS"); do
    podman stop -t 30 "${project}_web-1_1" >/dev/null 2>&1
    start=$(now_ms)
    podman start "${project}_web-1_1" >/dev/null 2>&1
    until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
    took=$(($(now_ms) - start))
    times+=("$took")
    echo "$image run $run: start to healthy ${took} ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
  size=$(podman image inspect --format '{{.Size}}' "$image")
  echo "$image: size $((size / 1000000)) MB; new container ${first} ms; restarts (ms): ${times[*]}"
  cleanup
  rm -rf "$dir"
  trap - EXIT
done
