#!/usr/bin/env bash
# The shop's importer test starts its own MariaDB (Debian's mariadb-server binaries: mariadb-install-db, mariadbd)
# on its own port and data folder. Installs them when they are missing and this machine can (root with apt-get);
# otherwise says that test will skip. The test uses the binaries only, never a system service.
set -uo pipefail
if [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-mariadb: installing Debian's mariadb-server for the importer test"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends mariadb-server >/tmp/panelkit-apt-mariadb.log 2>&1; then
    apt-get update -q >>/tmp/panelkit-apt-mariadb.log 2>&1 && apt-get install -y -q --no-install-recommends mariadb-server >>/tmp/panelkit-apt-mariadb.log 2>&1 || {
      tail -20 /tmp/panelkit-apt-mariadb.log
      echo "ensure-mariadb: could not install mariadb-server; the importer test will skip"
      exit 0
    }
  fi
  echo "ensure-mariadb: $(/usr/sbin/mariadbd --version)"
else
  echo "ensure-mariadb: mariadb-server is missing and cannot be installed here (needs root and apt-get); the importer test will skip"
fi
exit 0
