#!/usr/bin/env bash
# The raw forward and forward + input gradient of every zoo family (random weights, batch $BATCH, $THREADS engine
# threads): advkit's path and the same network with BatchNorm unfolded (the code path before folding) — both in the
# same rounds of one `advkit bench` — and Debian's PyTorch 1.13 on the publisher's own code for the same network
# (tools/torch_step_bench.py), the two processes alternating ROUNDS times; medians.
#
#   tools/bench_families.sh [ROUNDS] > table.md
#   ONLY='mobilenet|shufflenet' tools/bench_families.sh 2    # the families whose zoo name matches the regex
#
# Snapshots as tools/torch_step_bench.py reads them: $PYTORCHCV_SRC (/tmp/pytorchcv), $CHENYAOFO_SRC (/tmp/chenyaofo),
# $AKAMASTER_SRC (/tmp/akamaster, holding akamaster's resnet.py). Quiet machine; ADVKIT_JAR may name a fixed build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-2}"
batch="${BATCH:-128}"
threads="${THREADS:-2}"
seconds="${SECONDS_PER_VARIANT:-12}"
families=(
  "resnet20_cifar10 pytorchcv:resnet20_cifar10"
  "seresnet20_cifar10 pytorchcv:seresnet20_cifar10"
  "preresnet20_cifar10 pytorchcv:preresnet20_cifar10"
  "resnext29_32x4d_cifar10 pytorchcv:resnext29_32x4d_cifar10"
  "wrn16_10_cifar10 pytorchcv:wrn16_10_cifar10"
  "densenet40_k12_cifar10 pytorchcv:densenet40_k12_cifar10"
  "cifar100_resnet56 chenyaofo:cifar100_resnet56"
  "cifar10_vgg11_bn chenyaofo:cifar10_vgg11_bn"
  "akamaster_resnet20 akamaster:resnet20"
  "cifar10_mobilenetv2_x0_5 chenyaofo:cifar10_mobilenetv2_x0_5"
  "cifar10_shufflenetv2_x0_5 chenyaofo:cifar10_shufflenetv2_x0_5"
  "nin_cifar10 pytorchcv:nin_cifar10"
)
tmp="$(mktemp -d /tmp/bench-families.XXXXXX)"
bin/advkit --help >/dev/null
echo "| model | advkit fwd | advkit fwd+grad | unfolded fwd+grad | PyTorch 1.13 fwd | PyTorch 1.13 fwd+grad | advkit / PyTorch fwd | advkit / PyTorch fwd+grad | advkit / unfolded fwd+grad |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for f in "${families[@]}"; do
  read -r zoo torch <<<"$f"
  [[ "$zoo" =~ ${ONLY:-.} ]] || continue
  for ((r = 0; r < rounds; r++)); do
    bin/advkit bench -q -m "$zoo" --batch-size "$batch" --threads "$threads" --seconds "$seconds" --rounds 2 --unfolded \
      --json "$tmp/$zoo-$r.json" >/dev/null
    PYTHONPATH= /usr/bin/python3 tools/torch_step_bench.py --pytorchcv-src "${PYTORCHCV_SRC:-/tmp/pytorchcv}" \
      --chenyaofo-src "${CHENYAOFO_SRC:-/tmp/chenyaofo}" --akamaster-src "${AKAMASTER_SRC:-/tmp/akamaster}" --model "$torch" \
      --batch-size "$batch" --threads "$threads" --seconds "$((seconds / 2))" --rounds 2 >"$tmp/$zoo-$r.torch.json"
  done
  python3 - "$tmp" "$zoo" "$rounds" <<'EOF'
import json, statistics, sys
tmp, zoo, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
a = [json.load(open(f"{tmp}/{zoo}-{r}.json")) for r in range(rounds)]
t = [json.load(open(f"{tmp}/{zoo}-{r}.torch.json")) for r in range(rounds)]
m = lambda rows, f: statistics.median(f(x) for x in rows)
af, ag = m(a, lambda x: x["forward_images_per_s"]), m(a, lambda x: x["forward_backward_input_grad_images_per_s"])
ug = m(a, lambda x: x["unfolded"]["forward_backward_input_grad_images_per_s"])
tf, tg = m(t, lambda x: x["forward_img_s"]), m(t, lambda x: x["forward_input_gradient_img_s"])
print(f"| {zoo} | {af:,.0f} | {ag:,.0f} | {ug:,.0f} | {tf:,.0f} | {tg:,.0f} | {af / tf:.2f} | **{ag / tg:.2f}** | {ag / ug:.2f} |")
EOF
done
rm -rf "$tmp"
