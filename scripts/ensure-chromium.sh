#!/usr/bin/env bash
# The shop's browser tests drive Debian's Chromium (never a downloaded browser). Installs it when
# it is missing and this machine can (root with apt-get); otherwise says the browser suite will skip.
set -uo pipefail
CHROMIUM="${PANELKIT_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the shop's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q chromium >/tmp/panelkit-apt.log 2>&1; then
    apt-get update -q >>/tmp/panelkit-apt.log 2>&1 && apt-get install -y -q chromium >>/tmp/panelkit-apt.log 2>&1 || {
      tail -20 /tmp/panelkit-apt.log
      echo "ensure-chromium: could not install chromium; the browser suite will skip"
      exit 0
    }
  fi
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)"
else
  echo "ensure-chromium: $CHROMIUM is missing and cannot be installed here (needs root and apt-get); the browser suite will skip"
fi
exit 0
