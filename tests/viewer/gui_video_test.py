#!/usr/bin/env python3
"""GUI tests of nst-viewer's timeline (a clip as the content) under Xvfb + xdotool, with the harness
of gui_test.py. The clip is generated here: a folder of 64x48 PNG frames of a smooth texture panning
left by 2 px a frame, so that frame t's content is frame t-1's moved by exactly 2 px and the warping
error of rendered frames can be measured here with the true motion, independently of the viewer's
optical flow.

    gui_video_test.py --viewer PATH --case timeline|render|cancel-resume|session|bad-video
"""
import json
import math
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gui_test  # noqa: E402
from gui_test import (Failure, Session, mean_abs_diff, open_session, png_comment, read_png,  # noqa: E402
                      save_session_as, session_doc, sweep_type, type_bad_content_files, wait_for, write_png)

W, H, FRAMES, PAN = 64, 48, 12, 2


def texture(x, y):
    """A smooth, structured pattern (optical flow needs texture; no flat areas)."""
    r = 128 + 90 * math.sin(x * 0.21) * math.cos(y * 0.17) + 30 * math.sin((x + y) * 0.05)
    g = 128 + 80 * math.sin(x * 0.11 + y * 0.23) + 40 * math.cos(x * 0.07)
    b = 128 + 70 * math.cos(x * 0.16 - y * 0.09) + 40 * math.sin(y * 0.3)
    return tuple(max(0, min(255, int(v))) for v in (r, g, b))


def make_clip(work, frames=FRAMES):
    """A folder of frames: frame t (0-based) shows the texture from x = PAN * t (a pan to the left)."""
    folder = os.path.join(work, "clip")
    os.makedirs(folder, exist_ok=True)
    for t in range(frames):
        write_png(os.path.join(folder, f"frame_{t + 1:04d}.png"), W, H, lambda x, y, t=t: texture(x + PAN * t, y))
    return folder


def clip_frame(clip, t):
    return read_png(os.path.join(clip, f"frame_{t + 1:04d}.png"))


def frame_events(s):
    return s.events("frame")


def wait_frame(s, frame, before):
    """Waits for the frame move to `frame` (1-based) logged after the first `before` such events."""
    return wait_for(f"the move to frame {frame}",
                    lambda: next((e for e in frame_events(s)[before:] if e["frame"] == frame), None))


def open_clip(s):
    wait_for("the clip's first targets", lambda: any(e.get("frame") == 1 for e in s.events("retarget")))
    wait_for("the timeline", lambda: "timeline" in s.probe() and "timeline_next" in s.probe())


def pan_error(a, b):
    """Warping error of frame b against the earlier frame a with the clip's true motion: b(x) should
    be a(x + PAN). Mean absolute difference (0..1) over the pixels both show and the channels."""
    wa, ha, ca, pa = a
    wb, hb, cb, pb = b
    total, n = 0, 0
    for y in range(hb):
        for x in range(wb - PAN):
            for c in range(3):
                total += abs(pb[(y * wb + x) * cb + c] - pa[(y * wa + x + PAN) * ca + c])
                n += 1
    return total / n / 255.0


def render_video(s, frames, steps, frame_steps, weight, output, timeout=150):
    """Ctrl+Shift+R, the fields typed, Start; returns the video_render start event."""
    before = len([e for e in s.events("video_render") if e.get("phase") == "start"])
    s.key("ctrl+shift+r")
    wait_for("the Render video dialog", lambda: "video_render_start" in s.probe())
    sweep_type(s, "video_render_frames", frames)
    sweep_type(s, "video_render_steps", str(steps))
    sweep_type(s, "video_render_frame_steps", str(frame_steps))
    sweep_type(s, "video_render_temporal_weight", str(weight))
    sweep_type(s, "video_render_output", output)
    s.click("video_render_start")
    return wait_for("the video render to start",
                    lambda: [e for e in s.events("video_render") if e.get("phase") == "start"][before:], timeout=timeout)[0]


def render_stops(s):
    return [e for e in s.events("video_render") if e.get("phase") == "stop"]


# ---- cases -----------------------------------------------------------------------------------------

