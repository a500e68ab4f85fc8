#include "session/snapshots.h"

#include <algorithm>
#include <cmath>

namespace nstv {

void Snapshots::add(nst::Snapshot s) {
    all_.push_back(std::move(s));
    ++version_;
}

void Snapshots::remove(std::size_t i) {
    if (i >= all_.size()) return;
    all_.erase(all_.begin() + static_cast<std::ptrdiff_t>(i));
    ++version_;
}

void Snapshots::set_all(std::vector<nst::Snapshot> s) {
    all_ = std::move(s);
    ++version_;
}

nst::Image image_of(const Rgba8& pixels) {
    nst::Image out;
    if (pixels.empty()) return out;
    out.width = pixels.width;
    out.height = pixels.height;
    const std::size_t n = static_cast<std::size_t>(pixels.width) * static_cast<std::size_t>(pixels.height);
    out.rgb.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < 3; ++c) out.rgb[i * 3 + c] = pixels.pixels[i * 4 + c] / 255.0f;
    return out;
}

Rgba8 rgba8_of(const nst::Image& image) {
    Rgba8 out;
    out.width = image.width;
    out.height = image.height;
    const std::size_t n = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
    out.pixels.resize(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < 3; ++c) {
            const float v = std::clamp(image.rgb[i * 3 + c], 0.0f, 1.0f);
            out.pixels[i * 4 + c] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
        }
        out.pixels[i * 4 + 3] = 255;
    }
    return out;
}

}  // namespace nstv
