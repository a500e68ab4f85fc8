#pragma once
// nst --sweep: every cell of the grid stepped together (nst::Sweep) from the same start image,
// then the contact sheet and each cell's image written beside it.
#include <functional>
#include <string>
#include <vector>

#include "nst/settings.h"

namespace nst::cli {

struct SweepRequest {
    RunSettings run;                  // the base settings (every flag but --sweep)
    std::vector<std::string> specs;   // each --sweep value
    std::string mode = "auto";        // --sweep-mode
    std::string output;               // the contact sheet; the cells go beside it
    bool cuda_graph = false;
    // main.cpp's policy for where the weights come from ("" = untrained features).
    std::function<std::string(const RunSettings&)> resolve_weights;
};

// Checks everything (specs, cells, output, font, masks) before any slow work, runs, writes.
// Returns the exit code; throws nst::UsageError / nst::Error as the rest of nst does.
int run_sweep(const SweepRequest& request);

}  // namespace nst::cli
