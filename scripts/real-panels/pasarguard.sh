#!/usr/bin/env bash
# Runs a REAL PasarGuard (its own source, unpatched) on 127.0.0.1 in a Debian sid chroot, for checking the
# adapter by hand. Never part of the tests or CI: a fresh machine has none of the git copies it needs.
# PasarGuard v5 wants Python >= 3.14 (trixie has 3.13; sid has 3.14) and a few libraries Debian lacks, taken
# from local git copies under $MIRROR (owner+name/repo):
#   github:PasarGuard/panel  github:PasarGuard/node_bridge_py  github:aiogram/aiogram  github:aiogram/magic-filter
#   github:aio-libs/aiorwlock  github:nats-io/nats.py  github:slashmili/python-jalali  github:slashmili/jalali-core
# What is not the panel's own: the node bridge's protobuf module is regenerated with Debian's protoc (the
# committed one needs protobuf >= 6; Debian has 3.21), and the web dashboard is not built (it needs bun): an
# empty dashboard/build makes the panel skip the build. No node is attached (users and subscriptions need none).
# Usage: MIRROR=/path ROOT=/tmp/pg-sid-root PORT=18200 ./pasarguard.sh     (about 5 minutes on 2 cores)
# Then:  ./pasarguard.sh start | stop | status
# It prints the variables for packages/panel-adapters/test/real/pasarguard.real.test.ts:
#   PASARGUARD_REAL_URL=… PASARGUARD_REAL_DB=… PASARGUARD_REAL_PASSWORD=… PASARGUARD_REAL_GROUP=1 PASARGUARD_REAL_API_KEY=… \
#     npx vitest run packages/panel-adapters/test/real     (49 tests a run; it deletes the users it creates)
# Do not commit anything this script extracts or builds into the project.
set -euo pipefail
ROOT=${ROOT:-/tmp/pg-sid-root}
PORT=${PORT:-18200}
OWNER_PASSWORD=${OWNER_PASSWORD:-'Owner-Pass-2468!Xy'}
LOG=${LOG:-/tmp/pasarguard-$PORT.log}
PIDFILE=${PIDFILE:-/tmp/pasarguard-$PORT.pid}
APT_OPTS=(-o Acquire::Check-Valid-Until=false)

start() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  nohup setsid chroot "$ROOT" /bin/bash -c 'source /var/lib/pasarguard/env.sh && cd /opt/pasarguard && exec python3 main.py' < /dev/null > "$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/openapi.json" && { echo "PasarGuard up on 127.0.0.1:$PORT (log $LOG)"; return 0; }
    sleep 1
  done
  echo "PasarGuard did not come up; see $LOG" >&2; return 1
}
stop() { [ -f "$PIDFILE" ] && kill -- "-$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; }
case "${1:-setup}" in start) start; exit;; stop) stop; exit;; status) curl -s "http://127.0.0.1:$PORT/openapi.json" | head -c 200; echo; exit;; esac

