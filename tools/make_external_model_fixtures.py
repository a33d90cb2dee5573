"""Writes the small TorchScript and ONNX models that ExternalModelsTest loads, with PyTorch's own logits and
input gradients on fixed inputs (src/test/resources/external/). Run with Debian's python3-torch:

  PYTHONPATH= /usr/bin/python3 tools/make_external_model_fixtures.py src/test/resources/external

The network has BatchNorm (non-trivial running statistics) and dropout, so a module run in training mode
gives other logits than the eval-mode reference. Files:
  traced.pt, scripted.pt        eval-mode trace / script
  scripted_saved_training.pt    scripted, saved after model.train(): advkit must still run it in eval mode
  traced_training.pt            traced in training mode (batch statistics and dropout baked in): refused
  tuple_output.pt               returns (logits, features): refused
  not_torchscript.pt            a plain state dict: refused
  model.onnx                    ONNX export of the same eval-mode network
  two_inputs.onnx               an ONNX graph with two inputs: refused
  gray.pt                       a 1-channel network (1x8x8)
  reference.json                inputs (NCHW in [0,1]), labels, logits and d(sum of cross-entropy)/d(input)
"""
import json, os, sys
import torch, torch.nn as nn, torch.nn.functional as F

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


class Net(nn.Module):
    def __init__(self, channels=3, classes=5):
        super().__init__()
        self.conv = nn.Conv2d(channels, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4 * 8 * 8, classes)

    def forward(self, x):
        return self.fc(self.drop(F.relu(self.bn(self.conv(x)))).flatten(1))


class TwoOutputs(Net):
    def forward(self, x):
        h = F.relu(self.bn(self.conv(x))).flatten(1)
        return self.fc(h), h


class TwoInputs(nn.Module):
    def forward(self, a, b):
        return a.flatten(1) + b.flatten(1)


def net(cls=Net, channels=3):
    torch.manual_seed(0)
    m = cls(channels)
    with torch.no_grad():
        m.bn.running_mean.uniform_(-0.5, 0.5)
        m.bn.running_var.uniform_(0.5, 2.0)
        m.bn.weight.uniform_(0.5, 1.5)
        m.bn.bias.uniform_(-0.2, 0.2)
    return m.eval()


m = net()
g = torch.Generator().manual_seed(1)
x = torch.rand(4, 3, 8, 8, generator=g)
y = torch.tensor([0, 1, 2, 3])
torch.jit.save(torch.jit.trace(m, x), os.path.join(out, "traced.pt"))
torch.jit.save(torch.jit.script(m), os.path.join(out, "scripted.pt"))
s = torch.jit.script(net()); s.train()
torch.jit.save(s, os.path.join(out, "scripted_saved_training.pt"))
t = net().train()
torch.jit.save(torch.jit.trace(t, x, check_trace=False), os.path.join(out, "traced_training.pt"))
torch.jit.save(torch.jit.trace(net(TwoOutputs), x), os.path.join(out, "tuple_output.pt"))
torch.save(m.state_dict(), os.path.join(out, "not_torchscript.pt"))
torch.onnx.export(m, x, os.path.join(out, "model.onnx"), input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
torch.onnx.export(TwoInputs(), (x, x), os.path.join(out, "two_inputs.onnx"), input_names=["a", "b"])
gm = net(channels=1)
torch.jit.save(torch.jit.trace(gm, x[:, :1]), os.path.join(out, "gray.pt"))

xr = x.clone().requires_grad_(True)
logits = m(xr)
F.cross_entropy(logits, y, reduction="sum").backward()
xg = x[:, :1].clone().requires_grad_(True)
glogits = gm(xg)
F.cross_entropy(glogits, y, reduction="sum").backward()
ref = {"torch": torch.__version__, "input": x.flatten().tolist(), "shape": list(x.shape), "labels": y.tolist(),
       "logits": logits.detach().flatten().tolist(), "grad_ce_sum": xr.grad.flatten().tolist(),
       "gray_logits": glogits.detach().flatten().tolist(), "gray_grad_ce_sum": xg.grad.flatten().tolist()}
with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump(ref, f)
print("wrote", sorted(os.listdir(out)))
