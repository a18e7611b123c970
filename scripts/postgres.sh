#!/usr/bin/env bash
# A throwaway PostgreSQL for the review store's tests (and for trying several `finrisk serve`
# instances on one database by hand):
#   scripts/postgres.sh start DIR [PORT]   installs Debian's postgresql if it is missing, creates a
#                                          cluster in DIR, starts it on 127.0.0.1:PORT (55432) and
#                                          prints the admin URL (postgres://finrisk@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop DIR           stops it (the directory stays; remove it yourself)
# PostgreSQL refuses to run as root: when run as root, the cluster belongs to the `postgres` user
# the Debian package creates. Authentication is `trust`, on loopback only.
set -euo pipefail
command=${1:?usage: scripts/postgres.sh start|stop DIR [PORT]}
dir=${2:?usage: scripts/postgres.sh start|stop DIR [PORT]}
port=${3:-55432}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$command" = stop ]; then exit 0; fi
  echo "postgres.sh: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "postgres.sh: the postgres user cannot reach $dir (a parent directory is closed to it); use a directory of its own, e.g. \$(mktemp -d)" >&2
        exit 1
      fi
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U finrisk --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://finrisk@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
