#pragma once
// Regions for the losses that match features (docs/LOSS.md, "Regions" under the feature-matching
// losses): STROTSS's region-to-region guidance takes hard regions, so each position belongs to the
// row (a region with a style, or the background) whose mask is largest there, if that mask is at
// least one half, and to none otherwise (under a `none` region the background is ~0).
#include <torch/torch.h>

#include <vector>

#include "loss/spatial_masks.h"

namespace nst::match {

// The row owning each of the layer's h·w positions (int64), −1 where none does.
[[nodiscard]] inline torch::Tensor owners(const SpatialMasks::Layer& m) {
    torch::NoGradGuard no_grad;
    const auto [value, row] = m.masks.max(0);  // first row on ties
    return torch::where(value >= 0.5, row, torch::full_like(row, -1));
}

// The indices (int64) of the entries of `owner` equal to each row, one tensor per row (empty
// where the row owns none).
[[nodiscard]] inline std::vector<torch::Tensor> owned_by_row(const torch::Tensor& owner, std::size_t rows) {
    std::vector<torch::Tensor> out(rows);
    for (std::size_t r = 0; r < rows; ++r) out[r] = torch::nonzero(owner == static_cast<std::int64_t>(r)).flatten();
    return out;
}

// The style weights of row r: its own style alone, or the blend for the background.
[[nodiscard]] inline std::vector<float> row_weights(int style, const std::vector<float>& blend) {
    if (style == kRegionNone) return blend;
    std::vector<float> one_hot(blend.size(), 0.f);
    one_hot.at(static_cast<std::size_t>(style)) = 1.f;
    return one_hot;
}

}  // namespace nst::match
