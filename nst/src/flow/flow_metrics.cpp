// The numbers that judge a flow and a stylized sequence: end-point error against a known flow (the
// tests' synthetic clips) and the paper's warping error (temporal consistency of the output).
#include <cmath>
#include <cstdlib>

#include "nst/error.h"
#include "nst/video/flow.h"

namespace nst::video {

double WeightMap::mean() const {
    if (w.empty()) return 0.0;
    double sum = 0.0;
    for (float v : w) sum += v;
    return sum / static_cast<double>(w.size());
}

double warping_error(const Image& current, const Image& previous, const Flow& backward, const WeightMap& c) {
    if (current.width != previous.width || current.height != previous.height || c.width != current.width ||
        c.height != current.height)
        throw Error("warping_error: frames, flow and weights differ in size");
    const Image warped = warp(previous, backward);
    double sum = 0.0;
    long count = 0;
    for (std::size_t i = 0; i < c.w.size(); ++i) {
        if (!(c.w[i] > 0.5f)) continue;
        for (int k = 0; k < 3; ++k) sum += std::abs(current.rgb[3 * i + k] - warped.rgb[3 * i + k]);
        count += 3;
    }
    return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

double end_point_error(const Flow& flow, const Flow& truth) {
    if (flow.width != truth.width || flow.height != truth.height)
        throw Error("end_point_error: flows differ in size");
    const std::size_t n = flow.uv.size() / 2;
    if (n == 0) return 0.0;
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        sum += std::hypot(static_cast<double>(flow.uv[2 * i]) - truth.uv[2 * i],
                          static_cast<double>(flow.uv[2 * i + 1]) - truth.uv[2 * i + 1]);
    return sum / static_cast<double>(n);
}

}  // namespace nst::video
