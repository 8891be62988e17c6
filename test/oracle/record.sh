#!/usr/bin/env bash
# Re-records each oracle case's expected.json with Prow's own answer.
# usage: test/oracle/record.sh [ORACLE]   (default: $HOME/.cache/prow-oracle)
# Build the oracle first; see test/oracle/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
oracle="${1:-$HOME/.cache/prow-oracle}"
if [[ ! -x "$oracle" ]]; then
	echo "record.sh: no oracle at $oracle (see test/oracle/README.md)" >&2
	exit 2
fi
n=0
for dir in "$here"/cases/*/; do
	name="$(basename "$dir")"
	config="$(jq -r .config "$dir/case.json")"
	event="$(jq -r .event "$dir/case.json")"
	if ! "$oracle" --config "$here/configs/$config" --provider github --event "$event" \
		--payload "$dir/payload.json" --changed-files "$dir/changed-files.txt" >"$dir/expected.json.tmp"; then
		echo "record.sh: the oracle failed on $name" >&2
		rm -f "$dir/expected.json.tmp"
		exit 1
	fi
	mv "$dir/expected.json.tmp" "$dir/expected.json"
	n=$((n + 1))
done
echo "record.sh: recorded $n cases" >&2
