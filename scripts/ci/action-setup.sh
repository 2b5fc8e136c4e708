#!/usr/bin/env bash
# First step of the composite action (action.yml): the action runs on the runner's own Node, so it
# never changes the Node that the caller's later steps see (no setup-node, nothing added to
# GITHUB_PATH or GITHUB_ENV). It checks that Node is 20 or later and writes the cache key of the
# action's own install (node_modules and the built dist/) to GITHUB_OUTPUT as cache-key: OS,
# architecture, Node's module ABI (the native SQLite binding is built for it), and a hash of what
# the install is made from (the lockfile, the sources, the compiler settings, the install script),
# so a cached build is never older than the sources of the action it serves. When this key's install
# is already in place (a second use of the action in one job), it writes installed=true, and the
# action neither restores nor installs again.
set -euo pipefail

ACTION_PATH=${ACTION_PATH:-${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}}
NODE_MAJOR_MIN=20

fail() {
  echo "::error title=recon-proof::$1"
  [ -z "${GITHUB_OUTPUT:-}" ] || printf 'verdict=none\nexit-code=2\n' >>"$GITHUB_OUTPUT"
  exit 2
}

command -v node >/dev/null 2>&1 || fail "needs Node ${NODE_MAJOR_MIN} or later on the runner, found none: add actions/setup-node before this step"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge "$NODE_MAJOR_MIN" ] || fail "needs Node ${NODE_MAJOR_MIN} or later on the runner, found $(node --version): add actions/setup-node before this step"

# File names are hashed with the contents, in a fixed order, so a renamed source changes the key too.
sources=$(cd "$ACTION_PATH" && {
  sha256sum package-lock.json tsconfig.json scripts/ci/tsconfig.runtime.json scripts/ci/install-runtime.sh
  find src -type f -name '*.ts' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-16)
key="recon-proof-${RUNNER_OS:-$(uname -s)}-$(uname -m)-node-abi$(node -p process.versions.modules)-${sources}"
# The install step writes its key here once node_modules and dist/ are complete.
stamp="$ACTION_PATH/node_modules/.recon-proof-install-key"
installed=false
[ "$(cat "$stamp" 2>/dev/null)" != "$key" ] || installed=true
echo "node $(node --version); cache key ${key}; installed ${installed}"
[ -z "${GITHUB_OUTPUT:-}" ] || printf 'cache-key=%s\ninstalled=%s\n' "$key" "$installed" >>"$GITHUB_OUTPUT"
