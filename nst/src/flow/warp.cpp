// Backward warping: the previous stylized frame seen from the current frame, the input of the
// temporal loss and of the first guess of each new frame.
#include <string>

#include "flow/sample.h"
#include "nst/error.h"
#include "nst/video/flow.h"

namespace nst::video {

Image warp(const Image& image, const Flow& backward) {
    if (image.width != backward.width || image.height != backward.height)
        throw Error("warp: image " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                    " and flow " + std::to_string(backward.width) + "x" + std::to_string(backward.height) +
                    " differ in size");
    Image out;
    out.width = image.width;
    out.height = image.height;
    out.rgb.resize(image.rgb.size());
    const float* uv = backward.uv.data();
    float* o = out.rgb.data();
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x, uv += 2, o += 3)
            flow::sample_bilinear(image.rgb.data(), image.width, image.height, 3, static_cast<float>(x) + uv[0],
                                  static_cast<float>(y) + uv[1], o);
    return out;
}

}  // namespace nst::video
