"""Exports a chenyaofo CIFAR model (its own code, from a local snapshot of chenyaofo/pytorch-cifar-models) with its
normalization inside, as TorchScript (traced or scripted) and ONNX: the models a user brings, for checking advkit's
torchscript:/onnx: paths against the zoo model on the same weights.

  PYTHONPATH= /usr/bin/python3 tools/export_external_model.py --chenyaofo-src /tmp/chenyaofo \\
      --model cifar100_resnet20 --weights ../shared/weights/cifar100/cifar100_resnet20-23dac2f1.pt \\
      --torchscript runs/external/resnet20.pt --onnx runs/external/resnet20.onnx [--script] [--upsample 64]

--upsample S puts a bilinear resize from S×S to 32×32 in front (a network whose input is S×S), for the any-size check.
"""
import argparse, os
import torch, torch.nn as nn, torch.nn.functional as F
from publisher_models import chenyaofo

ap = argparse.ArgumentParser()
ap.add_argument("--chenyaofo-src", required=True); ap.add_argument("--model", required=True)
ap.add_argument("--weights", required=True); ap.add_argument("--torchscript"); ap.add_argument("--onnx")
ap.add_argument("--script", action="store_true"); ap.add_argument("--upsample", type=int)
a = ap.parse_args()

net = chenyaofo(a.model, a.chenyaofo_src)
net.load_state_dict(torch.load(a.weights, map_location="cpu"), strict=True)
stats = {"cifar10": ([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]),
         "cifar100": ([0.5070, 0.4865, 0.4409], [0.2673, 0.2564, 0.2761])}[a.model.split("_")[0]]


class WithNormalization(nn.Module):
    def __init__(self, net, mean, std, side: int):
        super().__init__()
        self.net = net
        self.side = side
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, x):
        if self.side != 32:
            x = F.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
        return self.net((x - self.mean) / self.std)


side = a.upsample or 32
m = WithNormalization(net, *stats, side).eval()
example = torch.rand(2, 3, side, side)
for path in [a.torchscript, a.onnx]:
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
if a.torchscript:
    torch.jit.save(torch.jit.script(m) if a.script else torch.jit.trace(m, example), a.torchscript)
if a.onnx:
    torch.onnx.export(m, example, a.onnx, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
print("exported", a.model, "input", side, "x", side, "->", [p for p in [a.torchscript, a.onnx] if p])
