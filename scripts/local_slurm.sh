#!/usr/bin/env bash
# A single-machine Slurm cluster for scalebench's end-to-end test (tests/slurm): munged, slurmctld
# and slurmd from Debian's packages, run as root, all state under one folder, all traffic on
# loopback, one node with 8 CPUs and a GPU GRES (Gres=gpu:v100:4) backed by placeholder character
# devices, so that --gres=gpu:v100:N requests and CUDA_VISIBLE_DEVICES behave as on a real cluster.
#
#   scripts/local_slurm.sh start DIR    start the daemons, wait until the node is idle
#   scripts/local_slurm.sh stop DIR     stop them (only the processes this script started)
#   scripts/local_slurm.sh env DIR      print the export line for SLURM_CONF
#
# Needs: apt-get install slurmctld slurmd slurm-client munge (Debian 12). Every daemon runs under
# `timeout` (LOCAL_SLURM_LIFETIME seconds, default 1800), so nothing outlives a killed test.
set -euo pipefail

usage() { echo "usage: $0 start|stop|env DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")
lifetime=${LOCAL_SLURM_LIFETIME:-1800}
conf=$dir/etc/slurm.conf

# Starts "$@" in its own session under timeout; records the session (= process group) id.
start_daemon() {
  local name=$1; shift
  setsid timeout -k 10 "$lifetime" "$@" >>"$dir/log/$name.console" 2>&1 < /dev/null &
  echo $! > "$dir/run/$name.pgid"
}

stop_daemons() {
  local f pgid
  for f in "$dir"/run/*.pgid; do
    [ -e "$f" ] || continue
    pgid=$(cat "$f")
    if kill -0 -- "-$pgid" 2>/dev/null; then
      kill -TERM -- "-$pgid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p=$1
  while ! port_free "$p" || ! port_free "$((p + 1))"; do p=$((p + 2)); done
  echo "$p"
}

show_logs() {
  local f
  for f in "$dir"/log/*; do
    echo "==== $f" >&2
    tail -n 30 "$f" >&2 || true
  done
}

case $cmd in
  env)
    echo "export SLURM_CONF=$conf"
    ;;
  stop)
    stop_daemons
    echo "local Slurm in $dir stopped"
    ;;
  start)
    [ "$(id -u)" -eq 0 ] || { echo "$0: must run as root" >&2; exit 1; }
    for p in munged slurmctld slurmd sinfo; do
      command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
        { echo "$0: $p missing: apt-get install slurmctld slurmd slurm-client munge" >&2; exit 1; }
    done
    export PATH=$PATH:/usr/sbin
    stop_daemons
    mkdir -p "$dir"/{etc,state,spool,log,run,dev,munge}
    trap 'status=$?; if [ $status -ne 0 ]; then show_logs; stop_daemons; fi' EXIT

    # munge: its own key and socket in $dir/munge, owned by the munge user as munged demands.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chown -R munge:munge "$dir/munge"
    chmod 0700 "$dir/munge"
    chmod 0400 "$dir/munge/munge.key"
    socket=$dir/munge/munge.socket.2
    start_daemon munged runuser -u munge -- munged --foreground --force \
      --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
      --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
    for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.2; done
    [ -S "$socket" ] || { echo "$0: munged did not start" >&2; exit 1; }

    # Four placeholder GPUs: character devices like /dev/null (a GPU GRES without File= is dropped).
    for i in 0 1 2 3; do
      [ -e "$dir/dev/gpu$i" ] || mknod "$dir/dev/gpu$i" c 1 3
    done

    port=$(pick_port "${LOCAL_SLURM_PORT:-6817}")
    cat > "$conf" <<CONF
# Written by scripts/local_slurm.sh: a one-node test cluster on loopback.
ClusterName=scalebench
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=3600
KillWait=5
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 RealMemory=8000 Gres=gpu:v100:4 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=60 State=UP
CONF
    cat > "$dir/etc/gres.conf" <<CONF
AutoDetect=off
Name=gpu Type=v100 File=$dir/dev/gpu[0-3]
CONF
    start_daemon slurmctld slurmctld -D -c -f "$conf"
    start_daemon slurmd slurmd -D -N localhost -f "$conf"

    export SLURM_CONF=$conf
    state=""
    for _ in $(seq 1 120); do
      state=$(sinfo -h -N -n localhost -o %T 2>/dev/null || true)
      [ "$state" = idle ] && break
      sleep 0.5
    done
    if [ "$state" != idle ]; then
      echo "$0: the node is '${state:-unreachable}', not idle, after 60 s" >&2
      exit 1
    fi
    echo "local Slurm up in $dir (port $port): export SLURM_CONF=$conf"
    ;;
  *) usage ;;
esac
