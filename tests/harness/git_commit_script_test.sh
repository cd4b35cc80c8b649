#!/usr/bin/env bash
# cmake/git_commit.cmake on a throwaway repository: the short hash of HEAD, "-dirty" once a tracked
# file changes, the new hash after a commit, the header untouched (same mtime) when nothing
# changed, "unknown" outside git, and a packager's COMMIT as given.
# git_commit_script_test.sh CMAKE SCRIPT
set -eu
cmake=$1; script=$2
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
repo=$dir/repo; header=$dir/git_commit.h
fail() { echo "FAIL: $*"; cat "$header" 2>/dev/null; exit 1; }
stamp() { "$cmake" -DSOURCE_DIR="$1" -DOUTPUT="$header" ${2:+-DCOMMIT=$2} -P "$script" >/dev/null; }
recorded() { sed -n 's/^#define SCALEBENCH_GIT_COMMIT "\(.*\)"$/\1/p' "$header"; }

mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" config user.email t@example.org; git -C "$repo" config user.name test
echo one >"$repo/file"; git -C "$repo" add file; git -C "$repo" commit -qm one
stamp "$repo"
want=$(git -C "$repo" rev-parse --short=12 HEAD)
[ "$(recorded)" = "$want" ] || fail "expected $want"

before=$(stat -c %y "$header")
sleep 1.1
stamp "$repo"
[ "$(stat -c %y "$header")" = "$before" ] || fail "rewritten with no change"

echo two >>"$repo/file"
stamp "$repo"
[ "$(recorded)" = "$want-dirty" ] || fail "expected $want-dirty"
touch "$repo/untracked"
git -C "$repo" commit -qam two
stamp "$repo"
want2=$(git -C "$repo" rev-parse --short=12 HEAD)
[ "$want2" != "$want" ] && [ "$(recorded)" = "$want2" ] || fail "expected $want2 after a commit (untracked files are not dirt)"

mkdir "$dir/tarball"
stamp "$dir/tarball"
[ "$(recorded)" = unknown ] || fail "expected unknown outside git"
mkdir "$repo/unpacked"  # a tarball unpacked inside another repository is not that repository
stamp "$repo/unpacked"
[ "$(recorded)" = unknown ] || fail "expected unknown below a work tree's top"
stamp "$dir/tarball" v0.2.0
[ "$(recorded)" = v0.2.0 ] || fail "expected the packager's v0.2.0"
echo "ok"
