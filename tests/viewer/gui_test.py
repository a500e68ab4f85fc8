#!/usr/bin/env python3
"""GUI tests for nst-viewer: start Xvfb on a free display, launch the real viewer (tiny size,
random features, CPU), drive it with real X input through xdotool and check what comes out
(screenshot PNGs, the --log-json step log). Standard library only.

    gui_test.py --viewer PATH --case screenshot|pause|slider|no-display
"""
import argparse
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

TIMEOUT = 40.0  # seconds for any single wait; each case stays well under 60 s


class Failure(Exception):
    pass


def wait_for(what, pred, timeout=TIMEOUT, interval=0.05):
    end = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > end:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ---- PNG / JPEG helpers (no third-party modules) ------------------------------------------------

def read_png(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG: returns (width, height, channels, bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failure(f"{path} is not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]:
            raise Failure(f"{path}: bad CRC in {ctype!r}")
        if ctype == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise Failure(f"{path}: unsupported PNG layout")
            ch = 4 if color == 6 else 3
        elif ctype == b"IDAT":
            idat += body
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if width is None:
        raise Failure(f"{path}: no IHDR")
    raw = zlib.decompress(idat)
    stride = width * ch
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return width, height, ch, bytes(out)


def jpeg_size(path):
    data = open(path, "rb").read()
    pos = 2
    while pos < len(data):
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[pos + 5:pos + 9])
            return w, h
        pos += 2 + length
    raise Failure(f"{path}: no JPEG frame header")


def mean_abs_diff(a, b):
    wa, ha, ca, pa = a
    wb, hb, cb, pb = b
    if (wa, ha) != (wb, hb):
        raise Failure(f"sizes differ: {wa}x{ha} vs {wb}x{hb}")
    total = 0
    for i in range(wa * ha):
        for c in range(3):
            total += abs(pa[i * ca + c] - pb[i * cb + c])
    return total / (wa * ha * 3)


# ---- the session -------------------------------------------------------------------------------

class Session:
    """Xvfb + nst-viewer, always torn down (kill + wait) however the test ends."""

    def __init__(self, viewer, workdir, extra_args=()):
        self.viewer, self.dir = viewer, workdir
        self.log = os.path.join(workdir, "log.jsonl")
        self.probe = os.path.join(workdir, "probe.json")
        self.shots = os.path.join(workdir, "shots")
        os.makedirs(self.shots, exist_ok=True)
        self.xvfb = self.app = None
        self.extra = list(extra_args)

    def __enter__(self):
        # -displayfd: Xvfb picks a free display number itself and tells us which.
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        buf = b""
        end = time.monotonic() + 20
        while not buf.endswith(b"\n"):
            if time.monotonic() > end:
                raise Failure("Xvfb did not start")
            chunk = os.read(r, 16)
            if not chunk:
                raise Failure("Xvfb exited at start")
            buf += chunk
        os.close(r)
        self.env = dict(os.environ, DISPLAY=":" + buf.decode().strip())
        self.env.pop("WAYLAND_DISPLAY", None)
        args = [self.viewer, "--features", "random:1", "--size", "64", "--device", "cpu", "--threads", "1",
                "--window-size", "1100x720", "--log-json", self.log, "--screenshot-dir", self.shots,
                "--ui-probe", self.probe, *self.extra]
        self.out = open(os.path.join(self.dir, "viewer.log"), "w")
        self.app = subprocess.Popen(args, env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        wait_for("the first frame (UI probe file)", lambda: self.app.poll() is not None or os.path.exists(self.probe))
        if self.app.poll() is not None:
            raise Failure(f"nst-viewer exited with {self.app.returncode}: {self.viewer_log()}")
        # No window manager: keyboard focus follows the pointer, so park it on the image.
        self.xdo("mousemove", "300", "300")
        return self

    def __exit__(self, *exc):
        for p in (self.app, self.xvfb):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        self.out.close()
        return False

    def viewer_log(self):
        try:
            return open(os.path.join(self.dir, "viewer.log")).read()[-2000:]
        except OSError:
            return ""

    def xdo(self, *args):
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=20)

    def key(self, name):
        self.xdo("key", name)

    def steps(self):
        """Lines of the --log-json file, parsed."""
        try:
            with open(self.log) as f:
                return [json.loads(line) for line in f if line.endswith("\n")]
        except FileNotFoundError:
            return []

    def last_step(self):
        s = self.steps()
        return s[-1]["step"] if s else 0

    def widget(self, name):
        rects = json.load(open(self.probe))
        if name not in rects:
            raise Failure(f"widget {name} not in the UI probe: {sorted(rects)}")
        return rects[name]

    def shots_matching(self, pattern):
        return sorted(glob.glob(os.path.join(self.shots, pattern)))

    def save_result(self):
        before = set(self.shots_matching("nst-result-*.png"))
        self.key("s")
        new = wait_for("a result screenshot", lambda: sorted(set(self.shots_matching("nst-result-*.png")) - before))
        return new[0]

    def settle_paused(self):
        """After a pause request: wait until the step counter stops, return it."""
        last, since = self.last_step(), time.monotonic()
        end = time.monotonic() + TIMEOUT
        while time.monotonic() - since < 1.5:
            if time.monotonic() > end:
                raise Failure("step counter kept moving after pause")
            time.sleep(0.1)
            now = self.last_step()
            if now != last:
                last, since = now, time.monotonic()
        return last


def expected_size(source_dir):
    w, h = jpeg_size(os.path.join(source_dir, "assets", "content.jpg"))
    return (64, round(64 * h / w)) if w >= h else (round(64 * w / h), 64)


# ---- cases ---------------------------------------------------------------------------------------

def case_screenshot(viewer, work, source_dir):
    with Session(viewer, work, ["--paused"]) as s:
        first = s.save_result()
        w, h, ch, _ = img0 = read_png(first)
        ew, eh = expected_size(source_dir)
        if abs(w - ew) > 1 or abs(h - eh) > 1:
            raise Failure(f"result screenshot is {w}x{h}, expected about {ew}x{eh}")
        print(f"result screenshot {os.path.basename(first)}: {w}x{h} RGBA={ch == 4}")
        s.key("space")
        wait_for("8 steps", lambda: s.last_step() >= 8)
        s.key("space")
        step = s.settle_paused()
        later = s.save_result()
        diff = mean_abs_diff(img0, read_png(later))
        print(f"after {step} steps the image differs from the content by {diff:.2f}/255 on average")
        if diff < 1.0:
            raise Failure(f"image barely changed after {step} steps (mean abs diff {diff:.3f})")
        # The whole window, at framebuffer size.
        s.key("w")
        win = wait_for("a window screenshot", lambda: s.shots_matching("nst-window-*.png"))[0]
        ww, wh, _, _ = read_png(win)
        if (ww, wh) != (1100, 720):
            raise Failure(f"window screenshot is {ww}x{wh}, expected 1100x720")
        leftovers = [f for f in os.listdir(s.shots) if ".tmp" in f]
        if leftovers:
            raise Failure(f"temporary files left behind: {leftovers}")
        # Ctrl+Q: the window closes and the process ends cleanly after the current step.
        s.key("ctrl+q")
        wait_for("the viewer to exit", lambda: s.app.poll() is not None)
        if s.app.returncode != 0:
            raise Failure(f"viewer exited with {s.app.returncode}")


def case_pause(viewer, work, source_dir):
    with Session(viewer, work, ["--paused"]) as s:
        time.sleep(1.0)
        if s.steps():
            raise Failure(f"started with --paused but {len(s.steps())} steps ran")
        s.key("space")  # resume
        wait_for("5 steps", lambda: s.last_step() >= 5)
        s.key("space")  # pause
        step = s.settle_paused()
        time.sleep(2.0)
        if s.last_step() != step:
            raise Failure(f"step counter moved while paused: {step} -> {s.last_step()}")
        s.key("Right")  # one step
        wait_for("exactly one more step", lambda: s.last_step() == step + 1)
        time.sleep(1.0)
        if s.last_step() != step + 1:
            raise Failure(f"one step advanced to {s.last_step()}, expected {step + 1}")
        print(f"paused at step {step}; one step -> {step + 1}; counter held while paused")


def case_slider(viewer, work, source_dir):
    with Session(viewer, work) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        before = s.steps()[-1]["style_weight"]
        x0, y0, x1, y1 = s.widget("style_weight")
        y = (y0 + y1) // 2
        start_x = x0 + (x1 - x0) // 2
        # A real drag: press on the slider, move right in small steps, release.
        s.xdo("mousemove", str(start_x), str(y))
        time.sleep(0.2)
        s.xdo("mousedown", "1")
        for dx in range(10, 130, 10):
            s.xdo("mousemove", str(start_x + dx), str(y))
            time.sleep(0.03)
        s.xdo("mouseup", "1")
        changed = wait_for("a step that uses the new style weight",
                           lambda: next((r for r in s.steps() if r["style_weight"] > before * 1.5), None))
        print(f"style weight {before:g} -> {changed['style_weight']:g} (first used at step {changed['step']})")


def case_no_display(viewer, work, source_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    p = subprocess.run([viewer], env=env, capture_output=True, text=True, timeout=30)
    lines = (p.stdout + p.stderr).strip().splitlines()
    if p.returncode != 1 or len(lines) != 1 or "nst " not in lines[0]:
        raise Failure(f"expected exit 1 and one line naming `nst`, got {p.returncode}: {lines}")
    print(lines[0])


def case_nan(viewer, work, source_dir):
    with Session(viewer, work, ["--debug-nan-at", "4", "--lr", "0.04"]) as s:
        wait_for("steps after the NaN", lambda: s.last_step() >= 6)
        rows = {r["step"]: r for r in s.steps()}
        if rows[4]["total"] is not None:
            raise Failure(f"step 4 should log a null (NaN) total: {rows[4]}")
        if abs(rows[3]["lr"] - 0.04) > 1e-6 or abs(rows[6]["lr"] - 0.02) > 1e-6:
            raise Failure(f"learning rate not halved: step 3 {rows[3]['lr']}, step 6 {rows[6]['lr']}")
        log = wait_for("the notice", lambda: "halved the learning rate" in s.viewer_log() and s.viewer_log())
        if s.app.poll() is not None:
            raise Failure("viewer exited")
        print([l for l in log.splitlines() if "halved" in l][0])


def case_bad_file(viewer, work, source_dir):
    bad = os.path.join(work, "not-an-image.jpg")
    open(bad, "w").write("this is text, not a JPEG\n")
    with Session(viewer, work) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        x0, y0, x1, y1 = s.widget("images_header")
        s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
        s.xdo("click", "1")
        # The panel scrolls: wheel down over it until the field is in view.
        def field_visible():
            r = json.load(open(s.probe)).get("content_path")
            if r and r[3] - r[1] >= 18:  # fully in view, not clipped by the scroll region
                return True
            s.xdo("mousemove", str((x0 + x1) // 2), str(y0 - 60))
            s.xdo("click", "5")
            time.sleep(0.2)
            return False
        wait_for("the content path field", field_visible)
        x0, y0, x1, y1 = s.widget("content_path")
        s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
        s.xdo("click", "1")
        time.sleep(0.2)
        s.key("ctrl+a")
        time.sleep(0.3)
        s.xdo("type", "--delay", "5", bad)
        s.key("Return")
        wait_for("an error message", lambda: "could not re-target" in s.viewer_log())
        s.xdo("mousemove", "300", "300")
        step = s.last_step()
        wait_for("steps to go on after the error", lambda: s.last_step() >= step + 3)
        print([l for l in s.viewer_log().splitlines() if "re-target" in l][0])


CASES = {"nan": case_nan, "bad-file": case_bad_file, "screenshot": case_screenshot, "pause": case_pause, "slider": case_slider, "no-display": case_no_display}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    if a.case != "no-display":
        for tool in ("Xvfb", "xdotool"):
            if not shutil.which(tool):
                print(f"FAIL: {tool} is not installed (scripts/setup.sh installs it)")
                return 1
    work = tempfile.mkdtemp(prefix=f"nst-gui-{a.case}-")
    t0 = time.monotonic()
    try:
        CASES[a.case](os.path.abspath(a.viewer), work, a.source_dir)
    except Failure as e:
        log = os.path.join(work, "viewer.log")
        tail = open(log).read()[-3000:] if os.path.exists(log) else ""
        print(f"FAIL ({a.case}): {e}\n--- viewer output ---\n{tail}\n(work folder kept: {work})")
        return 1
    print(f"PASS ({a.case}) in {time.monotonic() - t0:.1f} s")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
