#!/usr/bin/env bash
# A small multi-node cluster on one machine (docs/emulated-cluster.md): every node is a network
# namespace with its own hostname, joined to the others through a bridge by veth links that tc
# shapes to an inter-node rate; a login namespace runs slurmctld and mpirun, each node a slurmd
# with placeholder GPU GRES; munged serves them all. Only the network is emulated: the nodes share
# this machine's cores, so every job takes the one `machine` license and jobs run one at a time.
#
#   scripts/emulated_cluster.sh start DIR            build the cluster, wait until every node is idle
#   scripts/emulated_cluster.sh stop DIR             end what start recorded, remove what it made
#   scripts/emulated_cluster.sh env DIR              print the export lines (SLURM_CONF, Open MPI)
#   scripts/emulated_cluster.sh exec DIR NODE CMD... run CMD on NODE (login, node1 ... nodeN)
#   scripts/emulated_cluster.sh rsh DIR HOST CMD...  Open MPI's rsh agent: like ssh HOST CMD
#
# Knobs (start): EMU_NODES (2), EMU_GPUS per node (2), EMU_CPUS per node (2 x EMU_GPUS),
# EMU_MEM_MB per node (8192), EMU_RATE inter-node rate per direction, a tc rate such as 200mbit
# (default) or 1gbit, EMU_DELAY_MS one-way delay (0; needs the kernel's sch_netem),
# EMU_LIFETIME seconds every daemon may live (1800).
# Addresses: one private /24 (10.251.X.0/24, X from DIR) inside namespaces this script creates;
# there is no default route and nothing is attached to the host's interfaces.
# Needs root, iproute2, util-linux (nsenter, unshare), python3 (the link probe) and Debian's
# slurmctld slurmd slurm-client munge libpmix-dev.
set -euo pipefail

