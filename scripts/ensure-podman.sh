#!/usr/bin/env bash
# The deployment test (examples/shop/test/deploy-podman.test.ts) builds the shop's image and runs the shipped
# compose file with Debian's podman and podman-compose. Installs them when they are missing and this machine can
# (root with apt-get); otherwise says that test will skip. Podman is set to runc with cgroupfs and no default
# ulimits: crun refuses this kind of host's hybrid cgroups, and a container cannot raise limits above the host's.
set -uo pipefail
CONF=/etc/containers/containers.conf
want_conf() {
  grep -q '^runtime = "runc"' "$CONF" 2>/dev/null && grep -q '^cgroup_manager = "cgroupfs"' "$CONF" 2>/dev/null \
    && grep -q '^default_ulimits = \[\]' "$CONF" 2>/dev/null
}
if command -v podman >/dev/null 2>&1 && command -v podman-compose >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && [ -x /usr/libexec/podman/catatonit ] && [ -x /usr/lib/cni/dnsname ] && command -v caddy >/dev/null 2>&1 && want_conf; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-podman: podman is missing and cannot be installed here (needs root and apt-get); the deployment test will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# caddy: its binary goes into the stand-in for Caddy's image (scripts/podman-base-images.sh); no service is started.
PKGS="podman podman-compose runc catatonit golang-github-containernetworking-plugin-dnsname dnsmasq-base uidmap slirp4netns fuse-overlayfs caddy"
if ! command -v podman >/dev/null 2>&1 || ! command -v podman-compose >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 \
  || ! [ -x /usr/libexec/podman/catatonit ] || ! [ -x /usr/lib/cni/dnsname ] || ! command -v caddy >/dev/null 2>&1; then
  echo "ensure-podman: installing Debian's podman and podman-compose for the deployment test"
  # shellcheck disable=SC2086
  if ! apt-get install -y -q --no-install-recommends $PKGS >/tmp/panelkit-apt-podman.log 2>&1; then
    # shellcheck disable=SC2086
    apt-get update -q >>/tmp/panelkit-apt-podman.log 2>&1 && apt-get install -y -q --no-install-recommends $PKGS >>/tmp/panelkit-apt-podman.log 2>&1 || {
      tail -20 /tmp/panelkit-apt-podman.log
      echo "ensure-podman: could not install podman; the deployment test will skip"
      exit 0
    }
  fi
fi
mkdir -p /etc/containers
if ! want_conf; then
  cat >"$CONF" <<'CONF'
# Written by panelkit's scripts/ensure-podman.sh: crun refuses hybrid cgroups (runc does not), there is no systemd
# to manage cgroups, and a container may not raise its limits above this machine's.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
fi
echo "ensure-podman: $(podman --version), $(podman-compose version 2>/dev/null | grep -m1 'podman-compose' | tr -s ' ')"
exit 0
