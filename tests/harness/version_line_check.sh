#!/usr/bin/env bash
# `scalebench --version` against the facts CMake configured and the commit the build stamped:
# version_line_check.sh SCALEBENCH GIT_COMMIT_HEADER EXPECTED_FIRST_LINE_WITHOUT_COMMIT
# where the expected line has @COMMIT@ where the commit goes.
set -u
bin=$1; header=$2; want=$3
commit=$(sed -n 's/^#define SCALEBENCH_GIT_COMMIT "\(.*\)"$/\1/p' "$header")
[ -n "$commit" ] || { echo "FAIL: no commit in $header"; exit 1; }
out=$("$bin" --version) || { echo "FAIL: --version exited $?"; exit 1; }
echo "$out"
first=$(printf '%s\n' "$out" | head -1)
want=${want/@COMMIT@/$commit}
[ "$first" = "$want" ] || { echo "FAIL: first line is not: $want"; exit 1; }
printf '%s\n' "$out" | grep -q '^compiler: ' || { echo "FAIL: no compiler line"; exit 1; }
printf '%s\n' "$out" | grep -Eq '^libraries: fmt [0-9]' || { echo "FAIL: no libraries line"; exit 1; }
echo "ok"
