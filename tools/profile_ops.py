"""Where a forward + input-gradient pass spends its time, per operator, in advkit and in PyTorch 1.13 on the same network
(issue 16, item 1). Reads the Chrome trace that `advkit bench --profile FILE` writes and profiles the publisher's own
network in Debian's PyTorch with torch.autograd.profiler the same way (random weights, eval mode, frozen, a batch of
uniform images, cross-entropy summed, gradient to the input only), then prints self CPU time per operator and pass.

  bin/advkit bench -q -m cifar100_resnet56 --batch-size 128 --threads 2 --seconds 4 --rounds 1 --profile /tmp/ak.json
  PYTHONPATH= /usr/bin/python3 tools/profile_ops.py /tmp/ak.json --steps 5 --model chenyaofo:cifar100_resnet56 \
      --chenyaofo-src /tmp/chenyaofo --batch-size 128 --threads 2

Self time: an operator's duration less that of the operators it called (nesting read from the trace's intervals).
"""
import argparse, collections, json, os, sys

ap = argparse.ArgumentParser()
ap.add_argument("advkit_trace")
ap.add_argument("--steps", type=int, default=5, help="passes in the advkit trace (bench --profile-steps)")
ap.add_argument("--model", help="the same network for PyTorch, as tools/torch_step_bench.py names it; omit to print advkit only")
ap.add_argument("--pytorchcv-src"); ap.add_argument("--chenyaofo-src"); ap.add_argument("--akamaster-src")
ap.add_argument("--batch-size", type=int, default=128); ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--top", type=int, default=15)
a = ap.parse_args()


def self_times(events):
    """Total self time (µs) per name, from complete ('X') events nested by their intervals on each thread."""
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X":
            by_thread[e.get("tid")].append((float(e["ts"]), float(e["dur"]), e["name"]))
    total = collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda t: (t[0], -t[1]))
        stack = []  # [end, name, child time]
        def pop():
            end, name, child, dur = stack.pop()
            total[name] += dur - child
        for ts, dur, name in evs:
            while stack and stack[-1][0] <= ts:
                pop()
            if stack:
                stack[-1][2] += dur
            stack.append([ts + dur, name, 0.0, dur])
        while stack:
            pop()
    return total


def advkit_profile():
    with open(a.advkit_trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    return {k: v / a.steps / 1000 for k, v in self_times(events).items()}


def torch_profile():
    sys.argv = [sys.argv[0], "--model", a.model, "--batch-size", str(a.batch_size), "--threads", str(a.threads), "--seconds", "0.1",
                "--rounds", "1"] + sum(([f"--{k}", v] for k, v in (("pytorchcv-src", a.pytorchcv_src), ("chenyaofo-src", a.chenyaofo_src),
                                                                     ("akamaster-src", a.akamaster_src)) if v), [])
    here = os.path.dirname(os.path.abspath(__file__))
    ns = {"__name__": "torch_step_bench_lib"}
    src = open(os.path.join(here, "torch_step_bench.py")).read()
    exec(compile(src.split("\nrounds = []")[0], "torch_step_bench.py", "exec"), ns)  # the network and batch, not its timing loop
    import torch
    net, x, y = ns["net"], ns["x"], ns["y"]
    def step():
        xi = x.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(net(xi), y, reduction="sum")
        torch.autograd.grad(loss, [xi])
    step()
    with torch.autograd.profiler.profile() as prof:
        for _ in range(a.steps):
            step()
    return {e.key: e.self_cpu_time_total / a.steps / 1000 for e in prof.key_averages()}


ours = advkit_profile()
theirs = torch_profile() if a.model else {}
names = sorted(set(ours) | set(theirs), key=lambda k: -max(ours.get(k, 0), theirs.get(k, 0)))
print(f"| operator | advkit ms/pass | PyTorch 1.13 ms/pass |")
print("|---|---:|---:|")
for k in names[:a.top]:
    print(f"| {k} | {ours.get(k, 0):.2f} | {theirs.get(k, 0):.2f} |")
print(f"| **all** | **{sum(ours.values()):.1f}** | **{sum(theirs.values()):.1f}** |")
