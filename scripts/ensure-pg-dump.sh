#!/usr/bin/env bash
# The storage's secrets-at-rest test dumps a schema with Debian's pg_dump (postgresql-client). Installs it
# when it is missing and this machine can (root with apt-get); otherwise says that test will skip.
set -uo pipefail
if command -v pg_dump >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-pg-dump: installing Debian's postgresql-client for the pg_dump test"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql-client >/tmp/panelkit-apt-pg.log 2>&1; then
    apt-get update -q >>/tmp/panelkit-apt-pg.log 2>&1 && apt-get install -y -q postgresql-client >>/tmp/panelkit-apt-pg.log 2>&1 || {
      tail -20 /tmp/panelkit-apt-pg.log
      echo "ensure-pg-dump: could not install postgresql-client; the pg_dump test will skip"
      exit 0
    }
  fi
  echo "ensure-pg-dump: $(pg_dump --version)"
else
  echo "ensure-pg-dump: pg_dump is missing and cannot be installed here (needs root and apt-get); the pg_dump test will skip"
fi
exit 0
