#pragma once
// What the engine tests run on: the bundled sample images at a test's size, and an engine on the
// CPU with untrained features (deterministic for a seed). NST_SOURCE_DIR is defined for the
// engine test target only.
#include <cstdint>
#include <string>

#include "nst/nst.h"

namespace nst::test {

// assets/<name> resized to `size` on its long side.
inline Image asset(const char* name, int size) {
    return resize_long_side(load_image(std::string(NST_SOURCE_DIR) + "/assets/" + name), size);
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