self=$(realpath "$0")
die() { echo "emulated_cluster.sh: $*" >&2; exit 2; }
usage() { die "usage: $0 start|stop|env DIR | exec DIR NODE CMD... | rsh DIR HOST CMD..."; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")
shift 2
# DIR goes into slurm.conf and into Open MPI's agent line, which is split at spaces.
[[ $dir =~ ^[A-Za-z0-9._/+-]+$ ]] || die "DIR '$dir' may hold only letters, digits and . _ / + -"
conf=$dir/etc/slurm.conf
nodes_file=$dir/run/nodes   # "name namespace address" per line, written by start

# ---- Being on a node: its network namespace, its own hostname and /etc/hosts, in a private
# mount namespace (never `ip netns exec`: it remounts /sys, hides the cgroup tree and slurmd
# then refuses to start).
lookup() {  # NAME -> "namespace address" (exit 2 when NAME is not a node of this cluster)
  [ -s "$nodes_file" ] || die "no emulated cluster in $dir (start it first)"
  local name ns addr
  while read -r name ns addr; do
    [ "$name" = "$1" ] && { echo "$ns $addr"; return 0; }
  done < "$nodes_file"
  die "'$1' is not a node of the cluster in $dir: $(cut -d' ' -f1 "$nodes_file" | tr '\n' ' ')"
}

on_node() {  # NAME CMD...
  local name=$1 where; shift
  where=$(lookup "$name")
  # shellcheck disable=SC2016  # $1.. are the inner shell's
  exec nsenter --net="/run/netns/${where%% *}" unshare --uts --mount --propagation private \
    sh -c 'mount --bind "$1" /etc/hosts && hostname "$2" && shift 2 && exec "$@"' \
    on_node "$dir/etc/hosts" "$name" "$@"
}

# ---- Daemons: each in its own session under timeout, its process group id recorded.
start_daemon() {  # NAME CMD...
  local name=$1; shift
  setsid timeout -k 10 "$lifetime" "$@" >>"$dir/log/$name.console" 2>&1 < /dev/null &
  echo $! > "$dir/run/$name.pgid"
}

stop_group() {  # PGID: TERM, wait at most 10 s, KILL
  local pgid=$1
  kill -0 -- "-$pgid" 2>/dev/null || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

stop_all() {
  local f ns pid
  for f in "$dir"/run/*.pgid; do
    [ -e "$f" ] || continue
    stop_group "$(cat "$f")"
    rm -f "$f"
  done
  # What is left inside the namespaces this script made (a job's step daemon, an orted) goes
  # with them; then the namespaces, and with them every veth and the bridge.
  if [ -f "$dir/run/netns" ]; then
    while read -r ns; do
      [ -e "/run/netns/$ns" ] || continue
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      for _ in $(seq 1 25); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.2; done
      ip netns del "$ns" 2>/dev/null || true
    done < "$dir/run/netns"
  fi
  rm -rf "${dir:?}"/{etc,state,spool,tmp,log,run,dev,munge} "${dir:?}"/{link.json,cluster.json,hostfile}
  rmdir "$dir" 2>/dev/null || true
}

show_logs() {
  local f
  for f in "$dir"/log/*; do
    [ -e "$f" ] || continue
    echo "==== $f" >&2
    tail -n 30 "$f" >&2 || true
  done
}

# ---- The link probe: node2 receives what node1 sends over TCP; the rate is the payload's.
probe_py='
import json, socket, sys, time
role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = 16 << 20
if role == "recv":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1); s.settimeout(30)
    c, _ = s.accept(); c.settimeout(30)
    got, first = 0, None
    while True:
        b = c.recv(1 << 20)
        if not b: break
        if first is None: first = time.monotonic()
        got += len(b)
    seconds = time.monotonic() - first
    print(json.dumps({"bytes": got, "seconds": round(seconds, 4),
                      "payload_mbit_per_s": round(got * 8 / seconds / 1e6, 1)}))
else:
    for _ in range(100):
        try:
            c = socket.create_connection((addr, port), timeout=30); break
        except OSError: time.sleep(0.1)
    else: sys.exit("probe: node2 did not listen")
    c.sendall(b"\0" * size); c.close()
'

case $cmd in
  env)
    [ $# -eq 0 ] || usage
    [ -s "$nodes_file" ] || die "no emulated cluster in $dir (start it first)"
    subnet=$(cat "$dir/run/subnet")
    printf 'export SLURM_CONF=%q\n' "$conf"
    printf 'export EMU_HOSTFILE=%q\n' "$dir/hostfile"
    # mpirun runs on the login node; it reaches the others through this script, as through ssh.
    printf 'export OMPI_MCA_plm_rsh_agent=%q\n' "$self rsh $dir"
    printf 'export OMPI_MCA_plm_rsh_no_tree_spawn=1\n'
    printf 'export OMPI_MCA_btl=tcp,self,vader\n'
    printf 'export OMPI_MCA_btl_tcp_if_include=%q\n' "$subnet"
    printf 'export OMPI_MCA_oob_tcp_if_include=%q\n' "$subnet"
    printf 'export OMPI_MCA_btl_vader_single_copy_mechanism=none\n'
    # Otherwise every node's first rank is pinned to core 0 of the one real machine.
    printf 'export OMPI_MCA_hwloc_base_binding_policy=none\n'
    ;;
  exec)
    [ $# -ge 2 ] || usage
    on_node "$@"
    ;;
  rsh)
    # Open MPI calls AGENT [options] HOST WORDS...; like ssh, the words are one shell command.
    while [ $# -gt 0 ] && [[ $1 == -* ]]; do shift; done
    [ $# -ge 2 ] || usage
    host=$1; shift
    on_node "$host" sh -c "$*"
    ;;
  stop)
    [ $# -eq 0 ] || usage
    [ "$(id -u)" -eq 0 ] || die "must run as root"
    stop_all
    echo "emulated cluster in $dir stopped and removed"
    ;;
  start)
    [ $# -eq 0 ] || usage
    [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, slurmd)"
    export PATH=$PATH:/usr/sbin
    for p in ip tc nsenter unshare python3 munged slurmctld slurmd sinfo; do
      command -v "$p" >/dev/null ||
        die "$p is missing: apt-get install iproute2 util-linux python3 slurmctld slurmd slurm-client munge"
    done
    nodes=${EMU_NODES:-2} gpus=${EMU_GPUS:-2} rate=${EMU_RATE:-200mbit} delay=${EMU_DELAY_MS:-0}
    lifetime=${EMU_LIFETIME:-1800} mem=${EMU_MEM_MB:-8192}
    [[ $nodes =~ ^[0-9]+$ ]] && [ "$nodes" -ge 2 ] && [ "$nodes" -le 16 ] ||
      die "EMU_NODES '$nodes': a whole number from 2 to 16 (one node: scripts/local_slurm.sh)"
    [[ $gpus =~ ^[0-9]+$ ]] && [ "$gpus" -le 16 ] || die "EMU_GPUS '$gpus': a whole number from 0 to 16"
    cpus=${EMU_CPUS:-$((gpus > 0 ? 2 * gpus : 2))}
    [[ $cpus =~ ^[0-9]+$ ]] && [ "$cpus" -ge 1 ] && [ "$cpus" -le 256 ] ||
      die "EMU_CPUS '$cpus': a whole number from 1 to 256"
    [[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 256 ] || die "EMU_MEM_MB '$mem': a whole number, at least 256"
    [[ $rate =~ ^([0-9]+)(kbit|mbit|gbit)$ ]] ||
      die "EMU_RATE '$rate': a tc rate such as 200mbit, 1gbit or 500kbit"
    case ${BASH_REMATCH[2]} in
      kbit) rate_mbit=$(python3 -c "print(${BASH_REMATCH[1]} / 1000)") ;;
      mbit) rate_mbit=${BASH_REMATCH[1]} ;;
      gbit) rate_mbit=$((BASH_REMATCH[1] * 1000)) ;;
    esac
    [[ $delay =~ ^[0-9]+$ ]] && [ "$delay" -le 1000 ] ||
      die "EMU_DELAY_MS '$delay': whole milliseconds from 0 to 1000"
    [[ $lifetime =~ ^[0-9]+$ ]] && [ "$lifetime" -ge 60 ] || die "EMU_LIFETIME '$lifetime': seconds, at least 60"

    # One private /24 and one namespace prefix per DIR (tests in parallel folders do not meet).
    hash=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
    octet=$((hash % 250 + 1))
    prefix=sbemu$(printf '%04x' $((hash % 65536)))
    subnet=10.251.$octet.0/24
    stop_all
    # Namespaces an earlier, killed start for this DIR left behind (its record went with DIR).
    for ns in $(ip netns list | cut -d' ' -f1 | grep -E "^$prefix-" || true); do
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    done
    mkdir -p "$dir"/{etc,state,log,run,dev,munge}
    chmod 0755 "$dir"
    runuser -u munge -- test -x "$dir" ||
      die "the munge user cannot reach $dir: make its parent folders searchable (chmod o+x)"
    trap 'status=$?; if [ $status -ne 0 ]; then show_logs; stop_all; fi' EXIT

    netem=false
    if [ "$delay" -gt 0 ]; then
      # Probed in a namespace of our own, so the host's qdiscs are never touched.
      echo "$prefix-probe" >> "$dir/run/netns"
      ip netns add "$prefix-probe"
      if ip -n "$prefix-probe" link add d0 type dummy 2>/dev/null &&
         tc -n "$prefix-probe" qdisc add dev d0 root netem delay 1ms 2>/dev/null; then
        netem=true
      fi
      ip netns del "$prefix-probe"
      $netem || die "EMU_DELAY_MS=$delay needs the kernel's sch_netem, which this kernel lacks: use 0"
    fi

    # ---- Namespaces and links: a bridge in the switch namespace, a veth per node whose both
    # ends are created inside namespaces (nothing appears in the host's namespace).
    sw=$prefix-sw
    echo "$sw" >> "$dir/run/netns"
    ip netns add "$sw"
    ip -n "$sw" link set lo up
    ip -n "$sw" link add br0 type bridge
    ip -n "$sw" link set br0 up
    : > "$dir/run/nodes.tmp"
    names=(login)
    for k in $(seq 1 "$nodes"); do names+=("node$k"); done
    shape() {  # NAMESPACE DEVICE
      if $netem; then
        tc -n "$1" qdisc replace dev "$2" root handle 1: netem delay "${delay}ms"
        tc -n "$1" qdisc add dev "$2" parent 1:1 handle 10: tbf rate "$rate" burst 128k latency 100ms
      else
        # The burst holds a 64 KiB GSO segment; tbf counts whole frames.
        tc -n "$1" qdisc replace dev "$2" root tbf rate "$rate" burst 128k latency 100ms
      fi
    }
    for name in "${names[@]}"; do
      ns=$prefix-$name
      if [ "$name" = login ]; then addr=10.251.$octet.2; else addr=10.251.$octet.$((10 + ${name#node})); fi
      echo "$ns" >> "$dir/run/netns"
      ip netns add "$ns"
      ip -n "$sw" link add "p-$name" type veth peer name eth0 netns "$ns"
      ip -n "$sw" link set "p-$name" master br0 up
      ip -n "$ns" link set lo up
      ip -n "$ns" addr add "$addr/24" dev eth0
      ip -n "$ns" link set eth0 up
      # Node links are shaped in both directions (a full-duplex NIC); the login link is not.
      if [ "$name" != login ]; then shape "$ns" eth0; shape "$sw" "p-$name"; fi
      echo "$name $ns $addr" >> "$dir/run/nodes.tmp"
    done
    mv "$dir/run/nodes.tmp" "$nodes_file"
    echo "$subnet" > "$dir/run/subnet"
    {
      echo "127.0.0.1 localhost"
      while read -r name ns addr; do echo "$addr $name"; done < "$nodes_file"
    } > "$dir/etc/hosts"
    : > "$dir/hostfile"
    for k in $(seq 1 "$nodes"); do echo "node$k slots=$((gpus > 0 ? gpus : 1))" >> "$dir/hostfile"; done

    # ---- munge, in the host namespace: its socket is a file every namespace sees.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chown -R munge:munge "$dir/munge"
    chmod 0700 "$dir/munge"
    chmod 0400 "$dir/munge/munge.key"
    socket=$dir/munge/munge.socket.2
    start_daemon munged runuser -u munge -- munged --foreground --force \
      --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
      --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
    for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.2; done
    [ -S "$socket" ] || { echo "emulated_cluster.sh: munged did not start" >&2; exit 1; }

    # ---- Slurm: slurmctld on login, one slurmd per node; per-node spool, pid, log and TmpFS
    # (a shared TmpFS or spool breaks PMIx between the nodes).
    gres_line="" gres_conf="AutoDetect=off"
    for k in $(seq 1 "$nodes"); do
      mkdir -p "$dir/spool/node$k" "$dir/tmp/node$k"
      if [ "$gpus" -gt 0 ]; then
        for i in $(seq 0 $((gpus - 1))); do
          [ -e "$dir/dev/node$k-gpu$i" ] || mknod "$dir/dev/node$k-gpu$i" c 1 3
        done
        gres_conf+=$'\n'"NodeName=node$k Name=gpu Type=emu File=$dir/dev/node$k-gpu[0-$((gpus - 1))]"
      fi
    done
    [ "$gpus" -gt 0 ] && gres_line="Gres=gpu:emu:$gpus"
    login_addr=$(lookup login | cut -d' ' -f2)
    {
      cat <<CONF
# Written by scripts/emulated_cluster.sh: $nodes emulated nodes on $subnet, $rate between them.
ClusterName=scalebench-emu
SlurmctldHost=login($login_addr)
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
TmpFS=$dir/tmp/%n
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
JobRequeue=0
# The nodes share one machine's cores: every job takes the one license (-L machine:1).
Licenses=machine:1
CONF
      for k in $(seq 1 "$nodes"); do
        echo "NodeName=node$k NodeAddr=$(lookup "node$k" | cut -d' ' -f2) CPUs=$cpus RealMemory=$mem $gres_line State=UNKNOWN"
      done
      echo "PartitionName=emu Nodes=node[1-$nodes] Default=YES MaxTime=60 State=UP"
    } > "$conf"
    echo "$gres_conf" > "$dir/etc/gres.conf"
    start_daemon slurmctld "$self" exec "$dir" login slurmctld -D -c -f "$conf"
    for k in $(seq 1 "$nodes"); do
      start_daemon "slurmd-node$k" "$self" exec "$dir" "node$k" slurmd -D -N "node$k" -f "$conf"
    done

    # ---- The shaped rate, measured while Slurm comes up.
    addr2=$(lookup node2 | cut -d' ' -f2)
    probe_out=$dir/run/probe.json
    timeout 60 "$self" exec "$dir" node2 python3 -c "$probe_py" recv "$addr2" 5201 > "$probe_out" &
    receiver=$!
    timeout 60 "$self" exec "$dir" node1 python3 -c "$probe_py" send "$addr2" 5201
    wait "$receiver" || { echo "emulated_cluster.sh: the link probe failed" >&2; exit 1; }

    export SLURM_CONF=$conf
    idle=0
    for _ in $(seq 1 120); do
      idle=$("$self" exec "$dir" login sinfo -h -N -o '%N %T' 2>/dev/null | grep -c ' idle$' || true)
      [ "$idle" -eq "$nodes" ] && break
      sleep 0.5
    done
    if [ "$idle" -ne "$nodes" ]; then
      echo "emulated_cluster.sh: $idle of $nodes nodes idle after 60 s" >&2
      "$self" exec "$dir" login sinfo -N >&2 || true
      exit 1
    fi

    python3 - "$dir" "$nodes" "$gpus" "$subnet" "$rate" "$rate_mbit" "$delay" "$netem" "$probe_out" <<'PY'
import json, sys
d, nodes, gpus, subnet, rate, rate_mbit, delay, netem, probe = sys.argv[1:]
names = {}
addresses = {}
for line in open(f"{d}/run/nodes"):
    name, ns, addr = line.split()
    names[name] = ns
    addresses[name] = addr
link = {"schema": "scalebench.emulated-link/1", "nodes": int(nodes), "gpus_per_node": int(gpus),
        "subnet": subnet, "rate": rate, "rate_mbit_per_s": float(rate_mbit),
        "delay_ms": int(delay), "netem": netem == "true", "probe": json.load(open(probe))}
json.dump(link, open(f"{d}/link.json", "w"), indent=2)
cluster = {"schema": "scalebench.emulated-cluster/1", "dir": d, "subnet": subnet,
           "namespaces": names, "addresses": addresses, "slurm_conf": f"{d}/etc/slurm.conf",
           "hostfile": f"{d}/hostfile", "link": link}
json.dump(cluster, open(f"{d}/cluster.json", "w"), indent=2)
PY
    echo "emulated cluster up in $dir: $nodes nodes x $gpus GPUs on $subnet, $rate per direction" \
      "(probed $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probe"]["payload_mbit_per_s"])' "$dir/link.json") Mbit/s of TCP payload)"
    echo "  eval \"\$($self env $dir)\"; $self exec $dir login sinfo"
    ;;
  *) usage ;;
esac
