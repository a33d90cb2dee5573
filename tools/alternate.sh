#!/usr/bin/env bash
# Times whole commands against each other the way docs/BENCHMARKS.md asks: ROUNDS rounds, every variant once per
# round, the order rotated each round (so a slow spell of the shared VM hits every variant alike), /usr/bin/time for
# wall, CPU and peak RSS; prints each run and then the medians and each variant's ratio to the first.
#
#   tools/alternate.sh ROUNDS 'NAME::COMMAND' 'NAME::COMMAND' ...
#   tools/alternate.sh 5 'spin::bin/advkit attack ... --out /tmp/a --overwrite' \
#                        'passive::OMP_WAIT_POLICY=PASSIVE bin/advkit attack ... --out /tmp/b --overwrite'
#
# Each COMMAND runs under bash -c from the repository root; it must be rerunnable (overwrite or clear its output).
# Set ADVKIT_JAR to a fixed build so that no run includes a rebuild. Quiet machine only: one heavy job at a time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:?rounds}"
shift
names=()
commands=()
for v in "$@"; do
  names+=("${v%%::*}")
  commands+=("${v#*::}")
done
n=${#names[@]}
log="$(mktemp /tmp/alternate.XXXXXX)"
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < n; k++)); do
    i=$(((k + r) % n))
    /usr/bin/time -f "%e %U %S %M" -o "$log.one" bash -c "${commands[$i]}" >"$log.out" 2>&1 || {
      echo "alternate: '${names[$i]}' failed:" >&2
      tail -5 "$log.out" >&2
      exit 1
    }
    echo -e "${names[$i]}\t$(tr ' ' '\t' <"$log.one")" | tee -a "$log"
  done
done
python3 - "$log" "${names[@]}" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
first = None
for name in sys.argv[2:]:
    r = [[float(v) for v in row[1:]] for row in rows if row[0] == name]
    wall = statistics.median(x[0] for x in r)
    cpu = statistics.median(x[1] + x[2] for x in r)
    rss = statistics.median(x[3] / 1024 for x in r)
    first = first or (wall, cpu, rss)
    print(f"{name:24s} median wall {wall:8.2f} s  cpu {cpu:8.2f} s  peak RSS {rss:6.0f} MB   "
          f"ratio to first: wall {wall / first[0]:.3f}  cpu {cpu / first[1]:.3f}  rss {rss / first[2]:.3f}   ({len(r)} runs)")
EOF
rm -f "$log" "$log.one" "$log.out"
