# shellcheck shell=bash
# Sourced by the emulated-cluster tests: skip (exit 77, the reason printed) where the cluster
# cannot be built — not root, no network namespaces, or a package missing.
emulated_skip_unless_possible() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces, slurmd)"; exit 77; fi
  local p
  for p in ip tc nsenter unshare mpirun python3; do
    command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || { echo "SKIP: $p is missing"; exit 77; }
  done
  local probe=sbprobe$$
  if ! ip netns add "$probe" 2>/dev/null; then
    echo "SKIP: network namespaces are not allowed here (ip netns add failed)"; exit 77
  fi
  ip netns del "$probe"
}

# Slurm too (the pipeline and node-loss tests).
emulated_skip_unless_slurm() {
  local p
  for p in slurmctld slurmd munged sbatch squeue; do
    command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
      { echo "SKIP: $p is missing: apt-get install slurmctld slurmd slurm-client munge"; exit 77; }
  done
  ls /usr/lib/*/pmix2/lib/libpmix.so >/dev/null 2>&1 ||
    { echo "SKIP: libpmix.so is missing: apt-get install libpmix-dev"; exit 77; }
}

# The work folder of a test, and its cluster: `emulated_workdir NAME` makes $work (mode 0755:
# munged, user munge, reaches the cluster folder inside) and, on exit, stops the cluster in
# $work/cluster (if any) and removes $work. Needs $emu (scripts/emulated_cluster.sh).
emulated_workdir() {
  work=$(mktemp -d "/tmp/sb-emu-$1.XXXXXX")
  chmod 0755 "$work"
  trap emulated_cleanup EXIT
}
emulated_cleanup() {
  if [ -d "$work/cluster" ]; then bash "$emu" stop "$work/cluster" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
# `emulated_start [KNOB=VALUE...]`: starts the cluster in $work/cluster with those knobs (EMU_NODES,
# EMU_GPUS, EMU_RATE, ...; three minutes at most) and loads its environment (EMU_HOSTFILE, ...).
emulated_start() {
  env "$@" timeout 180 bash "$emu" start "$work/cluster"
  eval "$(bash "$emu" env "$work/cluster")"
}
emulated_stop() { bash "$emu" stop "$work/cluster"; }
