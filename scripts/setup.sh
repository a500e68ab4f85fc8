#!/usr/bin/env bash
# One-time (idempotent) setup: Debian packages, a Python venv with a pinned LibTorch, and the CMake build.
# A second run installs nothing new and rebuilds incrementally.
#
#   scripts/setup.sh            # packages + venv + build (scripts/run.sh and scripts/test.sh call it)
#   NST_SKIP_APT=1 ...          # do not touch Debian packages (you installed them yourself)
#   Torch_DIR=/path/to/libtorch/share/cmake/Torch or CMAKE_PREFIX_PATH=/path/to/libtorch
#                               # use your own LibTorch; no torch wheel is installed then. The parity
#                               # test needs a Python with torch + safetensors: NST_PYTHON=/path/python
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

TORCH_VERSION="${NST_TORCH_VERSION:-2.15.0}"
BUILD_DIR="${NST_BUILD_DIR:-$root/build}"
VENV="$root/.venv"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------------------------
APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3-venv
  libstb-dev fonts-dejavu-core libpng-dev libturbojpeg0-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev libspdlog-dev libfmt-dev
  libglfw3-dev libimgui-dev python3-glad libgl-dev
  xvfb xdotool x11-apps imagemagick libgl1-mesa-dri mesa-utils
  clang libclang-rt-14-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg libopencv-video-dev
)
if [ -z "${NST_SKIP_APT:-}" ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# --- LibTorch ----------------------------------------------------------------------------------
# A user-supplied LibTorch (Torch_DIR or CMAKE_PREFIX_PATH) wins; otherwise the pinned PyPI wheel in .venv.
cmake_args=()
if [ -n "${Torch_DIR:-}" ] || [ -n "${CMAKE_PREFIX_PATH:-}" ]; then
  log "using the LibTorch you provided (Torch_DIR='${Torch_DIR:-}' CMAKE_PREFIX_PATH='${CMAKE_PREFIX_PATH:-}')"
  [ -n "${Torch_DIR:-}" ] && cmake_args+=("-DTorch_DIR=$Torch_DIR")
  [ -n "${CMAKE_PREFIX_PATH:-}" ] && cmake_args+=("-DCMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH")
  PY="${NST_PYTHON:-python3}"
else
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  PY="$VENV/bin/python"
  have="$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || true)"
  if [ "${have%%+*}" != "$TORCH_VERSION" ] || ! "$PY" -c 'import safetensors, numpy' 2>/dev/null; then
    log "installing torch==$TORCH_VERSION (CUDA-capable wheel, bundles LibTorch) into $VENV"
    "$PY" -m pip install -q --disable-pip-version-check "torch==$TORCH_VERSION" "numpy<3" "safetensors>=0.4"
  fi
  cmake_args+=("-DCMAKE_PREFIX_PATH=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')")
fi
cmake_args+=("-DNST_PYTHON=$PY")

# --- Build -------------------------------------------------------------------------------------
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
# The fuzz targets (tests/fuzz, clang + libFuzzer) are part of the test suite; NST_FUZZ=OFF skips them.
cmake_args+=("-DNST_FUZZ=${NST_FUZZ:-ON}")
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] || ! grep -q "^NST_FUZZ:BOOL=${NST_FUZZ:-ON}\$" "$BUILD_DIR/CMakeCache.txt"; then
  log "configuring $BUILD_DIR"
  cmake -S "$root" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" ${NST_CMAKE_ARGS:-}
fi
log "building (2 jobs)"
cmake --build "$BUILD_DIR" -j "${NST_JOBS:-2}"
