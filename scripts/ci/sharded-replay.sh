#!/usr/bin/env bash
# A sharded replay, step by step, as the reusable workflow .github/workflows/sharded-replay.yml runs it:
#   sharded-replay.sh shard K N   replay shard K of N into shards/K
#   sharded-replay.sh merge N     merge shards-downloaded/shard-*/ (or shards/*) into artifacts/merged,
#                                 and with COMPARE_UNSHARDED=true replay unsharded and diff the bytes
#   sharded-replay.sh local N     all of it on this machine (used by .ci/run)
# Input: JOURNAL and BROKER (and CONFIG), or else a scenario generated from a fixed seed with
# GEN_EVENTS events (default 20000), so every job of a run replays the same bytes.
# RECON_PROOF_DIR: the recon-proof checkout whose dist/ runs (default: the current folder).
# The merge's verdict goes to the job summary (GITHUB_STEP_SUMMARY; outside Actions, stdout) and its
# exit code to the step's outputs (GITHUB_OUTPUT, exit-code).
set -euo pipefail

cli=(node "${RECON_PROOF_DIR:-.}/dist/cli/main.js")

inputs() {
  if [ -n "${JOURNAL:-}" ]; then
    args=(--journal "$JOURNAL" --broker "$BROKER")
    if [ -n "${CONFIG:-}" ]; then args+=(--config "$CONFIG"); fi
    return
  fi
  if [ ! -f input-gen/journal.jsonl ]; then
    "${cli[@]}" gen --seed 20251020 --events "${GEN_EVENTS:-20000}" \
      --faults disconnect,duplicate-delivery,drop-ack,crash-restart --out input-gen >&2
  fi
  args=(--journal input-gen/journal.jsonl --broker input-gen/broker.jsonl --config input-gen/config.json)
}

shard() {
  inputs
  "${cli[@]}" replay "${args[@]}" --shard "$1/$2" --out "shards/$1"
}

# The job summary: the shard count, merge's exit code and the merged summary.txt.
summary() {
  local kill=""
  if [ "$2" -eq 3 ]; then kill=", kill switch engaged"; fi
  summary_text() {
    echo "## Sharded replay: $1 shards merged (exit $2$kill)"
    echo
    echo '```'
    cat artifacts/merged/summary.txt
    echo '```'
  }
  # Outside Actions, stdout itself (not /dev/stdout, which a socket cannot be opened as).
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then summary_text "$1" "$2" >> "$GITHUB_STEP_SUMMARY"; else summary_text "$1" "$2"; fi
}

merge() {
  local n=$1 dirs=()
  for k in $(seq 1 "$n"); do
    if [ -d "shards-downloaded/shard-$k" ]; then dirs+=("shards-downloaded/shard-$k"); else dirs+=("shards/$k"); fi
  done
  set +e
  "${cli[@]}" merge --out artifacts/merged "${dirs[@]}"
  local code=$?
  set -e
  # 0 healthy, 3 kill switch engaged: both are results. 2 is a refusal (not exact), 65/74 errors.
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-code=$code" >> "$GITHUB_OUTPUT"; fi
  if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then echo "merge failed with exit $code" >&2; exit "$code"; fi
  summary "$n" "$code"
  if [ "${COMPARE_UNSHARDED:-true}" = "true" ]; then
    inputs
    set +e
    "${cli[@]}" replay "${args[@]}" --out artifacts/unsharded
    local whole=$?
    set -e
    if [ "$whole" -ne "$code" ]; then echo "exit codes differ: merged $code, unsharded $whole" >&2; exit 1; fi
    diff -r artifacts/unsharded artifacts/merged
    echo "sharded ($n shards) + merge: artifacts identical to the unsharded replay (exit $code)"
  fi
}

case "${1:-}" in
  shard) shard "$2" "$3" ;;
  merge) merge "$2" ;;
  local)
    rm -rf shards artifacts/merged artifacts/unsharded
    for k in $(seq 1 "$2"); do shard "$k" "$2"; done
    merge "$2"
    ;;
  *) echo "usage: $0 shard K N | merge N | local N" >&2; exit 2 ;;
esac
