#pragma once
// The content term: Σ_l w_l · mean((φ_l(x) − φ_l(c))²) over the content layers, with φ_l(c) the
// content image's activations, computed once per content image. (docs/LOSS.md)
#include <torch/torch.h>

#include <map>
#include <vector>

#include "losses.h"
#include "nst/layers.h"

namespace nst {

// Activations of one forward pass by ReLU index (torchvision numbering).
using Taps = std::map<int, torch::Tensor>;

class ContentTerm {
public:
    void clear() { targets_.clear(); }
    [[nodiscard]] bool has(int layer) const { return targets_.contains(layer); }
    void set_target(int layer, const torch::Tensor& activation) { targets_[layer] = activation.detach(); }

    // Layers with weight 0 cost nothing (they are not in `feats`).
    [[nodiscard]] torch::Tensor evaluate(const std::vector<LayerWeight>& layers, const Taps& feats,
                                         const torch::Tensor& zero) const {
        torch::Tensor loss = zero;
        for (const auto& lw : layers) {
            if (lw.weight == 0.f) continue;
            const int idx = relu_index(lw.layer);
            loss = loss + lw.weight * losses::mean_sq(feats.at(idx), targets_.at(idx));
        }
        return loss;
    }

private:
    std::map<int, torch::Tensor> targets_;
};

}  // namespace nst
