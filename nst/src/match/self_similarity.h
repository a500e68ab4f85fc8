#pragma once
// STROTSS's content term (docs/LOSS.md): the L1 distance between the normalised self-similarity
// matrices of output and content at sampled positions. It keeps the layout (which positions are
// alike) without asking each feature to stay what it was, so strokes may replace edges.
#include <torch/torch.h>

#include "match/rows.h"

namespace nst::match {

// Cosine distances among the rows, each column divided by its sum (floored at 1e-8).
[[nodiscard]] inline torch::Tensor normalised_self_distance(const torch::Tensor& rows) {
    const auto unit = unit_rows(rows);
    const auto d = 1.0 - torch::mm(unit, unit.t());
    return d / d.sum(0, true).clamp_min(1e-8);
}

// mean_{i,j} |D̂x_ij − D̂c_ij| (row i weighted by `row_weight` [P] when defined) for output rows `x`
// (P×C, with gradient) and the content's rows `c` at the same positions.
[[nodiscard]] inline torch::Tensor self_similarity(const torch::Tensor& x, const torch::Tensor& c,
                                                   const torch::Tensor& row_weight = {}) {
    torch::Tensor target;
    {
        torch::NoGradGuard no_grad;
        target = normalised_self_distance(c);
    }
    auto diff = (normalised_self_distance(x) - target).abs();
    if (row_weight.defined()) diff = diff * row_weight.unsqueeze(1);
    return diff.mean();
}

}  // namespace nst::match
