#!/usr/bin/env bash
# Re-records the approve oracle's answers for the cases of
# pkg/owners/testdata/oracle/cases.tsv into pkg/owners/testdata/oracle/answers/.
# The oracle runs Prow's own OWNERS loader and approve decision; build it once:
#   cd /work/shared/approve-oracle && go build -o "$HOME/.cache/approve-oracle" ./cmd/oracle
# ORACLE overrides the binary's path. make test does not need the oracle.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
oracle=${ORACLE:-$HOME/.cache/approve-oracle}
data=$root/pkg/owners/testdata
cases=$data/oracle/cases.tsv
answers=$data/oracle/answers

if [[ ! -x $oracle ]]; then
  echo "record-owners: no oracle at $oracle (see the comment at the top of this script)" >&2
  exit 1
fi
mkdir -p "$answers"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
while IFS=$'\t' read -r name repo author approved pr files; do
  [[ -z $name || $name == \#* ]] && continue
  args=(owners --repo "$data/repos/$repo" --changed-files "$tmp/changed" --pr-number "$pr")
  [[ $author != - ]] && args+=(--author "$author")
  [[ $approved != - ]] && args+=(--approved-by "$approved")
  : >"$tmp/changed"
  [[ $files != - ]] && tr ',' '\n' <<<"$files" >"$tmp/changed"
  status=0
  "$oracle" "${args[@]}" >"$answers/$name.json" 2>"$tmp/stderr" || status=$?
  if [[ $status -ne 0 && $status -ne 2 ]]; then
    echo "record-owners: $name: oracle failed ($status):" >&2
    cat "$tmp/stderr" >&2
    exit 1
  fi
  n=$((n + 1))
done <"$cases"
echo "record-owners: recorded $n answers in $answers"
