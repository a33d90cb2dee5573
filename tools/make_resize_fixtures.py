"""Writes PIL's (torchvision's) Resize + CenterCrop of a few odd-sized images, the reference PreprocessedTest
compares advkit's resampler with byte for byte (src/test/resources/resize/). Debian's python3-pil:

  PYTHONPATH= /usr/bin/python3 tools/make_resize_fixtures.py src/test/resources/resize

Each case: source_<W>x<H>.png (a random smooth-and-noisy image) and <case>.png = the source through
torchvision.transforms.Resize(r) then CenterCrop(c), written here with torchvision's own size rules on PIL.
"""
import os, sys
import numpy as np
from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)


def resize(img, size):  # torchvision.transforms.functional.resize on a PIL image, int size, bilinear
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short == size:
        return img
    new_short, new_long = size, int(size * long / short)
    ow, oh = (new_short, new_long) if w <= h else (new_long, new_short)
    return img.resize((ow, oh), Image.BILINEAR)


def center_crop(img, size):  # torchvision's CenterCrop
    w, h = img.size
    top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


cases = []
for w, h in [(45, 31), (97, 130), (160, 120)]:
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([np.sin(xx / 5.0) * 90 + 128, np.cos(yy / 7.0) * 90 + 128, (xx + yy) % 256], axis=-1)
    arr = np.clip(base + rng.normal(0, 30, base.shape), 0, 255).astype(np.uint8)
    src = f"source_{w}x{h}.png"
    Image.fromarray(arr, "RGB").save(os.path.join(out, src))
    for r, c in [(64, 56), (24, 24), (20, None), (None, 28)]:
        img = Image.open(os.path.join(out, src)).convert("RGB")
        if r is not None:
            img = resize(img, r)
        if c is not None:
            img = center_crop(img, c)
        name = f"{w}x{h}_resize{r}_crop{c}.png"
        img.save(os.path.join(out, name))
        cases.append(name)
print(len(cases), "cases in", out)
