#!/usr/bin/env bash
# Spark vs one process on the homework job (README's main job, batch 50), interleaved rounds; then shard sizes; then
# start-up cost (eval of 10 images). Quiet machine only.
set -uo pipefail
cd "$(dirname "$0")/.."
out=/tmp/sb; rm -rf $out; mkdir -p $out
log=$out/times.txt
job=(attack --data ../shared/data/cifar-100_eval --weights-dir ../shared/weights/cifar100 -s cifar100_resnet20 -s cifar100_resnet56
     -s ace_resnet32_cifar100 --attack mi-di-sgm-ghost-ila --sgm-gamma 0.7 --steps 20 --fusion logits --eps 8 -q --batch-size 50)
t() { local name=$1; shift; local s=$(date +%s.%N); "$@" > $out/$name.log 2>&1; local rc=$?; local e=$(date +%s.%N);
      echo "$name rc=$rc $(echo "$e - $s" | bc)" | tee -a $log; }
master=$(tools/local_spark_cluster.sh start 2) || exit 1
echo "master $master" | tee -a $log
for r in 1 2; do
  t single-$r bin/advkit "${job[@]}" --threads 2 --out $out/single-$r
  t cluster-$r bin/advkit "${job[@]}" --threads 1 --shard-size 50 --spark $master --out $out/cluster-$r
done
for s in 100 250; do
  t shard$s bin/advkit "${job[@]}" --threads 1 --shard-size $s --spark $master --out $out/shard$s
done
ev=(eval --data ../shared/data/cifar-100_eval --weights-dir ../shared/weights/cifar100 -m cifar100_resnet20 --limit 10 -q --batch-size 10)
for r in 1 2 3; do
  t eval-single-$r bin/advkit "${ev[@]}" --threads 1
  t eval-cluster-$r bin/advkit "${ev[@]}" --threads 1 --spark $master
done
tools/local_spark_cluster.sh stop
for d in cluster-1 cluster-2 shard100 shard250 single-2; do
  python3 - "$out/single-1" "$out/$d" <<'PY' | tee -a $log
import sys, os, json
a, b = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(a) if f.endswith('.png'))
same = sum(open(os.path.join(a, n), 'rb').read() == open(os.path.join(b, n), 'rb').read() for n in names)
ja, jb = json.load(open(os.path.join(a, 'attack.json'))), json.load(open(os.path.join(b, 'attack.json')))
print(f"{os.path.basename(b)} vs single-1: {same}/{len(names)} PNGs identical, records equal: {ja['images'] == jb['images']}, "
      f"accuracy {jb['summary']['accuracy']}")
PY
done
