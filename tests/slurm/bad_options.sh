#!/usr/bin/env bash
# Every option of list, plan, submit, sweep and report given a bad value: exit status 2, a one-line
# message holding the expected fragment (what was wrong, what is allowed), and nothing written.
#   bad_options.sh SCALEBENCH            check every row; exit 1 when one fails
#   bad_options.sh SCALEBENCH --survey   print each row's outcome and the counts (exit 0)
# Each row: bad 'FRAGMENT' ARGS... (the fragment is a fixed string, not a pattern). The rows run in
# one fixture folder (a local plan, a Slurm plan, junk files); it is compared before and after
# each row, and rebuilt when a row changed it.
set -u
SB=$1
survey=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixture=$work/fixture
export SCALEBENCH_CLUSTERS=$work/no-such-folder  # only the shipped profiles
export HOME=$work/home

make_fixture() {
  rm -rf "$fixture"
  mkdir -p "$fixture" && cd "$fixture" || exit 1
  "$SB" plan --cluster local --workloads mnist_cnn --gpus 1,2 --strategies ddp --batch 1 --steps 1 \
    --warmup 0 --binary /bin/true -o plan >/dev/null 2>&1 || { echo "cannot make the local plan"; exit 1; }
  "$SB" plan --cluster local-slurm --workloads mnist_cnn --gpus 1 --strategies ddp --binary /bin/true \
    -o splan >/dev/null 2>&1 || { echo "cannot make the Slurm plan"; exit 1; }
  "$SB" plan --cluster local --workloads mnist_cnn --gpus 1,2 --strategies ddp --batch 1 --steps 1 \
    --warmup 0 --binary /bin/true --until-knee -o kplan >/dev/null 2>&1 || { echo "cannot make the until-knee plan"; exit 1; }
  mkdir results dir.json home
  # One real result, so that a report option that is not refused shows as accepted.
  # (a report-only build cannot run one: SCALEBENCH_SAMPLE_RESULT names a program that writes one)
  if [ -n "${SCALEBENCH_SAMPLE_RESULT:-}" ]; then
    "$SCALEBENCH_SAMPLE_RESULT" results/r.json || { echo "cannot make a result"; exit 1; }
  else
    OMP_WAIT_POLICY=passive "$SB" run --workload mnist_cnn --backend cpu --batch 1 --steps 1 --warmup 0 \
      --out results/r.json >/dev/null 2>&1 || { echo "cannot make a result"; exit 1; }
  fi
  : >empty.json
  echo 'not json {' >junk.json
  echo 'a text file' >file.txt
  echo '{"workloads": ["mnist_cnn"], "gpus": [1], "colour": "red"}' >unknown-key.json
  echo '{"workloads": ["mnist_cnn"], "gpus": [1], "repeat": 0}' >zero-repeat.json
  ln -s file.txt link-to-file
}

state() { cd "$fixture" && find . -printf '%p %y %s %m\n' | sort && find . -type f -exec md5sum {} + | sort; }

make_fixture
before=$(state)
rows=0 failed=0 accepted=0 wrong_status=0 unclear=0 wrote=0

