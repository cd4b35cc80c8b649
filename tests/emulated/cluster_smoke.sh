#!/usr/bin/env bash
# scripts/emulated_cluster.sh itself: it starts within a minute; the probed link rate is the tc
# rate less frame overhead; the nodes have their own names and addresses, no default route and
# nothing new in the host's namespace; a Slurm job spans both nodes, jobs holding the one
# `machine` license run one at a time, mpirun reaches both nodes; stop leaves no namespace,
# process or file behind; bad knobs are one-line errors, exit 2, with nothing made.
#   cluster_smoke.sh      exit 0 pass, 77 skip (reason printed), else fail
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
emu=$here/../../scripts/emulated_cluster.sh
. "$here/emulated_common.sh"
emulated_skip_unless_possible
emulated_skip_unless_slurm

work=$(mktemp -d /tmp/sb-emu-smoke.XXXXXX)
chmod 0755 "$work"  # munged (user munge) reaches the cluster folder inside
dir=$work/cluster
cleanup() { bash "$emu" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
on() { timeout 60 bash "$emu" exec "$dir" "$@"; }

host_links_before=$(ip -o link show | cut -d: -f2 | sort)
netns_before=$(ip netns list | cut -d' ' -f1 | sort)
started=$SECONDS
EMU_NODES=2 EMU_GPUS=2 EMU_RATE=200mbit timeout 120 bash "$emu" start "$dir"
echo "started in $((SECONDS - started)) s"
[ $((SECONDS - started)) -le 60 ] || fail "start took more than 60 s"
eval "$(bash "$emu" env "$dir")"

# The probe: TCP payload through tbf at 200 Mbit/s of frames is about 192 Mbit/s.
python3 - "$dir/link.json" <<'PY' || exit 1
import json, sys
link = json.load(open(sys.argv[1]))
assert link["schema"] == "scalebench.emulated-link/1", link
got, rate = link["probe"]["payload_mbit_per_s"], link["rate_mbit_per_s"]
print(f"probe: {got} Mbit/s of payload at a {rate:.0f} Mbit/s link ({got / rate:.3f})")
if not 0.90 * rate <= got <= 1.00 * rate:
    sys.exit("FAIL: the probed rate is not 90-100% of the shaped rate")
PY

# Names, addresses, routes, and the host's namespace untouched.
[ "$(on node1 hostname)" = node1 ] || fail "node1's hostname is '$(on node1 hostname)'"
[ "$(on node2 hostname)" = node2 ] || fail "node2's hostname"
addr2=$(on node1 getent hosts node2 | cut -d' ' -f1)
[[ $addr2 == 10.251.* ]] || fail "node1 resolves node2 to '$addr2'"
for n in login node1 node2; do
  [ -z "$(on "$n" ip route show default)" ] || fail "$n has a default route"
  routes=$(on "$n" ip -o route show | wc -l)
  [ "$routes" -eq 1 ] || fail "$n has $routes routes, only its /24 was expected"
done
[ "$(ip -o link show | cut -d: -f2 | sort)" = "$host_links_before" ] ||
  fail "the host's namespace has new interfaces"

# A job across both nodes; two jobs holding the license run one after the other.
on login sbatch -N 2 -L machine:1 -o "$work/span.out" --wrap 'srun hostname' >/dev/null
first=$(on login sbatch --parsable -N 1 -L machine:1 -o /dev/null --wrap 'sleep 4')
second=$(on login sbatch --parsable -N 1 -L machine:1 -o /dev/null --wrap 'true')
overlap=""
for _ in $(seq 1 60); do
  states=$(on login squeue -h -o '%i %T %r')
  grep -q "^$first RUNNING" <<<"$states" && grep -q "^$second RUNNING" <<<"$states" && overlap=yes
  [ -z "$states" ] && break
  sleep 0.5
done
[ -z "$(on login squeue -h)" ] || fail "jobs still queued after 30 s: $(on login squeue)"
[ -z "$overlap" ] || fail "two jobs holding the machine license ran at once"
[ "$(sort "$work/span.out" | tr '\n' ' ')" = "node1 node2 " ] ||
  fail "the 2-node job ran on: $(tr '\n' ' ' < "$work/span.out")"

# mpirun from the login node reaches both nodes through the script's rsh agent.
got=$(on login env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  mpirun -np 4 --hostfile "$EMU_HOSTFILE" --map-by ppr:2:node hostname | sort | tr '\n' ' ')
[ "$got" = "node1 node1 node2 node2 " ] || fail "mpirun ran on: $got"

# stop: nothing left.
bash "$emu" stop "$dir"
[ "$(ip netns list | cut -d' ' -f1 | sort)" = "$netns_before" ] || fail "namespaces left: $(ip netns list)"
[ ! -e "$dir" ] || fail "stop left $dir"
! pgrep -f "$dir" >/dev/null || fail "processes left: $(pgrep -af "$dir")"

# Bad knobs: one line, exit 2, nothing made.
for knob in EMU_RATE=fast EMU_NODES=1 EMU_GPUS=x EMU_DELAY_MS=-3; do
  set +e
  err=$(env "$knob" bash "$emu" start "$dir" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "$knob: exit $rc, not 2"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "$knob: more than one line: $err"
  [ ! -e "$dir" ] || fail "$knob: $dir was made"
  echo "$knob: $err"
done
[ "$(ip netns list | cut -d' ' -f1 | sort)" = "$netns_before" ] || fail "a refused start made namespaces"
echo "emulated cluster smoke: ok"
