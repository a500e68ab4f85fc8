#!/usr/bin/env python3
"""Writes the VGG19 features file that `nst` uses, from torchvision's own ImageNet weights.

An alternative to `nst --fetch-weights` for users who have torchvision (and its weights, which
torchvision downloads or finds in its own cache). The result is the features-only safetensors
file nst downloads: the features.N.weight / features.N.bias tensors in float32, torchvision key
names, metadata {"format": "pt"}. By default it goes where nst looks first:
$XDG_CACHE_HOME/nst/vgg19-features.safetensors (or ~/.cache/nst/...).

    python3 tools/export_vgg19_weights.py [--output FILE]

Needs: torch, torchvision, safetensors. Not run by the tests.
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path


def default_output():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "nst" / "vgg19-features.safetensors"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=default_output(), help="where to write (default: %(default)s)")
    args = ap.parse_args()

    try:
        import torch
        from safetensors.torch import save_file
        from torchvision.models import VGG19_Weights, vgg19
    except ImportError as e:
        sys.exit(f"export_vgg19_weights: needs torch, torchvision and safetensors ({e})")

    model = vgg19(weights=VGG19_Weights.IMAGENET1K_V1)
    tensors = {k: v.detach().to(torch.float32).contiguous()
               for k, v in model.state_dict().items() if k.startswith("features.")}
    # The same 16 convolutions nst checks (nst/src/vgg19_check.cpp): 3x3 kernels, these widths.
    convs = [k for k in tensors if k.endswith(".weight")]
    if len(convs) != 16 or any(tuple(tensors[k].shape[2:]) != (3, 3) for k in convs):
        sys.exit("export_vgg19_weights: torchvision's vgg19 does not have the expected 16 3x3 convolutions")

    out = args.output
    out.parent.mkdir(parents=True, exist_ok=True)
    # Atomic like nst's own writes: a temporary file in the same directory, then a rename.
    fd, tmp = tempfile.mkstemp(prefix="." + out.name + ".", dir=out.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={"format": "pt"})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private; a cache file is not
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    size = out.stat().st_size
    print(f"wrote {out} ({len(tensors)} tensors, {size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
