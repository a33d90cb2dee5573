"""The homework job in Python, as a user without advkit would write it: torchattacks on Debian's PyTorch, the same
chenyaofo CIFAR-100 checkpoints and images, the same saved-image semantics as `advkit attack` (each adversarial image
rounded to the nearest integer inside [max(0, x-eps), min(255, x+eps)], written as PNG, re-read, and every surrogate's
prediction taken before the attack and on the re-read PNG). It is the Python side of issue 16's whole-job comparison.

  pgd:    PGD-10 (random start) on cifar100_resnet56, eps 8/255, alpha 2/255
          (= bin/advkit attack ... -s cifar100_resnet56 --attack pgd --steps 10 --alpha 2 --eps 8)
  readme: MI-DI, 20 steps, alpha eps/20, decay 1, DI p 0.5 resize 0.9, on the logit-averaging ensemble of
          cifar100_resnet20, cifar100_resnet56 and ace_resnet32_cifar100
          (= bin/advkit attack ... -s cifar100_resnet20 -s cifar100_resnet56 -s ace_resnet32_cifar100 --attack mi-di
          --steps 20 --fusion logits --eps 8)

torchattacks and chenyaofo's model code come from local snapshots (read, never committed):
  git -C /work/.mirror/Harry24k+adversarial-attacks-pytorch/repo archive HEAD | tar -x -C /tmp/torchattacks
  git -C /work/.mirror/chenyaofo+pytorch-cifar-models/repo archive HEAD | tar -x -C /tmp/chenyaofo
  PYTHONPATH=/tmp/torchattacks /usr/bin/python3 tools/torchattacks_job.py --job pgd --chenyaofo-src /tmp/chenyaofo \
      --data ../shared/data/cifar-100_eval --weights-dir ../shared/weights/cifar100 --out /tmp/ta-pgd --threads 2
"""
import argparse, json, os, time

import numpy as np
import torch
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--job", choices=["pgd", "readme"], required=True)
ap.add_argument("--chenyaofo-src", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--weights-dir", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--batch-size", type=int, default=128)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()

import torchattacks  # from PYTHONPATH
from publisher_models import chenyaofo

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
start = time.time()


MEAN, STD = (0.5070, 0.4865, 0.4409), (0.2673, 0.2564, 0.2761)  # chenyaofo's CIFAR-100 normalization
FILES = {"cifar100_resnet20": "cifar100_resnet20-23dac2f1.pt", "cifar100_resnet56": "cifar100_resnet56-f2eff4c8.pt",
         "cifar100_resnet32": "ace_resnet32_cifar100.pt"}


class Normalized(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


class LogitEnsemble(torch.nn.Module):
    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([m(x) for m in self.members]).mean(0)


def load(name):
    net = chenyaofo(name, a.chenyaofo_src)
    state = torch.load(os.path.join(a.weights_dir, FILES[name]), map_location="cpu")
    net.load_state_dict(state.get("state_dict", state), strict=True)
    model = Normalized(net).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


if a.job == "pgd":
    surrogates = [load("cifar100_resnet56")]
    attacked = surrogates[0]
    attack = torchattacks.PGD(attacked, eps=8 / 255, alpha=2 / 255, steps=10, random_start=True)
else:
    surrogates = [load(n) for n in ("cifar100_resnet20", "cifar100_resnet56", "cifar100_resnet32")]
    attacked = LogitEnsemble(surrogates).eval()
    attack = torchattacks.DIFGSM(attacked, eps=8 / 255, alpha=8 / 255 / 20, steps=20, decay=1.0, resize_rate=0.9, diversity_prob=0.5)

names = sorted(f for f in os.listdir(a.data) if f.endswith(".png"))
os.makedirs(a.out, exist_ok=True)
models = surrogates + ([attacked] if attacked is not surrogates[0] else [])
correct_before, correct_after = [0] * len(models), [0] * len(models)
eps = 8
for b in range(0, len(names), a.batch_size):
    batch = names[b:b + a.batch_size]
    pixels = np.stack([np.asarray(Image.open(os.path.join(a.data, n)).convert("RGB")) for n in batch])  # N,H,W,C uint8
    labels = torch.tensor([int(n.split("_")[0]) for n in batch])
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        for i, m in enumerate(models):
            correct_before[i] += (m(x).argmax(1) == labels).sum().item()
    adv = attack(x, labels)
    # the 8-bit image inside the budget: nearest integer, then into [x - eps, x + eps] and [0, 255]
    q = np.rint(adv.permute(0, 2, 3, 1).numpy() * 255).astype(np.int32)
    q = np.clip(q, pixels.astype(np.int32) - eps, pixels.astype(np.int32) + eps).clip(0, 255).astype(np.uint8)
    for n, img in zip(batch, q):
        Image.fromarray(img).save(os.path.join(a.out, n))
    back = np.stack([np.asarray(Image.open(os.path.join(a.out, n)).convert("RGB")) for n in batch])
    xb = torch.from_numpy(back).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        for i, m in enumerate(models):
            correct_after[i] += (m(xb).argmax(1) == labels).sum().item()
n = len(names)
print(json.dumps({"job": a.job, "torch": torch.__version__, "threads": torch.get_num_threads(), "images": n,
                  "seconds": round(time.time() - start, 2),
                  "accuracy_before": [100.0 * c / n for c in correct_before],
                  "accuracy_after": [100.0 * c / n for c in correct_after]}))