def case_timeline(viewer, work, source_dir):
    """nst-viewer --video CLIP: the timeline shows; a far move (End) shows the last frame's content and
    the next step's losses are that frame's (its content loss starts at 0: the image is its content);
    a near move (,) carries the image over by the flow; a knob changed there applies to that frame."""
    clip = make_clip(work)
    with Session(viewer, work, ["--paused", "--video", clip]) as s:
        open_clip(s)
        for _ in range(3):
            line = s.step_once()
        if line.get("frame") != 1 or not line["content"] > 0:
            raise Failure(f"the steps on the first frame should say frame 1 and have a content loss: {line}")
        # Far: the last frame starts from its own content.
        before = len(frame_events(s))
        s.key("End")
        ev = wait_frame(s, FRAMES, before)
        if ev["carried"] != "content":
            raise Failure(f"a move of {FRAMES - 1} frames should start from the content: {ev}")
        shot, meta = s.save_result_where(f"frame {FRAMES}", lambda m: f"frame {FRAMES}" in json.dumps(m))
        img = read_png(shot)
        on_last, on_first = mean_abs_diff(img, clip_frame(clip, FRAMES - 1)), mean_abs_diff(img, clip_frame(clip, 0))
        print(f"after End: the canvas differs from frame {FRAMES} by {on_last:.2f}/255, from frame 1 by {on_first:.2f}")
        if on_last > 2.0 or on_first < 4 * max(on_last, 1.0):
            raise Failure(f"the canvas should show frame {FRAMES}'s content: {on_last:.2f} vs frame 1 {on_first:.2f}")
        line = s.step_once()
        if line.get("frame") != FRAMES or line["content"] > 1e-6 * max(1.0, abs(line["style"])):
            raise Failure(f"the first step on frame {FRAMES} should be its own (content loss 0 at its content): {line}")
        for _ in range(2):
            s.step_once()
        # Near: one frame back, the image carried over by the flow.
        before = len(frame_events(s))
        s.key("comma")
        ev = wait_frame(s, FRAMES - 1, before)
        if ev["carried"] != "warped" or not ev["reliable"] > 0.5:
            raise Failure(f"a move of one frame should carry the image over by the flow: {ev}")
        line = s.step_once()
        if line.get("frame") != FRAMES - 1:
            raise Failure(f"the step after ',' should be frame {FRAMES - 1}'s: {line}")
        print(f"near move: {ev}; its first step: content {line['content']:.4g}, style {line['style']:.4g}")
        # A knob changed on this frame applies to its next steps.
        s.scroll_to("content_weight")
        s.drag_slider("content_weight", 0.9, start=0.5)
        line = wait_for("a step with the new content weight",
                        lambda: (lambda l: l if l["content_weight"] != s.steps()[0]["content_weight"] else None)(
                            s.step_once()))
        if line.get("frame") != FRAMES - 1:
            raise Failure(f"the knob's step should be on frame {FRAMES - 1}: {line}")
        print(f"content weight {s.steps()[0]['content_weight']} -> {line['content_weight']} on frame {line['frame']}")
        s.xshot("timeline")


def case_render(viewer, work, source_dir):
    """Render video of frames 1-6 with a temporal weight and again independently (weight 0), both as
    frame patterns: the temporal render's frames have a lower warping error (measured here with the
    clip's true motion); the log reports each frame's error; the playback shows the rendered frames."""
    clip = make_clip(work, frames=6)
    out = os.path.join(work, "out")
    os.makedirs(out)
    results = {}
    with Session(viewer, work, ["--paused", "--video", clip]) as s:
        open_clip(s)
        s.step_once()
        for name, weight in (("temporal", 10000), ("independent", 0)):
            pattern = os.path.join(out, name + "_%04d.png")
            start = render_video(s, "1:6", 30, 15, weight, pattern)
            if (start["width"], start["height"]) != (W, H) or start["temporal_weight"] != weight:
                raise Failure(f"unexpected render: {start}")
            stop = wait_for(f"the {name} render to end", lambda: render_stops(s)[len(results):], timeout=150)[0]
            if not stop["written"]:
                raise Failure(f"the {name} render did not write: {stop} {s.viewer_log()}")
            frames = [read_png(os.path.join(out, f"{name}_{k:04d}.png")) for k in range(1, 7)]
            if any((f[0], f[1]) != (W, H) for f in frames):
                raise Failure(f"the {name} frames are not {W}x{H}")
            errors = [pan_error(frames[k - 1], frames[k]) for k in range(1, 6)]
            results[name] = sum(errors) / len(errors)
            logged = [e for e in s.events("video_frame")][-6:]
            if [e["frame"] for e in logged] != [1, 2, 3, 4, 5, 6] or any(e["warping_error"] < 0 for e in logged[1:]):
                raise Failure(f"each frame's warping error should be logged: {logged}")
            print(f"{name}: warping error (true motion) {results[name]:.4f}; logged "
                  f"{[round(e['warping_error'], 4) for e in logged[1:]]}")
            if os.path.exists(os.path.join(out, name + "_%04d.png.frames")):
                raise Failure("the folder of finished frames should go once the output is assembled")
            wait_for("the live view", lambda: "timeline" in s.probe() and "render_cancel" not in s.probe())
        ratio = results["temporal"] / results["independent"]
        print(f"warping error: temporal {results['temporal']:.4f} vs independent {results['independent']:.4f} "
              f"= {ratio:.2f}x")
        if not ratio < 0.7:
            raise Failure(f"the temporal render should flicker less: {ratio:.2f}x of the independent one")
        # Playback of the last render beside the content.
        wait_for("the playback button", lambda: "timeline_playback" in s.probe())
        s.click("timeline_playback")
        wait_for("the playback controls", lambda: "timeline_play" in s.probe())
        s.xshot("playback")
        s.click("timeline_playback")  # back to the live run
        wait_for("the live run", lambda: "timeline_play" not in s.probe())


