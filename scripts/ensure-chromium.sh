#!/usr/bin/env bash
# The shop's browser tests drive Debian's Chromium (never a downloaded browser): its headless shell
# (package chromium-headless-shell, built from Debian's chromium source) when there is one, else the
# full `chromium`. The shell renders with the same engine without the desktop browser around it, and
# the browser suite took about 40% less CPU with it. Installs the shell when no browser is there and
# this machine can (root with apt-get); otherwise says the browser suite will skip.
set -uo pipefail
if [ -n "${PANELKIT_CHROMIUM:-}" ]; then
  [ -x "$PANELKIT_CHROMIUM" ] || echo "ensure-chromium: PANELKIT_CHROMIUM=$PANELKIT_CHROMIUM is not an executable; the browser suite will skip"
  exit 0
fi
if [ -x /usr/bin/chromium-headless-shell ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium-headless-shell for the shop's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q chromium-headless-shell >/tmp/panelkit-apt.log 2>&1; then
    apt-get update -q >>/tmp/panelkit-apt.log 2>&1 && apt-get install -y -q chromium-headless-shell >>/tmp/panelkit-apt.log 2>&1 || {
      tail -20 /tmp/panelkit-apt.log
      if [ -x /usr/bin/chromium ]; then
        echo "ensure-chromium: could not install chromium-headless-shell; the browser suite uses /usr/bin/chromium"
      else
        echo "ensure-chromium: could not install chromium-headless-shell; the browser suite will skip"
      fi
      exit 0
    }
  fi
  echo "ensure-chromium: $(/usr/bin/chromium-headless-shell --version 2>/dev/null)"
elif [ -x /usr/bin/chromium ]; then
  exit 0
else
  echo "ensure-chromium: no Chromium here and none can be installed (needs root and apt-get); the browser suite will skip"
fi
exit 0
