#pragma once
// Coarse-to-fine levels of a run, shared by nst's run loop (main.cpp) and nst --sweep
// (sweep_run.cpp): size/2^k for k = scales-1 .. 1 with --coarse-steps steps each, then --size with
// --steps steps. And each level's size: the content resized to the level's long side (or to
// exactly WxH scaled), or a texture's WxH (a square without an x); with --seamless each side
// rounded to the network's pooling grid (seamless_size), so that the torus is whole at every pooling.
#include <algorithm>
#include <cmath>
#include <vector>

#include "nst/image.h"
#include "nst/settings.h"
#include "tiling_args.h"

namespace nst::cli {

struct Level {
    int size, steps;
};

[[nodiscard]] inline std::vector<Level> coarse_to_fine_levels(const RunSettings& s) {
    std::vector<Level> levels;
    for (int k = s.scales - 1; k >= 1; --k) levels.push_back({s.size >> k, s.coarse_steps});
    levels.push_back({s.size, s.steps});
    return levels;
}

[[nodiscard]] inline int steps_in(const std::vector<Level>& levels) {
    int total = 0;
    for (const Level& l : levels) total += l.steps;
    return total;
}

// `content`: the content's size as loaded (0x0 in texture mode); `long_side`: the level's.
[[nodiscard]] inline Size run_size(const RunSettings& s, Size content, int long_side) {
    Size out;
    if (const auto exact = exact_size(s); exact || content.width == 0) {
        const auto [w, h] = exact.value_or(std::pair{s.size, s.size});
        const double k = static_cast<double>(long_side) / s.size;
        out = {std::max(1, static_cast<int>(std::lround(w * k))), std::max(1, static_cast<int>(std::lround(h * k)))};
    } else {
        out = level_size(content, long_side);
    }
    if (s.params.seamless) {
        const auto [w, h] = seamless_size(out.width, out.height, s.params);
        out = {w, h};
    }
    return out;
}

// The content at a level's size (resize_long_side's result when no rounding or exact size applies).
[[nodiscard]] inline Image content_at(const Image& full, const RunSettings& s, int long_side) {
    const Size z = run_size(s, {full.width, full.height}, long_side);
    const Size plain = level_size({full.width, full.height}, long_side);
    if (z.width == plain.width && z.height == plain.height) return resize_long_side(full, long_side);
    return resize_to(full, z.width, z.height);
}

}  // namespace nst::cli
