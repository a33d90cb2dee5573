"""The raw attack step in PyTorch, for the same figure `advkit bench` gives: images/s of forward passes and of
forward + cross-entropy + backward to the input pixels, weights frozen, on a pytorchcv CIFAR network with random
weights, N threads.

  PYTHONPATH= /usr/bin/python3 tools/torch_step_bench.py --pytorchcv-src /tmp/pytorchcv --model resnet20_cifar10 \
      --batch-size 250 --threads 2 --seconds 10 --rounds 3
"""
import argparse, importlib, json, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--pytorchcv-src", required=True); ap.add_argument("--model", default="resnet20_cifar10")
ap.add_argument("--batch-size", type=int, default=250); ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seconds", type=float, default=10); ap.add_argument("--rounds", type=int, default=3)
a = ap.parse_args()
sys.path.insert(0, a.pytorchcv_src)
import torch

torch.set_num_threads(a.threads)
torch.manual_seed(0)
net = getattr(importlib.import_module("pytorchcv.models.resnet_cifar"), a.model)(pretrained=False).eval()
for p in net.parameters():
    p.requires_grad_(False)
x = torch.rand(a.batch_size, 3, 32, 32)
y = torch.randint(0, 10, (a.batch_size,))


def forward():
    with torch.no_grad():
        net(x)


def gradient():
    xi = x.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(net(xi), y, reduction="sum")
    torch.autograd.grad(loss, [xi])


def rate(f):
    f()  # warm-up
    n, start = 0, time.time()
    while time.time() - start < a.seconds:
        f()
        n += a.batch_size
    return n / (time.time() - start)


rounds = [{"forward": rate(forward), "gradient": rate(gradient)} for _ in range(a.rounds)]
med = lambda k: sorted(r[k] for r in rounds)[len(rounds) // 2]
print(json.dumps({"torch": torch.__version__, "model": a.model, "batch": a.batch_size, "threads": a.threads,
                  "forward_img_s": med("forward"), "forward_input_gradient_img_s": med("gradient"), "rounds": rounds}, indent=1))
