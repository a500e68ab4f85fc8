#!/usr/bin/env python3
"""GUI tests for nst-viewer: start Xvfb on a free display, launch the real viewer (tiny size,
random features, CPU), drive it with real X input through xdotool and check what comes out
(screenshot PNGs, the --log-json step log). Standard library only. No case touches the network:
most pass --features random:1 --offline; the download cases serve a generated VGG19 file from
tests/support/weights_server.py, run in this process on 127.0.0.1, with XDG_CACHE_HOME in a temp folder.

    gui_test.py --viewer PATH --case screenshot|pause|slider|nan|bad-file|hostile-files|no-display|precision|
                                     coarse-to-fine|blend|colors|style-knobs|style-flags|download|
                                     download-fail|download-cancel|paint

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
    """Decodes an 8-bit grey/RGB/RGBA non-interlaced PNG: returns (width, height, channels, bytes)."""
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
            if depth != 8 or color not in (0, 2, 4, 6) or interlace:
                raise Failure(f"{path}: unsupported PNG layout")
            ch = {0: 1, 2: 3, 4: 2, 6: 4}[color]
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


def write_png(path, width, height, pixel):
    """Writes an 8-bit RGB PNG; pixel(x, y) -> (r, g, b)."""
    raw = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))

    def chunk(ctype, body):
        return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_comment(path):
    """The JSON object in a PNG's tEXt "Comment" chunk (ASCII, so also valid Latin-1), or None."""
    data = open(path, "rb").read()
    pos = 8
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"tEXt" and body.startswith(b"Comment\0"):
            return json.loads(body[len(b"Comment\0"):].decode("ascii"))
        pos += 12 + length
    return None


# YIQ as the engine computes it (nst/src/loss/color.cpp, FCC NTSC coefficients), in 0..255 units.
YIQ = ((0.299, 0.587, 0.114), (0.595716, -0.274453, -0.321263), (0.211456, -0.522591, 0.311135))


def yiq(img, i):
    _, _, ch, px = img
    r, g, b = px[i * ch], px[i * ch + 1], px[i * ch + 2]
    return tuple(m[0] * r + m[1] * g + m[2] * b for m in YIQ)


# ---- the session -------------------------------------------------------------------------------

