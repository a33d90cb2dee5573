"""Regenerates src/main/resources/io/advkit/model/zoo.tsv, advkit's model registry.

pytorchcv rows come from pytorchcv's own metadata (../shared/reference/pytorchcv_model_metainfos.csv,
osmr/pytorchcv@7f31dc8f model_metainfos.csv): every CIFAR-10/100 model of a family advkit implements
that has published weights. chenyaofo, akamaster and ACE rows are listed here by hand from their
repositories (file names carry the sha256 prefix, as torch.hub checks it).
Run: python3 tools/gen_zoo.py [path/to/model_metainfos.csv]
"""
import csv, os, re, sys

csv_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference", "pytorchcv_model_metainfos.csv")
out = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "io", "advkit", "model", "zoo.tsv")

FAMILIES = [r"(pre|se|sepre)?resnet\d+(bn)?", r"resnext\d+_\d+x\d+d", r"wrn\d+_\d+", r"densenet\d+_k\d+", r"nin"]
rows = []
with open(csv_path) as f:
    for r in csv.DictReader(f):
        m = re.fullmatch(r"(.+)_(cifar10|cifar100)", r["model_name"])
        if not m or not any(re.fullmatch(p, m.group(1)) for p in FAMILIES):
            continue
        if r["checksum"] in ("", "NA"):
            continue
        name, arch, classes = r["model_name"], m.group(1), 10 if m.group(2) == "cifar10" else 100
        err = r["error_value"].zfill(4)
        sha1 = r["checksum"]
        file = f"{name}-{err}-{sha1[:8]}.pth"
        url = f"https://github.com/osmr/imgclsmob/releases/download/{r['repo_release_tag']}/{file}.zip"
        rows.append([name, arch, str(classes), "pytorchcv-cifar", r["net_weights"], "pytorchcv", url, "sha1:" + sha1,
                     "~/.torch/models/" + file, f"top-1 error {int(err) / 100:.2f}% on the {m.group(2).upper()} test set (pytorchcv)"])

# chenyaofo/pytorch-cifar-models: per release, model (without the dataset prefix) → (sha256 prefix, top-1 %) per dataset
CHENYAOFO = {
    "resnet": {"cifar10": {"resnet20": ("4118986f", 92.60), "resnet32": ("ef93fc4d", 93.53), "resnet44": ("2a3cabcb", 94.01),
                           "resnet56": ("187c023a", 94.37)},
               "cifar100": {"resnet20": ("23dac2f1", 68.83), "resnet32": ("84213ce6", 70.16), "resnet44": ("ffe32858", 71.63),
                            "resnet56": ("f2eff4c8", 72.63)}},
    "vgg": {"cifar10": {"vgg11_bn": ("eaeebf42", 92.79), "vgg13_bn": ("c01e4a43", 94.00), "vgg16_bn": ("6ee7ea24", 94.16),
                        "vgg19_bn": ("57191229", 93.91)},
            "cifar100": {"vgg11_bn": ("57d0759e", 70.78), "vgg13_bn": ("5ebe5778", 74.63), "vgg16_bn": ("7d8c4031", 74.00),
                         "vgg19_bn": ("b98f7bd7", 73.87)}},
    "mobilenetv2": {"cifar10": {"mobilenetv2_x0_5": ("ca14ced9", 92.88), "mobilenetv2_x0_75": ("a53c314e", 93.72),
                                "mobilenetv2_x1_0": ("fe6a5b48", 93.79), "mobilenetv2_x1_4": ("3bbbd6e2", 94.22)},
                    "cifar100": {"mobilenetv2_x0_5": ("9f915757", 70.88), "mobilenetv2_x0_75": ("d7891e60", 73.61),
                                 "mobilenetv2_x1_0": ("1311f9ff", 74.20), "mobilenetv2_x1_4": ("8a269f5e", 75.98)}},
    "shufflenetv2": {"cifar10": {"shufflenetv2_x0_5": ("1308b4e9", 90.13), "shufflenetv2_x1_0": ("98807be3", 92.98),
                                 "shufflenetv2_x1_5": ("296694dd", 93.55), "shufflenetv2_x2_0": ("ec31611c", 93.81)},
                     "cifar100": {"shufflenetv2_x0_5": ("1977720f", 67.82), "shufflenetv2_x1_0": ("9ae22beb", 72.39),
                                  "shufflenetv2_x1_5": ("e2c85ad8", 73.91), "shufflenetv2_x2_0": ("e7e584cd", 75.35)}},
}
for release, per_dataset in CHENYAOFO.items():
    for ds, models in per_dataset.items():
        for model, (h, acc) in models.items():
            file = f"{ds}_{model}-{h}.pt"
            rows.append([f"{ds}_{model}", f"chenyaofo_{model}", "10" if ds == "cifar10" else "100",
                         "chenyaofo-" + ds, "", "chenyaofo", f"https://github.com/chenyaofo/pytorch-cifar-models/releases/download/{release}/{file}",
                         "sha256-prefix:" + h, "~/.cache/torch/hub/checkpoints/" + file,
                         f"top-1 {acc:.2f}% on the {ds.upper()} test set (chenyaofo)"])
AKAMASTER = {20: ("12fca82f", 91.73), 32: ("d509ac18", 92.63), 44: ("014dd654", 93.10), 56: ("4bfd9763", 93.39), 110: ("1d1ed7c2", 93.68)}
for depth, (h, acc) in AKAMASTER.items():
    file = f"resnet{depth}-{h}.th"
    rows.append([f"akamaster_resnet{depth}", f"akamaster_resnet{depth}", "10", "imagenet", "", "akamaster",
                 f"https://github.com/akamaster/pytorch_resnet_cifar10/raw/master/pretrained_models/{file}",
                 "sha256-prefix:" + h, "~/.cache/torch/hub/checkpoints/" + file, f"top-1 {acc:.2f}% on the CIFAR10 test set (akamaster)"])
rows.append(["ace_resnet32_cifar100", "chenyaofo_resnet32", "100", "chenyaofo-cifar100", "", "ant-research/ace-compiler",
             "https://github.com/ant-research/ace-compiler/raw/5b6f47a9/fhe_dsl/python/model/resnet/weights/resnet32_cifar100.pt",
             "sha256:6c4a807265ce5b43be57cf1fc51b019484703baac3ec9ddbd353232770bd7ec9", "~/.cache/torch/hub/checkpoints/ace_resnet32_cifar100.pt",
             "chenyaofo ResNet-32 layout further trained by ant-research; 90.8% on the homework's 500 images"])

header = ["name", "arch", "classes", "normalization", "params", "source", "url", "checksum", "cache_file", "reference"]
with open(out, "w") as f:
    f.write("# advkit model zoo, generated by tools/gen_zoo.py; one model per line, tab-separated\n")
    f.write("\t".join(header) + "\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(len(rows), "models ->", out)
