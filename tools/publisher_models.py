"""The publishers' own CIFAR model code, built by name: what the parity, accuracy, timing and AutoAttack tools here
compare advkit with. pytorchcv from a source tree (only its CIFAR modules are imported: its model_provider imports
every model, some needing torchvision); chenyaofo/pytorch-cifar-models and akamaster/pytorch_resnet_cifar10 from
their model files, loaded by path. Read from local snapshots; nothing of theirs is committed here.
"""
import importlib, importlib.util, os, re, sys

PYTORCHCV_MODULES = [("sepreresnet", "sepreresnet_cifar"), ("seresnet", "seresnet_cifar"), ("preresnet", "preresnet_cifar"),
                     ("resnext", "resnext_cifar"), ("resnet", "resnet_cifar"), ("wrn", "wrn_cifar"), ("densenet", "densenet_cifar"),
                     ("nin", "nin_cifar")]


def pytorchcv(name, src=None):
    """pytorchcv's model `name` (e.g. resnet20_cifar10), untrained; `src` a source tree, unless on PYTHONPATH already."""
    if src:
        sys.path.insert(0, src)
    pre_act = re.fullmatch(r"preactresnet18_cifar(\d+)", name)
    if pre_act:  # PreActResNet-18 (Wong et al., RobustBench): pytorchcv's CIFAR pre-activation ResNet with its channels
        from pytorchcv.models.preresnet_cifar import CIFARPreResNet
        import torch.nn as nn
        net = CIFARPreResNet(channels=[[64, 64], [128, 128], [256, 256], [512, 512]], init_block_channels=64,
                             bottleneck=False, num_classes=int(pre_act.group(1)))
        net.features.final_pool = nn.AdaptiveAvgPool2d(1)  # pytorchcv pools 8x8; the fourth stage ends at 4x4
        return net
    module = importlib.import_module("pytorchcv.models." + next(m for p, m in PYTORCHCV_MODULES if name.startswith(p)))
    wrn = re.fullmatch(r"wrn(\d+)_(\d+)_cifar(\d+)", name)
    if not hasattr(module, name) and wrn:  # a WRN-d-k pytorchcv does not name (e.g. wrn16_4): its own generic builder
        return module.get_wrn_cifar(num_classes=int(wrn.group(3)), blocks=int(wrn.group(1)), width_factor=int(wrn.group(2)))
    return getattr(module, name)(pretrained=False)


def from_file(path, name):
    """A model file loaded as module `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    sys.modules[name] = m  # chenyaofo's files register their functions through sys.modules
    spec.loader.exec_module(m)
    return m


def chenyaofo(name, src):
    """chenyaofo's model `name`, as its function is called (cifar10_resnet20, cifar100_vgg16_bn, ...), untrained."""
    file = next((k for k in ("vgg", "mobilenetv2", "shufflenetv2") if k in name), "resnet")
    return getattr(from_file(os.path.join(src, "pytorch_cifar_models", file + ".py"), "chenyaofo_" + file), name)(pretrained=False)


def akamaster(name, src):
    """akamaster's `name` (resnet20 ... resnet1202) from the folder holding its resnet.py, untrained."""
    return getattr(from_file(os.path.join(src, "resnet.py"), "akamaster_resnet"), name)()
