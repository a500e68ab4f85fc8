#pragma once
// The temporal term of video style transfer (Ruder, Dosovitskiy, Brox 2016; docs/LOSS.md):
// Σ_j (1/N) Σ_x c_j(x) · (x(x) − t_j(x))² over the earlier frames j, where t_j is the stylized
// frame t−j warped into this frame by the optical flow, c_j its per-pixel (long-term) weight, and N
// the number of elements of the image (3·H·W, the paper's D). No targets: no term.
#include <torch/torch.h>

#include <vector>

#include "loss/tile_window.h"

namespace nst {

class TemporalTerm {
public:
    struct Target {
        torch::Tensor image;   // [1,3,H,W], the warped earlier result
        torch::Tensor weight;  // [1,1,H,W] in [0,1], broadcast over the channels
    };

    void clear() { targets_.clear(); }
    void set(std::vector<Target> targets) { targets_ = std::move(targets); }
    [[nodiscard]] bool empty() const { return targets_.empty(); }
    [[nodiscard]] const std::vector<Target>& targets() const { return targets_; }

    [[nodiscard]] torch::Tensor evaluate(const torch::Tensor& x, const torch::Tensor& zero) const {
        torch::Tensor loss = zero;
        for (const auto& t : targets_) loss = loss + ((x - t.image).pow(2) * t.weight).mean();
        return loss;
    }

    // A tile's part (tiled steps): the window's interior pixels only, divided by the whole image's
    // element count, so that the parts of all tiles add up to evaluate()'s value (the term is a sum
    // over pixels, so tiling is exact). `tile` is the tile's [1,3,h,w] pixels.
    [[nodiscard]] torch::Tensor evaluate_window(const torch::Tensor& tile, const TileWindow& w,
                                                const torch::Tensor& zero) const {
        using torch::indexing::Slice;
        torch::Tensor loss = zero;
        const auto inner = tile.index({Slice(), Slice(), Slice(w.y0 - w.ty0, w.y1 - w.ty0),
                                       Slice(w.x0 - w.tx0, w.x1 - w.tx0)});
        for (const auto& t : targets_) {
            const double count = static_cast<double>(t.image.numel());
            loss = loss + ((inner - w.whole(t.image, 1)).pow(2) * w.whole(t.weight, 1)).sum() / count;
        }
        return loss;
    }

private:
    std::vector<Target> targets_;
};

}  // namespace nst
