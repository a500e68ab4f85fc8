#!/usr/bin/env python3
"""A loopback HTTP server for the weights download tests (standard library only).

Serves one safetensors file (a generated full-layout VGG19) under /<mode>/<any name>, where the
mode decides how it misbehaves:

  normal          Range requests answered with 206 (single ranges), otherwise 200
  ignore-range    always 200 with the whole file, whatever Range says
  404, 403, 500   that status, no file
  corrupt         bytes 8..40 of the header overwritten with '#': not JSON any more
  wrong-shapes    the header says features.0.weight is [3,64,3,3] (same byte count)
  truncated       the file "ends" 1 MB into the data section: every response claims its full
                  length but the connection closes at that point
  stall           headers, then nothing (the connection stays open)
  redirect        302 to /normal/<same name>
  interrupt-once  the first response that covers the byte 2 MB into the data section stops
                  there and closes the connection; later ones are complete

GET /stats returns JSON {mode: {"requests": n, "bytes": body bytes sent, "ranges": [Range headers]}}.
Binds 127.0.0.1 on a free port and prints the port on the first line of stdout.
"""
import argparse
import json
import os
import socketserver
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20


class VirtualFile:
    """The served bytes: a (possibly rewritten) header followed by the original data section."""

    def __init__(self, path, edit_header=None, patch=None):
        self.path = path
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = f.read(n)
        self.data_offset = 8 + n
        self.data_size = os.path.getsize(path) - self.data_offset
        if edit_header is not None:
            text = json.dumps(edit_header(json.loads(header)), separators=(",", ":")).encode()
            text += b" " * (-len(text) % 8)
            header = text
        prefix = bytearray(struct.pack("<Q", len(header)) + header)
        if patch is not None:
            patch(prefix)
        self.prefix = bytes(prefix)
        self.data_start = len(self.prefix)
        self.size = len(self.prefix) + self.data_size

    def read(self, offset, n):
        out = b""
        if offset < len(self.prefix):
            out = self.prefix[offset : offset + n]
            offset += len(out)
            n -= len(out)
        if n > 0:
            with open(self.path, "rb") as f:
                f.seek(self.data_offset + offset - len(self.prefix))
                out += f.read(n)
        return out


def wrong_shapes(header):
    header["features.0.weight"]["shape"] = [3, 64, 3, 3]
    return header


def corrupt(prefix):
    prefix[8:40] = b"#" * 32


class State:
    def __init__(self, path):
        normal = VirtualFile(path)
        self.files = {
            "normal": normal,
            "ignore-range": normal,
            "truncated": normal,
            "stall": normal,
            "interrupt-once": normal,
            "corrupt": VirtualFile(path, patch=corrupt),
        }
        try:
            self.files["wrong-shapes"] = VirtualFile(path, edit_header=wrong_shapes)
        except (ValueError, KeyError, TypeError, RecursionError):
            pass  # a hostile file (tests of the downloader's own checks): served as it is only
        self.truncate_at = normal.data_start + 1_000_000
        self.interrupt_at = normal.data_start + 2_000_000
        self.interrupted = False
        self.lock = threading.Lock()
        self.stats = {}
        self.stop = threading.Event()

    def count(self, mode, requests=0, nbytes=0, range_header=None):
        with self.lock:
            s = self.stats.setdefault(mode, {"requests": 0, "bytes": 0, "ranges": []})
            s["requests"] += requests
            s["bytes"] += nbytes
            if range_header is not None:
                s["ranges"].append(range_header)


def parse_range(value, size):
    """(first, last) of a single 'bytes=a-b' / 'bytes=a-' range, or None if absent/unsupported."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    first, _, last = value[6:].partition("-")
    if not first.isdigit():
        return None
    first = int(first)
    last = int(last) if last.isdigit() else size - 1
    return first, min(last, size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do; every response has a length
    state = None

    def log_message(self, *args):
        pass

    def reply_empty(self, code, extra=()):
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        st = self.state
        if self.path == "/stats":
            with st.lock:
                body = json.dumps(st.stats).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return

        mode, _, name = self.path.lstrip("/").partition("/")
        st.count(mode, requests=1, range_header=self.headers.get("Range", ""))
        if mode in ("404", "403", "500"):
            body = f"{mode} from the test server\n".encode()
            self.send_response(int(mode))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "redirect":
            self.reply_empty(302, [("Location", "/normal/" + name)])
            return
        vf = st.files.get(mode)
        if vf is None:
            self.reply_empty(404)
            return

        rng = None if mode == "ignore-range" else parse_range(self.headers.get("Range"), vf.size)
        if rng is not None and rng[0] >= vf.size:
            self.reply_empty(416, [("Content-Range", f"bytes */{vf.size}")])
            return
        first, last = rng if rng is not None else (0, vf.size - 1)
        self.send_response(206 if rng is not None else 200)
        if rng is not None:
            self.send_header("Content-Range", f"bytes {first}-{last}/{vf.size}")
        self.send_header("Accept-Ranges", "none" if mode == "ignore-range" else "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        self.wfile.flush()

        if mode == "stall":
            st.stop.wait(120)
            self.close_connection = True
            return

        end = last + 1  # exclusive end of what will really be sent
        if mode == "truncated":
            end = min(end, st.truncate_at)
        if mode == "interrupt-once":
            with st.lock:
                if not st.interrupted and first < st.interrupt_at < end:
                    st.interrupted = True
                    end = st.interrupt_at
        pos = first
        try:
            while pos < end:
                chunk = vf.read(pos, min(CHUNK, end - pos))
                self.wfile.write(chunk)
                st.count(mode, nbytes=len(chunk))
                pos += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (it had all it needed)
        if end != last + 1:
            self.close_connection = True  # fewer bytes than Content-Length: the client sees a cut


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", required=True, help="safetensors file to serve")
    args = ap.parse_args()

    # Never outlive the test that started us, even if it crashed before stopping us.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()

    Handler.state = State(args.file)
    socketserver.TCPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
