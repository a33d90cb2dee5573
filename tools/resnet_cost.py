# Forward + input-gradient throughput of an ImageNet ResNet-50 (224x224) vs a CIFAR ResNet-20 (32x32), the same
# engine (Debian PyTorch 1.13), same threads, interleaved rounds: the ratio scales advkit's measured per-image
# AutoAttack cost from CIFAR-10 ResNet-20 to ImageNet ResNet-50.
import sys, time, statistics
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "/tmp/pytorchcv")  # a local pytorchcv snapshot, never committed
import torch
import importlib
torch.set_num_threads(2)
torch.manual_seed(0)
r50 = importlib.import_module("pytorchcv.models.resnet").resnet50(pretrained=False).eval()
r20 = importlib.import_module("pytorchcv.models.resnet_cifar").resnet20_cifar10(pretrained=False).eval()
for p in list(r50.parameters()) + list(r20.parameters()):
    p.requires_grad_(False)
def rate(model, n, size):
    x = torch.rand(n, 3, size, size, requires_grad=True)
    t = time.perf_counter()
    loss = torch.nn.functional.cross_entropy(model(x), torch.zeros(n, dtype=torch.long))
    g, = torch.autograd.grad(loss, x)
    return n / (time.perf_counter() - t)
rate(r50, 8, 224); rate(r20, 128, 32)
a, b = [], []
for _ in range(5):
    a.append(rate(r50, 16, 224)); b.append(rate(r20, 128, 32))
m50, m20 = statistics.median(a), statistics.median(b)
print(f"resnet50@224 {m50:.2f} img/s, resnet20@32 {m20:.1f} img/s, ratio {m20/m50:.1f}x per image (torch {torch.__version__}, 2 threads)")
