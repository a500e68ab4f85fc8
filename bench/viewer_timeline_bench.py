#!/usr/bin/env python3
"""The viewer's timeline, measured as a user drives it (docs/PERFORMANCE.md, "The viewer's timeline"):
nst-viewer under Xvfb on a generated clip (a textured pan, default 256x192, 30 frames), the live run
going; then near moves (`.` / `,`, one frame, each given time to land), far moves (Home / End), and a
short "Render video...". Prints, from the viewer's --stats-json and --log-json in the same run:
  - scrub latency: from the key to the first stylized step of the new frame on screen, in ms and as a
    ratio to the step time of that run (the reference; the goal is <= 1.5);
  - each frame move's own cost on the optimizer thread (decode, flows, targets);
  - UI frame work (p50/p95) while scrubbing and while the clip renders (the UI never waits for them).

    bench/viewer_timeline_bench.py --viewer build/nst-viewer [--size 256] [--moves 12]
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "viewer"))
from gui_test import Session, sweep_type, wait_for, write_png  # noqa: E402


def texture(x, y):
    r = 128 + 90 * math.sin(x * 0.11) * math.cos(y * 0.09) + 30 * math.sin((x + y) * 0.03)
    g = 128 + 80 * math.sin(x * 0.06 + y * 0.12) + 40 * math.cos(x * 0.04)
    b = 128 + 70 * math.cos(x * 0.08 - y * 0.05) + 40 * math.sin(y * 0.15)
    return tuple(max(0, min(255, int(v))) for v in (r, g, b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--moves", type=int, default=12)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nst-timeline-bench-")
    clip = os.path.join(work, "clip")
    os.makedirs(clip)
    w, h = a.size, a.size * 3 // 4
    for t in range(a.frames):
        write_png(os.path.join(clip, f"f_{t + 1:04d}.png"), w, h, lambda x, y, t=t: texture(x + 2 * t, y))
    stats = os.path.join(work, "stats.json")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    with Session(a.viewer, work, ["--video", clip, "--stats-json", stats], size=a.size) as s:
        wait_for("10 steps", lambda: s.last_step() >= 10, timeout=120)
        step_ms = statistics.median(r["ms"] for r in s.steps()[-8:])
        pause = max(2.0, 5 * step_ms / 1000)
        for i in range(a.moves):
            s.key("period" if i < a.moves // 2 else "comma")
            time.sleep(pause)
        for key in ("End", "Home", "End", "Home"):
            s.key(key)
            time.sleep(pause)
        # A short render: frame work while it runs.
        s.key("ctrl+shift+r")
        wait_for("the dialog", lambda: "video_render_start" in s.probe())
        sweep_type(s, "video_render_frames", "1:4")
        sweep_type(s, "video_render_steps", "4")
        sweep_type(s, "video_render_frame_steps", "4")
        sweep_type(s, "video_render_output", os.path.join(work, "out_%04d.png"))
        s.click("video_render_start")
        wait_for("the render's end", lambda: [e for e in s.events("video_render") if e.get("phase") == "stop"],
                 timeout=300)
        moves = s.events("frame")
        steps = [r["ms"] for r in s.steps()]
        s.key("ctrl+q")
        wait_for("the viewer to quit", lambda: s.app.poll() is not None)
    st = json.load(open(stats))
    step = statistics.median(steps)
    lat, ratio = st["scrub_latency_ms"], st["scrub_latency_steps"]
    print(f"CPU: {cpu}; clip {w}x{h}, {a.frames} frames; live size {a.size}")
    print(f"step time (median of {len(steps)}): {step:.0f} ms")
    print(f"scrub latency ({lat['n']} moves): median {lat['median_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms; "
          f"in step times: median {ratio['median_ms']:.2f}, p95 {ratio['p95_ms']:.2f} (goal <= 1.5)")
    for kind in ("warped", "content"):
        ms = [m["ms"] for m in moves if m["carried"] == kind]
        if ms:
            print(f"frame move on the optimizer thread, {kind}: {len(ms)} moves, median {statistics.median(ms):.0f} ms "
                  f"= {statistics.median(ms) / step:.2f} step times")
    for key, what in (("frame_work_scrubbing", "while a move is on its way"),
                      ("frame_work_video_render", "while the clip renders"), ("frame_work_running", "running")):
        v = st[key]
        if v["n"]:
            print(f"UI frame work {what}: {v['n']} frames, median {v['median_ms']:.1f} ms, p95 {v['p95_ms']:.1f} ms")
    print(f"longest UI wait on the optimizer: {st['max_ui_wait_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
