#!/usr/bin/env bash
# A standard training batch (random data, batch $BATCH, $THREADS engine threads; SGD momentum 0.9, weight decay 5e-4)
# of zoo families in advkit (`advkit bench --train-methods standard`) and in Debian's PyTorch 1.13 on the publisher's
# own code (tools/torch_step_bench.py --train), the two processes alternating ROUNDS times; medians, images/s, and
# the 50,000-image epoch in minutes that the rate implies (data loading and augmentation not included).
#
#   tools/bench_training.sh [ROUNDS] > table.md
#   ONLY='mobilenet|shufflenet' tools/bench_training.sh 2
#
# Snapshots as in tools/bench_families.sh. Quiet machine; ADVKIT_JAR may name a fixed build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-2}"
batch="${BATCH:-128}"
threads="${THREADS:-2}"
seconds="${SECONDS_PER_VARIANT:-20}"
families=(
  "resnet20_cifar10 pytorchcv:resnet20_cifar10"
  "cifar10_mobilenetv2_x0_5 chenyaofo:cifar10_mobilenetv2_x0_5"
  "cifar10_shufflenetv2_x0_5 chenyaofo:cifar10_shufflenetv2_x0_5"
  "nin_cifar10 pytorchcv:nin_cifar10"
)
tmp="$(mktemp -d /tmp/bench-training.XXXXXX)"
bin/advkit --help >/dev/null
echo "| model | advkit train (img/s) | PyTorch 1.13 train (img/s) | advkit / PyTorch | advkit epoch (min) | PyTorch epoch (min) |"
echo "|---|---:|---:|---:|---:|---:|"
for f in "${families[@]}"; do
  read -r zoo torch <<<"$f"
  [[ "$zoo" =~ ${ONLY:-.} ]] || continue
  for ((r = 0; r < rounds; r++)); do
    bin/advkit bench -q -m "$zoo" --batch-size "$batch" --threads "$threads" --seconds "$seconds" --rounds 2 \
      --train-methods standard --json "$tmp/$zoo-$r.json" >/dev/null
    PYTHONPATH= /usr/bin/python3 tools/torch_step_bench.py --pytorchcv-src "${PYTORCHCV_SRC:-/tmp/pytorchcv}" \
      --chenyaofo-src "${CHENYAOFO_SRC:-/tmp/chenyaofo}" --akamaster-src "${AKAMASTER_SRC:-/tmp/akamaster}" --model "$torch" \
      --batch-size "$batch" --threads "$threads" --seconds "$seconds" --rounds 2 --train >"$tmp/$zoo-$r.torch.json"
  done
  python3 - "$tmp" "$zoo" "$rounds" <<'PY'
import json, statistics, sys
tmp, zoo, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
a = statistics.median(json.load(open(f"{tmp}/{zoo}-{r}.json"))["training"]["standard"]["images_per_s"] for r in range(rounds))
t = statistics.median(json.load(open(f"{tmp}/{zoo}-{r}.torch.json"))["train_img_s"] for r in range(rounds))
print(f"| {zoo} | {a:,.0f} | {t:,.0f} | **{a / t:.2f}** | {50000 / a / 60:.1f} | {50000 / t / 60:.1f} |")
PY
done
rm -rf "$tmp"
