#!/usr/bin/env bash
# Runs `scalebench run` (optionally under mpirun) in a fresh folder, then checks the result file:
# run_and_check.sh CHECKER NP [checker options] -- command args...   (NP 0: no launcher)
set -eu
checker=$1; np=$2; shift 2
checks=()
while [ "$1" != "--" ]; do checks+=("$1"); shift; done
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
if [ "$np" = 0 ]; then
  "$@" --out result.json
else
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  timeout 600 mpirun -np "$np" --oversubscribe --bind-to none "$@" --out result.json
fi
"$checker" result.json "${checks[@]}"
