#!/usr/bin/env python3
"""The Python reference step, timed: the same loss and Adam as the engine, written the way a
competent PyTorch user writes it (targets computed once, VGG19 truncated at the deepest used
layer, frozen weights, no weight gradients), on the same sizes, device and thread count.

Prints one JSON object: {"sizes": [{"size", "ms_median", "ms_p10", "ms_p90", ...}], ...}.
"""
import argparse
import json
import math
import statistics
import time

import torch

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
CONTENT = {"relu4_2": 1.0}
STYLE = {"relu1_1": 1.0, "relu2_1": 0.75, "relu3_1": 0.2, "relu4_1": 0.2, "relu5_1": 0.2}


def vgg19_features(last_relu):
    layers, names, block, conv, cin = [], [], 1, 1, 3
    for v in CFG:
        if v == "M":
            layers.append(torch.nn.MaxPool2d(2, 2)); names.append(f"pool{block}"); block += 1; conv = 1
        else:
            c = torch.nn.Conv2d(cin, v, 3, padding=1)
            torch.nn.init.kaiming_normal_(c.weight, mode="fan_out", nonlinearity="relu")
            torch.nn.init.zeros_(c.bias)
            layers += [c, torch.nn.ReLU(inplace=False)]
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            cin = v; conv += 1
        if last_relu in names:
            break
    net = torch.nn.Sequential(*layers[: names.index(last_relu) + 1])
    return net.requires_grad_(False).eval(), names


def gram(f):
    _, c, h, w = f.shape
    m = f.reshape(c, h * w)
    return m @ m.t() / (c * h * w)


def run(size, steps, warmup, device, dtype):
    net, names = vgg19_features("relu5_1")
    net = net.to(device=device, dtype=dtype)
    taps = {names.index(n) for n in list(CONTENT) + list(STYLE)}
    mean = torch.tensor([0.485, 0.456, 0.406], device=device).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], device=device).view(1, 3, 1, 1)

    def feats(img):
        out, x = {}, ((img - mean) / std).to(dtype)
        for i, layer in enumerate(net):
            x = layer(x)
            if i in taps:
                out[names[i]] = x.float()
        return out

    h, w = size * 3 // 4, size  # the bundled content image is 4:3
    g = torch.Generator().manual_seed(0)
    content = torch.rand(1, 3, h, w, generator=g).to(device)
    style = torch.rand(1, 3, size, size, generator=g).to(device)
    with torch.no_grad():
        fc, fs = feats(content), feats(style)
        c_t = {k: fc[k] for k in CONTENT}
        s_t = {k: gram(fs[k]) for k in STYLE}
    x = content.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.02, betas=(0.9, 0.999), eps=1e-8)
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        f = feats(x)
        cl = sum(wt * ((f[k] - c_t[k]) ** 2).mean() for k, wt in CONTENT.items())
        sl = sum(wt * ((gram(f[k]) - s_t[k]) ** 2).mean() for k, wt in STYLE.items())
        tv = (x.diff(dim=2) ** 2).mean() + (x.diff(dim=3) ** 2).mean()
        total = cl + 1e6 * sl + tv
        opt.zero_grad()
        total.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(0, 1)
        total.item()  # the engine's bench also reads the loss every step
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
    return {"size": size, "width": w, "height": h, "ms_median": statistics.median(times), "ms_p10": q(0.1),
            "ms_p90": q(0.9), "steps_per_s": 1e3 / statistics.median(times)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,256,512")
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "tf32"])
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    # fp32 means fp32 on both sides (PyTorch lets cuDNN use TF32 for convolutions by default).
    torch.backends.cuda.matmul.allow_tf32 = a.precision == "tf32"
    torch.backends.cudnn.allow_tf32 = a.precision == "tf32"
    if a.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    dtype = torch.bfloat16 if a.precision == "bf16" else torch.float32
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": a.device,
           "precision": a.precision, "sizes": []}
    for s in [int(v) for v in a.sizes.split(",")]:
        out["sizes"].append(run(s, a.steps, a.warmup, torch.device(a.device), dtype))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
