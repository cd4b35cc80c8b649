#!/usr/bin/env bash
# cmake --install into a prefix, move the prefix elsewhere, and use the moved tree as a user would:
# profiles and presets are found from the binary's own location (not from the checkout), the man
# page renders and names every option of every subcommand, and the bash completion completes.
#   install_test.sh CMAKE BUILD_DIR SOURCE_DIR
set -u
cmake=$1 build=$2 source=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}

"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
mkdir -p "$tmp/elsewhere/deeper" "$tmp/home" "$tmp/cwd"
mv "$tmp/prefix" "$tmp/elsewhere/deeper/sb" || { echo "FAIL: cannot move the prefix"; exit 1; }
prefix=$tmp/elsewhere/deeper/sb
sb=$prefix/bin/scalebench
cd "$tmp/cwd" || exit 1

# As a new user of the moved tree: an empty home, no profile or preset folders of one's own.
run_sb() { env -u SCALEBENCH_CLUSTERS -u SCALEBENCH_SWEEPS -u SCALEBENCH_RUN_BINARY HOME="$tmp/home" "$sb" "$@"; }

check "bin/scalebench is installed and runs" run_sb --version >/dev/null
[ -x "$prefix/bin/scalebench" ] || { echo "FAIL: no bin/scalebench"; exit 1; }

