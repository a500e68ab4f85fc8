#include "gl/window_capture.h"

#include <algorithm>

#include "gl/gl.h"

namespace nstv {

Rgba8 read_back_buffer(int w, int h) {
    Rgba8 img;
    img.width = w;
    img.height = h;
    img.pixels.resize(static_cast<std::size_t>(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, img.pixels.data());
    // GL rows go bottom-up; PNG rows top-down.
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h / 2; ++y)
        std::swap_ranges(img.pixels.begin() + y * row, img.pixels.begin() + (y + 1) * row,
                         img.pixels.begin() + (h - 1 - y) * row);
    return img;
}

}  // namespace nstv
