#pragma once
// What the engine tests run on: the bundled sample images at a test's size, and an engine on the
// CPU with untrained features (deterministic for a seed). NST_SOURCE_DIR is defined for the
// engine test target only.
#include <cstdint>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace nst::test {

// assets/<name> resized to `size` on its long side.
inline Image asset(const char* name, int size) {
    return resize_long_side(load_image(std::string(NST_SOURCE_DIR) + "/assets/" + name), size);
}

// A w×h texture of one dominant colour: noise in the channel `dominant` (0.55-1), little in the
// others (under 0.1). Untrained features carry colour, so "turns red" is a real effect to assert.
inline Image tinted(int w, int h, int dominant, std::uint32_t seed) {
    Image img{w, h, std::vector<float>(static_cast<std::size_t>(w) * h * 3)};
    std::uint32_t s = seed;
    for (std::size_t i = 0; i < img.rgb.size(); ++i) {
        s = s * 1664525u + 1013904223u;
        const float noise = static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
        img.rgb[i] = (static_cast<int>(i % 3) == dominant) ? 0.55f + 0.45f * noise : 0.1f * noise;
    }
    return img;
}

// Mean of (red − blue) over the columns [x0, x1).
inline double red_minus_blue(const Image& img, int x0, int x1) {
    double sum = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = x0; x < x1; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * img.width + x) * 3;
            sum += img.rgb[i] - img.rgb[i + 2];
        }
    return sum / (static_cast<double>(img.height) * (x1 - x0));
}

// CPU, 2 threads, random features with this seed.
inline EngineOptions cpu_random(std::uint64_t seed = 3) {
    EngineOptions o;
    o.features.random_seed = seed;
    o.device = "cpu";
    o.threads = 2;
    return o;
}

}  // namespace nst::test
