#pragma once
// Coarse-to-fine levels of a run, shared by nst's run loop (main.cpp) and nst --sweep
// (sweep_run.cpp): size/2^k for k = scales-1 .. 1 with --coarse-steps steps each, then --size with
// --steps steps.
#include <vector>

#include "nst/settings.h"

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

}  // namespace nst::cli
