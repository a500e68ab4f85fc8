#!/usr/bin/env python3
"""The layout rules of docs/ARCHITECTURE.md, checked on the source tree (CTest: layout.rules).

- No source folder holds more than 15 files directly (a folder past that splits).
- Includes read as folders: no "../" in an #include, and every quoted include of the engine, the
  viewer and the tests names an existing file under one of its target's include roots.
- The programs (nst/cli/, viewer/) never include LibTorch or the engine's internals (nst/src/).
- Every .cpp of nst/src/ and viewer/ is listed in its own folder's sources.cmake (nothing built
  from elsewhere, nothing silently left out).

Prints one line per violation and exits 1 if there is any.
"""
import argparse
import pathlib
import re
import sys

MAX_FILES = 15
SOURCE_TREES = ["nst", "viewer", "tests", "bench", "assets", "scripts", "cmake", "docs", "tools"]
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)
LISTED = re.compile(r"nst_add_sources\(\s*\w+((?:\s+[\w.]+)+)\s*\)", re.M)


def include_roots(root, rel):
    """The quoted-include search roots a file of `rel` compiles with (besides its own folder)."""
    public = [root / "nst/include"]
    if rel.parts[:2] == ("nst", "src") or rel.parts[:2] == ("tests", "fuzz"):
        return public + [root / "nst/src", root / "tests"]
    if rel.parts[:2] == ("nst", "cli"):
        return public
    if rel.parts[0] == "viewer" or rel.parts[:2] == ("tests", "viewer"):
        return public + [root / "viewer"]
    if rel.parts[0] in ("tests", "bench"):
        return public + [root / "nst/src", root / "tests"]
    return public


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True, type=pathlib.Path)
    root = ap.parse_args().root.resolve()
    problems = []

    for tree in (t for t in SOURCE_TREES if (root / t).is_dir()):
        for folder in [root / tree, *(p for p in (root / tree).rglob("*") if p.is_dir())]:
            if "__pycache__" in folder.parts:
                continue
            files = [p for p in folder.iterdir() if p.is_file()]
            if len(files) > MAX_FILES:
                problems.append(f"{folder.relative_to(root)}/: {len(files)} files, more than {MAX_FILES}: split it by concern")

    for path in sorted([*root.glob("nst/**/*.[ch]*"), *root.glob("viewer/**/*.[ch]*"),
                        *root.glob("tests/**/*.[ch]*"), *root.glob("bench/**/*.[ch]*")]):
        if path.suffix not in (".h", ".cpp", ".in"):
            continue
        rel = path.relative_to(root)
        text = path.read_text(encoding="utf-8")
        program = rel.parts[0] == "viewer" or rel.parts[:2] == ("nst", "cli")
        for kind, name in INCLUDE.findall(text):
            where = f"{rel}: #include {kind}{name}{'>' if kind == '<' else kind}"
            if program and (name.startswith(("torch/", "ATen/", "c10/"))):
                problems.append(f"{where}: the programs never include LibTorch (only nst/src/ does)")
            if kind != '"':
                continue
            if ".." in pathlib.PurePosixPath(name).parts:
                problems.append(f"{where}: includes read as folders from an include root, never with ../")
                continue
            if program and (root / "nst/src" / name).exists() and not (root / "viewer" / name).exists() \
                    and not (path.parent / name).exists():
                problems.append(f"{where}: the programs use the public headers (nst/...), never nst/src/")
                continue
            found = (path.parent / name).exists() or any((r / name).exists() for r in include_roots(root, rel))
            if not found and not name.startswith("glad/"):
                problems.append(f"{where}: no such file under this file's include roots")

    for base in ("nst/src", "viewer"):
        for cpp in sorted((root / base).rglob("*.cpp")):
            rel = cpp.relative_to(root)
            if base == "viewer" and cpp.parent == root / "viewer":
                continue  # main.cpp, listed in viewer/CMakeLists.txt itself
            lists = cpp.parent / "sources.cmake"
            listed = set()
            if lists.exists():
                for group in LISTED.findall(lists.read_text(encoding="utf-8")):
                    listed.update(group.split())
            if cpp.name not in listed:
                problems.append(f"{rel}: not listed in {lists.relative_to(root)}")

    for p in problems:
        print(p)
    print(f"layout: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
