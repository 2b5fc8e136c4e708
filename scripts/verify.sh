#!/bin/sh
# Plain-shell twin of `recon-proof verify`: checks an artifacts folder against an expect.txt with
# nothing but grep -F (and grep -Fx for whole-line criteria), so Ops can verify artifacts on a
# machine without Node.
#   usage: scripts/verify.sh ARTIFACTS_DIR EXPECT_FILE [NAME]
# Prints PASS|FAIL <name> <artifact>: <criterion> per criterion; exits 1 if any fails, 2 on usage.
set -u
dir=${1:-}; expect=${2:-}; name=${3:-$(basename "${1:-?}")}
if [ -z "$dir" ] || [ -z "$expect" ] || [ ! -d "$dir" ] || [ ! -f "$expect" ]; then
  echo "usage: $0 ARTIFACTS_DIR EXPECT_FILE [NAME]" >&2; exit 2
fi
failed=0
pass() { echo "PASS $name $1: $2"; }
fail() { echo "FAIL $name $1: $2  ($3)"; failed=$((failed + 1)); }
has() { [ -f "$dir/$1" ] && grep -qF -e "$2" "$dir/$1"; }
has_line() { [ -f "$dir/$1" ] && grep -qFx -e "$2" "$dir/$1"; }
# The artifact line holding the longest start of the text (what it held instead), as verify says it.
held() {
  [ -f "$dir/$1" ] || return 0
  n=$(printf '%s' "$2" | wc -c); lo=0; hi=$n
  while [ "$lo" -lt "$hi" ]; do
    mid=$(( (lo + hi + 1) / 2 ))
    if grep -qF -e "$(printf '%s' "$2" | cut -b "1-$mid")" "$dir/$1"; then lo=$mid; else hi=$((mid - 1)); fi
  done
  min=4; [ "$n" -ge 4 ] || min=$n
  { [ "$lo" -gt 0 ] && [ "$lo" -ge "$min" ]; } || return 0
  line=$(grep -F -m 1 -e "$(printf '%s' "$2" | cut -b "1-$lo")" "$dir/$1" | tr -s '[:blank:]' ' ' | sed 's/^ //; s/ $//' | cut -c 1-160)
  printf '; the artifact has: %s' "$line"
}
asks() { grep -v '^[[:space:]]*#' "$expect" | grep -qE "$1"; }

# exit: the replay's exit code as the artifacts tell it (kill switch -> 3, else 0).
want_exit=$(grep -E '^exit:' "$expect" | sed 's/^exit:[[:space:]]*//' | tail -n 1)
want_exit=${want_exit:-0}
got_exit=0; has_line summary.txt "kill_switch=1" && got_exit=3
if [ "$got_exit" = "$want_exit" ]; then pass exit "$want_exit"; else fail exit "$want_exit" "exit code was $got_exit"; fi

for f in trades.csv reconcile-report.json summary.txt metrics.txt; do
  [ -f "$dir/$f" ] || fail "$f" exists "file missing"
done
# Built-in criteria, as in `recon-proof proof --help`.
for token in "reconcile_summary stale=" " orphan=" " drift=" " cache_ok="; do
  if has summary.txt "$token"; then pass summary.txt "has \"$token\""; else fail summary.txt "has \"$token\"" "token missing"; fi
done
if has metrics.txt "engine_reconcile_runs_total "; then pass metrics.txt "has engine_reconcile_runs_total"
else fail metrics.txt "has engine_reconcile_runs_total" "no sample"; fi
if ! asks 'stale=[1-9]'; then
  if has summary.txt "reconcile_summary stale=0 "; then pass summary.txt "stale=0 (not expected otherwise)"; else fail summary.txt "stale=0 (not expected otherwise)" "stale is not 0"; fi
fi
if ! asks 'orphan=[1-9]'; then
  if has summary.txt " orphan=0 "; then pass summary.txt "orphan=0 (not expected otherwise)"; else fail summary.txt "orphan=0 (not expected otherwise)" "orphan is not 0"; fi
fi
if ! asks 'cache_ok=false'; then
  if has summary.txt " cache_ok=true"; then pass summary.txt "cache_ok=true (no cache read/write failure)"; else fail summary.txt "cache_ok=true (no cache read/write failure)" "cache_ok is not true"; fi
fi
if ! asks 'drift=[1-9]|drift=0\.[1-9]|drift_units=[1-9]|position_drift'; then
  if has summary.txt "position_drift"; then fail summary.txt "no position drift beyond tolerance" "kill switch reason position_drift"
  else pass summary.txt "no position drift beyond tolerance"; fi
fi

# Every expect.txt line.
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*|exit:*) continue ;; esac
  artifact=${line%%: *}; text=${line#*: }
  case "$artifact" in trades.csv|reconcile-report.json|summary.txt|metrics.txt) ;; *) echo "$expect: bad line: $line" >&2; exit 2 ;; esac
  case "$text" in
    '= '*) want=${text#= }
           if has_line "$artifact" "$want"; then pass "$artifact" "$text"; else fail "$artifact" "$text" "no such line$(held "$artifact" "$want")"; fi ;;
    '!'*)  text=${text#!}
           if has "$artifact" "$text"; then fail "$artifact" "!$text" "text present"; else pass "$artifact" "!$text"; fi ;;
    *)     if has "$artifact" "$text"; then pass "$artifact" "$text"; else fail "$artifact" "$text" "text not found$(held "$artifact" "$text")"; fi ;;
  esac
done < "$expect"
[ "$failed" -eq 0 ] || exit 1
