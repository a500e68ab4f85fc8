#pragma once
// The frame just rendered, read back from the OpenGL back buffer (before the swap) at framebuffer
// resolution, top row first: the "save window" screenshot.
#include "run/frame.h"

namespace nstv {

Rgba8 read_back_buffer(int width, int height);

}  // namespace nstv