def case_cancel_resume(viewer, work, source_dir):
    """A render cancelled (Esc) after two frames keeps them beside the output and writes no output;
    the same render started again continues after them and assembles all eight frames."""
    clip = make_clip(work, frames=8)
    out = os.path.join(work, "out")
    os.makedirs(out)
    pattern = os.path.join(out, "r_%04d.png")
    store = os.path.join(out, "r__04d.png.frames")  # beside the output, "%" made "_" (video::FrameStore)
    with Session(viewer, work, ["--paused", "--video", clip]) as s:
        open_clip(s)
        s.step_once()
        render_video(s, "1:8", 20, 40, 10000, pattern)
        wait_for("two finished frames", lambda: len(s.events("video_frame")) >= 2, timeout=120)
        wait_for("the progress view", lambda: "render_cancel" in s.probe())
        s.key("Escape")
        stop = wait_for("the cancel", lambda: render_stops(s), timeout=60)[0]
        if stop["written"]:
            raise Failure(f"a cancelled render wrote its output: {stop}")
        msg = wait_for("the message", lambda: next((l for l in s.viewer_log().splitlines()
                                                   if "video render cancelled" in l), None))
        kept = sorted(f for f in os.listdir(store) if f.endswith(".png"))
        done = len(s.events("video_frame"))
        if len(kept) != done or done < 2 or store not in msg:
            raise Failure(f"the finished frames should be kept in {store}: {kept}, {done} finished; {msg}")
        if [f for f in os.listdir(out) if f.startswith("r_")] != [os.path.basename(store)]:
            raise Failure(f"a cancelled render left output frames: {os.listdir(out)}")
        print(msg.strip())
        step = s.last_step()
        s.key("space")  # the live run carries on
        wait_for("the live run to carry on", lambda: s.last_step() >= step + 2)
        s.key("space")
        # Again: it continues after the kept frames.
        wait_for("the live view", lambda: "render_cancel" not in s.probe())
        s.key("ctrl+shift+r")
        wait_for("the Render video dialog", lambda: "video_render_start" in s.probe())
        s.click("video_render_start")
        start = wait_for("the second start", lambda: [e for e in s.events("video_render")
                                                      if e.get("phase") == "start"][1:], timeout=60)[0]
        if start["resume"] != done + 1:
            raise Failure(f"the render should continue at frame {done + 1}: {start}")
        wait_for("the message", lambda: f"continuing at frame {done + 1}" in s.viewer_log())
        stop = wait_for("the end", lambda: render_stops(s)[1:], timeout=240)[0]
        if not stop["written"]:
            raise Failure(f"the resumed render did not write: {stop}")
        written = sorted(f for f in os.listdir(out) if f.startswith("r_"))
        if written != [f"r_{k:04d}.png" for k in range(1, 9)]:
            raise Failure(f"expected 8 frames and no folder: {written}")
        new = [e["frame"] for e in s.events("video_frame")][done:]
        if new != list(range(done + 1, 9)):
            raise Failure(f"the resumed render should make frames {done + 1}..8 only: {new}")
        print(f"cancelled after {done} frames; resumed at {start['resume']}; 8 frames written")


