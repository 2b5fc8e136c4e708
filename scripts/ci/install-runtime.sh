#!/usr/bin/env bash
# Installs what recon-proof needs to run (its production dependencies) and builds dist/, without
# the dev dependencies: the test tools, the browser driver and the bench's DuckDB are most of a
# full install and none of them runs in a replay. Used by the composite action (action.yml) on a
# cache miss and by the workflow's proof jobs. Works on the checkout this script lives in.
#
# The compiler and the two type packages the build needs are installed at the lockfile's versions
# into a scratch folder, lent to the build through links, and removed afterwards, so node_modules
# ends up holding exactly `npm ci --omit=dev`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
BUILD_PACKAGES=(typescript @types/node @types/better-sqlite3)

# --ignore-scripts: the package's own prepare script would run tsc, which is not installed yet.
# better-sqlite3 is the one dependency with an install step (its native binding): run just that.
npm ci --omit=dev --ignore-scripts --no-audit --no-fund
npm rebuild better-sqlite3

locked_version() {
  node -e 'const p = require("./package-lock.json").packages["node_modules/" + process.argv[1]];
    if (!p) { console.error(`package-lock.json has no ${process.argv[1]}`); process.exit(1); }
    console.log(p.version)' "$1"
}
specs=()
for p in "${BUILD_PACKAGES[@]}"; do specs+=("$p@$(locked_version "$p")"); done

temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
tools=$(mktemp -d "$temp/recon-proof-build.XXXXXX")
links=()
cleanup() {
  for l in "${links[@]}"; do rm -f "$l"; done
  rmdir node_modules/@types 2>/dev/null || true
  rm -rf "$tools"
}
trap cleanup EXIT

npm install --prefix "$tools" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "${specs[@]}"
# TypeScript finds type packages by walking up from the sources, so they are linked in place.
mkdir -p node_modules/@types
for p in "${BUILD_PACKAGES[@]}"; do
  [[ $p == @types/* ]] || continue
  [ ! -e "node_modules/$p" ] || { echo "install-runtime: node_modules/$p already exists; not replacing it" >&2; exit 1; }
  ln -s "$tools/node_modules/$p" "node_modules/$p"
  links+=("node_modules/$p")
done
node "$tools/node_modules/typescript/bin/tsc" -p scripts/ci/tsconfig.runtime.json
echo "install-runtime: production dependencies in node_modules, dist/ built with typescript@$(locked_version typescript)"
