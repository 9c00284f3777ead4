#!/usr/bin/env bash
# make-steps.sh - regenerates tests/errors/steps/ (the runner cases' step folder) from
# tests/errors/fixture/schema.yaml with ./gen.  Run after an intended change to gen's
# PostgreSQL output, then re-pin the runner cases (UPDATE=1 tests/suites/25-errors.sh).
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./gen -q -m tests/errors/fixture/schema.yaml -o "$tmp" --target postgres
rm -rf tests/errors/steps
cp -r "$tmp/postgres" tests/errors/steps
