"""Checks advkit's architectures against pytorchcv's own PyTorch code (an independent implementation).

For each case written by PytorchcvParityTest (weights.pth from advkit, input.pth, logits.pth computed by
advkit), this script builds the pytorchcv model, loads the weights with strict=True (every key and shape
must match), runs it in eval mode and compares the logits. Needs PyTorch (Debian: python3-torch) and a
pytorchcv source tree on PYTHONPATH, e.g. git -C /work/.mirror/osmr+pytorchcv/repo archive HEAD | tar -x -C /tmp/pytorchcv.
Usage: python3 compare_with_pytorchcv.py CASE_DIR...   (CASE_DIR name = pytorchcv model name)
"""
import os, sys
import torch
from publisher_models import pytorchcv

worst = 0.0
for case in sys.argv[1:]:
    name = os.path.basename(case.rstrip("/"))
    net = pytorchcv(name)
    sd = torch.load(os.path.join(case, "weights.pth"))
    net.load_state_dict(sd, strict=True)
    net.eval()
    x = torch.load(os.path.join(case, "input.pth"))["x"]
    want = torch.load(os.path.join(case, "logits.pth"))["logits"]
    with torch.no_grad():
        got = net(x)
    diff = (got - want).abs().max().item()
    scale = want.abs().max().item()
    worst = max(worst, diff / max(scale, 1e-6))
    print(f"{name}: keys {len(sd)} strict-load ok, max |logit diff| {diff:.2e} (logit scale {scale:.2f})")
print(f"worst relative difference {worst:.2e}")
sys.exit(0 if worst < 1e-4 else 1)
