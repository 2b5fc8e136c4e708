#!/usr/bin/env bash
# The body of the composite action (action.yml): one scenario from the caller's files, replayed,
# summarised, and its exit code passed on. action.yml runs it as
#   bash "$GITHUB_ACTION_PATH/scripts/ci/run-action.sh"
# from the caller's workspace, with the inputs in INPUT_JOURNAL, INPUT_BROKER, INPUT_CONFIG and
# INPUT_EXPECT (both may be empty), INPUT_NAME and INPUT_ARTIFACT_NAME (may be empty), and the job's
# matrix index in JOB_INDEX. Input paths are relative to the working directory.
# With an expect.txt it runs `recon-proof proof` (exit 0 passed, 1 a criterion failed). Without one
# it runs `recon-proof replay` (exit 0 healthy, 3 kill switch engaged) and writes a suggested
# expect.txt (`recon-proof expect`) beside the artifacts, to start a proof from.
# Writes step outputs verdict, exit-code, artifacts (the folder to upload), artifact-name (the name
# to upload it under, which the job summary links) and suggested-expect (its path, or empty) to
# GITHUB_OUTPUT.
set -euo pipefail

ACTION_PATH=${ACTION_PATH:-${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}}
name=${INPUT_NAME:-scenario}
journal=${INPUT_JOURNAL:-}
broker=${INPUT_BROKER:-}
config=${INPUT_CONFIG:-}
expect=${INPUT_EXPECT:-}
artifact_name=${INPUT_ARTIFACT_NAME:-}

usage_error() {
  # An annotation, then exit 2 (usage or config error) like the CLI. The message is escaped as the
  # workflow-command format wants, so an odd input cannot start a command of its own.
  local msg=${1//%/%25}
  msg=${msg//$'\r'/%0D}
  msg=${msg//$'\n'/%0A}
  echo "::error title=recon-proof::${msg}"
  [ -z "${GITHUB_OUTPUT:-}" ] || printf 'verdict=none\nexit-code=2\n' >>"$GITHUB_OUTPUT"
  exit 2
}

# The name becomes a folder and an artifact name: keep it to characters that are safe in both.
[[ $name =~ ^[A-Za-z0-9_-][A-Za-z0-9._-]*$ ]] || usage_error "input 'name' must use only letters, digits, '.', '_' and '-' (not first), got '${name}'"
[ -z "$artifact_name" ] || [[ $artifact_name =~ ^[A-Za-z0-9_-][A-Za-z0-9._-]*$ ]] || usage_error "input 'artifact-name' must use only letters, digits, '.', '_' and '-' (not first), got '${artifact_name}'"
for input in journal broker; do
  path=${!input}
  [ -n "$path" ] || usage_error "input '${input}' is required"
  [ -f "$path" ] || usage_error "input '${input}': no such file: ${path}"
done
for input in config expect; do
  path=${!input}
  [ -z "$path" ] || [ -f "$path" ] || usage_error "input '${input}': no such file: ${path}"
done

# A fresh folder per run, so a second use of the action in the same job cannot mix files.
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$temp/recon-proof.XXXXXX")

# Artifact names must be unique in a workflow run: by default the name, the job, its matrix index,
# and for a second use in the same job a -2 (RUNNER_TEMP belongs to one job, so it counts the uses).
uses_file="$temp/recon-proof-uses"
use=$(( $(cat "$uses_file" 2>/dev/null || echo 0) + 1 ))
echo "$use" >"$uses_file"
if [ -z "$artifact_name" ]; then
  artifact_name="recon-proof-${name}-${GITHUB_JOB:-job}-${JOB_INDEX:-0}"
  [ "$use" -eq 1 ] || artifact_name="${artifact_name}-${use}"
  artifact_name=${artifact_name//[^A-Za-z0-9._-]/_}
fi
scenario="$work/scenarios/$name"
artifacts="$work/artifacts"
mkdir -p "$scenario" "$artifacts"
cp "$journal" "$scenario/journal.jsonl"
cp "$broker" "$scenario/broker.jsonl"
[ -z "$expect" ] || cp "$expect" "$scenario/expect.txt"
[ -z "$config" ] || cp "$config" "$scenario/config.json"
[ -z "${GITHUB_OUTPUT:-}" ] || printf 'artifacts=%s\nartifact-name=%s\n' "$artifacts/$name" "$artifact_name" >>"$GITHUB_OUTPUT"

cli=(node "$ACTION_PATH/dist/cli/main.js")
# The command's output goes to the log as usual and to a file for the summary.
results="$work/output.txt"
set +e
if [ -n "$expect" ]; then
  "${cli[@]}" proof --artifacts "$artifacts" "$scenario" 2>&1 | tee "$results"
else
  replay=(replay --journal "$scenario/journal.jsonl" --broker "$scenario/broker.jsonl" --out "$artifacts/$name")
  [ -z "$config" ] || replay+=(--config "$scenario/config.json")
  "${cli[@]}" "${replay[@]}" 2>&1 | tee "$results"
fi
code=${PIPESTATUS[0]}
set -e

# The page Ops open first (with the evidence lines read from the inputs); written beside the four
# artifacts before they are uploaded.
if [ -f "$artifacts/$name/reconcile-report.json" ]; then
  "${cli[@]}" report "$artifacts/$name" --inputs "$scenario" || true
fi

summary=(node "$ACTION_PATH/scripts/ci/proof-summary.mjs" --name "$name" --artifacts "$artifacts/$name"
  --results "$results" --exit-code "$code" --artifact-name "$artifact_name")
if [ -n "$expect" ]; then
  # Annotations point at the caller's expect.txt (as given), not at our copy of it.
  "${summary[@]}" --expect "$expect"
  [ -z "${GITHUB_OUTPUT:-}" ] || echo "suggested-expect=" >>"$GITHUB_OUTPUT"
  exit "$code"
fi

# No expect.txt: suggest one from the artifacts, uploaded with them, so a proof is one commit away.
suggested=""
if [ -f "$artifacts/$name/summary.txt" ]; then
  suggested="$artifacts/$name/expect.txt"
  "${cli[@]}" expect "$artifacts/$name" --out "$suggested" ||
    { echo "::warning title=recon-proof::no expect.txt could be suggested (see the message above)"; suggested=""; }
fi
[ -z "${GITHUB_OUTPUT:-}" ] || echo "suggested-expect=${suggested}" >>"$GITHUB_OUTPUT"
"${summary[@]}" --replay-only ${suggested:+--suggested-expect "$suggested"}
exit "$code"
