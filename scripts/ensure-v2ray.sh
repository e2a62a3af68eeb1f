#!/usr/bin/env bash
# The link-traffic tests run a real proxy core: Debian's v2ray (v2ray and v2ctl, never a downloaded
# binary). Installs it when it is missing and this machine can (root with apt-get); otherwise says
# those tests will skip. The package's systemd unit is not started (tests start their own cores).
set -uo pipefail
V2RAY="${PANELKIT_V2RAY:-/usr/bin/v2ray}"
if [ -x "$V2RAY" ] && [ -x "$(dirname "$V2RAY")/v2ctl" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-v2ray: installing Debian's v2ray for the link-traffic tests"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q v2ray >/tmp/panelkit-apt-v2ray.log 2>&1; then
    apt-get update -q >>/tmp/panelkit-apt-v2ray.log 2>&1 && apt-get install -y -q v2ray >>/tmp/panelkit-apt-v2ray.log 2>&1 || {
      tail -20 /tmp/panelkit-apt-v2ray.log
      echo "ensure-v2ray: could not install v2ray; the link-traffic tests will skip"
      exit 0
    }
  fi
  echo "ensure-v2ray: $("$V2RAY" -version 2>/dev/null | head -1)"
else
  echo "ensure-v2ray: $V2RAY is missing and cannot be installed here (needs root and apt-get); the link-traffic tests will skip"
fi
exit 0
