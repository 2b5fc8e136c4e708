#!/usr/bin/env bash
# First step of the composite action (action.yml): the action runs on the runner's own Node, so it
# never changes the Node that the caller's later steps see (no setup-node, nothing added to
# GITHUB_PATH or GITHUB_ENV). It checks that Node is 20 or later and writes the cache key of the
# action's own node_modules (OS, Node's module ABI, the lockfile) to GITHUB_OUTPUT as cache-key.
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

lock=$(sha256sum <"$ACTION_PATH/package-lock.json" | cut -c1-16)
key="recon-proof-${RUNNER_OS:-$(uname -s)}-$(uname -m)-node-abi$(node -p process.versions.modules)-${lock}"
echo "node $(node --version); cache key ${key}"
[ -z "${GITHUB_OUTPUT:-}" ] || echo "cache-key=${key}" >>"$GITHUB_OUTPUT"
