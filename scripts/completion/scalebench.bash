# bash completion for scalebench: subcommands, their options, and the names of clusters (--cluster)
# and workloads (--workload, --workloads) as the scalebench being completed lists them. Installed
# as share/bash-completion/completions/scalebench; or `source` this file from ~/.bashrc.
#
# What scalebench prints is data: its names are matched as plain strings and added to COMPREPLY,
# never evaluated (no eval, no compgen -W on the program's output, whose words bash would expand).

# COMPREPLY += each of the words (after $1, the word being completed) that starts with it.
_scalebench_add_matching() {
  local cur=$1 word
  shift
  for word in "$@"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

# The names `PROGRAM list KIND` prints, one a line: the first column of each unindented line,
# without the table's header or the search-path line, and only words a profile or workload name
# may be.
_scalebench_names() {
  local program=$1 kind=$2 line name
  while IFS= read -r line; do
    [[ -z $line || $line == [[:space:]]* || $line == "search path:"* ]] && continue
    name=${line%%[[:space:]]*}
    [[ $kind == workloads && $name == workload ]] && continue
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] && printf '%s\n' "$name"
  done < <("$program" list "$kind" 2>/dev/null)
}

# The scalebench being completed: the command word as typed (a leading ~/ is the home folder),
# when it names a program that can run.
_scalebench_program() {
  local program=${COMP_WORDS[0]}
  # shellcheck disable=SC2088  # the literal "~/" as typed, not the home folder
  [[ $program == "~/"* ]] && program=$HOME/${program#"~/"}
  command -v -- "$program" >/dev/null 2>&1 && printf '%s\n' "$program"
}

# Complete a comma-separated list: the part after the last comma from the words given.
_scalebench_add_list_item() {
  local cur=$1 head=
  shift
  if [[ $cur == *,* ]]; then
    head=${cur%,*},
    cur=${cur##*,}
  fi
  local word
  for word in "$@"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$head$word")
  done
  [[ -n $head ]] && compopt -o nospace 2>/dev/null
}

_scalebench_add_files() {
  local cur=$1 dirs_only=${2:-} line
  compopt -o filenames 2>/dev/null
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <(if [[ -n $dirs_only ]]; then compgen -d -- "$cur"; else compgen -f -- "$cur"; fi)
}

_scalebench() {
  COMPREPLY=()
  local cword=$COMP_CWORD
  local cur=${COMP_WORDS[cword]} prev=
  (( cword > 0 )) && prev=${COMP_WORDS[cword - 1]}
  # bash splits --option=value at '=' (COMP_WORDBREAKS): complete the value as after --option.
  if [[ $cur == "=" ]]; then
    prev=${COMP_WORDS[cword - 1]}
    cur=
  elif [[ $prev == "=" ]] && (( cword > 1 )); then
    prev=${COMP_WORDS[cword - 2]}
  fi

  local subcommands=(list run plan submit sweep gate report predict)
  local sub='' listing='' i word
  for (( i = 1; i < cword; i++ )); do
    word=${COMP_WORDS[i]}
    if [[ -z $sub ]]; then
      case $word in list | run | plan | submit | sweep | report | predict) sub=$word ;; esac
    elif [[ $sub == list && -z $listing ]]; then
      case $word in workloads | clusters | backends) listing=$word ;; esac
    fi
  done

  local program names=()
  # The value of an option.
  case $prev in
    --cluster)
      if [[ $cur == */* || $cur == .* ]]; then
        _scalebench_add_files "$cur"
      elif program=$(_scalebench_program); then
        mapfile -t names < <(_scalebench_names "$program" clusters)
        _scalebench_add_matching "$cur" "${names[@]}"
      fi
      return 0 ;;
    --workload | --workloads)
      if program=$(_scalebench_program); then
        mapfile -t names < <(_scalebench_names "$program" workloads)
        if [[ $prev == --workloads ]]; then
          _scalebench_add_list_item "$cur" "${names[@]}"
        else
          _scalebench_add_matching "$cur" "${names[@]}"
        fi
      fi
      return 0 ;;
    --strategy) _scalebench_add_matching "$cur" ddp mirrored; return 0 ;;
    --strategies) _scalebench_add_list_item "$cur" ddp mirrored; return 0 ;;
    --precision) _scalebench_add_matching "$cur" fp32 tf32 bf16 fp16; return 0 ;;
    --backend) _scalebench_add_matching "$cur" cpu cuda hip; return 0 ;;
    --formats) _scalebench_add_list_item "$cur" pdf png svg; return 0 ;;
    --calibrate) _scalebench_add_matching "$cur" auto node two-node physics; return 0 ;;
    --algo) _scalebench_add_matching "$cur" auto ring tree hier; return 0 ;;
    -o | --out | --plan | --binary | --preset | --mpirun | --sbatch | --prediction | --measured-table | \
    --skipped | --predict-from | --scancel)
      _scalebench_add_files "$cur"; return 0 ;;
    --cluster-profiles) _scalebench_add_files "$cur" dirs; return 0 ;;
    --gpus | --batch | --global-batch | --steps | --warmup | --image-size | --repeat | --account | \
    --time | --max-concurrent | --partition | --node-type | --devices | --bucket-mb | \
    --first-bucket-mb | --packs | --timeout | --label | --point | --threshold | --baseline | \
    --report-baseline | --confirm | --wave | --job | \
    --min-gain | --billing-units-per-gpu-hour | --max-gpus)
      return 0 ;;  # a number or a name of the user's: nothing to offer
  esac

  local options=()
  case $sub in
    "")
      if [[ $cur == -* ]]; then
        _scalebench_add_matching "$cur" --help --version
      else
        _scalebench_add_matching "$cur" "${subcommands[@]}"
      fi
      return 0 ;;
    list)
      case $listing in
        "")
          if [[ $cur != -* ]]; then
            _scalebench_add_matching "$cur" workloads clusters backends
            return 0
          fi
          options=(--help) ;;
        workloads | clusters) options=(--json --help) ;;
        backends) options=(--help) ;;
      esac ;;
    run)
      options=(--workload --strategy --backend --precision --batch --global-batch --steps --warmup
        --image-size --devices --bucket-mb --first-bucket-mb --no-overlap --packs --graph
        --layer-times --samples --timeout -o --out --force --label --plan --point --help) ;;
    plan)
      options=(--cluster --workloads --strategies --gpus --precision --batch --global-batch --steps
        --warmup --image-size --backend --repeat --account --time --max-concurrent --partition
        --node-type --round --binary --preset --force --allow-retired --report-baseline --until-knee
        --threshold --confirm --predict-from -o --out --help) ;;
    submit | sweep | gate)
      if [[ $cur != -* ]]; then
        _scalebench_add_files "$cur"  # DIR/plan.json
        return 0
      fi
      case $sub in
        submit) options=(--dry-run --sbatch --help) ;;
        sweep) options=(--force --mpirun --help) ;;
        gate) options=(--wave --scancel --no-cancel --help) ;;
      esac ;;
    report)
      if [[ $cur != -* ]]; then
        _scalebench_add_files "$cur"  # result folders and files
        return 0
      fi
      options=(-o --out --label --threshold --baseline --formats --min-gain
        --billing-units-per-gpu-hour --cluster-profiles --prediction --skipped --job --help) ;;
    predict)
      if [[ $cur != -* ]]; then
        _scalebench_add_files "$cur"  # result folders and files
        return 0
      fi
      options=(--cluster -o --out --measured-table --gpus --max-gpus --calibrate --algo --threshold
        --formats --beyond-profile --help) ;;
  esac
  _scalebench_add_matching "$cur" "${options[@]}"
  return 0
}

complete -F _scalebench scalebench
