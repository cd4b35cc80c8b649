#!/usr/bin/env bash
# special_output.sh SCALEBENCH KIND: `run --out X --force` where X is a character device (as
# root: a copy of /dev/null made with mknod), a FIFO, a socket, a folder or a symbolic link must
# exit 2 with a one-line message, leave X exactly what it was and write nothing.
set -u
sb=$1; kind=$2
dir=$(mktemp -d)
sock_pid=""
cleanup() {
  [ -n "$sock_pid" ] && kill "$sock_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
x=$dir/out/r.json
mkdir -p "$dir/out" "$dir/elsewhere"
case $kind in
  device) mknod "$x" c 1 3 || { echo "FAIL: mknod needs root"; exit 1; } ;;
  fifo) mkfifo "$x" ;;
  socket)
    python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); time.sleep(60)' "$x" &
    sock_pid=$!
    for _ in $(seq 50); do [ -S "$x" ] && break; sleep 0.1; done
    ;;
  folder) mkdir "$x" ;;
  symlink) echo keep >"$dir/elsewhere/target.json"; ln -s "$dir/elsewhere/target.json" "$x" ;;
  *) echo "unknown kind $kind"; exit 2 ;;
esac
before=$(stat -c '%F %t:%T' "$x")
cd "$dir"
timeout 60 "$sb" run --workload mnist_cnn --backend cpu --steps 1 --warmup 0 --batch 1 --out "$x" --force \
  >stdout.txt 2>stderr.txt
status=$?
cat stderr.txt
after=$(stat -c '%F %t:%T' "$x")
[ "$status" = 2 ] || { echo "FAIL: exit status $status, expected 2"; exit 1; }
[ "$(wc -l <stderr.txt)" = 1 ] || { echo "FAIL: not a one-line message"; exit 1; }
grep -q "regular file" stderr.txt || { echo "FAIL: the message does not say a regular file is needed"; exit 1; }
[ "$before" = "$after" ] || { echo "FAIL: '$before' became '$after'"; exit 1; }
if [ "$kind" = symlink ]; then
  [ "$(cat "$dir/elsewhere/target.json")" = keep ] || { echo "FAIL: the link's target was changed"; exit 1; }
fi
left=$(find "$dir/out" "$dir/elsewhere" -mindepth 1 ! -path "$x" ! -name target.json)
[ -z "$left" ] || { echo "FAIL: files left: $left"; exit 1; }
echo "ok: $kind refused and untouched ($after)"