class Session:
    """Xvfb + nst-viewer, always torn down (kill + wait) however the test ends."""

    def __init__(self, viewer, workdir, extra_args=(), features=("--features", "random:1", "--offline"), env=None,
                 size=64):
        self.viewer, self.dir, self.size = viewer, workdir, size
        self.features, self.extra_env = list(features), dict(env or {})
        self.log = os.path.join(workdir, "log.jsonl")
        self.probe_path = os.path.join(workdir, "probe.json")
        self.shots = os.path.join(workdir, "shots")
        os.makedirs(self.shots, exist_ok=True)
        self.xvfb = self.app = None
        self.extra = list(extra_args)

    def __enter__(self):
        # A start that fails half way (no viewer binary, no first frame) still takes Xvfb down:
        # __exit__ is not called for an exception raised in __enter__.
        try:
            return self._start()
        except BaseException:
            self.__exit__()
            raise

    def _start(self):
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
        # The autosave's state folder per case (never the user's), and no desktop file dialog.
        self.env = dict(os.environ, DISPLAY=":" + buf.decode().strip(),
                        **{"XDG_STATE_HOME": os.path.join(self.dir, "state"), "NST_FILE_DIALOG": "none",
                           **self.extra_env})
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env.pop("NST_WEIGHTS_URL", None)
        args = [self.viewer, *self.features, "--size", str(self.size), "--device", "cpu", "--threads", "1",
                "--window-size", "1100x720", "--log-json", self.log, "--screenshot-dir", self.shots,
                "--ui-probe", self.probe_path, *self.extra]
        self.out = open(os.path.join(self.dir, "viewer.log"), "w")
        self.app = subprocess.Popen(args, env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        wait_for("the first frame (UI probe file)", lambda: self.app.poll() is not None or os.path.exists(self.probe_path))
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
        if getattr(self, "out", None):
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
        rects = self.probe()
        if name not in rects:
            raise Failure(f"widget {name} not in the UI probe: {sorted(rects)}")
        return rects[name]


    def click(self, name, fx=0.5):
        """A left click on a widget of the UI probe, at fraction fx of its width; then the pointer
        goes back over the image (keys go where the pointer is)."""
        x0, y0, x1, y1 = self.widget(name)
        self.xdo("mousemove", str(round(x0 + fx * (x1 - x0))), str((y0 + y1) // 2))
        time.sleep(0.15)
        self.xdo("click", "1")
        time.sleep(0.15)
        self.xdo("mousemove", "300", "300")

    def drag_slider(self, name, to, start=None):
        """A real drag on a slider: press (at `start`, or a little before `to`), move to fraction
        `to` of its width in small steps, release; each state held long enough for a frame to see
        it (Dear ImGui samples the mouse once a frame)."""
        x0, y0, x1, y1 = self.widget(name)
        y = str((y0 + y1) // 2)
        start = max(0.0, to - 0.1) if start is None else start
        self.xdo("mousemove", str(round(x0 + start * (x1 - x0))), y)
        time.sleep(0.2)
        self.xdo("mousedown", "1")
        time.sleep(0.2)
        for k in range(1, 6):
            self.xdo("mousemove", str(round(x0 + (start + (to - start) * k / 5) * (x1 - x0))), y)
            time.sleep(0.05)
        time.sleep(0.2)
        self.xdo("mouseup", "1")
        time.sleep(0.2)
        self.xdo("mousemove", "300", "300")

    def probe(self):
        try:
            return json.load(open(self.probe_path))
        except (OSError, ValueError):
            return {}

    def scroll_to(self, name, min_height=20):
        """Wheels the control panel until the widget is fully in view."""
        if not hasattr(self, "_wheel_at"):
            x0, _, x1, y1 = self.widget("pause")
            self._wheel_at = (str((x0 + x1) // 2), str(y1 + 60))

        def visible():
            r = self.probe().get(name)
            return bool(r) and r[3] - r[1] >= min_height
        for button in ["5"] * 20 + ["4"] * 40:  # down first, then back up
            if visible():
                return
            self.xdo("mousemove", *self._wheel_at)
            self.xdo("click", button)
            time.sleep(0.15)
        if not visible():
            raise Failure(f"could not scroll {name} into view: {sorted(self.probe())}")
        self.xdo("mousemove", "300", "300")

    def type_into(self, name, text):
        """Types text into a text field and presses Enter. Dear ImGui 1.86 samples key state once
        a frame, so Ctrl+A and Enter are held for a few frames."""
        x0, y0, x1, y1 = self.widget(name)
        self.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
        self.xdo("click", "1")
        time.sleep(0.3)
        self.xdo("keydown", "ctrl+a")
        time.sleep(0.3)
        self.xdo("keyup", "ctrl+a")
        time.sleep(0.2)
        self.xdo("type", "--delay", "5", text)
        self.xdo("keydown", "Return")
        time.sleep(0.3)
        self.xdo("keyup", "Return")
        self.xdo("mousemove", "300", "300")

    def step_once(self):
        """One step with the Right key (the run is paused); returns its log line."""
        before = self.last_step()
        self.key("Right")
        wait_for(f"step {before + 1}", lambda: self.last_step() >= before + 1)
        time.sleep(0.2)
        if self.last_step() != before + 1:
            raise Failure(f"one step went from {before} to {self.last_step()}")
        return self.steps()[-1]

    def save_result_where(self, what, pred, tries=15):
        """Saves results until one's metadata satisfies pred (a new frame may take a moment)."""
        for _ in range(tries):
            path = self.save_result()
            meta = png_comment(path)
            if meta and pred(meta):
                return path, meta
            time.sleep(0.3)
        raise Failure(f"no saved result with {what}: last metadata {meta}")

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


def type_bad_content_files(viewer, work, files, extra=(), after=None):
    """Types each (path, expected words) into the content path field: each is refused with a
    message naming it and the problem, the viewer does not crash and the steps go on. `extra`:
    more viewer flags; `after(s)`: more checks in the same session."""
    with Session(viewer, work, extra) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        # The header sits at the bottom of the scrolling panel: wheel down over it until it is in view.
        lx0, ly0, lx1, ly1 = s.widget("lr")

        def header_visible():
            r = s.probe().get("images_header")
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
            r = s.probe().get("content_path")
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
                s.type_into("content_path", path)
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
        if after:
            after(s)


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
        if "precision_tf32" in s.probe():
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


# ---- several styles, colours, style scale, statistic --------------------------------------------

def checks(x, y):
    """A second style unlike the bundled one: red and blue 8-pixel checks."""
    return (230, 40, 40) if (x // 8 + y // 8) % 2 else (30, 60, 220)


def retargets(s):
    return s.events("retarget")


def case_blend(viewer, work, source_dir):
    """Adding a style re-targets in the background; a bad one is refused with a message and changes
    nothing; moving a blend slider changes the loss at the next step with no new targets (no
    retarget event, the engine's count of target forward passes unchanged)."""
    second = os.path.join(work, "checks.png")
    write_png(second, 96, 96, checks)
    bad = os.path.join(work, "notes.png")
    open(bad, "w").write("not an image\n")
    # A small learning rate: one step moves the loss little, so a blend change stands out.
    with Session(viewer, work, ["--paused", "--lr", "0.001"]) as s:
        wait_for("the start targets", lambda: retargets(s))
        s.step_once()
        s.step_once()
        s.scroll_to("add_style_path")
        s.type_into("add_style_path", bad)
        refusal = wait_for("the refusal of the bad style",
                           lambda: [l for l in s.viewer_log().splitlines() if "could not re-target" in l and bad in l])
        wait_for("the style list back to one style", lambda: "blend_0" in s.probe() and "blend_1" not in s.probe())
        one = s.step_once()
        if len(one["style_blend"]) != 1 or any(r["reason"] == "styles" for r in retargets(s)):
            raise Failure(f"the bad style changed the running set: {one['style_blend']}, {retargets(s)}")
        s.type_into("add_style_path", second)
        added = wait_for("new targets for two styles", lambda: [r for r in retargets(s) if r["reason"] == "styles"])[0]
        if added["styles"] != ["style.jpg", "checks.png"]:
            raise Failure(f"expected the bundled style and checks.png: {added}")
        # The second style's row may open below the panel's fold: scroll it into view.
        s.scroll_to("style_remove_1")
        s.scroll_to("blend_1")
        s.xshot("blend-two-styles")
        a, b = s.step_once(), s.step_once()
        if a["style_blend"] != [0.5, 0.5] or b["step"] != a["step"] + 1:
            raise Failure(f"two styles should start with equal weights: {a['style_blend']}")
        events_before = len(retargets(s))
        # Drag the second style's blend slider from its right end down to about 0.1.
        s.scroll_to("blend_1")
        s.drag_slider("blend_1", 0.1, start=0.97)
        c = s.step_once()
        w0, w1 = c["style_blend"]
        if not w1 < 0.2 or abs(w0 + w1 - 1) > 1e-5:
            raise Failure(f"the blend did not reach the optimizer: {c['style_blend']}")
        drift = abs(b["style"] - a["style"])  # one step of optimisation, same blend
        jump = abs(c["style"] - b["style"])   # one step and the blend change
        if not jump > 10 * drift:
            raise Failure(f"the style loss should change with the blend: {a['style']:.4g} -> {b['style']:.4g} "
                          f"(same blend) -> {c['style']:.4g} (new blend)")
        if len(retargets(s)) != events_before or c["target_passes"] != b["target_passes"]:
            raise Failure(f"the blend change computed targets: events {retargets(s)[events_before:]}, "
                          f"target passes {b['target_passes']} -> {c['target_passes']}")
        print(refusal[0])
        print(f"two styles from step {a['step']} (target passes {added['target_passes']}); blend "
              f"{b['style_blend']} -> {c['style_blend']} at step {c['step']}: style loss "
              f"{a['style']:.5g} -> {b['style']:.5g} -> {c['style']:.5g} (jump {jump / max(drift, 1e-30):.0f}x the "
              f"drift of a step), no retarget event, target passes still {c['target_passes']}")


def case_colors(viewer, work, source_dir):
    """Colours 'post' changes only what is shown and saved: the saved result keeps its luminance
    and takes the content's chrominance (YIQ I and Q) within 8-bit rounding; back to 'off' gives
    the same pixels as before; no step runs and no target is computed."""
    # The bundled style under a name outside ASCII: the log and the PNG text chunk escape it.
    style = os.path.join(work, "stil-\u00e9t\u00e9.jpg")
    shutil.copy(os.path.join(source_dir, "assets", "style.jpg"), style)
    with Session(viewer, work, ["--paused", "--style", style]) as s:
        content_path = s.save_result()  # step 0: the content image as the network sees it
        content = read_png(content_path)
        meta = png_comment(content_path)
        if meta["step"] != 0 or meta["styles"] != [os.path.basename(style)] or meta["preserve_colors"] != "off":
            raise Failure(f"expected the step-0 image of {os.path.basename(style)} first: {meta}")
        if s.events("start")[0]["styles"] != [style]:
            raise Failure(f"the --log-json header should name the style: {s.events('start')[0]}")
        s.key("space")
        wait_for("8 steps", lambda: s.last_step() >= 8)
        s.key("space")
        step = s.settle_paused()
        off_path, off_meta = s.save_result_where("colours off", lambda m: m["step"] == step)
        off = read_png(off_path)
        w, h, _, _ = off
        n = w * h
        moved = sum(abs(yiq(off, i)[1] - yiq(content, i)[1]) + abs(yiq(off, i)[2] - yiq(content, i)[2])
                    for i in range(n)) / n
        if moved < 3:
            raise Failure(f"the style barely changed the colours (mean |dI|+|dQ| {moved:.2f}): the test cannot tell")
        passes, events = s.steps()[-1]["target_passes"], len(retargets(s))

        def choose(mode):
            s.scroll_to("colors")
            s.click("colors")
            wait_for(f"the {mode} entry", lambda: f"colors_{mode}" in s.probe())
            s.click(f"colors_{mode}")
        choose("post")
        post_path, post_meta = s.save_result_where("colours post", lambda m: m["preserve_colors"] == "post")
        if post_meta["step"] != step:
            raise Failure(f"a step ran: {post_meta}")
        post = read_png(post_path)
        # 8-bit rounding: each channel of each image is within 0.5 of its exact value, so a YIQ
        # channel within 0.5 x the sum of its coefficients' magnitudes, twice that for a pair.
        tol = [sum(abs(c) for c in row) + 1e-6 for row in YIQ]  # Y 1.0, I 1.19, Q 1.05
        worst, compared = [0.0, 0.0, 0.0], 0
        for i in range(n):
            px = post[3][i * post[2]:i * post[2] + 3]
            if min(px) == 0 or max(px) == 255:
                continue  # clipped to [0,1]: the chrominance had to give
            compared += 1
            p, c, o = yiq(post, i), yiq(content, i), yiq(off, i)
            worst = [max(worst[0], abs(p[0] - o[0])), max(worst[1], abs(p[1] - c[1])), max(worst[2], abs(p[2] - c[2]))]
        if compared < n // 2:
            raise Failure(f"only {compared} of {n} pixels are not clipped")
        if any(wv > tv for wv, tv in zip(worst, tol)):
            raise Failure(f"post: max |dY| vs off {worst[0]:.3f} (tolerance {tol[0]:.2f}), max |dI|, |dQ| vs the content "
                          f"{worst[1]:.3f}, {worst[2]:.3f} (tolerance {tol[1]:.2f}, {tol[2]:.2f})")
        s.xshot("colors-post")
        choose("off")
        back_path, _ = s.save_result_where("colours off again", lambda m: m["preserve_colors"] == "off")
        if read_png(back_path) != off:
            raise Failure("back to 'off', the result differs from before 'post': the iterate was touched")
        after = s.step_once()
        if len(retargets(s)) != events or after["target_passes"] != passes:
            raise Failure(f"the colour toggle computed targets: {retargets(s)[events:]}, passes {passes} -> "
                          f"{after['target_passes']}")
        print(f"step {step}: chrominance moved by {moved:.1f} (mean |dI|+|dQ|); post: {compared}/{n} unclipped pixels "
              f"with max |dI| {worst[1]:.3f}, |dQ| {worst[2]:.3f} from the content and |dY| {worst[0]:.3f} from the "
              f"result (tolerances {tol[1]:.2f}, {tol[2]:.2f}, {tol[0]:.2f}); off again: identical pixels; no targets")


def case_style_knobs(viewer, work, source_dir):
    """The statistic switch is instant (no targets; beta follows it to its default); a new style
    scale re-targets in the background and the run carries on; a scale too small for the deepest
    layer is refused with a message and the previous one kept."""
    with Session(viewer, work, ["--paused"]) as s:
        wait_for("the start targets", lambda: retargets(s))

        def pick(probe):
            """Clicks a radio button of the style panel and returns the next step's line."""
            s.scroll_to(probe)
            s.click(probe)
            time.sleep(0.3)
            return s.step_once()

        first = s.step_once()
        if (first["style_loss"], first["style_scale"], first["style_weight"]) != ("gram", 1, 1e8):
            raise Failure(f"expected gram, scale 1, beta 1e8 first: {first}")
        events = len(retargets(s))
        w2 = pick("statistic_w2")
        if w2["style_loss"] != "w2" or w2["style_weight"] != 500:
            raise Failure(f"expected w2 with beta 500 (its default): {w2}")
        if len(retargets(s)) != events or w2["target_passes"] != first["target_passes"]:
            raise Failure(f"the statistic switch computed targets: {retargets(s)[events:]}")
        # The slider (log scale, 0.1 to 4) dragged up from 1 towards its right end; new targets
        # are computed once, when it is let go.
        s.scroll_to("style_scale")
        s.drag_slider("style_scale", 0.85)
        scaled = wait_for("new targets for the style scale", lambda: [r for r in retargets(s) if r["reason"] == "style_scale"])
        if len(scaled) != 1 or scaled[0]["target_passes"] <= w2["target_passes"]:
            raise Failure(f"expected one re-target, with forward passes, when the slider is let go: {scaled}")
        scaled = scaled[0]
        big = s.step_once()
        if not big["style_scale"] > 1.3 or big["step"] != w2["step"] + 1 or big["target_passes"] != scaled["target_passes"]:
            raise Failure(f"expected a larger scale and the step counter going on: {big}")
        # At 64 px a scale of 0.1 leaves a 6 px style: too small for relu5_1 (16 px).
        s.drag_slider("style_scale", 0.0)
        refusal = wait_for("the refusal", lambda: [l for l in s.viewer_log().splitlines() if "parameters refused" in l])
        if "too small" not in refusal[0]:
            raise Failure(f"the message should say why: {refusal[0]}")
        kept = s.step_once()
        if kept["style_scale"] != big["style_scale"]:
            raise Failure(f"the refused scale reached a step: {kept}")
        # The window shows the kept scale again: the next change sends it, not the refused one.
        gram = pick("statistic_gram")
        if gram["style_scale"] != big["style_scale"] or gram["style_loss"] != "gram" or gram["style_weight"] != 1e8:
            raise Failure(f"expected gram, beta 1e8 and the kept scale: {gram}")
        if len([l for l in s.viewer_log().splitlines() if "parameters refused" in l]) != 1:
            raise Failure("the refused scale was sent again")
        # The losses that match features: the first computes the style's activations once (one
        # pass: one style); the others, self-similarity and the way back to gram compute nothing.
        # Each default weight follows its loss.
        sw = pick("statistic_sw")
        if sw["style_loss"] != "sw" or sw["style_weight"] != 1000 or sw["target_passes"] != gram["target_passes"] + 1:
            raise Failure(f"expected sw, beta 1000 and one forward pass (one style): {gram} -> {sw}")
        matched = [sw]
        for name, beta in (("remd", 100), ("nn", 100)):
            matched.append(pick(f"statistic_{name}"))
            if matched[-1]["style_loss"] != name or matched[-1]["style_weight"] != beta:
                raise Failure(f"expected {name} with beta {beta}: {matched[-1]}")
        ss = pick("content_loss_self-similarity")
        if ss["content_loss"] != "self-similarity" or ss["content_weight"] != 16 or ss["style_loss"] != "nn":
            raise Failure(f"expected self-similarity content with alpha 16: {ss}")
        back = pick("statistic_gram")
        if back["style_loss"] != "gram" or back["style_weight"] != 1e8:
            raise Failure(f"expected gram and beta 1e8 again: {back}")
        if any(m["target_passes"] != sw["target_passes"] for m in matched + [ss, back]):
            raise Failure(f"remd, nn, self-similarity or gram computed targets: "
                          f"{[m['target_passes'] for m in matched + [ss, back]]} after sw's {sw['target_passes']}")
        s.xshot("style-knobs")
        print(f"w2 at step {w2['step']} with no targets; scale {big['style_scale']:.2f} from step {big['step']} "
              f"({scaled['target_passes'] - w2['target_passes']} target passes); {refusal[0]}; sw "
              f"{sw['target_passes'] - gram['target_passes']} pass, then remd, nn, self-similarity and gram none")


def case_style_flags(viewer, work, source_dir):
    """--style (repeated or a comma list), --style-blend, --preserve-colors, --style-scale and
    --style-loss are checked as nst checks them: exit 2 and the same message naming the value."""
    nst = os.path.join(os.path.dirname(viewer), "nst")
    if not os.access(nst, os.X_OK):
        raise Failure(f"{nst} is needed to compare the messages")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    a, b = os.path.join(source_dir, "assets", "style.jpg"), os.path.join(source_dir, "assets", "content.jpg")
    bad = [(["--style-blend", "3,x"], "'x' is not a number"),
           (["--style", f"{a},{b}", "--style-blend", "1"], "1 weight for 2 style images"),
           (["--style-blend", "0"], "all zero"),
           (["--preserve-colors", "sepia"], "--preserve-colors sepia"),
           (["--style-scale", "9"], "--style-scale 9"),
           (["--style-loss", "l1"], "--style-loss l1"),
           (["--style", ""], "empty file name")]
    for args, words in bad:
        v = subprocess.run([viewer, "--features", "random:1", *args], env=env, capture_output=True, text=True, timeout=30)
        c = subprocess.run([nst, "--content", b, *([] if "--style" in args else ["--style", a]), "--features", "random:1",
                            "--output", os.path.join(work, "out.png"), "--size", "32", "--steps", "1", *args], env=env, capture_output=True, text=True,
                           timeout=60)
        vline = (v.stdout + v.stderr).strip().splitlines()[-1:] or [""]
        cline = (c.stdout + c.stderr).strip().splitlines()[-1:] or [""]
        if v.returncode != 2 or words not in vline[0]:
            raise Failure(f"nst-viewer {' '.join(args)}: expected exit 2 naming {words!r}, got {v.returncode}: {vline[0]}")
        if c.returncode != 2 or vline[0].removeprefix("nst-viewer: ") != cline[0].removeprefix("nst: "):
            raise Failure(f"{' '.join(args)}: nst says {c.returncode}: {cline[0]!r}, nst-viewer {vline[0]!r}")
        print(f"{' '.join(args)}: exit 2, {vline[0]}")
    # Accepted: three styles (a repeated flag and a comma list) for three weights; no display, so exit 1.
    ok = subprocess.run([viewer, "--style", a, "--style", f"{b},{a}", "--style-blend", "1,2,3", "--preserve-colors",
                         "histogram", "--style-scale", "0.5", "--style-loss", "w2"], env=env, capture_output=True,
                        text=True, timeout=30)
    if ok.returncode != 1 or "no display" not in ok.stderr:
        raise Failure(f"valid style flags should pass parsing (then: no display): {ok.returncode} {ok.stderr}")


def case_optimizer(viewer, work, source_dir):
    """The optimiser toggle keeps the image and the step counter (no targets), each optimiser with
    its own learning rate; L-BFGS lowers the loss; the average toggle reaches the next step and the
    picture switches between the average and the iterate; restarting from gray and from a file."""
    with Session(viewer, work, ["--paused"]) as s:
        wait_for("the start targets", lambda: retargets(s))
        adam = s.step_once()
        if (adam["optimizer"], adam["lr"]) != ("adam", 0.02):
            raise Failure(f"expected Adam with lr 0.02 first: {adam}")
        events = len(retargets(s))
        s.scroll_to("optimizer_lbfgs")
        s.click("optimizer_lbfgs")
        time.sleep(0.3)
        lbfgs = [s.step_once() for _ in range(6)]
        if (lbfgs[0]["optimizer"], lbfgs[0]["lr"], lbfgs[0]["step"]) != ("lbfgs", 1, adam["step"] + 1):
            raise Failure(f"expected L-BFGS with lr 1, the step counter going on: {lbfgs[0]}")
        if len(retargets(s)) != events or lbfgs[0]["target_passes"] != adam["target_passes"]:
            raise Failure(f"switching the optimiser computed targets: {retargets(s)[events:]}")
        if not lbfgs[-1]["total"] < lbfgs[0]["total"]:
            raise Failure(f"L-BFGS did not lower the loss: {[r['total'] for r in lbfgs]}")
        s.click("optimizer_adam")
        time.sleep(0.3)
        back = s.step_once()
        if (back["optimizer"], back["lr"]) != ("adam", 0.02):
            raise Failure(f"expected Adam with its own lr 0.02 back: {back}")

        # Averaging on: the next step uses it; then a few steps so the average lags the iterate.
        s.scroll_to("average_on")
        s.click("average_on")
        time.sleep(0.3)
        on = s.step_once()
        if on["average"] != 0.99 or on["shown"] != "average":
            raise Failure(f"expected the average (0.99) on and shown: {on}")
        for _ in range(4):
            s.step_once()
        avg_path, avg_meta = s.save_result_where("the average shown", lambda m: m.get("shown") == "average")
        s.scroll_to("show_iterate")
        s.click("show_iterate")
        it_path, it_meta = s.save_result_where("the iterate shown", lambda m: m.get("shown") == "iterate")
        if avg_meta["step"] != it_meta["step"]:
            raise Failure(f"showing the iterate should not step: {avg_meta['step']} -> {it_meta['step']}")
        diff = mean_abs_diff(read_png(avg_path), read_png(it_path))
        if not diff > 0.5:
            raise Failure(f"the average and the iterate look the same (mean abs diff {diff:.3f} of 255)")

        # Restart from gray, then from the saved iterate (a file: typed, Enter restarts).
        s.scroll_to("restart_gray")
        s.click("restart_gray")
        s.click("restart")
        passes = retargets(s)[-1]["target_passes"]
        gray_event = wait_for("the restart", lambda: [r for r in retargets(s) if r["reason"] == "restart"])
        if gray_event[0]["target_passes"] != passes:
            raise Failure(f"a restart with the same inputs computed targets: {gray_event[0]} after {passes}")
        gray = s.save_result_where("the restart's frame", lambda m: m.get("step") == 0)[0]
        w, h, ch, data = read_png(gray)
        mean = sum(data[i * ch + c] for i in range(w * h) for c in range(3)) / (w * h * 3)
        if abs(mean - 128) > 3:
            raise Failure(f"restart from gray: mean value {mean:.1f}, expected ~128")
        s.click("restart_file_choice")
        s.type_into("restart_file", it_path)
        file_event = wait_for("the restart from the file",
                              lambda: [r for r in retargets(s) if r["reason"] == "restart"][1:])[0]
        if file_event["target_passes"] != passes:
            raise Failure(f"a restart from a file computed targets: {file_event} after {passes}")
        again = s.save_result_where("the file restart's frame", lambda m: m.get("step") == 0)[0]
        back_diff = mean_abs_diff(read_png(again), read_png(it_path))
        if back_diff > 1.0:
            raise Failure(f"restart from {it_path}: mean abs diff {back_diff:.2f} of 255 from the file")
        lines = len(s.lines())
        s.key("Right")
        first = wait_for("the first step after the restart", lambda: [r for r in s.lines()[lines:] if "step" in r])[0]
        if first["step"] != 1:
            raise Failure(f"after a restart the steps count from 1: {first}")
        s.xshot("optimizer")
        print(f"lbfgs from step {lbfgs[0]['step']}: total {lbfgs[0]['total']:.4g} -> {lbfgs[-1]['total']:.4g}; "
              f"average vs iterate: mean abs diff {diff:.2f}/255; gray restart mean {mean:.1f}; file restart "
              f"diff {back_diff:.2f}/255 ({len(gray_event)} restart event first)")


def mask_values(path):
    """A saved mask as rows of grey values (the first channel; masks are grey in every channel)."""
    w, h, ch, px = read_png(path)
    return [[px[(y * w + x) * ch] for x in range(w)] for y in range(h)]


def case_paint(viewer, work, source_dir):
    """Paint mode: a region assigned to the style, a stroke dragged across the image with the
    mouse; the saved mask is bright where the stroke went and empty elsewhere, and the style loss
    changes at the next step (no targets computed); Ctrl+Z empties the mask again (the next step
    uses no region), Ctrl+Shift+Z brings the stroke back; the saved masks load back identically,
    and masks of the wrong aspect are refused with a message, keeping the current ones; started
    with the saved masks' nst flags (--region), the viewer runs with them."""
    masks, copy, bad = (os.path.join(work, d) for d in ("masks", "masks-copy", "bad"))
    os.makedirs(bad)
    write_png(os.path.join(bad, "region1.png"), 64, 8, lambda x, y: (255, 255, 255))
    with Session(viewer, work, ["--paused", "--lr", "0.001"]) as s:
        wait_for("the start targets", lambda: retargets(s))
        a, b = s.step_once(), s.step_once()
        if a["regions"] != 0:
            raise Failure(f"no region painted yet, the step line says {a['regions']}")
        s.scroll_to("paint_mode")
        s.click("paint_mode")
        wait_for("paint mode", lambda: "paint_image" in s.probe())
        s.scroll_to("paint_add_region")
        s.click("paint_add_region")
        # The new region's row may open below the panel's fold: scroll it into view.
        time.sleep(0.3)
        s.scroll_to("paint_style_0")
        s.click("paint_style_0")
        wait_for("the style entries", lambda: "paint_style_0_0" in s.probe())
        s.click("paint_style_0_0")
        wait_for("the paint overlay's image rectangle", lambda: "paint_image" in s.probe())
        passes = s.steps()[-1]["target_passes"]

        # One stroke from 15% to 85% of the width, through the middle.
        x0, y0, x1, y1 = s.widget("paint_image")
        y = str((y0 + y1) // 2)
        s.xdo("mousemove", str(round(x0 + 0.15 * (x1 - x0))), y)
        time.sleep(0.2)
        s.xdo("mousedown", "1")
        time.sleep(0.2)
        for k in range(1, 11):
            s.xdo("mousemove", str(round(x0 + (0.15 + 0.07 * k) * (x1 - x0))), y)
            time.sleep(0.05)
        time.sleep(0.2)
        s.xdo("mouseup", "1")
        time.sleep(0.2)
        s.xdo("mousemove", "300", "300")
        s.xshot("paint-stroke")
        c = s.step_once()
        drift, jump = abs(b["style"] - a["style"]), abs(c["style"] - b["style"])
        if c["regions"] != 1:
            raise Failure(f"the step after the stroke should use 1 region: {c}")
        if not jump > 5 * drift:
            raise Failure(f"the style loss should change with the stroke: {a['style']:.5g} -> {b['style']:.5g} "
                          f"(no regions) -> {c['style']:.5g} (one region)")
        if c["target_passes"] != passes:
            raise Failure(f"the stroke computed targets: target passes {passes} -> {c['target_passes']}")
        s.save_result_where("the region in the saved result's recipe",
                            lambda m: m["step"] == c["step"] and m.get("regions") == [{"style": 0, "weight": 1}])

        saves = [0]

        def save(folder):
            """Types the folder, clicks Save and waits for the viewer's confirmation."""
            saves[0] += 1
            s.scroll_to("paint_dir")
            s.type_into("paint_dir", folder)
            s.scroll_to("paint_save")  # the button can sit just below the fold
            s.click("paint_save")
            wait_for(f"masks saved to {folder}", lambda: s.viewer_log().count("masks saved to") >= saves[0])
            return mask_values(os.path.join(folder, "region1.png"))

        def load(folder, outcome):
            s.scroll_to("paint_dir")
            s.type_into("paint_dir", folder)
            before = s.viewer_log().count(outcome)
            s.scroll_to("paint_load")
            s.click("paint_load")
            wait_for(f"'{outcome}'", lambda: s.viewer_log().count(outcome) > before)

        stroke = save(masks)
        h, w = len(stroke), len(stroke[0])
        ew, eh = expected_size(source_dir)
        if abs(w - ew) > 1 or abs(h - eh) > 1:
            raise Failure(f"the mask is {w}x{h}, the run is about {ew}x{eh}")
        mid = h // 2
        inside = [stroke[mid][x] for x in range(round(0.2 * w), round(0.8 * w))]
        outside = stroke[0] + stroke[-1] + [row[0] for row in stroke] + [row[-1] for row in stroke]
        if min(inside) < 200 or max(outside) > 5:
            raise Failure(f"the mask should be white along the stroke and black away from it: middle row "
                          f"{stroke[mid]}, edges up to {max(outside)}")
        flags = open(os.path.join(masks, "flags.txt")).read().split()
        if flags not in (["--region", os.path.join(masks, "region1.png") + tail] for tail in (":0", ":0:1")):
            raise Failure(f"flags.txt: {flags}")
        painted = sum(v > 127 for row in stroke for v in row)

        s.key("ctrl+z")
        undone = save(masks)
        if any(v for row in undone for v in row):
            raise Failure("after Ctrl+Z the mask should be empty again")
        if s.step_once()["regions"] != 0:
            raise Failure("after Ctrl+Z the next step should use no region")
        s.key("ctrl+shift+z")
        if save(masks) != stroke:
            raise Failure("Ctrl+Shift+Z should bring the stroke back")
        if s.step_once()["regions"] != 1:
            raise Failure("after redo the next step should use the region again")

        s.key("ctrl+z")
        load(masks, "masks loaded from")
        if save(copy) != stroke:
            raise Failure(f"the masks loaded from {masks} differ from the saved ones")
        load(bad, "could not load the masks")
        if save(copy) != stroke:
            raise Failure("refused masks changed the current ones")
        refusal = [l for l in s.viewer_log().splitlines() if "could not load the masks" in l][-1]
        if "aspect" not in refusal:
            raise Failure(f"the refusal should name the aspect ratio: {refusal}")
        s.xshot("paint-end")
    # nst's own flags start the viewer with those masks: the first steps use the region, and
    # saving them gives back the same mask.
    flags = open(os.path.join(masks, "flags.txt")).read().split()
    again = os.path.join(work, "again")  # a log of its own: step numbers start over
    os.makedirs(again)
    with Session(viewer, again, ["--paused", "--lr", "0.001", *flags]) as s:
        wait_for("the start targets", lambda: retargets(s))
        if s.step_once()["regions"] != 1:
            raise Failure(f"started with {flags}, the first step should use 1 region")
        s.scroll_to("paint_mode")
        s.click("paint_mode")
        wait_for("paint mode", lambda: "paint_image" in s.probe())
        s.scroll_to("paint_dir")
        s.type_into("paint_dir", copy)
        s.scroll_to("paint_save")
        s.click("paint_save")
        wait_for(f"masks saved to {copy}", lambda: "masks saved to" in s.viewer_log())
        if mask_values(os.path.join(copy, "region1.png")) != stroke:
            raise Failure(f"the masks given as {flags} differ from the saved ones")
    print(f"stroke: {painted} of {w}x{h} mask pixels; style loss {a['style']:.5g} -> {b['style']:.5g} (no "
              f"regions) -> {c['style']:.5g} (one region), {jump / max(drift, 1e-30):.0f}x the drift of a step; "
              f"undo/redo/load round trips identical; {refusal}")


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
    """tests/support/weights_server.py's handler, served from a thread of this process on 127.0.0.1 (so it
    can never outlive the test), optionally slowed to `seconds_per_mb` so a download takes a while."""

    def __init__(self, source_dir, file, seconds_per_mb=0.0):
        sys.path.insert(0, os.path.join(source_dir, "tests", "support"))
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
            wait_for("the error in the window (retry button)", lambda: "retry_download" in s.probe())
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
         "coarse-to-fine": case_coarse_to_fine, "blend": case_blend, "colors": case_colors,
         "style-knobs": case_style_knobs, "style-flags": case_style_flags, "optimizer": case_optimizer,
         "download": case_download, "download-fail": case_download_fail, "download-cancel": case_download_cancel,
         "paint": case_paint}


def sweep_type(s, name, text):
    """Types into a field of the sweep panel once it has the keyboard (the panel marks the active
    field in the probe): a click that went unseen is repeated rather than the text typed as
    shortcuts."""
    for _ in range(5):
        x0, y0, x1, y1 = s.widget(name)
        s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
        time.sleep(0.2)
        s.xdo("click", "1")
        try:
            wait_for(f"{name} to take the keyboard", lambda: name + "_active" in s.probe(), timeout=3)
            break
        except Failure:
            continue
    else:
        raise Failure(f"{name} never took the keyboard")
    s.xdo("keydown", "ctrl+a")
    time.sleep(0.3)
    s.xdo("keyup", "ctrl+a")
    time.sleep(0.2)
    s.xdo("type", "--delay", "5", text)
    time.sleep(0.2)
    s.xdo("keydown", "Return")
    time.sleep(0.3)
    s.xdo("keyup", "Return")
    wait_for(f"{name} to let the keyboard go", lambda: name + "_active" not in s.probe(), timeout=5)
    s.xdo("mousemove", "300", "300")


def case_sweep(viewer, work, source_dir):
    """The sweep grid: a bad spec starts nothing; a 2x2 sweep (style weight across, TV weight
    down) pauses the main run, draws 4 cells, exports a labelled 2x2 contact sheet, and a click on
    a cell hands its values to the main run's next step."""
    with Session(viewer, work, size=48) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        s.key("g")
        wait_for("the sweep panel", lambda: "sweep_axis1" in s.probe())
        # A bad spec: one message naming it, no sweep, the run goes on.
        sweep_type(s, "sweep_axis1", "bogus-weight=1,2")
        s.click("sweep_start")
        line = wait_for("the refusal", lambda: next((l for l in s.viewer_log().splitlines()
                                                     if "sweep not started" in l), None))
        if "bogus-weight" not in line:
            raise Failure(f"the message does not name the spec: {line}")
        print(line)
        step = s.last_step()
        wait_for("steps to go on after the refusal", lambda: s.last_step() >= step + 2)
        if s.events("sweep"):
            raise Failure(f"a bad spec started a sweep: {s.events('sweep')}")
        sweep_type(s, "sweep_axis1", "style-weight=1e6,1e8")
        sweep_type(s, "sweep_axis2", "tv-weight=0,10")
        s.click("sweep_start")
        start = wait_for("the sweep to start", lambda: s.events("sweep"))[0]
        if (start["cells"], start["rows"], start["cols"]) != (4, 2, 2):
            raise Failure(f"expected a 2x2 sweep of 4 cells: {start}")
        frames = wait_for("3 steps of the grid", lambda: [f for f in s.events("sweep_frame") if f["sweep_step"] >= 3])
        main_at = s.last_step()
        if len(frames[-1]["totals"]) != 4 or len(set(frames[-1]["totals"])) != 4:
            raise Failure(f"4 cells with 4 different losses expected: {frames[-1]}")
        wait_for("more grid steps", lambda: any(f["sweep_step"] >= frames[-1]["sweep_step"] + 3 for f in s.events("sweep_frame")))
        if s.last_step() > main_at + 1:  # one main step may have been in flight at the start
            raise Failure(f"the main run went on during the sweep: {main_at} -> {s.last_step()}")
        cells = wait_for("4 cells drawn", lambda: sorted(k for k in s.probe() if k.startswith("sweep_cell_"))
                         if len([k for k in s.probe() if k.startswith("sweep_cell_")]) >= 4 else None)
        if cells != ["sweep_cell_0_0", "sweep_cell_0_1", "sweep_cell_1_0", "sweep_cell_1_1"]:
            raise Failure(f"the grid is not 2x2: {cells}")
        s.xshot("sweep-grid")
        r = s.probe()
        if not (r["sweep_cell_0_0"][0] < r["sweep_cell_0_1"][0] and r["sweep_cell_0_0"][1] < r["sweep_cell_1_0"][1]):
            raise Failure(f"cells not laid out across and down: {[r[c] for c in cells]}")
        print(f"sweep: {start}; grid at step {frames[-1]['sweep_step']}, main run held at step {main_at}")
        # Export: the sheet's size is the 2x2 grid by contact_sheet.h's formula.
        sheet = os.path.join(work, "sheet.png")
        sweep_type(s, "sweep_export_path", sheet)
        s.click("sweep_export")
        wait_for("the sheet", lambda: os.path.exists(sheet) and png_comment(sheet))
        w, h, _, px = read_png(sheet)
        meta = png_comment(sheet)
        lay = meta["layout"]
        cw, ch = jpeg_size(os.path.join(source_dir, "assets", "content.jpg"))
        ew, eh = (48, round(48 * ch / cw)) if cw >= ch else (round(48 * cw / ch), 48)
        if (lay["rows"], lay["cols"]) != (2, 2) or abs(lay["cell_width"] - ew) > 1 or abs(lay["cell_height"] - eh) > 1:
            raise Failure(f"sheet layout is not 2x2 cells of about {ew}x{eh}: {lay}")
        m, eh = lay["margin"], lay["cell_height"]
        if lay["slot_width"] < lay["cell_width"] or (w, h) != (
                m + 2 * (lay["slot_width"] + m), lay["title_height"] + m + 2 * (eh + lay["caption_height"] + m)):
            raise Failure(f"sheet is {w}x{h}, not the 2x2 size of its layout {lay}")
        if not any("untrained" in t for t in meta["title"]):
            raise Failure(f"the sheet of random features does not say so: {meta['title']}")
        # Row-major: (row 0: tv 0; row 1: tv 10) x (style weight 1e6, 1e8).
        got = [(c["row"], c["col"], float(c["values"]["style-weight"]), float(c["values"]["tv-weight"]))
               for c in meta["cells"]]
        if got != [(0, 0, 1e6, 0.0), (0, 1, 1e8, 0.0), (1, 0, 1e6, 10.0), (1, 1, 1e8, 10.0)]:
            raise Failure(f"the sheet's cells are not the 2x2 grid in order: {got}")
        if len([f for f in os.listdir(work) if ".tmp" in f]):
            raise Failure("temporary files left behind by the export")
        print(f"sheet {w}x{h}: {lay}; captions {[c['caption'] for c in meta['cells']]}")
        # Adopt the cell at row 1, column 0: style weight 1e6, TV weight 10 (both unlike the defaults).
        before = len(s.steps())
        s.click("sweep_cell_1_0")
        wait_for("the sweep to stop", lambda: any(e.get("phase") == "stop" for e in s.events("sweep")))
        nxt = wait_for("the main run's next step", lambda: s.steps()[before:])[0]
        if abs(nxt["style_weight"] - 1e6) > 1 or abs(nxt["tv_weight"] - 10) > 1e-6:
            raise Failure(f"the next main step did not take the cell's values: {nxt}")
        print(f"adopted: main step {nxt['step']} has style_weight {nxt['style_weight']} tv_weight {nxt['tv_weight']}")
        if s.app.poll() is not None:
            raise Failure("viewer exited")


CASES["sweep"] = case_sweep


# ---- render final -----------------------------------------------------------------------------------

def open_render_dialog(s, menu=False):
    """Ctrl+R, or the menu bar's Render > Render final..."""
    if menu:
        s.click("render_menu")
        wait_for("the Render menu", lambda: "render_menu_final" in s.probe())
        s.click("render_menu_final")
    else:
        s.key("ctrl+r")
    wait_for("the render dialog", lambda: "render_start" in s.probe())


def render_events(s, phase):
    return [e for e in s.events("render") if e.get("phase") == phase]


def case_render(viewer, work, source_dir):
    """Render final: an output in a missing folder is refused with one message and nothing runs; a
    192 px render of 3 steps in 64 px tiles writes a PNG of the content's aspect (with its recipe
    and the untrained-features warning) and nothing else, while the live run waits and then carries
    on; a long render is cancelled with Esc, leaving no file and no temporary file."""
    out_dir = os.path.join(work, "renders")
    os.makedirs(out_dir)
    cw, ch = jpeg_size(os.path.join(source_dir, "assets", "content.jpg"))
    ew, eh = (192, round(192 * ch / cw)) if cw >= ch else (round(192 * cw / ch), 192)
    with Session(viewer, work, size=48) as s:
        wait_for("2 steps", lambda: s.last_step() >= 2)
        open_render_dialog(s)
        # An output that cannot be written: the message names it and the problem; nothing starts.
        missing = os.path.join(work, "missing", "out.png")
        sweep_type(s, "render_output", missing)
        s.click("render_start")
        line = wait_for("the refusal", lambda: next((l for l in s.viewer_log().splitlines()
                                                     if "render not started" in l), None))
        if missing not in line or "does not exist" not in line:
            raise Failure(f"the message does not name the path and the problem: {line}")
        print(line)
        wait_for("the problem in the dialog", lambda: "render_problem" in s.probe(), timeout=5)
        s.xshot("render-refused")
        step = s.last_step()
        wait_for("steps to go on after the refusal", lambda: s.last_step() >= step + 2)
        if s.events("render") or os.path.exists(os.path.dirname(missing)):
            raise Failure(f"a refused render ran: {s.events('render')}")

        # A render: 192 px long side, 3 steps, tiles of 64 px.
        final = os.path.join(out_dir, "final.png")
        sweep_type(s, "render_custom", "192")
        sweep_type(s, "render_steps", "3")
        sweep_type(s, "render_tile", "64")
        sweep_type(s, "render_output", final)
        s.xshot("render-dialog")
        s.click("render_start")
        start = wait_for("the render to start", lambda: render_events(s, "start"))[0]
        if (abs(start["width"] - ew) > 1 or abs(start["height"] - eh) > 1 or start["steps"] != 3
                or start["output"] != final):
            raise Failure(f"expected a render of about {ew}x{eh}, 3 steps, to {final}: {start}")
        if start["tile"] != 64 or start["tiles"] < 2:
            raise Failure(f"the render is not in tiles of 64 px: {start}")
        stop = wait_for("the render to end", lambda: render_events(s, "stop"), timeout=90)[0]
        if not stop["written"] or stop["steps"] != 3:
            raise Failure(f"the render did not write its 3 steps: {stop}")
        w, h, _, _ = read_png(final)
        if (w, h) != (start["width"], start["height"]) or max(w, h) != 192:
            raise Failure(f"the file is {w}x{h}, expected {start['width']}x{start['height']}")
        meta = png_comment(final)
        if (meta.get("render", {}).get("width"), meta["render"].get("steps")) != (w, 3) or meta.get("features") != "random":
            raise Failure(f"the file's metadata does not describe the render: {meta}")
        if "NOT a real VGG19" not in meta.get("warning", ""):
            raise Failure(f"the file of untrained features does not carry the warning: {meta}")
        if sorted(os.listdir(out_dir)) != ["final.png"]:
            raise Failure(f"other files beside the render: {os.listdir(out_dir)}")
        done = wait_for("the toast", lambda: next((l for l in s.viewer_log().splitlines() if "Rendered " in l), None))
        if f"Rendered {w}x{h} to {final} in " not in done:
            raise Failure(f"unexpected message: {done}")
        print(done)
        # The live run waited: no main step between the render's start and its end.
        lines = s.lines()
        i0 = next(i for i, l in enumerate(lines) if l.get("event") == "render" and l.get("phase") == "start")
        i1 = next(i for i, l in enumerate(lines) if l.get("event") == "render" and l.get("phase") == "stop")
        if any("step" in l and "event" not in l for l in lines[i0:i1]):
            raise Failure("the live run stepped during the render")
        # ... and comes back: the main step counter goes on, the view is the live one again.
        main_at = s.last_step()
        wait_for("the live run to carry on", lambda: s.last_step() >= main_at + 2)
        wait_for("the live view", lambda: "toolbar_sweep" in s.probe() and "render_cancel" not in s.probe())
        s.xshot("render-done")

        # A long render, cancelled with Esc: no file, no temporary file, the live run goes on.
        cancelled = os.path.join(out_dir, "cancelled.png")
        open_render_dialog(s, menu=True)
        sweep_type(s, "render_custom", "512")
        sweep_type(s, "render_steps", "1000")
        sweep_type(s, "render_output", cancelled)
        s.click("render_start")
        wait_for("the second render to start", lambda: len(render_events(s, "start")) >= 2, timeout=60)
        wait_for("its progress in the view", lambda: "render_cancel" in s.probe() and "render_progress" in s.probe())
        time.sleep(2.0)
        s.xshot("render-progress")
        s.key("Escape")
        t_cancel = time.monotonic()
        stop = wait_for("the cancel", lambda: render_events(s, "stop")[1:], timeout=60)[0]
        # Within one tile (of 64 px, a fraction of a second here), not at the end of a step of
        # dozens of tiles: a generous bound for a loaded machine.
        if time.monotonic() - t_cancel > 20:
            raise Failure(f"the cancel took {time.monotonic() - t_cancel:.0f} s")
        if stop["written"] or stop["steps"] >= 1000:
            raise Failure(f"the cancelled render wrote or finished: {stop}")
        wait_for("the message", lambda: "render cancelled" in s.viewer_log())
        if sorted(os.listdir(out_dir)) != ["final.png"]:
            raise Failure(f"the cancelled render left files: {os.listdir(out_dir)}")
        main_at = s.last_step()
        wait_for("the live run to carry on after the cancel", lambda: s.last_step() >= main_at + 2)
        print(f"render: {start}; cancelled after {stop['steps']} steps")
        if s.app.poll() is not None:
            raise Failure("viewer exited")


CASES["render"] = case_render


# ---- snapshots and copy as command -----------------------------------------------------------------

def ctrl_click(s, name):
    """Ctrl+click on a widget: ctrl held across a few frames (Dear ImGui samples it once a frame)."""
    x0, y0, x1, y1 = s.widget(name)
    s.xdo("mousemove", str((x0 + x1) // 2), str((y0 + y1) // 2))
    time.sleep(0.15)
    s.xdo("keydown", "ctrl")
    time.sleep(0.2)
    s.xdo("click", "1")
    time.sleep(0.2)
    s.xdo("keyup", "ctrl")
    time.sleep(0.15)
    s.xdo("mousemove", "300", "300")


def press_slider_at(s, name, dx):
    """Presses a slider `dx` pixels right of its left edge (the value jumps there), then lets go.
    (The probe's rectangle of a slider may include its label, so fractions of it are not used.)"""
    x0, y0, x1, y1 = s.widget(name)
    s.xdo("mousemove", str(x0 + dx), str((y0 + y1) // 2))
    time.sleep(0.2)
    s.xdo("mousedown", "1")
    time.sleep(0.25)
    s.xdo("mouseup", "1")
    time.sleep(0.2)
    s.xdo("mousemove", "300", "300")


def snapshot_events(s):
    return s.events("snapshot")


def keep(s, count):
    """K keeps the current result; waits for the count-th snapshot event and returns it."""
    s.key("k")
    return wait_for(f"snapshot {count}", lambda: snapshot_events(s)[count - 1] if len(snapshot_events(s)) >= count
                    else None)


def case_snapshots(viewer, work, source_dir):
    with Session(viewer, work, ["--paused"]) as s:
        for _ in range(3):
            s.step_once()
        w0 = s.steps()[-1]["style_weight"]
        first = keep(s, 1)
        if first["at_step"] != 3 or abs(first["style_weight"] - w0) > 1e-3 * w0 or not first["untrained"]:
            raise Failure(f"snapshot 1 should be step 3, style weight {w0:g}, untrained: {first}")
        # Another style weight, one more step, a second snapshot.
        s.xshot("snapshots-kept")
        press_slider_at(s, "style_weight", 200)
        w1 = s.step_once()["style_weight"]
        if abs(w1 - w0) < 0.2 * w0:
            raise Failure(f"the slider did not change the style weight: {w0:g} -> {w1:g}")
        second = keep(s, 2)
        kept2, _ = s.save_result_where("step 4", lambda m: m.get("step") == 4)
        if second["at_step"] != 4 or abs(second["style_weight"] - w1) > 1e-3 * w1:
            raise Failure(f"snapshot 2 should be step 4 with style weight {w1:g}: {second}")
        wait_for("two thumbnails in the strip",
                 lambda: "snapshot_thumb_0" in s.probe() and "snapshot_thumb_1" in s.probe())
        if "snapshot_thumb_2" in s.probe():
            raise Failure(f"three thumbnails for two snapshots: {sorted(s.probe())}")
        # Yet another weight, so that restoring is visible.
        press_slider_at(s, "style_weight", 100)
        w2 = s.step_once()["style_weight"]
        if abs(w2 - w0) < 0.2 * w0 or abs(w2 - w1) < 0.2 * w1:
            raise Failure(f"the third weight {w2:g} is not distinct from {w0:g} and {w1:g}")
        # Click the first: it is shown; ctrl+click the second: the two are compared side by side.
        s.click("snapshot_thumb_0")
        wait_for("snapshot 1 shown", lambda: any(e["a"] == 0 and e["b"] == -1 for e in s.events("snapshot_view")))
        ctrl_click(s, "snapshot_thumb_1")
        view = wait_for("snapshots 1 and 2 compared",
                        lambda: next((e for e in s.events("snapshot_view") if e["a"] == 0 and e["b"] == 1), None))
        if view["mode"] != "Side by side":
            raise Failure(f"comparing should switch the Result view to side by side: {view}")
        wait_for("the compare label", lambda: "snapshot_comparing" in s.probe())
        s.xshot("snapshots-compare")
        # V: the next mode, split: A left of the line, B right of it.
        s.key("v")
        wait_for("the split view of the two",
                 lambda: any(e["a"] == 0 and e["b"] == 1 and e["mode"] == "Split" for e in s.events("snapshot_view")))
        s.xshot("snapshots-split")
        # Restore the first (shown): its style weight comes back.
        s.click("snapshot_restore")
        restored = wait_for("the restore event", lambda: s.events("snapshot_restore"))[0]
        if restored["index"] != 0 or restored["image"]:
            raise Failure(f"restored the wrong snapshot: {restored}")
        after = s.step_once()
        if abs(after["style_weight"] - w0) > 1e-3 * w0:
            raise Failure(f"after restoring snapshot 1 the step used style weight {after['style_weight']:g}, "
                          f"expected {w0:g}")
        if after["step"] != 6:
            raise Failure(f"restoring parameters only should carry on (step 6), got step {after['step']}")
        print(f"style weight {w0:g} (snapshot 1, step 3) -> {w1:g} (snapshot 2, step 4) -> {w2:g}; "
              f"restored: step {after['step']} uses {after['style_weight']:g}")
        # Restore the second with its image as the new start: the run starts over from it.
        s.click("snapshot_thumb_1")
        wait_for("snapshot 2 shown", lambda: any(e["a"] == 1 and e["b"] == -1 for e in s.events("snapshot_view")[-1:]))
        s.click("snapshot_restore_image", fx=0.05)
        s.click("snapshot_restore")
        restored = wait_for("the second restore", lambda: s.events("snapshot_restore")[1:])[0]
        if restored["index"] != 1 or not restored["image"]:
            raise Failure(f"expected snapshot 2 restored with its image: {restored}")
        wait_for("the restart from the snapshot's image",
                 lambda: any(e.get("reason") == "restore" for e in s.events("retarget")), timeout=20)
        starts = glob.glob(os.path.join(work, "state", "nst", "starts", "*.png"))
        if len(starts) != 1:
            raise Failure(f"the start image should be kept in the state folder: {starts}")
        # The restarted run starts from snapshot 2's pixels.
        start, _ = s.save_result_where("the restart (step 0)", lambda m: m.get("step") == 0)
        (w, h, ch, a), (_, _, ch2, b) = read_png(kept2), read_png(start)
        worst = max(abs(a[i * ch + c] - b[i * ch2 + c]) for i in range(w * h) for c in range(3))
        if worst > 1:
            raise Failure(f"the restart does not start from snapshot 2's image: a pixel differs by {worst}/255")
        before = len(s.steps())
        s.key("Right")
        line = wait_for("a step after the restart", lambda: s.steps()[before:])[0]
        if line["step"] != 1 or abs(line["style_weight"] - w1) > 1e-3 * w1:
            raise Failure(f"after restoring snapshot 2 with its image: expected step 1 with style weight {w1:g}, "
                          f"got {line}")
        print(f"restored snapshot 2 with its image: restarted from its pixels (largest difference {worst}/255), "
              f"step {line['step']} with style weight {line['style_weight']:g}")
        # Delete the shown one: one thumbnail left.
        s.click("snapshot_thumb_0")
        time.sleep(0.3)
        s.click("snapshot_delete")
        wait_for("one thumbnail left", lambda: "snapshot_thumb_0" in s.probe() and "snapshot_thumb_1" not in s.probe())
        if s.app.poll() is not None:
            raise Failure("viewer exited")


CASES["snapshots"] = case_snapshots


def run_copied_command(s, viewer, shot, expect):
    """Clicks "Copy as command", checks the flags in `expect`, runs the command with the nst next
    to nst-viewer and compares its output with the viewer's saved result `shot` (1/255 at most)."""
    import shlex
    before = len(s.events("copy_command"))
    s.click("snapshot_copy_command")
    command = wait_for("the copied command", lambda: s.events("copy_command")[before:])[0]["command"]
    print(f"copied: {command}")
    if f"copied command: {command}" not in s.viewer_log():
        raise Failure("the command was not printed on stderr")
    words = shlex.split(command)
    if words[0] != "nst":
        raise Failure(f"the command does not start with nst: {command}")
    for flag, value in expect:
        if flag not in words or not value(words[words.index(flag) + 1]):
            raise Failure(f"{flag} is missing or wrong in {command}")
    out = words[words.index("--output") + 1]
    if not os.path.isabs(out) or not os.path.isabs(words[words.index("--content") + 1]):
        raise Failure(f"paths should be absolute: {command}")
    run = subprocess.run([os.path.join(os.path.dirname(viewer), "nst"), *words[1:]], capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        raise Failure(f"the copied command failed ({run.returncode}): {run.stderr[-2000:]}")
    (w, h, ch, a), (w2, h2, ch2, b) = read_png(shot), read_png(out)
    if (w, h) != (w2, h2):
        raise Failure(f"nst made {w2}x{h2}, the viewer showed {w}x{h}")
    worst = max(abs(a[i * ch + c] - b[i * ch2 + c]) for i in range(w * h) for c in range(3))
    print(f"nst's output vs the viewer's result: {w}x{h}, largest difference {worst}/255")
    if worst > 1:
        raise Failure(f"the copied command does not reproduce the result: a pixel differs by {worst}/255")
    return words


def case_copy_command(viewer, work, source_dir):
    # Two levels (3 steps at 32 px, then 64 px) and a pause at step 7: the command must say
    # --scales 2 --coarse-steps 3 --steps 4 to land on the same image.
    with Session(viewer, work, ["--steps", "7", "--scales", "2", "--coarse-steps", "3"]) as s:
        wait_for("the pause at step 7", lambda: s.last_step() >= 7)
        if s.settle_paused() != 7:
            raise Failure(f"--steps 7 should pause at step 7, not {s.last_step()}")
        shot, _ = s.save_result_where("step 7", lambda m: m.get("step") == 7)
        run_copied_command(s, viewer, shot, [("--features", "random:1".__eq__), ("--steps", "4".__eq__),
                                             ("--scales", "2".__eq__), ("--coarse-steps", "3".__eq__),
                                             ("--size", "64".__eq__)])
    # Painted regions (here: given with --region, a soft-edged left half in style 0 at weight 2):
    # the command names masks it saved beside its output, and still reproduces the result.
    ew, eh = expected_size(source_dir)
    mask = os.path.join(work, "half.png")
    write_png(mask, ew, eh, lambda x, y: (max(0, min(255, (ew // 2 - x) * 40 + 128)),) * 3)
    regions = os.path.join(work, "regions")
    os.makedirs(regions)
    with Session(viewer, regions, ["--paused", "--steps", "5", "--region", f"{mask}:0:2"]) as s:
        time.sleep(1.0)  # the masks are loaded with the first frame, before any step
        s.key("space")
        wait_for("the pause at step 5", lambda: s.last_step() >= 5)
        if s.settle_paused() != 5 or any(r["regions"] != 1 for r in s.steps()):
            raise Failure(f"expected 5 steps with one region: {[(r['step'], r['regions']) for r in s.steps()]}")
        shot, _ = s.save_result_where("step 5", lambda m: m.get("step") == 5)
        words = run_copied_command(s, viewer, shot, [("--steps", "5".__eq__),
                                                     ("--region", lambda v: v.endswith("region1.png:0:2"))])
        saved = words[words.index("--region") + 1].rsplit(":", 2)[0]
        if os.path.dirname(os.path.dirname(saved)) != s.shots or mask_values(saved) != mask_values(mask):
            raise Failure(f"the region's mask should be saved beside the output, as painted: {saved}")


CASES["copy-command"] = case_copy_command


def case_creative(viewer, work, source_dir):
    """The Creative section, live: seamless (the steps say so, the size on the 16 px grid), gradient
    normalisation's slider, a cell of the layers x styles grid (a per-layer blend with no new
    targets), colours only (a saved result recoloured, its metadata saying so, and no step while it
    is on), then a texture (no content term, size x size, from a re-target) shown tiled 2x2."""
    second = os.path.join(work, "checks.png")
    write_png(second, 96, 96, checks)
    style = os.path.join(source_dir, "assets", "style.jpg")
    with Session(viewer, work, ["--paused", "--style", style, "--style", second]) as s:
        wait_for("the start targets", lambda: retargets(s))
        first = s.step_once()
        s.scroll_to("creative_header")
        s.click("creative_header")
        s.scroll_to("seamless")
        s.click("seamless")
        time.sleep(0.3)
        seam = s.step_once()
        if not seam["seamless"] or seam["width"] % 16 or seam["height"] % 16:
            raise Failure(f"expected seamless steps on the 16 px grid: {seam}")
        s.scroll_to("normalize_gradients")
        s.drag_slider("normalize_gradients", 0.3)  # of the widget with its label: about half the slider
        norm = s.step_once()
        if not 0.1 < norm["normalize_gradients"] < 0.9:
            raise Failure(f"the normalisation slider did not reach the steps: {norm['normalize_gradients']}")
        # relu1_1's weight for style 1 dragged to 0: relu1_1 takes style 2 alone; no target pass.
        s.scroll_to("layer_blend_relu1_1_0")
        ctrl_click(s, "layer_blend_relu1_1_0")  # types a value (its text is selected)
        s.xdo("type", "0")
        s.xdo("keydown", "Return")
        time.sleep(0.3)
        s.xdo("keyup", "Return")
        time.sleep(0.3)
        grid = s.step_once()
        if not grid["layer_blend"].startswith("relu1_1=0/") or grid["target_passes"] != norm["target_passes"]:
            raise Failure(f"expected relu1_1 fed by style 2 alone and no new targets: {grid}")
        s.xshot("creative-grid")
        # Colours only: the picture is the photo recoloured; the run takes no step while it is shown.
        s.scroll_to("colors_only")
        s.click("colors_only")
        path, meta = s.save_result_where("colours only", lambda m: m.get("colors_only") is True)
        steps_then = s.last_step()
        time.sleep(1.0)
        if s.last_step() != steps_then:
            raise Failure("steps ran while colours only was shown")
        s.click("colors_only")
        # A texture: re-targeted from noise, no content term, a square of the size.
        s.scroll_to("texture")
        s.click("texture")
        wait_for("the texture's targets", lambda: [r for r in retargets(s) if r["reason"] == "texture"])
        seen = len(s.lines())  # the restart counts steps from 0 again: the first step line after it
        s.key("Right")
        tex = wait_for("a texture step", lambda: [r for r in s.lines()[seen:] if "step" in r])[0]
        if not tex["texture"] or tex["content"] != 0 or tex["width"] != tex["height"]:
            raise Failure(f"expected a square texture without a content term: {tex}")
        s.click("view_tiled")
        time.sleep(0.5)
        s.xshot("creative-texture-tiled")
        print(f"seamless at {seam['width']}x{seam['height']} from step {seam['step']}; normalisation "
              f"{norm['normalize_gradients']:.2f}; layer blend {grid['layer_blend']} with target passes still "
              f"{grid['target_passes']}; colours only saved as {os.path.basename(path)} with no step; texture "
              f"{tex['width']}x{tex['height']} at step {tex['step']} (content {tex['content']})")


CASES["creative"] = case_creative



# ---- sessions (save/open, autosave, nst --session) -----------------------------------------------

def session_doc(path):
    return json.load(open(path))


def session_masks(path):
    """The session's masks: (style, weight, pixel rows) per region, from the PNGs in its folder."""
    doc = session_doc(path)
    folder = os.path.splitext(path)[0] + "_files"
    out = []
    for r in doc["masks"]["regions"]:
        f = r["file"] if os.path.isabs(r["file"]) else os.path.join(folder, os.path.basename(r["file"]))
        out.append((r["style"], r["weight"], mask_values(f)))
    return out


def session_snapshots(path):
    doc = session_doc(path)
    return [(x["step"], x["settings"], os.path.basename(x["image"])) for x in doc["snapshots"]]


def save_session_as(s, path, key="ctrl+shift+s"):
    """Ctrl+Shift+S (or Ctrl+S the first time): the path field (no desktop dialog here), typed."""
    before = s.viewer_log().count("session saved to " + path)
    s.key(key)
    wait_for("the session path field", lambda: "session_path" in s.probe())
    s.type_into("session_path", path)
    wait_for(f"the session saved to {path}", lambda: s.viewer_log().count("session saved to " + path) > before)


def open_session(s, path, outcome):
    before = s.viewer_log().count(outcome)
    s.key("ctrl+o")
    wait_for("the session path field", lambda: "session_path" in s.probe())
    s.type_into("session_path", path)
    wait_for(f"'{outcome}'", lambda: s.viewer_log().count(outcome) > before)


def case_session(viewer, work, source_dir):
    """Session round trip: started with a painted mask (nst's --region) and a snapshot kept (K),
    Ctrl+S saves through the path field; then the content weight changes, the mask is undone and a
    second snapshot is kept (a second save shows all three differ); opening the first session
    brings back identical parameters, masks and snapshots (saved again and compared). A file that
    is not JSON gives one message and changes nothing."""
    ew, eh = expected_size(source_dir)
    mask = os.path.join(work, "mask.png")
    write_png(mask, ew, eh, lambda x, y: (255, 255, 255) if x < ew // 2 else (0, 0, 0))
    first, changed, again, after_bad = (os.path.join(work, n) for n in ("first.json", "changed.json", "again.json",
                                                                         "after-bad.json"))
    bad = os.path.join(work, "bad.json")
    open(bad, "w").write("this is not JSON {")
    with Session(viewer, work, ["--paused", "--region", mask + ":0"]) as s:
        wait_for("the start targets", lambda: retargets(s))
        s.step_once()
        s.step_once()
        s.key("k")  # keep a snapshot
        time.sleep(1.0)
        save_session_as(s, first, key="ctrl+s")
        if len(session_snapshots(first)) != 1 or len(session_masks(first)) != 1:
            raise Failure(f"the first session should hold 1 snapshot and 1 mask: {session_doc(first)}")
        cw = session_doc(first)["settings"].get("content-weight")

        # Change a parameter, the masks and the snapshots.
        s.scroll_to("content_weight")
        s.drag_slider("content_weight", 0.9, start=0.5)
        wait_for("a step with the new content weight",
                 lambda: s.step_once()["content_weight"] != s.steps()[0]["content_weight"])
        s.key("ctrl+z")  # the mask from --region goes
        s.key("k")
        time.sleep(1.0)
        save_session_as(s, changed)
        if session_doc(changed)["settings"].get("content-weight") == cw:
            raise Failure("the content weight did not change in the second session")
        if session_masks(changed) or len(session_snapshots(changed)) != 2:
            raise Failure(f"the second session should have no mask and 2 snapshots: {session_doc(changed)['masks']}")

        open_session(s, first, "session opened from")
        time.sleep(0.5)
        save_session_as(s, again)
        a, b = session_doc(first), session_doc(again)
        # "steps" records the step reached: an opened session continues from its image with the
        # step count starting again (a known limit), so it is the one key left out.
        for d in (a, b):
            d["settings"].pop("steps", None)
        if a["settings"] != b["settings"]:
            raise Failure(f"parameters differ after open: {a['settings']} vs {b['settings']}")
        if session_masks(first) != session_masks(again):
            raise Failure("the masks differ after open")
        if session_snapshots(first) != session_snapshots(again):
            raise Failure(f"the snapshots differ after open: {session_snapshots(first)} vs {session_snapshots(again)}")

        open_session(s, bad, "could not open the session")
        msg = [l for l in s.viewer_log().splitlines() if "could not open the session" in l][-1]
        if "bad.json" not in msg:
            raise Failure(f"the message should name the file: {msg}")
        save_session_as(s, after_bad)
        c = session_doc(after_bad)
        c["settings"].pop("steps", None)
        if c["settings"] != b["settings"] or session_masks(after_bad) != session_masks(again) or \
                session_snapshots(after_bad) != session_snapshots(again):
            raise Failure("the bad file changed the open session")
        print(f"round trip: content weight {cw}, 1 mask, 1 snapshot; bad file: {msg.strip()}")


def case_autosave(viewer, work, source_dir):
    """Autosave every 2 s to XDG_STATE_HOME; SIGKILL; the next start offers the session: restored,
    the changed parameter is back."""
    state = os.path.join(work, "state")
    env = {"XDG_STATE_HOME": state}
    first = os.path.join(work, "first")
    os.makedirs(first)
    with Session(viewer, first, ["--paused", "--autosave-seconds", "2"], env=env) as s:
        wait_for("the start targets", lambda: retargets(s))
        s.step_once()
        default = s.steps()[-1]["content_weight"]
        s.scroll_to("content_weight")
        s.drag_slider("content_weight", 0.9, start=0.5)
        line = wait_for("a step with the new content weight",
                        lambda: (lambda r: r if r["content_weight"] != default else None)(s.step_once()))
        wanted = line["content_weight"]
        pid = s.app.pid
        auto = os.path.join(state, "nst", f"autosave-{pid}.json")
        wait_for("the autosave with the new weight", lambda: os.path.exists(auto) and abs(
            float(session_doc(auto)["settings"].get("content-weight", default)) - wanted) < 1e-6 * max(1, wanted))
        if not os.path.exists(os.path.join(state, "nst", f"running-{pid}.json")):
            raise Failure("no running marker")
        s.app.send_signal(signal.SIGKILL)
        s.app.wait()
    second = os.path.join(work, "second")
    os.makedirs(second)
    with Session(viewer, second, ["--paused", "--autosave-seconds", "2"], env=env) as s:
        wait_for("the restore offer", lambda: "session_restore" in s.probe())
        s.click("session_restore")
        wait_for("the restored message", lambda: "session restored from the autosave" in s.viewer_log())
        wait_for("a step with the restored weight", lambda: (lambda r: abs(r["content_weight"] - wanted) < 1e-6 * max(1, wanted))(s.step_once()))
        if os.path.exists(auto):
            raise Failure("the crashed run's autosave should be gone after restoring it")
        print(f"content weight {default:g} -> {wanted:g}, killed, restored")


def case_session_reproduce(viewer, work, source_dir):
    """nst --session renders the viewer's result at the same steps (CPU, fp32, random features)."""
    steps = 5
    nst = os.path.join(os.path.dirname(viewer), "nst")
    path = os.path.join(work, "run.json")
    with Session(viewer, work, ["--steps", str(steps)]) as s:
        wait_for(f"{steps} steps (the viewer pauses there)", lambda: s.last_step() >= steps)
        time.sleep(0.5)
        s.key("s")
        shot = wait_for("the saved result", lambda: [f for f in glob.glob(os.path.join(s.shots, "*.png"))
                                                     if f"step{steps:05d}" in f])
        save_session_as(s, path, key="ctrl+s")
    out = os.path.join(work, "out.png")
    r = subprocess.run([nst, "--session", path, "--output", out, "--threads", "1"], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        raise Failure(f"nst --session exited {r.returncode}: {r.stderr[-2000:]}")
    a, b = read_png(shot[0]), read_png(out)
    if (a[0], a[1]) != (b[0], b[1]):
        raise Failure(f"sizes differ: viewer {a[0]}x{a[1]}, nst {b[0]}x{b[1]}")
    worst = max(abs(a[3][i * a[2] + c] - b[3][i * b[2] + c]) for i in range(a[0] * a[1]) for c in range(3))
    if worst > 1:
        raise Failure(f"nst --session differs from the viewer by up to {worst}/255 (mean {mean_abs_diff(a, b):.3f})")
    print(f"{a[0]}x{a[1]} after {steps} steps: max difference {worst}/255")


CASES["session"] = case_session
CASES["autosave"] = case_autosave
CASES["session-reproduce"] = case_session_reproduce


def main(cases=None):
    """Runs one case of `cases` (these cases by default; gui_video_test.py passes its own)."""
    cases = cases or CASES
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--case", required=True, choices=sorted(cases))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    if a.case not in ("no-display", "style-flags"):
        for tool in ("Xvfb", "xdotool"):
            if not shutil.which(tool):
                print(f"FAIL: {tool} is not installed (scripts/setup.sh installs it)")
                return 1
    work = tempfile.mkdtemp(prefix=f"nst-gui-{a.case}-")
    t0 = time.monotonic()
    try:
        cases[a.case](os.path.abspath(a.viewer), work, a.source_dir)
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