def case_session(viewer, work, source_dir):
    """A session saved on frame 5 of a clip reopens there: the same clip, frame and temporal weight; copy
    as command gives the nst --video line that renders the clip with this look, and it runs."""
    clip = make_clip(work)
    first, again = os.path.join(work, "first.json"), os.path.join(work, "again.json")
    with Session(viewer, work, ["--paused", "--video", clip, "--temporal-weight", "500", "--frames", "1:3",
                                "--frame-steps", "2"]) as s:
        open_clip(s)
        before = len(frame_events(s))
        for _ in range(4):
            s.key("period")
            time.sleep(0.3)
        wait_frame(s, 5, before)
        line = s.step_once()
        if line.get("frame") != 5:
            raise Failure(f"expected a step on frame 5: {line}")
        save_session_as(s, first, key="ctrl+s")
        doc = session_doc(first)
        if doc.get("current", {}).get("frame") != 5 or doc["settings"].get("video") != clip or doc["settings"].get("temporal-weight") != 500:
            raise Failure(f"the session should hold the clip, frame 5 and the temporal weight: "
                          f"frame {doc.get('current', {}).get('frame')}, {doc['settings']}")
        before = len(frame_events(s))
        s.key("Home")
        wait_frame(s, 1, before)
        open_session(s, first, "session opened from")
        wait_for("the run back on frame 5",
                 lambda: any(e.get("frame") == 5 and e.get("reason") == "restore" for e in s.events("retarget")))
        n = len(s.steps())  # an opened session starts its step count again: count log lines
        s.key("Right")
        line = wait_for("a step after the open", lambda: s.steps()[n:])[0]
        if line.get("frame") != 5:
            raise Failure(f"the reopened session should run on frame 5: {line}")
        save_session_as(s, again)
        if session_doc(again).get("current", {}).get("frame") != 5:
            raise Failure(f"saved again, the session should still say frame 5: {session_doc(again).get('current')}")
        print(f"session on frame 5 of {clip} reopened there")
        # Copy as command: the nst --video line that renders the clip with this look; it runs.
        before = len(s.events("copy_command"))
        s.click("snapshot_copy_command")
        command = wait_for("the copied command", lambda: s.events("copy_command")[before:])[0]["command"]
        print(f"copied: {command}")
        words = shlex.split(command)
        flags = {w: words[i + 1] for i, w in enumerate(words[:-1]) if w.startswith("--")}
        if (words[0] != "nst" or flags.get("--video") != clip or "--content" in words or
                flags.get("--temporal-weight") != "500" or flags.get("--frames") != "1:3" or
                flags.get("--frame-steps") != "2" or not flags.get("--output", "").endswith(".mp4")):
            raise Failure(f"the command should render the clip (--video, --frames, --frame-steps, the temporal "
                          f"weight, an .mp4 output) and name no --content: {command}")
        run = subprocess.run([os.path.join(os.path.dirname(viewer), "nst"), *words[1:]], capture_output=True,
                             text=True, timeout=120)
        if run.returncode != 0 or not os.path.getsize(flags["--output"]) > 0:
            raise Failure(f"the copied command failed ({run.returncode}): {run.stderr[-2000:]}")
        print(run.stderr.strip().splitlines()[-1])


def case_bad_video(viewer, work, source_dir):
    """A video file that is not one, typed as the content while a clip runs: one message naming it,
    the clip keeps running (its timeline and frame moves stay)."""
    clip = make_clip(work)
    bad = os.path.join(work, "broken.mp4")
    with open(bad, "wb") as f:
        f.write(b"\x00\x00\x00\x18ftypmp42" + os.urandom(3000))

    def clip_still_runs(s):
        if "timeline" not in s.probe():
            raise Failure("the timeline went away after the bad video")
        before = len(frame_events(s))
        s.key("period")
        ev = wait_frame(s, 2, before)
        print(f"after the bad video the clip still moves: {ev}")
    type_bad_content_files(viewer, work, [(bad, ["broken.mp4"])], extra=["--video", clip], after=clip_still_runs)


CASES = {"timeline": case_timeline, "render": case_render, "cancel-resume": case_cancel_resume,
         "session": case_session, "bad-video": case_bad_video}


if __name__ == "__main__":
    sys.exit(gui_test.main(CASES))
