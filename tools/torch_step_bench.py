"""The raw attack step in PyTorch, for the same figure `advkit bench` gives: images/s of forward passes and of
forward + cross-entropy + backward to the input pixels, weights frozen, eval mode, random weights, N threads, in
interleaved rounds (medians). The network comes from its publisher's own code, read from a local snapshot:

  pytorchcv:NAME      e.g. pytorchcv:resnet20_cifar10, pytorchcv:resnext29_32x4d_cifar10   (--pytorchcv-src)
  chenyaofo:NAME      e.g. chenyaofo:cifar100_resnet56, chenyaofo:cifar10_vgg11_bn          (--chenyaofo-src)
  akamaster:NAME      e.g. akamaster:resnet20                                              (--akamaster-src, resnet.py)

  PYTHONPATH= /usr/bin/python3 tools/torch_step_bench.py --pytorchcv-src /tmp/pytorchcv --model pytorchcv:resnet20_cifar10 \
      --batch-size 128 --threads 2 --seconds 10 --rounds 3 [--channels-last]

--channels-last also times the network and batch converted to torch.channels_last (what a PyTorch user can do by hand).
--train also times a standard training batch (train mode, cross-entropy, backward to the weights, SGD momentum 0.9,
weight decay 5e-4: what `advkit bench --train-methods standard` times) as train_img_s.
"""
import argparse, json, time

ap = argparse.ArgumentParser()
ap.add_argument("--pytorchcv-src"); ap.add_argument("--chenyaofo-src"); ap.add_argument("--akamaster-src")
ap.add_argument("--model", default="pytorchcv:resnet20_cifar10")
ap.add_argument("--batch-size", type=int, default=128); ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seconds", type=float, default=10); ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--channels-last", action="store_true"); ap.add_argument("--train", action="store_true")
a = ap.parse_args()
import torch
from publisher_models import akamaster, chenyaofo, pytorchcv


def network(spec):
    source, name = spec.split(":", 1) if ":" in spec else ("pytorchcv", spec)
    if source == "pytorchcv":
        return pytorchcv(name, a.pytorchcv_src)
    if source == "chenyaofo":
        return chenyaofo(name, a.chenyaofo_src)
    if source == "akamaster":
        return akamaster(name, a.akamaster_src)
    raise SystemExit("unknown model source: " + source)


torch.set_num_threads(a.threads)
torch.manual_seed(0)
net = network(a.model).eval()
for p in net.parameters():
    p.requires_grad_(False)
classes = net(torch.zeros(1, 3, 32, 32)).shape[1]
x = torch.rand(a.batch_size, 3, 32, 32)
y = torch.randint(0, classes, (a.batch_size,))
variants = {"": (net, x)}
if a.channels_last:
    import copy
    variants["channels_last_"] = (copy.deepcopy(net).to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last))


def forward(n, xb):
    with torch.no_grad():
        n(xb)


def gradient(n, xb):
    xi = xb.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(n(xi), y, reduction="sum")
    torch.autograd.grad(loss, [xi])


def rate(f, n, xb):
    f(n, xb)  # warm-up
    count, start = 0, time.time()
    while time.time() - start < a.seconds / a.rounds:
        f(n, xb)
        count += a.batch_size
    return count / (time.time() - start)


if a.train:
    import copy
    trained = copy.deepcopy(net).train()
    for p in trained.parameters():
        p.requires_grad_(True)
    sgd = torch.optim.SGD(trained.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)


def train_batch(n, xb):
    sgd.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(n(xb), y).backward()
    sgd.step()


rounds = []
for _ in range(a.rounds):
    r = {}
    for prefix, (n, xb) in variants.items():
        r[prefix + "forward"] = rate(forward, n, xb)
        r[prefix + "gradient"] = rate(gradient, n, xb)
    if a.train:
        r["train"] = rate(train_batch, trained, x)
    rounds.append(r)
med = {k: sorted(r[k] for r in rounds)[len(rounds) // 2] for k in rounds[0]}
out = {"torch": torch.__version__, "model": a.model, "batch": a.batch_size, "threads": a.threads,
       "forward_img_s": med["forward"], "forward_input_gradient_img_s": med["gradient"]}
if a.train:
    out["train_img_s"] = med["train"]
if a.channels_last:
    out.update(channels_last_forward_img_s=med["channels_last_forward"], channels_last_forward_input_gradient_img_s=med["channels_last_gradient"])
print(json.dumps(out))
