#!/usr/bin/env bash
# Builds, with podman and no image registry, the local stand-ins for the official images the compose file
# uses: a Node.js image (this machine's node binary, a shell and coreutils, a `node` user with uid 1000, as in
# the official image) and a PostgreSQL image (Debian's postgresql package of this machine, with an entry point
# that initialises the database from POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB as the official one does) and a
# Caddy image (Debian's caddy binary, laid out as the official image). Prints the three image names. An image already built from the same inputs is kept (the tag carries their hash).
set -euo pipefail
PG_VERSION="${PG_VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -1)}"
NODE_BIN="$(readlink -f "$(command -v node)")"
# Bump when the recipe below changes: built images are kept while their inputs (this, the node binary, the
# postgresql package) stay the same.
RECIPE=3
TOOLS="sh dash bash mkdir chown chmod cat rm ls sleep env id ln cp mv grep sed"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Copies files and the shared libraries they load into a root folder.
copy_with_libs() {
  local root="$1"; shift
  for f in "$@"; do
    [ -e "$f" ] || continue
    mkdir -p "$root$(dirname "$f")"
    cp -a "$f" "$root$f"
    if [ -L "$f" ]; then copy_with_libs "$root" "$(readlink -f "$f")"; fi
    { ldd "$f" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -aL "$lib" "$root$lib"
    done
  done
}

base_rootfs() {
  local root="$1"
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,etc,tmp,var/tmp,root,home/node,run}
  # Debian's merged /usr, as on this machine.
  for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
  chmod 1777 "$root/tmp" "$root/var/tmp"
  for t in $TOOLS; do p="$(command -v "$t" || true)"; [ -n "$p" ] && copy_with_libs "$root" "$p"; done
  copy_with_libs "$root" /lib64/ld-linux-x86-64.so.2
  cp -a /etc/ssl "$root/etc/" 2>/dev/null || true
  mkdir -p "$root/usr/share" && cp -a /usr/share/zoneinfo "$root/usr/share/" 2>/dev/null || true
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\npostgres:x:999:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chown 1000:1000 "$root/home/node"
}

image_exists() { podman image exists "$1"; }

# ---- Node.js ----
node_hash="$( (sha256sum "$NODE_BIN" | cut -c1-16; echo "$RECIPE") | sha256sum | cut -c1-12)"
NODE_IMAGE="localhost/panelkit-node-base:$(node -v | tr -d v)-$node_hash"
if ! image_exists "$NODE_IMAGE"; then
  root="$work/node"
  base_rootfs "$root"
  cp "$NODE_BIN" "$root/usr/local/bin/node"
  copy_with_libs "$root" "$NODE_BIN"
  ln -sf /usr/local/bin/node "$root/usr/bin/node"
  tar -C "$root" -cf "$work/node.tar" .
  podman import --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$work/node.tar" "$NODE_IMAGE" >/dev/null
fi