: "${MIRROR:?set MIRROR to the folder that holds the git copies (owner+name/repo)}"
DEBIAN_ARCHIVE=${DEBIAN_ARCHIVE:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
[ -n "$DEBIAN_ARCHIVE" ] || DEBIAN_ARCHIVE=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
T0=$(date +%s)
apt-get update -qq && apt-get install -y -qq debootstrap sqlite3 curl > /dev/null
[ -x "$ROOT/bin/bash" ] || debootstrap --variant=minbase sid "$ROOT" "$DEBIAN_ARCHIVE" > "/tmp/debootstrap-$PORT.log"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
chroot "$ROOT" apt-get "${APT_OPTS[@]}" update -qq
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends \
  python3 python3-fastapi python3-pydantic python3-pydantic-settings python3-sqlalchemy python3-aiosqlite python3-alembic \
  python3-jwt python3-apscheduler python3-bcrypt python3-cryptography python3-commentjson python3-psutil \
  python3-python-multipart python3-qrcode python3-rich python3-uvicorn python3-sse-starlette python3-aiohttp \
  python3-packaging python3-asyncpg python3-aiocache python3-aiohttp-socks python3-uvloop python3-typer python3-deprecated \
  python3-jinja2 python3-yaml python3-dateutil python3-click python3-grpclib python3-protobuf protobuf-compiler \
  python3-python-socks python3-aiofiles python3-certifi python3-typing-extensions python3-httptools python3-websockets \
  ca-certificates curl > /dev/null
echo "python packages done after $(( $(date +%s) - T0 ))s"

rm -rf "$ROOT/opt/pasarguard" "$ROOT/opt/pgdeps"; mkdir -p "$ROOT/opt/pasarguard" "$ROOT/opt/pgdeps" "$ROOT/var/lib/pasarguard"
git --git-dir="$MIRROR/PasarGuard+panel/repo" archive HEAD | tar -x -C "$ROOT/opt/pasarguard"
git --git-dir="$MIRROR/PasarGuard+node_bridge_py/repo" archive HEAD PasarGuardNodeBridge | tar -x -C "$ROOT/opt/pgdeps"
git --git-dir="$MIRROR/aiogram+aiogram/repo" archive v3.30.0 aiogram | tar -x -C "$ROOT/opt/pgdeps"
git --git-dir="$MIRROR/aiogram+magic-filter/repo" archive v1.0.12 magic_filter | tar -x -C "$ROOT/opt/pgdeps"
git --git-dir="$MIRROR/aio-libs+aiorwlock/repo" archive v1.5.1 aiorwlock | tar -x -C "$ROOT/opt/pgdeps"
git --git-dir="$MIRROR/slashmili+python-jalali/repo" archive v5.1.0 jdatetime | tar -x -C "$ROOT/opt/pgdeps"
git --git-dir="$MIRROR/slashmili+jalali-core/repo" archive HEAD jalali_core | tar -x -C "$ROOT/opt/pgdeps"
TMP=$(mktemp -d); git --git-dir="$MIRROR/nats-io+nats.py/repo" archive v2.15.0 nats/src/nats | tar -x -C "$TMP"; mv "$TMP/nats/src/nats" "$ROOT/opt/pgdeps/nats"; rm -rf "$TMP"
chroot "$ROOT" /bin/sh -c 'cd /opt/pgdeps && protoc --python_out=. PasarGuardNodeBridge/common/service.proto'
mkdir -p "$ROOT/opt/pasarguard/dashboard/build/statics"
echo '<!doctype html><title>dashboard not built (API only)</title>' > "$ROOT/opt/pasarguard/dashboard/build/index.html"

cat > "$ROOT/var/lib/pasarguard/env.sh" <<ENV
export SQLALCHEMY_DATABASE_URL=sqlite+aiosqlite:////var/lib/pasarguard/db.sqlite3
export UVICORN_HOST=127.0.0.1
export UVICORN_PORT=$PORT
export DOCS=true
export PYTHONPATH=/opt/pgdeps
export PYTHONDONTWRITEBYTECODE=1
ENV
rm -f "$ROOT/var/lib/pasarguard/db.sqlite3"
chroot "$ROOT" /bin/bash -c 'source /var/lib/pasarguard/env.sh && cd /opt/pasarguard && python3 -m alembic upgrade head' > "/tmp/pasarguard-alembic-$PORT.log" 2>&1
echo "migrations done after $(( $(date +%s) - T0 ))s"
stop; start

P=http://127.0.0.1:$PORT
# The owner admin, through the panel's one-time setup key (the env sudo admin is refused outside debug).
KEY=$(chroot "$ROOT" /bin/bash -c 'source /var/lib/pasarguard/env.sh && cd /opt/pasarguard && python3 pasarguard-cli.py generate-temp-key' | sed -n 's/^Temp key: //p')
curl -fs -X POST "$P/api/setup/owner" -H 'content-type: application/json' \
  -d "{\"key\":\"$KEY\",\"username\":\"owner\",\"password\":\"$OWNER_PASSWORD\"}" > /dev/null
TOKEN=$(curl -fs -X POST "$P/api/admin/token" --data-urlencode username=owner --data-urlencode "password=$OWNER_PASSWORD" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
AUTH="Authorization: Bearer $TOKEN"
# A core config with the simulator's kinds of inbounds on loopback ports, one group of them all, one host each.
PRIV=$(chroot "$ROOT" python3 -c "
import base64
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
k = X25519PrivateKey.generate()
print(base64.urlsafe_b64encode(k.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())).decode().rstrip('='))")
REALITY="\"security\": \"reality\", \"realitySettings\": {\"show\": false, \"dest\": \"127.0.0.1:9\", \"xver\": 0, \"serverNames\": [\"sni.example.test\"], \"privateKey\": \"$PRIV\", \"shortIds\": [\"6ba85179e30d4fc2\"]}"
curl -fs -X POST "$P/api/core" -H "$AUTH" -H 'content-type: application/json' -d @- > /dev/null <<JSON
{"name": "main", "exclude_inbound_tags": [], "fallbacks_inbound_tags": [], "config": {
  "log": {"loglevel": "warning"},
  "inbounds": [
    {"tag": "VLESS TCP REALITY", "listen": "127.0.0.1", "port": 20443, "protocol": "vless", "settings": {"clients": [], "decryption": "none"},
     "streamSettings": {"network": "tcp", "tcpSettings": {}, $REALITY}},
    {"tag": "VLESS GRPC REALITY", "listen": "127.0.0.1", "port": 28443, "protocol": "vless", "settings": {"clients": [], "decryption": "none"},
     "streamSettings": {"network": "grpc", "grpcSettings": {"serviceName": "xyz"}, $REALITY}},
    {"tag": "VMess WS", "listen": "127.0.0.1", "port": 28080, "protocol": "vmess", "settings": {"clients": []},
     "streamSettings": {"network": "ws", "wsSettings": {"path": "/vm"}, "security": "none"}},
    {"tag": "Shadowsocks TCP", "listen": "127.0.0.1", "port": 21080, "protocol": "shadowsocks", "settings": {"clients": [], "network": "tcp,udp"}}
  ],
  "outbounds": [{"protocol": "freedom", "tag": "DIRECT"}, {"protocol": "blackhole", "tag": "BLOCK"}]
}}
JSON
curl -fs -X POST "$P/api/group" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"name":"All inbounds","inbound_tags":["VLESS TCP REALITY","VLESS GRPC REALITY","VMess WS","Shadowsocks TCP"]}' > /dev/null
for TAG in "VLESS TCP REALITY" "VLESS GRPC REALITY" "VMess WS" "Shadowsocks TCP"; do
  curl -fs -X POST "$P/api/host/" -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"remark\":\"{USERNAME} ($TAG)\",\"address\":[\"127.0.0.1\"],\"inbound_tag\":\"$TAG\",\"priority\":1}" > /dev/null
done
# An API key of the owner, for the adapter's second way in.
API_KEY=$(curl -fs -X POST "$P/api/api_key" -H "$AUTH" -H 'content-type: application/json' -d '{"name":"panelkit"}' | sed -n 's/.*"api_key":"\(pg_key_[^"]*\)".*/\1/p')
echo "ready after $(( $(date +%s) - T0 ))s:"
echo "  PASARGUARD_REAL_URL=$P PASARGUARD_REAL_DB=$ROOT/var/lib/pasarguard/db.sqlite3 PASARGUARD_REAL_PASSWORD='$OWNER_PASSWORD' PASARGUARD_REAL_GROUP=1 PASARGUARD_REAL_API_KEY=$API_KEY"
