// Which pixels the temporal loss may trust (Ruder et al. 2016, section 3.2, after Sundaram et al.'s
// consistency checker): a pixel is unreliable where it was hidden in the earlier frame (the forward
// and backward flows do not cancel), on a motion boundary (where the flow is blurred across two
// objects), or where its match lies outside the earlier frame. Long-term weights hand each pixel to
// the nearest earlier frame that saw it.
#include <algorithm>
#include <string>

#include "flow/sample.h"
#include "nst/error.h"
#include "nst/video/flow.h"

namespace nst::video {
namespace {

// Gradient of one flow component by central differences, (f(x+1) - f(x-1)) / 2, and one-sided
// differences on the first and last row/column (the paper's checker leaves the filter open; central
// differences keep a one-pixel step visible on both of its sides).
float derivative(const float* uv, int width, int height, int x, int y, int component, bool along_x) {
    auto at = [&](int xx, int yy) { return uv[(static_cast<long>(yy) * width + xx) * 2 + component]; };
    const int n = along_x ? width : height;
    const int i = along_x ? x : y;
    if (n < 2) return 0.0f;
    const int lo = std::max(i - 1, 0), hi = std::min(i + 1, n - 1);
    const float a = along_x ? at(lo, y) : at(x, lo);
    const float b = along_x ? at(hi, y) : at(x, hi);
    return (b - a) / static_cast<float>(hi - lo);
}

}  // namespace

WeightMap reliability(const Flow& backward, const Flow& forward, WeightMap* seen) {
    if (backward.width != forward.width || backward.height != forward.height)
        throw Error("reliability: backward and forward flows differ in size");
    const int w = backward.width, h = backward.height;
    WeightMap c;
    c.width = w;
    c.height = h;
    c.w.assign(static_cast<std::size_t>(w) * h, 0.0f);
    if (seen) *seen = c;
    const float* b = backward.uv.data();
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const long i = static_cast<long>(y) * w + x;
            const float bu = b[2 * i], bv = b[2 * i + 1];
            const float px = static_cast<float>(x) + bu, py = static_cast<float>(y) + bv;
            // The match must lie on the earlier frame's pixels, each of which covers half a pixel
            // on either side of its centre: a border pixel whose flow is a hair past the edge (an
            // estimated flow of -0.01 for a static border) is still seen there.
            if (!(px >= -0.5f && py >= -0.5f && px <= static_cast<float>(w) - 0.5f && py <= static_cast<float>(h) - 0.5f))
                continue;  // the match is outside the earlier frame (or the flow is NaN)
            float f[2];
            flow::sample_bilinear(forward.uv.data(), w, h, 2, px, py, f);
            const float du = f[0] + bu, dv = f[1] + bv;
            if (du * du + dv * dv > 0.01f * (f[0] * f[0] + f[1] * f[1] + bu * bu + bv * bv) + 0.5f) continue;
            if (seen) seen->w[i] = 1.0f;
            const float ux = derivative(b, w, h, x, y, 0, true), uy = derivative(b, w, h, x, y, 0, false);
            const float vx = derivative(b, w, h, x, y, 1, true), vy = derivative(b, w, h, x, y, 1, false);
            if (ux * ux + uy * uy + vx * vx + vy * vy > 0.01f * (bu * bu + bv * bv) + 0.002f) continue;
            c.w[i] = 1.0f;
        }
    }
    return c;
}

std::vector<WeightMap> long_term_weights(const std::vector<WeightMap>& nearest_first) {
    std::vector<WeightMap> out;
    out.reserve(nearest_first.size());
    if (nearest_first.empty()) return out;
    std::vector<float> covered(nearest_first.front().w.size(), 0.0f);  // sum_{k<j} c_k per pixel
    for (const auto& c : nearest_first) {
        if (c.w.size() != covered.size()) throw Error("long_term_weights: reliability maps differ in size");
        WeightMap weight = c;
        for (std::size_t i = 0; i < covered.size(); ++i) {
            weight.w[i] = std::max(c.w[i] - covered[i], 0.0f);
            covered[i] += c.w[i];
        }
        out.push_back(std::move(weight));
    }
    return out;
}

}  // namespace nst::video
