#!/usr/bin/env bash
# The example a team copies (examples/property-tests), run as that team would run it: the package is
# packed as it would be published, the example is copied away from this checkout, installs the
# tarball and its own dev dependencies (fast-check, vitest), and runs its tests. Run from the
# repository root after the build; used by .ci/run.
set -euo pipefail
repo=$PWD
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# npm pack builds (prepare) and writes recon-proof-<version>.tgz: the example depends on one fixed name.
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
mv "$scratch/$tarball" "$scratch/recon-proof.tgz"

cp -R "$repo/examples/property-tests" "$scratch/property-tests"
cd "$scratch/property-tests"
npm install --no-audit --no-fund --prefer-offline --loglevel=error
npx --no-install vitest run
