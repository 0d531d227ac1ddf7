#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb on a temp dir,
# listening only on a unix socket there, DATABASE_URL exported, and the
# cluster stopped and removed afterwards, whatever the command's outcome.
# Usage: scripts/with-postgres.sh npm run test:postgres
set -euo pipefail
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql package" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
DIR="$(mktemp -d /tmp/framecheck-pg-XXXXXX)"
chmod 755 "$DIR"
# initdb and the server refuse to run as root: run them as the postgres user (or as ourselves when not root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$DIR"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
cleanup() {
  as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
as_owner "$PGBIN/initdb" -D "$DIR/data" -U framecheck --auth=trust -E UTF8 --no-locale >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" \
  -o "-k $DIR -c listen_addresses='' -c max_connections=200 -c fsync=on" start >/dev/null
as_owner "$PGBIN/createdb" -h "$DIR" -U framecheck framecheck
export DATABASE_URL="postgresql://framecheck@/framecheck?host=$DIR"
export FRAMECHECK_PG_SOCKET_DIR="$DIR"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') running for this command at $DIR" >&2
"$@"
