#!/usr/bin/env bash
# The WireGuard tunnel tests bring up a real tunnel between two network namespaces with Debian's
# userspace wireguard-go and wireguard-tools' wg (never a downloaded binary; there are no kernel
# modules here, so userspace only). Installs them, and iproute2 if `ip` is missing, when they are
# missing and this machine can (root with apt-get); otherwise says those tests will skip.
set -uo pipefail
LOG=/tmp/panelkit-apt-wireguard.log
missing=()
command -v wireguard-go >/dev/null 2>&1 || missing+=(wireguard-go)
command -v wg >/dev/null 2>&1 || missing+=(wireguard-tools)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ "${#missing[@]}" = "0" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-wireguard: installing Debian's ${missing[*]} for the WireGuard tunnel tests"
  export DEBIAN_FRONTEND=noninteractive
  # --no-install-recommends: wireguard-tools recommends a kernel module package this machine cannot load.
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$LOG" 2>&1; then
    apt-get update -q >>"$LOG" 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1 || {
      tail -20 "$LOG"
      echo "ensure-wireguard: could not install ${missing[*]}; the WireGuard tunnel tests will skip"
      exit 0
    }
  fi
  echo "ensure-wireguard: $(wg --version 2>/dev/null | head -1); wireguard-go $(wireguard-go --version 2>/dev/null | head -1)"
else
  echo "ensure-wireguard: ${missing[*]} missing and cannot be installed here (needs root and apt-get); the WireGuard tunnel tests will skip"
fi
exit 0
