#pragma once
// The style term: per style layer, a statistic of the activations compared with the blend of the
// style images' statistics. Two statistics (docs/LOSS.md):
//   Gram: mean((G(x) − Σ_k w_k G_k)²), G = F·Fᵀ/(C·H·W)                          (Gatys et al.)
//   W2:   mean_c (μ − μ_t)² + tr(Σ_t + Σ − 2·(Σ_t^½ Σ Σ_t^½)^½) / C             (crowsonkb)
//         with μ = mean of F over positions, S = F·Fᵀ/(H·W), Σ = S − μμᵀ + εI, and the blended
//         target μ_t = Σ_k w_k μ_k, S_t = Σ_k w_k S_k, Σ_t = S_t − μ_tμ_tᵀ + εI.
// Each style image's statistic is kept as sums over positions (Σ F·Fᵀ, Σ F, the count), which is
// what a tiled pass can accumulate and what a mask can weight; a blend or a change of statistic
// recombines the cached sums with no forward pass.
// With regions (spatial_masks.h), each region's guided Gram G_r = (T_r∘F)(T_r∘F)ᵀ/(C·Σ_p T_r²) is
// compared with its own style's Gram (W2: the T_r²-weighted mean and second moment), and the
// background's with the blend; each term weighted by its region's λ_r.
#include <torch/torch.h>

#include <map>
#include <vector>

#include "loss/content_loss.h"  // Taps
#include "loss/spatial_masks.h"
#include "loss/tile_window.h"
#include "nst/engine.h"

namespace nst {

// Sums over the positions of one activation [1,C,H,W]: Σ_p F_p·F_pᵀ (C×C), Σ_p F_p (C), the count.
struct FeatureSums {
    torch::Tensor outer, sum;
    double count = 0;
};
[[nodiscard]] FeatureSums feature_sums(const torch::Tensor& activation);

inline constexpr double kW2Epsilon = 1e-4;

// A style layer's statistic over some positions, as sums (tiled steps): per term row (the rows of
// SpatialMasks::Layer with regions: [E,C,C] and [E,C]; one row without: [C,C] and [C])
// Σ_p (t∘F_p)(t∘F_p)ᵀ, and Σ_p t²·F_p (W2 only); `count` the positions.
struct LayerSums {
    torch::Tensor outer, sum;
    double count = 0;
};
using StyleSums = std::map<int, LayerSums>;

class StyleTerm {
public:
    // Forgets every style's targets (new style images, colour mode or scale).
    void clear();
    [[nodiscard]] bool has(int layer) const { return per_style_.contains(layer); }
    // The sums of each style image at `layer`, in style order (computed without gradients).
    void set_targets(int layer, std::vector<FeatureSums> per_style);

    // Recombines the blended targets of every layer for these (normalised) weights and statistic:
    // C×C arithmetic per layer and, for W2, one symmetric square root. Targets keep their storage
    // when their shape is unchanged, so a captured CUDA graph stays valid across a blend change.
    // A layer named in `layer_blend` takes its own weights instead of `blend` (layer_blend_for).
    void configure(const std::vector<float>& blend, StyleLoss statistic, const std::vector<LayerBlend>& layer_blend = {});
    [[nodiscard]] bool configured_for(const std::vector<float>& blend, StyleLoss statistic,
                                      const std::vector<LayerBlend>& layer_blend = {}) const {
        return configured_ && blend == blend_ && statistic == statistic_ && layer_blend == layer_blend_;
    }

    // Each single style's own target (what regions compare with), for these style indices: kept
    // until the targets or the statistic change, so painting computes none.
    void prepare_singles(const std::vector<int>& styles);

    // Σ_l w_l · loss_l over the style layers with non-zero weight; with regions in `masks`,
    // loss_l = Σ_r λ_r · loss(G_r, target_r) over the regions and the background.
    [[nodiscard]] torch::Tensor evaluate(const std::vector<LayerWeight>& layers, const Taps& feats,
                                         const torch::Tensor& zero, SpatialMasks* masks = nullptr) const;

    // Tiled steps. The sums of a tile's activations `feats` over `window`'s interior (with
    // autograd when gradients are on): what pass 1 adds up and pass 2 differentiates.
    [[nodiscard]] StyleSums window_sums(const std::vector<LayerWeight>& layers, const Taps& feats,
                                        const TileWindow& window, SpatialMasks* masks = nullptr) const;
    // evaluate()'s value as a function of the whole image's sums (differentiable in them).
    [[nodiscard]] torch::Tensor loss_of_sums(const std::vector<LayerWeight>& layers, const StyleSums& sums,
                                             const torch::Tensor& zero, SpatialMasks* masks = nullptr) const;

private:
    struct Blended {
        torch::Tensor gram;                  // Gram: Σ_k w_k G_k
        torch::Tensor mean, cov_sqrt, trace; // W2, float64: μ_t, Σ_t^½, tr(Σ_t)
        torch::Tensor eps_eye;               // W2: εI, made once rather than every step
    };
    // Blends `styles` with `weights` into `into` (keeping its storage where shapes match).
    static void blend_into(Blended& into, const std::vector<FeatureSums>& styles, const std::vector<float>& weights,
                           StyleLoss statistic);
    // The loss of one layer; with a mask (`t` [1, H·W], `norm` = Σ t²) of the masked activations.
    [[nodiscard]] torch::Tensor layer_loss(const torch::Tensor& activation, const Blended& target,
                                           const torch::Tensor& t = {}, double norm = 0) const;
    // The same from one row's sums: Σ (t∘F)(t∘F)ᵀ, Σ t²F and the normaliser n (Σ t², or the count).
    [[nodiscard]] torch::Tensor sums_loss(const torch::Tensor& outer, const torch::Tensor& sum, double n,
                                          const Blended& target) const;
    // W2 from the (T²-weighted) mean and covariance, float64.
    [[nodiscard]] static torch::Tensor w2(const torch::Tensor& mean, const torch::Tensor& cov, const Blended& target,
                                          std::int64_t channels);

    std::map<int, std::vector<FeatureSums>> per_style_;
    std::map<int, Blended> blended_;
    std::map<int, std::map<int, Blended>> singles_;  // layer -> style -> that style alone
    std::vector<float> blend_;
    std::vector<LayerBlend> layer_blend_;
    StyleLoss statistic_ = StyleLoss::Gram;
    bool configured_ = false;
};

}  // namespace nst
