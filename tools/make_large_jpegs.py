"""Writes the first N images of a CIFAR folder upscaled to W×H (bicubic) as JPEGs, keeping their <label>_<k> names:
a folder of larger JPEGs for checking advkit's --resize/--center-crop path end to end.

  PYTHONPATH= /usr/bin/python3 tools/make_large_jpegs.py ../shared/data/cifar-100_eval runs/external/jpeg-96x80 --n 40 --size 96,80
"""
import argparse, os
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("src"); ap.add_argument("out"); ap.add_argument("--n", type=int, default=40); ap.add_argument("--size", default="96,80")
a = ap.parse_args()
w, h = map(int, a.size.split(","))
os.makedirs(a.out, exist_ok=True)
names = sorted(f for f in os.listdir(a.src) if f.endswith(".png"))[: a.n]
for n in names:
    Image.open(os.path.join(a.src, n)).convert("RGB").resize((w, h), Image.BICUBIC).save(os.path.join(a.out, n[:-4] + ".jpg"), quality=90)
print(len(names), "JPEGs", w, "x", h, "in", a.out)
