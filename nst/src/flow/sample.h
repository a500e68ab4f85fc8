#pragma once
// Bilinear sampling with coordinates clamped to the border, shared by warp() and the consistency
// check (which samples the forward flow at x + w^(x)). Written so that an integer coordinate gives
// the pixel's value exactly (weights 1 and 0), which the tests rely on for integer shifts.
#include <algorithm>

namespace nst::flow {

// out[0..channels) = data sampled at (x, y); data is row-major, interleaved, `channels` per pixel.
inline void sample_bilinear(const float* data, int width, int height, int channels, float x, float y,
                            float* out) {
    x = std::clamp(x, 0.0f, static_cast<float>(width - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(height - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);  // floor: both are >= 0 here
    const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
    const float fx = x - static_cast<float>(x0), fy = y - static_cast<float>(y0);
    const float* p00 = data + (static_cast<long>(y0) * width + x0) * channels;
    const float* p01 = data + (static_cast<long>(y0) * width + x1) * channels;
    const float* p10 = data + (static_cast<long>(y1) * width + x0) * channels;
    const float* p11 = data + (static_cast<long>(y1) * width + x1) * channels;
    for (int c = 0; c < channels; ++c) {
        const float top = p00[c] * (1.0f - fx) + p01[c] * fx;
        const float bottom = p10[c] * (1.0f - fx) + p11[c] * fx;
        out[c] = top * (1.0f - fy) + bottom * fy;
    }
}

}  // namespace nst::flow
