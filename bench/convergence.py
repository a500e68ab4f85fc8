#!/usr/bin/env python3
"""Time-to-loss: how long plain Adam at --size needs for --steps steps, against a coarse-to-fine
run (nst --scales N) reaching the same final total loss at full size. Times are the sums of the
per-step `ms` (and per-level re-target `ms`) that `nst --log-json` records, so start-up is excluded
from both. Prints one line per run and the ratio; writes JSON to --json."""
import argparse
import json
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(nst, args, log):
    subprocess.run([nst, "--content", str(ROOT / "assets/content.jpg"), "--style", str(ROOT / "assets/style.jpg"),
                    "--output", str(log.with_suffix(".jpg")), "--log-json", str(log), *args], check=True,
                   stderr=subprocess.DEVNULL)
    return [json.loads(line) for line in log.read_text().splitlines()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nst", required=True)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--scales", type=int, default=3)
    ap.add_argument("--coarse-steps", type=int, default=150)
    ap.add_argument("--json", default="convergence.json")
    ap.add_argument("extra", nargs="*", help="more nst flags after --, e.g. -- --device cuda --features random")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        common = ["--size", str(a.size), *a.extra]
        plain = [r for r in run(a.nst, [*common, "--steps", str(a.steps)], tmp / "plain.jsonl") if "step" in r]
        target = plain[-1]["total"]
        plain_ms = sum(r["ms"] for r in plain)
        multi = run(a.nst, [*common, "--steps", str(a.steps), "--scales", str(a.scales), "--coarse-steps",
                            str(a.coarse_steps)], tmp / "multi.jsonl")
    elapsed, reached, steps_at = 0.0, None, None
    for r in multi:
        elapsed += r.get("ms", 0.0)
        if "step" in r and r.get("size") == a.size and r["total"] <= target:
            reached, steps_at = elapsed, r["step"]
            break
    out = {"size": a.size, "plain_steps": a.steps, "target_total_loss": target, "plain_ms": plain_ms,
           "scales": a.scales, "coarse_steps": a.coarse_steps, "multiscale_ms_to_target": reached,
           "multiscale_step_at_target": steps_at,
           "multiscale_final_total": [r for r in multi if "step" in r][-1]["total"]}
    out["speedup"] = plain_ms / reached if reached else None
    pathlib.Path(a.json).write_text(json.dumps(out, indent=1) + "\n")
    print(f"plain Adam at {a.size}: {a.steps} steps, {plain_ms / 1e3:.2f} s to total loss {target:.6g}")
    if reached:
        print(f"coarse-to-fine ({a.scales} levels, {a.coarse_steps} coarse steps each): reached it in "
              f"{reached / 1e3:.2f} s (step {steps_at}) -> {out['speedup']:.2f}x faster")
    else:
        print(f"coarse-to-fine did not reach {target:.6g} (final {out['multiscale_final_total']:.6g})")


if __name__ == "__main__":
    main()
