#!/usr/bin/env python3
"""Runs nst-bench and the Python reference (bench/reference_step.py) on the same sizes, device,
precision and thread count, one after the other in this one script, and prints the comparison
table last. Writes the combined JSON to --json."""
import argparse
import json
import pathlib
import platform
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of nst-bench")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--sizes", default="128,256,512")
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--reference-precision", default="fp32", help="the reference's precision (fp32 = the baseline)")
    ap.add_argument("--json", default="bench.json")
    ap.add_argument("--cuda-graph", action="store_true", help="engine: replay steps as a CUDA graph")
    a = ap.parse_args()

    common = ["--sizes", a.sizes, "--steps", str(a.steps), "--warmup", str(a.warmup), "--threads", str(a.threads),
              "--device", a.device]
    eng_json = pathlib.Path(a.json).with_suffix(".engine.json")
    subprocess.run([a.bench, *common, "--precision", a.precision, "--json", str(eng_json),
                    *(["--cuda-graph"] if a.cuda_graph else []),
                    "--content", str(HERE.parent / "assets/content.jpg"), "--style", str(HERE.parent / "assets/style.jpg")],
                   check=True)
    ref = json.loads(subprocess.run([a.python, str(HERE / "reference_step.py"), *common, "--precision",
                                     a.reference_precision], check=True, capture_output=True, text=True).stdout)
    eng = json.loads(eng_json.read_text())

    rows = []
    for e, r in zip(eng["sizes"], ref["sizes"]):
        rows.append({"size": e["size"], "engine_ms": e["ms_median"], "engine_p10": e["ms_p10"], "engine_p90": e["ms_p90"],
                     "reference_ms": r["ms_median"], "ratio": r["ms_median"] / e["ms_median"],
                     "gflops": e["gflops"], "of_conv_peak": e["fraction_of_conv_peak"], "rss_mib": e["peak_rss_mib"]})
    out = {"machine": {"cpu": cpu_model(), "cores": __import__("os").cpu_count()}, "engine": eng, "reference": ref,
           "rows": rows}
    pathlib.Path(a.json).write_text(json.dumps(out, indent=1) + "\n")

    print()
    print(f"machine: {out['machine']['cpu']}, {out['machine']['cores']} cores | device {eng['device']} | "
          f"LibTorch {eng['libtorch']} | torch (reference) {ref['torch']} | threads {eng['threads']}")
    print(f"engine precision {eng['precision']}{' + CUDA graph' if a.cuda_graph else ''} vs reference {ref['precision']} | conv peak "
          f"{eng['conv_peak_gflops']:.1f} GFLOP/s, matmul peak {eng['matmul_peak_gflops']:.1f} GFLOP/s")
    print(f"| size | engine ms/step (p10–p90) | reference ms/step | reference/engine | engine GFLOP/s | of conv peak | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['size']} | {r['engine_ms']:.1f} ({r['engine_p10']:.1f}–{r['engine_p90']:.1f}) | {r['reference_ms']:.1f} | "
              f"{r['ratio']:.2f}× | {r['gflops']:.1f} | {100 * r['of_conv_peak']:.0f} % | {r['rss_mib']} |")


if __name__ == "__main__":
    main()
