#!/usr/bin/env bash
# Runs a command in a fresh folder and checks its exit status, that a failure message is one
# line, and that nothing was written: expect_exit.sh STATUS STDERR_REGEX -- command args...
set -u
want_status=$1; want_msg=$2; shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$@" >stdout.txt 2>stderr.txt
status=$?
cat stderr.txt
if [ "$status" != "$want_status" ]; then echo "FAIL: exit status $status, expected $want_status"; exit 1; fi
if [ "$want_status" = 2 ]; then
  lines=$(wc -l <stderr.txt)
  if [ "$lines" != 1 ]; then echo "FAIL: expected a one-line error, got $lines lines"; exit 1; fi
  if ! grep -Eq -- "$want_msg" stderr.txt; then echo "FAIL: message does not match /$want_msg/"; exit 1; fi
  left=$(find . -mindepth 1 ! -name stdout.txt ! -name stderr.txt | head -5)
  if [ -n "$left" ]; then echo "FAIL: bad input left files behind: $left"; exit 1; fi
fi
echo "ok: exit status $status"
