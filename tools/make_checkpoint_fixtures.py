"""Writes the small checkpoint fixtures under src/test/resources/checkpoints with real PyTorch.

Run with Debian's python3-torch (apt-get install python3-torch): /usr/bin/python3 tools/make_checkpoint_fixtures.py
The fixtures are committed, so tests need no Python; this script documents how they were made.
"""
import os
import torch
from collections import OrderedDict

out = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "checkpoints")
os.makedirs(out, exist_ok=True)

base = torch.arange(10, dtype=torch.float32)
sd = OrderedDict()
sd["layer.weight"] = torch.tensor([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.5]])
sd["layer.bias"] = torch.tensor([0.5, -0.5, 2.0])
sd["bn.num_batches_tracked"] = torch.tensor(42)                       # int64 scalar
sd["half"] = torch.tensor([1.0, -2.5, 65504.0, 6e-8], dtype=torch.float16)
sd["double"] = torch.tensor([[1.0 / 3, 2.0], [-4.0, 1e300]], dtype=torch.float64)
sd["transposed"] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()  # strides (1, 4)
sd["slice"] = base[3:7]                                                 # storage offset 3 into 10 elements

torch.save(sd, os.path.join(out, "tiny_zip.pt"))
torch.save({"state_dict": OrderedDict(("module." + k, v) for k, v in sd.items()), "epoch": 3, "best_prec1": 91.5},
           os.path.join(out, "tiny_legacy.th"), _use_new_zipfile_serialization=False)
print("torch", torch.__version__, "wrote", sorted(os.listdir(out)))
