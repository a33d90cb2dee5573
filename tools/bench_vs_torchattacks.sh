#!/usr/bin/env bash
# Issue 16's whole-job comparison: advkit's homework job against the same job in torchattacks
# (tools/torchattacks_job.py), alternating whole-process runs, /usr/bin/time for wall, CPU and peak RSS.
#
#   tools/bench_vs_torchattacks.sh pgd|readme ROUNDS [OUTDIR]
#
# Needs Debian's python3-torch (+ python3-scipy for torchattacks' import), and local snapshots of torchattacks and
# chenyaofo's models in $TORCHATTACKS_SRC (default /tmp/torchattacks) and $CHENYAOFO_SRC (default /tmp/chenyaofo)
# (see tools/torchattacks_job.py). ADVKIT_JAR may name a fixed build. Run it on a quiet machine: one job at a time.
# Prints one line per run and, at the end, the medians and torchattacks' ratios to advkit (tools/alternate.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
job="${1:?pgd or readme}"
rounds="${2:-3}"
outdir="${3:-/tmp/bench-vs-torchattacks}"
shared="$here/../shared"
threads="${THREADS:-2}"
batch="${BATCH:-128}"
ta="${TORCHATTACKS_SRC:-/tmp/torchattacks}"
cy="${CHENYAOFO_SRC:-/tmp/chenyaofo}"
mkdir -p "$outdir"

case "$job" in
  pgd) models="-s cifar100_resnet56"; attack="--attack pgd --steps 10 --alpha 2" ;;
  readme) models="-s cifar100_resnet20 -s cifar100_resnet56 -s ace_resnet32_cifar100"; attack="--attack mi-di --steps 20 --fusion logits" ;;
  *) echo "job: pgd or readme" >&2; exit 2 ;;
esac

"$here/bin/advkit" --help >/dev/null # a rebuild, if the sources changed, happens here and not inside a timed run
"$here/tools/alternate.sh" "$rounds" \
  "advkit::bin/advkit attack -q --data $shared/data/cifar-100_eval --out $outdir/advkit-$job --overwrite $models $attack --eps 8 \
     --batch-size $batch --threads $threads --weights-dir $shared/weights/cifar100 >$outdir/advkit.out" \
  "torchattacks::PYTHONPATH=$ta /usr/bin/python3 tools/torchattacks_job.py --job $job --chenyaofo-src $cy \
     --data $shared/data/cifar-100_eval --weights-dir $shared/weights/cifar100 --out $outdir/torchattacks-$job --threads $threads \
     --batch-size $batch >$outdir/torchattacks.out"
tail -3 "$outdir/advkit.out"
cat "$outdir/torchattacks.out"
