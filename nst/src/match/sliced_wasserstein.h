#pragma once
// Sliced Wasserstein style loss (Heitz et al., CVPR 2021; docs/LOSS.md): the features projected on
// K random unit directions, each projection sorted, compared with the style's sorted projections
// resampled to the same count. Sorting matches the two 1-D distributions exactly, which is their
// Wasserstein distance; over many directions it compares the whole feature distribution, not only
// its first two moments as Gram and W2 do.
#include <torch/torch.h>

#include <vector>

#include "match/sort_rows.h"

namespace nst::match {

// Σ_k w_k · mean_{i,d} (sort(F·V)[i,d] − sort(S_k·V)[⌊(2i+1)M_k/(2N)⌋, d])² for output rows `f`
// (N×C, with gradient), style rows `styles[k]` (M_k×C) and directions `v` (C×K).
[[nodiscard]] inline torch::Tensor sliced_wasserstein(const torch::Tensor& f, const std::vector<torch::Tensor>& styles,
                                                      const std::vector<float>& weights, const torch::Tensor& v) {
    // K×N: each direction's projections contiguous, so that each sort runs along memory.
    const auto projected = torch::mm(v.t(), f.t());
    // The sort's permutation found without autograd, then taken with it (a gather's backward
    // sends each sorted value's gradient to its position).
    const auto sorted = projected.gather(1, sort_rows(projected).second.to(projected.device()));
    const auto n = f.size(0);
    torch::Tensor loss;
    for (std::size_t k = 0; k < styles.size(); ++k) {
        if (weights[k] == 0.f) continue;
        torch::Tensor target;
        {
            torch::NoGradGuard no_grad;
            const auto m = styles[k].size(0);
            const auto style_sorted = sort_rows(torch::mm(v.t(), styles[k].t())).first;
            // Nearest resampling in integers: row i takes ⌊(2i+1)·M/(2N)⌋.
            const auto rows = torch::div(
                (torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(f.device())) * 2 + 1) * m, 2 * n,
                "floor");
            target = m == n ? style_sorted : style_sorted.index_select(1, rows);
        }
        const auto term = (sorted - target).pow(2).mean() * static_cast<double>(weights[k]);
        loss = loss.defined() ? loss + term : term;
    }
    return loss.defined() ? loss : torch::zeros({}, f.options());
}

}  // namespace nst::match
