#!/usr/bin/env bash
# Takes a robust training (issue 14) to its end and through every measurement of the robust-model table in
# docs/RESULTS.md, each step skipped once done, so the same command goes on after a kill, or on a fresh machine once
# the run folder is copied back:
#   tools/finish_robust_run.sh RUN_DIR NAME "TRAIN COMMAND"
#   1. train: the command, which resumes from RUN_DIR/checkpoint.advkit, until RUN_DIR/final.advkit exists
#   2. publish: tools/publish_model.sh RUN_DIR NAME "TRAIN COMMAND" --robust (card, zoo row, PGD-20 on the 1,000)
#   3. aa: evaluate (AutoAttack standard, verified on saved PNGs) on ../shared/data/cifar-10_eval into runs/eval/NAME-aa
#   4. clean10k: accuracy on the 10,000 CIFAR-10 test images (runs/eval/NAME-test10k.json)
#   5. pgd10k: PGD-20 on them into runs/eval/NAME-test10k-pgd20
#   6. apgd10k: AutoAttack's first two stages (APGD-CE, APGD-T; on the 1,000 the last two have not yet found an image
#      more on an advkit model) on the 10,000 into runs/eval/NAME-test10k-apgd - the table's 10k AutoAttack column
# Steps 3, 5 and 6 resume themselves when re-run. Each step's log, with /usr/bin/time -v, is runs/finish-NAME/STEP.log;
# STEP.done marks a finished one. ADVKIT_JAR (a copy of the jar) keeps a rebuild from changing a job under way, and
# ADVKIT_MAX_MODEL_MB is passed on to publish_model.sh for a model over 5 MB. FINISH_LIMIT=N (a quick try of the
# pipeline) measures steps 3-6 on the first N images only.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 3 ] || { echo "usage: tools/finish_robust_run.sh RUN_DIR NAME \"TRAIN COMMAND\"" >&2; exit 2; }
run=$1; name=$2; command=$3
logs=runs/finish-$name
mkdir -p "$logs" runs/eval
data=../shared/data/cifar10-jpg.tar.gz
limit=(); [ -z "${FINISH_LIMIT:-}" ] || limit=(--limit "$FINISH_LIMIT")

say() { echo "$(date -u +%FT%TZ) $*" >> "$logs/progress.log"; }
timed() { # timed LOG COMMAND...: appends the command's output and /usr/bin/time's figures to LOG; its exit status
  local log=$1 rc=0; shift
  { date -u; /usr/bin/time -v "$@" || rc=$?; date -u; } >> "$log" 2>&1
  return $rc
}
step() { # step NAME COMMAND...: runs it unless done, logs it, marks it done
  local s=$1; shift
  [ -f "$logs/$s.done" ] && return 0
  say "$s: $*"
  timed "$logs/$s.log" "$@" || { say "$s failed (see $logs/$s.log)"; return 1; }
  touch "$logs/$s.done"
  say "$s done"
}

if [ ! -f "$run/final.advkit" ]; then
  say "train: $command"
  rc=0; timed "$logs/train.log" bash -c "$command" || rc=$?
  # stopped by a signal (exit 130, checkpoint written) or failed: either way no final.advkit, and nothing after may run
  [ -f "$run/final.advkit" ] || { say "training stopped short of its last epoch (exit $rc, see $logs/train.log); run this again to go on"; exit 1; }
  say "train done"
fi
step publish tools/publish_model.sh "$run" "$name" "$command" --robust
step aa bin/advkit evaluate -q --threads 2 --data ../shared/data/cifar-10_eval -m "$run/final.advkit" "${limit[@]}" --out "runs/eval/$name-aa"
step clean10k bin/advkit eval --threads 2 --data "$data" --split test -m "$run/final.advkit" "${limit[@]}" --json "runs/eval/$name-test10k.json"
step pgd10k bin/advkit attack -q --threads 2 --data "$data" --split test -s "$run/final.advkit" --attack pgd --steps 20 --alpha 2 --eps 8 --seed 0 "${limit[@]}" --out "runs/eval/$name-test10k-pgd20"
step apgd10k bin/advkit evaluate -q --threads 2 --data "$data" --split test -m "$run/final.advkit" --attacks apgd-ce,apgd-t "${limit[@]}" --out "runs/eval/$name-test10k-apgd"
say "all done"
