#!/usr/bin/env bash
# `scalebench predict` from the command line: a measured table in, prediction.json, .csv, .txt and
# the figure's data and script out, every projected point said to be projected, not measured.
#   predict_cli.sh [EMULATOR...] SCALEBENCH
set -euo pipefail
sb=("$@")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/mine.csv" <<'CSV'
gpus,nodes,samples_per_s,batch_per_device,model,precision
1,1,2900,256,resnet50,bf16
8,1,22400,256,resnet50,bf16
CSV
"${sb[@]}" predict --measured-table "$dir/mine.csv" --cluster dgx-h100 --gpus 16,32,64 --beyond-profile \
  -o "$dir/out" --formats svg >"$dir/stdout" 2>"$dir/stderr"
fail() { echo "FAIL: $*"; cat "$dir/stdout" "$dir/stderr"; exit 1; }
for f in prediction.json prediction.csv prediction.txt figures/render.gp; do
  [ -s "$dir/out/$f" ] || fail "no $f"
done
grep -q '"schema": "scalebench.prediction/1"' "$dir/out/prediction.json" || fail "schema"
[ "$(grep -c ',projected,' "$dir/out/prediction.csv")" = 3 ] || fail "expected 3 projected rows"
grep -q 'projected, not measured' "$dir/out/prediction.txt" || fail "the text does not say projected"
grep -q 'projected, not measured' "$dir/stdout" || fail "stdout does not say projected"
ls "$dir/out/figures/"prediction-*.gp >/dev/null || fail "no figure script"
echo "ok: $(head -c 300 "$dir/out/prediction.txt")"
