"""Accuracy of an advkit-exported .pth under real PyTorch and pytorchcv's own model code (independent of advkit).

  /usr/bin/python3 tools/torch_eval.py --pytorchcv-src /tmp/pytorchcv --model resnet20_cifar10 \
      --weights runs/resnet20_std/final.pth --data ../shared/data/cifar-10_eval
Needs Debian's python3-torch and python3-pil, and a pytorchcv source tree (see compare_with_pytorchcv.py).
Inputs are normalized with pytorchcv's CIFAR mean/std, as advkit's pytorchcv-cifar normalization does.
"""
import argparse, importlib, os, re, sys
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--pytorchcv-src", required=True); ap.add_argument("--model", required=True)
ap.add_argument("--weights", required=True); ap.add_argument("--data", required=True)
a = ap.parse_args()
sys.path.insert(0, a.pytorchcv_src)
import torch

MODULES = [("sepreresnet", "sepreresnet_cifar"), ("seresnet", "seresnet_cifar"), ("preresnet", "preresnet_cifar"),
           ("resnext", "resnext_cifar"), ("resnet", "resnet_cifar"), ("wrn", "wrn_cifar"), ("densenet", "densenet_cifar"),
           ("nin", "nin_cifar")]
module = next(m for p, m in MODULES if a.model.startswith(p))
mod = importlib.import_module("pytorchcv.models." + module)
wrn = re.fullmatch(r"wrn(\d+)_(\d+)_cifar(\d+)", a.model)
if not hasattr(mod, a.model) and wrn:  # a WRN-d-k pytorchcv does not name (e.g. wrn16_4): its own generic builder
    net = mod.get_wrn_cifar(num_classes=int(wrn.group(3)), blocks=int(wrn.group(1)), width_factor=int(wrn.group(2)))
else:
    net = getattr(mod, a.model)(pretrained=False)
net.load_state_dict(torch.load(a.weights, map_location="cpu"), strict=True)
net.eval()
names = sorted(f for f in os.listdir(a.data) if f.endswith(".png"))
x = torch.tensor(np.stack([np.asarray(Image.open(os.path.join(a.data, n)).convert("RGB")) for n in names]), dtype=torch.float32)
x = x.permute(0, 3, 1, 2) / 255.0
x = (x - torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)) / torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)
y = torch.tensor([int(re.match(r"(\d+)_", n).group(1)) for n in names])
with torch.no_grad():
    pred = torch.cat([net(x[i:i + 200]).argmax(1) for i in range(0, len(x), 200)])
correct = int((pred == y).sum())
print(f"PyTorch {torch.__version__} + pytorchcv {a.model}, strict load of {a.weights}: {correct}/{len(names)} = {100.0 * correct / len(names):.1f}%")
