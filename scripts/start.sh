#!/usr/bin/env bash
# Set up and start Xunjian on the embedded default (SQLite file and photo folder under data/),
# with demo data. Safe to run again: migrations and demo data are idempotent.
#   bash scripts/start.sh [--host 0.0.0.0] [--port 8000]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

apt_install fonts-wqy-microhei   # CJK font for the watermark on evidence photos
ensure_venv ""
"$VENV/bin/xunjian" db upgrade
"$VENV/bin/xunjian" demo
exec "$VENV/bin/xunjian" serve "$@"
