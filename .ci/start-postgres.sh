#!/usr/bin/env bash
# Make a throw-away PostgreSQL 15 server available on 127.0.0.1 for the test suite.
#
# Usage:  eval "$(bash .ci/start-postgres.sh)"
#
# Idempotent: initialises the cluster only once, starts it only if it is not running,
# creates the database only if it is missing. The only thing written to stdout is
#     export OPSBOT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/opsbot_test
# Everything else goes to stderr, so the output can be eval'ed.
#
# Environment:
#   OPSBOT_PG_PORT    TCP port (default 55432)
#   OPSBOT_PG_BASE    base directory for data, socket and log (default /tmp/opsbot-pg)
#   OPSBOT_PG_BINDIR  directory holding initdb/pg_ctl/psql (default: auto-detected)
set -euo pipefail

# Keep the real stdout on fd 3 for the final export line; send everything else to stderr.
exec 3>&1 1>&2

PORT="${OPSBOT_PG_PORT:-55432}"
BASE="${OPSBOT_PG_BASE:-/tmp/opsbot-pg}"
DATA="$BASE/data"
SOCK="$BASE/sock"
LOG="$BASE/postgres.log"
DB=opsbot_test
URL="postgresql://postgres@127.0.0.1:$PORT/$DB"

say() { echo "start-postgres: $*"; }
die() {
    say "ERROR: $*"
    if [[ -r "$LOG" ]]; then say "last lines of $LOG:"; tail -n 30 "$LOG" || true; fi
    exit 1
}

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

# --- 1. Locate the PostgreSQL binaries (install them if missing) ---------------------------
find_bindir() {
    local d
    for d in "${OPSBOT_PG_BINDIR:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && { echo "$d"; return 0; }
    done
    return 1
}
if ! BIN="$(find_bindir)"; then
    say "PostgreSQL binaries not found; installing with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q || die "apt-get update failed (need root or passwordless sudo)"
    as_root apt-get install -y -q postgresql-15 || as_root apt-get install -y -q postgresql \
        || die "could not install PostgreSQL with apt-get"
    BIN="$(find_bindir)" || die "PostgreSQL installed but initdb/pg_ctl/postgres not found under /usr/lib/postgresql"
fi
VERSION="$("$BIN/postgres" --version)"
say "using $BIN ($VERSION)"
[[ "$VERSION" == *" 15."* ]] || say "WARNING: expected PostgreSQL 15, got: $VERSION"

# --- 2. Pick a non-root OS user: the postgres server refuses to run as root ----------------
if [[ $EUID -ne 0 ]]; then
    PGUSER_OS="$(id -un)"                   # already unprivileged: just use ourselves
elif id postgres >/dev/null 2>&1; then
    PGUSER_OS=postgres
else
    PGUSER_OS=opsbot-pg
    id "$PGUSER_OS" >/dev/null 2>&1 \
        || useradd --system --no-create-home --home-dir "$BASE" --shell /usr/sbin/nologin "$PGUSER_OS" \
        || die "could not create OS user $PGUSER_OS"
fi
# Run a command as that user, from a directory it can read (avoids "could not change directory").
# fds 3 (our real stdout) and 9 (the lock) are closed: otherwise the postmaster inherits them,
# holding the lock forever and keeping the caller's $(...) pipe open so `eval "$(...)"` hangs.
as_pg() {
    if [[ $EUID -ne 0 ]]; then (cd / && "$@")
    elif command -v runuser >/dev/null; then (cd / && runuser -u "$PGUSER_OS" -- "$@")
    else (cd / && su -s /bin/sh -c '"$0" "$@"' "$PGUSER_OS" -- "$@")   # util-linux su: args after -- go to sh
    fi 3>&- 9>&-
}

mkdir -p "$BASE" "$SOCK"
[[ $EUID -eq 0 ]] && chown "$PGUSER_OS": "$BASE" "$SOCK"
[[ $EUID -eq 0 && -d "$DATA" ]] && chown -R "$PGUSER_OS": "$DATA"
[[ -w "$BASE" ]] || die "$BASE is not writable by $(id -un)"

# Serialise concurrent invocations (several engineers / jobs on one machine).
if command -v flock >/dev/null; then
    exec 9>"$BASE/.lock"
    flock -w 120 9 || die "timed out waiting for lock $BASE/.lock"
fi

# --- 3. initdb, only once ------------------------------------------------------------------
if [[ ! -s "$DATA/PG_VERSION" ]]; then
    # A half-initialised directory (e.g. an interrupted earlier run) would make initdb fail.
    rm -rf "$DATA"
    LOCALE=C
    locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && LOCALE=C.UTF-8
    say "initialising cluster in $DATA as $PGUSER_OS (locale $LOCALE)"
    if ! as_pg "$BIN/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 --locale="$LOCALE" >"$BASE/initdb.log" 2>&1; then
        if [[ "$LOCALE" != C ]]; then
            say "initdb with $LOCALE failed; retrying with --locale=C"
            rm -rf "$DATA"
            as_pg "$BIN/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 --locale=C >"$BASE/initdb.log" 2>&1 \
                || { cat "$BASE/initdb.log"; die "initdb failed"; }
        else
            cat "$BASE/initdb.log"; die "initdb failed"
        fi
    fi
    echo "include_if_exists = 'opsbot.conf'" >>"$DATA/postgresql.conf"
fi

# Our settings live in their own file, rewritten on every run so a changed port is picked up.
# Durability is pointless for a test database, so trade it for speed.
cat >"$DATA/opsbot.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
[[ $EUID -eq 0 ]] && chown "$PGUSER_OS": "$DATA/opsbot.conf"

# --- 4. Start, only if not already running -------------------------------------------------
ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; }
if as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    # Line 4 of postmaster.pid is the port the running server actually uses.
    if [[ "$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null)" == "$PORT" ]] && ready; then
        say "server already running on 127.0.0.1:$PORT"
    else
        # Running, but on another port (e.g. OPSBOT_PG_PORT changed) or not answering.
        say "server running but not on/ready at port $PORT; restarting"
        as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 restart -m fast || die "pg_ctl restart failed"
    fi
else
    say "starting server on 127.0.0.1:$PORT (log: $LOG)"
    touch "$LOG"; [[ $EUID -eq 0 ]] && chown "$PGUSER_OS": "$LOG"
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        || die "pg_ctl start failed (is port $PORT already in use by something else?)"
fi
ready || die "server is not accepting connections on 127.0.0.1:$PORT"

# --- 5. Create the test database if missing ------------------------------------------------
psql_admin() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
    say "creating database $DB"
    psql_admin -c "CREATE DATABASE $DB" || die "could not create database $DB"
fi
# Make sure the URL reaches *this* cluster, not some other server that owns the port.
SERVED="$("$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$URL" -tAc 'SHOW data_directory')" || die "cannot connect to $URL"
[[ "$SERVED" == "$DATA" ]] || die "$URL is served by $SERVED, not by $DATA"

say "ready: $URL"
echo "export OPSBOT_TEST_POSTGRES_URL=$URL" >&3