# ---- profiles: every shipped one, from the moved share/, never from the checkout
run_sb list clusters >"$tmp/clusters.txt" 2>&1 || fail "list clusters: exit $?"
for f in "$source"/configs/clusters/*.json; do
  name=$(basename "$f" .json)
  check "list clusters shows $name" grep -q "^$name " "$tmp/clusters.txt"
  check "profile $name is installed" test -f "$prefix/share/scalebench/clusters/$name.json"
done
check "list clusters shows lumi and local" grep -q '^lumi ' "$tmp/clusters.txt"
check "the search path has the moved share/" grep -qF "$prefix/share/scalebench/clusters" "$tmp/clusters.txt"
check "the search path leaves out the checkout" bash -c '! grep -qF "$1/configs" "$2"' sh "$source" "$tmp/clusters.txt"
for f in "$source"/configs/sweeps/*.json; do
  check "preset $(basename "$f") is installed" test -f "$prefix/share/scalebench/sweeps/$(basename "$f")"
done

# ---- plan by profile name, and with a preset by name
check "plan --cluster local writes a plan" run_sb plan --cluster local --workloads mnist_cnn --gpus 1 \
  --strategies ddp --batch 1 --steps 1 --binary /bin/true -o plan1 >/dev/null
check "plan1/plan.json exists" test -s plan1/plan.json
check "plan --preset smoke-cpu writes a plan" run_sb plan --cluster local --preset smoke-cpu --binary /bin/true \
  -o plan2 >/dev/null
check "the preset's workloads are in the plan" grep -q resnet50 plan2/plan.json
check "the preset's image size is in the plan" grep -q '"image_size": 32' plan2/plan.json

# ---- the documents, the man page and the completion are installed
for f in README.md install.md architecture.md slurm.md; do
  check "doc $f is installed" test -f "$prefix/share/doc/scalebench/$f"
done
man_page=$prefix/share/man/man1/scalebench.1
completion=$prefix/share/bash-completion/completions/scalebench
check "the man page is installed" test -f "$man_page"
check "the completion is installed" test -f "$completion"

# The options of every subcommand, from the first column of its --help (-o,--out → -o and --out).
subcommands="list run plan submit sweep report"
options_of() {
  run_sb "$@" --help 2>/dev/null | awk '/^  -/ { n = split($1, a, ","); for (i = 1; i <= n; i++) print a[i] }' |
    grep -vx -e -h -e --help
}
run_in_this_build() { ! run_sb run --help 2>/dev/null | grep -q "Not in this build"; }

# ---- man page: renders without warnings, names every subcommand and option
check "the man page starts with .TH" bash -c 'grep -v "^\.\\\\\"" "$1" | head -1 | grep -q "^\.TH SCALEBENCH 1 "' sh "$man_page"
for sub in $subcommands "list workloads" "list clusters" "list backends"; do
  check "the man page has a section for '$sub'" grep -q "^\.SS \"scalebench $sub" "$man_page"
done
for sub in $subcommands; do
  [ "$sub" = run ] && ! run_in_this_build && continue
  for opt in $(options_of $sub); do
    roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
    check "the man page names $sub $opt" grep -qF -- "$roff" "$man_page"
  done
done
if command -v groff >/dev/null; then
  groff -man -Tutf8 -ww -z "$man_page" >"$tmp/groff.err" 2>&1
  check "groff renders the man page without warnings" test ! -s "$tmp/groff.err"
  [ -s "$tmp/groff.err" ] && cat "$tmp/groff.err"
else
  echo "note: no groff here; the man page is checked as text only"
fi
if command -v man >/dev/null; then
  MANWIDTH=80 man --warnings -l "$man_page" >"$tmp/man.txt" 2>"$tmp/man.err"
  check "man -l renders the man page without warnings" test ! -s "$tmp/man.err"
  check "man -l shows the FILES section" grep -q '^FILES' "$tmp/man.txt"
fi

# ---- completion: valid bash; completes subcommands, options and names; never evaluates output
check "the completion passes bash -n" bash -n "$completion"
complete_words() {  # complete_words WORD...: the completions of the last word
  env -u SCALEBENCH_CLUSTERS HOME="$tmp/home" PATH="$prefix/bin:$PATH" bash -c '
    source "$1" || exit 1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _scalebench; printf "%s\n" "${COMPREPLY[@]}"' sh "$completion" "$@"
}
check "scalebench pl<TAB> → plan" test "$(complete_words scalebench pl)" = plan
check "scalebench list c<TAB> → clusters" test "$(complete_words scalebench list c)" = clusters
check "--cluster lu<TAB> → lumi" test "$(complete_words scalebench plan --cluster lu)" = lumi
check "--cluster=loc<TAB> → local local-slurm" \
  test "$(complete_words scalebench plan --cluster = loc | tr '\n' ' ')" = "local local-slurm "
check "--workloads mnist_cnn,r<TAB> → mnist_cnn,resnet50" \
  test "$(complete_words scalebench plan --workloads mnist_cnn,r)" = mnist_cnn,resnet50
check "the moved binary completes by its path" \
  test "$(complete_words "$sb" run --workload v)" = vit_b16
for sub in $subcommands; do
  [ "$sub" = run ] && ! run_in_this_build && continue
  offered=$(complete_words scalebench $sub -)
  for opt in $(options_of $sub); do
    check "the completion offers $sub $opt" grep -qx -- "$opt" <<<"$offered"
  done
done
# A scalebench whose listing holds shell syntax: nothing of it runs, and it is not offered.
mkdir -p "$tmp/evil/bin"
cat >"$tmp/evil/bin/scalebench" <<EVIL
#!/bin/sh
printf '%s\n' 'lumi  a profile' '\$(touch $tmp/pwned)  x' '\`touch $tmp/pwned\`  y' '*  z' 'lu;touch  w'
EVIL
chmod +x "$tmp/evil/bin/scalebench"
evil=$(PATH="$tmp/evil/bin:$PATH" bash -c '
  source "$1"; COMP_WORDS=(scalebench plan --cluster ""); COMP_CWORD=3
  _scalebench; printf "%s\n" "${COMPREPLY[@]}"' sh "$completion")
check "a listing is data: nothing of it ran" test ! -e "$tmp/pwned"
check "a listing is data: only the name is offered" test "$evil" = lumi

# ---- the checkout is out of reach: with the installed share/ gone, nothing is found
mv "$prefix/share" "$prefix/share.away"
run_sb list clusters >"$tmp/none.txt" 2>&1
check "list clusters lists nothing without share/" bash -c '! grep -v "^search path:" "$1" | grep -q .' sh "$tmp/none.txt"
run_sb plan --cluster local --workloads mnist_cnn --gpus 1 --binary /bin/true -o plan3 >/dev/null 2>"$tmp/err"
status=$?
check "plan --cluster local without share/: exit 2 (got $status)" test $status = 2
check "plan --cluster local without share/: no cluster profile" grep -q "no cluster profile 'local' (known: ;" "$tmp/err"
check "the message names the moved share/" grep -qF "$prefix/share/scalebench/clusters" "$tmp/err"
run_sb plan --cluster "$source/configs/clusters/local.json" --preset smoke-cpu --binary /bin/true \
  -o plan4 >/dev/null 2>"$tmp/err"
status=$?
check "--preset smoke-cpu without share/: exit 2 (got $status)" test $status = 2
check "--preset smoke-cpu without share/: no sweep preset" grep -q "no sweep preset 'smoke-cpu' (known: none;" "$tmp/err"
check "the message names the moved share/" grep -qF "$prefix/share/scalebench/sweeps" "$tmp/err"
check "nothing was planned without share/" test ! -e plan3 -a ! -e plan4
check "no message names the checkout" bash -c '! grep -qF "$1/configs/sweeps" "$2"' sh "$source" "$tmp/err"
mv "$prefix/share.away" "$prefix/share"

# ---- a site's own profiles come first: ~/.config/scalebench/clusters
mkdir -p "$tmp/home/.config/scalebench/clusters"
sed 's/"description": "[^"]*"/"description": "my own local"/' "$source/configs/clusters/local.json" \
  >"$tmp/home/.config/scalebench/clusters/local.json"
own_profile_wins() { run_sb list clusters | grep -q '^local  *my own local'; }
check "a profile in ~/.config/scalebench/clusters comes first" own_profile_wins

echo "$((checks - failures)) of $checks checks passed"
[ "$failures" = 0 ]
