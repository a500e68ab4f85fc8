#!/usr/bin/env python3
"""GUI tests for nst-viewer: start Xvfb on a free display, launch the real viewer (tiny size,
random features, CPU), drive it with real X input through xdotool and check what comes out
(screenshot PNGs, the --log-json step log). Standard library only. No case touches the network:
most pass --features random:1 --offline; the download cases serve a generated VGG19 file from
tests/weights_server.py, run in this process on 127.0.0.1, with XDG_CACHE_HOME in a temp folder.

    gui_test.py --viewer PATH --case screenshot|pause|slider|nan|bad-file|hostile-files|no-display|precision|
                                     coarse-to-fine|download|download-fail|download-cancel

NST_GUI_TEST_XSHOTS=DIR: also save `import -window root` pictures of the screen at key moments.
"""
import argparse
import array
import glob
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
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

    def __init__(self, viewer, workdir, extra_args=(), features=("--features", "random:1", "--offline"), env=None,
                 size=64):
        self.viewer, self.dir, self.size = viewer, workdir, size
        self.features, self.extra_env = list(features), dict(env or {})
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
        self.env = dict(os.environ, DISPLAY=":" + buf.decode().strip(), **self.extra_env)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env.pop("NST_WEIGHTS_URL", None)
        args = [self.viewer, *self.features, "--size", str(self.size), "--device", "cpu", "--threads", "1",
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

    def lines(self):
        """Lines of the --log-json file, parsed (steps and events, in the order written)."""
        try:
            with open(self.log) as f:
                return [json.loads(line) for line in f if line.endswith("\n")]
        except FileNotFoundError:
            return []

    def steps(self):
        """The step lines of the --log-json file (events left out)."""
        return [r for r in self.lines() if "step" in r]

    def events(self, name):
        return [r for r in self.lines() if r.get("event") == name]

    def xshot(self, name):
        """Debugging aid: a picture of the whole X screen when NST_GUI_TEST_XSHOTS is set."""
        out = os.environ.get("NST_GUI_TEST_XSHOTS")
        if out and shutil.which("import"):
            os.makedirs(out, exist_ok=True)
            subprocess.run(["import", "-window", "root", os.path.join(out, name + ".png")], env=self.env, timeout=20)

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


def type_bad_content_files(viewer, work, files):
    """Types each (path, expected words) into the content path field: each is refused with a
    message naming it and the problem, the viewer does not crash and the steps go on."""
    with Session(viewer, work) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        # The header sits at the bottom of the scrolling panel: wheel down over it until it is in view.
        lx0, ly0, lx1, ly1 = s.widget("lr")

        def header_visible():
            r = json.load(open(s.probe)).get("images_header")
            if r and r[3] - r[1] >= 18:
                return True
            s.xdo("mousemove", str((lx0 + lx1) // 2), str(ly1))
            s.xdo("click", "5")
            time.sleep(0.2)
            return False
        wait_for("the images header", header_visible)
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
        for path, words in files:
            def refusals():
                with open(os.path.join(s.dir, "viewer.log")) as f:
                    return [l for l in f.read().splitlines() if "could not re-target" in l]
            # Dear ImGui 1.86 samples key state once a frame, and a frame takes up to 80 ms under
            # software GL: a quick ctrl+a can go down and up unseen, and the path then lands
            # inside the old one. So keys are held for a few frames, and a mangled path (refused
            # as missing) is typed again.
            for attempt in range(3):
                before = len(refusals())
                cx0, cy0, cx1, cy1 = s.widget("content_path")
                s.xdo("mousemove", str((cx0 + cx1) // 2), str((cy0 + cy1) // 2))
                s.xdo("click", "1")
                time.sleep(0.3)
                s.xdo("keydown", "ctrl+a")
                time.sleep(0.3)
                s.xdo("keyup", "ctrl+a")
                time.sleep(0.2)
                s.xdo("type", "--delay", "5", path)
                s.xdo("keydown", "Return")
                time.sleep(0.3)
                s.xdo("keyup", "Return")
                new = wait_for(f"a message about {os.path.basename(path)}", lambda: refusals()[before:])
                line = next((l for l in new if path + ":" in l), None)
                if line:
                    break
            else:
                raise Failure(f"could not type {path} into the content field: {new}")
            if not all(w in line for w in words):
                raise Failure(f"the message does not say {words}: {line}")
            s.xdo("mousemove", "300", "300")
            step = s.last_step()
            wait_for("steps to go on after the error", lambda: s.last_step() >= step + 3)
            if s.app.poll() is not None:
                raise Failure("viewer exited")
            print(line)
            s.xshot("refused-" + os.path.basename(path))


def case_bad_file(viewer, work, source_dir):
    bad = os.path.join(work, "not-an-image.jpg")
    open(bad, "w").write("this is text, not a JPEG\n")
    type_bad_content_files(viewer, work, [(bad, ["not a supported image"])])


def case_hostile_files(viewer, work, source_dir):
    """Files that crashed, hung or over-allocated the decoders before (issue: hostile files)."""
    files = {
        "photo.pgm": (bytes.fromhex("50350a3230303020323030300a36353533350a"), ["PNM", "not supported"]),
        "sky.hdr": (bytes.fromhex("233f52414449414e43450a464f524d41543d33322d6269745f726c655f726762650a0a"
                                  "2d592031202b5820380a02020008"), ["Radiance HDR"]),
        "int-min.bmp": (b"BM:\0\0\0\0\0\0\0\x36\0\0\0(\0\0\0\x01\0\0\0\0\0\0\x80\x01\0\x18\0" + bytes(24) + b"\0\0\xff\0",
                        ["corrupt BMP"]),
    }
    cases = []
    for name, (data, words) in files.items():
        path = os.path.join(work, name)
        open(path, "wb").write(data)
        cases.append((path, words))
    type_bad_content_files(viewer, work, cases)


def case_precision(viewer, work, source_dir):
    """The precision control re-targets the engine in bf16 and carries on from the current image."""
    with Session(viewer, work) as s:
        wait_for("3 steps", lambda: s.last_step() >= 3)
        if s.steps()[-1]["precision"] != "fp32":
            raise Failure(f"expected fp32 steps first: {s.steps()[-1]}")
        if "precision_tf32" in json.load(open(s.probe)):
            raise Failure("tf32 is offered on a CPU device")
        x0, y0, x1, y1 = s.widget("precision_bf16")
        s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
        s.xdo("click", "1")
        s.xdo("mousemove", "300", "300")
        wait_for("the precision event", lambda: s.events("precision"))
        bf = wait_for("bf16 steps", lambda: [r for r in s.steps() if r["precision"] == "bf16"])
        wait_for("more bf16 steps", lambda: s.last_step() >= bf[0]["step"] + 2)
        fp = [r for r in s.steps() if r["precision"] == "fp32"]
        if bf[0]["step"] != fp[-1]["step"] + 1:
            raise Failure(f"the step counter should go on: fp32 up to {fp[-1]['step']}, bf16 from {bf[0]['step']}")
        if any(r["total"] is None for r in s.steps()):
            raise Failure("a loss became NaN")
        s.xshot("precision-bf16")
        print(f"fp32 steps 1..{fp[-1]['step']}, bf16 from step {bf[0]['step']} (total loss "
              f"{fp[-1]['total']:.4g} -> {s.steps()[-1]['total']:.4g})")


def case_coarse_to_fine(viewer, work, source_dir):
    """--scales 3 --coarse-steps 3 at --size 128: 3 steps at 32 px, 3 at 64 px, then 128 px, with
    the step counter going on across the levels."""
    with Session(viewer, work, ["--scales", "3", "--coarse-steps", "3"], size=128) as s:
        wait_for("steps at the full size", lambda: s.last_step() >= 8)
        steps = s.steps()
        numbers = [r["step"] for r in steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise Failure(f"the steps should go 1, 2, 3, ... across the levels: {numbers}")
        sizes = [r.get("size") for r in steps]
        if sizes[:8] != [32, 32, 32, 64, 64, 64, 128, 128] or any(v != 128 for v in sizes[6:]):
            raise Failure(f"expected sizes 32 x3, 64 x3, then 128: {sizes}")
        errors = [r for r in s.lines() if "error" in r.get("event", "")] + \
                 [l for l in s.viewer_log().splitlines() if "error" in l.lower() or "failed" in l.lower()]
        if errors:
            raise Failure(f"errors: {errors}")
        if any(r["total"] is None for r in steps):
            raise Failure("a loss became NaN")
        if s.app.poll() is not None:
            raise Failure("viewer exited")
        print(f"steps 1..{numbers[-1]} at sizes {sizes}")


# ---- weights: a generated VGG19 and the loopback server ----------------------------------------

# torchvision's VGG19 convolutions: (features index, in channels, out channels).
VGG19_CONVS = [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256), (12, 256, 256),
               (14, 256, 256), (16, 256, 256), (19, 256, 512), (21, 512, 512), (23, 512, 512),
               (25, 512, 512), (28, 512, 512), (30, 512, 512), (32, 512, 512), (34, 512, 512)]


def write_vgg19_full_layout(path, seed=3):
    """A full-layout VGG19 model.safetensors (features.* in F32 with Kaiming-scaled values, plus
    small classifier stand-ins before features.19 and after the features, which a download must
    skip), written with the standard library only. Values repeat a random block per tensor: they
    only need to be finite and of a sensible scale."""
    rng = random.Random(seed)
    tensors = []  # (name, shape, bytes)

    def add(name, shape, std):
        n = 1
        for d in shape:
            n *= d
        block = array.array("f", (rng.gauss(0.0, std) for _ in range(min(n, 4099)))).tobytes()
        reps, rest = divmod(n * 4, len(block))
        tensors.append((name, shape, block * reps + block[:rest]))

    for index, cin, cout in VGG19_CONVS:
        if index == 19:
            add("pre_logits.fc1.weight", [64, 512, 7], 0.01)
        add(f"features.{index}.weight", [cout, cin, 3, 3], (2.0 / (cout * 9)) ** 0.5)
        add(f"features.{index}.bias", [cout], 0.01)
    add("head.fc.weight", [1000, 512], 0.01)
    add("head.fc.bias", [1000], 0.01)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, data in tensors:
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for _, _, data in tensors:
            f.write(data)


class WeightsServer:
    """tests/weights_server.py's handler, served from a thread of this process on 127.0.0.1 (so it
    can never outlive the test), optionally slowed to `seconds_per_mb` so a download takes a while."""

    def __init__(self, source_dir, file, seconds_per_mb=0.0):
        sys.path.insert(0, os.path.join(source_dir, "tests"))
        import weights_server as ws
        state = ws.State(file)
        if seconds_per_mb > 0:
            vf = state.files["normal"]
            plain = vf.read

            def slow_read(offset, n):
                time.sleep(seconds_per_mb * n / 1e6)
                return plain(offset, n)
            vf.read = slow_read
        handler = type("Handler", (ws.Handler,), {"state": state})
        self.state = state
        self.server = ws.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.state.stop.set()
        self.server.shutdown()
        self.server.server_close()
        return False

    def url(self, mode):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{mode}/model.safetensors"

    def bytes_sent(self, mode):
        with self.state.lock:
            return self.state.stats.get(mode, {}).get("bytes", 0)


def cache_files(cache):
    """Everything under the XDG cache folder's nst/ (relative paths; Mesa keeps its own folder there)."""
    out = []
    for root, _, files in os.walk(os.path.join(cache, "nst")):
        out += [os.path.relpath(os.path.join(root, f), cache) for f in files]
    return sorted(out)


def download_session(viewer, work, url, extra=()):
    cache = os.path.join(work, "cache")
    os.makedirs(cache, exist_ok=True)
    return cache, Session(viewer, work, ["--weights-url", url, *extra], features=(), env={"XDG_CACHE_HOME": cache})


def line_index(lines, pred):
    return next((i for i, r in enumerate(lines) if pred(r)), None)


def case_download(viewer, work, source_dir):
    model = os.path.join(work, "model.safetensors")
    write_vgg19_full_layout(model)
    # About 80 MB of features at 0.05 s/MB: a download of about 4 s, long enough to see steps on
    # untrained features first and the progress bar in the window.
    with WeightsServer(source_dir, model, seconds_per_mb=0.05) as server:
        cache, session = download_session(viewer, work, server.url("normal"))
        with session as s:
            start = wait_for("the start header", lambda: s.events("start"))[0]
            if start["features"] != "random" or start["download"] is not True:
                raise Failure(f"expected a start on random features with a download: {start}")
            first = wait_for("a step on untrained features", lambda: s.steps())[0]
            if first["features"] != "random" or first["style_weight"] != 1e8:
                raise Failure(f"the first step should run on random features with beta 1e8: {first}")
            untrained_shot = s.save_result()
            if "-untrained" not in os.path.basename(untrained_shot):
                raise Failure(f"a result of random features must say so in its name: {untrained_shot}")
            s.xshot("download-1-progress")
            done = wait_for("the download to finish", lambda: s.events("download_done"), timeout=45)[0]
            wait_for("the switch", lambda: s.events("weights_switch"))
            vgg = wait_for("a step on the downloaded weights", lambda: [r for r in s.steps() if r["features"] == "vgg19"])
            wait_for("more steps on the downloaded weights", lambda: s.last_step() >= vgg[0]["step"] + 2)
            s.xshot("download-2-switched")
            lines = s.lines()
            i_done = line_index(lines, lambda r: r.get("event") == "download_done")
            i_random = line_index(lines, lambda r: r.get("features") == "random" and "step" in r)
            if i_random is None or i_random > i_done:
                raise Failure("no step ran on untrained features before the download finished")
            steps = s.steps()
            random_steps = [r for r in steps if r["features"] == "random"]
            vgg_steps = [r for r in steps if r["features"] == "vgg19"]
            if any(r["features"] == "random" for r in steps[steps.index(vgg_steps[0]):]):
                raise Failure("went back to random features after the switch")
            if vgg_steps[0]["step"] != random_steps[-1]["step"] + 1:
                raise Failure(f"the step counter should go on across the switch: last random step "
                              f"{random_steps[-1]['step']}, first VGG19 step {vgg_steps[0]['step']}")
            if any(r["style_weight"] != 1e6 for r in vgg_steps):
                raise Failure(f"beta should be the VGG19 default 1e6 after the switch: {vgg_steps[0]}")
            cached = os.path.join(cache, "nst", "vgg19-features.safetensors")
            if done["path"] != cached or not os.path.isfile(cached):
                raise Failure(f"expected the weights at {cached}: {done}, cache has {cache_files(cache)}")
            if cache_files(cache) != ["nst/vgg19-features.safetensors"]:
                raise Failure(f"unexpected files in the cache: {cache_files(cache)}")
            if done["bytes_downloaded"] >= os.path.getsize(model):
                raise Failure(f"downloaded {done['bytes_downloaded']} bytes of a {os.path.getsize(model)}-byte file: "
                              f"the classifier should have been skipped")
            trained_shot = s.save_result()
            if "untrained" in os.path.basename(trained_shot):
                raise Failure(f"a result of the real weights is labelled untrained: {trained_shot}")
            print(f"steps 1..{random_steps[-1]['step']} on untrained features (beta 1e8), download of "
                  f"{done['bytes_downloaded']} bytes in {done['seconds']:.1f} s, then steps "
                  f"{vgg_steps[0]['step']}..{s.last_step()} on the downloaded weights (beta 1e6); "
                  f"{os.path.basename(untrained_shot)} -> {os.path.basename(trained_shot)}")


def case_download_fail(viewer, work, source_dir):
    model = os.path.join(work, "model.safetensors")
    write_vgg19_full_layout(model)
    with WeightsServer(source_dir, model) as server:
        cache, session = download_session(viewer, work, server.url("404"))
        with session as s:
            failed = wait_for("the download failure", lambda: s.events("download_failed"))[0]
            if "404" not in failed["error"]:
                raise Failure(f"the error should name the HTTP status: {failed}")
            wait_for("the error in the window (retry button)", lambda: "retry_download" in json.load(open(s.probe)))
            s.xshot("download-fail")
            step = wait_for("steps", lambda: s.last_step())
            wait_for("steps to go on after the failure", lambda: s.last_step() >= step + 3)
            if s.app.poll() is not None:
                raise Failure("the viewer exited")
            if any(r["features"] != "random" for r in s.steps()):
                raise Failure("steps should stay on untrained features")
            # Retry: a second attempt, which fails the same way (the window stays up).
            x0, y0, x1, y1 = s.widget("retry_download")
            s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
            s.xdo("click", "1")
            wait_for("a second attempt", lambda: len(s.events("download_failed")) >= 2)
            s.xdo("mousemove", "300", "300")
            started = s.events("download_started")
            if [e["attempt"] for e in started] != [1, 2]:
                raise Failure(f"expected attempts 1 and 2: {started}")
            if cache_files(cache):
                raise Failure(f"files left in the cache: {cache_files(cache)}")
            print(f"download failed ({failed['error']}); retried once; still stepping at step {s.last_step()}")


def case_download_cancel(viewer, work, source_dir):
    model = os.path.join(work, "model.safetensors")
    write_vgg19_full_layout(model)
    # Slow: about 40 s for the whole file, so the window closes in the middle of the transfer.
    with WeightsServer(source_dir, model, seconds_per_mb=0.5) as server:
        cache, session = download_session(viewer, work, server.url("normal"))
        with session as s:
            wait_for("a step", lambda: s.steps())
            wait_for("data to flow", lambda: server.bytes_sent("normal") > 3_000_000)
            t0 = time.monotonic()
            s.key("ctrl+q")
            wait_for("the viewer to exit", lambda: s.app.poll() is not None, timeout=15)
            took = time.monotonic() - t0
            if s.app.returncode != 0:
                raise Failure(f"viewer exited with {s.app.returncode}")
            if took > 5:
                raise Failure(f"closing during a download took {took:.1f} s")
            if cache_files(cache):
                raise Failure(f"a cancelled download left files behind: {cache_files(cache)}")
            if not s.events("download_cancelled"):
                raise Failure("no download_cancelled event in the log")
            print(f"closed during the download ({server.bytes_sent('normal')} bytes sent): exited in {took:.1f} s, "
                  f"cache empty")


CASES = {"nan": case_nan, "bad-file": case_bad_file, "hostile-files": case_hostile_files, "screenshot": case_screenshot, "pause": case_pause, "slider": case_slider, "no-display": case_no_display, "precision": case_precision,
         "coarse-to-fine": case_coarse_to_fine,
         "download": case_download, "download-fail": case_download_fail, "download-cancel": case_download_cancel}


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
