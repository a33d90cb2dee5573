"""AutoAttack's reference implementation (fra31/auto-attack) on the same model and images as `advkit evaluate`.

  /usr/bin/python3 tools/autoattack_reference.py --autoattack-src /tmp/autoattack --pytorchcv-src /tmp/pytorchcv \
      --model resnet20_cifar10 --weights models/resnet20_fgsmrs_cifar10_advkit.pth --data ../shared/data/cifar-10_eval \
      --names-from out/eval/evaluate.json --norm Linf --eps 8 --json out/reference.json

Builds pytorchcv's own network (strict load of the .pth) with pytorchcv's CIFAR normalization in front, or for
akamaster_resnetN the author's resnet.py with its ImageNet normalization (strict load of the .th), and runs
AutoAttack's standard version on CPU with 2 threads. Reports the robust accuracy after each stage, the time, and
the lattice check advkit does itself: how many of the reference's adversarial examples stop fooling the model once
rounded to the nearest 8-bit image within the budget (what a saved PNG holds). Needs Debian's python3-torch and
python3-pil, and source trees of auto-attack and pytorchcv (e.g. `git archive` of the local snapshots); nothing of
theirs is committed here.
"""
import argparse, json, os, re, sys, time
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--autoattack-src", required=True); ap.add_argument("--pytorchcv-src")
ap.add_argument("--akamaster-src", help="for akamaster_resnetN: a folder with akamaster/pytorch_resnet_cifar10's resnet.py")
ap.add_argument("--model", required=True); ap.add_argument("--weights", required=True); ap.add_argument("--data", required=True)
ap.add_argument("--names-from", help="evaluate.json of advkit: attack the same images in the same order")
ap.add_argument("--norm", default="Linf"); ap.add_argument("--eps", type=float, default=8.0, help="Linf: on the 0..255 scale; L2: in [0,1] units")
ap.add_argument("--threads", type=int, default=2); ap.add_argument("--bs", type=int, default=250); ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--attacks", help="comma-separated subset of the standard cascade (AutoAttack's version='custom'), e.g. apgd-ce")
ap.add_argument("--json")
a = ap.parse_args()
sys.path.insert(0, a.pytorchcv_src); sys.path.insert(0, a.autoattack_src)
import torch
from autoattack import AutoAttack
import autoattack.autopgd_base as _apgd
import autoattack.checks as _checks
from publisher_models import akamaster, pytorchcv


def _check_zero_gradients(grad, logger=None):
    """The reference's check, with reshape for view: under Debian's torch 1.13 the gradient may be non-contiguous."""
    z = grad.reshape(grad.shape[0], -1).abs().sum(-1)
    if (z == 0).any():
        (logger.log if logger else print)(f"Warning: there are {(z == 0).sum()} points with zero gradient!")


_checks.check_zero_gradients = _apgd.check_zero_gradients = _check_zero_gradients

torch.set_num_threads(a.threads)
def build():
    """The network and its normalization, from the authors' own code."""
    if a.model.startswith("akamaster_"):
        net = akamaster(a.model[len("akamaster_"):], a.akamaster_src)
        state = torch.load(a.weights, map_location="cpu")
        state = state.get("state_dict", state)
        net.load_state_dict({k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}, strict=True)
        return net, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]  # its trainer.py's Normalize
    net = pytorchcv(a.model)
    net.load_state_dict(torch.load(a.weights, map_location="cpu"), strict=True)
    return net, [0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]  # pytorchcv's CIFAR normalization


class Normalized(torch.nn.Module):
    def __init__(self, net, mean, std):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


model = Normalized(*build()).eval()
if a.names_from:
    names = [r["name"] for r in json.load(open(a.names_from))["images"]]
else:
    names = sorted(f for f in os.listdir(a.data) if f.endswith(".png"))
x = torch.tensor(np.stack([np.asarray(Image.open(os.path.join(a.data, n)).convert("RGB")) for n in names]), dtype=torch.float32)
x = x.permute(0, 3, 1, 2).contiguous() / 255.0  # contiguous: the reference reshapes with view()
y = torch.tensor([int(re.match(r"(\d+)_", n).group(1)) for n in names])
eps = a.eps / 255.0 if a.norm == "Linf" else a.eps
log = "/tmp/autoattack_reference.log"
if os.path.exists(log):
    os.remove(log)
adversary = AutoAttack(model, norm=a.norm, eps=eps, version="standard", device="cpu", seed=a.seed, log_path=log)
if a.attacks:  # the standard version's settings, fewer stages
    adversary.attacks_to_run = a.attacks.split(",")
start = time.time()
x_adv = adversary.run_standard_evaluation(x, y, bs=a.bs)
seconds = time.time() - start
stages = re.findall(r"robust accuracy after (\S+): ([0-9.]+)%", open(log).read())
with torch.no_grad():
    clean = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)]) == y
    adv_correct = torch.cat([model(x_adv[i:i + 500]).argmax(1) for i in range(0, len(x), 500)]) == y
    # what a PNG would hold: nearest integers within the budget
    c = torch.round(x * 255)
    r = torch.round(x_adv * 255)
    if a.norm == "Linf":
        e = np.floor(a.eps + 1e-6)
        r = torch.max(torch.min(r, c + e), c - e)
    else:  # L2, L1: the nearest integers of x + s·delta for the largest s (1, 0.99, 0.99², ...) that keeps the budget
        d = x_adv * 255 - c
        order = 2 if a.norm == "L2" else 1
        for i in range(len(x)):
            s_ = 1.0
            while torch.linalg.vector_norm(r[i] - c[i], ord=order) > eps * 255 + 1e-6 and s_ > 1e-3:
                s_ *= 0.99
                r[i] = torch.round(c[i] + s_ * d[i])
    r = r.clamp(0, 255) / 255.0
    rounded_correct = torch.cat([model(r[i:i + 500]).argmax(1) for i in range(0, len(x), 500)]) == y
float_adv = clean & ~adv_correct
lost = float_adv & rounded_correct
result = {"model": a.model, "weights": a.weights, "images": len(names), "norm": a.norm, "eps": a.eps, "torch": torch.__version__,
          "threads": a.threads, "seconds": seconds, "clean_accuracy": 100.0 * clean.float().mean().item(),
          "robust_accuracy_float": 100.0 * adv_correct.float().mean().item(),
          "robust_accuracy_saved": 100.0 * (adv_correct | lost).float().mean().item(),
          "stages": [{"attack": s.lower(), "robust_accuracy": float(v)} for s, v in stages],
          "float_adversarial_examples": int(float_adv.sum()), "lost_to_rounding": int(lost.sum())}
print(json.dumps(result, indent=1))
if a.json:
    json.dump(result, open(a.json, "w"), indent=1)
