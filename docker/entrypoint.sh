#!/bin/sh
# Apply migrations (idempotent), then run uvicorn with several workers behind the proxy.
set -e
xunjian db upgrade
exec uvicorn backend.main:app --host 0.0.0.0 --port 8000 \
  --workers "${XUNJIAN_WORKERS:-4}" --proxy-headers --forwarded-allow-ips "${XUNJIAN_FORWARDED_ALLOW_IPS:-*}"
