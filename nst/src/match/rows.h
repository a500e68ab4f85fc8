#pragma once
// Activations as rows of features, and rows of unit length: what every feature-matching loss
// compares (cosines as products of unit rows).
#include <torch/torch.h>

namespace nst::match {

// An activation [1,C,H,W] as N×C rows, row-major positions (y, x).
[[nodiscard]] inline torch::Tensor rows_of(const torch::Tensor& activation) {
    return activation.permute({0, 2, 3, 1}).reshape({-1, activation.size(1)});
}

// Rows scaled to unit length, f / max(‖f‖, 1e-8) (docs/LOSS.md).
[[nodiscard]] inline torch::Tensor unit_rows(const torch::Tensor& rows) {
    return rows / rows.norm(2, 1, true).clamp_min(1e-8);
}

}  // namespace nst::match
