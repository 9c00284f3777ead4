#!/usr/bin/env bash
# lib-pg.sh - a private PostgreSQL for the tests, the demo and the benchmarks (the test library's
# server part, as git's t/lib-httpd.sh is its web server's).
#
# Source it, then:
#   pg_start DIR    initdb into DIR/data (first time only), start a server listening only on a
#                   unix socket in DIR/sock (no TCP), and export PGHOST PGPORT PGUSER PGDATABASE
#                   so psql and ./runner connect to it with no further arguments.
#   pg_stop DIR     stop that server (fast shutdown); safe to call twice.
#   pg_kill DIR     stop it with `-m immediate` (a crash, for fault tests).
# As root the server runs as the `postgres` OS user (initdb refuses root); DIR is chowned to it.
# The cluster uses trust authentication: it is reachable only through the socket in DIR.

PG_BIN="${PG_BIN:-}"
if [ -z "$PG_BIN" ]; then
    for v in 17 16 15 14 13; do
        if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then PG_BIN="/usr/lib/postgresql/$v/bin"; break; fi
    done
fi

_pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    local dir port
    dir=$(realpath -m "$1")
    port="${PGPORT_PRIVATE:-5432}"
    if [ -z "$PG_BIN" ]; then
        echo "lib-pg.sh: PostgreSQL server binaries not found; install them: apt-get install postgresql" >&2
        return 1
    fi
    if [ "$(id -u)" = 0 ]; then
        mkdir -p "$dir"
        if ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
            # A private parent folder (e.g. /root or a mktemp dir): the postgres user cannot
            # reach DIR, so keep the cluster under /var/tmp and leave a link at DIR.
            local real="/var/tmp/stargen-pg-$(echo "$dir" | md5sum | cut -c1-12)"
            mkdir -p "$real"
            if [ ! -L "$dir" ]; then rmdir "$dir" 2>/dev/null || rm -rf "$dir"; ln -s "$real" "$dir"; fi
            dir="$real"
        fi
        mkdir -p "$dir/sock"
        chown postgres: "$dir" "$dir/sock"
    else
        mkdir -p "$dir/sock"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        _pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
            echo "lib-pg.sh: initdb failed; see $dir/initdb.log" >&2
            return 1
        }
    fi
    if ! _pg_as "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        _pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -p $port -c fsync=on" \
            start >/dev/null || {
            echo "lib-pg.sh: server did not start; see $dir/server.log" >&2
            return 1
        }
    fi
    export PGHOST="$dir/sock" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
}

pg_stop() {
    local dir
    dir=$(realpath -m "$1")
    [ -f "$dir/data/PG_VERSION" ] || return 0
    _pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_kill() {
    local dir
    dir=$(realpath -m "$1")
    _pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

# pg_remove DIR: stop the server and delete the cluster (following pg_start's link).
pg_remove() {
    local dir
    pg_stop "$1"
    dir=$(realpath -m "$1")
    rm -rf "$dir"
    rm -rf "$1"
}