# ---- PostgreSQL ----
pg_hash="$( (dpkg-query -W -f '${Version}' "postgresql-$PG_VERSION"; echo "$RECIPE") | sha256sum | cut -c1-12)"
PG_IMAGE="localhost/panelkit-postgres-base:$PG_VERSION-$pg_hash"
if ! image_exists "$PG_IMAGE"; then
  root="$work/pg"
  base_rootfs "$root"
  mkdir -p "$root/usr/lib/postgresql" && cp -a /usr/lib/postgresql/"$PG_VERSION" "$root/usr/lib/postgresql/"
  # Without the JIT provider and its bitcode: llvmjit.so loads libLLVM and libz3 (~130 MB of the image's ~250), and
  # a server without the provider runs every query uncompiled (PostgreSQL checks the file exists before loading it).
  rm -rf "$root/usr/lib/postgresql/$PG_VERSION/lib/bitcode" "$root/usr/lib/postgresql/$PG_VERSION/lib/llvmjit"*
  libs=(); for lib in /usr/lib/postgresql/"$PG_VERSION"/lib/*.so; do [ "${lib##*/}" = llvmjit.so ] || libs+=("$lib"); done
  copy_with_libs "$root" /usr/lib/postgresql/"$PG_VERSION"/bin/* "${libs[@]}"
  mkdir -p "$root/usr/share/postgresql" && cp -a /usr/share/postgresql/"$PG_VERSION" "$root/usr/share/postgresql/"
  mkdir -p "$root/usr/share/postgresql-common" && cp -a /usr/share/postgresql-common/pg_wrapper "$root/usr/share/postgresql-common/" 2>/dev/null || true
  for b in postgres initdb pg_ctl pg_isready psql pg_dump; do ln -sf /usr/lib/postgresql/"$PG_VERSION"/bin/$b "$root/usr/local/bin/$b"; done
  mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
  chown -R 999:999 "$root/var/lib/postgresql" "$root/var/run/postgresql"
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# The official image's contract, reduced: initialise PGDATA once from POSTGRES_* as the postgres user, then run
# the server in the foreground on every address with password authentication.
set -e
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql && chown -R postgres:postgres "$PGDATA" /var/run/postgresql && chmod 700 "$PGDATA"
  exec env HOME=/var/lib/postgresql /usr/local/bin/run-as-postgres "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # As the official image: no database is created without a password.
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then echo "error: POSTGRES_PASSWORD is empty or unset: the database is not initialised" >&2; exit 1; fi
  pwfile="$(mktemp 2>/dev/null || echo /tmp/pw)"; printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile="$pwfile" -A scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\" OWNER \"${POSTGRES_USER:-postgres}\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA"
SH
  chmod +x "$root/usr/local/bin/docker-entrypoint.sh"
  # Drops root for the postgres user (the server refuses to run as root), with util-linux's setpriv.
  copy_with_libs "$root" "$(command -v setpriv)"
  printf '#!/bin/sh\nexec setpriv --reuid=999 --regid=999 --clear-groups "$@"\n' >"$root/usr/local/bin/run-as-postgres"
  chmod +x "$root/usr/local/bin/run-as-postgres"
  tar -C "$root" -cf "$work/pg.tar" .
  podman import --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'STOPSIGNAL SIGINT' \
    "$work/pg.tar" "$PG_IMAGE" >/dev/null
fi
# ---- Caddy ----
# Debian's caddy binary (static) with the official image's layout: the Caddyfile in /etc/caddy, state in /data
# and /config.
CADDY_BIN="$(command -v caddy)"
caddy_hash="$( (sha256sum "$CADDY_BIN" | cut -c1-16; echo "$RECIPE") | sha256sum | cut -c1-12)"
CADDY_IMAGE="localhost/panelkit-caddy-base:$("$CADDY_BIN" version | awk '{print $1}' | tr -d v)-$caddy_hash"
if ! image_exists "$CADDY_IMAGE"; then
  root="$work/caddy"
  base_rootfs "$root"
  copy_with_libs "$root" "$CADDY_BIN"
  mkdir -p "$root/etc/caddy" "$root/data" "$root/config"
  tar -C "$root" -cf "$work/caddy.tar" .
  podman import --change 'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]' \
    --change 'ENV XDG_CONFIG_HOME=/config' --change 'ENV XDG_DATA_HOME=/data' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$work/caddy.tar" "$CADDY_IMAGE" >/dev/null
fi
# Earlier builds of the stand-ins (other inputs) are not needed any more.
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/panelkit-(node|postgres|caddy)-base:'); do
  [ "$old" = "$NODE_IMAGE" ] || [ "$old" = "$PG_IMAGE" ] || [ "$old" = "$CADDY_IMAGE" ] || podman rmi "$old" >/dev/null 2>&1 || true
done
echo "NODE_IMAGE=$NODE_IMAGE"
echo "POSTGRES_IMAGE=$PG_IMAGE"
echo "CADDY_IMAGE=$CADDY_IMAGE"
