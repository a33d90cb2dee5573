"""Accuracy of an advkit-exported .pth under real PyTorch and the publisher's own model code (independent of advkit).

  /usr/bin/python3 tools/torch_eval.py --pytorchcv-src /tmp/pytorchcv --model resnet20_cifar10 \
      --weights runs/resnet20_std/final.pth --data ../shared/data/cifar-10_eval
  /usr/bin/python3 tools/torch_eval.py --chenyaofo-src /tmp/chenyaofo --model cifar10_shufflenetv2_x0_5 --weights ... --data ...
Needs Debian's python3-torch and python3-pil, and a pytorchcv source tree (see compare_with_pytorchcv.py) or, for
chenyaofo's models (named as its functions, cifar10_...), a chenyaofo/pytorch-cifar-models one (compare_with_chenyaofo.py).
Inputs are normalized with the CIFAR-10 mean/std both publishers use (advkit's pytorchcv-cifar and chenyaofo-cifar10).
"""
import argparse, importlib, importlib.util, os, re, sys
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--pytorchcv-src"); ap.add_argument("--chenyaofo-src"); ap.add_argument("--model", required=True)
ap.add_argument("--weights", required=True); ap.add_argument("--data", required=True)
a = ap.parse_args()
import torch

MODULES = [("sepreresnet", "sepreresnet_cifar"), ("seresnet", "seresnet_cifar"), ("preresnet", "preresnet_cifar"),
           ("resnext", "resnext_cifar"), ("resnet", "resnet_cifar"), ("wrn", "wrn_cifar"), ("densenet", "densenet_cifar"),
           ("nin", "nin_cifar")]
if a.model.startswith("cifar10_") or a.model.startswith("cifar100_"):  # chenyaofo's: one model file, loaded by path
    kind = next((k for k in ("vgg", "mobilenetv2", "shufflenetv2") if k in a.model), "resnet")
    spec = importlib.util.spec_from_file_location("chenyaofo_" + kind, os.path.join(a.chenyaofo_src, "pytorch_cifar_models", kind + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its file looks itself up there
    spec.loader.exec_module(mod)
    net = getattr(mod, a.model)(pretrained=False)
    source = "chenyaofo"
else:
    sys.path.insert(0, a.pytorchcv_src)
    module = next(m for p, m in MODULES if a.model.startswith(p))
    mod = importlib.import_module("pytorchcv.models." + module)
    wrn = re.fullmatch(r"wrn(\d+)_(\d+)_cifar(\d+)", a.model)
    if not hasattr(mod, a.model) and wrn:  # a WRN-d-k pytorchcv does not name (e.g. wrn16_4): its own generic builder
        net = mod.get_wrn_cifar(num_classes=int(wrn.group(3)), blocks=int(wrn.group(1)), width_factor=int(wrn.group(2)))
    else:
        net = getattr(mod, a.model)(pretrained=False)
    source = "pytorchcv"
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
