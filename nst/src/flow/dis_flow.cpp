// Optical flow with OpenCV's DIS (dense inverse search, Kroeger et al. 2016) on 8-bit luminance:
// DIS only takes CV_8UC1, and colour adds little for the temporal loss, whose reliability check
// discards the pixels where the flow is wrong anyway.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

#include "flow/dis_flow.h"
#include "nst/error.h"

namespace nst::flow {
namespace {

// Rec. 601 luma, rounded to 8 bits.
cv::Mat grey8(const Image& image) {
    cv::Mat grey(image.height, image.width, CV_8UC1);
    const float* p = image.rgb.data();
    for (int y = 0; y < image.height; ++y) {
        auto* row = grey.ptr<unsigned char>(y);
        for (int x = 0; x < image.width; ++x, p += 3) {
            const float l = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
            row[x] = static_cast<unsigned char>(std::lround(std::clamp(l, 0.0f, 1.0f) * 255.0f));
        }
    }
    return grey;
}

// One thread inside OpenCV: the optimiser already keeps both cores busy and the flow runs beside
// it on FrameFeed's worker, so OpenCV's own thread pool would only fight the optimiser for the
// cores (and its threads would spin between the small parallel regions of a 256 px frame).
// cv::setNumThreads is process-wide; nothing else in the engine uses OpenCV.
void single_threaded_opencv() {
    static std::once_flag once;
    std::call_once(once, [] { cv::setNumThreads(1); });
}

}  // namespace

video::Flow dis_flow(const Image& from, const Image& to, const DisSettings& settings) {
    if (from.empty() || from.width != to.width || from.height != to.height)
        throw Error("optical flow: frames of different sizes (" + std::to_string(from.width) + "x" +
                    std::to_string(from.height) + " and " + std::to_string(to.width) + "x" +
                    std::to_string(to.height) + ")");
    single_threaded_opencv();
    // A fresh instance per call: DIS keeps per-call buffers, so sharing one across threads is unsafe.
    auto dis = cv::DISOpticalFlow::create(settings.preset);
    if (settings.finest_scale >= 0) dis->setFinestScale(settings.finest_scale);
    if (settings.refinement_iterations >= 0) dis->setVariationalRefinementIterations(settings.refinement_iterations);
    // DIS's coarsest level must stay at least a patch wide; tiny frames (the tests' 32 px clips)
    // would otherwise fail inside OpenCV, so fall back to full resolution and a smaller patch.
    const int side = std::min(from.width, from.height);
    if (side < 4 * dis->getPatchSize()) {
        dis->setPatchSize(std::max(4, std::min(dis->getPatchSize(), side / 4)));
        dis->setPatchStride(std::max(1, dis->getPatchSize() / 2));
        dis->setFinestScale(0);
    }

    cv::Mat uv;
    dis->calc(grey8(from), grey8(to), uv);  // uv(x): from(x) ~ to(x + uv(x)), CV_32FC2

    video::Flow flow;
    flow.width = from.width;
    flow.height = from.height;
    flow.uv.resize(static_cast<std::size_t>(from.width) * from.height * 2);
    for (int y = 0; y < from.height; ++y) {
        const auto* row = uv.ptr<float>(y);
        std::copy(row, row + 2 * from.width, flow.uv.begin() + static_cast<long>(y) * from.width * 2);
    }
    return flow;
}

}  // namespace nst::flow

namespace nst::video {

// The default settings were chosen by measurement: see flow/dis_flow.h.
Flow compute_flow(const Image& from, const Image& to) {
    return flow::dis_flow(from, to, flow::DisSettings{});
}

}  // namespace nst::video
