#pragma once
// The losses that match features, composed (docs/LOSS.md): sliced Wasserstein, STROTSS's remd
// and neural neighbours in place of the style statistic, and STROTSS's self-similarity in place of
// the content's squared difference. Each loss is its own header (sliced_wasserstein.h, remd.h,
// neural_neighbors.h, self_similarity.h); this unit keeps what they need of the style images
// (their activations per layer, and their pixels for remd's palette), draws the random parts of a
// step (draws.h) and applies the regions (hard_regions.h).
#include <torch/torch.h>

#include <map>
#include <vector>

#include "loss/content_loss.h"  // Taps, ContentTerm
#include "loss/spatial_masks.h"
#include "match/draws.h"
#include "nst/engine.h"

namespace nst {

class MatchTerm {
public:
    // Forgets every style's activations (new style images, colour mode or scale).
    void clear() {
        per_style_.clear();
        rgb_.clear();
    }
    [[nodiscard]] bool has(int layer) const { return per_style_.contains(layer); }
    // The activations [1,C,H,W] of each style image at `layer`, in style order.
    void set_targets(int layer, const std::vector<torch::Tensor>& per_style);
    // The style images [1,3,H,W] as the network sees them (remd's palette).
    void set_style_images(const std::vector<torch::Tensor>& styles);

    // The style term of `p.style_loss` (sw, remd or nn) at the activations `feats` of `image`,
    // for the normalised `blend`; with regions in `masks`, each row against its own style.
    [[nodiscard]] torch::Tensor evaluate(const Params& p, const Taps& feats, const torch::Tensor& image,
                                         const std::vector<float>& blend, Draws& draws, const torch::Tensor& zero,
                                         SpatialMasks* masks) const;

private:
    struct StyleLayer {
        torch::Tensor rows;  // M×C (nn scales its candidates to unit length when it draws them)
        std::int64_t height = 0, width = 0;
    };
    [[nodiscard]] torch::Tensor sliced_wasserstein(const Params& p, const Taps& feats, const std::vector<float>& blend,
                                                   Draws& draws, const torch::Tensor& zero, SpatialMasks* masks) const;
    [[nodiscard]] torch::Tensor neural_neighbors(const Params& p, const Taps& feats, const std::vector<float>& blend,
                                                 Draws& draws, const torch::Tensor& zero, SpatialMasks* masks) const;
    [[nodiscard]] torch::Tensor remd(const Params& p, const Taps& feats, const torch::Tensor& image,
                                     const std::vector<float>& blend, Draws& draws, const torch::Tensor& zero,
                                     SpatialMasks* masks) const;

    std::map<int, std::vector<StyleLayer>> per_style_;
    std::vector<StyleLayer> rgb_;  // per style: its pixels as (H·W)×3 rows
};

// STROTSS's self-similarity content term over the content layers (content.target(layer) is the
// content's activation); with a content map, each sampled row weighted by it.
[[nodiscard]] torch::Tensor self_similarity_term(const std::vector<LayerWeight>& layers, const Taps& feats,
                                                 const ContentTerm& content, int samples, Draws& draws,
                                                 const torch::Tensor& zero, SpatialMasks* masks);

}  // namespace nst
