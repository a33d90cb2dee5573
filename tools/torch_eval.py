"""Accuracy of an advkit-exported .pth under real PyTorch and the publisher's own model code (independent of advkit).

  /usr/bin/python3 tools/torch_eval.py --pytorchcv-src /tmp/pytorchcv --model resnet20_cifar10 \
      --weights runs/resnet20_std/final.pth --data ../shared/data/cifar-10_eval
  /usr/bin/python3 tools/torch_eval.py --chenyaofo-src /tmp/chenyaofo --model cifar10_shufflenetv2_x0_5 --weights ... --data ...
Needs Debian's python3-torch and python3-pil, and a pytorchcv source tree (see compare_with_pytorchcv.py) or, for
chenyaofo's models (named as its functions, cifar10_...), a chenyaofo/pytorch-cifar-models one (compare_with_chenyaofo.py).
Inputs are normalized with the CIFAR-10 mean/std both publishers use (advkit's pytorchcv-cifar and chenyaofo-cifar10).
"""
import argparse, os, re
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--pytorchcv-src"); ap.add_argument("--chenyaofo-src"); ap.add_argument("--model", required=True)
ap.add_argument("--weights", required=True); ap.add_argument("--data", required=True)
a = ap.parse_args()
import torch
from publisher_models import chenyaofo, pytorchcv

if a.model.startswith("cifar10_") or a.model.startswith("cifar100_"):  # chenyaofo names its functions so
    net, source = chenyaofo(a.model, a.chenyaofo_src), "chenyaofo"
else:
    net, source = pytorchcv(a.model, a.pytorchcv_src), "pytorchcv"
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
print(f"PyTorch {torch.__version__} + {source} {a.model}, strict load of {a.weights}: {correct}/{len(names)} = {100.0 * correct / len(names):.1f}%")
