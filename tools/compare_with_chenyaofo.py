"""Checks advkit's chenyaofo architectures (ResNet, VGG-BN, MobileNetV2, ShuffleNetV2) against chenyaofo/pytorch-cifar-models' own code.

For each case written by ChenyaofoParityTest (weights.pth exported by advkit, input.pth, logits.pth computed by
advkit; the case folder is named after chenyaofo's function, e.g. cifar10_vgg11_bn), this builds chenyaofo's model,
loads the weights with strict=True and compares the logits in eval mode. Needs PyTorch (Debian: python3-torch) and a
snapshot of the repository, e.g. git -C /work/.mirror/chenyaofo+pytorch-cifar-models/repo archive HEAD | tar -x -C /tmp/chenyaofo.
Usage: CHENYAOFO_SRC=/tmp/chenyaofo python3 compare_with_chenyaofo.py CASE_DIR...
"""
import os, sys
import torch
from publisher_models import chenyaofo

src = os.environ["CHENYAOFO_SRC"]
worst = 0.0
for case in sys.argv[1:]:
    name = os.path.basename(case.rstrip("/"))
    net = chenyaofo(name, src)
    net.load_state_dict(torch.load(os.path.join(case, "weights.pth")), strict=True)
    net.eval()
    x = torch.load(os.path.join(case, "input.pth"))["x"]
    want = torch.load(os.path.join(case, "logits.pth"))["logits"]
    with torch.no_grad():
        got = net(x)
    diff = (got - want).abs().max().item()
    worst = max(worst, diff)
    print(f"{name}: strict load ok, max |logit difference| = {diff:.2e}")
print(f"worst {worst:.2e}")
sys.exit(0 if worst < 1e-3 else 1)
