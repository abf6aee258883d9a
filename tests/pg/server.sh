#!/bin/sh
# tests/pg/server.sh - a throwaway PostgreSQL 15 server for the tests.
#
#   tests/pg/server.sh start DIR   initdb in DIR (created, owned by the
#                                  postgres user when run as root), start
#                                  the server on a Unix socket in DIR only,
#                                  fsync off; print the conninfo that
#                                  reaches it ("host=DIR port=5432
#                                  user=postgres")
#   tests/pg/server.sh stop DIR    stop it and remove DIR
#   tests/pg/server.sh halt DIR    stop it, keeping DIR (fault tests)
#   tests/pg/server.sh resume DIR  start it again after halt
#
# PG_FSYNC=on keeps fsync and full_page_writes on (make bench: commits cost
# what they cost in production); the tests leave them off for speed.
#
# Debian's postgresql-15 package (its binaries in /usr/lib/postgresql/15/bin)
# is installed by `make test`. As root, the server runs as the postgres user
# (PostgreSQL refuses to run as root); otherwise as the caller.
set -eu
cmd=${1:?usage: tests/pg/server.sh start|stop|halt|resume DIR}
dir=${2:?usage: tests/pg/server.sh start|stop|halt|resume DIR}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
port=5432

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=${PG_FSYNC:-off} -c full_page_writes=${PG_FSYNC:-off} -c max_connections=300 -c shared_buffers=32MB" \
        start >/dev/null
}

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    start_server
    echo "host=$dir port=$port user=postgres"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
halt)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    start_server
    ;;
*)
    echo "usage: tests/pg/server.sh start|stop|halt|resume DIR" >&2
    exit 2
    ;;
esac
