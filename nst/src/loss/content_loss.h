#pragma once
// The content term: Σ_l w_l · mean((φ_l(x) − φ_l(c))²) over the content layers, with φ_l(c) the
// content image's activations, computed once per content image. With a content map M (regions.h),
// mean(M∘(φ_l(x) − φ_l(c))²), M pooled to the layer's resolution. (docs/LOSS.md)
#include <torch/torch.h>

#include <map>
#include <vector>

#include "loss/gram.h"
#include "loss/spatial_masks.h"
#include "loss/tile_window.h"
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
                                         const torch::Tensor& zero, SpatialMasks* masks = nullptr) const {
        const bool map = masks && masks->has_content_map();
        torch::Tensor loss = zero;
        for (const auto& lw : layers) {
            if (lw.weight == 0.f) continue;
            const int idx = relu_index(lw.layer);
            const auto& f = feats.at(idx);
            if (!map) {
                loss = loss + lw.weight * losses::mean_sq(f, targets_.at(idx));
                continue;
            }
            const auto& m = masks->at(idx).content;  // [1,1,h,w], broadcast over the channels
            if (m.size(2) != f.size(2) || m.size(3) != f.size(3))
                throw std::logic_error("ContentTerm: the content map's size differs from its layer's");
            loss = loss + lw.weight * ((f - targets_.at(idx)).pow(2) * m).mean();
        }
        return loss;
    }

    // A tile's part of the whole-image loss (tiled steps): Σ over the window's interior positions
    // of (φ_l(x) − φ_l(c))² [· M], divided by the whole layer's element count, so that the parts of
    // all tiles add up to evaluate()'s value. `feats` are the tile's activations.
    [[nodiscard]] torch::Tensor evaluate_window(const std::vector<LayerWeight>& layers, const Taps& feats,
                                                const torch::Tensor& zero, const TileWindow& window,
                                                SpatialMasks* masks = nullptr) const {
        const bool map = masks && masks->has_content_map();
        torch::Tensor loss = zero;
        for (const auto& lw : layers) {
            if (lw.weight == 0.f) continue;
            const int idx = relu_index(lw.layer);
            const int s = pooling_stride(idx);
            const auto& target = targets_.at(idx);
            auto sq = (window.local(feats.at(idx), s) - window.whole(target, s)).pow(2);
            if (map) sq = sq * window.whole(masks->at(idx).content, s);
            loss = loss + (lw.weight / static_cast<double>(target.numel())) * sq.sum();
        }
        return loss;
    }

    // The whole content activation at `layer`, for a target assembled tile by tile.
    [[nodiscard]] const torch::Tensor& target(int layer) const { return targets_.at(layer); }

private:
    std::map<int, torch::Tensor> targets_;
};

}  // namespace nst
