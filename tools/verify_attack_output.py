"""Independent check of an advkit attack output folder (no advkit code involved).

Reads both folders with PIL: same file names, same sizes, per-pixel difference at most --eps (0..255).
With --weights (a chenyaofo CIFAR ResNet checkpoint, e.g. ../shared/weights/cifar100/cifar100_resnet56-f2eff4c8.pt)
it also evaluates that model with PyTorch on the clean and adversarial images, using a from-scratch
PyTorch definition of the chenyaofo architecture below. Run with Debian's python3 (python3-torch, python3-pil):
  /usr/bin/python3 tools/verify_attack_output.py CLEAN_DIR ADV_DIR --eps 8 [--weights FILE --depth 56 --classes 100]
With --resize/--center-crop the clean images (PNG or JPEG, any size) go through torchvision's Resize + CenterCrop
rules on PIL first, as the attack's data stage did; --torchscript FILE evaluates that module with torch.jit.load.
"""
import argparse, os, re, sys
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("clean"); ap.add_argument("adv")
ap.add_argument("--eps", type=int, default=8)
ap.add_argument("--resize", type=int); ap.add_argument("--center-crop", type=int); ap.add_argument("--torchscript")
ap.add_argument("--weights"); ap.add_argument("--depth", type=int, default=56); ap.add_argument("--classes", type=int, default=100)
a = ap.parse_args()



def preprocess(img):  # torchvision's Resize(int) and CenterCrop on a PIL image, bilinear
    if a.resize:
        w, h = img.size
        short, long = (w, h) if w <= h else (h, w)
        if short != a.resize:
            ow, oh = (a.resize, int(a.resize * long / short)) if w <= h else (int(a.resize * long / short), a.resize)
            img = img.resize((ow, oh), Image.BILINEAR)
    if a.center_crop:
        w, h = img.size
        top, left = int(round((h - a.center_crop) / 2.0)), int(round((w - a.center_crop) / 2.0))
        img = img.crop((left, top, left + a.center_crop, top + a.center_crop))
    return img


sources = {os.path.splitext(f)[0]: f for f in os.listdir(a.clean) if f.lower().endswith((".png", ".jpg", ".jpeg"))}
names = sorted(sources)
adv_names = sorted(os.path.splitext(f)[0] for f in os.listdir(a.adv) if f.endswith(".png"))
assert names == adv_names, f"names differ: {len(names)} clean vs {len(adv_names)} adversarial"
worst = 0
clean, adv, labels = [], [], []
for n in names:
    c = np.asarray(preprocess(Image.open(os.path.join(a.clean, sources[n])).convert("RGB")), dtype=np.int16)
    d = np.asarray(Image.open(os.path.join(a.adv, n + ".png")), dtype=np.int16)
    assert d.shape == c.shape, f"{n}: shape {d.shape} vs {c.shape}"
    worst = max(worst, int(np.abs(d - c).max()))
    clean.append(c); adv.append(d); labels.append(int(re.match(r"(\d+)_", n).group(1)))
print(f"{len(names)} names match; max |adv - clean| = {worst} (budget {a.eps}): {'OK' if worst <= a.eps else 'VIOLATED'}")
ok = worst <= a.eps

if a.torchscript:
    import torch
    net = torch.jit.load(a.torchscript, map_location="cpu").eval()
    y = torch.tensor(labels)
    for tag, imgs in (("clean", clean), ("adversarial", adv)):
        x = torch.tensor(np.stack(imgs), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
        with torch.no_grad():
            acc = (net(x).argmax(1) == y).float().mean().item() * 100
        print(f"PyTorch {torch.__version__} torch.jit.load({a.torchscript}) accuracy on {tag}: {acc:.1f}%")

if a.weights:
    import torch, torch.nn as nn, torch.nn.functional as F

    class Block(nn.Module):
        def __init__(s, i, o, stride):
            super().__init__()
            s.conv1 = nn.Conv2d(i, o, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(o)
            s.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(o)
            s.downsample = nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o)) if stride != 1 or i != o else None
        def forward(s, x):
            y = F.relu(s.bn1(s.conv1(x))); y = s.bn2(s.conv2(y))
            return F.relu(y + (x if s.downsample is None else s.downsample(x)))

    class Net(nn.Module):
        def __init__(s, depth, classes):
            super().__init__()
            n = (depth - 2) // 6
            s.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(16)
            chans, i = [16, 32, 64], 16
            for li, c in enumerate(chans):
                layer = []
                for j in range(n):
                    layer.append(Block(i, c, 2 if j == 0 and li > 0 else 1)); i = c
                setattr(s, f"layer{li + 1}", nn.Sequential(*layer))
            s.fc = nn.Linear(64, classes)
        def forward(s, x):
            x = F.relu(s.bn1(s.conv1(x)))
            x = s.layer3(s.layer2(s.layer1(x)))
            return s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    net = Net(a.depth, a.classes)
    sd = torch.load(a.weights, map_location="cpu")
    sd = sd.get("state_dict", sd)
    net.load_state_dict({k.replace("module.", ""): v for k, v in sd.items()})
    net.eval()
    mean = torch.tensor([0.5070, 0.4865, 0.4409]).view(1, 3, 1, 1) if a.classes == 100 else torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2673, 0.2564, 0.2761]).view(1, 3, 1, 1) if a.classes == 100 else torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)
    y = torch.tensor(labels)
    for tag, imgs in (("clean", clean), ("adversarial", adv)):
        x = torch.tensor(np.stack(imgs), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
        with torch.no_grad():
            acc = (net((x - mean) / std).argmax(1) == y).float().mean().item() * 100
        print(f"PyTorch {torch.__version__} chenyaofo ResNet-{a.depth} accuracy on {tag}: {acc:.1f}%")
sys.exit(0 if ok else 1)