bad() {
  local want=$1
  shift
  rows=$((rows + 1))
  cd "$fixture" || exit 1
  timeout 60 "$SB" "$@" >"$work/out.txt" 2>"$work/err.txt" </dev/null
  local status=$? problems=()
  local lines msg
  lines=$(wc -l <"$work/err.txt")
  msg=$(head -c 300 "$work/err.txt" | tr '\n' ' ')
  if [ "$status" = 0 ]; then accepted=$((accepted + 1)); problems+=("accepted (exit 0)")
  elif [ "$status" != 2 ]; then wrong_status=$((wrong_status + 1)); problems+=("exit $status")
  elif [ "$lines" != 1 ] || ! grep -qF -- "$want" "$work/err.txt"; then
    unclear=$((unclear + 1)); problems+=("unclear message")
  fi
  if [ "$(state)" != "$before" ]; then
    wrote=$((wrote + 1)); problems+=("wrote files")
    make_fixture
    before=$(state)
  fi
  local shown
  shown=$(printf '%q ' "$@")
  if [ ${#problems[@]} -gt 0 ]; then
    failed=$((failed + 1))
    echo "FAIL: scalebench $shown-> ${problems[*]}; wanted '$want'; got: $msg"
  elif [ -n "$survey" ]; then
    echo "ok:   scalebench $shown-> $msg"
  fi
}

P=(plan --cluster local --workloads mnist_cnn --gpus 1 -o out)
S=(plan --cluster local-slurm --workloads mnist_cnn --gpus 1 -o out)

# ---- list
bad 'list: name what to list: workloads, backends or clusters' list
bad 'bogus' list bogus
bad 'junk' list clusters --json=junk
bad 'extra' list workloads extra
bad 'bogus' list clusters --bogus

# ---- plan: the cluster
bad "no cluster profile 'nope'" plan --cluster nope --workloads mnist_cnn --gpus 1 -o out
bad 'was retired on 2026-08-31 and runs no jobs: plan on roihu instead' plan --cluster mahti --account project_1 --workloads mnist_cnn --gpus 1 -o out
bad '--cluster: give a profile name' plan --cluster '' --workloads mnist_cnn --gpus 1 -o out
bad 'cannot read cluster profile /nonexistent.json' plan --cluster /nonexistent.json --workloads mnist_cnn --gpus 1 -o out
bad 'junk.json: not valid JSON' plan --cluster ./junk.json --workloads mnist_cnn --gpus 1 -o out
bad 'empty.json: not valid JSON' plan --cluster ./empty.json --workloads mnist_cnn --gpus 1 -o out
bad "cluster profile ./dir.json is a folder; give a profile JSON file" plan --cluster ./dir.json --workloads mnist_cnn --gpus 1 -o out
bad '"schema" must be "scalebench.cluster/1"' plan --cluster plan/plan.json --workloads mnist_cnn --gpus 1 -o out
# ---- plan: workloads, strategies, GPU counts
bad "unknown workload 'alexnet' (valid: mnist_cnn, resnet50, vit_b16)" plan --cluster local --workloads alexnet --gpus 1 -o out
bad "--workloads: an empty entry in '' (valid: mnist_cnn, resnet50, vit_b16)" plan --cluster local --workloads '' --gpus 1 -o out
bad "--workloads: an empty entry in 'mnist_cnn,,resnet50'" plan --cluster local --workloads mnist_cnn,,resnet50 --gpus 1 -o out
bad "--workloads names mnist_cnn twice" plan --cluster local --workloads mnist_cnn,mnist_cnn --gpus 1 -o out
bad "unknown strategy 'bogus' (valid: ddp, mirrored)" "${P[@]}" --strategies bogus
bad "--strategies: an empty entry in '' (valid: ddp, mirrored)" "${P[@]}" --strategies ''
bad "--strategies names ddp twice" "${P[@]}" --strategies ddp,ddp
bad "--workloads is required" plan --cluster local --gpus 1 -o out
bad "--gpus is required" plan --cluster local --workloads mnist_cnn -o out
bad "GPU count 0 must be at least 1" plan --cluster local --workloads mnist_cnn --gpus 0 -o out
bad "GPU count -2 must be at least 1" plan --cluster local --workloads mnist_cnn --gpus -2 -o out
bad "--gpus 'x' is not a whole number" plan --cluster local --workloads mnist_cnn --gpus x -o out
bad "--gpus 99999999999999999999: the number is too large" plan --cluster local --workloads mnist_cnn --gpus 99999999999999999999 -o out
bad "--gpus names 2 twice" plan --cluster local --workloads mnist_cnn --gpus 1,2,2 -o out
bad "--gpus: an empty entry in '' (GPU counts, e.g. 1,2,4,8)" plan --cluster local --workloads mnist_cnn --gpus '' -o out
bad "16 nodes needed, at most 1 allowed" plan --cluster local --workloads mnist_cnn --gpus 64 -o out
bad "--gpus 4611686018427387904: at most 1048576 GPUs" plan --cluster local --workloads mnist_cnn --gpus 4611686018427387904 --round -o out
# ---- plan: numbers
bad "unknown precision 'fp8' (valid: fp32, tf32, bf16, fp16)" "${P[@]}" --precision fp8
bad "unknown precision '' (valid: fp32, tf32, bf16, fp16)" "${P[@]}" --precision ''
bad "--batch must be a positive integer, got 0" "${P[@]}" --batch 0
bad "--batch must be a positive integer, got -3" "${P[@]}" --batch -3
bad "--batch 4611686018427387904: at most 1048576 samples per device" "${P[@]}" --batch 4611686018427387904
bad "--batch 99999999999999999999: the number is too large" "${P[@]}" --batch 99999999999999999999
bad "--batch 'nan' is not a whole number" "${P[@]}" --batch nan
bad "--batch '2.5' is not a whole number" "${P[@]}" --batch 2.5
bad "--batch '' is not a whole number" "${P[@]}" --batch ''
bad "--batch '1e3' is not a whole number" "${P[@]}" --batch 1e3
bad "--global-batch must be a positive integer, got 0" "${P[@]}" --global-batch 0
bad "--global-batch must be a positive integer, got -8" "${P[@]}" --global-batch -8
bad "--global-batch 9223372036854775807: at most 1073741824 samples" "${P[@]}" --global-batch 9223372036854775807
bad "global batch 3 does not split evenly over 2 GPUs" plan --cluster local --workloads mnist_cnn --gpus 1,2 --global-batch 3 -o out
bad "excludes" "${P[@]}" --batch 2 --global-batch 4
bad "--steps must be a positive integer, got 0" "${P[@]}" --steps 0
bad "--steps must be a positive integer, got -1" "${P[@]}" --steps -1
bad "--steps 9223372036854775807: at most 1000000 steps" "${P[@]}" --steps 9223372036854775807
bad "--steps 'inf' is not a whole number" "${P[@]}" --steps inf
bad "--warmup must be 0 or a positive integer, got -1" "${P[@]}" --warmup -1
bad "--warmup 9223372036854775807: at most 1000000 steps" "${P[@]}" --warmup 9223372036854775807
bad "--image-size must be a positive integer, got 0" "${P[@]}" --image-size 0
bad "--image-size must be a positive integer, got -28" "${P[@]}" --image-size -28
bad "image size 100 is not allowed for vit_b16 (allowed: 16 to 4096 px, a multiple of 16)" plan --cluster local --workloads vit_b16 --gpus 1 -o out --image-size 100
bad "image size 100000 is not allowed for mnist_cnn" "${P[@]}" --image-size 100000
bad "--repeat must be a positive integer, got 0" "${P[@]}" --repeat 0
bad "--repeat must be a positive integer, got -1" "${P[@]}" --repeat -1
bad "--repeat 1000000: at most 1000 runs of each point" "${P[@]}" --repeat 1000000
bad "--max-concurrent must be a positive integer, got 0" "${S[@]}" --max-concurrent 0
bad "--max-concurrent must be a positive integer, got -1" "${S[@]}" --max-concurrent -1
# ---- plan: names and times
bad "unknown backend 'tpu' (valid: cpu, cuda, hip)" "${P[@]}" --backend tpu
bad "unknown backend '' (valid: cpu, cuda, hip)" "${P[@]}" --backend ''
bad "--account '' is not a valid name" "${S[@]}" --account ''
bad "--account 'a;b' is not a valid name" "${S[@]}" --account 'a;b'
bad "--time '' is not a time limit: use HH:MM:SS or D-HH:MM:SS" "${S[@]}" --time ''
bad "--time 'junk'" "${S[@]}" --time junk
bad "--time '00:00:00'" "${S[@]}" --time 00:00:00
bad "--time '00:61:00'" "${S[@]}" --time 00:61:00
bad "--time '99999999999-00:00:00': at most 365 days" "${S[@]}" --time 99999999999-00:00:00
bad "--time 02:00:00 exceeds the time limit of every partition it could use on local-slurm: debug allows 01:00:00" "${S[@]}" --time 02:00:00
bad "--time '00:-5:00' is not a time limit" "${S[@]}" --time 00:-5:00
bad "--partition '' is not a valid name" "${S[@]}" --partition ''
bad "cluster local-slurm has no partition 'nope' (it has debug)" "${S[@]}" --partition nope
bad "--node-type '' is not a valid name" "${S[@]}" --node-type ''
bad "cluster local-slurm has no node type 'nope' (it has local)" "${S[@]}" --node-type nope
bad "--binary: give the scalebench the scripts run" "${P[@]}" --binary ''
bad "--binary '/nonexistent/scalebench' is not an executable file" "${P[@]}" --binary /nonexistent/scalebench
bad "--binary './file.txt' is not an executable file" "${P[@]}" --binary ./file.txt
bad "--binary './dir.json' is not an executable file" "${P[@]}" --binary ./dir.json
bad "refusing a control character in a script value: 'scale\\nbench'" "${P[@]}" --binary $'scale\nbench'
bad "--binary '/bin/tr\\nue' is not an executable file" "${P[@]}" --binary $'/bin/tr\nue'
bad "--round" "${P[@]}" --round=junk
# ---- plan: preset and output
bad "no sweep preset 'nope' (known: " plan --cluster local --preset nope -o out
bad "--preset: give a preset name (configs/sweeps/NAME.json) or a path to one" plan --cluster local --preset '' -o out
bad "cannot read sweep preset ./nope.json" plan --cluster local --preset ./nope.json -o out
bad "junk.json: not valid JSON" plan --cluster local --preset ./junk.json -o out
bad "empty.json: not valid JSON" plan --cluster local --preset ./empty.json -o out
bad "sweep preset ./dir.json is a folder; give a preset JSON file" plan --cluster local --preset ./dir.json -o out
bad 'unknown key "colour"' plan --cluster local --preset ./unknown-key.json -o out
bad "sweep preset ./zero-repeat.json: \"repeat\" must be a positive integer, got 0" plan --cluster local --preset ./zero-repeat.json -o out
bad "-o: give a folder for the plan" plan --cluster local --workloads mnist_cnn --gpus 1 -o ''
bad "-o 'file.txt' is a file" plan --cluster local --workloads mnist_cnn --gpus 1 -o file.txt
bad "-o 'link-to-file' is a file" plan --cluster local --workloads mnist_cnn --gpus 1 -o link-to-file
bad "-o '/proc/scalebench-plan': cannot create the folder" plan --cluster local --workloads mnist_cnn --gpus 1 -o /proc/scalebench-plan
bad "plan already holds a plan" plan --cluster local --workloads mnist_cnn --gpus 1 -o plan
bad "--bogus" "${P[@]}" --bogus

# ---- submit
bad "give the plan: DIR/plan.json" submit ''
bad "cannot read plan nope.json" submit nope.json
bad "plan is a folder; give the plan file in it (plan/plan.json)" submit plan
bad "junk.json: not valid JSON" submit junk.json
bad "empty.json: not valid JSON" submit empty.json
bad '"schema" must be "scalebench.plan/1"' submit unknown-key.json
bad "cluster local has no Slurm" submit plan/plan.json
bad "--sbatch: give the program (a name on PATH or a path)" submit splan/plan.json --sbatch ''
bad "--sbatch '/nonexistent/sbatch' is not an executable file" submit splan/plan.json --sbatch /nonexistent/sbatch
bad "--sbatch 'no-such-sbatch-here' is not on PATH; give its path" submit splan/plan.json --sbatch no-such-sbatch-here
bad "--dry-run" submit splan/plan.json --dry-run=junk

# ---- plan --until-knee, and the gate
bad "--threshold needs --until-knee" "${P[@]}" --threshold 0.7
bad "--confirm needs --until-knee" "${P[@]}" --confirm 2
bad "--predict-from needs --until-knee" "${P[@]}" --predict-from results
bad "--threshold 0: give a fraction in (0, 1]" "${P[@]}" --until-knee --threshold 0
bad "--threshold 1.5: give a fraction in (0, 1]" "${P[@]}" --until-knee --threshold 1.5
bad "--threshold nan: give a fraction in (0, 1]" "${P[@]}" --until-knee --threshold nan
bad "--threshold" "${P[@]}" --until-knee --threshold abc
bad "--confirm must be 0 or a positive integer, got -1" "${P[@]}" --until-knee --confirm -1
bad "--confirm 17: at most 16" "${P[@]}" --until-knee --confirm 17
bad "--confirm" "${P[@]}" --until-knee --confirm 1.5
bad "--predict-from 'nope' does not exist" "${P[@]}" --until-knee --predict-from nope
bad "--predict-from: no scalebench results among 1 file(s)" "${P[@]}" --until-knee --predict-from file.txt
bad "--wave" gate kplan/plan.json
bad "gate: this plan is not an --until-knee plan" gate plan/plan.json --wave 0
bad "--wave 1: the plan's waves are 0 to 0" gate kplan/plan.json --wave 1
bad "--wave -1: the plan's waves are 0 to 0" gate kplan/plan.json --wave -1
bad "--wave" gate kplan/plan.json --wave abc
bad "cannot read plan nope.json" gate nope.json --wave 0
bad "--scancel 'no-such-scancel-here' is not on PATH" gate splan/plan.json --wave 0 --scancel no-such-scancel-here

# ---- sweep
bad "give the plan: DIR/plan.json" sweep ''
bad "cannot read plan nope.json" sweep nope.json
bad "plan is a folder; give the plan file in it (plan/plan.json)" sweep plan
bad "junk.json: not valid JSON" sweep junk.json
bad "empty.json: not valid JSON" sweep empty.json
bad '"schema" must be "scalebench.plan/1"' sweep unknown-key.json
bad "--mpirun: give the program (a name on PATH or a path)" sweep plan/plan.json --mpirun ''
bad "--mpirun '/nonexistent/mpirun' is not an executable file" sweep plan/plan.json --mpirun /nonexistent/mpirun
bad "--mpirun 'no-such-mpirun-here' is not on PATH; give its path" sweep plan/plan.json --mpirun no-such-mpirun-here
bad "--force" sweep plan/plan.json --force=junk

# ---- report
R=(report results -o out)
bad "input 'nope' does not exist" report nope -o out
bad "report: an empty input path; name result folders or files" report '' -o out
bad "report: results: results is given twice (also as results)" report results results -o out
bad "report: results/r.json and results overlap (one holds the other)" report results results/r.json -o out
bad "report: give the output folder with -o OUT" report results -o ''
bad "-o 'file.txt' is a file" report results -o file.txt
bad "--threshold nan: give a fraction in (0, 1]" "${R[@]}" --threshold nan
bad "--threshold inf: give a fraction in (0, 1]" "${R[@]}" --threshold inf
bad "--threshold -1: give a fraction in (0, 1]" "${R[@]}" --threshold -1
bad "--threshold 0: give a fraction in (0, 1]" "${R[@]}" --threshold 0
bad "--threshold 1.5: give a fraction in (0, 1]" "${R[@]}" --threshold 1.5
bad "--threshold" "${R[@]}" --threshold ''
bad "--threshold" "${R[@]}" --threshold abc
bad "--min-gain nan: give a fraction in (0, 1]" "${R[@]}" --min-gain nan
bad "--min-gain 0: give a fraction in (0, 1]" "${R[@]}" --min-gain 0
bad "--min-gain 2: give a fraction in (0, 1]" "${R[@]}" --min-gain 2
bad "--baseline 0: give a GPU count of 1 or more" "${R[@]}" --baseline 0
bad "--baseline -1: give a GPU count of 1 or more" "${R[@]}" --baseline -1
bad "--baseline abc: give a GPU count of 1 or more" "${R[@]}" --baseline abc
bad "--baseline 99999999999999999999: give a GPU count of 1 or more" "${R[@]}" --baseline 99999999999999999999
bad "--baseline 8" "${R[@]}" --baseline 8
bad "--formats: '' is not a figure format" "${R[@]}" --formats ''
bad "--formats: '' is not a figure format" "${R[@]}" --formats pdf,,png
bad "--formats: 'jpg' is not a figure format" "${R[@]}" --formats jpg
bad "--formats: 'PDF' is not a figure format" "${R[@]}" --formats PDF
bad "--formats names pdf twice; give each of pdf, png, svg at most once" "${R[@]}" --formats pdf,pdf
bad "--skipped 'nope.json' is not a file" "${R[@]}" --skipped nope.json
bad "--skipped 'results' is not a file" "${R[@]}" --skipped results
bad "junk.json: not valid JSON" "${R[@]}" --skipped junk.json
bad 'not an until-knee record ("schema" must be "scalebench.until-knee/1")' "${R[@]}" --skipped results/r.json
bad "give NAME=DIR" "${R[@]}" --label nolabel
bad "give NAME=DIR" "${R[@]}" --label =results
bad "give NAME=DIR" "${R[@]}" --label A=
bad "report: --label B=results: results is given twice (also as --label A=results)" report -o out --label A=results --label B=results
bad "report: --label A=results: results is given twice (also as results)" report results -o out --label A=results
bad "--billing-units-per-gpu-hour nan: give a positive number" "${R[@]}" --billing-units-per-gpu-hour nan
bad "--billing-units-per-gpu-hour inf: give a positive number" "${R[@]}" --billing-units-per-gpu-hour inf
bad "--billing-units-per-gpu-hour 0: give a positive number" "${R[@]}" --billing-units-per-gpu-hour 0
bad "--billing-units-per-gpu-hour -1: give a positive number" "${R[@]}" --billing-units-per-gpu-hour -1
bad "--billing-units-per-gpu-hour" "${R[@]}" --billing-units-per-gpu-hour abc
bad "--cluster-profiles: give a folder of cluster profiles" "${R[@]}" --cluster-profiles ''
bad "--cluster-profiles 'nowhere' is not a folder" "${R[@]}" --cluster-profiles nowhere
bad "--cluster-profiles 'file.txt' is not a folder" "${R[@]}" --cluster-profiles file.txt
bad "--bogus" "${R[@]}" --bogus

echo "$rows bad values: $((rows - failed)) refused as wanted; $accepted accepted (exit 0), $wrong_status" \
  "other exit status, $unclear unclear message, $wrote wrote files"
if [ -n "$survey" ]; then exit 0; fi
[ "$failed" = 0 ]
