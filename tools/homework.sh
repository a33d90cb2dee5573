#!/usr/bin/env bash
# The gray-box homework experiments: transfer attacks from surrogate ensembles to held-out victims.
# Usage: tools/homework.sh cifar100|cifar10 [extra advkit options, e.g. --threads 1]
# Writes runs/homework/<dataset>/<attack>/ (PNGs + attack.json) and runs/homework/<dataset>/transfer.{md,json,png}.
set -euo pipefail
cd "$(dirname "$0")/.."
ds=$1; shift
source tools/homework_data.sh
attacks=(${ATTACKS:-fgsm pgd mi mi-di mi-di-ti})
rows=()
for a in "${attacks[@]}"; do
  extra=()
  case $a in vmi*|vni*) extra=(--vmi-samples "${VMI_SAMPLES:-10}");; esac
  if [ "$a" != fgsm ]; then extra+=(--steps "${STEPS:-10}"); fi
  cmd=(bin/advkit attack -q --data "$data" --out "$out/$a" "${surrogates[@]}" --attack "$a" --eps 8 --seed 0 --weights-dir "$wd" "${extra[@]}" "$@")
  echo "+ ${cmd[*]}"
  "${cmd[@]}"
  rows+=(--adv "$out/$a")
done
cmd=(bin/advkit transfer -q --clean "$data" "${rows[@]}" "${victims[@]}" --weights-dir "$wd" --out "$out" "$@")
echo "+ ${cmd[*]}"
"${cmd[@]}"
