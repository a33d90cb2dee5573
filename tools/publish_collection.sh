#!/usr/bin/env bash
# Publishes K evenly spaced members of an LGV run's collection as a model collection shipped in the repository:
#   tools/publish_collection.sh RUN_DIR NAME K "TRAIN COMMAND"
# copies members RUN_DIR/collection/lgv-NNN.pth (every (N/K)-th, ending with the last) to models/NAME-01.pth ...,
# measures each member's and the collection's accuracy on ../shared/data/cifar-10_eval, writes the card models/NAME.md
# and registers the members as NAME-01 ... in src/main/resources/io/advkit/model/zoo-advkit.tsv, so that
# `-s lgv:NAME` attacks them in turn. Why a subset: each member is a full model (1.1 MB for a ResNet-20); the jar
# carries K of them, and docs/RESULTS.md measures what K members transfer against all N.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/zoo_lib.sh
run=$1; name=$2; k=$3; command=$4
data=../shared/data/cifar-10_eval
mapfile -t all < <(ls "$run/collection/"lgv-*.pth | sort)
n=${#all[@]}
[ "$n" -ge "$k" ] || { echo "$run/collection holds $n models, fewer than $k" >&2; exit 1; }
arch=$(python3 -c "import json; print(json.load(open('$run/train.json'))['config']['arch'])")
picked=$(mktemp -d)
trap 'rm -rf "$picked"' EXIT
zoo_remove_rows "$name-[0-9]*"
rm -f models/"$name"-[0-9]*.pth
rows=""
for i in $(seq 1 "$k"); do
  src=${all[$(( i * n / k - 1 ))]}          # every (n/k)-th member, the last one included
  member=$(printf '%s-%02d' "$name" "$i")
  cp "$src" "models/$member.pth"
  cp "${src%.pth}.advkit" "$picked/"
  zoo_check_size "models/$member.pth"
  sha=$(sha256sum "models/$member.pth" | cut -c1-64)
  acc=$(bin/advkit eval -q --data "$data" --model "$arch:10:pytorchcv-cifar=models/$member.pth" | awk 'NR==2 {print $4}')
  zoo_row "$member" "$arch" "$sha" "$acc on cifar-10_eval (member $i of $k of the LGV collection $name, models/$name.md)"
  rows+="| \`$member\` | $(basename "$src") | $acc | \`$sha\` |"$'\n'
done
together=$(bin/advkit eval -q --data "$data" --model "lgv:$picked" | awk 'NR==2 {print $4}')
python3 - "$run" "$name" "$k" "$n" "$command" "$together" "$rows" <<'PY'
import json, sys, datetime
run, name, k, n, command, together, rows = sys.argv[1:]
t = json.load(open(f"{run}/train.json"))
c = t["config"]
lines = [f"# {name}", "",
 f"An LGV collection (Gubri et al. 2022) of {k} {c['arch']} models for CIFAR-10, made by advkit and shipped in the zoo:",
 f"`-s lgv:{name}` attacks them in turn (one member per gradient, the mean of all for predictions). They are {k}",
 f"evenly spaced members of the {n} that `advkit train --method lgv` collected along constant-rate SGD from `{c.get('init')}`;",
 "docs/RESULTS.md measures how this subset transfers against the whole collection.", "",
 "| | |", "|---|---|",
 f"| architecture | pytorchcv `{c['arch']}` (10 classes), the CIFAR-10 mean/std normalization pytorchcv uses |",
 f"| start | `{c.get('init')}` |",
 f"| recipe | {c['epochs']} epochs, batch {c['batch_size']}, SGD lr {c['optimizer']['lr']} ({c['schedule']}) momentum {c['optimizer']['momentum']}, weight decay {c['optimizer']['weight_decay']}, {c['augmentation']}; {json.dumps(c['method'])} |",
 f"| training time | {t['seconds'] / 60:.0f} minutes on the 2-core dev VM |",
 f"| the {k} members' mean logits on `../shared/data/cifar-10_eval` (1,000) | {together} |",
 f"| date | {datetime.date.today().isoformat()} |", "",
 "| member | collected as | accuracy on cifar-10_eval | sha256 of models/MEMBER.pth (PyTorch state_dict, pytorchcv key names) |",
 "|---|---|---:|---|", rows.rstrip("\n"), "", "Collected with:", "", "```bash", command, "```", ""]
open(f"models/{name}.md", "w").write("\n".join(lines))
PY
echo "published $k members of $run as $name (together $together on cifar-10_eval)"
