#!/usr/bin/env bash
# Publishes a finished training run as a zoo model shipped in the repository:
#   tools/publish_model.sh RUN_DIR NAME "TRAIN COMMAND" [--robust]
# copies RUN_DIR/final.pth to models/NAME.pth, measures its accuracy on ../shared/data/cifar-10_eval with advkit
# (and, with --robust, under PGD-20 at eps 8/255, step 2/255, on the saved images), writes the card models/NAME.md
# and registers it in src/main/resources/io/advkit/model/zoo-advkit.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/zoo_lib.sh
run=$1; name=$2; command=$3; robust=${4:-}
data=../shared/data/cifar-10_eval
zoo_check_size "$run/final.pth"
mkdir -p models
cp "$run/final.pth" "models/$name.pth"
size=$(stat -c %s "models/$name.pth")
sha=$(sha256sum "models/$name.pth" | cut -c1-64)
arch=$(python3 -c "import json,sys; print(json.load(open('$run/train.json'))['config']['arch'])")
spec="$arch:10:pytorchcv-cifar=models/$name.pth"
clean=$(bin/advkit eval -q --data "$data" --model "$spec" --json "$run/eval-cifar10_eval.json" | awk 'NR==2 {print $4}')
robust_line=""
if [ "$robust" = "--robust" ]; then
  rm -rf "$run/pgd20"
  bin/advkit attack -q --data "$data" --out "$run/pgd20" -s "$spec" --attack pgd --steps 20 --alpha 2 --eps 8 --seed 0 >/dev/null
  acc=$(python3 -c "import json; s=json.load(open('$run/pgd20/attack.json'))['summary']['accuracy']; print('%.1f%%' % list(s.values())[0]['adversarial'])")
  robust_line="| PGD-20 accuracy (eps 8/255, step 2/255, random start, on the saved 8-bit images) | $acc |"
fi
python3 - "$run" "$name" "$command" "$clean" "$robust_line" "$sha" <<'PY'
import json, re, sys, datetime
run, name, command, clean, robust_line, sha = sys.argv[1:]
t = json.load(open(f"{run}/train.json"))
c = t["config"]
h = t["history"][-1]
# whose model code the architecture and its state_dict keys follow (what loads the .pth in PyTorch)
publisher, code = ("chenyaofo/pytorch-cifar-models", c["arch"][len("chenyaofo_"):]) if c["arch"].startswith("chenyaofo_") else ("pytorchcv", c["arch"])
wrn = re.fullmatch(r"wrn(\d+)_(\d+)", c["arch"])
if wrn:  # pytorchcv names few WRN-d-k; its generic builder makes any
    code = f"get_wrn_cifar(num_classes=10, blocks={wrn.group(1)}, width_factor={wrn.group(2)})"
if c["arch"] == "preactresnet18":  # not a pytorchcv name: its CIFARPreResNet with other channels (tools/publisher_models.py)
    code = "CIFARPreResNet(channels=[[64,64],[128,128],[256,256],[512,512]], init_block_channels=64, bottleneck=False)` with `features.final_pool = AdaptiveAvgPool2d(1)"
threads = (t.get("run") or {}).get("threads", 1)
lines = [f"# {name}", "",
 f"A {c['arch']} for CIFAR-10 trained by advkit (method `{c['method']['method']}`), shipped in the zoo as `{name}`.", "",
 "| | |", "|---|---|",
 f"| architecture | {publisher} `{code}` (10 classes; advkit `{c['arch']}`), the CIFAR-10 mean/std normalization pytorchcv and chenyaofo use |",
 f"| data | CIFAR-10 train split of `../shared/data/cifar10-jpg.tar.gz` (JPEG q75), 50,000 images |",
 f"| recipe | {c['epochs']} epochs, batch {c['batch_size']}, SGD lr {c['optimizer']['lr']} momentum {c['optimizer']['momentum']}"
 f"{' Nesterov' if c['optimizer']['nesterov'] else ''}, weight decay {c['optimizer']['weight_decay']}, {c['schedule']} schedule, {c['augmentation']} |",
 f"| method | {json.dumps(c['method'])} |"]
if 'threat' in c:
    lines.append(f"| threat model | {c['threat']['norm']} eps {c['threat']['eps_255']:.0f}/255 |")
lines += [f"| epochs run | {t['epochs_run']} |",
 f"| training time | {t['seconds'] / 3600:.2f} h on the 2-core dev VM ({threads} engine thread{'s' if threads != 1 else ''}; what else shared the machine: docs/RESULTS.md) |",
 f"| held-out accuracy in training (CIFAR-10 JPEG test split, 10,000) | {h['val_acc']:.2f}% |",
 f"| accuracy on `../shared/data/cifar-10_eval` (1,000) | {clean} |"]
if robust_line:
    lines.append(robust_line)
lines += [f"| file | `models/{name}.pth`, PyTorch zip state_dict with {publisher}'s key names, sha256 `{sha}` |",
 f"| date | {datetime.date.today().isoformat()} |", "", "Trained with:", "", "```bash", command, "```", ""]
open(f"models/{name}.md", "w").write("\n".join(lines))
PY
zoo_remove_rows "$name"
zoo_row "$name" "$arch" "$sha" "$clean on cifar-10_eval (models/$name.md)"
echo "published models/$name.pth ($size bytes): clean $clean${robust_line:+, PGD-20 $acc}"
