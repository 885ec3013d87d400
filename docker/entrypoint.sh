#!/bin/sh
# Apply migrations (idempotent), then run the service with several workers behind the proxy.
# X-Forwarded-For is believed only from XUNJIAN_FORWARDED_ALLOW_IPS (the proxy's address).
# `entrypoint.sh worker` runs the notifier instead (backend/notifications), a service of its own.
set -e
xunjian db upgrade
if [ "$1" = "worker" ]; then
  exec xunjian worker
fi
exec xunjian serve --host 0.0.0.0 --port 8000 --workers "${XUNJIAN_WORKERS:-4}"
