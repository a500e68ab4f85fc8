#pragma once
// Neural neighbours (Kolkin et al. 2022, NNST's loss; CNNMRF's family; docs/LOSS.md): each output
// feature is pulled toward its nearest style feature by cosine similarity, the matches found
// again at every step as the image moves. Matching has no gradient; the loss through the matched
// (constant) features does.
#include <torch/torch.h>

#include <algorithm>
#include <vector>

namespace nst::match {

// Rows of the similarity matrix computed at once: 4096 × |J| floats (16 MiB at 1024 candidates),
// so the N×|J| matrix of a large layer never exists whole.
inline constexpr std::int64_t kMatchChunk = 4096;

// For each row of `f_unit` (N×C, unit rows), the index of the most similar row of `candidates`
// (|J|×C, unit rows); the first on ties (torch's argmax).
[[nodiscard]] inline torch::Tensor nearest(const torch::Tensor& f_unit, const torch::Tensor& candidates) {
    torch::NoGradGuard no_grad;
    const auto detached = f_unit.detach();
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < detached.size(0); start += kMatchChunk) {
        const auto chunk = detached.slice(0, start, std::min(start + kMatchChunk, detached.size(0)));
        parts.push_back(torch::mm(chunk, candidates.t()).argmax(1));
    }
    return torch::cat(parts);
}

// Σ_k w_k · mean_i (1 − ⟨f̂_i, ŝ_{j(i)}⟩) for unit output rows `f_unit` (with gradient) and each
// style's unit candidate rows.
[[nodiscard]] inline torch::Tensor neural_neighbors(const torch::Tensor& f_unit, const std::vector<torch::Tensor>& candidates,
                                                    const std::vector<float>& weights) {
    torch::Tensor loss;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        if (weights[k] == 0.f) continue;
        const auto matched = candidates[k].index_select(0, nearest(f_unit, candidates[k]));
        const auto term = (1.0 - (f_unit * matched).sum(1)).mean() * static_cast<double>(weights[k]);
        loss = loss.defined() ? loss + term : term;
    }
    return loss.defined() ? loss : torch::zeros({}, f_unit.options());
}

}  // namespace nst::match
