#!/usr/bin/env bash
# OMP_WAIT_POLICY: the README job alone (default vs PASSIVE, alternating), then two copies at once (default pair vs
# PASSIVE pair): wall and CPU seconds. Quiet machine; snapshot jar.
set -uo pipefail
cd "$(dirname "$0")/.."
# run with ADVKIT_JAR=<a fixed build> to keep sources edits out of the timings
out=/tmp/ob; rm -rf $out; mkdir -p $out; log=$out/times.txt
job() { echo attack --data ../shared/data/cifar-100_eval --out $1 -s cifar100_resnet20 -s cifar100_resnet56 -s ace_resnet32_cifar100 \
  --attack mi-di-sgm-ghost-ila --sgm-gamma 0.7 --steps 20 --fusion logits --eps 8 --weights-dir ../shared/weights/cifar100 -q; }
run() { # name policy
  local name=$1 policy=$2
  if [ "$policy" = passive ]; then
    /usr/bin/time -f "$name wall %e user %U sys %S maxrss_kb %M" -a -o $log env OMP_WAIT_POLICY=PASSIVE bin/advkit $(job $out/$name) > $out/$name.log 2>&1
  else
    /usr/bin/time -f "$name wall %e user %U sys %S maxrss_kb %M" -a -o $log env -u OMP_WAIT_POLICY bin/advkit $(job $out/$name) > $out/$name.log 2>&1
  fi
}
for r in 1 2; do
  run alone-default-$r default
  run alone-passive-$r passive
done
run pair-default-a default & run pair-default-b default & wait
run pair-passive-a passive & run pair-passive-b passive & wait
for n in alone-passive-1 alone-default-2 pair-passive-a; do
  python3 - $out/alone-default-1 $out/$n <<'PY' | tee -a $log
import sys, os, json
a, b = sys.argv[1:]
names = sorted(f for f in os.listdir(a) if f.endswith('.png'))
same = sum(open(os.path.join(a, n), 'rb').read() == open(os.path.join(b, n), 'rb').read() for n in names)
print(f"{os.path.basename(b)}: {same}/{len(names)} PNGs identical to alone-default-1; {json.load(open(os.path.join(b, 'attack.json')))['summary']['accuracy']}")
PY
done
cat $log
