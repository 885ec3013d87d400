#!/usr/bin/env bash
# Install what the tests need and run the whole suite twice: on SQLite, then on a PostgreSQL
# server started here on 127.0.0.1 (from Debian's packages). Exits non-zero if either fails.
#   bash scripts/test.sh [extra pytest arguments]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

# postgresql: the second database pass; chromium: the PWA's end-to-end tests (Playwright drives
# Debian's build, never a downloaded one); nodejs: the PWA logic's unit tests; the fonts draw the
# photo watermark and the Chinese UI in screenshots.
apt_install postgresql chromium nodejs fonts-wqy-microhei fonts-noto-cjk
ensure_venv "test"

# ---- a throw-away PostgreSQL cluster on 127.0.0.1, stopped on exit
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PG_PORT="${XUNJIAN_TEST_PG_PORT:-54329}"
PG_DIR="$(mktemp -d /tmp/xunjian-pg.XXXXXX)"
run_pg() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
stop_pg() { run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap stop_pg EXIT
echo "==> PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U xunjian --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
run_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U xunjian xunjian_test
PG_URL="postgresql+psycopg://xunjian@127.0.0.1:$PG_PORT/xunjian_test"

status=0
echo "==> pytest on SQLite"
"$VENV/bin/python" -m pytest "$@" || status=$?
# The browser tests and the OpenAPI fuzz ran in the first pass: the browser tests exercise a
# server with its own SQLite data dir, and the fuzz tests the API's answers, not the database.
echo "==> pytest on PostgreSQL"
XUNJIAN_TEST_DATABASE_URL="$PG_URL" "$VENV/bin/python" -m pytest -m "not browser and not fuzz" "$@" || status=$?
exit $status
