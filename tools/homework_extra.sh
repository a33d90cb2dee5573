#!/usr/bin/env bash
# Extra attack configurations for the gray-box homework, searching the best transfer combination:
#   tools/homework_extra.sh cifar100|cifar10 [advkit options]
# Each row: OUT_NAME ATTACK [attack options]; outputs beside tools/homework.sh's in runs/homework/<dataset>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ds=$1; shift
source tools/homework_data.sh
while read -r name attack opts; do
  [ -z "$name" ] && continue
  cmd=(bin/advkit attack -q --data "$data" --out "$out/$name" "${surrogates[@]}" --attack "$attack" --eps 8 --seed 0 --weights-dir "$wd" $opts "$@")
  echo "+ ${cmd[*]}"
  "${cmd[@]}"
done <<ROWS
${ROWS:-vmi-di vmi-di --steps 10 --vmi-samples 10
vni-di vni-di --steps 10 --vmi-samples 10
mi-di-ti3 mi-di-ti --steps 10 --ti-kernel 3
mi-di-logits mi-di --steps 10 --fusion logits}
ROWS
