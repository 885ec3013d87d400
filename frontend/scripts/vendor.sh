#!/bin/sh
# Refresh frontend/vendor/ from the versions pinned in package.json. npm installs into a temp dir
# (no node_modules in the repo); the ESM builds are copied as they are, except that the bare
# "preact" import in hooks is rewritten to a relative path, because there is no bundler.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$tmp/"
(cd "$tmp" && npm install --no-audit --no-fund --ignore-scripts --omit=dev >/dev/null)
m="$tmp/node_modules"
strip() { sed -e 's|//# sourceMappingURL=.*$||' "$1"; }
strip "$m/preact/dist/preact.module.js" > "$here/vendor/preact.js"
strip "$m/preact/hooks/dist/hooks.module.js" | sed -e 's|from"preact"|from"./preact.js"|g' > "$here/vendor/hooks.js"
strip "$m/htm/dist/htm.module.js" > "$here/vendor/htm.js"
cp "$m/preact/LICENSE" "$here/vendor/LICENSE-preact"
cp "$m/htm/LICENSE" "$here/vendor/LICENSE-htm"
echo "vendor/: preact $(node -p "require('$m/preact/package.json').version"), htm $(node -p "require('$m/htm/package.json').version")"
