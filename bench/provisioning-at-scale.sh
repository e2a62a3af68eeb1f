#!/usr/bin/env bash
# Issue 34's figures from one run, one bench at a time (none overlaps another): bench/provisioning,
# bench/checkout, bench/scale's orders (1, 2, 4 replicas) and its usage cycle (4 replicas, twice).
#
#   bash bench/provisioning-at-scale.sh OUT_DIR [provisioning] [checkout] [orders] [usage]
#
# Each bench's output goes to OUT_DIR/<name>.txt; OUT_DIR/log has each start and end with the load average.
# Needs the PostgreSQL server of the real-server tests (PANELKIT_BENCH_SERVER, default 127.0.0.1:5432).
set -u
out=${1:?usage: provisioning-at-scale.sh OUT_DIR [bench ...]}
shift
mkdir -p "$out"
cd "$(dirname "$0")/.."
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(provisioning checkout orders usage)

run() {
  local name=$1
  shift
  echo "== $name start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/log"
  node --conditions=@panelkit/source --import tsx "$@" >"$out/$name.txt" 2>&1
  echo "== $name end $(date -u +%FT%TZ) exit $? load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/log"
}

for step in "${steps[@]}"; do
  case $step in
    provisioning) run provisioning bench/provisioning/main.ts ;;
    checkout) run checkout bench/checkout/main.ts --database bench_checkout ;;
    orders) run orders bench/scale/main.ts --phases orders --subscriptions 100000 --orders 2000 --order-replicas 1,2,4 --database bench_scale_orders ;;
    usage) run usage bench/scale/main.ts --phases usage --replicas 4,4 --database bench_scale_usage ;;
    *) echo "unknown bench: $step" >&2; exit 2 ;;
  esac
done
